//! Prompts built from a [`Context`]: fill-in-the-middle text for models
//! with FIM tokens, and a short chat instruction for models without them.
//! Stable parts come first so the engine can reuse their KV cache across
//! keystrokes; the cursor window and the ask come last.

mod clean;

pub use clean::clean_output;

use margin_syntax::Language;

use crate::context::{Context, Task};
use crate::function::FunctionInfo;

/// The marker that stands for the cursor in instruction prompts.
pub const CURSOR: &str = "<CURSOR>";

/// Prefix and suffix for a FIM prompt: the header comes first, as the top of
/// the file, so the cached prefix survives keystrokes in the window.
pub fn fim(ctx: &Context) -> (String, String) {
    (format!("{}{}", ctx.header, ctx.prefix), ctx.suffix.clone())
}

/// A chat prompt for a model without FIM tokens. The engine sends
/// `system`, then one user message `user_stable + user_tail`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstructionPrompt {
    /// Depends only on the language and the task.
    pub system: String,
    /// The header (and, for whole-function tasks, the function): what does
    /// not change while the user types in one function.
    pub user_stable: String,
    /// The cursor window with [`CURSOR`] and the ask.
    pub user_tail: String,
    /// Generation limit (a few lines for completions).
    pub max_tokens: usize,
    /// Stop strings (the closing code fence; blank lines for completions).
    pub stop: Vec<String>,
}

/// Human name of a language for prompts.
pub(crate) fn language_name(lang: Language) -> &'static str {
    match lang {
        Language::Rust => "Rust",
        Language::Python => "Python",
        Language::JavaScript => "JavaScript",
        Language::TypeScript | Language::Tsx => "TypeScript",
        Language::Go => "Go",
        Language::C => "C",
        Language::Cpp => "C++",
        Language::Lua => "Lua",
        Language::Bash => "shell",
        Language::Toml => "TOML",
        Language::Yaml => "YAML",
        Language::Markdown => "Markdown",
        Language::Latex => "LaTeX",
        Language::GitCommit | Language::PlainText => "plain text",
    }
}

/// The code-fence tag of a language.
fn fence_tag(lang: Language) -> &'static str {
    match lang {
        Language::Tsx => "tsx",
        Language::Cpp => "cpp",
        Language::Bash => "sh",
        Language::GitCommit | Language::PlainText => "text",
        other => other.name(),
    }
}

/// How a doc comment is written in `lang`, for the ask.
pub(crate) fn doc_style(lang: Language) -> &'static str {
    match lang {
        Language::Rust => "`///` lines",
        Language::Python => "a \"\"\"docstring\"\"\"",
        Language::Go => "`//` lines starting with the function's name",
        Language::Lua => "`---` lines",
        Language::Bash => "`#` lines",
        _ => "a `/** ... */` block",
    }
}

/// The chat prompt for `task`. `fn_info` (else `ctx.enclosing`) names the
/// function for whole-function tasks.
pub fn instruction(
    ctx: &Context,
    task: Task,
    lang: Language,
    fn_info: Option<&FunctionInfo>,
) -> InstructionPrompt {
    let name = language_name(lang);
    let open = format!("```{}\n", fence_tag(lang));
    let fn_name = fn_info
        .or(ctx.enclosing.as_ref())
        .map_or("the function", |f| f.name.as_str());
    let mut stop = vec!["\n```".to_string()];
    match task {
        Task::Complete => {
            let mid_line = !ctx.prefix.rsplit('\n').next().unwrap_or("").trim().is_empty();
            let ask = if mid_line {
                format!("Complete the line at {CURSOR}. Reply with code only.")
            } else {
                format!("Write the next line of code at {CURSOR}. Reply with code only.")
            };
            stop.push("\n\n\n".to_string());
            InstructionPrompt {
                system: format!("You complete {name} code. Reply with the code to insert at {CURSOR} only: at most three lines, no explanations."),
                user_stable: format!("{open}{}", ctx.header),
                user_tail: format!("{}{CURSOR}{}\n```\n{ask}", ctx.prefix, ctx.suffix.trim_end()),
                max_tokens: 64,
                stop,
            }
        }
        Task::ImplementFunction => InstructionPrompt {
            system: format!("You implement {name} functions. Reply with the function body's code only, no explanations."),
            user_stable: format!("{open}{}{}{}\n```\n", ctx.header, ctx.prefix, ctx.suffix.trim_end()),
            user_tail: format!("Write the body of `{fn_name}`. Reply with the code of the body only."),
            max_tokens: 256,
            stop,
        },
        Task::DocComment => InstructionPrompt {
            system: format!("You write short {name} doc comments. Reply with the comment only."),
            user_stable: format!("{open}{}{}{}\n```\n", ctx.header, ctx.prefix, ctx.suffix.trim_end()),
            user_tail: format!("Write a one or two sentence doc comment for `{fn_name}` as {}. Reply with the comment only.", doc_style(lang)),
            max_tokens: 128,
            stop,
        },
    }
}

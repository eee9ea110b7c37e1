//! The set of languages margin understands, how they are recognised (LSP
//! `languageId`, file name) and which tree-sitter grammar parses each one.

use std::path::Path;

/// A document language. `PlainText` has no grammar; every other variant has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    Markdown,
    Rust,
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    C,
    Cpp,
    Lua,
    Bash,
    Toml,
    Yaml,
    GitCommit,
    Latex,
    PlainText,
}

impl Language {
    /// Every language, in declaration order.
    pub const ALL: &'static [Language] = &[
        Language::Markdown,
        Language::Rust,
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
        Language::Go,
        Language::C,
        Language::Cpp,
        Language::Lua,
        Language::Bash,
        Language::Toml,
        Language::Yaml,
        Language::GitCommit,
        Language::Latex,
        Language::PlainText,
    ];

    /// From an LSP languageId (case-insensitive). `None` if unknown.
    pub fn from_language_id(id: &str) -> Option<Language> {
        let id = id.trim().to_ascii_lowercase();
        Some(match id.as_str() {
            "markdown" => Language::Markdown,
            "rust" => Language::Rust,
            "python" => Language::Python,
            "javascript" | "javascriptreact" => Language::JavaScript,
            "typescript" => Language::TypeScript,
            "typescriptreact" => Language::Tsx,
            "go" => Language::Go,
            "c" => Language::C,
            "cpp" => Language::Cpp,
            "lua" => Language::Lua,
            "shellscript" | "bash" | "sh" | "zsh" => Language::Bash,
            "toml" => Language::Toml,
            "yaml" => Language::Yaml,
            "git-commit" | "gitcommit" => Language::GitCommit,
            "latex" | "tex" => Language::Latex,
            "plaintext" | "text" => Language::PlainText,
            _ => return None,
        })
    }

    /// From a file name or extension. `None` if unknown (including
    /// `git-rebase-todo`, which is not prose).
    pub fn from_path(path: &Path) -> Option<Language> {
        let name = path.file_name()?.to_str()?;
        match name {
            "COMMIT_EDITMSG" | "MERGE_MSG" | "TAG_EDITMSG" => return Some(Language::GitCommit),
            "git-rebase-todo" => return None,
            _ => {}
        }
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "md" | "markdown" => Language::Markdown,
            "rs" => Language::Rust,
            "py" => Language::Python,
            "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "go" => Language::Go,
            "c" | "h" => Language::C,
            "cc" | "cpp" | "cxx" | "hpp" | "hh" => Language::Cpp,
            "lua" => Language::Lua,
            "sh" | "bash" => Language::Bash,
            "toml" => Language::Toml,
            "yaml" | "yml" => Language::Yaml,
            "tex" => Language::Latex,
            "txt" => Language::PlainText,
            _ => return None,
        })
    }

    /// Stable lower-case id, also the folder name under `queries/`.
    pub fn name(self) -> &'static str {
        match self {
            Language::Markdown => "markdown",
            Language::Rust => "rust",
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::Go => "go",
            Language::C => "c",
            Language::Cpp => "cpp",
            Language::Lua => "lua",
            Language::Bash => "bash",
            Language::Toml => "toml",
            Language::Yaml => "yaml",
            Language::GitCommit => "gitcommit",
            Language::Latex => "latex",
            Language::PlainText => "plaintext",
        }
    }

    /// The tree-sitter grammar (for Markdown: the block grammar). `None` for
    /// `PlainText`.
    pub fn grammar(self) -> Option<tree_sitter::Language> {
        Some(match self {
            Language::Markdown => tree_sitter_md::LANGUAGE.into(),
            Language::Rust => tree_sitter_rust::LANGUAGE.into(),
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::Go => tree_sitter_go::LANGUAGE.into(),
            Language::C => tree_sitter_c::LANGUAGE.into(),
            Language::Cpp => tree_sitter_cpp::LANGUAGE.into(),
            Language::Lua => tree_sitter_lua::LANGUAGE.into(),
            Language::Bash => tree_sitter_bash::LANGUAGE.into(),
            Language::Toml => tree_sitter_toml_ng::LANGUAGE.into(),
            Language::Yaml => tree_sitter_yaml::LANGUAGE.into(),
            Language::GitCommit => tree_sitter_gitcommit::LANGUAGE.into(),
            Language::Latex => codebook_tree_sitter_latex::LANGUAGE.into(),
            Language::PlainText => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_ids() {
        let cases = [
            ("markdown", Language::Markdown),
            ("Rust", Language::Rust),
            ("python", Language::Python),
            ("javascript", Language::JavaScript),
            ("javascriptreact", Language::JavaScript),
            ("typescript", Language::TypeScript),
            ("typescriptreact", Language::Tsx),
            ("go", Language::Go),
            ("c", Language::C),
            ("cpp", Language::Cpp),
            ("lua", Language::Lua),
            ("shellscript", Language::Bash),
            ("bash", Language::Bash),
            ("sh", Language::Bash),
            ("ZSH", Language::Bash),
            ("toml", Language::Toml),
            ("yaml", Language::Yaml),
            ("git-commit", Language::GitCommit),
            ("gitcommit", Language::GitCommit),
            ("latex", Language::Latex),
            ("tex", Language::Latex),
            ("plaintext", Language::PlainText),
            ("text", Language::PlainText),
        ];
        for (id, lang) in cases {
            assert_eq!(Language::from_language_id(id), Some(lang), "{id}");
        }
        assert_eq!(Language::from_language_id("cobol"), None);
        assert_eq!(Language::from_language_id(""), None);
    }

    #[test]
    fn paths() {
        let cases = [
            ("README.md", Some(Language::Markdown)),
            ("a/b/notes.markdown", Some(Language::Markdown)),
            ("main.rs", Some(Language::Rust)),
            ("x.py", Some(Language::Python)),
            ("x.js", Some(Language::JavaScript)),
            ("x.mjs", Some(Language::JavaScript)),
            ("x.cjs", Some(Language::JavaScript)),
            ("x.jsx", Some(Language::JavaScript)),
            ("x.ts", Some(Language::TypeScript)),
            ("x.mts", Some(Language::TypeScript)),
            ("x.cts", Some(Language::TypeScript)),
            ("x.tsx", Some(Language::Tsx)),
            ("x.go", Some(Language::Go)),
            ("x.c", Some(Language::C)),
            ("x.h", Some(Language::C)),
            ("x.cc", Some(Language::Cpp)),
            ("x.cpp", Some(Language::Cpp)),
            ("x.cxx", Some(Language::Cpp)),
            ("x.hpp", Some(Language::Cpp)),
            ("x.hh", Some(Language::Cpp)),
            ("x.lua", Some(Language::Lua)),
            ("x.sh", Some(Language::Bash)),
            ("x.bash", Some(Language::Bash)),
            ("Cargo.toml", Some(Language::Toml)),
            ("x.yaml", Some(Language::Yaml)),
            ("x.yml", Some(Language::Yaml)),
            ("paper.tex", Some(Language::Latex)),
            ("notes.txt", Some(Language::PlainText)),
            (".git/COMMIT_EDITMSG", Some(Language::GitCommit)),
            (".git/MERGE_MSG", Some(Language::GitCommit)),
            (".git/TAG_EDITMSG", Some(Language::GitCommit)),
            (".git/rebase-merge/git-rebase-todo", None),
            ("Makefile", None),
            ("x.unknown", None),
        ];
        for (p, lang) in cases {
            assert_eq!(Language::from_path(Path::new(p)), lang, "{p}");
        }
    }

    #[test]
    fn names_are_unique_and_grammars_exist() {
        let mut names: Vec<_> = Language::ALL.iter().map(|l| l.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Language::ALL.len());
        for &l in Language::ALL {
            assert_eq!(l.grammar().is_some(), l != Language::PlainText, "{l:?}");
            if l != Language::Tsx {
                assert_eq!(Language::from_language_id(l.name()), Some(l));
            }
        }
    }
}

//! `margin bench translate`: hover latency cold (model call) vs warm (the
//! cache a second hover hits), and over a set of i18n strings the share of
//! offered translations that kept every placeholder — checked here
//! independently of the translator's own check. The goal is 1.0: anything
//! less means an edit was offered that lost a placeholder.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use margin_engine::Priority;
use margin_translate::lang::parse_language;
use regex::Regex;
use serde_json::{json, Value};

use crate::translating::{Failure, Request, Translator};

/// UI strings with every kind of placeholder the translator protects.
pub const I18N_STRINGS: &[&str] = &[
    "Welcome back, {name}!",
    "You have {0} new messages.",
    "Deleting %s will remove all of its files.",
    "Uploaded %1$d of %2$d files.",
    "Hello {{user}}, your order has shipped.",
    "Total: ${amount} including tax.",
    "The file :filename could not be opened.",
    "Click <b>Save</b> to keep your changes.",
    "Your password must have at least {min} characters.",
    "Last seen {time} ago by {user}.",
    "Are you sure you want to delete \"%s\"?",
    "Press <kbd>Ctrl</kbd> + <kbd>S</kbd> to save.",
    "Copyright &copy; {year} The Margin Authors.",
    "Showing results {start} to {end} of {total}.",
    "See the [documentation](https://example.com/docs) for `margin check`.",
    "Your trial ends in %d days.",
];

/// A German comment a reader hovers over (short: SmolLM2-135M translates little more).
const HOVER_TEXT: &str = "Das Wetter ist heute sehr schön.";

fn placeholders(text: &str) -> Vec<String> {
    let re = Regex::new(r"\{\{[^}]*\}\}|\$\{[^}]*\}|\{[^}]*\}|%\d+\$[sd]|%[sd]|:[a-z_]+\b|</?[a-z]+>|&[a-z]+;|\]\([^)]*\)|`[^`]*`").expect("valid regex");
    let mut found: Vec<String> = re.find_iter(text).map(|m| m.as_str().to_string()).collect();
    found.sort();
    found
}

pub fn run(model: &Path, threads: Option<usize>) -> Result<Value, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (engine, _settings) = super::start_engine(model, threads)?;
    let translator = Translator::default();
    let english = parse_language("en").expect("known");
    let german = parse_language("de").expect("known");
    let translate = |text: &str, to, markdown| {
        let request = Request {
            text: text.to_string(),
            from: margin_translate::detect(text),
            to,
            markdown,
        };
        let cancel = Arc::new(AtomicBool::new(false));
        let start = Instant::now();
        let result = runtime.block_on(translator.translate(
            &engine,
            &request,
            Priority::Interactive,
            cancel,
        ));
        (result, start.elapsed().as_secs_f64() * 1000.0)
    };

    let (cold, cold_ms) = translate(HOVER_TEXT, english, false);
    let cold = cold.unwrap_or_else(|e| format!("(no translation: {e})"));
    let (_, warm_ms) = translate(HOVER_TEXT, english, false);

    let (mut offered, mut kept, mut refused) = (0usize, 0usize, 0usize);
    let mut lost = Vec::new();
    let mut latencies = Vec::new();
    for s in I18N_STRINGS {
        let (result, ms) = translate(s, german, true);
        latencies.push(ms);
        match result {
            Ok(t) => {
                offered += 1;
                if placeholders(&t) == placeholders(s) {
                    kept += 1;
                } else {
                    lost.push(json!({"source": s, "translation": t}));
                }
            }
            Err(Failure::Refused(_)) => refused += 1,
            Err(e) => return Err(format!("translating {s:?}: {e}")),
        }
    }
    Ok(json!({
        "model": engine.model_info().name,
        "threads": threads,
        "hover_cold_ms": cold_ms,
        "hover_warm_ms": warm_ms,
        "hover_cold_over_warm": cold_ms / warm_ms.max(1e-3),
        "hover_translation": cold,
        "i18n_strings": I18N_STRINGS.len(),
        "i18n_offered": offered,
        "i18n_refused": refused,
        "placeholder_kept_fraction": if offered == 0 { 1.0 } else { kept as f64 / offered as f64 },
        "i18n_lost": lost,
        "i18n_median_ms": super::median(&mut latencies),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_independent_placeholder_check_sees_each_kind() {
        for s in I18N_STRINGS {
            assert!(!placeholders(s).is_empty(), "{s}");
        }
        assert_ne!(
            placeholders("Willkommen, {name}!"),
            placeholders("Willkommen!")
        );
    }
}

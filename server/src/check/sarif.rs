//! SARIF 2.1.0 output (GitHub code scanning, most CI dashboards): one run of the `margin`
//! tool with a rule per category, each finding a result with its region (1-based lines,
//! UTF-16 columns, as `columnKind` says), a fix that replaces the region with the correction,
//! and a fingerprint that survives edits elsewhere in the file. Files that were not checked
//! are tool execution notifications. Paths are relative to `%SRCROOT%`, the working directory.

use std::path::Path;

use margin_proofread::stable_hash;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};

use super::output::{shown, Level, Lines, Span};
use super::Report;
use crate::checking::Finding;
use crate::text::Encoding;

/// Characters a relative URI path keeps as they are.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

const RULES: [(&str, &str); 4] = [
    ("spelling", "A word that looks misspelled"),
    (
        "grammar",
        "A likely grammar mistake (agreement, confusable words, missing or extra words)",
    ),
    ("punctuation", "A likely punctuation mistake"),
    ("style", "A wording the model finds clearly better"),
];

/// The SARIF log of a run.
pub fn log(report: &Report, level: Level) -> Value {
    let level = match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "note",
    };
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, text)| json!({"id": id, "name": id, "shortDescription": {"text": text}, "defaultConfiguration": {"level": level}}))
        .collect();
    let mut results = Vec::new();
    for file in &report.files {
        let lines = Lines::new(&file.text);
        for f in &file.findings {
            results.push(result(&file.path, &lines, f, level));
        }
    }
    let notifications: Vec<Value> = report
        .not_checked
        .iter()
        .map(|(path, why)| {
            json!({
                "level": "warning",
                "message": {"text": format!("{}: {why}", shown(path))},
                "locations": [{"physicalLocation": {"artifactLocation": artifact(path)}}],
            })
        })
        .collect();
    let mut run = json!({
        "tool": {"driver": {"name": "margin", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
        "columnKind": "utf16CodeUnits",
        "results": results,
        "invocations": [{"executionSuccessful": report.not_checked.is_empty(), "toolExecutionNotifications": notifications}],
    });
    if let Some(root) = std::env::current_dir()
        .ok()
        .and_then(|d| url::Url::from_directory_path(d).ok())
    {
        run["originalUriBaseIds"] = json!({"%SRCROOT%": {"uri": root.as_str()}});
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    })
}

fn result(path: &Path, lines: &Lines, f: &Finding, level: &str) -> Value {
    let Span { start, end } = lines.span(f, Encoding::Utf16);
    let region = json!({"startLine": start.line + 1, "startColumn": start.col + 1, "endLine": end.line + 1, "endColumn": end.col + 1});
    let rule = RULES
        .iter()
        .position(|(id, _)| *id == f.category_name())
        .unwrap_or(0);
    let key = f.key();
    let fingerprint = stable_hash(
        format!(
            "{}\u{0}{}\u{0}{}\u{0}{:x}",
            shown(path),
            key.original,
            key.replacement,
            key.context
        )
        .as_bytes(),
    );
    let mut located = region.clone();
    located["snippet"] = json!({"text": f.original});
    json!({
        "ruleId": f.category_name(),
        "ruleIndex": rule,
        "level": level,
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact(path), "region": located}}],
        "partialFingerprints": {"marginFinding/v1": format!("{fingerprint:016x}")},
        "fixes": [{
            "description": {"text": format!("Replace '{}' with '{}'", f.original, f.replacement)},
            "artifactChanges": [{
                "artifactLocation": artifact(path),
                "replacements": [{"deletedRegion": region, "insertedContent": {"text": f.replacement}}],
            }],
        }],
        "properties": {"confidence": f.confidence},
    })
}

/// Where a file is: relative to `%SRCROOT%`, or an absolute `file:` URI.
fn artifact(path: &Path) -> Value {
    if path.is_absolute() {
        if let Ok(url) = url::Url::from_file_path(path) {
            return json!({"uri": url.as_str()});
        }
    }
    let relative = shown(path);
    let relative = relative.strip_prefix("./").unwrap_or(&relative);
    json!({"uri": utf8_percent_encode(relative, PATH).to_string(), "uriBaseId": "%SRCROOT%"})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            artifact(Path::new("./docs/my notes.md")),
            json!({"uri": "docs/my%20notes.md", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact(Path::new("/tmp/ä.md")),
            json!({"uri": "file:///tmp/%C3%A4.md"})
        );
    }
}

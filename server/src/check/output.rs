//! What `margin check` prints: `text` (`path:line:col: category: message`), `json` (an array
//! of findings), `github` (workflow commands that Actions turns into annotations), `rdjson`
//! (reviewdog's diagnostic format, with suggestions) and `sarif` ([`super::sarif`]). Every
//! format carries the replacement of each finding.

use std::path::Path;

use ropey::Rope;
use serde_json::{json, Value};

use super::{sarif, Report};
use crate::checking::Finding;
use crate::cli::Format;
use crate::config::Severity;
use crate::text::{positions, Encoding};

/// How severe margin's findings are in CI terms (from the `severity` setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl From<Severity> for Level {
    fn from(s: Severity) -> Level {
        match s {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Information | Severity::Hint => Level::Info,
        }
    }
}

/// A finding's range as lines and columns (0-based) in one encoding.
pub struct Span {
    pub start: positions::LineCol,
    pub end: positions::LineCol,
}

/// Positions in one file's text.
pub struct Lines(Rope);

impl Lines {
    pub fn new(text: &str) -> Lines {
        Lines(Rope::from_str(text))
    }

    pub fn span(&self, f: &Finding, encoding: Encoding) -> Span {
        Span {
            start: positions::to_line_col(&self.0, f.range.start, encoding),
            end: positions::to_line_col(&self.0, f.range.end, encoding),
        }
    }
}

/// A path as printed: as given on the command line, with `/` separators.
pub fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The whole output of a run in `format`.
pub fn render(report: &Report, format: Format, level: Level) -> String {
    match format {
        Format::Text => text(report),
        Format::Json => pretty(&json_items(report, level)),
        Format::Github => github(report, level),
        Format::Rdjson => pretty(&rdjson(report, level)),
        Format::Sarif => pretty(&sarif::log(report, level)),
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .unwrap_or_default()
}

fn text(report: &Report) -> String {
    let mut out = String::new();
    for file in &report.files {
        let lines = Lines::new(&file.text);
        for f in &file.findings {
            let at = lines.span(f, Encoding::Utf32).start;
            out += &format!(
                "{}:{}:{}: {}: {}\n",
                shown(&file.path),
                at.line + 1,
                at.col + 1,
                f.category_name(),
                f.message
            );
        }
    }
    out
}

fn json_items(report: &Report, level: Level) -> Value {
    let mut items = Vec::new();
    for file in &report.files {
        let lines = Lines::new(&file.text);
        for f in &file.findings {
            let span = lines.span(f, Encoding::Utf16);
            let pos = |at: positions::LineCol, byte: usize| json!({"line": at.line, "character": at.col, "byte": byte});
            items.push(json!({
                "file": shown(&file.path),
                "range": {"start": pos(span.start, f.range.start), "end": pos(span.end, f.range.end)},
                "category": f.category_name(),
                "severity": level_name(level),
                "message": f.message,
                "original": f.original,
                "replacement": f.replacement,
                "confidence": f.confidence,
            }));
        }
    }
    Value::Array(items)
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "info",
    }
}

/// GitHub workflow commands: `::warning file=…,line=…,endLine=…,col=…,endColumn=…,title=…::…`
/// (1-based lines and columns in characters; values escaped as the Actions toolkit does).
fn github(report: &Report, level: Level) -> String {
    let command = match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "notice",
    };
    let mut out = String::new();
    for file in &report.files {
        let lines = Lines::new(&file.text);
        for f in &file.findings {
            let Span { start, end } = lines.span(f, Encoding::Utf32);
            out += &format!(
                "::{command} file={},line={},endLine={},col={},endColumn={},title={}::{}\n",
                escape_property(&shown(&file.path)),
                start.line + 1,
                end.line + 1,
                start.col + 1,
                end.col + 1,
                escape_property(&format!("margin: {}", f.category_name())),
                escape_data(&f.message),
            );
        }
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// reviewdog's `DiagnosticResult` (rdjson): 1-based lines, columns in UTF-8 bytes, exclusive
/// ends, and the replacement as a suggestion over the same range.
fn rdjson(report: &Report, level: Level) -> Value {
    let severity = match level {
        Level::Error => "ERROR",
        Level::Warning => "WARNING",
        Level::Info => "INFO",
    };
    let mut diagnostics = Vec::new();
    for file in &report.files {
        let lines = Lines::new(&file.text);
        for f in &file.findings {
            let Span { start, end } = lines.span(f, Encoding::Utf8);
            let range = json!({
                "start": {"line": start.line + 1, "column": start.col + 1},
                "end": {"line": end.line + 1, "column": end.col + 1},
            });
            diagnostics.push(json!({
                "message": f.message,
                "location": {"path": shown(&file.path), "range": range},
                "severity": severity,
                "code": {"value": f.category_name()},
                "suggestions": [{"range": range, "text": f.replacement}],
            }));
        }
    }
    json!({"source": {"name": "margin"}, "diagnostics": diagnostics})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_values_are_escaped_like_the_actions_toolkit() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a,b:c%"), "a%2Cb%3Ac%25");
    }
}

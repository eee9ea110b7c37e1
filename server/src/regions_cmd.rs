//! `margin regions`: print the prose regions margin would check in each file —
//! the plain text the model sees and where it sits in the file. Useful when
//! writing a `queriesDir` override or checking an ignore marker.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use margin_syntax::{extract_regions, ExtractOptions, Language};
use ropey::Rope;

use crate::text::document::Skip;
use crate::text::{positions, Encoding};

pub fn run(
    paths: &[PathBuf],
    include_strings: bool,
    queries_dir: Option<&Path>,
    max_bytes: usize,
) -> ExitCode {
    let mut failed = false;
    for path in paths {
        if let Err(e) = print_file(path, include_strings, queries_dir, max_bytes) {
            eprintln!("margin: {}: {e}", path.display());
            failed = true;
        }
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_file(
    path: &Path,
    include_strings: bool,
    queries_dir: Option<&Path>,
    max_bytes: usize,
) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8 text; skipped".to_string())?;
    if let Some(skip) = Skip::of_text(&text, max_bytes) {
        return Err(skip.to_string());
    }
    let lang = Language::from_path(path).unwrap_or(Language::PlainText);
    let options = ExtractOptions {
        include_strings,
        queries_dir,
    };
    let extracted = extract_regions(&text, None, lang, &options).map_err(|e| e.to_string())?;
    for warning in &extracted.warnings {
        eprintln!("margin: {warning}");
    }
    let rope = Rope::from_str(&text);
    let at = |offset: usize| {
        let lc = positions::to_line_col(&rope, offset, Encoding::Utf32);
        format!("{}:{}", lc.line + 1, lc.col + 1)
    };
    for region in &extracted.regions {
        println!(
            "{}:{}-{} {:?} ({}): {:?}",
            path.display(),
            at(region.doc_range.start),
            at(region.doc_range.end),
            region.kind,
            lang.name(),
            region.text
        );
    }
    Ok(())
}

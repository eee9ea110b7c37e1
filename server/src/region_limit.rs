//! A bound on the work per prose region: a region longer than
//! [`MAX_REGION_BYTES`] (a 1 MB single-line Markdown file is one paragraph) is
//! cut there, at a word boundary, and only its start is checked; the caller is
//! told what was left out, so nothing unchecked passes for clean.

use std::ops::Range;

use margin_syntax::ProseRegion;

/// Longest region text checked (about 1,000 tokens, a few model calls; a long paragraph is
/// 1–2 KB, and the model time grows with the text: 8 KiB took 76 s with SmolLM2 on 2 busy cores).
pub const MAX_REGION_BYTES: usize = 4 * 1024;

/// Cut regions longer than `max_bytes`; returns the document ranges left unchecked.
pub fn limit_regions(regions: &mut [ProseRegion], max_bytes: usize) -> Vec<Range<usize>> {
    let mut left_out = Vec::new();
    for region in regions.iter_mut().filter(|r| r.text.len() > max_bytes) {
        let mut cut = region.text.floor_char_boundary(max_bytes);
        if let Some(space) = region.text[..cut]
            .rfind(char::is_whitespace)
            .filter(|&i| i > cut / 2)
        {
            cut = space;
        }
        let end = region.doc_offset(cut);
        left_out.push(end..region.doc_range.end);
        region.text.truncate(cut);
        region.protected.retain(|p| p.start < cut);
        for p in &mut region.protected {
            p.end = p.end.min(cut);
        }
        region.doc_range.end = end;
    }
    left_out
}

#[cfg(test)]
mod tests {
    use super::*;
    use margin_syntax::{extract_regions, ExtractOptions, Language, SyntaxTree};

    #[test]
    fn a_one_megabyte_paragraph_is_cut_at_a_word_and_reported() {
        let text = format!("# Title\n\n{}\n", "word ".repeat(200_000));
        let mut tree = SyntaxTree::new(Language::Markdown).unwrap();
        tree.parse(&text);
        let options = ExtractOptions {
            include_strings: false,
            queries_dir: None,
        };
        let mut regions = extract_regions(&text, Some(&tree), Language::Markdown, &options)
            .unwrap()
            .regions;
        let left_out = limit_regions(&mut regions, MAX_REGION_BYTES);
        assert_eq!(left_out.len(), 1);
        let long = regions.iter().find(|r| r.text.starts_with("word")).unwrap();
        assert!(
            long.text.len() <= MAX_REGION_BYTES && long.text.ends_with("word"),
            "{}",
            long.text.len()
        );
        assert_eq!(&text[long.doc_range.clone()], long.text);
        assert_eq!(left_out[0].end, text.trim_end().len());
        assert!(
            regions.iter().any(|r| r.text == "Title"),
            "short regions are untouched"
        );
    }
}

//! Snapshot tests: every region extracted from each fixture under
//! `tests/fixtures/`, with kind, line:col range, text, the document slice at
//! its range, and protected spans (strings included).

use std::path::Path;

use margin_syntax::{extract_regions, ExtractOptions, Language, ProseRegion, SyntaxTree};
use serde::Serialize;

#[derive(Serialize)]
struct Shown {
    kind: String,
    range: String,
    text: String,
    doc: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    protected: Vec<String>,
}

fn line_col(doc: &str, byte: usize) -> String {
    let before = &doc[..byte];
    let line = before.matches('\n').count() + 1;
    let col = byte - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("{line}:{col}")
}

fn show(doc: &str, r: &ProseRegion) -> Shown {
    Shown {
        kind: format!("{:?}", r.kind),
        range: format!(
            "{}-{}",
            line_col(doc, r.doc_range.start),
            line_col(doc, r.doc_range.end)
        ),
        text: r.text.clone(),
        doc: doc[r.doc_range.clone()].to_string(),
        protected: r
            .protected
            .iter()
            .map(|p| format!("{}..{} {:?}", p.start, p.end, &r.text[p.clone()]))
            .collect(),
    }
}

fn regions(file: &str) -> Vec<Shown> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(file);
    let doc = std::fs::read_to_string(&path).unwrap();
    let lang = Language::from_path(&path).unwrap();
    let mut tree = SyntaxTree::new(lang).unwrap();
    tree.parse(&doc);
    let opts = ExtractOptions {
        include_strings: true,
        queries_dir: None,
    };
    let ex = extract_regions(&doc, Some(&tree), lang, &opts).unwrap();
    assert!(ex.warnings.is_empty());
    for r in &ex.regions {
        // Every word of the text maps back to the same document bytes.
        let mut off = 0;
        for w in r.text.split(['\n', ' ']) {
            // (A word spanning hidden markup, e.g. `image](x.png).`, maps
            // to a range including it; such spans touch a protected point.)
            if !w.is_empty() && !r.touches_protected(off..off + w.len()) {
                assert_eq!(
                    &doc[r.doc_range_of(off..off + w.len())],
                    w,
                    "{file}: {:?}",
                    r.text
                );
            }
            off += w.len() + 1;
        }
    }
    ex.regions.iter().map(|r| show(&doc, r)).collect()
}

macro_rules! snap {
    ($name:ident, $file:expr) => {
        #[test]
        fn $name() {
            insta::assert_yaml_snapshot!(regions($file));
        }
    };
}

snap!(markdown, "fixture.md");
snap!(rust, "fixture.rs");
snap!(python, "fixture.py");
snap!(javascript, "fixture.js");
snap!(typescript, "fixture.ts");
snap!(tsx, "fixture.tsx");
snap!(go, "fixture.go");
snap!(c, "fixture.c");
snap!(cpp, "fixture.cpp");
snap!(lua, "fixture.lua");
snap!(bash, "fixture.sh");
snap!(toml, "fixture.toml");
snap!(yaml, "fixture.yaml");
snap!(gitcommit, "COMMIT_EDITMSG");
snap!(latex, "fixture.tex");

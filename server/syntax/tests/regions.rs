//! Region extraction tests: offset map exactness (CJK, emoji, combining
//! marks, CRLF), comment joining, ignore markers, string literals, query
//! overrides, plain text.

use margin_syntax::{
    extract_regions, ExtractOptions, Language, ProseRegion, RegionKind, SyntaxTree,
};

fn extract_with(doc: &str, lang: Language, opts: &ExtractOptions) -> Vec<ProseRegion> {
    let mut t = SyntaxTree::new(lang);
    if let Some(t) = t.as_mut() {
        t.parse(doc);
    }
    let ex = extract_regions(doc, t.as_ref(), lang, opts).unwrap();
    assert!(ex.warnings.is_empty(), "{:?}", ex.warnings);
    for r in &ex.regions {
        assert!(!r.text.contains('\r'), "{:?}", r.text);
        assert!(!r.text.trim().is_empty());
        assert_eq!(
            &doc[r.doc_range.clone()],
            &doc[r.doc_range_of(0..r.text.len())]
        );
    }
    ex.regions
}

fn extract(doc: &str, lang: Language) -> Vec<ProseRegion> {
    extract_with(doc, lang, &ExtractOptions::default())
}

fn texts(regions: &[ProseRegion]) -> Vec<&str> {
    regions.iter().map(|r| r.text.as_str()).collect()
}

/// Every occurrence of `word` in the region text maps to exactly `word`.
fn assert_maps(doc: &str, r: &ProseRegion, word: &str) {
    let mut found = false;
    for (i, _) in r.text.match_indices(word) {
        found = true;
        let range = r.doc_range_of(i..i + word.len());
        assert_eq!(&doc[range.clone()], word, "span {i} in {:?}", r.text);
        // doc_offset is left-biased: exact at the end of a word.
        assert_eq!(r.doc_offset(i + word.len()), range.end);
    }
    assert!(found, "{word:?} not in {:?}", r.text);
}

#[test]
fn joined_line_comments_map_exactly() {
    let cases: &[(Language, &str, &[&str])] = &[
        (
            Language::Rust,
            "fn f() {}\n    // first line here\n    // second wörd line\n",
            &["first", "second", "wörd", "line"],
        ),
        (
            Language::Rust,
            "/// Doc one.\n///\n/// Doc two 漢字.\nfn f() {}\n",
            &["one", "two", "漢字"],
        ),
        (
            Language::Python,
            "x = 1\n# hash one\n#   hash two\n",
            &["one", "two"],
        ),
        (
            Language::Lua,
            "-- dash one\n-- dash two\nlocal x = 1\n",
            &["one", "two"],
        ),
        (
            Language::C,
            "/*\n * star one\n * star two\n */\nint x;\n",
            &["one", "two"],
        ),
        (
            Language::Bash,
            "# sh one\n# sh two\necho hi\n",
            &["one", "two"],
        ),
    ];
    for (lang, doc, words) in cases {
        let rs = extract(doc, *lang);
        assert_eq!(rs.len(), 1, "{lang:?}: {:?}", texts(&rs));
        for w in *words {
            assert_maps(doc, &rs[0], w);
        }
    }
}

#[test]
fn join_offsets_and_separators() {
    let doc = "// alpha beta\n// gamma\n";
    let rs = extract(doc, Language::Rust);
    assert_eq!(texts(&rs), ["alpha beta\ngamma"]);
    let r = &rs[0];
    let nl = r.text.find('\n').unwrap();
    // The joined line break maps to the end of the previous line's text.
    assert_eq!(r.doc_offset(nl), doc.find("beta").unwrap() + 4);
    assert_eq!(r.doc_offset(nl + 1), doc.find("gamma").unwrap());
    // A span across the join covers the next line's marker.
    assert_eq!(&doc[r.doc_range_of(6..r.text.len())], "beta\n// gamma");
    assert_eq!(r.doc_range, 3..doc.len() - 1);
}

#[test]
fn different_markers_or_code_between_do_not_join() {
    let rs = extract(
        "// a\n/// b\nfn f() {}\n// c\nfn g() {}\n// d\n",
        Language::Rust,
    );
    assert_eq!(texts(&rs), ["a", "b", "c", "d"]);
    let rs = extract("let x = 1; // trailing\n// own line\n", Language::Rust);
    assert_eq!(texts(&rs), ["trailing", "own line"]);
    let rs = extract("// one\n\n// two\n", Language::Rust);
    assert_eq!(texts(&rs), ["one", "two"]);
}

#[test]
fn cjk_emoji_combining_marks() {
    let doc = "# 标题 🎉\n\n中文段落，*强调*文字 👩‍👩‍👧 and café ne\u{301}e.\n";
    let rs = extract(doc, Language::Markdown);
    assert_eq!(
        texts(&rs),
        ["标题 🎉", "中文段落，强调文字 👩‍👩‍👧 and café ne\u{301}e."]
    );
    for w in ["标题", "🎉"] {
        assert_maps(doc, &rs[0], w);
    }
    for w in ["中文段落", "强调", "文字", "👩‍👩‍👧", "café", "ne\u{301}e"] {
        assert_maps(doc, &rs[1], w);
    }
    let doc = "// 第一行 😀\n// e\u{301}tait\nfn f() {}\n";
    let rs = extract(doc, Language::Rust);
    for w in ["第一行", "😀", "e\u{301}tait"] {
        assert_maps(doc, &rs[0], w);
    }
}

#[test]
fn crlf_line_endings() {
    let doc = "# Title\r\n\r\nFirst line\r\nsecond line\r\n\r\n- item\r\n";
    let rs = extract(doc, Language::Markdown);
    assert_eq!(texts(&rs), ["Title", "First line\nsecond line", "item"]);
    assert_maps(doc, &rs[1], "line");
    assert_maps(doc, &rs[1], "second");
    let nl = rs[1].text.find('\n').unwrap();
    assert_eq!(rs[1].doc_offset(nl), doc.find("First line").unwrap() + 10);
    let doc = "// one\r\n// two\r\nfn f() {}\r\n";
    let rs = extract(doc, Language::Rust);
    assert_eq!(texts(&rs), ["one\ntwo"]);
    assert_maps(doc, &rs[0], "two");
    let doc = "Subject line\r\n\r\nBody one\r\nbody two\r\n";
    let rs = extract(doc, Language::GitCommit);
    assert_eq!(texts(&rs), ["Subject line", "Body one\nbody two"]);
    let rs = extract("para one\r\nstill\r\n\r\npara two\r\n", Language::PlainText);
    assert_eq!(texts(&rs), ["para one\nstill", "para two"]);
}

#[test]
fn markdown_protected_and_hidden() {
    let doc = "Use `x` and [docs](http://a.b) or <b>tag</b>.\n";
    let rs = extract(doc, Language::Markdown);
    let r = &rs[0];
    assert_eq!(r.text, "Use `x` and docs or <b>tag</b>.");
    let prot: Vec<&str> = r.protected.iter().map(|p| &r.text[p.clone()]).collect();
    assert_eq!(prot, ["`x`", "", "<b>", "</b>"]);
    let docs = r.text.find("docs").unwrap();
    assert!(!r.touches_protected(docs..docs + 4));
    assert!(r.touches_protected(docs..docs + 7)); // "docs or" spans the hidden URL
    assert!(r.touches_protected(5..6)); // inside the code span
    assert_maps(doc, r, "docs");
    assert_maps(doc, r, "tag");
}

#[test]
fn strings_only_when_enabled() {
    let doc = "// note\nlet s = \"hello there\";\n";
    assert_eq!(texts(&extract(doc, Language::Rust)), ["note"]);
    let opts = ExtractOptions {
        include_strings: true,
        queries_dir: None,
    };
    let rs = extract_with(doc, Language::Rust, &opts);
    assert_eq!(texts(&rs), ["note", "hello there"]);
    assert_eq!(rs[1].kind, RegionKind::StringLiteral);
    // Docstrings are doc comments, present either way.
    let rs = extract(
        "def f():\n    \"\"\"Doc here.\"\"\"\n    return 'x'\n",
        Language::Python,
    );
    assert_eq!(texts(&rs), ["Doc here."]);
    assert_eq!(rs[0].kind, RegionKind::DocComment);
}

#[test]
fn ignore_markers() {
    let doc = "// keep one\nfn a() {}\n// margin:ignore\n// dropped\nfn b() {}\n// keep two\n";
    assert_eq!(
        texts(&extract(doc, Language::Rust)),
        ["keep one", "keep two"]
    );
    let doc = "/* margin:ignore this whole block\n   comment */\n// kept\n";
    assert_eq!(texts(&extract(doc, Language::Rust)), ["kept"]);
    let doc = "# a\n# margin:disable\n# b\nx = 1\n# c\n# margin:enable\n# d\n";
    assert_eq!(texts(&extract(doc, Language::Python)), ["a", "d"]);
    let doc = "# a\n# margin:disable\n# b\n";
    assert_eq!(texts(&extract(doc, Language::Python)), ["a"]);
    let doc = "-- one\nlocal x = 1\n-- margin:disable-file\n";
    assert!(extract(doc, Language::Lua).is_empty());
    let doc = "First.\n\n<!-- margin:ignore -->\nSkipped.\n\nKept.\n";
    assert_eq!(
        texts(&extract(doc, Language::Markdown)),
        ["First.", "Kept."]
    );
    let doc = "<!-- margin:disable -->\n\nA.\n\n- B\n\n<!-- margin:enable -->\n\nC.\n";
    assert_eq!(texts(&extract(doc, Language::Markdown)), ["C."]);
    // A mention in prose is not a marker.
    let doc = "Write `margin:ignore` in a comment.\n\nNext.\n";
    assert_eq!(texts(&extract(doc, Language::Markdown)).len(), 2);
    let doc = "Some text\n% margin:ignore\nSkipped text.\n\nKept text.\n";
    assert_eq!(
        texts(&extract(doc, Language::Latex)),
        ["Some text", "Kept text."]
    );
}

#[test]
fn commit_message() {
    let doc = "Fix the bug\n\nLonger body\nover lines.\n# comment line\n\
               # ------------------------ >8 ------------------------\n\
               diff --git a/x b/x\n+added line\n";
    let rs = extract(doc, Language::GitCommit);
    assert_eq!(texts(&rs), ["Fix the bug", "Longer body\nover lines."]);
    assert_eq!(rs[0].kind, RegionKind::CommitSubject);
    assert_eq!(rs[1].kind, RegionKind::CommitBody);
}

#[test]
fn plain_text_paragraphs() {
    let doc = "  First para\n  two lines.  \n\n\n Second see https://x.y/z.\n";
    let rs = extract(doc, Language::PlainText);
    assert_eq!(
        texts(&rs),
        ["First para\ntwo lines.", "Second see https://x.y/z."]
    );
    assert_eq!(&rs[1].text[rs[1].protected[0].clone()], "https://x.y/z");
    assert_maps(doc, &rs[0], "two");
    assert!(rs.iter().all(|r| r.kind == RegionKind::Paragraph));
}

#[test]
fn query_override_dir() {
    let dir = tempfile::tempdir().unwrap();
    let doc = "// comment\nlet s = \"string\";\n";
    let opts = ExtractOptions {
        include_strings: true,
        queries_dir: Some(dir.path()),
    };
    assert_eq!(
        texts(&extract_with(doc, Language::Rust, &opts)),
        ["comment", "string"]
    );
    let p = dir.path().join("rust").join("prose.scm");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, "(string_literal) @string\n").unwrap();
    assert_eq!(texts(&extract_with(doc, Language::Rust, &opts)), ["string"]);
    std::fs::write(&p, "(string_literal @string\n").unwrap();
    let mut t = SyntaxTree::new(Language::Rust).unwrap();
    t.parse(doc);
    let ex = extract_regions(doc, Some(&t), Language::Rust, &opts).unwrap();
    assert_eq!(texts(&ex.regions), ["comment", "string"]); // embedded fallback
    assert_eq!(ex.warnings.len(), 1);
    assert!(
        ex.warnings[0].to_string().contains("rust/prose.scm"),
        "{}",
        ex.warnings[0]
    );
}

#[test]
fn content_hash_is_stable() {
    let rs = extract("// hello world\n", Language::Rust);
    let rs2 = extract("fn x() {}\n\n    // hello world\n", Language::Rust);
    assert_eq!(rs[0].content_hash(), rs2[0].content_hash());
    assert_eq!(
        rs[0].content_hash(),
        2_563_947_792_717_310_330,
        "{:#x}",
        rs[0].content_hash()
    );
    let rs3 = extract("/// hello world\n", Language::Rust);
    assert_ne!(rs[0].content_hash(), rs3[0].content_hash());
}

#[test]
fn no_tree_given_parses_internally() {
    let ex = extract_regions("// c\n", None, Language::Rust, &ExtractOptions::default()).unwrap();
    assert_eq!(texts(&ex.regions), ["c"]);
}

#[test]
fn a_snapshot_of_the_tree_gives_the_same_regions() {
    for (doc, lang) in [
        (
            "# Title\n\nSome `code` and *emphasis* here.\n\n- a list item with [a link](x)\n",
            Language::Markdown,
        ),
        (
            "fn main() {\n    // a comment with a typo\n}\n",
            Language::Rust,
        ),
    ] {
        let mut tree = SyntaxTree::new(lang).unwrap();
        tree.parse(doc);
        let snapshot = tree.snapshot().unwrap();
        // The original goes on taking edits; the snapshot keeps what it had.
        tree.parse("");
        let from_snapshot = extract_regions(doc, Some(&snapshot), lang, &ExtractOptions::default())
            .unwrap()
            .regions;
        assert_eq!(from_snapshot, extract(doc, lang));
    }
}

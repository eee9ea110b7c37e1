use margin_translate::*;
#[test]
fn perf() {
    let para = "Click **Save** and *then* open [the file](https://example.com/x) with {name} and `code` now.\n\n";
    let src: String = (0..1500).map(|_| para).collect();
    let t = std::time::Instant::now();
    let m = mask(&src, MaskOptions { markdown: true, html: true });
    eprintln!("mask {:?} spans {}", t.elapsed(), m.spans.len());
    let t = std::time::Instant::now();
    let r = m.restore(&m.text).unwrap();
    eprintln!("restore {:?}", t.elapsed());
    assert_eq!(r, src);
}

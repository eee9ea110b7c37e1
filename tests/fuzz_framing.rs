//! Property (fuzz) test of the transport's framing: valid messages mixed with
//! garbage and frames with every kind of wrong `Content-Length` (too small,
//! too large, missing, negative, not a number, beyond 2^64, over the limit),
//! cut into random reads. Every valid message comes out exactly once and in
//! order, nothing panics, and the buffer stays bounded.
//!
//! CI runs a short version; a long run outside CI:
//! `MARGIN_FUZZ_CASES=100000 cargo test --release --test fuzz_framing`.

use margin::lsp::transport::framing::{Event, FrameDecoder};
use proptest::prelude::*;

const LIMIT: usize = 64 * 1024;

fn cases(short: u32) -> u32 {
    std::env::var("MARGIN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(short)
}

#[derive(Clone, Debug)]
enum Item {
    Valid(usize),
    Garbage(Vec<u8>),
    Bad(Bad, usize),
}

#[derive(Clone, Copy, Debug)]
enum Bad {
    TooSmall,
    TooLarge(usize),
    Missing,
    Negative,
    NotANumber,
    Beyond64Bits,
    OverLimit,
}

fn valid_body(n: usize) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{n},"method":"margin/status","params":{{"pad":"{}"}}}}"#,
        "x".repeat(n % 300)
    )
}

fn bad_body(n: usize) -> String {
    format!(r#"{{"bad":{n},"text":"Content-Length: 9\\r\\n\\r\\n"}}"#)
}

fn contains_header_name(bytes: &[u8]) -> bool {
    bytes
        .windows(15)
        .any(|w| w.eq_ignore_ascii_case(b"content-length:"))
}

fn item() -> impl Strategy<Value = Item> {
    let garbage = prop::collection::vec(any::<u8>(), 1..400)
        .prop_filter("no header name", |g| !contains_header_name(g));
    let bad = prop_oneof![
        Just(Bad::TooSmall),
        (1usize..5000).prop_map(Bad::TooLarge),
        Just(Bad::Missing),
        Just(Bad::Negative),
        Just(Bad::NotANumber),
        Just(Bad::Beyond64Bits),
        Just(Bad::OverLimit),
    ];
    prop_oneof![
        4 => any::<usize>().prop_map(|n| Item::Valid(n % 100_000)),
        1 => garbage.prop_map(Item::Garbage),
        2 => (bad, any::<usize>()).prop_map(|(b, n)| Item::Bad(b, n % 100_000)),
    ]
}

fn bytes_of(item: &Item) -> Vec<u8> {
    match item {
        Item::Valid(n) => {
            let body = valid_body(*n);
            format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
        }
        Item::Garbage(g) => g.clone(),
        Item::Bad(kind, n) => {
            let body = bad_body(*n);
            let header = match kind {
                Bad::TooSmall => format!("Content-Length: {}\r\n\r\n", body.len() / 2),
                Bad::TooLarge(extra) => format!("Content-Length: {}\r\n\r\n", body.len() + extra),
                Bad::Missing => "Content-Type: application/vscode-jsonrpc\r\n\r\n".to_string(),
                Bad::Negative => format!("Content-Length: -{}\r\n\r\n", body.len()),
                Bad::NotANumber => "Content-Length: twelve\r\n\r\n".to_string(),
                Bad::Beyond64Bits => "Content-Length: 18446744073709551616\r\n\r\n".to_string(),
                Bad::OverLimit => format!("Content-Length: {}\r\n\r\n", LIMIT * 1000),
            };
            let mut out = header.into_bytes();
            out.extend_from_slice(body.as_bytes());
            out
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn every_valid_message_comes_out_once_in_order(
        items in prop::collection::vec(item(), 1..40),
        cuts in prop::collection::vec(1usize..700, 1..200),
    ) {
        let stream: Vec<u8> = items.iter().flat_map(bytes_of).collect();
        let mut decoder = FrameDecoder::new(LIMIT);
        let mut frames = Vec::new();
        let (mut at, mut cut) = (0, cuts.iter().cycle());
        while at < stream.len() {
            let end = (at + cut.next().unwrap()).min(stream.len());
            decoder.push(&stream[at..end]);
            at = end;
            while let Some(event) = decoder.next_event() {
                if let Event::Frame(body) = event {
                    frames.push(String::from_utf8_lossy(&body).into_owned());
                }
            }
            prop_assert!(decoder.capacity() <= 4 * LIMIT, "buffer {}", decoder.capacity());
        }
        let expected: Vec<String> =
            items.iter().filter_map(|it| if let Item::Valid(n) = it { Some(valid_body(*n)) } else { None }).collect();
        let got: Vec<String> = frames.into_iter().filter(|f| f.contains("\"method\"")).collect();
        prop_assert_eq!(got, expected);
    }
}

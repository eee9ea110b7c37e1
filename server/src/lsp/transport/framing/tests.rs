use super::*;

fn frames(decoder: &mut FrameDecoder) -> Vec<Event> {
    std::iter::from_fn(|| decoder.next_event()).collect()
}

fn decode(input: &[u8]) -> Vec<Event> {
    let mut decoder = FrameDecoder::new(1 << 20);
    decoder.push(input);
    frames(&mut decoder)
}

fn bodies(events: &[Event]) -> Vec<&[u8]> {
    events
        .iter()
        .filter_map(|e| {
            if let Event::Frame(b) = e {
                Some(b.as_slice())
            } else {
                None
            }
        })
        .collect()
}

const NEXT: &[u8] = b"Content-Length: 2\r\n\r\n{}";

#[test]
fn frames_are_split_across_reads() {
    let mut decoder = FrameDecoder::new(100);
    decoder.push(b"Content-Length: 4\r\n\r\nnu");
    assert_eq!(frames(&mut decoder), []);
    decoder.push(b"llContent-Type: application/vscode-jsonrpc; charset=utf-8\r\nConte");
    assert_eq!(frames(&mut decoder), [Event::Frame(b"null".to_vec())]);
    decoder.push(b"nt-Length: 2\r\n\r\n[]");
    assert_eq!(
        frames(&mut decoder),
        [Event::Frame(b"[]".to_vec())],
        "Content-Type first is not garbage"
    );
}

#[test]
fn a_huge_length_is_dropped_not_a_panic_and_the_next_message_is_read() {
    for length in [
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999999999999",
    ] {
        let mut input =
            format!("Content-Length: {length}\r\n\r\n{{\"jsonrpc\":\"2.0\"}}").into_bytes();
        input.extend_from_slice(NEXT);
        let events = decode(&input);
        assert!(
            matches!(&events[0], Event::Dropped(why) if why.contains("over the limit")),
            "{events:?}"
        );
        assert_eq!(bodies(&events), [b"{}"], "{length}");
    }
}

#[test]
fn every_kind_of_bad_length_resynchronises_on_the_next_header() {
    let cases: &[&[u8]] = &[
        b"Content-Length: 3\r\n\r\n{\"a\":1}",     // too small
        b"Content-Length: 5000\r\n\r\n{\"a\":1}",  // too large (the next header cuts it)
        b"Content-Type: x\r\n\r\n{\"a\":1}",       // missing
        b"Content-Length: -7\r\n\r\n{\"a\":1}",    // negative
        b"Content-Length: seven\r\n\r\n{\"a\":1}", // not a number
        b"Content-Length: \r\n\r\n{\"a\":1}",      // empty
        b"{\"no\": \"header at all\"}",
    ];
    for case in cases {
        let mut input = case.to_vec();
        input.extend_from_slice(NEXT);
        input.extend_from_slice(NEXT);
        let events = decode(&input);
        let got = bodies(&events);
        assert_eq!(
            got[got.len() - 2..],
            [b"{}", b"{}"],
            "{}: {events:?}",
            String::from_utf8_lossy(case)
        );
    }
}

#[test]
fn a_too_long_declared_length_gives_the_body_up_to_the_next_header() {
    let mut input = b"Content-Length: 5000\r\n\r\n{\"id\":1}".to_vec();
    input.extend_from_slice(NEXT);
    assert_eq!(bodies(&decode(&input)), [b"{\"id\":1}".as_slice(), b"{}"]);
}

#[test]
fn a_json_string_mentioning_content_length_is_not_a_header() {
    let body = br#"{"text":"Content-Length: 12\\r\\n\\r\\nnot a header"}"#;
    let mut input = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    input.extend_from_slice(body);
    input.extend_from_slice(NEXT);
    assert_eq!(bodies(&decode(&input)), [body.as_slice(), b"{}"]);
}

#[test]
fn oversized_bodies_are_skipped_without_buffering_them() {
    let mut decoder = FrameDecoder::new(1000);
    decoder.push(b"Content-Length: 30000000\r\n\r\n");
    assert!(matches!(frames(&mut decoder)[..], [Event::Dropped(_)]));
    let chunk = vec![b'x'; 1 << 16];
    for _ in 0..(30_000_000 / chunk.len()) {
        decoder.push(&chunk);
        assert_eq!(frames(&mut decoder), []);
        assert!(
            decoder.capacity() < 1 << 18,
            "buffer grew to {}",
            decoder.capacity()
        );
    }
    decoder.push(&chunk[..30_000_000 % chunk.len()]);
    decoder.push(NEXT);
    assert_eq!(bodies(&frames(&mut decoder)), [b"{}"]);
}

#[test]
fn fifty_megabytes_of_garbage_stay_within_a_small_buffer() {
    let mut decoder = FrameDecoder::new(1 << 20);
    let garbage: Vec<u8> = (0..1 << 16)
        .map(|i| b"lorem ipsum\r\n\r\n: 12 {}"[i % 22])
        .collect();
    for _ in 0..(50 << 20) / garbage.len() {
        decoder.push(&garbage);
        assert_eq!(frames(&mut decoder), []);
        assert!(
            decoder.capacity() < 1 << 18,
            "buffer grew to {}",
            decoder.capacity()
        );
    }
    decoder.push(NEXT);
    let events = frames(&mut decoder);
    assert!(
        matches!(&events[0], Event::Dropped(why) if why.contains("not a message")),
        "{events:?}"
    );
    assert_eq!(bodies(&events), [b"{}"]);
}

#[test]
fn memory_is_given_back_after_a_large_frame() {
    let mut decoder = FrameDecoder::new(64 << 20);
    let body = vec![b' '; 20 << 20];
    decoder.push(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    for chunk in body.chunks(1 << 16) {
        decoder.push(chunk);
    }
    assert_eq!(bodies(&frames(&mut decoder)).len(), 1);
    decoder.push(NEXT);
    assert_eq!(bodies(&frames(&mut decoder)), [b"{}"]);
    assert!(
        decoder.capacity() <= 1 << 20,
        "still holding {} bytes",
        decoder.capacity()
    );
}

#[test]
fn a_header_without_its_blank_line_is_dropped_once_too_long() {
    let mut input = b"Content-Length: 2\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'a', 2000));
    input.extend_from_slice(NEXT);
    assert_eq!(bodies(&decode(&input)), [b"{}"]);
}

#[test]
fn a_length_running_a_few_bytes_into_the_next_header_still_finds_it() {
    for extra in [1, 5, 14, 15, 19, 21, 23] {
        let body = br#"{"id":1}"#;
        let mut input = format!("Content-Length: {}\r\n\r\n", body.len() + extra).into_bytes();
        input.extend_from_slice(body);
        input.extend_from_slice(NEXT);
        // Byte by byte, so every partial state is seen.
        let mut decoder = FrameDecoder::new(1 << 20);
        let mut events = Vec::new();
        for b in &input {
            decoder.push(std::slice::from_ref(b));
            events.extend(std::iter::from_fn(|| decoder.next_event()));
        }
        assert_eq!(
            bodies(&events),
            [body.as_slice(), b"{}"],
            "{extra} bytes too long: {events:?}"
        );
    }
}

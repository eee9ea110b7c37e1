//! LSP base-protocol framing (`Content-Length: N\r\n\r\n` + body) that survives
//! hostile input. The decoder never trusts a length: a header is only
//! recognised by the strict pattern `Content-Length:` + digits + CRLF (which no
//! valid JSON body can contain, since JSON strings hold no raw CR/LF), so after
//! garbage, a missing, negative, non-numeric, too-small or too-large length it
//! resynchronises on the next real header. Bodies over the limit are skipped
//! without being buffered, garbage is dropped as it arrives, and the buffer is
//! shrunk after large frames: memory stays bounded by the limit.

use std::sync::LazyLock;

use regex::bytes::Regex;

/// A header line that can only be a real header (see the module doc).
static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)content-length:[ \t]{0,8}([0-9]{1,32})[ \t]{0,8}\r\n").expect("valid regex")
});

/// Header lines other than Content-Length (e.g. `Content-Type`), possibly after a body.
static HEADER_LINES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?-u)(?:[A-Za-z0-9-]{1,64}:[^\r\n]{0,256}\r\n)+$").expect("valid regex")
});

/// Longest header block accepted (from `Content-Length:` to the blank line).
const MAX_HEADER: usize = 1024;
/// Bytes kept from discarded input so a header split across reads is still found.
const KEEP_TAIL: usize = 64;
/// Capacity above which an idle buffer is given back to the allocator.
const SHRINK_ABOVE: usize = 1 << 20;

/// What the decoder found.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    /// A message body, ready to be parsed.
    Frame(Vec<u8>),
    /// Input that was thrown away, and why (for a log line).
    Dropped(String),
}

#[derive(Debug)]
enum State {
    /// Looking for the next header.
    Header,
    /// Reading a body of this many bytes, which starts at the buffer's `start`.
    Body { len: usize },
    /// Skipping an oversized body: bytes still to skip.
    Skip { remaining: u64 },
}

/// Splits a byte stream into message bodies. Feed it with [`push`](Self::push),
/// then take events with [`next_event`](Self::next_event) until it returns `None`.
#[derive(Debug)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    /// Bytes before this offset are consumed.
    start: usize,
    /// In `Body`: how far (from `start`) the body was already searched for a header.
    searched: usize,
    state: State,
    max_body: usize,
    /// Garbage skipped since the last event (reported once, not per read).
    skipped: usize,
}

impl FrameDecoder {
    /// A decoder that drops bodies longer than `max_body` bytes.
    pub fn new(max_body: usize) -> Self {
        FrameDecoder {
            buf: Vec::new(),
            start: 0,
            searched: 0,
            state: State::Header,
            max_body,
            skipped: 0,
        }
    }

    /// Change the body limit (settings changed); applies from the next header.
    pub fn set_max_body(&mut self, max_body: usize) {
        self.max_body = max_body;
    }

    /// Bytes held (for memory bounds in tests).
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Append input. Oversized bodies are skipped here, piece by piece, without buffering them.
    pub fn push(&mut self, mut bytes: &[u8]) {
        while let State::Skip { remaining } = self.state {
            if bytes.is_empty() {
                return;
            }
            let (piece, rest) = bytes.split_at(bytes.len().min(1 << 16));
            bytes = rest;
            // In this state the buffer holds only a short tail of what was skipped.
            let tail = self.buf.len();
            self.buf.extend_from_slice(piece);
            if let Some(m) = HEADER.find(&self.buf) {
                // A real header: the declared length was wrong, or the body ended. Resync.
                self.buf.drain(..m.start());
                self.state = State::Header;
                break;
            }
            let skip = remaining.min(piece.len() as u64);
            if skip < piece.len() as u64 {
                // The oversized body ends inside this piece; what follows is new input.
                self.buf.drain(..tail + skip as usize);
                self.state = State::Header;
                break;
            }
            let remaining = remaining - skip;
            self.state = State::Skip { remaining };
            if remaining == 0 {
                self.buf.clear();
                self.state = State::Header;
                break;
            }
            self.buf.drain(..self.buf.len().saturating_sub(KEEP_TAIL));
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete event, if the buffered input holds one.
    pub fn next_event(&mut self) -> Option<Event> {
        loop {
            match self.state {
                State::Header => match self.find_header() {
                    Ok(Some(event)) => return Some(event),
                    Ok(None) => continue,
                    Err(()) => {
                        // Garbage is reported once, when the next header is found.
                        self.compact();
                        return None;
                    }
                },
                State::Body { len } => return self.body(len),
                State::Skip { .. } => return None,
            }
        }
    }

    /// In `Header` state: find and parse the next header. `Ok(Some)` an event, `Ok(None)` the
    /// state changed, `Err` more input is needed.
    fn find_header(&mut self) -> Result<Option<Event>, ()> {
        let Some(m) = HEADER.captures(&self.buf[self.start..]) else {
            // No header yet: drop what cannot be part of one.
            let keep_from = self.buf.len().saturating_sub(KEEP_TAIL).max(self.start);
            self.skipped += self.buf[self.start..keep_from]
                .iter()
                .filter(|b| !b.is_ascii_whitespace())
                .count();
            self.start = keep_from;
            return Err(());
        };
        let whole = m.get(0).expect("match");
        let (at, line_end) = (self.start + whole.start(), self.start + whole.end());
        let digits = std::str::from_utf8(&m[1]).unwrap_or_default().to_string();
        if at > self.start {
            // Other header lines before Content-Length (Content-Type) are not garbage.
            let skipped = &self.buf[self.start..at];
            if !HEADER_LINES.is_match(skipped) {
                self.skipped += skipped.iter().filter(|b| !b.is_ascii_whitespace()).count();
            }
            self.start = at;
            if let Some(event) = self.take_skipped() {
                return Ok(Some(event));
            }
        }
        // The header block ends at the first blank line (other header lines are ignored).
        let block = &self.buf[line_end - 2..];
        let Some(end) = block
            .windows(4)
            .take(MAX_HEADER)
            .position(|w| w == b"\r\n\r\n")
        else {
            if block.len() > MAX_HEADER {
                self.start = line_end;
                return Ok(Some(Event::Dropped(format!(
                    "a header block over {MAX_HEADER} bytes"
                ))));
            }
            return Err(());
        };
        let body_start = line_end - 2 + end + 4;
        if let Some(nested) = HEADER.find(&self.buf[line_end..body_start]) {
            // Another Content-Length line before the blank line: resync on the later one.
            self.start = line_end + nested.start();
            return Ok(Some(Event::Dropped(
                "a header with two Content-Length lines".into(),
            )));
        }
        self.start = body_start;
        self.searched = 0;
        match digits.parse::<u64>() {
            Ok(len) if len <= self.max_body as u64 => {
                self.state = State::Body { len: len as usize };
                Ok(None)
            }
            parsed => {
                let reason = format!(
                    "a message of {digits} bytes, over the limit of {} bytes",
                    self.max_body
                );
                // Skip what is already buffered, then the rest as it arrives (see `push`).
                let rest = self.buf.split_off(self.start);
                self.buf.clear();
                self.start = 0;
                self.state = State::Skip {
                    remaining: parsed.unwrap_or(u64::MAX),
                };
                self.push(&rest);
                Ok(Some(Event::Dropped(reason)))
            }
        }
    }

    /// In `Body` state: the body once complete, or cut short where a new header begins.
    fn body(&mut self, len: usize) -> Option<Event> {
        let available = self.buf.len() - self.start;
        let from = self.searched.saturating_sub(KEEP_TAIL);
        // A header may start inside the declared body and end after it (a length a few bytes
        // too large): look a little past the end, but only at headers starting inside.
        let window = self.start + from..self.start + available.min(len.saturating_add(KEEP_TAIL));
        if let Some(m) = HEADER
            .find(&self.buf[window])
            .filter(|m| from + m.start() < len)
        {
            // The declared length runs into the next message: the body is what came before it.
            let cut = from + m.start();
            let body = self.buf[self.start..self.start + cut].to_vec();
            self.start += cut;
            self.state = State::Header;
            self.compact();
            return Some(Event::Frame(body));
        }
        self.searched = available.min(len);
        if available < len {
            self.compact();
            return None;
        }
        let body = &self.buf[self.start..self.start + len];
        if available < len + KEEP_TAIL && ends_with_header_start(body) {
            return None; // wait: the next bytes tell whether a header starts there
        }
        let body = body.to_vec();
        self.start += len;
        self.state = State::Header;
        self.compact();
        Some(Event::Frame(body))
    }

    fn take_skipped(&mut self) -> Option<Event> {
        let skipped = std::mem::take(&mut self.skipped);
        (skipped > 0).then(|| Event::Dropped(format!("{skipped} bytes that are not a message")))
    }

    /// Drop consumed bytes; give memory back after a large frame.
    fn compact(&mut self) {
        if self.start == 0 {
            return;
        }
        if self.start == self.buf.len() {
            self.buf.clear();
        } else if self.start > self.buf.len() / 2 || self.buf.capacity() > SHRINK_ABOVE {
            self.buf.drain(..self.start);
        } else {
            return;
        }
        self.start = 0;
        if self.buf.capacity() > SHRINK_ABOVE && self.buf.len() < SHRINK_ABOVE / 4 {
            self.buf.shrink_to(SHRINK_ABOVE / 4);
        }
    }
}

/// Whether `body` ends with the start of a header line (`Content-Le`, `Content-Length: 1`…),
/// which no JSON body does (it ends with `}` or `]`).
fn ends_with_header_start(body: &[u8]) -> bool {
    const NAME: &[u8] = b"content-length:";
    let tail_from = body.len().saturating_sub(KEEP_TAIL);
    (tail_from..body.len())
        .filter(|&i| body[i].eq_ignore_ascii_case(&b'c'))
        .any(|i| {
            let tail = &body[i..];
            let n = tail.len().min(NAME.len());
            tail[..n].eq_ignore_ascii_case(&NAME[..n])
                && tail[n..]
                    .iter()
                    .all(|b| matches!(b, b' ' | b'\t' | b'0'..=b'9' | b'\r'))
        })
}

/// A body with its header.
pub fn encode(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests;

//! The server-sent events format: bytes, cut anywhere by the network, into events.
//!
//! Written here rather than taken from a crate, after measuring two: `eventsource-stream`
//! 0.2.3 parses with nom, which was a fifth of the cost of every streamed chat token, and
//! panicked on a byte-order mark; `sse-stream` 0.2 is fast but ends the stream on lines the
//! format says to ignore (unknown fields, a repeated `event:`, a bad `retry:`). This follows
//! the interpretation rules of the WHATWG HTML standard (§ 9.2.6) for the parts a client
//! that does not reconnect needs: lines end with LF, CRLF or CR; a leading byte-order mark
//! is dropped; `:` starts a comment; `data` lines are joined with LF; a blank line ends an
//! event, which is dropped when it has no data; `id` and `retry` only matter for reconnecting
//! and are ignored with every other field; an event cut short by the end of the body is
//! dropped.

use std::collections::VecDeque;

/// One event: its name (`message` when the stream gave none) and its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    pub(crate) name: String,
    pub(crate) data: String,
}

/// The UTF-8 byte-order mark the stream may begin with.
const BYTE_ORDER_MARK: &[u8] = b"\xef\xbb\xbf";

/// Splits a byte stream into events as its pieces arrive.
#[derive(Debug, Default)]
pub(crate) struct Parser {
    /// The start of a line whose end has not arrived yet.
    partial_line: Vec<u8>,
    /// The previous piece ended with CR, so a LF starting this one ends no line.
    after_cr: bool,
    /// Whether the first line has begun (the byte-order mark can only come before it).
    started: bool,
    name: Option<String>,
    data: Option<Vec<u8>>,
    ready: VecDeque<Event>,
}

impl Parser {
    /// Reads the next piece of the body.
    pub(crate) fn push(&mut self, mut bytes: &[u8]) {
        if self.after_cr && !bytes.is_empty() {
            self.after_cr = false;
            if bytes[0] == b'\n' {
                bytes = &bytes[1..];
            }
        }
        while let Some(end) = memchr::memchr2(b'\n', b'\r', bytes) {
            if self.partial_line.is_empty() {
                self.line(&bytes[..end]);
            } else {
                let mut line = std::mem::take(&mut self.partial_line);
                line.extend_from_slice(&bytes[..end]);
                self.line(&line);
                line.clear();
                self.partial_line = line;
            }
            let cr = bytes[end] == b'\r';
            bytes = &bytes[end + 1..];
            if cr {
                match bytes.first() {
                    Some(b'\n') => bytes = &bytes[1..],
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
        }
        self.partial_line.extend_from_slice(bytes);
    }

    /// The next complete event, if one has arrived.
    pub(crate) fn next_event(&mut self) -> Option<Event> {
        self.ready.pop_front()
    }

    fn line(&mut self, mut line: &[u8]) {
        if !self.started {
            self.started = true;
            line = line.strip_prefix(BYTE_ORDER_MARK).unwrap_or(line);
        }
        if line.is_empty() {
            self.dispatch();
            return;
        }
        let (field, value) = match memchr::memchr(b':', line) {
            Some(0) => return,
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        match field {
            b"data" => match &mut self.data {
                Some(data) => {
                    data.push(b'\n');
                    data.extend_from_slice(value);
                }
                None => self.data = Some(value.to_vec()),
            },
            b"event" => self.name = Some(String::from_utf8_lossy(value).into_owned()),
            _ => {}
        }
    }

    fn dispatch(&mut self) {
        let name = self.name.take();
        let Some(data) = self.data.take() else { return };
        let data = String::from_utf8(data).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        self.ready.push_back(Event { name: name.unwrap_or_else(|| "message".to_owned()), data });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pieces: &[&[u8]]) -> Vec<(String, String)> {
        let mut parser = Parser::default();
        let mut events = Vec::new();
        for piece in pieces {
            parser.push(piece);
            while let Some(event) = parser.next_event() {
                events.push((event.name, event.data));
            }
        }
        events
    }

    fn message(data: &str) -> (String, String) {
        ("message".to_owned(), data.to_owned())
    }

    #[test]
    fn a_blank_line_ends_each_event() {
        assert_eq!(parse(&[b"data: a\n\ndata: b\n\n"]), [message("a"), message("b")]);
    }

    #[test]
    fn lines_may_end_with_lf_crlf_or_cr_even_when_cut_between_cr_and_lf() {
        assert_eq!(parse(&[b"data: a\r\n\r\ndata: b\r\rdata: c\n\n"]), [message("a"), message("b"), message("c")]);
        assert_eq!(parse(&[b"data: a\r", b"\n\r", b"\n"]), [message("a")]);
    }

    #[test]
    fn every_cut_of_a_body_gives_the_same_events() {
        let body = b"\xef\xbb\xbfevent: delta\r\ndata: {\"n\":1}\r\n\r\n: ping\n\ndata: x\rdata: y\r\r";
        let whole = parse(&[body]);
        assert_eq!(whole, [("delta".to_owned(), "{\"n\":1}".to_owned()), message("x\ny")]);
        for size in 1..body.len() {
            let pieces: Vec<&[u8]> = body.chunks(size).collect();
            assert_eq!(parse(&pieces), whole, "pieces of {size}");
        }
    }

    #[test]
    fn data_lines_are_joined_with_line_feeds() {
        assert_eq!(parse(&[b"data: one\ndata:two\ndata\n\n"]), [message("one\ntwo\n")]);
    }

    #[test]
    fn only_one_space_after_the_colon_is_dropped() {
        assert_eq!(parse(&[b"data:  padded \n\n"]), [message(" padded ")]);
    }

    #[test]
    fn comments_unknown_fields_id_and_retry_are_ignored() {
        let body = b": comment\nid: 7\nretry: soon\nmystery: 1\nevent: a\nevent: b\ndata: x\n\n";
        assert_eq!(parse(&[body]), [("b".to_owned(), "x".to_owned())]);
    }

    #[test]
    fn an_event_without_data_is_dropped_and_its_name_forgotten() {
        assert_eq!(parse(&[b"event: ping\n\ndata: x\n\n"]), [message("x")]);
    }

    #[test]
    fn an_event_cut_short_by_the_end_of_the_body_is_dropped() {
        assert_eq!(parse(&[b"data: a\n\ndata: b\n"]), [message("a")]);
    }

    #[test]
    fn only_the_first_byte_order_mark_is_the_streams() {
        // A second one is part of the first line's field name, so that line is ignored.
        assert_eq!(parse(&[b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n"]), [message("b")]);
        assert_eq!(parse(&[b"\xef", b"\xbb", b"\xbfdata: a\n\n"]), [message("a")]);
    }

    #[test]
    fn data_that_is_not_utf8_is_replaced_not_refused() {
        assert_eq!(parse(&[b"data: \xff\n\n"]), [message("\u{fffd}")]);
    }
}

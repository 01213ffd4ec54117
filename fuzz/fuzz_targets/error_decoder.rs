//! Error answers: a status, headers and a body, read by `ApiError::from_answer`.
//!
//! Layout of the input: two bytes of status (big-endian; a first byte below 0x80 picks one of
//! the statuses Venice answers with instead, so that the 400 wallet and 402 x402 paths are
//! reached often), one byte of header count (0 to 3), then each header as a name length byte,
//! the name, two bytes of value length (big-endian) and the value, where a name of one byte `p`,
//! `r` or `l` stands for `payment-required`, `x-request-id` or `x-ratelimit-remaining-requests`;
//! the rest is the body.

#![no_main]

use libfuzzer_sys::fuzz_target;

const STATUSES: [u16; 16] = [200, 400, 401, 402, 403, 404, 408, 409, 410, 415, 422, 429, 500, 502, 503, 504];

fn take<'a>(data: &mut &'a [u8], n: usize) -> &'a [u8] {
    let (head, tail) = data.split_at(n.min(data.len()));
    *data = tail;
    head
}

fuzz_target!(|data: &[u8]| {
    let mut data = data;
    let status = match take(&mut data, 2) {
        [high, low] if *high >= 0x80 => u16::from_be_bytes([high & 0x7F, *low]),
        [high, _] => STATUSES[usize::from(*high) % STATUSES.len()],
        _ => return,
    };
    let count = take(&mut data, 1).first().map_or(0, |n| n % 4);
    let mut headers = Vec::new();
    for _ in 0..count {
        let length = take(&mut data, 1).first().copied().unwrap_or(0);
        let name = match take(&mut data, usize::from(length)) {
            b"p" => "payment-required",
            b"r" => "x-request-id",
            b"l" => "x-ratelimit-remaining-requests",
            other => std::str::from_utf8(other).unwrap_or("x-not-utf8"),
        };
        let length = match take(&mut data, 2) {
            [high, low] => u16::from_be_bytes([*high, *low]),
            _ => 0,
        };
        headers.push((name, take(&mut data, usize::from(length))));
    }
    venice_api::fuzzing::decode_error(status, &headers, data);
});

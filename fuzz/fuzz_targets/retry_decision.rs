//! The retry decision after an answer: a status and headers such as `Retry-After`, read by
//! `RetryPolicy::next_delay_at`.
//!
//! Layout of the input: two bytes of status (as in `error_decoder`: a first byte below 0x80
//! picks one of the statuses Venice answers with, so that the retried ones come up often), one
//! byte of retries already made (0 to 3), four bytes of `now` in Unix seconds and two of the
//! time elapsed in tenths of a second (big-endian), one byte of header count (0 to 4), then each
//! header as a name length byte, the name, a value length byte and the value, where a name of
//! one byte `a`, `m`, `x` or `s` stands for `retry-after`, `retry-after-ms`,
//! `x-ratelimit-reset-requests` or `x-ratelimit-reset`.

#![no_main]

use std::time::Duration;

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
    let retries = take(&mut data, 1).first().map_or(0, |n| u32::from(n % 4));
    let now = match take(&mut data, 4) {
        [a, b, c, d] => u32::from_be_bytes([*a, *b, *c, *d]),
        _ => return,
    };
    let elapsed = match take(&mut data, 2) {
        [high, low] => Duration::from_millis(100 * u64::from(u16::from_be_bytes([*high, *low]))),
        _ => return,
    };
    let count = take(&mut data, 1).first().map_or(0, |n| n % 5);
    let mut headers = Vec::new();
    for _ in 0..count {
        let length = take(&mut data, 1).first().copied().unwrap_or(0);
        let name = match take(&mut data, usize::from(length)) {
            b"a" => "retry-after",
            b"m" => "retry-after-ms",
            b"x" => "x-ratelimit-reset-requests",
            b"s" => "x-ratelimit-reset",
            other => std::str::from_utf8(other).unwrap_or("x-not-utf8"),
        };
        let length = take(&mut data, 1).first().copied().unwrap_or(0);
        headers.push((name, take(&mut data, usize::from(length))));
    }
    venice_api::fuzzing::decide_retry(status, &headers, retries, elapsed, now);
});

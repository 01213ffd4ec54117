//! Server-sent events, cut anywhere: the body is the input after its first byte, and the first
//! byte seeds where the body is cut into network reads (from one byte to the whole body).
//! `decode_event_stream` checks that the pieces decode as the whole body does.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&seed, body)) = data.split_first() else { return };
    let mut pieces = Vec::new();
    let mut rest = body;
    let mut state = u32::from(seed) | 1;
    while !rest.is_empty() {
        // A small xorshift: cuts of 1 to 64 bytes, or the whole rest when the seed is 0xFF.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let size = if seed == 0xFF { rest.len() } else { 1 + state as usize % 64 };
        let (piece, tail) = rest.split_at(size.min(rest.len()));
        pieces.push(piece);
        rest = tail;
    }
    venice_api::fuzzing::decode_event_stream(&pieces);
});

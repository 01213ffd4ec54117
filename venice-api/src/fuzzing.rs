//! Entry points for the fuzz targets in `fuzz/` (behind the `fuzzing` feature, hidden from the
//! docs, not part of the API): each feeds arbitrary bytes through one decoder (or decision)
//! and asserts the invariants it promises, so that a broken promise is a crash the fuzzer keeps.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use crate::defaults::{BODY_EXCERPT_BYTES, MAX_BACKOFF, MAX_RETRIES, MAX_SERVER_WAIT, RETRY_DEADLINE};
use crate::error::{ApiError, ApiErrorKind, Error, WalletRejection};
use crate::retry::{self, Attempt, RetryPolicy};
use crate::stream::EventStream;

/// The operation whose 400 answers carry a wallet rejection.
const WALLET_OPERATION: &str = venice_api_gen::operations::POST_API_KEY_GENERATE_WEB3_KEY.id;

/// The longest text an excerpt may be: the limit plus the ellipsis that marks a cut.
const EXCERPT_MAX: usize = BODY_EXCERPT_BYTES + '…'.len_utf8();

/// Runs an error answer (`status`, the `headers` that are valid HTTP, `body`) through
/// `ApiError::from_answer` as the wallet operation would see it and as any other would, checks
/// the excerpt bound and that a wallet rejection comes only from a 400 of the wallet flow, and
/// returns what `Display` says of both.
pub fn decode_error(status: u16, headers: &[(&str, &[u8])], body: &[u8]) -> String {
    let map = header_map(headers);
    let mut shown = String::new();
    for operation in [Some(WALLET_OPERATION), Some(venice_api_gen::operations::CREATE_API_KEY.id), None] {
        let error = ApiError::from_answer(status, &map, body, operation);
        check_excerpt(&error.body_excerpt);
        assert_eq!(error.status, status);
        // A wallet rejection comes only from a 400 of the wallet flow, and only from its message.
        let expected = match WalletRejection::from_message(&error.message) {
            Some(rejection) if status == 400 && operation == Some(WALLET_OPERATION) => ApiErrorKind::Wallet(rejection),
            _ => kind_without_wallet(status),
        };
        assert_eq!(error.kind, expected, "{status} for {operation:?}");
        assert!(status == 402 || error.payment_required.is_none(), "requirements read on a {status}");
        let _ = format!("{error:?}");
        shown.push_str(&Error::Api(Box::new(error)).to_string());
        shown.push('\n');
    }
    shown
}

/// The `headers` that are valid HTTP names and values, as a map.
fn header_map(headers: &[(&str, &[u8])]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_bytes(value)) {
            map.append(name, value);
        }
    }
    map
}

/// Asks the retry policy (the client's defaults) what to do after an answer with `status` and
/// the `headers` that are valid HTTP, after `retries_done` retries and `elapsed` since the
/// first attempt, at `now_unix_seconds`, for a call that creates nothing and for one that
/// creates something. Checks that the decision is total and sane: no panic, no retry of a
/// status that is not retried (for a creating call, of anything but 429), none beyond
/// `max_retries`, and a delay that is never zero, never longer than the longest wait the
/// policy allows, and never ends past the deadline. Returns the delay for the plain call.
pub fn decide_retry(
    status: u16,
    headers: &[(&str, &[u8])],
    retries_done: u32,
    elapsed: Duration,
    now_unix_seconds: u32,
) -> Option<Duration> {
    let map = header_map(headers);
    let policy = RetryPolicy { max_retries: MAX_RETRIES, deadline: RETRY_DEADLINE };
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::from(now_unix_seconds));
    let attempt = Attempt::Answered { status, headers: &map };
    let mut plain = None;
    for creates_resource in [false, true] {
        let delay = policy.next_delay_at(&attempt, creates_resource, retries_done, elapsed, now);
        let retried = if creates_resource { status == 429 } else { retry::is_retryable_status(status) };
        if !retried || retries_done >= MAX_RETRIES {
            assert_eq!(delay, None, "{status} retried after {retries_done} retries");
        }
        if let Some(delay) = delay {
            assert!(!delay.is_zero(), "a zero wait for {status} {map:?}");
            assert!(delay <= MAX_SERVER_WAIT.max(MAX_BACKOFF), "{delay:?} for {status} {map:?}");
            assert!(elapsed.checked_add(delay).is_some_and(|end| end < RETRY_DEADLINE), "past the deadline");
        }
        if !creates_resource {
            plain = delay;
        }
    }
    plain
}

/// The kind `from_answer` gives `status` when the wallet flow is not involved.
fn kind_without_wallet(status: u16) -> ApiErrorKind {
    ApiError::from_answer(status, &HeaderMap::new(), b"", None).kind
}

/// Decodes the server-sent events of a body arriving as `chunks` into JSON values, on a
/// current-thread runtime (so `EventStream` decodes in a task of its own, as it does in use),
/// and returns how many items it gave. Checks that an error is the last item, that excerpts
/// and reasons are bounded, and that the same body in one piece decodes to the same items.
pub fn decode_event_stream(chunks: &[&[u8]]) -> usize {
    let pieces = collect::<Value>(chunks.iter().map(|c| Bytes::copy_from_slice(c)).collect());
    let whole = collect::<Value>(vec![Bytes::from(chunks.concat())]);
    assert_eq!(pieces, whole, "the same body cut differently decoded differently");
    // A typed chunk too, so that an event of the wrong shape is a decode error with a reason
    // (`collect` checks it); it skips what it does not name, so it may read further than `Value`.
    collect::<Probe>(chunks.iter().map(|c| Bytes::copy_from_slice(c)).collect());
    pieces.len()
}

/// A chunk type with one typed field, as the chat and responses chunks have many.
#[derive(Debug, serde::Deserialize)]
struct Probe {
    #[serde(default)]
    #[allow(dead_code, reason = "only decoded")]
    created: Option<u64>,
}

thread_local! {
    static RUNTIME: tokio::runtime::Runtime =
        tokio::runtime::Builder::new_current_thread().build().expect("a current-thread runtime");
}

/// The items of the event stream of `pieces`: each chunk's `Debug`, each error's `Display`.
fn collect<T: serde::de::DeserializeOwned + Send + std::fmt::Debug + 'static>(pieces: Vec<Bytes>) -> Vec<String> {
    RUNTIME.with(|runtime| {
        runtime.block_on(async {
            let body = futures_util::stream::iter(pieces.into_iter().map(Ok));
            let stream = EventStream::<T>::from_chunks(body, HeaderMap::new(), "fuzz");
            let items: Vec<_> = stream.collect().await;
            let last = items.len().saturating_sub(1);
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Ok(chunk) => format!("{chunk:?}"),
                    Err(error) => {
                        assert_eq!(i, last, "an item after an error: {error}");
                        check_error(&error);
                        error.to_string()
                    }
                })
                .collect()
        })
    })
}

fn check_error(error: &Error) {
    match error {
        Error::Api(api) => {
            assert_eq!(api.kind, ApiErrorKind::Stream);
            check_excerpt(&api.body_excerpt);
        }
        Error::Decode { excerpt, reason, .. } => {
            check_excerpt(excerpt);
            assert!(reason.len() <= 2 * EXCERPT_MAX, "a reason of {} bytes: {reason:.200}", reason.len());
        }
        other => panic!("an event stream of bytes gave {other:?}"),
    }
}

fn check_excerpt(excerpt: &str) {
    assert!(excerpt.len() <= EXCERPT_MAX, "an excerpt of {} bytes", excerpt.len());
    assert!(excerpt.len() <= BODY_EXCERPT_BYTES || excerpt.ends_with('…'), "a long excerpt without an ellipsis");
}

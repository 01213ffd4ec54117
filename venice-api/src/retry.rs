//! When a request is sent again, and after how long: the one place that decides.
//!
//! Every request, from a facade method or through [`Client::raw`](crate::Client::raw), passes
//! through `RetryPolicy::next_delay` after each attempt:
//!
//! - Retried: connection failures, timeouts, and the statuses 408, 429, 500, 502, 503, 504.
//!   Not 409, which Venice uses for "consent needed": a retry cannot give consent.
//! - An operation that creates something lasting (an API key, a wallet-minted key) is retried
//!   only when the server cannot have acted on it: the connection was never opened, or it
//!   answered 429. After a 5xx or a timeout the key may exist, and a duplicate key is worse
//!   than an error.
//! - The wait doubles from [`INITIAL_BACKOFF`] up to [`MAX_BACKOFF`], less up to a quarter at
//!   random so that clients failing together do not retry together. A server that says how
//!   long to wait (`Retry-After` in seconds or as an HTTP date, `retry-after-ms`, or on 429
//!   the `x-ratelimit-reset-requests` time) is obeyed instead, unless it asks for more than
//!   [`MAX_SERVER_WAIT`]: then the error comes back at once with the reset time in its
//!   [`RateLimits`](crate::RateLimits::reset_requests). A wait of zero, or a time already
//!   past, says nothing the backoff does not, and the backoff is used; so is a value that is
//!   not a wait at all (negative, not a number, garbage). Any header value gives a decision:
//!   none makes the client panic or retry at once.
//! - No retry starts past the client's overall deadline
//!   ([`RETRY_DEADLINE`](crate::defaults::RETRY_DEADLINE) unless set otherwise), nor after
//!   `max_retries` retries.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::defaults::{INITIAL_BACKOFF, MAX_BACKOFF, MAX_SERVER_WAIT};
use crate::rate_limit::RateLimits;

/// What one attempt came back with.
pub(crate) enum Attempt<'a> {
    /// The server answered with `status`.
    Answered { status: u16, headers: &'a HeaderMap },
    /// No answer: the connection failed or timed out.
    Failed(&'a reqwest::Error),
}

/// How many retries a client allows and how long a call may take in all.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    pub(crate) max_retries: u32,
    pub(crate) deadline: Duration,
}

impl RetryPolicy {
    /// How long to wait before sending again, or `None` to hand `attempt` to the caller.
    /// `retries_done` counts the retries already made; `elapsed` is the time since the first
    /// attempt began.
    pub(crate) fn next_delay(
        &self,
        attempt: &Attempt<'_>,
        creates_resource: bool,
        retries_done: u32,
        elapsed: Duration,
    ) -> Option<Duration> {
        self.next_delay_at(attempt, creates_resource, retries_done, elapsed, SystemTime::now())
    }

    /// [`next_delay`](Self::next_delay) as of `now`. Total: any headers, any `now`, any
    /// `elapsed` give an answer, and a delay it gives is never zero.
    pub(crate) fn next_delay_at(
        &self,
        attempt: &Attempt<'_>,
        creates_resource: bool,
        retries_done: u32,
        elapsed: Duration,
        now: SystemTime,
    ) -> Option<Duration> {
        if retries_done >= self.max_retries || !is_retryable(attempt, creates_resource) {
            return None;
        }
        let delay = match attempt {
            Attempt::Answered { status, headers } => match server_wait(*status, headers, now) {
                Some(wait) if wait > MAX_SERVER_WAIT => return None,
                Some(wait) => wait,
                None => backoff(retries_done),
            },
            Attempt::Failed(_) => backoff(retries_done),
        };
        elapsed.checked_add(delay).is_some_and(|end| end < self.deadline).then_some(delay)
    }
}

/// Whether an answer with `status` is worth sending the same request again.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

fn is_retryable(attempt: &Attempt<'_>, creates_resource: bool) -> bool {
    match attempt {
        Attempt::Answered { status, .. } if creates_resource => *status == 429,
        Attempt::Answered { status, .. } => is_retryable_status(*status),
        Attempt::Failed(error) if creates_resource => error.is_connect(),
        Attempt::Failed(error) => error.is_connect() || error.is_timeout() || error.is_request(),
    }
}

/// The wait before retry number `retries_done + 1`: doubling from the initial backoff, capped,
/// then shortened by up to a quarter at random.
pub(crate) fn backoff(retries_done: u32) -> Duration {
    let doubled = INITIAL_BACKOFF.saturating_mul(1u32.checked_shl(retries_done).unwrap_or(u32::MAX));
    doubled.min(MAX_BACKOFF).mul_f64(1.0 - 0.25 * fastrand::f64())
}

/// How long the server asked the client to wait, if it asked for a wait still ahead. Zero, or
/// a time at or before `now`, is no wait: obeying it would send the retry at once, with no
/// backoff at all.
fn server_wait(status: u16, headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let ahead = |wait: &Duration| !wait.is_zero();
    retry_after(headers, now).filter(ahead).or_else(|| {
        // A 429 without Retry-After still says when its window resets.
        (status == 429).then(|| RateLimits::from_headers(headers).until_request_reset(now)).flatten().filter(ahead)
    })
}

/// `retry-after-ms` as milliseconds, else `Retry-After` as seconds or an HTTP date; `None`
/// when neither is there or readable. A wait too long for a [`Duration`] is [`Duration::MAX`].
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(wait) = text("retry-after-ms").and_then(|v| wait_of(v, 1000.0)) {
        return Some(wait);
    }
    let value = text(RETRY_AFTER.as_str())?;
    if value.parse::<f64>().is_ok() {
        // A number that is not a wait (negative, NaN) says nothing: it is no date either.
        return wait_of(value, 1.0);
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = i128::from(date.timestamp()) * NANOS_PER_SECOND + i128::from(date.timestamp_subsec_nanos());
    Some(from_nanos(at - unix_nanos(now)))
}

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// `text` as a number of `per_second` units, as a wait: `None` unless it is a number at least
/// zero (infinity waits [`Duration::MAX`]).
fn wait_of(text: &str, per_second: f64) -> Option<Duration> {
    let value = text.parse::<f64>().ok().filter(|v| *v >= 0.0)?;
    Some(Duration::try_from_secs_f64(value / per_second).unwrap_or(Duration::MAX))
}

/// `now` in nanoseconds since the Unix epoch, negative before it.
fn unix_nanos(now: SystemTime) -> i128 {
    match now.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).unwrap_or(i128::MAX),
        Err(before) => -i128::try_from(before.duration().as_nanos()).unwrap_or(i128::MAX),
    }
}

/// `nanos` as a wait: zero when not positive, [`Duration::MAX`] when too long.
fn from_nanos(nanos: i128) -> Duration {
    if nanos <= 0 {
        return Duration::ZERO;
    }
    let seconds = u64::try_from(nanos / NANOS_PER_SECOND).unwrap_or(u64::MAX);
    let rest = u32::try_from(nanos % NANOS_PER_SECOND).unwrap_or(0);
    Duration::new(seconds, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy { max_retries: 2, deadline: Duration::from_secs(180) };

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap())).collect()
    }

    fn delay_for(status: u16, pairs: &[(&'static str, &str)], creates_resource: bool) -> Option<Duration> {
        let headers = headers(pairs);
        POLICY.next_delay(&Attempt::Answered { status, headers: &headers }, creates_resource, 0, Duration::ZERO)
    }

    #[test]
    fn retryable_statuses_are_retried() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(delay_for(status, &[], false).is_some(), "{status}");
        }
    }

    #[test]
    fn client_errors_and_consent_are_not_retried() {
        for status in [400, 401, 402, 403, 404, 409, 415, 422, 501] {
            assert_eq!(delay_for(status, &[], false), None, "{status}");
        }
    }

    #[test]
    fn creating_operations_retry_only_429() {
        assert!(delay_for(429, &[], true).is_some());
        for status in [408, 500, 502, 503, 504] {
            assert_eq!(delay_for(status, &[], true), None, "{status}");
        }
    }

    #[test]
    fn retries_stop_at_max_retries() {
        let headers = HeaderMap::new();
        let attempt = Attempt::Answered { status: 503, headers: &headers };
        assert!(POLICY.next_delay(&attempt, false, 1, Duration::ZERO).is_some());
        assert_eq!(POLICY.next_delay(&attempt, false, 2, Duration::ZERO), None);
    }

    #[test]
    fn no_retry_would_end_past_the_deadline() {
        let headers = HeaderMap::new();
        let attempt = Attempt::Answered { status: 503, headers: &headers };
        assert_eq!(POLICY.next_delay(&attempt, false, 0, Duration::from_secs(179) + Duration::from_millis(900)), None);
    }

    #[test]
    fn backoff_doubles_from_half_a_second_to_eight_with_up_to_a_quarter_of_jitter() {
        for (retry, full) in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (40, 8.0)] {
            for _ in 0..200 {
                let wait = backoff(retry).as_secs_f64();
                assert!(wait <= full && wait >= full * 0.75, "retry {retry}: {wait}");
            }
        }
    }

    #[test]
    fn backoff_is_jittered() {
        let waits: std::collections::BTreeSet<_> = (0..50).map(|_| backoff(3)).collect();
        assert!(waits.len() > 1);
    }

    #[test]
    fn retry_after_seconds_is_obeyed() {
        assert_eq!(delay_for(503, &[("retry-after", "3")], false), Some(Duration::from_secs(3)));
    }

    #[test]
    fn retry_after_ms_is_obeyed() {
        assert_eq!(delay_for(429, &[("retry-after-ms", "250")], false), Some(Duration::from_millis(250)));
    }

    #[test]
    fn retry_after_as_http_date_is_obeyed() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_470);
        let headers = headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]);
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(10)));
    }

    #[test]
    fn rate_limit_reset_is_obeyed_on_429() {
        let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
        let reset = (now + 2).to_string();
        let delay = delay_for(429, &[("x-ratelimit-reset-requests", &reset)], false).unwrap();
        assert!(delay <= Duration::from_secs(2) && delay >= Duration::from_secs(1), "{delay:?}");
    }

    #[test]
    fn rate_limit_reset_is_ignored_outside_429() {
        let far = (SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() + 3600).to_string();
        let delay = delay_for(503, &[("x-ratelimit-reset-requests", &far)], false).unwrap();
        assert!(delay <= MAX_BACKOFF);
    }

    #[test]
    fn a_wait_longer_than_the_cap_returns_the_error_at_once() {
        assert_eq!(delay_for(429, &[("retry-after", "3600")], false), None);
    }

    /// A fixed `now` for the tests that compare with it.
    const NOW: u64 = 1_767_225_600;

    fn delay_at(status: u16, pairs: &[(&'static str, &str)], retries: u32) -> Option<Duration> {
        let headers = headers(pairs);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW);
        let policy = RetryPolicy { max_retries: 3, deadline: Duration::from_secs(180) };
        policy.next_delay_at(&Attempt::Answered { status, headers: &headers }, false, retries, Duration::ZERO, now)
    }

    /// The range of the backoff before retry number `retries + 1`.
    fn backoff_range(retries: u32) -> std::ops::RangeInclusive<Duration> {
        let full = INITIAL_BACKOFF.saturating_mul(1 << retries).min(MAX_BACKOFF);
        full.mul_f64(0.75)..=full
    }

    #[test]
    fn a_wait_too_long_for_a_duration_returns_the_error_at_once_instead_of_panicking() {
        for value in ["1e20", "18446744073709551616", "1e308", "1e400", "inf"] {
            assert_eq!(delay_at(503, &[("retry-after", value)], 0), None, "retry-after {value}");
        }
        for value in ["1e25", "1e300", "inf"] {
            assert_eq!(delay_at(429, &[("retry-after-ms", value)], 0), None, "retry-after-ms {value}");
        }
    }

    #[test]
    fn a_retry_after_that_is_no_wait_ahead_falls_back_to_the_backoff() {
        for value in [
            "0",
            "-0",
            "-5",
            "-1e20",
            "NaN",
            "soon",
            "",
            "Fri, 01 Jan 1904 00:00:00 GMT",
            "Thu, 01 Jan 2026 00:00:00 GMT",
        ] {
            for name in ["retry-after", "retry-after-ms"] {
                let delay = delay_at(503, &[(name, value)], 1).unwrap();
                assert!(backoff_range(1).contains(&delay), "{name} {value:?}: {delay:?}");
            }
        }
    }

    #[test]
    fn a_retry_after_date_far_ahead_returns_the_error_at_once() {
        assert_eq!(delay_at(503, &[("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT")], 0), None);
    }

    #[test]
    fn a_retry_after_date_a_few_seconds_ahead_is_obeyed() {
        let date = chrono::DateTime::from_timestamp(NOW as i64 + 3, 0).unwrap().to_rfc2822();
        assert_eq!(delay_at(503, &[("retry-after", &date)], 0), Some(Duration::from_secs(3)));
    }

    #[test]
    fn a_rate_limit_reset_at_or_before_now_falls_back_to_the_backoff() {
        for reset in [NOW, NOW - 1, NOW - 86_400, 5, 0, NOW * 1000] {
            let delay = delay_at(429, &[("x-ratelimit-reset-requests", &reset.to_string())], 2).unwrap();
            assert!(backoff_range(2).contains(&delay), "reset {reset}: {delay:?}");
        }
    }

    #[test]
    fn a_zero_retry_after_on_a_429_gives_way_to_its_reset_time() {
        let reset = (NOW + 4).to_string();
        let delay = delay_at(429, &[("retry-after", "0"), ("x-ratelimit-reset-requests", &reset)], 0);
        assert_eq!(delay, Some(Duration::from_secs(4)));
    }

    #[test]
    fn a_huge_rate_limit_reset_gives_a_decision_without_panicking() {
        for reset in ["18446744073709551615", "1e20", "99999999999999999999999", "-1", "NaN"] {
            let delay = delay_at(429, &[("x-ratelimit-reset-requests", reset)], 0);
            assert!(delay.is_none_or(|d| backoff_range(0).contains(&d)), "reset {reset}: {delay:?}");
        }
    }

    #[test]
    fn an_elapsed_time_past_any_deadline_gives_no_retry_without_overflow() {
        let headers = HeaderMap::new();
        let attempt = Attempt::Answered { status: 503, headers: &headers };
        assert_eq!(POLICY.next_delay_at(&attempt, false, 0, Duration::MAX, SystemTime::now()), None);
    }

    /// Header values of every kind a server, a proxy or an attacker may send.
    fn header_value() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<f64>().prop_map(|v| v.to_string()),
            (-1e30f64..1e30).prop_map(|v| format!("{v:e}")),
            any::<i64>().prop_map(|v| v.to_string()),
            any::<u64>().prop_map(|v| v.to_string()),
            (0u64..4_000_000_000).prop_map(|v| v.to_string()),
            (-62_000_000_000i64..253_402_300_799)
                .prop_map(|at| chrono::DateTime::from_timestamp(at, 0).map(|d| d.to_rfc2822()).unwrap_or_default()),
            "[ -~]{0,40}",
        ]
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_header_values_give_no_retry_or_a_bounded_wait_that_is_never_zero(
            status in prop_oneof![Just(429u16), Just(503), Just(408), any::<u16>()],
            values in proptest::collection::vec(proptest::option::of(header_value()), 4),
            retries in 0u32..4,
            now in 0u64..4_000_000_000,
            elapsed_ms in 0u64..200_000,
        ) {
            let names = ["retry-after", "retry-after-ms", "x-ratelimit-reset-requests", "x-ratelimit-reset"];
            let mut headers = HeaderMap::new();
            for (name, value) in names.iter().zip(&values) {
                if let Some(value) = value.as_deref().and_then(|v| v.parse().ok()) {
                    headers.insert(*name, value);
                }
            }
            let policy = RetryPolicy { max_retries: 3, deadline: Duration::from_secs(180) };
            let elapsed = Duration::from_millis(elapsed_ms);
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(now);
            let attempt = Attempt::Answered { status, headers: &headers };
            if let Some(delay) = policy.next_delay_at(&attempt, false, retries, elapsed, now) {
                prop_assert!(!delay.is_zero(), "{values:?}");
                prop_assert!(delay <= MAX_SERVER_WAIT.max(MAX_BACKOFF), "{delay:?} for {values:?}");
                prop_assert!(elapsed + delay < policy.deadline);
            }
        }

        #[test]
        fn a_wait_at_or_before_now_follows_the_backoff_schedule(
            retries in 0u32..3,
            ago in 0u64..1_000_000_000,
            which in 0usize..4,
        ) {
            let at = (NOW - ago).to_string();
            let date = chrono::DateTime::from_timestamp((NOW - ago) as i64, 0).unwrap().to_rfc2822();
            let pairs: &[(&'static str, &str)] = match which {
                0 => &[("retry-after", &date)],
                1 => &[("x-ratelimit-reset-requests", &at)],
                2 => &[("retry-after", "0")],
                _ => &[("retry-after-ms", "0")],
            };
            let delay = delay_at(429, pairs, retries).expect("a 429 is retried");
            prop_assert!(backoff_range(retries).contains(&delay), "{pairs:?}: {delay:?}");
        }
    }
}

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
//!   long to wait (`Retry-After`, or on 429 the `x-ratelimit-reset-requests` time) is obeyed
//!   instead, unless it asks for more than [`MAX_SERVER_WAIT`]: then the error comes back at
//!   once with the reset time in its [`RateLimits`](crate::RateLimits::reset_requests).
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
        if retries_done >= self.max_retries || !is_retryable(attempt, creates_resource) {
            return None;
        }
        let delay = match attempt {
            Attempt::Answered { status, headers } => match server_wait(*status, headers, SystemTime::now()) {
                Some(wait) if wait > MAX_SERVER_WAIT => return None,
                Some(wait) => wait,
                None => backoff(retries_done),
            },
            Attempt::Failed(_) => backoff(retries_done),
        };
        (elapsed + delay < self.deadline).then_some(delay)
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

/// How long the server asked the client to wait, if it did.
fn server_wait(status: u16, headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    retry_after(headers, now).or_else(|| {
        // A 429 without Retry-After still says when its window resets.
        (status == 429).then(|| RateLimits::from_headers(headers).until_request_reset(now)).flatten()
    })
}

/// `Retry-After` as seconds or an HTTP date, or `retry-after-ms` as milliseconds.
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()).filter(|v| v.is_finite() && *v >= 0.0)
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = text(RETRY_AFTER.as_str())?;
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::from(date);
    Some(at.duration_since(now).unwrap_or_default())
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
}

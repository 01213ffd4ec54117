//! The rate-limit state Venice reports in response headers.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// The `x-ratelimit-*` headers of one response, success or error.
///
/// Venice sends them per request and per token budget; a field is `None` when the header was
/// absent or not a number. Some endpoints send the short forms `x-ratelimit-limit`,
/// `x-ratelimit-remaining` and `x-ratelimit-reset`, which count requests and fill the request
/// fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimits {
    /// Requests allowed in the current window (`x-ratelimit-limit-requests`).
    pub limit_requests: Option<u64>,
    /// Requests left in the current window (`x-ratelimit-remaining-requests`).
    pub remaining_requests: Option<u64>,
    /// When the request window resets, in Unix seconds (`x-ratelimit-reset-requests`).
    pub reset_requests: Option<u64>,
    /// Tokens allowed in the current window (`x-ratelimit-limit-tokens`).
    pub limit_tokens: Option<u64>,
    /// Tokens left in the current window (`x-ratelimit-remaining-tokens`).
    pub remaining_tokens: Option<u64>,
    /// When the token window resets (`x-ratelimit-reset-tokens`), as Venice sends it.
    pub reset_tokens: Option<u64>,
}

impl RateLimits {
    /// Reads the rate-limit headers out of `headers`.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Self {
        let number = |name: &str| {
            headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<f64>().ok()).and_then(|v| {
                // Headers are whole numbers; a fractional or negative one is read as absent
                // rather than rounded into something the server did not say.
                (v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u64::MAX as f64).then_some(v as u64)
            })
        };
        Self {
            limit_requests: number("x-ratelimit-limit-requests").or_else(|| number("x-ratelimit-limit")),
            remaining_requests: number("x-ratelimit-remaining-requests").or_else(|| number("x-ratelimit-remaining")),
            reset_requests: number("x-ratelimit-reset-requests").or_else(|| number("x-ratelimit-reset")),
            limit_tokens: number("x-ratelimit-limit-tokens"),
            remaining_tokens: number("x-ratelimit-remaining-tokens"),
            reset_tokens: number("x-ratelimit-reset-tokens"),
        }
    }

    /// Whether the response carried none of the headers.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// How long until the request window resets, measured from `now`; `None` when the server
    /// gave no reset time. A reset time already past gives zero.
    pub fn until_request_reset(&self, now: SystemTime) -> Option<Duration> {
        let reset = self.reset_requests?;
        let now = now.duration_since(UNIX_EPOCH).unwrap_or_default();
        Some(reset_instant(reset).saturating_sub(now))
    }
}

/// Venice documents the reset as Unix seconds; a value in milliseconds (some proxies rewrite
/// it) is recognised by its size instead of being read as a date thousands of years away.
fn reset_instant(value: u64) -> Duration {
    const MILLISECONDS_FROM: u64 = 100_000_000_000;
    if value >= MILLISECONDS_FROM { Duration::from_millis(value) } else { Duration::from_secs(value) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap())).collect()
    }

    #[test]
    fn reads_request_and_token_headers() {
        let limits = RateLimits::from_headers(&headers(&[
            ("x-ratelimit-limit-requests", "20"),
            ("x-ratelimit-remaining-requests", "19"),
            ("x-ratelimit-reset-requests", "1767225600"),
            ("x-ratelimit-limit-tokens", "1000000"),
            ("x-ratelimit-remaining-tokens", "999000"),
            ("x-ratelimit-reset-tokens", "30"),
        ]));
        assert_eq!(limits.limit_requests, Some(20));
        assert_eq!(limits.remaining_requests, Some(19));
        assert_eq!(limits.reset_requests, Some(1_767_225_600));
        assert_eq!(limits.limit_tokens, Some(1_000_000));
        assert_eq!(limits.remaining_tokens, Some(999_000));
        assert_eq!(limits.reset_tokens, Some(30));
    }

    #[test]
    fn short_header_names_fill_the_request_fields() {
        let limits = RateLimits::from_headers(&headers(&[("x-ratelimit-limit", "100"), ("x-ratelimit-reset", "5")]));
        assert_eq!(limits.limit_requests, Some(100));
        assert_eq!(limits.reset_requests, Some(5));
    }

    #[test]
    fn garbage_values_read_as_absent() {
        let limits = RateLimits::from_headers(&headers(&[
            ("x-ratelimit-limit-requests", "lots"),
            ("x-ratelimit-remaining-requests", "-1"),
        ]));
        assert!(limits.is_empty());
    }

    #[test]
    fn reset_in_seconds_or_milliseconds_gives_the_same_wait() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        let seconds = RateLimits { reset_requests: Some(1_000_000_007), ..Default::default() };
        let millis = RateLimits { reset_requests: Some(1_000_000_007_000), ..Default::default() };
        assert_eq!(seconds.until_request_reset(now), Some(Duration::from_secs(7)));
        assert_eq!(millis.until_request_reset(now), Some(Duration::from_secs(7)));
    }

    #[test]
    fn reset_in_the_past_waits_nothing() {
        let now = UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        let limits = RateLimits { reset_requests: Some(1_000_000_000), ..Default::default() };
        assert_eq!(limits.until_request_reset(now), Some(Duration::ZERO));
    }
}

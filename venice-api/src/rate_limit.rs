//! The rate-limit state Venice reports in response headers.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderValue};

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
    ///
    /// One pass over the header names rather than a lookup per field: every answer goes
    /// through here, and nine lookups by name cost more than the rest of reading the headers.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Self {
        let mut limits = Self::default();
        let mut short_forms = Self::default();
        for name in headers.keys() {
            let Some(field) = name.as_str().strip_prefix("x-ratelimit-") else { continue };
            let slot = match field {
                "limit-requests" => &mut limits.limit_requests,
                "remaining-requests" => &mut limits.remaining_requests,
                "reset-requests" => &mut limits.reset_requests,
                "limit-tokens" => &mut limits.limit_tokens,
                "remaining-tokens" => &mut limits.remaining_tokens,
                "reset-tokens" => &mut limits.reset_tokens,
                "limit" => &mut short_forms.limit_requests,
                "remaining" => &mut short_forms.remaining_requests,
                "reset" => &mut short_forms.reset_requests,
                _ => continue,
            };
            *slot = headers.get(name).and_then(whole_number);
        }
        limits.limit_requests = limits.limit_requests.or(short_forms.limit_requests);
        limits.remaining_requests = limits.remaining_requests.or(short_forms.remaining_requests);
        limits.reset_requests = limits.reset_requests.or(short_forms.reset_requests);
        limits
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

/// A header's value as a whole number. Headers are whole numbers; a fractional or negative
/// one is read as absent rather than rounded into something the server did not say.
fn whole_number(value: &HeaderValue) -> Option<u64> {
    let value = value.to_str().ok()?.trim().parse::<f64>().ok()?;
    (value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= u64::MAX as f64).then_some(value as u64)
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
    fn long_header_names_win_over_short_ones_unless_unreadable() {
        let limits = RateLimits::from_headers(&headers(&[
            ("x-ratelimit-limit", "100"),
            ("x-ratelimit-limit-requests", "20"),
            ("x-ratelimit-remaining-requests", "soon"),
            ("x-ratelimit-remaining", "7"),
        ]));
        assert_eq!(limits.limit_requests, Some(20));
        assert_eq!(limits.remaining_requests, Some(7));
    }

    #[test]
    fn other_headers_are_ignored() {
        let limits = RateLimits::from_headers(&headers(&[("x-ratelimit-unknown", "3"), ("content-length", "5")]));
        assert!(limits.is_empty());
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
    fn any_reset_header_reads_without_panicking() {
        let now = UNIX_EPOCH + Duration::from_secs(1_767_225_600);
        for value in ["18446744073709551615", "18446744073709551616", "1e20", "-1", "NaN", "inf", "1.5", "soon", ""] {
            let limits = RateLimits::from_headers(&headers(&[("x-ratelimit-reset-requests", value)]));
            // Read as absent, or as a time: either way a wait comes out.
            let _ = limits.until_request_reset(now);
            assert!(limits.reset_requests.is_none() || value.starts_with("1844"), "{value}: {limits:?}");
        }
        let largest = RateLimits { reset_requests: Some(u64::MAX), ..Default::default() };
        assert!(largest.until_request_reset(UNIX_EPOCH).unwrap() > Duration::from_secs(1 << 50));
    }

    #[test]
    fn reset_in_the_past_waits_nothing() {
        let now = UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        let limits = RateLimits { reset_requests: Some(1_000_000_000), ..Default::default() };
        assert_eq!(limits.until_request_reset(now), Some(Duration::ZERO));
    }
}

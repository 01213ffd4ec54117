//! The wallet's prepaid x402 credit as Venice last reported it, kept on the client.
//!
//! Today the x402 calls report it (a balance, a top-up, and any `X-Balance-Remaining` header
//! on their answers); when every answer's headers are read in one place, that place reports
//! it here for paid calls too.

use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::header::HeaderMap;
use venice_api_gen::headers::names::X_BALANCE_REMAINING;

/// The last credit reported, in USD: an `f64` stored as its bits, NaN until the first report.
#[derive(Debug)]
pub(crate) struct WalletBalance(AtomicU64);

impl Default for WalletBalance {
    fn default() -> Self {
        Self(AtomicU64::new(f64::NAN.to_bits()))
    }
}

impl WalletBalance {
    /// The last credit reported, if any.
    pub(crate) fn usd(&self) -> Option<f64> {
        Some(f64::from_bits(self.0.load(Ordering::Relaxed))).filter(|usd| !usd.is_nan())
    }

    /// Keeps `usd` as the current credit; a value that is not a finite number is ignored.
    pub(crate) fn record(&self, usd: f64) {
        if usd.is_finite() {
            self.0.store(usd.to_bits(), Ordering::Relaxed);
        }
    }

    /// Keeps the credit an answer's `X-Balance-Remaining` header gives, when it has a
    /// readable one; a header that does not parse is as good as absent.
    pub(crate) fn record_header(&self, headers: &HeaderMap) {
        let usd = headers.get(X_BALANCE_REMAINING).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
        if let Some(usd) = usd {
            self.record(usd);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(X_BALANCE_REMAINING, value.parse().unwrap());
        headers
    }

    #[test]
    fn nothing_is_known_before_the_first_report() {
        assert_eq!(WalletBalance::default().usd(), None);
    }

    #[test]
    fn the_header_gives_the_credit() {
        let balance = WalletBalance::default();
        balance.record_header(&headers("4.230000"));
        assert_eq!(balance.usd(), Some(4.23));
    }

    #[test]
    fn an_unreadable_header_leaves_the_last_credit() {
        let balance = WalletBalance::default();
        balance.record(1.5);
        for value in ["", "four dollars", "NaN", "inf"] {
            balance.record_header(&headers(value));
        }
        balance.record_header(&HeaderMap::new());
        assert_eq!(balance.usd(), Some(1.5));
    }

    #[test]
    fn zero_is_a_credit() {
        let balance = WalletBalance::default();
        balance.record(0.0);
        assert_eq!(balance.usd(), Some(0.0));
    }
}

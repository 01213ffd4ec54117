//! Balance and usage: `client.billing()`.
//!
//! Usage records come from `GET /billing/usage-history`, which pages with a cursor: each page
//! gives the `nextCursor` of the next one (`null` on the last), and a continuation sends that
//! cursor alone, because it carries the filters of the first request.
//! [`usage_history_entries`](Billing::usage_history_entries) walks every page lazily;
//! [`usage_history`](Billing::usage_history) and
//! [`usage_history_csv`](Billing::usage_history_csv) fetch one page, as JSON or CSV.
//!
//! The older `GET /billing/usage` is retired: Venice answers it with 410 Gone only.
//! [`usage`](Billing::usage) is kept, deprecated, so that code calling it gets that answer as
//! a typed error ([`ApiErrorKind::Gone`](crate::ApiErrorKind::Gone)) naming the replacement,
//! rather than a missing method.

use std::collections::VecDeque;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use futures_util::{Stream, stream};
use venice_api_gen::types::{
    Currency, GetBillingBalanceResponse, GetBillingUsageAnalyticsResponse, GetBillingUsageHistoryResponse,
    GetBillingUsageHistoryResponseDataItem,
};

use venice_api_gen::operations;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::response::{self, Response};
use crate::stream::BinaryStream;

/// One usage ledger entry of [`Billing::usage_history`].
pub type UsageEntry = GetBillingUsageHistoryResponseDataItem;

/// The smallest and largest page sizes Venice accepts.
const PAGE_SIZES: std::ops::RangeInclusive<u16> = 10..=1000;

/// The longest cursor Venice issues.
const MAX_CURSOR_LEN: usize = 512;

/// The longest period usage analytics cover, in days.
const MAX_LOOKBACK_DAYS: u16 = 90;

/// Balance and usage. Every call but the retired [`usage`](Self::usage) needs an API key.
#[derive(Debug, Clone, Copy)]
pub struct Billing<'c> {
    client: &'c Client,
}

impl<'c> Billing<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// What is left of the account's DIEM and USD balances, and the DIEM granted this epoch.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// let balance = client.billing().balance().await?;
    /// println!("{:?} USD left, can consume: {}", balance.balances.usd, balance.can_consume);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn balance(&self) -> Result<Response<GetBillingBalanceResponse>> {
        self.client.require_credentials("billing().balance", &operations::GET_BILLING_BALANCE)?;
        response::decode(self.client.raw().get_billing_balance().send()).await
    }

    /// Usage totals for `period`, by day, model and API key (beta: the shape may change;
    /// Venice caches the answer for ten minutes).
    pub async fn usage_analytics(&self, period: UsagePeriod) -> Result<Response<GetBillingUsageAnalyticsResponse>> {
        self.client.require_credentials("billing().usage_analytics", &operations::GET_BILLING_USAGE_ANALYTICS)?;
        let mut call = self.client.raw().get_billing_usage_analytics();
        match period {
            UsagePeriod::Default => {}
            UsagePeriod::LastDays(days) => {
                if !(1..=MAX_LOOKBACK_DAYS).contains(&days) {
                    return Err(Error::invalid("period", format!("{days} days; between 1 and {MAX_LOOKBACK_DAYS}")));
                }
                call = call.lookback(format!("{days}d").as_str());
            }
            UsagePeriod::Dates { first, last } => {
                if first > last {
                    return Err(Error::invalid("period", format!("{first} is after {last}")));
                }
                let day = |date: NaiveDate| date.format("%Y-%m-%d").to_string();
                call = call.start_date(day(first).as_str()).end_date(day(last).as_str());
            }
        }
        response::decode(call.send()).await
    }

    /// One page of usage entries as JSON, in ascending time order; its `next_cursor` fetches
    /// the next page with [`UsageHistory::after`] (`None` on the last page).
    /// [`usage_history_entries`](Self::usage_history_entries) walks all pages.
    pub async fn usage_history(&self, query: &UsageHistory) -> Result<Response<GetBillingUsageHistoryResponse>> {
        self.client.require_credentials("billing().usage_history", &operations::GET_BILLING_USAGE_HISTORY)?;
        query.check()?;
        let mut call = self.client.raw().get_billing_usage_history();
        if let Some(currency) = query.currency.clone() {
            call = call.currency(currency);
        }
        if let Some(cursor) = &query.cursor {
            call = call.cursor(cursor.as_str());
        }
        if let Some(at) = query.start {
            call = call.start_timestamp(at);
        }
        if let Some(at) = query.end {
            call = call.end_timestamp(at);
        }
        if let Some(size) = query.page_size {
            call = call.page_size(i64::from(size));
        }
        // Typed as bytes by the generated layer (the answer may be CSV); without an `Accept`
        // header Venice answers JSON.
        response::decode_json_bytes(call.send()).await
    }

    /// One page of usage entries as CSV text (Venice's export format), asked for with
    /// `Accept: text/csv`; the cursor of the next page comes in the `x-next-cursor` header,
    /// kept in [`UsageHistoryCsv::next_cursor`].
    pub async fn usage_history_csv(&self, query: &UsageHistory) -> Result<Response<UsageHistoryCsv>> {
        self.client.require_credentials("billing().usage_history_csv", &operations::GET_BILLING_USAGE_HISTORY)?;
        query.check()?;
        let pairs = query.query_pairs();
        let answer = self
            .client
            .send_built(&operations::GET_BILLING_USAGE_HISTORY, |request_builder| {
                request_builder.header(reqwest::header::ACCEPT, "text/csv").query(&pairs)
            })
            .await?;
        let header = |name: &str| answer.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let next_cursor = header("x-next-cursor").filter(|c| !c.is_empty());
        let file_name = header("content-disposition")
            .and_then(|d| d.split("filename=").nth(1).map(|name| name.trim_matches('"').to_owned()));
        Ok(response::text(answer).await?.map(|csv| UsageHistoryCsv { csv, next_cursor, file_name }))
    }

    /// Every usage entry `query` selects, page after page: the next page is fetched only when
    /// the entries of the previous one have been taken, and the walk stops after the page
    /// whose `nextCursor` is null. The first error ends the stream.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use venice_api::billing::UsageHistory;
    ///
    /// let since = chrono::Utc::now() - chrono::Duration::days(30);
    /// let entries = client.billing().usage_history_entries(UsageHistory::new().start(since).page_size(500));
    /// let spent: f64 = entries.try_fold(0.0, |sum, entry| async move { Ok(sum - entry.amount) }).await?;
    /// println!("spent {spent:.4} over 30 days");
    /// # Ok(())
    /// # }
    /// ```
    pub fn usage_history_entries(&self, query: UsageHistory) -> impl Stream<Item = Result<UsageEntry>> + Send + 'c {
        let billing = *self;
        let walk = Walk { buffer: VecDeque::new(), next: Some(query) };
        stream::unfold(Some(walk), move |state| async move {
            let mut walk = state?;
            loop {
                if let Some(entry) = walk.buffer.pop_front() {
                    return Some((Ok(entry), Some(walk)));
                }
                let query = walk.next.take()?;
                match billing.usage_history(&query).await {
                    Ok(page) => {
                        let page = page.into_body();
                        walk.buffer.extend(page.data);
                        walk.next = match page.next_cursor {
                            Some(next) if query.cursor.as_deref() == Some(next.as_str()) => {
                                return Some((Err(repeated_cursor(&next)), None));
                            }
                            Some(next) => Some(UsageHistory::after(next.to_string())),
                            None => None,
                        };
                    }
                    Err(error) => return Some((Err(error), None)),
                }
            }
        })
    }

    /// The retired `GET /billing/usage`. Venice answers it with 410 Gone only, so this returns
    /// [`Error::Api`] with [`ApiErrorKind::Gone`](crate::ApiErrorKind::Gone) and Venice's
    /// message naming the replacement; were a success ever to come, its raw body is handed back.
    #[deprecated(note = "Venice retired GET /billing/usage (it answers 410); use `usage_history_entries` or \
                         `usage_history`")]
    pub async fn usage(&self) -> Result<BinaryStream> {
        response::decode_binary(self.client.raw().get_billing_usage().send()).await
    }
}

/// Why a walk stops when the server hands back the cursor it was just given.
fn repeated_cursor(cursor: &str) -> Error {
    Error::decode(
        Some(200),
        "the server returned the cursor of the page just fetched; stopping to avoid a loop",
        cursor.as_bytes(),
    )
}

/// The state of [`Billing::usage_history_entries`]: entries not yet handed out, and the
/// request for the next page, if there is one.
struct Walk {
    buffer: VecDeque<UsageEntry>,
    next: Option<UsageHistory>,
}

/// The period [`Billing::usage_analytics`] covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UsagePeriod {
    /// Venice's default: the last 7 days.
    #[default]
    Default,
    /// The last `n` days, 1 to 90.
    LastDays(u16),
    /// From `first` to `last`, both included.
    Dates {
        /// The first day covered.
        first: NaiveDate,
        /// The last day covered.
        last: NaiveDate,
    },
}

/// Which usage entries [`Billing::usage_history`] returns: filters for a first page, or the
/// cursor of a continuation (which carries the filters, so it is sent alone).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsageHistory {
    currency: Option<Currency>,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    page_size: Option<u16>,
    cursor: Option<String>,
}

impl UsageHistory {
    /// All entries, from the oldest, in pages of Venice's default size (1000).
    pub fn new() -> Self {
        Self::default()
    }

    /// The page after the one whose `nextCursor` was `cursor`.
    pub fn after(cursor: impl Into<String>) -> Self {
        Self { cursor: Some(cursor.into()), ..Self::default() }
    }

    /// Only entries charged in `currency`.
    pub fn currency(mut self, currency: Currency) -> Self {
        self.currency = Some(currency);
        self
    }

    /// Only entries from `at` on (included).
    pub fn start(mut self, at: DateTime<Utc>) -> Self {
        self.start = Some(at);
        self
    }

    /// Only entries before `at` (excluded).
    pub fn end(mut self, at: DateTime<Utc>) -> Self {
        self.end = Some(at);
        self
    }

    /// Entries per page, 10 to 1000.
    pub fn page_size(mut self, size: u16) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Refuses what Venice would refuse, before anything is sent.
    fn check(&self) -> Result<()> {
        if let Some(size) = self.page_size
            && !PAGE_SIZES.contains(&size)
        {
            return Err(Error::invalid(
                "page_size",
                format!("{size}; between {} and {}", PAGE_SIZES.start(), PAGE_SIZES.end()),
            ));
        }
        if let (Some(start), Some(end)) = (self.start, self.end)
            && start >= end
        {
            return Err(Error::invalid("end", format!("{end} is not after the start {start}")));
        }
        if let Some(cursor) = &self.cursor {
            let well_formed = !cursor.is_empty()
                && cursor.len() <= MAX_CURSOR_LEN
                && cursor.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !well_formed {
                return Err(Error::invalid("cursor", "not a cursor Venice issued"));
            }
            if self.currency.is_some() || self.start.is_some() || self.end.is_some() || self.page_size.is_some() {
                return Err(Error::invalid(
                    "cursor",
                    "a continuation sends only the cursor, which carries the filters",
                ));
            }
        }
        Ok(())
    }

    /// The query string, as the generated call writes it.
    fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let instant = |at: DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::AutoSi, true);
        let mut pairs = Vec::new();
        if let Some(currency) = &self.currency {
            pairs.push(("currency", currency.to_string()));
        }
        if let Some(cursor) = &self.cursor {
            pairs.push(("cursor", cursor.clone()));
        }
        if let Some(at) = self.end {
            pairs.push(("endTimestamp", instant(at)));
        }
        if let Some(size) = self.page_size {
            pairs.push(("pageSize", size.to_string()));
        }
        if let Some(at) = self.start {
            pairs.push(("startTimestamp", instant(at)));
        }
        pairs
    }
}

/// One page of usage history as CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UsageHistoryCsv {
    /// The CSV text, header line included.
    pub csv: String,
    /// The cursor of the next page (for [`UsageHistory::after`]); `None` on the last page.
    pub next_cursor: Option<String>,
    /// The file name Venice suggests for the page, when it gives one.
    pub file_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(query: UsageHistory) -> &'static str {
        crate::error::refused(query.check())
    }

    #[test]
    fn page_sizes_outside_10_to_1000_are_refused() {
        assert_eq!(refused(UsageHistory::new().page_size(9)), "page_size");
        assert_eq!(refused(UsageHistory::new().page_size(1001)), "page_size");
        UsageHistory::new().page_size(10).check().unwrap();
    }

    #[test]
    fn a_cursor_goes_alone() {
        let query = UsageHistory { page_size: Some(100), ..UsageHistory::after("abc") };
        assert_eq!(refused(query), "cursor");
    }

    #[test]
    fn a_malformed_cursor_is_refused() {
        assert_eq!(refused(UsageHistory::after("a b")), "cursor");
        assert_eq!(refused(UsageHistory::after("x".repeat(513))), "cursor");
    }

    #[test]
    fn the_end_must_follow_the_start() {
        let at = Utc::now();
        assert_eq!(refused(UsageHistory::new().start(at).end(at)), "end");
    }

    #[test]
    fn query_pairs_write_instants_in_utc_with_a_z() {
        let at = DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let pairs = UsageHistory::new().start(at).currency(Currency::Diem).query_pairs();
        assert_eq!(pairs, vec![("currency", "DIEM".to_owned()), ("startTimestamp", "2026-06-01T00:00:00Z".to_owned())]);
    }
}

//! Each Billing call sends the request the spec describes and decodes the answer.

#![cfg(feature = "billing")]

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use common::{authorization, client, client_with, fixture, ok_fixture, received};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use venice_api::billing::{UsageHistory, UsagePeriod};
use venice_api::types::Currency;
use venice_api::{ApiErrorKind, Error};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BEARER: &str = "Bearer vk-test-5f1c9a0e4b7d2c8a";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn api(error: &Error) -> &venice_api::ApiError {
    error.api().unwrap_or_else(|| panic!("expected an API error, got {error:?}"))
}

/// A usage history page of `n` entries named `sku-{first}`… with `next` as its cursor.
fn page(first: usize, n: usize, next: Option<&str>) -> ResponseTemplate {
    let template = fixture("getBillingUsageHistory")["data"][0].clone();
    let data: Vec<_> = (first..first + n)
        .map(|i| {
            let mut entry = template.clone();
            entry["sku"] = json!(format!("sku-{i}"));
            entry
        })
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({"data": data, "nextCursor": next}))
}

#[tokio::test]
async fn balance_sends_an_authenticated_get_and_decodes_the_balances() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/billing/balance"))
        .and(header("authorization", BEARER))
        .respond_with(ok_fixture("getBillingBalance"))
        .expect(1)
        .mount(&server)
        .await;

    let balance = client(&server).billing().balance().await.unwrap();

    assert!(balance.can_consume);
    assert_eq!(balance.balances.usd, Some(40.25));
    assert_eq!(balance.diem_epoch_allocation, 25.0);
}

#[tokio::test]
async fn balance_with_a_refused_key_is_unauthorized() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/billing/balance"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "Authentication failed"})))
        .mount(&server)
        .await;

    let error = client(&server).billing().balance().await.unwrap_err();

    assert_eq!(error.status(), Some(401));
    assert_eq!(api(&error).kind, ApiErrorKind::Unauthorized);
    assert_eq!(api(&error).message, "Authentication failed");
}

#[tokio::test]
async fn usage_analytics_sends_the_lookback_and_decodes_the_totals() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/billing/usage-analytics"))
        .and(header("authorization", BEARER))
        .and(query_param("lookback", "30d"))
        .and(query_param_is_missing("startDate"))
        .respond_with(ok_fixture("getBillingUsageAnalytics"))
        .expect(1)
        .mount(&server)
        .await;

    let analytics = client(&server).billing().usage_analytics(UsagePeriod::LastDays(30)).await.unwrap();

    assert_eq!(analytics.by_model[0].model_name, "Venice Uncensored");
    assert_eq!(analytics.by_key[1].api_key_id, None);
    assert_eq!(analytics.top_models, ["Venice Uncensored"]);
}

#[tokio::test]
async fn usage_analytics_between_dates_sends_both_dates() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/billing/usage-analytics"))
        .and(query_param("startDate", "2026-01-01"))
        .and(query_param("endDate", "2026-01-31"))
        .and(query_param_is_missing("lookback"))
        .respond_with(ok_fixture("getBillingUsageAnalytics"))
        .expect(1)
        .mount(&server)
        .await;

    let period = UsagePeriod::Dates {
        first: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        last: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
    };
    client(&server).billing().usage_analytics(period).await.unwrap();
}

#[tokio::test]
async fn usage_analytics_timing_out_upstream_is_a_server_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/billing/usage-analytics"))
        .respond_with(ResponseTemplate::new(504).set_body_json(json!({"error": "Query timed out"})))
        .mount(&server)
        .await;

    let error =
        client_with(&server, |b| b.max_retries(0)).billing().usage_analytics(UsagePeriod::Default).await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::Server);
    assert_eq!(api(&error).message, "Query timed out");
}

#[tokio::test]
async fn a_lookback_over_90_days_is_refused_before_sending() {
    let server = MockServer::start().await;

    let error = client(&server).billing().usage_analytics(UsagePeriod::LastDays(91)).await.unwrap_err();

    assert!(matches!(error, Error::InvalidArgument { argument: "period", .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn usage_history_sends_the_filters_and_decodes_a_json_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/billing/usage-history"))
        .and(header("authorization", BEARER))
        .and(query_param("currency", "USD"))
        .and(query_param("startTimestamp", "2026-06-01T00:00:00Z"))
        .and(query_param("endTimestamp", "2026-07-01T00:00:00Z"))
        .and(query_param("pageSize", "100"))
        .and(query_param_is_missing("cursor"))
        .respond_with(ok_fixture("getBillingUsageHistory").insert_header("content-type", "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    let query = UsageHistory::new()
        .currency(Currency::Usd)
        .start(at("2026-06-01T00:00:00Z"))
        .end(at("2026-07-01T00:00:00Z"))
        .page_size(100);
    let page = client(&server).billing().usage_history(&query).await.unwrap();

    assert_eq!(page.data.len(), 2);
    assert_eq!(page.data[0].sku, "venice-uncensored-llm-output-mtoken");
    assert_eq!(page.data[1].inference_details.0, None);
    assert_eq!(page.next_cursor.as_deref().map(String::as_str), Some("eyJ0cyI6MTc2NzIyNTkwMH0"));
}

#[tokio::test]
async fn usage_history_with_a_rejected_cursor_is_a_bad_request_with_details() {
    let server = MockServer::start().await;
    let body = json!({"error": "Invalid cursor", "details": {"cursor": {"_errors": ["expired"]}}});
    Mock::given(method("GET"))
        .and(path("/api/v1/billing/usage-history"))
        .and(query_param("cursor", "stale_cursor"))
        .respond_with(ResponseTemplate::new(400).set_body_json(body))
        .mount(&server)
        .await;

    let error = client(&server).billing().usage_history(&UsageHistory::after("stale_cursor")).await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::BadRequest);
    assert_eq!(api(&error).message, "Invalid cursor");
    assert_eq!(api(&error).details.as_ref().unwrap()["cursor"]["_errors"][0], "expired");
}

#[tokio::test]
async fn usage_history_csv_asks_for_csv_and_returns_the_text_and_next_cursor() {
    let server = MockServer::start().await;
    let csv = "timestamp,sku,amount,currency\n2026-01-01T12:00:00Z,flux-dev-image,-0.01,DIEM\n";
    Mock::given(method("GET"))
        .and(path("/api/v1/billing/usage-history"))
        .and(header("authorization", BEARER))
        .and(header("accept", "text/csv"))
        .and(query_param("currency", "DIEM"))
        .and(query_param("startTimestamp", "2026-06-01T00:00:00Z"))
        .and(query_param("pageSize", "10"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/csv; charset=utf-8")
                .insert_header(
                    "content-disposition",
                    "attachment; filename=billing-usage-history-20260601T000000000Z.csv",
                )
                .insert_header("x-next-cursor", "next_page-2")
                .set_body_string(csv),
        )
        .expect(1)
        .mount(&server)
        .await;

    let query = UsageHistory::new().currency(Currency::Diem).start(at("2026-06-01T00:00:00Z")).page_size(10);
    let page = client(&server).billing().usage_history_csv(&query).await.unwrap();

    assert_eq!(page.csv, csv);
    assert_eq!(page.next_cursor.as_deref(), Some("next_page-2"));
    assert_eq!(page.file_name.as_deref(), Some("billing-usage-history-20260601T000000000Z.csv"));
}

#[tokio::test]
async fn usage_history_csv_error_is_typed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/billing/usage-history"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "Authentication failed"})))
        .mount(&server)
        .await;

    let error = client(&server).billing().usage_history_csv(&UsageHistory::new()).await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::Unauthorized);
    assert_eq!(api(&error).message, "Authentication failed");
}

#[tokio::test]
async fn usage_history_entries_walk_three_pages_following_the_cursor() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/billing/usage-history"))
        .and(query_param_is_missing("cursor"))
        .and(query_param("pageSize", "10"))
        .respond_with(page(0, 2, Some("c2")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/billing/usage-history"))
        .and(query_param("cursor", "c2"))
        .and(query_param_is_missing("pageSize"))
        .respond_with(page(2, 2, Some("c3")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/billing/usage-history"))
        .and(query_param("cursor", "c3"))
        .respond_with(page(4, 1, None))
        .expect(1)
        .mount(&server)
        .await;

    let client = client(&server);
    let entries: Vec<_> =
        client.billing().usage_history_entries(UsageHistory::new().page_size(10)).try_collect().await.unwrap();

    let skus: Vec<_> = entries.iter().map(|e| e.sku.as_str()).collect();
    assert_eq!(skus, ["sku-0", "sku-1", "sku-2", "sku-3", "sku-4"]);
    assert!(received(&server).await.iter().all(|r| authorization(r).as_deref() == Some(BEARER)));
}

#[tokio::test]
async fn usage_history_entries_fetch_the_next_page_only_when_needed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param_is_missing("cursor"))
        .respond_with(page(0, 2, Some("c2")))
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(query_param("cursor", "c2")).respond_with(page(2, 2, None)).mount(&server).await;

    let client = client(&server);
    let mut entries = Box::pin(client.billing().usage_history_entries(UsageHistory::new()));
    assert_eq!(entries.next().await.unwrap().unwrap().sku, "sku-0");
    assert_eq!(entries.next().await.unwrap().unwrap().sku, "sku-1");

    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn usage_history_entries_end_on_an_empty_last_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param_is_missing("cursor"))
        .respond_with(page(0, 2, Some("c2")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("cursor", "c2"))
        .respond_with(page(2, 1, Some("c3")))
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(query_param("cursor", "c3")).respond_with(page(3, 0, None)).mount(&server).await;

    let client = client(&server);
    let entries: Vec<_> = client.billing().usage_history_entries(UsageHistory::new()).try_collect().await.unwrap();

    assert_eq!(entries.len(), 3);
    assert_eq!(received(&server).await.len(), 3);
}

#[tokio::test]
async fn usage_history_entries_stop_at_the_first_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param_is_missing("cursor"))
        .respond_with(page(0, 1, Some("c2")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("cursor", "c2"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "Invalid cursor"})))
        .mount(&server)
        .await;

    let client = client(&server);
    let items: Vec<_> = client.billing().usage_history_entries(UsageHistory::new()).collect().await;

    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    assert_eq!(api(items[1].as_ref().unwrap_err()).message, "Invalid cursor");
}

#[tokio::test]
async fn usage_history_entries_stop_when_the_server_repeats_a_cursor() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param_is_missing("cursor"))
        .respond_with(page(0, 1, Some("c2")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("cursor", "c2"))
        .respond_with(page(1, 1, Some("c2")))
        .mount(&server)
        .await;

    let client = client(&server);
    let items: Vec<_> = client.billing().usage_history_entries(UsageHistory::new()).collect().await;

    assert_eq!(items.len(), 2, "the first page's entry, then the error");
    assert!(matches!(items[1], Err(Error::Decode { .. })), "{:?}", items[1]);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn usage_history_refuses_filters_beside_a_cursor_before_sending() {
    let server = MockServer::start().await;

    let query = UsageHistory::after("c2").page_size(100);
    let error = client(&server).billing().usage_history(&query).await.unwrap_err();

    assert!(matches!(error, Error::InvalidArgument { argument: "cursor", .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
#[allow(deprecated, reason = "the retired call is under test")]
async fn usage_is_retired_and_its_410_is_a_gone_error_naming_the_replacement() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/billing/usage"))
        .respond_with(
            ResponseTemplate::new(410)
                .insert_header("deprecation", "@1767225600")
                .insert_header("link", "</api/v1/billing/usage-history>; rel=\"successor-version\"")
                .set_body_json(fixture("getBillingUsage")),
        )
        .expect(1)
        .mount(&server)
        .await;

    let error = client(&server).billing().usage().await.unwrap_err();

    assert_eq!(error.status(), Some(410));
    assert_eq!(api(&error).kind, ApiErrorKind::Gone);
    assert!(api(&error).message.contains("/billing/usage-history"), "{}", api(&error).message);
    assert!(!error.is_retryable());
    // The spec gives the retired operation no security: the key stays home.
    assert_eq!(authorization(&received(&server).await[0]), None);
}

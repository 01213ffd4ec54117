//! Which failures are retried, how long the client waits, and when it stops.

#![cfg(feature = "api-keys")]

mod common;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{Sequence, client_with, ok_fixture, received};
use serde_json::json;
use venice_api::api_keys::CreateApiKey;
use venice_api::{Client, Error};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn status(code: u16) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({"error": format!("status {code}")}))
}

async fn serve(answers: impl IntoIterator<Item = ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(Sequence::new(answers)).mount(&server).await;
    Mock::given(method("POST")).respond_with(Sequence::new([status(500)])).mount(&server).await;
    server
}

#[tokio::test]
async fn a_503_then_success_is_retried_after_a_backoff() {
    let server = serve([status(503), ok_fixture("getApiKeys")]).await;
    let started = Instant::now();

    let keys = client_with(&server, |b| b).api_keys().list().await.unwrap();

    assert_eq!(keys.data.len(), 3);
    assert_eq!(received(&server).await.len(), 2);
    assert!(started.elapsed() >= Duration::from_millis(375), "first backoff is 0.375-0.5 s");
}

#[tokio::test]
async fn every_retryable_status_is_retried() {
    for code in [408, 429, 500, 502, 503, 504] {
        let server = serve([status(code).insert_header("retry-after", "0"), ok_fixture("getApiKeys")]).await;

        client_with(&server, |b| b).api_keys().list().await.unwrap_or_else(|e| panic!("{code}: {e}"));

        assert_eq!(received(&server).await.len(), 2, "{code}");
    }
}

#[tokio::test]
async fn retries_stop_after_max_retries_with_the_last_error() {
    let server = serve([status(503).insert_header("retry-after", "0")]).await;

    let error = client_with(&server, |b| b.max_retries(3)).api_keys().list().await.unwrap_err();

    assert_eq!(error.status(), Some(503));
    assert_eq!(received(&server).await.len(), 4);
}

#[tokio::test]
async fn a_429_waits_for_the_rate_limit_reset() {
    let reset = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 2;
    let server =
        serve([status(429).insert_header("x-ratelimit-reset-requests", reset.to_string()), ok_fixture("getApiKeys")])
            .await;
    let started = Instant::now();

    client_with(&server, |b| b).api_keys().list().await.unwrap();

    assert_eq!(received(&server).await.len(), 2);
    assert!(started.elapsed() >= Duration::from_secs(1), "waited {:?}", started.elapsed());
}

#[tokio::test]
async fn a_429_asking_for_longer_than_the_cap_returns_at_once() {
    let server = serve([status(429).insert_header("retry-after", "3600"), ok_fixture("getApiKeys")]).await;

    let error = client_with(&server, |b| b).api_keys().list().await.unwrap_err();

    assert!(error.is_rate_limited());
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn no_retry_starts_past_the_deadline() {
    let server = serve([status(503).insert_header("retry-after", "2"), ok_fixture("getApiKeys")]).await;

    let error = client_with(&server, |b| b.deadline(Duration::from_secs(1))).api_keys().list().await.unwrap_err();

    assert_eq!(error.status(), Some(503));
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn create_is_not_retried_after_a_server_error() {
    let server = serve([ok_fixture("getApiKeys")]).await;

    let error = client_with(&server, |b| b).api_keys().create(CreateApiKey::inference("k")).await.unwrap_err();

    assert_eq!(error.status(), Some(500));
    assert_eq!(received(&server).await.len(), 1, "a retried create could make a second key");
}

#[tokio::test]
async fn create_is_retried_after_a_429() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(Sequence::new([status(429).insert_header("retry-after", "0"), ok_fixture("createApiKey")]))
        .mount(&server)
        .await;

    client_with(&server, |b| b).api_keys().create(CreateApiKey::inference("k")).await.unwrap();

    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn create_is_not_retried_after_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok_fixture("createApiKey").set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;

    let error = client_with(&server, |b| b.timeout(Duration::from_millis(200)))
        .api_keys()
        .create(CreateApiKey::inference("k"))
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn a_read_that_times_out_is_retried_then_reported_as_a_timeout() {
    let server = serve([ok_fixture("getApiKeys").set_delay(Duration::from_secs(2))]).await;
    let started = Instant::now();

    let error = client_with(&server, |b| b.timeout(Duration::from_millis(200)).max_retries(1))
        .api_keys()
        .list()
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(received(&server).await.len(), 2);
    assert!(started.elapsed() < Duration::from_secs(2), "each attempt is cut at the timeout");
}

#[tokio::test]
async fn a_slow_first_answer_then_a_fast_one_succeeds() {
    let server = serve([ok_fixture("getApiKeys").set_delay(Duration::from_secs(2)), ok_fixture("getApiKeys")]).await;

    let keys = client_with(&server, |b| b.timeout(Duration::from_millis(300))).api_keys().list().await.unwrap();

    assert_eq!(keys.data.len(), 3);
}

#[tokio::test]
async fn a_refused_connection_is_a_retryable_transport_error() {
    // Bind then drop a listener so that the port is (almost certainly) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = Client::builder()
        .api_key("k")
        .base_url(format!("http://127.0.0.1:{port}/api/v1"))
        .max_retries(1)
        .build()
        .unwrap();

    let error = client.api_keys().list().await.unwrap_err();

    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert!(error.to_string().contains("could not connect"), "{error}");
}

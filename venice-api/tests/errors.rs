//! Every way the server can refuse becomes a typed error with what it said.

#![cfg(feature = "api-keys")]

mod common;

use common::{client_with, fixture};
use serde_json::json;
use venice_api::{ApiErrorKind, Error};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The error `list` returns when the server answers with `answer`, sent once (no retries).
async fn error_for(answer: ResponseTemplate) -> (Error, usize) {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(answer).mount(&server).await;
    let error = client_with(&server, |b| b.max_retries(0)).api_keys().list().await.unwrap_err();
    (error, common::received(&server).await.len())
}

fn api(error: &Error) -> &venice_api::ApiError {
    error.api().unwrap_or_else(|| panic!("expected an API error, got {error:?}"))
}

#[tokio::test]
async fn a_plain_error_body_gives_status_kind_and_message() {
    let (error, _) =
        error_for(ResponseTemplate::new(401).set_body_json(json!({"error": "Authentication failed"}))).await;

    assert_eq!(error.status(), Some(401));
    assert_eq!(api(&error).kind, ApiErrorKind::Unauthorized);
    assert_eq!(api(&error).message, "Authentication failed");
}

#[tokio::test]
async fn a_validation_error_keeps_its_details_and_issues() {
    let body = serde_json::from_str::<serde_json::Value>(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/errors/detailed.json"))
            .unwrap(),
    )
    .unwrap();
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(400).set_body_json(body)).mount(&server).await;

    let error = client_with(&server, |b| b)
        .api_keys()
        .create(venice_api::api_keys::CreateApiKey::inference("k"))
        .await
        .unwrap_err();

    let api = api(&error);
    assert_eq!(api.kind, ApiErrorKind::BadRequest);
    assert_eq!(api.message, "Invalid request");
    assert!(api.details.as_ref().unwrap().get("description").is_some());
    assert_eq!(api.issues.len(), 2);
}

#[tokio::test]
async fn an_openai_style_error_keeps_message_type_and_code() {
    let body = json!({"error": {"message": "Rate limit exceeded", "type": "rate_limit_error", "param": null, "code": "rate_limit_exceeded"}});
    let (error, _) = error_for(ResponseTemplate::new(429).set_body_json(body)).await;

    let api = api(&error);
    assert!(error.is_rate_limited());
    assert_eq!(api.message, "Rate limit exceeded");
    assert_eq!(api.error_type.as_deref(), Some("rate_limit_error"));
    assert_eq!(api.code.as_deref(), Some("rate_limit_exceeded"));
    assert_eq!(api.param, None);
}

#[tokio::test]
async fn an_html_page_from_a_proxy_is_a_server_error_with_an_excerpt() {
    let page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let (error, _) =
        error_for(ResponseTemplate::new(502).insert_header("content-type", "text/html").set_body_string(page)).await;

    let api = api(&error);
    assert_eq!(api.kind, ApiErrorKind::Server);
    assert_eq!(api.body_excerpt, page);
    assert!(error.is_retryable());
}

#[tokio::test]
async fn an_undocumented_status_is_still_an_api_error() {
    let (error, _) = error_for(ResponseTemplate::new(404).set_body_json(json!({"error": "No such route"}))).await;

    assert_eq!(api(&error).kind, ApiErrorKind::NotFound);
    assert_eq!(api(&error).message, "No such route");
}

#[tokio::test]
async fn a_consent_conflict_is_its_own_kind_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"error": "Consent required"})))
        .mount(&server)
        .await;

    let error = client_with(&server, |b| b.max_retries(2)).api_keys().list().await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::ConsentRequired);
    assert!(!error.is_retryable());
    assert_eq!(common::received(&server).await.len(), 1);
}

#[tokio::test]
async fn an_error_carries_the_rate_limit_headers_and_request_id() {
    let answer = ResponseTemplate::new(429)
        .set_body_json(json!({"error": "Too many requests"}))
        .insert_header("x-ratelimit-limit-requests", "20")
        .insert_header("x-ratelimit-remaining-requests", "0")
        .insert_header("x-ratelimit-reset-requests", "1767225600")
        .insert_header("x-request-id", "req-9");
    let (error, _) = error_for(answer).await;

    let api = api(&error);
    assert_eq!(api.kind, ApiErrorKind::RateLimited);
    assert_eq!(api.rate_limits.remaining_requests, Some(0));
    assert_eq!(api.rate_limits.reset_requests, Some(1_767_225_600));
    assert_eq!(error.request_id(), Some("req-9"));
}

#[tokio::test]
async fn a_malformed_success_body_is_a_decode_error_with_status_and_excerpt() {
    let (error, _) = error_for(ResponseTemplate::new(200).set_body_string(r#"{"data": [{"id": "k1", "apiKeyT"#)).await;

    match error {
        Error::Decode { status, excerpt, .. } => {
            assert_eq!(status, Some(200));
            assert!(excerpt.starts_with(r#"{"data""#), "{excerpt}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_key_type_the_spec_does_not_list_yet_decodes_as_unknown() {
    let server = MockServer::start().await;
    let mut body = fixture("getApiKeys");
    body["data"][0]["apiKeyType"] = json!("READONLY");
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;

    let keys = client_with(&server, |b| b.max_retries(0)).api_keys().list().await.unwrap();

    assert_eq!(keys.data[0].api_key_type, venice_api::types::ApiKeyType::Unknown("READONLY".to_owned()));
}

#[tokio::test]
async fn a_success_status_with_an_error_body_is_a_decode_error() {
    let (error, _) = error_for(ResponseTemplate::new(200).set_body_json(json!({"error": "Internal"}))).await;

    assert!(matches!(error, Error::Decode { status: Some(200), .. }), "{error:?}");
}

#[tokio::test]
async fn an_empty_error_body_gives_the_reason_phrase() {
    let (error, _) = error_for(ResponseTemplate::new(503)).await;

    assert_eq!(api(&error).message, "Service Unavailable");
}

#[tokio::test]
async fn a_wrong_shape_for_a_fixture_is_reported_with_the_body() {
    let mut body = fixture("getApiKeys");
    body["data"][0]["id"] = json!(4242);
    let (error, _) = error_for(ResponseTemplate::new(200).set_body_json(body)).await;

    match error {
        Error::Decode { reason, .. } => assert!(reason.contains("4242"), "{reason}"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

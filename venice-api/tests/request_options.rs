//! Per-call options (`Client::with_options`): each setting reaches the wire through the one
//! transport, for facade and generated calls alike, and bad options are refused before any
//! request.

#![cfg(all(feature = "api-keys", feature = "chat"))]

mod common;

use std::time::Duration;

use common::{Sequence, client, client_with, ok_fixture, received};
use serde_json::{Value, json};
use venice_api::chat::ChatRequest;
use venice_api::{Error, RequestOptions};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn keys_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/api_keys"))
        .respond_with(ok_fixture("getApiKeys"))
        .mount(&server)
        .await;
    server
}

async fn chat_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(ok_fixture("createChatCompletion"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn option_headers_and_query_parameters_reach_the_request() {
    let server = keys_server().await;
    let options = RequestOptions::new().header("X-Trace", "abc").query("verbose", "1");

    client(&server).with_options(options).unwrap().api_keys().list().await.unwrap();

    let request = &received(&server).await[0];
    assert_eq!(request.headers["x-trace"], "abc");
    assert_eq!(request.url.query(), Some("verbose=1"));
}

#[tokio::test]
async fn option_headers_replace_the_clients_default_headers() {
    let server = keys_server().await;
    let client = client_with(&server, |builder| builder.default_header("X-App", "default"));

    client.with_options(RequestOptions::new().header("X-App", "chosen")).unwrap().api_keys().list().await.unwrap();

    let request = &received(&server).await[0];
    assert_eq!(request.headers.get_all("x-app").iter().collect::<Vec<_>>(), ["chosen"]);
}

#[tokio::test]
async fn a_view_with_options_leaves_the_client_it_came_from_unchanged() {
    let server = keys_server().await;
    let client = client(&server);
    let _view = client.with_options(RequestOptions::new().header("X-Trace", "abc")).unwrap();

    client.api_keys().list().await.unwrap();

    assert!(received(&server).await[0].headers.get("x-trace").is_none());
}

#[tokio::test]
async fn body_fields_are_merged_into_the_typed_body() {
    let server = chat_server().await;
    let options = RequestOptions::new().body_field("a_field_the_spec_lacks", json!({"on": true}));

    let request = ChatRequest::new("venice-uncensored").user("Hi");
    client(&server).with_options(options).unwrap().chat().create(request).await.unwrap();

    let sent: Value = serde_json::from_slice(&received(&server).await[0].body).unwrap();
    assert_eq!(sent["a_field_the_spec_lacks"], json!({"on": true}));
    assert_eq!(sent["model"], "venice-uncensored");
}

#[tokio::test]
async fn body_fields_on_a_call_without_a_json_body_are_refused_before_sending() {
    let server = keys_server().await;
    let view = client(&server).with_options(RequestOptions::new().body_field("x", 1)).unwrap();

    let error = view.api_keys().list().await.unwrap_err();

    assert!(matches!(&error, Error::InvalidArgument { argument: "options.body_field", .. }), "{error:?}");
    assert!(error.to_string().contains("getApiKeys"), "{error}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn max_retries_zero_sends_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/api_keys"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;

    let view = client(&server).with_options(RequestOptions::new().max_retries(0)).unwrap();
    let error = view.api_keys().list().await.unwrap_err();

    assert_eq!(error.status(), Some(503));
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn the_option_timeout_bounds_each_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/api_keys"))
        .respond_with(ok_fixture("getApiKeys").set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;

    let options = RequestOptions::new().timeout(Duration::from_millis(100)).max_retries(0);
    let error = client(&server).with_options(options).unwrap().api_keys().list().await.unwrap_err();

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
}

#[tokio::test]
async fn an_idempotency_key_is_the_same_on_every_retry_of_a_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(Sequence::new([ResponseTemplate::new(429), ok_fixture("createChatCompletion")]))
        .mount(&server)
        .await;

    let view = client(&server).with_options(RequestOptions::new().idempotency_key("call-7f3a")).unwrap();
    view.chat().create(ChatRequest::new("venice-uncensored").user("Hi")).await.unwrap();

    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.headers["idempotency-key"], "call-7f3a");
    }
}

#[tokio::test]
async fn options_apply_to_generated_calls_too() {
    let server = keys_server().await;
    let view = client(&server).with_options(RequestOptions::new().header("X-Trace", "raw")).unwrap();

    view.call(|raw| raw.get_api_keys().send()).await.unwrap();

    assert_eq!(received(&server).await[0].headers["x-trace"], "raw");
}

#[tokio::test]
async fn invalid_options_are_refused_before_any_request() {
    let server = keys_server().await;
    let client = client(&server);
    for options in [
        RequestOptions::new().timeout(Duration::ZERO),
        RequestOptions::new().header("Authorization", "Bearer other"),
        RequestOptions::new().header("bad name", "x"),
        RequestOptions::new().idempotency_key(""),
    ] {
        let error = client.with_options(options).unwrap_err();
        assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
    }
    assert!(received(&server).await.is_empty());
}

//! The Responses API: the documented body, the decoded response, and streamed events that
//! arrive cut anywhere and collect into the output text.

#![cfg(feature = "responses")]

mod common;
#[path = "common/sse_server.rs"]
mod sse_server;

use std::time::Duration;

use common::{client, client_with, ok_fixture, received};
use futures_util::StreamExt;
use serde_json::json;
use sse_server::{Answer, SseServer, sse_client};
use venice_api::responses::{ResponseRequest, output_text};
use venice_api::types::ResponsesResponseStatus;
use venice_api::{ApiErrorKind, Error};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BEARER: &str = "Bearer vk-test-5f1c9a0e4b7d2c8a";

/// An event as OpenAI-style servers send it: its type as the event name and in the data.
fn event(data: serde_json::Value) -> String {
    format!("event: {}\ndata: {data}\n\n", data["type"].as_str().unwrap())
}

fn delta(text: &str) -> String {
    event(
        json!({"type": "response.output_text.delta", "item_id": "msg_01", "output_index": 0, "content_index": 0, "delta": text}),
    )
}

fn completed() -> String {
    let mut response = common::fixture("createResponse");
    response["status"] = json!("completed");
    event(json!({"type": "response.completed", "response": response}))
}

fn lisbon() -> String {
    [
        event(json!({"type": "response.created", "response": {"id": "resp_8d3b6f0a2c", "status": "in_progress"}})),
        delta("A capital é "),
        delta("Lisboa 🇵🇹."),
        completed(),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat()
}

#[tokio::test]
async fn create_sends_the_documented_body_and_decodes_the_response() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/responses"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({
            "model": "qwen3-235b",
            "input": "Capital of Portugal?",
            "temperature": 0.2,
            "max_output_tokens": 300,
            "tools": [{"type": "function", "function": {
                "name": "get_weather", "description": "Current weather", "parameters": {"type": "object"},
            }}],
        })))
        .respond_with(ok_fixture("createResponse"))
        .expect(1)
        .mount(&server)
        .await;
    let request = ResponseRequest::new("qwen3-235b", "Capital of Portugal?")
        .temperature(0.2)
        .max_output_tokens(300)
        .function("get_weather", "Current weather", json!({"type": "object"}));

    let response = client(&server).responses().create(request).await.unwrap();

    assert_eq!(response.id, "resp_8d3b6f0a2c");
    assert_eq!(response.status, ResponsesResponseStatus::Completed);
    assert_eq!(output_text(&response), "The capital of Portugal is Lisbon.");
    assert_eq!(response.output.len(), 3);
}

#[tokio::test]
async fn create_reports_a_rate_limit_with_its_openai_style_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "error": {"message": "Rate limit exceeded", "type": "rate_limit_error", "param": null, "code": "rate_limit_exceeded"},
        })))
        .mount(&server)
        .await;

    let error = client_with(&server, |b| b.max_retries(0))
        .responses()
        .create(ResponseRequest::new("m", "hi"))
        .await
        .unwrap_err();

    let api = error.api().expect("an API error");
    assert_eq!((api.status, api.kind), (429, ApiErrorKind::RateLimited));
    assert_eq!(api.message, "Rate limit exceeded");
    assert_eq!(api.code.as_deref(), Some("rate_limit_exceeded"));
}

#[tokio::test]
async fn create_stream_sends_the_same_body_with_stream_true_and_asks_for_events() {
    let server = SseServer::start(vec![Answer::events(&lisbon())]).await;

    sse_client(&server).responses().create_stream(ResponseRequest::new("qwen3-235b", "Capital?")).await.unwrap();

    let request = &server.requests()[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/api/v1/responses"));
    assert_eq!(request.header("accept"), Some("text/event-stream"));
    assert_eq!(request.header("authorization"), Some(BEARER));
    assert_eq!(request.json(), json!({"model": "qwen3-235b", "input": "Capital?", "stream": true}));
}

#[tokio::test]
async fn events_keep_their_type_and_the_completed_response_decodes() {
    let server = SseServer::start(vec![Answer::events(&lisbon()).cut_every(&[1], Duration::from_millis(1))]).await;

    let events: Vec<_> = sse_client(&server)
        .responses()
        .create_stream(ResponseRequest::new("m", "Capital?"))
        .await
        .unwrap()
        .collect()
        .await;

    let kinds: Vec<_> = events.iter().map(|e| e.as_ref().unwrap().kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["response.created", "response.output_text.delta", "response.output_text.delta", "response.completed"]
    );
    let completed = events[3].as_ref().unwrap().response().expect("a decoded response");
    assert_eq!(output_text(&completed), "The capital of Portugal is Lisbon.");
}

#[tokio::test]
async fn collect_text_joins_the_deltas_however_the_stream_is_cut() {
    let body = lisbon();
    let flag = body.find('🇵').unwrap() + 3; // inside the first four-byte character of the flag
    let name = body.find("event:").unwrap() + 4; // "even|t:"
    for answer in [
        Answer::events(&body).cut_every(&[1], Duration::from_millis(1)),
        Answer::events(&body).cut_every(&[3, 17, 5], Duration::from_millis(2)),
        Answer::events(&body).cut_at(&[name, flag], Duration::from_millis(5)),
    ] {
        let server = SseServer::start(vec![answer]).await;

        let text = sse_client(&server)
            .responses()
            .create_stream(ResponseRequest::new("m", "Capital?"))
            .await
            .unwrap()
            .collect_text()
            .await
            .unwrap();

        assert_eq!(text, "A capital é Lisboa 🇵🇹.");
    }
}

#[tokio::test]
async fn an_error_event_ends_the_stream_with_a_stream_error() {
    let body = [
        delta("A capital"),
        event(json!({"type": "error", "code": "server_error", "message": "Model overloaded", "param": null})),
        delta(" é Lisboa"),
    ]
    .concat();
    let server = SseServer::start(vec![Answer::events(&body).cut_every(&[7], Duration::from_millis(1))]).await;

    let events: Vec<_> = sse_client(&server)
        .responses()
        .create_stream(ResponseRequest::new("m", "Capital?"))
        .await
        .unwrap()
        .collect()
        .await;

    assert_eq!(events.len(), 2);
    assert_eq!(events[0].as_ref().unwrap().text_delta(), Some("A capital"));
    let api = events[1].as_ref().unwrap_err().api().expect("an API error");
    assert_eq!((api.status, api.kind), (200, ApiErrorKind::Stream));
    assert_eq!(api.message, "Model overloaded");
}

#[tokio::test]
async fn collect_text_turns_a_failed_response_into_a_stream_error() {
    let body = [
        delta("A capital"),
        event(json!({"type": "response.failed", "response": {
            "id": "resp_1", "status": "failed", "error": {"code": "server_error", "message": "The model crashed"},
        }})),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    let server = SseServer::start(vec![Answer::events(&body)]).await;

    let error = sse_client(&server)
        .responses()
        .create_stream(ResponseRequest::new("m", "Capital?"))
        .await
        .unwrap()
        .collect_text()
        .await
        .unwrap_err();

    let api = error.api().expect("an API error");
    assert_eq!(api.kind, ApiErrorKind::Stream);
    assert_eq!(api.message, "The model crashed");
    assert_eq!(api.code.as_deref(), Some("server_error"));
}

#[tokio::test]
async fn a_refusal_before_the_stream_starts_is_an_api_error() {
    let server = SseServer::start(vec![Answer::json(401, &json!({"error": "Authentication failed"}))]).await;

    let error = sse_client(&server).responses().create_stream(ResponseRequest::new("m", "hi")).await.unwrap_err();

    let api = error.api().expect("an API error");
    assert_eq!((api.status, api.kind), (401, ApiErrorKind::Unauthorized));
    assert_eq!(api.message, "Authentication failed");
}

#[tokio::test]
async fn invalid_requests_are_refused_before_any_request() {
    let server = MockServer::start().await;
    let client = client(&server);
    let responses = client.responses();

    let refusals = [
        responses.create(ResponseRequest::new(" ", "hi")).await.unwrap_err(),
        responses.create(ResponseRequest::new("m", "")).await.unwrap_err(),
        responses.create(ResponseRequest::new("m", "hi").temperature(-1.0)).await.unwrap_err(),
        responses.create_stream(ResponseRequest::new("m", "hi").max_output_tokens(0)).await.unwrap_err(),
    ];

    for error in refusals {
        assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
    }
    assert!(received(&server).await.is_empty());
}

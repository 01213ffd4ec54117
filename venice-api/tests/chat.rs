//! Chat completions: the documented body, the decoded completion, and streams that arrive
//! cut anywhere, end with `[DONE]`, fail partway, and collect into one message.

#![cfg(feature = "chat")]

mod common;
#[path = "common/sse_server.rs"]
mod sse_server;

use std::time::Duration;

use common::{client, client_with, ok_fixture, received};
use futures_util::StreamExt;
use serde_json::json;
use sse_server::{Answer, SseServer, sse_client};
use venice_api::chat::{ChatRequest, StreamedMessage, ToolChoice, reply_text};
use venice_api::types::{ChatCompletionRequestVeniceParameters, ChatCompletionRequestVeniceParametersEnableWebSearch};
use venice_api::{ApiErrorKind, Client, Error};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BEARER: &str = "Bearer vk-test-5f1c9a0e4b7d2c8a";

fn chunk(delta: serde_json::Value, finish_reason: Option<&str>) -> String {
    let chunk = json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1767225600, "model": "venice-uncensored",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": null}],
    });
    format!("data: {chunk}\n\n")
}

fn usage_chunk() -> String {
    let chunk = json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1767225600, "model": "venice-uncensored",
        "choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 9, "total_tokens": 21},
    });
    format!("data: {chunk}\n\n")
}

/// A stream of text with multi-byte characters, usage and `[DONE]`.
fn story() -> String {
    [
        chunk(json!({"role": "assistant", "content": ""}), None),
        chunk(json!({"content": "Olá, "}), None),
        chunk(json!({"content": "ünïcödé 🌍 "}), None),
        ": keep-alive\n\n".to_owned(),
        chunk(json!({"content": "日本語."}), None),
        chunk(json!({}), Some("stop")),
        usage_chunk(),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat()
}

const STORY_TEXT: &str = "Olá, ünïcödé 🌍 日本語.";

async fn streamed_text(answer: Answer) -> String {
    let server = SseServer::start(vec![answer]).await;
    let stream =
        sse_client(&server).chat().create_stream(ChatRequest::new("venice-uncensored").user("Hi")).await.unwrap();
    let chunks: Vec<_> = stream.collect().await;
    chunks.into_iter().map(|c| c.unwrap().content().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn create_sends_the_documented_body_and_decodes_the_completion() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .and(header("authorization", BEARER))
        .and(header("accept", "application/json"))
        .and(body_json(json!({
            "model": "venice-uncensored",
            "messages": [
                {"role": "system", "content": "Answer in one sentence."},
                {"role": "user", "content": "Why does Rust not need a garbage collector?"},
            ],
            "temperature": 0.3,
            "max_tokens": 100,
        })))
        .respond_with(ok_fixture("createChatCompletion"))
        .expect(1)
        .mount(&server)
        .await;
    let request = ChatRequest::new("venice-uncensored")
        .system("Answer in one sentence.")
        .user("Why does Rust not need a garbage collector?")
        .temperature(0.3)
        .max_tokens(100);

    let completion = client(&server).chat().create(request).await.unwrap();

    assert_eq!(completion.id, "chatcmpl-4f1c2a9e8b7d4c3a");
    assert_eq!(
        reply_text(&completion).as_deref(),
        Some("Rust's ownership rules let the compiler free memory without a garbage collector.")
    );
    assert_eq!(completion.usage.total_tokens, 59);
}

#[tokio::test]
async fn create_sends_tools_tool_choice_response_format_and_venice_parameters() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .and(body_json(json!({
            "model": "m",
            "messages": [{"role": "user", "content": "Weather in Lisbon?"}],
            "tools": [{"type": "function", "function": {
                "name": "get_weather",
                "description": "Current weather of a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            }}],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            "response_format": {"type": "json_schema", "json_schema": {"name": "weather", "schema": {"type": "object"}}},
            "venice_parameters": {"enable_web_search": "auto", "include_venice_system_prompt": false},
        })))
        .respond_with(ok_fixture("createChatCompletion"))
        .expect(1)
        .mount(&server)
        .await;
    let request = ChatRequest::new("m")
        .user("Weather in Lisbon?")
        .function(
            "get_weather",
            "Current weather of a city",
            json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        )
        .tool_choice(ToolChoice::Function("get_weather".into()))
        .json_schema("weather", json!({"type": "object"}))
        .venice_parameters(ChatCompletionRequestVeniceParameters {
            enable_web_search: Some(ChatCompletionRequestVeniceParametersEnableWebSearch::Auto),
            include_venice_system_prompt: Some(false),
            ..Default::default()
        });

    client(&server).chat().create(request).await.unwrap();
}

#[tokio::test]
async fn create_reports_an_unpaid_account_as_payment_required() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(402).set_body_json(json!({"error": "Insufficient balance"})))
        .mount(&server)
        .await;

    let error = client(&server).chat().create(ChatRequest::new("m").user("hi")).await.unwrap_err();

    let api = error.api().expect("an API error");
    assert_eq!((api.status, api.kind), (402, ApiErrorKind::PaymentRequired));
    assert_eq!(api.message, "Insufficient balance");
}

#[tokio::test]
async fn create_stream_sends_the_same_body_with_stream_true_and_asks_for_events() {
    let server = SseServer::start(vec![Answer::events(&story())]).await;

    let stream = sse_client(&server)
        .chat()
        .create_stream(ChatRequest::new("venice-uncensored").user("Hi").temperature(0.5))
        .await
        .unwrap();
    drop(stream);

    let request = &server.requests()[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/api/v1/chat/completions"));
    assert_eq!(request.header("accept"), Some("text/event-stream"));
    assert_eq!(request.header("authorization"), Some(BEARER));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({
            "model": "venice-uncensored",
            "messages": [{"role": "user", "content": "Hi"}],
            "temperature": 0.5,
            "stream": true,
            "stream_options": {"include_usage": true},
        })
    );
}

#[tokio::test]
async fn stream_options_set_by_the_caller_are_kept() {
    let server = SseServer::start(vec![Answer::events(&story())]).await;
    let mut request = ChatRequest::new("m").user("Hi");
    request.body_mut().stream_options =
        Some(venice_api::types::ChatCompletionRequestStreamOptions { include_usage: Some(false) });

    sse_client(&server).chat().create_stream(request).await.unwrap().collect_message().await.unwrap();

    assert_eq!(server.requests()[0].json()["stream_options"], json!({"include_usage": false}));
}

#[tokio::test]
async fn a_stream_written_one_byte_at_a_time_decodes_whole() {
    let text = streamed_text(Answer::events(&story()).cut_every(&[1], Duration::from_millis(1))).await;
    assert_eq!(text, STORY_TEXT);
}

#[tokio::test]
async fn a_stream_in_uneven_pieces_decodes_whole() {
    for sizes in [&[2, 3, 5][..], &[7, 1, 13], &[64, 3]] {
        let text = streamed_text(Answer::events(&story()).cut_every(sizes, Duration::from_millis(2))).await;
        assert_eq!(text, STORY_TEXT, "pieces of {sizes:?}");
    }
}

#[tokio::test]
async fn a_stream_cut_inside_data_and_inside_characters_decodes_whole() {
    let body = story();
    let data_prefix = body.find("data:").unwrap() + 3; // "dat|a:"
    let field_end = body.find("\n\n").unwrap() + 1; // between the two newlines ending an event
    let globe = body.find('🌍').unwrap() + 2; // two bytes into the four of U+1F30D
    let umlaut = body.find('ü').unwrap() + 1; // inside a two-byte character
    let kanji = body.find('本').unwrap() + 1; // inside a three-byte character
    let mut cuts = vec![data_prefix, field_end, umlaut, globe, kanji];
    cuts.sort();

    let text = streamed_text(Answer::events(&body).cut_at(&cuts, Duration::from_millis(5))).await;

    assert_eq!(text, STORY_TEXT);
}

#[tokio::test]
async fn nothing_after_done_is_read() {
    let body =
        [chunk(json!({"content": "one"}), None), "data: [DONE]\n\n".to_owned(), chunk(json!({"content": "two"}), None)]
            .concat();

    let text = streamed_text(Answer::events(&body).cut_every(&[5], Duration::from_millis(1))).await;

    assert_eq!(text, "one");
}

#[tokio::test]
async fn an_error_sent_mid_stream_ends_it_with_a_stream_error() {
    let body = [
        chunk(json!({"content": "Once upon"}), None),
        format!("data: {}\n\n", json!({"error": {"message": "Model overloaded", "type": "server_error"}})),
        chunk(json!({"content": " a time"}), None),
    ]
    .concat();
    let server = SseServer::start(vec![Answer::events(&body).cut_every(&[9], Duration::from_millis(1))]).await;

    let stream = sse_client(&server).chat().create_stream(ChatRequest::new("m").user("Hi")).await.unwrap();
    let items: Vec<_> = stream.collect().await;

    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().content(), Some("Once upon"));
    let error = items[1].as_ref().unwrap_err();
    let api = error.api().expect("an API error");
    assert_eq!((api.status, api.kind), (200, ApiErrorKind::Stream));
    assert_eq!(api.message, "Model overloaded");
}

#[tokio::test]
async fn collect_message_returns_the_first_error_of_the_stream() {
    let body =
        [chunk(json!({"content": "Once"}), None), "event: error\ndata: {\"error\":\"boom\"}\n\n".to_owned()].concat();
    let server = SseServer::start(vec![Answer::events(&body)]).await;

    let error = sse_client(&server)
        .chat()
        .create_stream(ChatRequest::new("m").user("Hi"))
        .await
        .unwrap()
        .collect_message()
        .await
        .unwrap_err();

    assert_eq!(error.api().map(|a| (a.kind, a.message.as_str())), Some((ApiErrorKind::Stream, "boom")));
}

#[tokio::test]
async fn collect_message_joins_content_tool_calls_finish_reason_and_usage() {
    let body = [
        chunk(json!({"role": "assistant", "content": "Let me check "}), None),
        chunk(json!({"content": "both."}), None),
        chunk(
            json!({"tool_calls": [{"index": 0, "id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]}),
            None,
        ),
        chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"city\":"}}]}), None),
        chunk(
            json!({"tool_calls": [{"index": 1, "id": "call_b", "type": "function", "function": {"name": "get_time", "arguments": "{\"tz\":"}}]}),
            None,
        ),
        chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"Lisbon\"}"}}]}), None),
        chunk(json!({"tool_calls": [{"index": 1, "function": {"arguments": "\"WET\"}"}}]}), None),
        chunk(json!({"content": null, "tool_calls": null}), Some("tool_calls")),
        usage_chunk(),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    let server = SseServer::start(vec![Answer::events(&body).cut_every(&[11], Duration::from_millis(1))]).await;

    let message = sse_client(&server)
        .chat()
        .create_stream(ChatRequest::new("m").user("Weather and time in Lisbon?"))
        .await
        .unwrap()
        .collect_message()
        .await
        .unwrap();

    assert_eq!(message.id, "chatcmpl-1");
    assert_eq!(message.model, "venice-uncensored");
    assert_eq!(message.role.as_deref(), Some("assistant"));
    assert_eq!(message.content, "Let me check both.");
    let calls: Vec<_> =
        message.tool_calls.iter().map(|c| (c.index, c.id.as_str(), c.name.as_str(), c.arguments.as_str())).collect();
    assert_eq!(
        calls,
        [(0, "call_a", "get_weather", "{\"city\":\"Lisbon\"}"), (1, "call_b", "get_time", "{\"tz\":\"WET\"}")]
    );
    assert_eq!(message.finish_reason.as_deref(), Some("tool_calls"));
    let usage = message.usage.expect("usage");
    assert_eq!((usage.prompt_tokens, usage.completion_tokens, usage.total_tokens), (12, 9, 21));
}

#[tokio::test]
async fn a_streamed_message_can_be_collected_while_printing() {
    let server = SseServer::start(vec![Answer::events(&story()).cut_every(&[4], Duration::ZERO)]).await;
    let mut stream = sse_client(&server).chat().create_stream(ChatRequest::new("m").user("Hi")).await.unwrap();
    let mut printed = String::new();
    let mut message = StreamedMessage::new();

    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        printed.push_str(chunk.content().unwrap_or_default());
        message.push(&chunk);
    }

    assert_eq!(printed, STORY_TEXT);
    assert_eq!(message.content, STORY_TEXT);
    assert_eq!(message.finish_reason.as_deref(), Some("stop"));
    assert_eq!(message.usage.map(|u| u.total_tokens), Some(21));
}

#[tokio::test]
async fn a_refusal_before_the_stream_starts_is_an_api_error() {
    let answer = Answer::json(429, &json!({"error": "Too many requests"})).header("retry-after", "0");
    let server = SseServer::start(vec![answer]).await;
    let client = Client::builder().api_key(common::API_KEY).base_url(server.base_url()).max_retries(1).build().unwrap();

    let error = client.chat().create_stream(ChatRequest::new("m").user("Hi")).await.unwrap_err();

    let api = error.api().expect("an API error");
    assert_eq!((api.status, api.kind), (429, ApiErrorKind::RateLimited));
    assert_eq!(api.message, "Too many requests");
    assert_eq!(server.requests().len(), 2, "retried once before the stream started");
}

#[tokio::test]
async fn a_json_answer_to_a_stream_request_is_a_decode_error() {
    let server = SseServer::start(vec![Answer::json(200, &common::fixture("createChatCompletion"))]).await;

    let error = sse_client(&server).chat().create_stream(ChatRequest::new("m").user("Hi")).await.unwrap_err();

    assert!(
        matches!(&error, Error::Decode { status: Some(200), reason, .. } if reason.contains("event stream")),
        "{error:?}"
    );
}

#[tokio::test]
async fn invalid_requests_are_refused_before_any_request() {
    let server = MockServer::start().await;
    let client = client_with(&server, |b| b);
    let chat = client.chat();

    let refusals = [
        chat.create(ChatRequest::new("").user("hi")).await.unwrap_err(),
        chat.create(ChatRequest::new("m")).await.unwrap_err(),
        chat.create(ChatRequest::new("m").user("hi").temperature(2.1)).await.unwrap_err(),
        chat.create_stream(ChatRequest::new("m").user("hi").top_p(-1.0)).await.unwrap_err(),
        chat.create_stream(ChatRequest::new("m")).await.unwrap_err(),
    ];

    for error in refusals {
        assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
    }
    assert!(received(&server).await.is_empty());
}

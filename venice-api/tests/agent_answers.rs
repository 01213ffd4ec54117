//! What agent code reads off an answer: a structured output streamed in awkward pieces, web
//! search citations (plain and streamed) and thinking kept apart from the answer.

#![cfg(feature = "chat")]

mod common;
#[path = "common/sse_server.rs"]
mod sse_server;

use std::time::Duration;

use serde_json::{Value, json};
use sse_server::{Answer, SseServer, sse_client};
use venice_api::chat::ChatRequest;
use venice_api::structured::{OutputError, ParseOutput};
use venice_api::thinking::{answer_text, reasoning_text};
use venice_api::venice_parameters::{VeniceParameters, WebSearch, web_search_citations};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
struct Forecast {
    city: String,
    summary: String,
    rain: Option<bool>,
}

fn chunk(delta: Value, finish_reason: Option<&str>, extra: Value) -> String {
    let mut chunk = json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1767225600, "model": "venice-uncensored",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    });
    if let (Value::Object(chunk), Value::Object(extra)) = (&mut chunk, extra) {
        chunk.extend(extra);
    }
    format!("data: {chunk}\n\n")
}

/// A forecast as JSON, split into content deltas inside keys, escapes and multi-byte characters.
fn forecast_stream(citations: Value) -> String {
    let pieces =
        ["{\"ci", "ty\": \"Lis", "bon\", \"summ", "ary\": \"S\\u00f3l \\\"", "quente\\\" ☀", "\", \"rain\": nu", "ll}"];
    let mut body = chunk(json!({"role": "assistant", "content": ""}), None, json!({"venice_parameters": citations}));
    for piece in pieces {
        body.push_str(&chunk(json!({"content": piece}), None, json!({})));
    }
    body.push_str(&chunk(json!({}), Some("stop"), json!({})));
    body.push_str("data: [DONE]\n\n");
    body
}

fn expected() -> Forecast {
    Forecast { city: "Lisbon".into(), summary: "Sól \"quente\" ☀".into(), rain: None }
}

#[tokio::test]
async fn a_streamed_structured_output_cut_anywhere_parses_whole() {
    for sizes in [&[1][..], &[2, 5], &[3, 7, 11]] {
        let answer = Answer::events(&forecast_stream(json!(null))).cut_every(sizes, Duration::from_millis(1));
        let server = SseServer::start(vec![answer]).await;
        let request = ChatRequest::new("venice-uncensored").user("Forecast for Lisbon?").output::<Forecast>();
        let message = sse_client(&server).chat().create_stream(request).await.unwrap().collect_message().await.unwrap();
        assert_eq!(message.parse::<Forecast>().unwrap(), expected(), "cut every {sizes:?}");
    }
}

#[tokio::test]
async fn a_stream_cut_off_while_writing_json_fails_with_the_raw_text() {
    let body = [
        chunk(json!({"content": "{\"city\": \"Lis"}), None, json!({})),
        chunk(json!({}), Some("length"), json!({})),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    let server = SseServer::start(vec![Answer::events(&body)]).await;
    let request = ChatRequest::new("venice-uncensored").user("Forecast?").output::<Forecast>();
    let message = sse_client(&server).chat().create_stream(request).await.unwrap().collect_message().await.unwrap();
    let error = message.parse::<Forecast>().unwrap_err();
    assert_eq!(error.raw_text(), Some("{\"city\": \"Lis"));
    assert!(matches!(error, OutputError::Invalid { finish_reason: Some(ref r), .. } if r == "length"));
}

#[tokio::test]
async fn streamed_search_results_become_the_messages_citations() {
    let citations =
        json!({"web_search_citations": [{"title": "IPMA", "url": "https://www.ipma.pt/", "date": "2026-12-02"}]});
    let server = SseServer::start(vec![Answer::events(&forecast_stream(citations))]).await;
    let request = ChatRequest::new("venice-uncensored")
        .user("Forecast?")
        .venice_parameters(VeniceParameters::new().web_search(WebSearch::On).search_results_in_stream(true));
    let message = sse_client(&server).chat().create_stream(request).await.unwrap().collect_message().await.unwrap();
    assert_eq!(message.citations.len(), 1);
    assert_eq!(
        (message.citations[0].title.as_str(), message.citations[0].url.as_str()),
        ("IPMA", "https://www.ipma.pt/")
    );
    let sent = server.requests()[0].json();
    assert_eq!(sent["venice_parameters"], json!({"enable_web_search": "on", "include_search_results_in_stream": true}));
}

fn completion_with(message: Value, venice_parameters: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1767225600, "model": "venice-uncensored",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": null}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        "venice_parameters": venice_parameters,
    }))
}

#[tokio::test]
async fn an_answer_lists_its_web_search_citations_and_keeps_thinking_apart() {
    let server = MockServer::start().await;
    let venice_parameters = json!({
        "enable_web_search": "on", "enable_web_citations": true, "enable_web_scraping": false,
        "include_venice_system_prompt": true, "include_search_results_in_stream": false,
        "return_search_results_as_documents": false, "strip_thinking_response": false,
        "disable_thinking": false, "enable_e2ee": false,
        "web_search_citations": [{"title": "IPMA", "url": "https://www.ipma.pt/", "content": "Céu limpo"}],
    });
    let message = json!({"role": "assistant", "content": "<think>Check the source.</think>\n{\"city\": \"Lisbon\", \"summary\": \"clear\", \"rain\": false}"});
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(completion_with(message, venice_parameters))
        .mount(&server)
        .await;

    let request = ChatRequest::new("venice-uncensored")
        .user("Forecast?")
        .venice_parameters(VeniceParameters::new().web_search(WebSearch::On).web_citations(true))
        .output::<Forecast>();
    let completion = common::client(&server).chat().create(request).await.unwrap();

    let citations = web_search_citations(&completion);
    assert_eq!((citations.len(), citations[0].content.as_deref()), (1, Some("Céu limpo")));
    assert_eq!(reasoning_text(&completion).as_deref(), Some("Check the source."));
    assert!(answer_text(&completion).unwrap().starts_with("{\"city\""));
    let forecast: Forecast = completion.parse().unwrap();
    assert_eq!(forecast.rain, Some(false));
}

//! The typed tool loop: tools offered from Rust types, the calls of an answer run together,
//! their results sent back, and the run ending on an answer or at the step limit.

#![cfg(feature = "chat")]

mod common;
#[path = "common/sse_server.rs"]
mod sse_server;

use std::sync::Arc;
use std::time::Duration;

use common::{Sequence, client, received};
use serde_json::{Value, json};
use venice_api::chat::ChatRequest;
use venice_api::tools::{RunEnd, RunLimits, Tool};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct City {
    /// The city's name.
    city: String,
}

fn weather() -> Tool {
    Tool::new("get_weather", "Current weather of a city", |args: City| async move {
        Ok::<_, String>(json!({"city": args.city, "celsius": 18}))
    })
}

fn completion(message: Value, finish_reason: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1767225600, "model": "venice-uncensored",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": null}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }))
}

fn calls(calls: &[(&str, &str, &str)]) -> ResponseTemplate {
    let calls: Vec<Value> = calls
        .iter()
        .map(|(id, name, arguments)| json!({"id": id, "type": "function", "function": {"name": name, "arguments": arguments}}))
        .collect();
    completion(json!({"role": "assistant", "content": null, "tool_calls": calls}), "tool_calls")
}

fn answer(text: &str) -> ResponseTemplate {
    completion(json!({"role": "assistant", "content": text}), "stop")
}

async fn serve(answers: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(Sequence::new(answers))
        .mount(&server)
        .await;
    server
}

async fn bodies(server: &MockServer) -> Vec<Value> {
    received(server).await.iter().map(|request| serde_json::from_slice(&request.body).unwrap()).collect()
}

fn request() -> ChatRequest {
    ChatRequest::new("venice-uncensored").user("Weather in Lisbon and Porto?")
}

#[tokio::test]
async fn a_three_step_loop_feeds_each_result_back_until_the_answer() {
    let server = serve(vec![
        calls(&[("call_1", "get_weather", r#"{"city":"Lisbon"}"#)]),
        calls(&[("call_2", "get_weather", r#"{"city":"Porto"}"#)]),
        answer("Both 18 °C."),
    ])
    .await;

    let run = client(&server).chat().run_tools(request(), &[weather()], RunLimits::default()).await.unwrap();

    assert_eq!((run.end, run.steps, run.text().as_deref()), (RunEnd::Answered, 3, Some("Both 18 °C.")));
    assert_eq!(run.calls.len(), 2);
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[0]["tools"][0]["function"]["name"], "get_weather");
    assert_eq!(sent[0]["tools"][0]["function"]["parameters"]["required"], json!(["city"]));
    let last = sent[2]["messages"].as_array().unwrap();
    let roles: Vec<&str> = last.iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["user", "assistant", "tool", "assistant", "tool"]);
    assert_eq!(last[1]["tool_calls"][0]["id"], "call_1");
    assert_eq!(
        last[2],
        json!({"role": "tool", "tool_call_id": "call_1", "content": r#"{"celsius":18,"city":"Lisbon"}"#})
    );
    assert_eq!(last[4]["tool_call_id"], "call_2");
}

#[tokio::test]
async fn the_calls_of_one_answer_run_at_the_same_time() {
    let server = serve(vec![
        calls(&[("call_a", "meet", r#"{"city":"Lisbon"}"#), ("call_b", "meet", r#"{"city":"Porto"}"#)]),
        answer("Met."),
    ])
    .await;
    // Each call waits for the other: run one after the other, they would never finish.
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let meet = Tool::new("meet", "Waits for the other call", move |args: City| {
        let barrier = Arc::clone(&barrier);
        async move {
            barrier.wait().await;
            Ok::<_, String>(format!("met in {}", args.city))
        }
    });

    let run = tokio::time::timeout(
        Duration::from_secs(5),
        client(&server).chat().run_tools(request(), &[meet], RunLimits::default()),
    )
    .await
    .expect("the two calls ran together")
    .unwrap();

    let results: Vec<_> = run.calls.iter().map(|call| (call.id.as_str(), call.result.clone())).collect();
    assert_eq!(results, [("call_a", Ok("met in Lisbon".to_owned())), ("call_b", Ok("met in Porto".to_owned()))]);
    let sent = bodies(&server).await;
    let tool_ids: Vec<&Value> = sent[1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| &m["tool_call_id"])
        .collect();
    assert_eq!(tool_ids, [&json!("call_a"), &json!("call_b")]);
}

#[tokio::test]
async fn malformed_arguments_go_back_to_the_model_as_a_bounded_tool_error() {
    let long_name = "x".repeat(100_000);
    let server = serve(vec![
        calls(&[("call_1", "get_weather", r#"{"city": "#), ("call_2", &long_name, "{}")]),
        answer("Sorry."),
    ])
    .await;
    let limits = RunLimits { max_result_bytes: 300, ..RunLimits::default() };

    let run = client(&server).chat().run_tools(request(), &[weather()], limits).await.unwrap();

    assert_eq!(run.end, RunEnd::Answered);
    let sent = bodies(&server).await;
    let tool_messages: Vec<&Value> =
        sent[1]["messages"].as_array().unwrap().iter().filter(|m| m["role"] == "tool").collect();
    let first: Value = serde_json::from_str(tool_messages[0]["content"].as_str().unwrap()).unwrap();
    assert!(first["error"].as_str().unwrap().contains("not JSON"), "{first}");
    let second = tool_messages[1]["content"].as_str().unwrap();
    assert!(second.len() < 400 && second.contains("no tool named"), "{}", second.len());
    assert!(run.calls.iter().all(|call| call.result.is_err()));
}

#[tokio::test]
async fn the_run_stops_at_the_step_limit_keeping_the_last_calls() {
    let server = serve(vec![calls(&[("call_1", "get_weather", r#"{"city":"Lisbon"}"#)])]).await;

    let run = client(&server).chat().run_tools(request(), &[weather()], RunLimits::steps(2)).await.unwrap();

    assert_eq!((run.end, run.steps), (RunEnd::StepLimit, 2));
    assert_eq!(bodies(&server).await.len(), 2);
    assert_eq!(run.calls.len(), 1, "the calls of the last answer are not run");
    assert_eq!(run.completion.choices[0].finish_reason.to_string(), "tool_calls");
}

mod streamed {
    use super::*;
    use crate::sse_server::{Answer, SseServer};
    use venice_api::Client;
    use venice_api::tools::RunEvent;

    fn chunk(delta: Value, finish_reason: Option<&str>) -> String {
        let chunk = json!({"id": "c1", "model": "venice-uncensored", "created": 1, "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]});
        format!("data: {chunk}\n\n")
    }

    #[tokio::test]
    async fn a_streamed_run_tells_text_and_tool_calls_as_they_come() {
        let first = [
            chunk(json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"ci"}}]}), None),
            chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": "ty\":\"Lisbon\"}"}}]}), Some("tool_calls")),
            "data: [DONE]\n\n".to_owned(),
        ]
        .concat();
        let second = [
            chunk(json!({"content": "18 °C "}), None),
            chunk(json!({"content": "in Lisbon."}), Some("stop")),
            "data: [DONE]\n\n".to_owned(),
        ]
        .concat();
        let server = SseServer::start(vec![
            Answer::events(&first).cut_every(&[3], Duration::from_millis(1)),
            Answer::events(&second),
        ])
        .await;
        let client = Client::builder().api_key(common::API_KEY).base_url(server.base_url()).build().unwrap();

        let mut told = Vec::new();
        let run = client
            .chat()
            .run_tools_streamed(request(), &[weather()], RunLimits::default(), |event| {
                told.push(match event {
                    RunEvent::Text(text) => format!("text {text}"),
                    RunEvent::ToolCall(call) => format!("call {} {:?}", call.name, call.result),
                    other => format!("{other:?}"),
                })
            })
            .await
            .unwrap();

        assert_eq!(
            told,
            [r#"call get_weather Ok("{\"celsius\":18,\"city\":\"Lisbon\"}")"#, "text 18 °C ", "text in Lisbon."]
        );
        assert_eq!((run.end, run.steps, run.message.content.as_str()), (RunEnd::Answered, 2, "18 °C in Lisbon."));
        let sent = server.requests()[1].json();
        assert_eq!(sent["stream"], true);
        assert_eq!(sent["messages"][1]["tool_calls"][0]["function"]["arguments"], r#"{"city":"Lisbon"}"#);
        assert_eq!(sent["messages"][2]["tool_call_id"], "call_1");
    }
}

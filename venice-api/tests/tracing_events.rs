//! What the client tells `tracing`: a span per call naming the operation, attempt, status and
//! retry delay; a model's deprecation once per model at `warn`; never a key, a sign-in or a
//! body. A small subscriber written here records every span and event as text.

#![cfg(all(feature = "api-keys", feature = "chat"))]

mod common;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use common::{Sequence, client, ok_fixture, wallet_client_with};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use venice_api::chat::ChatRequest;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// One recorded span or event: its level, name and fields as `name=value` text.
#[derive(Debug, Clone)]
struct Line {
    level: Level,
    name: String,
    text: String,
}

#[derive(Default, Clone)]
struct Recorder {
    lines: Arc<Mutex<Vec<Line>>>,
    next_id: Arc<Mutex<u64>>,
}

struct Text<'a>(&'a mut String);

impl Visit for Text<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl Recorder {
    fn push(&self, metadata: &Metadata<'_>, text: String) {
        let line = Line { level: *metadata.level(), name: metadata.name().to_owned(), text };
        self.lines.lock().unwrap().push(line);
    }

    fn lines(&self) -> Vec<Line> {
        self.lines.lock().unwrap().clone()
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut text = String::new();
        span.record(&mut Text(&mut text));
        self.push(span.metadata(), text);
        let mut id = self.next_id.lock().unwrap();
        *id += 1;
        Id::from_u64(*id)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut text = String::new();
        values.record(&mut Text(&mut text));
        let line = Line { level: Level::TRACE, name: "record".to_owned(), text };
        self.lines.lock().unwrap().push(line);
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut text = String::new();
        event.record(&mut Text(&mut text));
        self.push(event.metadata(), text);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

fn deprecated_answer() -> ResponseTemplate {
    ok_fixture("createChatCompletion")
        .insert_header("x-venice-model-deprecation-warning", "This model is deprecated and will be removed")
        .insert_header("x-venice-model-deprecation-date", "2026-03-01T00:00:00.000Z")
        .insert_header("x-venice-model-id", "old-model")
}

/// A server whose chat completions all carry a model deprecation.
async fn deprecated_chat_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(deprecated_answer())
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_models_deprecation_is_logged_once_at_warn() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let server = deprecated_chat_server().await;
    let client = client(&server);

    for _ in 0..3 {
        client.chat().create(ChatRequest::new("old-model").user("Hi")).await.unwrap();
    }

    let warnings: Vec<Line> = recorder.lines().into_iter().filter(|l| l.level == Level::WARN).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].text.contains("old-model"), "{warnings:?}");
    assert!(warnings[0].text.contains("will be removed"), "{warnings:?}");
}

#[tokio::test]
async fn each_call_has_a_span_naming_its_operation_attempts_status_and_retry_delay() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/api_keys"))
        .respond_with(Sequence::new([
            ResponseTemplate::new(503).insert_header("retry-after-ms", "10"),
            ok_fixture("getApiKeys"),
        ]))
        .mount(&server)
        .await;

    client(&server).api_keys().list().await.unwrap();

    let lines = recorder.lines();
    let span = lines.iter().find(|l| l.name == "venice_request").expect("a request span");
    assert!(span.text.contains("operation=\"get_api_keys\""), "{span:?}");
    let recorded: String = lines.iter().filter(|l| l.name == "record").map(|l| l.text.clone()).collect();
    for field in ["attempt=1", "attempt=2", "status=503", "status=200", "retry_delay_ms="] {
        assert!(recorded.contains(field), "{field} missing from {recorded}");
    }
}

#[tokio::test]
async fn no_key_sign_in_or_body_reaches_tracing() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let server = deprecated_chat_server().await;

    client(&server).chat().create(ChatRequest::new("old-model").user("a secret prompt")).await.unwrap();
    wallet_client_with(&server, |b| b).chat().create(ChatRequest::new("m").user("a secret prompt")).await.unwrap();

    let sent = server.received_requests().await.unwrap();
    let sign_in = sent[1].headers["sign-in-with-x"].to_str().unwrap().to_owned();
    let all: String = recorder.lines().iter().map(|l| format!("{l:?}\n")).collect();
    assert!(!all.is_empty());
    for secret in [common::API_KEY, common::WALLET_KEY, sign_in.as_str(), "a secret prompt"] {
        assert!(!all.contains(secret), "{secret} reached tracing:\n{all}");
    }
}

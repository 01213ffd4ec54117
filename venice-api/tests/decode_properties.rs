//! Whatever status and body the server answers with, a call returns `Ok` or a typed `Err`:
//! it never panics or hangs, and any body excerpt it keeps is at most 512 bytes (plus an
//! ellipsis) of valid UTF-8.
//!
//! Each property runs its cases through one client against one loopback server, which answers
//! every request with what the current case put in a shared slot (and then closes the
//! connection, so that no case can see what an earlier one left on the wire). The case count
//! is proptest's (256 unless `PROPTEST_CASES` says otherwise).

#![cfg(feature = "api-keys")]

mod common;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::API_KEY;
use common::scripted::{Reply, ScriptedServer};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;
use tokio::runtime::Runtime;
use venice_api::api_keys::CreateApiKey;
use venice_api::{Client, Error};

const EXCERPT_BYTES: usize = 512;

/// What the server answers with in the current case.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

impl Answer {
    fn wire(&self) -> Vec<u8> {
        let mut head = format!(
            "HTTP/1.1 {} Whatever\r\ncontent-length: {}\r\nconnection: close\r\n",
            self.status,
            self.body.len()
        );
        if let Some(content_type) = self.content_type {
            head.push_str(&format!("content-type: {content_type}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// Which call a case makes: they decode different documented statuses and error schemas.
#[derive(Debug, Clone, Copy)]
enum Call {
    List,
    Create,
}

/// One server, one client and one runtime for all the cases of a property.
struct Bench {
    slot: Arc<Mutex<Vec<u8>>>,
    _server: ScriptedServer,
    client: Client,
    runtime: Runtime,
    cases: Cell<usize>,
    started: Instant,
}

impl Bench {
    fn start() -> Self {
        let slot = Arc::new(Mutex::new(Vec::new()));
        let server = ScriptedServer::start({
            let slot = slot.clone();
            move |_, _| Reply::Raw(slot.lock().unwrap().clone())
        });
        let client = Client::builder()
            .api_key(API_KEY)
            .base_url(server.base_url())
            .timeout(Duration::from_secs(5))
            .max_retries(0)
            .build()
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        Bench { slot, _server: server, client, runtime, cases: Cell::new(0), started: Instant::now() }
    }

    /// Makes `call` against `answer` and checks what came back.
    fn check(&self, call: Call, answer: &Answer) -> Result<(), TestCaseError> {
        self.cases.set(self.cases.get() + 1);
        *self.slot.lock().unwrap() = answer.wire();
        let client = &self.client;
        let result = self.runtime.block_on(async {
            let call = async {
                match call {
                    Call::List => client.api_keys().list().await.map(|r| r.status()),
                    Call::Create => client.api_keys().create(CreateApiKey::inference("prop")).await.map(|r| r.status()),
                }
            };
            tokio::time::timeout(Duration::from_secs(10), call).await
        });
        let Ok(result) = result else {
            return Err(TestCaseError::fail(format!("the call hung on {answer:?}")));
        };
        match result {
            Ok(status) => prop_assert!((200..300).contains(&status), "Ok with status {status}"),
            Err(error) => check_error(&error, answer)?,
        }
        Ok(())
    }

    fn report(&self, name: &str) {
        println!("{name}: {} cases in {:?}", self.cases.get(), self.started.elapsed());
    }
}

fn check_error(error: &Error, answer: &Answer) -> Result<(), TestCaseError> {
    // Formatting never panics, and neither does walking the sources.
    let mut text = format!("{error} {error:?}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!("{cause} {cause:?}"));
        source = cause.source();
    }
    let excerpt = match error {
        Error::Api(api) => Some(&api.body_excerpt),
        Error::Decode { excerpt, reason, .. } => {
            // The reason quotes the body at most as much as the excerpt does.
            prop_assert!(reason.len() <= EXCERPT_BYTES + '…'.len_utf8() + 200, "reason of {} bytes", reason.len());
            Some(excerpt)
        }
        _ => None,
    };
    if let Some(excerpt) = excerpt {
        prop_assert!(excerpt.len() <= EXCERPT_BYTES + '…'.len_utf8(), "excerpt of {} bytes", excerpt.len());
        if !excerpt.ends_with('…') {
            prop_assert!(excerpt.len() <= EXCERPT_BYTES, "an unmarked excerpt of {} bytes", excerpt.len());
        }
        // A `String` is valid UTF-8 by construction; say so where it matters.
        prop_assert!(std::str::from_utf8(excerpt.as_bytes()).is_ok());
    }
    // 1xx answers are interim: the client reads on for a final one, so no status is kept.
    if answer.status >= 200 {
        match error {
            Error::Api(api) => prop_assert_eq!(api.status, answer.status),
            Error::Decode { status: Some(status), .. } => prop_assert_eq!(*status, answer.status),
            _ => {}
        }
        if !(200..300).contains(&answer.status) {
            prop_assert!(
                matches!(error, Error::Api(_)),
                "a complete {} answer is an API error, got {:?}",
                answer.status,
                error
            );
        }
    }
    Ok(())
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => 100u16..600,
        // Weight the statuses the calls document and Venice uses.
        2 => prop::sample::select(vec![200, 201, 204, 400, 401, 402, 403, 404, 409, 415, 422, 429, 500, 502, 503]),
    ]
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop::sample::select(vec![
        None,
        Some("application/json"),
        Some("application/json; charset=utf-8"),
        Some("text/html"),
        Some("text/plain"),
        Some("application/octet-stream"),
    ])
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![Just(Call::List), Just(Call::Create)]
}

/// Text that is sometimes long (past the excerpt limit) and has multi-byte characters, so
/// that the cut falls inside one.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => any::<String>(),
        1 => "[a-zé€😀 <>\"\\\\]{400,900}",
    ]
    .boxed()
}

/// Any JSON value.
fn json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..8)
                .prop_map(|map: BTreeMap<String, Value>| Value::Object(map.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A JSON object with `fields`, each present or not, each of any type.
fn object(fields: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop::collection::vec(prop::option::of(json()), fields.len()).prop_map(move |values| {
        Value::Object(
            fields.iter().zip(values).filter_map(|(name, value)| Some(((*name).to_owned(), value?))).collect(),
        )
    })
}

/// The three Venice error shapes, with fields of any type (and the right type often enough).
fn venice_error() -> impl Strategy<Value = Value> {
    let message = prop_oneof![text().prop_map(Value::String), json()];
    prop_oneof![
        // {error: "…"}
        message.clone().prop_map(|error| serde_json::json!({ "error": error })),
        // {error, details, issues}
        (message.clone(), json(), prop_oneof![prop::collection::vec(json(), 0..4).prop_map(Value::Array), json()])
            .prop_map(
                |(error, details, issues)| serde_json::json!({"error": error, "details": details, "issues": issues})
            ),
        // {error: {message, type, param, code}}
        object(&["message", "type", "param", "code"]).prop_map(|error| serde_json::json!({ "error": error })),
    ]
}

fn property<T: std::fmt::Debug>(name: &str, body: impl Strategy<Value = T>, bytes: impl Fn(&T) -> Vec<u8>) {
    let bench = Bench::start();
    let config = Config { failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let outcome = runner.run(&(status(), content_type(), call(), body), |(status, content_type, call, body)| {
        bench.check(call, &Answer { status, content_type, body: bytes(&body) })
    });
    bench.report(name);
    if let Err(failure) = outcome {
        panic!("{name}: {failure}");
    }
}

#[test]
fn any_status_with_random_bytes_gives_ok_or_a_typed_error() {
    property("random bytes", prop::collection::vec(any::<u8>(), 0..1500), Clone::clone);
}

#[test]
fn any_status_with_any_json_gives_ok_or_a_typed_error() {
    property("random JSON", json(), |value| serde_json::to_vec(value).unwrap());
}

#[test]
fn any_status_with_a_venice_error_shape_gives_ok_or_a_typed_error() {
    property("Venice error shapes", venice_error(), |value| serde_json::to_vec(value).unwrap());
}

#[test]
fn any_status_with_a_near_miss_of_the_success_body_gives_ok_or_a_typed_error() {
    // The documented success body with one field replaced by anything: deep decode failures,
    // whose reasons quote the offending value.
    let fixture = common::fixture("getApiKeys");
    let paths: Vec<Vec<&'static str>> = vec![
        vec!["data"],
        vec!["data", "0", "apiKeyType"],
        vec!["data", "0", "id"],
        vec!["data", "0", "consumptionLimits"],
        vec!["data", "0", "usage"],
    ];
    let near_miss = (prop::sample::select(paths), json()).prop_map(move |(path, value)| {
        let mut body = fixture.clone();
        let mut at = &mut body;
        for step in &path[..path.len() - 1] {
            at = match step.parse::<usize>() {
                Ok(index) => &mut at[index],
                Err(_) => &mut at[*step],
            };
        }
        at[path[path.len() - 1]] = value;
        body
    });
    property("near misses of the success body", near_miss, |value| serde_json::to_vec(value).unwrap());
}

/// The case the random bytes found: invalid bytes decode as U+FFFD, three bytes each, so 512
/// bytes of binary once made an excerpt of up to 1.5 KB.
#[test]
fn a_binary_body_gives_an_excerpt_within_the_limit() {
    let bench = Bench::start();
    for (status, call) in [(200, Call::List), (502, Call::List), (400, Call::Create), (418, Call::Create)] {
        for length in [100, 511, 512, 513, 2000] {
            let body: Vec<u8> = (0..length).map(|i| [0xff, 0xfe, b'a', 0xc3][i % 4]).collect();
            let answer = Answer { status, content_type: Some("application/octet-stream"), body };
            bench.check(call, &answer).unwrap_or_else(|failure| panic!("{status} {length}: {failure}"));
        }
    }
}

/// The case the near misses found: serde quotes a string of the wrong type whole, so a body
/// with a megabyte where an array belongs once made a megabyte of error message.
#[test]
fn a_huge_value_of_the_wrong_type_gives_a_bounded_reason() {
    let bench = Bench::start();
    let mut body = common::fixture("getApiKeys");
    body["data"] = Value::String("A".repeat(1 << 20));
    *bench.slot.lock().unwrap() =
        Answer { status: 200, content_type: Some("application/json"), body: serde_json::to_vec(&body).unwrap() }.wire();

    let error = bench.runtime.block_on(bench.client.api_keys().list()).unwrap_err();

    let Error::Decode { reason, excerpt, .. } = &error else { panic!("expected a decode error, got {error:?}") };
    assert!(reason.len() <= EXCERPT_BYTES, "{} bytes", reason.len());
    assert!(reason.starts_with("invalid type: string \"AAAA"), "{reason}");
    assert!(reason.contains("column"), "the position is kept: {reason}");
    assert!(excerpt.len() <= EXCERPT_BYTES + '…'.len_utf8());
    assert!(error.to_string().len() < 2 * EXCERPT_BYTES);
}

//! Every answer's headers are readable: all of them as sent, and those the spec declares typed
//! (a value that does not parse reads as absent, never an error). Header names and values are
//! the ones Venice documents.

#![cfg(all(feature = "api-keys", feature = "chat", feature = "images"))]

mod common;

use common::{client, ok_fixture};
use futures_util::StreamExt as _;
use venice_api::chat::ChatRequest;
use venice_api::images::GenerateImage;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_response_has_every_header_and_the_declared_ones_typed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(
            ok_fixture("createChatCompletion")
                .insert_header("X-Balance-Remaining", "4.230000")
                .insert_header("x-venice-model-deprecation-warning", "This model will be removed")
                .insert_header("x-venice-model-deprecation-date", "2026-03-01T00:00:00.000Z")
                .insert_header("x-venice-model-id", "old-model")
                .insert_header("x-something-new", "kept"),
        )
        .mount(&server)
        .await;

    let answer = client(&server).chat().create(ChatRequest::new("old-model").user("Hi")).await.unwrap();

    assert_eq!(answer.headers()["x-something-new"], "kept");
    let declared = answer.declared_headers();
    assert_eq!(declared.x_balance_remaining.as_deref(), Some("4.230000"));
    assert_eq!(declared.x_venice_model_deprecation_warning.as_deref(), Some("This model will be removed"));
    assert_eq!(declared.x_venice_model_deprecation_date.map(|at| at.timestamp()), Some(1_772_323_200));
    assert_eq!(declared.x_venice_model_id.as_deref(), Some("old-model"));
}

#[tokio::test]
async fn a_declared_header_that_does_not_parse_reads_as_absent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(
            ok_fixture("createChatCompletion")
                .insert_header("x-venice-is-blurred", "perhaps")
                .insert_header("x-venice-model-deprecation-date", "soon"),
        )
        .mount(&server)
        .await;

    let answer = client(&server).chat().create(ChatRequest::new("m").user("Hi")).await.unwrap();

    let declared = answer.declared_headers();
    assert_eq!(declared.x_venice_is_blurred, None);
    assert_eq!(declared.x_venice_model_deprecation_date, None);
    assert_eq!(answer.headers()["x-venice-is-blurred"], "perhaps");
}

#[tokio::test]
async fn generated_calls_keep_their_headers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/api_keys"))
        .respond_with(ok_fixture("getApiKeys").insert_header("x-request-id", "req-1"))
        .mount(&server)
        .await;

    let answer = client(&server).api_keys().list().await.unwrap();

    assert_eq!(answer.headers()["x-request-id"], "req-1");
    assert_eq!(answer.declared_headers().x_request_id.as_deref(), Some("req-1"));
}

#[tokio::test]
async fn a_binary_answer_has_its_headers_and_the_image_flags_typed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/image/generate"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(vec![0x89, b'P', b'N', b'G'], "image/png")
                .insert_header("x-venice-is-blurred", "true")
                .insert_header("x-venice-is-content-violation", "false"),
        )
        .mount(&server)
        .await;

    let image = client(&server).images().generate_binary(GenerateImage::new("m", "a cat")).await.unwrap();

    let declared = image.declared_headers();
    assert_eq!((declared.x_venice_is_blurred, declared.x_venice_is_content_violation), (Some(true), Some(false)));
    assert_eq!(image.headers()["content-type"], "image/png");
}

#[tokio::test]
async fn a_streamed_answer_has_its_headers() {
    let server = MockServer::start().await;
    let body = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[]}\n\ndata: [DONE]\n\n";
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body, "text/event-stream").insert_header("x-venice-model-id", "m"),
        )
        .mount(&server)
        .await;

    let mut stream = client(&server).chat().create_stream(ChatRequest::new("m").user("Hi")).await.unwrap();

    assert_eq!(stream.headers()["x-venice-model-id"], "m");
    assert_eq!(stream.declared_headers().x_venice_model_id.as_deref(), Some("m"));
    while let Some(chunk) = stream.next().await {
        chunk.unwrap();
    }
}

#[tokio::test]
async fn an_error_keeps_its_headers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/api_keys"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"error": "Authentication failed"}))
                .insert_header("x-request-id", "req-9"),
        )
        .mount(&server)
        .await;

    let error = client(&server).api_keys().list().await.unwrap_err();

    let api = error.api().expect("an API error");
    assert_eq!(api.headers["x-request-id"], "req-9");
    assert_eq!(api.declared_headers().x_request_id.as_deref(), Some("req-9"));
}

#[tokio::test]
async fn a_cookie_or_key_a_server_sends_in_a_header_never_shows_in_debug() {
    const COOKIE: &str = "__cf_bm=Zq9Wv7Xy3Qk5Jh2-session";
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/api_keys"))
        .respond_with(
            ok_fixture("getApiKeys").insert_header("set-cookie", COOKIE).insert_header("x-api-key", "vk-echo"),
        )
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/api_keys"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"error": "Authentication failed"}))
                .insert_header("set-cookie", COOKIE),
        )
        .mount(&server)
        .await;
    let client = client(&server);

    let answer = client.api_keys().list().await.unwrap();
    let error = client.api_keys().delete("key-id").await.unwrap_err();

    assert_eq!(answer.headers()["set-cookie"], COOKIE, "the value stays readable");
    for shown in [format!("{answer:?}"), format!("{error:?}"), error.to_string()] {
        assert!(!shown.contains("Zq9Wv7Xy3Qk5Jh2") && !shown.contains("vk-echo"), "{shown}");
    }
    assert!(format!("{answer:?}").contains("set-cookie"), "the name is shown");
}

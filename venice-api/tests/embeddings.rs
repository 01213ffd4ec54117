//! Embeddings send the documented body and decode the vectors.

#![cfg(feature = "embeddings")]

mod common;

use common::{client, client_with, ok_fixture, received};
use serde_json::json;
use venice_api::embeddings::EmbeddingRequest;
use venice_api::{ApiErrorKind, Client, Error};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BEARER: &str = "Bearer vk-test-5f1c9a0e4b7d2c8a";

#[tokio::test]
async fn create_with_one_string_sends_it_as_a_string_and_decodes_the_vector() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/embeddings"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({"model": "text-embedding-bge-m3", "input": "a red bicycle"})))
        .respond_with(ok_fixture("createEmbedding"))
        .expect(1)
        .mount(&server)
        .await;

    let embedded = client(&server).embeddings().create("text-embedding-bge-m3", "a red bicycle").await.unwrap();

    assert_eq!(embedded.data.len(), 1);
    assert_eq!(embedded.data[0].embedding, [0.0123, -0.0456, 0.0789, 0.25]);
    assert_eq!(embedded.usage.prompt_tokens, 6);
}

#[tokio::test]
async fn create_with_many_strings_sends_an_array() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/embeddings"))
        .and(body_json(json!({"model": "m", "input": ["first", "second"]})))
        .respond_with(ok_fixture("createEmbedding"))
        .expect(1)
        .mount(&server)
        .await;

    client(&server).embeddings().create("m", vec!["first".to_owned(), "second".to_owned()]).await.unwrap();
}

#[tokio::test]
async fn create_with_sends_the_dimensions() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/embeddings"))
        .and(body_json(json!({"model": "m", "input": "x", "dimensions": 256})))
        .respond_with(ok_fixture("createEmbedding"))
        .expect(1)
        .mount(&server)
        .await;

    client(&server).embeddings().create_with(EmbeddingRequest::new("m", "x").dimensions(256)).await.unwrap();
}

#[tokio::test]
async fn a_refused_input_is_a_bad_request_with_the_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "Invalid request",
            "details": {"input": {"_errors": ["Arrays of token IDs are not supported"]}},
            "issues": [{"path": ["input"], "message": "Arrays of token IDs are not supported"}],
        })))
        .mount(&server)
        .await;

    let error = client_with(&server, |b| b.max_retries(0)).embeddings().create("m", "x").await.unwrap_err();

    let api = error.api().expect("an API error");
    assert_eq!(api.status, 400);
    assert_eq!(api.kind, ApiErrorKind::BadRequest);
    assert_eq!(api.message, "Invalid request");
    assert_eq!(api.issues.len(), 1);
}

#[tokio::test]
async fn invalid_arguments_are_refused_before_any_request() {
    let server = MockServer::start().await;
    let embeddings_client = client(&server);
    let embeddings = embeddings_client.embeddings();

    let refusals = [
        embeddings.create("", "x").await.unwrap_err(),
        embeddings.create("m", "").await.unwrap_err(),
        embeddings.create("m", Vec::<String>::new()).await.unwrap_err(),
        embeddings.create_with(EmbeddingRequest::new("m", "x").dimensions(0)).await.unwrap_err(),
    ];

    for error in refusals {
        assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
    }
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn a_keyless_client_is_refused_before_sending() {
    let server = MockServer::start().await;
    let client = Client::builder().without_api_key().base_url(common::base_url(&server)).build().unwrap();

    let error = client.embeddings().create("m", "x").await.unwrap_err();

    assert!(matches!(error, Error::Config(_)), "{error:?}");
    assert!(received(&server).await.is_empty());
}

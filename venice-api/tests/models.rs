//! Each Models call sends the request the spec describes and decodes the answer; none needs a key.

#![cfg(feature = "models")]

mod common;

use common::{authorization, client, client_with, ok_fixture, received};
use serde_json::json;
use venice_api::types::{ListModelCompatibilityMappingType, ListModelsType};
use venice_api::{ApiErrorKind, Client};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BEARER: &str = "Bearer vk-test-5f1c9a0e4b7d2c8a";

fn keyless(server: &MockServer) -> Client {
    Client::builder().without_api_key().base_url(common::base_url(server)).build().unwrap()
}

#[tokio::test]
async fn list_sends_a_get_without_filter_and_decodes_the_models() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/models"))
        .respond_with(ok_fixture("listModels"))
        .expect(1)
        .mount(&server)
        .await;

    let models = client(&server).models().list().await.unwrap();

    assert_eq!(models.data.len(), 2);
    assert_eq!(models.data[0].id, "venice-uncensored");
    let request = &received(&server).await[0];
    assert_eq!(request.url.query(), None);
    assert_eq!(authorization(request).as_deref(), Some(BEARER));
}

#[tokio::test]
async fn list_of_sends_the_type_filter() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/models"))
        .and(query_param("type", "image"))
        .respond_with(ok_fixture("listModels"))
        .expect(1)
        .mount(&server)
        .await;

    client(&server).models().list_of(ListModelsType::Image).await.unwrap();
}

#[tokio::test]
async fn list_works_without_an_api_key_and_sends_none() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/models"))
        .respond_with(ok_fixture("listModels"))
        .expect(1)
        .mount(&server)
        .await;

    keyless(&server).models().list_of(ListModelsType::All).await.unwrap();

    assert_eq!(authorization(&received(&server).await[0]), None);
}

#[tokio::test]
async fn traits_decodes_the_trait_to_model_map() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/models/traits"))
        .respond_with(ok_fixture("listModelTraits"))
        .expect(1)
        .mount(&server)
        .await;

    let traits = keyless(&server).models().traits().await.unwrap();

    assert_eq!(traits.data.get("default").map(String::as_str), Some("venice-uncensored"));
    assert_eq!(traits.data.len(), 3);
    assert_eq!(received(&server).await[0].url.query(), None);
}

#[tokio::test]
async fn traits_of_sends_the_type_filter() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/models/traits"))
        .and(query_param("type", "embedding"))
        .respond_with(ok_fixture("listModelTraits"))
        .expect(1)
        .mount(&server)
        .await;

    client(&server).models().traits_of(ListModelCompatibilityMappingType::Embedding).await.unwrap();
}

#[tokio::test]
async fn compatibility_mapping_decodes_the_name_map() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/models/compatibility_mapping"))
        .respond_with(ok_fixture("listModelCompatibilityMapping"))
        .expect(1)
        .mount(&server)
        .await;

    let mapping = client(&server).models().compatibility_mapping().await.unwrap();

    assert_eq!(mapping.data.get("gpt-4o").map(String::as_str), Some("venice-uncensored"));
    assert_eq!(received(&server).await[0].url.query(), None);
}

#[tokio::test]
async fn compatibility_mapping_of_sends_the_type_filter() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/models/compatibility_mapping"))
        .and(query_param("type", "text"))
        .respond_with(ok_fixture("listModelCompatibilityMapping"))
        .expect(1)
        .mount(&server)
        .await;

    keyless(&server).models().compatibility_mapping_of(ListModelCompatibilityMappingType::Text).await.unwrap();
}

/// The one documented error of the three calls: a 500 with the standard error body.
async fn server_error(call: impl AsyncFnOnce(&Client) -> venice_api::Error) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": "Model catalogue unavailable"})))
        .mount(&server)
        .await;
    let client = client_with(&server, |b| b.max_retries(0));

    let error = call(&client).await;

    let api = error.api().expect("an API error");
    assert_eq!(api.status, 500);
    assert_eq!(api.kind, ApiErrorKind::Server);
    assert_eq!(api.message, "Model catalogue unavailable");
}

#[tokio::test]
async fn list_reports_a_server_error() {
    server_error(async |c| c.models().list().await.unwrap_err()).await;
}

#[tokio::test]
async fn traits_reports_a_server_error() {
    server_error(async |c| c.models().traits().await.unwrap_err()).await;
}

#[tokio::test]
async fn compatibility_mapping_reports_a_server_error() {
    server_error(async |c| c.models().compatibility_mapping().await.unwrap_err()).await;
}

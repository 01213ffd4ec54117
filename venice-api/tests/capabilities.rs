//! Opt-in capability checks: the model list fetched once, and a request refused before it is
//! sent when its model lacks what it uses.

#![cfg(all(feature = "chat", feature = "models"))]

mod common;

use common::{client, client_with, fixture, received};
use serde_json::json;
use venice_api::Error;
use venice_api::capabilities::ModelCatalog;
use venice_api::chat::ChatRequest;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The model list fixture with `venice-uncensored` stated not to support function calling.
fn models_where_uncensored_has_no_tools() -> serde_json::Value {
    let mut models = fixture("listModels");
    let uncensored =
        models["data"].as_array_mut().unwrap().iter_mut().find(|m| m["id"] == "venice-uncensored").unwrap();
    uncensored["model_spec"]["capabilities"]["supportsFunctionCalling"] = json!(false);
    models
}

#[tokio::test]
async fn the_list_is_fetched_once_and_a_missing_capability_is_named() {
    let server = MockServer::start().await;
    let models = models_where_uncensored_has_no_tools();
    Mock::given(method("GET"))
        .and(path("/api/v1/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(models))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let catalog = ModelCatalog::new();

    let plain = ChatRequest::new("venice-uncensored").user("hi");
    catalog.check(&client, &plain).await.unwrap();
    let with_tools = plain.function("get_weather", "Weather of a city", json!({"type": "object"}));
    let refused = catalog.clone().check(&client, &with_tools).await.unwrap_err();

    assert!(
        matches!(&refused, Error::InvalidArgument { argument: "model", reason } if reason.contains("does not support tools")),
        "{refused}"
    );
    let unlisted = ChatRequest::new("an-alias").user("hi").function("f", "d", json!({"type": "object"}));
    catalog.check(&client, &unlisted).await.unwrap();
}

#[tokio::test]
async fn a_client_built_to_check_refuses_a_chat_before_sending_it() {
    let server = MockServer::start().await;
    let models = models_where_uncensored_has_no_tools();
    Mock::given(method("GET"))
        .and(path("/api/v1/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(models))
        .mount(&server)
        .await;
    let client = client_with(&server, |builder| builder.check_capabilities());

    let with_tools = ChatRequest::new("venice-uncensored").user("hi").function("f", "d", json!({"type": "object"}));
    let refused = client.chat().create(with_tools).await.unwrap_err();

    assert!(matches!(&refused, Error::InvalidArgument { argument: "model", .. }), "{refused}");
    let sent = received(&server).await;
    assert!(sent.iter().all(|r| r.url.path() != "/api/v1/chat/completions"), "the chat request was sent");
}

#[tokio::test]
async fn a_client_not_built_to_check_sends_without_fetching_the_model_list() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("createChatCompletion")))
        .mount(&server)
        .await;

    let with_tools = ChatRequest::new("venice-uncensored").user("hi").function("f", "d", json!({"type": "object"}));
    client(&server).chat().create(with_tools).await.unwrap();

    let sent = received(&server).await;
    assert!(sent.iter().all(|r| r.url.path() != "/api/v1/models"), "the model list was fetched");
}

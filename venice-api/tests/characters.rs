//! Each Characters call sends the query the spec describes and decodes the answer.

#![cfg(feature = "characters")]

mod common;

use common::{client, client_with, ok_fixture, received};
use serde_json::json;
use venice_api::characters::CharacterQuery;
use venice_api::types::{ListCharactersSortBy, ListCharactersSortOrder};
use venice_api::{ApiErrorKind, Client, Error};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BEARER: &str = "Bearer vk-test-5f1c9a0e4b7d2c8a";

/// The query pairs of the one request `server` received.
async fn query_of(server: &MockServer) -> Vec<(String, String)> {
    let requests = received(server).await;
    assert_eq!(requests.len(), 1);
    requests[0].url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[tokio::test]
async fn list_without_filters_sends_no_query_and_decodes_the_characters() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/characters"))
        .and(header("authorization", BEARER))
        .respond_with(ok_fixture("listCharacters"))
        .expect(1)
        .mount(&server)
        .await;

    let characters = client(&server).characters().list(CharacterQuery::new()).await.unwrap();

    assert_eq!(characters.data[0].slug, "coach-mira");
    assert_eq!(characters.data[0].name, "Coach Mira");
    assert!(query_of(&server).await.is_empty());
}

#[tokio::test]
async fn list_sends_every_filter_with_the_spec_names() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/characters"))
        .respond_with(ok_fixture("listCharacters"))
        .mount(&server)
        .await;
    let query = CharacterQuery::new()
        .search("#chess")
        .tag("teacher")
        .tag("games")
        .category("education")
        .model_id("venice-uncensored")
        .adult(false)
        .pro(true)
        .web_enabled(true)
        .limit(10)
        .offset(20)
        .sort_by(ListCharactersSortBy::HighestRating)
        .sort_order(ListCharactersSortOrder::Asc);

    client(&server).characters().list(query).await.unwrap();

    let mut sent = query_of(&server).await;
    sent.sort();
    let mut expected = pairs(&[
        ("categories", "education"),
        ("isAdult", "false"),
        ("isPro", "true"),
        ("isWebEnabled", "true"),
        ("limit", "10"),
        ("modelId", "venice-uncensored"),
        ("offset", "20"),
        ("search", "#chess"),
        ("sortBy", "highestRating"),
        ("sortOrder", "asc"),
        ("tags", "teacher"),
        ("tags", "games"),
    ]);
    expected.sort();
    assert_eq!(sent, expected);
}

#[tokio::test]
async fn get_asks_for_the_slug_in_the_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/characters/coach-mira"))
        .and(header("authorization", BEARER))
        .respond_with(ok_fixture("getCharacterBySlug"))
        .expect(1)
        .mount(&server)
        .await;

    let character = client(&server).characters().get("coach-mira").await.unwrap();

    assert_eq!(character.data.slug, "coach-mira");
}

#[tokio::test]
async fn reviews_asks_for_the_first_page_without_paging_parameters() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/characters/coach-mira/reviews"))
        .and(header("authorization", BEARER))
        .respond_with(ok_fixture("getCharacterReviews"))
        .expect(1)
        .mount(&server)
        .await;

    let reviews = client(&server).characters().reviews("coach-mira").await.unwrap();

    assert_eq!(reviews.data.len(), 2);
    assert_eq!(reviews.pagination.total_pages, 1);
    assert_eq!(reviews.summary.total_reviews, 2);
    assert!(query_of(&server).await.is_empty());
}

#[tokio::test]
async fn reviews_page_sends_page_and_page_size() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/characters/coach-mira/reviews"))
        .respond_with(ok_fixture("getCharacterReviews"))
        .mount(&server)
        .await;

    client(&server).characters().reviews_page("coach-mira", 3, 50).await.unwrap();

    assert_eq!(query_of(&server).await, pairs(&[("page", "3"), ("pageSize", "50")]));
}

#[tokio::test]
async fn list_reports_an_authentication_failure() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "Authentication failed"})))
        .mount(&server)
        .await;

    let error = client(&server).characters().list(CharacterQuery::new()).await.unwrap_err();

    let api = error.api().expect("an API error");
    assert_eq!((api.status, api.kind), (401, ApiErrorKind::Unauthorized));
    assert_eq!(api.message, "Authentication failed");
}

#[tokio::test]
async fn get_reports_an_unknown_slug_as_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"error": "Character not found"})))
        .mount(&server)
        .await;

    let error = client(&server).characters().get("nobody").await.unwrap_err();

    let api = error.api().expect("an API error");
    assert_eq!((api.status, api.kind), (404, ApiErrorKind::NotFound));
    assert_eq!(api.message, "Character not found");
}

#[tokio::test]
async fn reviews_reports_a_validation_error_with_its_details() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "Invalid request",
            "details": {"pageSize": {"_errors": ["Number must be less than or equal to 100"]}},
        })))
        .mount(&server)
        .await;

    let error = client_with(&server, |b| b.max_retries(0)).characters().reviews("coach-mira").await.unwrap_err();

    let api = error.api().expect("an API error");
    assert_eq!((api.status, api.kind), (400, ApiErrorKind::BadRequest));
    assert!(api.details.as_ref().unwrap().get("pageSize").is_some());
}

#[tokio::test]
async fn invalid_arguments_are_refused_before_any_request() {
    let server = MockServer::start().await;
    let client = client(&server);
    let characters = client.characters();

    let refusals = [
        characters.list(CharacterQuery::new().limit(0)).await.unwrap_err(),
        characters.list(CharacterQuery::new().limit(500)).await.unwrap_err(),
        characters.get(" ").await.unwrap_err(),
        characters.reviews("").await.unwrap_err(),
        characters.reviews_page("coach-mira", 0, 20).await.unwrap_err(),
        characters.reviews_page("coach-mira", 1, 101).await.unwrap_err(),
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

    let error = client.characters().get("coach-mira").await.unwrap_err();

    assert!(matches!(error, Error::Config(_)), "{error:?}");
    assert!(received(&server).await.is_empty());
}

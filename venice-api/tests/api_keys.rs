//! Each API Keys call sends the request the spec describes and decodes the answer.

#![cfg(feature = "api-keys")]

mod common;

use chrono::{Duration, Utc};
use common::{API_KEY, authorization, client, client_with, ok_fixture, received};
use serde_json::json;
use venice_api::api_keys::{CreateApiKey, UpdateApiKey};
use venice_api::types::{ApiKeyType, LimitPeriod, ModelPrivacy};
use venice_api::{Client, Error, ExposeSecret as _};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BEARER: &str = "Bearer vk-test-5f1c9a0e4b7d2c8a";

#[tokio::test]
async fn list_sends_an_authenticated_get_and_decodes_the_keys() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/api_keys"))
        .and(header("authorization", BEARER))
        .respond_with(ok_fixture("getApiKeys"))
        .expect(1)
        .mount(&server)
        .await;

    let keys = client(&server).api_keys().list().await.unwrap();

    assert_eq!(keys.data.len(), 3);
    assert_eq!(keys.data[0].api_key_type, ApiKeyType::Admin);
    assert_eq!(keys.data[0].last6_chars, "2V2jNW");
}

#[tokio::test]
async fn create_sends_the_documented_body_and_returns_the_secret() {
    let server = MockServer::start().await;
    let expires = (Utc::now() + Duration::days(30)).date_naive().and_hms_opt(12, 0, 0).unwrap().and_utc();
    Mock::given(method("POST"))
        .and(path("/api/v1/api_keys"))
        .and(header("authorization", BEARER))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "apiKeyType": "INFERENCE",
            "description": "nightly batch",
            "consumptionLimit": {"usd": 10.0, "diem": 2.5},
            "limitPeriod": "MONTH",
            "expiresAt": expires.format("%Y-%m-%dT12:00:00.000Z").to_string(),
            "modelPrivacy": "PRIVATE_TEXT",
        })))
        .respond_with(ok_fixture("createApiKey"))
        .expect(1)
        .mount(&server)
        .await;

    let created = client(&server)
        .api_keys()
        .create(
            CreateApiKey::inference("nightly batch")
                .consumption_limit_usd(10.0)
                .consumption_limit_diem(2.5)
                .limit_period(LimitPeriod::Month)
                .expires_at(expires)
                .model_privacy(ModelPrivacy::PrivateText),
        )
        .await
        .unwrap();

    assert_eq!(created.api_key.expose_secret(), "OlyY6PXofO18OF7AeVtqR8cHdz8M7vCfdocGLRp6mGquaJ");
    assert_eq!(created.id, "e28e82dc-9df2-4b47-b726-d0a222ef2ab5");
    assert_eq!(created.limit_period, Some(LimitPeriod::Month));
}

/// The create answer of the seed page, a field at a time broken as a server that changed
/// could send it: the key is created, and the caller gets it.
fn seed_create_answer() -> serde_json::Value {
    json!({
        "data": {
            "apiKey": "vk-created-3b9f2e71c4d8a605",
            "apiKeyType": "ADMIN",
            "consumptionLimit": {"usd": 50, "diem": 10, "vcu": 30},
            "limitPeriod": "MONTH",
            "expiresAt": "2023-10-01T12:00:00.000Z",
            "id": "e28e82dc-9df2-4b47-b726-d0a222ef2ab5",
            "description": "Example API Key"
        },
        "success": true
    })
}

#[tokio::test]
async fn create_gives_the_key_when_other_fields_of_the_answer_do_not_decode() {
    let breakages: [(&str, serde_json::Value); 4] = [
        ("apiKeyType", json!("SUPERUSER")),
        ("consumptionLimit", json!("fifty dollars")),
        ("limitPeriod", json!(7)),
        ("expiresAt", json!({"date": "never"})),
    ];
    for (field, broken) in breakages {
        let server = MockServer::start().await;
        let mut answer = seed_create_answer();
        answer["data"][field] = broken.clone();
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
            .expect(1)
            .mount(&server)
            .await;

        let created = client(&server).api_keys().create(CreateApiKey::admin("ops")).await;

        let created = created.unwrap_or_else(|e| panic!("{field}: {e}"));
        assert_eq!(created.api_key.expose_secret(), "vk-created-3b9f2e71c4d8a605", "{field}");
        assert_eq!(created.id, "e28e82dc-9df2-4b47-b726-d0a222ef2ab5", "{field}");
        assert_eq!(created.fields[field], broken, "{field} is kept as sent");
        assert_eq!(created.description.as_deref(), Some("Example API Key"), "{field}");
    }
}

#[tokio::test]
async fn a_create_answer_without_an_id_is_a_decode_error_that_keeps_the_whole_body() {
    let server = MockServer::start().await;
    let mut answer = seed_create_answer();
    answer["data"].as_object_mut().unwrap().remove("id");
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&answer).insert_header("x-request-id", "req-7"))
        .mount(&server)
        .await;

    let error = client(&server).api_keys().create(CreateApiKey::admin("ops")).await.unwrap_err();

    assert!(matches!(error, Error::Decode { status: Some(200), .. }), "{error:?}");
    let raw = error.raw_body().expect("the body of a creating call is kept");
    let raw: serde_json::Value = serde_json::from_slice(raw.expose_secret()).unwrap();
    assert_eq!(raw["data"]["apiKey"], "vk-created-3b9f2e71c4d8a605");
}

#[tokio::test]
async fn a_truncated_create_answer_keeps_the_bytes_that_came() {
    let server = MockServer::start().await;
    let whole = seed_create_answer().to_string();
    let cut = &whole[..whole.find("vk-created").unwrap() + 16];
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(cut.to_owned(), "application/json"))
        .mount(&server)
        .await;

    let error = client(&server).api_keys().create(CreateApiKey::admin("ops")).await.unwrap_err();

    assert_eq!(error.raw_body().expect("kept").expose_secret(), cut.as_bytes());
}

#[tokio::test]
async fn a_decode_error_of_a_call_that_creates_nothing_keeps_no_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"data\": 5}"))
        .mount(&server)
        .await;

    let error = client(&server).api_keys().list().await.unwrap_err();

    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(error.raw_body().is_none());
}

#[tokio::test]
async fn create_with_only_the_required_fields_sends_only_them() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/api_keys"))
        .and(body_json(json!({"apiKeyType": "ADMIN", "description": "ops"})))
        .respond_with(ok_fixture("createApiKey"))
        .expect(1)
        .mount(&server)
        .await;

    client(&server).api_keys().create(CreateApiKey::admin("ops")).await.unwrap();
}

#[tokio::test]
async fn get_asks_for_the_key_by_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/api_keys/e28e82dc-9df2-4b47-b726-d0a222ef2ab5"))
        .and(header("authorization", BEARER))
        .respond_with(ok_fixture("getApiKeyById"))
        .expect(1)
        .mount(&server)
        .await;

    let key = client(&server).api_keys().get("e28e82dc-9df2-4b47-b726-d0a222ef2ab5").await.unwrap();

    assert_eq!(key.data.id, "e28e82dc-9df2-4b47-b726-d0a222ef2ab5");
}

#[tokio::test]
async fn update_sends_a_patch_with_only_the_changed_fields() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/api/v1/api_keys"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({"id": "e28e82dc", "description": "renamed", "limitPeriod": "LIFETIME"})))
        .respond_with(ok_fixture("updateApiKey"))
        .expect(1)
        .mount(&server)
        .await;

    let updated = client(&server)
        .api_keys()
        .update(UpdateApiKey::new("e28e82dc").description("renamed").limit_period(LimitPeriod::Lifetime))
        .await
        .unwrap();

    assert!(updated.success);
}

#[tokio::test]
async fn delete_sends_the_id_as_a_query_parameter() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/api_keys"))
        .and(query_param("id", "e28e82dc"))
        .and(header("authorization", BEARER))
        .respond_with(ok_fixture("deleteApiKey"))
        .expect(1)
        .mount(&server)
        .await;

    let deleted = client(&server).api_keys().delete("e28e82dc").await.unwrap();

    assert!(deleted.success);
}

#[tokio::test]
async fn rate_limits_decodes_tier_and_balances() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/api_keys/rate_limits"))
        .and(header("authorization", BEARER))
        .respond_with(ok_fixture("getApiKeyRateLimits"))
        .expect(1)
        .mount(&server)
        .await;

    let limits = client(&server).api_keys().rate_limits().await.unwrap();

    assert!(!limits.data.rate_limits.is_empty());
}

#[tokio::test]
async fn rate_limit_logs_decodes_the_entries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/api_keys/rate_limits/log"))
        .and(header("authorization", BEARER))
        .respond_with(ok_fixture("getApiKeyRateLimitLogs"))
        .expect(1)
        .mount(&server)
        .await;

    let logs = client(&server).api_keys().rate_limit_logs().await.unwrap();

    assert!(!logs.data.is_empty());
}

#[tokio::test]
async fn a_success_exposes_status_rate_limits_and_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/api_keys"))
        .respond_with(
            ok_fixture("getApiKeys")
                .insert_header("x-ratelimit-limit-requests", "500")
                .insert_header("x-ratelimit-remaining-requests", "499")
                .insert_header("x-ratelimit-reset-requests", "1767225600")
                .insert_header("x-ratelimit-remaining-tokens", "1000000")
                .insert_header("x-request-id", "req-123"),
        )
        .mount(&server)
        .await;

    let keys = client(&server).api_keys().list().await.unwrap();

    assert_eq!(keys.status(), 200);
    assert_eq!(keys.rate_limits().limit_requests, Some(500));
    assert_eq!(keys.rate_limits().remaining_requests, Some(499));
    assert_eq!(keys.rate_limits().reset_requests, Some(1_767_225_600));
    assert_eq!(keys.rate_limits().remaining_tokens, Some(1_000_000));
    assert_eq!(keys.request_id(), Some("req-123"));
}

#[tokio::test]
async fn every_request_carries_the_user_agent_and_default_headers() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ok_fixture("getApiKeys")).mount(&server).await;
    let client = client_with(&server, |b| b.user_agent_suffix("my-agent/1.2").default_header("x-team", "research"));

    client.api_keys().list().await.unwrap();

    let request = &received(&server).await[0];
    let user_agent = request.headers.get("user-agent").unwrap().to_str().unwrap();
    assert_eq!(user_agent, format!("venice-api/{} my-agent/1.2", env!("CARGO_PKG_VERSION")));
    assert_eq!(request.headers.get("x-team").unwrap(), "research");
}

#[tokio::test]
async fn raw_generated_calls_share_the_key_headers_and_policy() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/api_keys/rate_limits/log"))
        .respond_with(ok_fixture("getApiKeyRateLimitLogs"))
        .mount(&server)
        .await;
    let client = client_with(&server, |b| b.default_header("x-team", "research"));

    let raw = client.raw().get_api_key_rate_limit_logs().send().await.unwrap();
    let decoded = client.call(|raw| raw.get_api_key_rate_limit_logs().send()).await.unwrap();

    assert_eq!(raw.into_inner(), decoded.into_body());
    for request in received(&server).await {
        assert_eq!(authorization(&request).as_deref(), Some(BEARER));
        assert_eq!(request.headers.get("x-team").unwrap(), "research");
    }
}

#[tokio::test]
async fn calls_that_need_a_key_fail_before_sending_on_a_keyless_client() {
    let server = MockServer::start().await;
    let client = Client::builder().without_api_key().base_url(common::base_url(&server)).build().unwrap();

    let error = client.api_keys().list().await.unwrap_err();

    assert!(matches!(error, Error::Config(ref message) if message.contains("API key")), "{error}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn invalid_arguments_are_refused_before_any_request() {
    let server = MockServer::start().await;
    let client = client(&server);
    let keys = client.api_keys();

    let refusals = [
        keys.create(CreateApiKey::inference("")).await.unwrap_err(),
        keys.create(CreateApiKey::inference("k").consumption_limit_usd(-5.0)).await.unwrap_err(),
        keys.create(CreateApiKey::inference("k").expires_at(Utc::now() - Duration::hours(1))).await.unwrap_err(),
        keys.get("").await.unwrap_err(),
        keys.delete(" ").await.unwrap_err(),
    ];

    for error in refusals {
        assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
    }
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn the_api_key_never_reaches_debug_or_error_text() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "Authentication failed"})))
        .mount(&server)
        .await;
    let client = client(&server);

    let error = client.api_keys().list().await.unwrap_err();

    for text in [format!("{client:?}"), format!("{error}"), format!("{error:?}")] {
        assert!(!text.contains(API_KEY), "{text}");
    }
}

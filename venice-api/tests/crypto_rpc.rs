//! Each Crypto RPC call sends the request the spec describes and decodes the answer.

#![cfg(feature = "crypto-rpc")]

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::{authorization, client, client_with, ok_fixture, received};
use serde_json::json;
use venice_api::crypto_rpc::RpcCall;
use venice_api::types::CryptoRpcProxyResponse;
use venice_api::{ApiErrorKind, Error};
use wiremock::matchers::{body_json, header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BEARER: &str = "Bearer vk-test-5f1c9a0e4b7d2c8a";

fn api(error: &Error) -> &venice_api::ApiError {
    error.api().unwrap_or_else(|| panic!("expected an API error, got {error:?}"))
}

#[tokio::test]
async fn networks_sends_a_get_without_the_key_and_decodes_the_slugs() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/crypto/rpc/networks"))
        .respond_with(ok_fixture("listCryptoRpcNetworks"))
        .expect(1)
        .mount(&server)
        .await;

    let networks = client(&server).crypto_rpc().networks().await.unwrap();

    assert_eq!(networks.networks, ["arbitrum-mainnet", "base-mainnet", "ethereum-mainnet"]);
    assert_eq!(authorization(&received(&server).await[0]), None, "the spec says it needs no authentication");
}

#[tokio::test]
async fn networks_failing_is_a_server_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/crypto/rpc/networks"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": "Internal error"})))
        .mount(&server)
        .await;

    let error = client_with(&server, |b| b.max_retries(0)).crypto_rpc().networks().await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::Server);
    assert_eq!(api(&error).message, "Internal error");
}

#[tokio::test]
async fn call_sends_a_json_rpc_request_and_returns_the_answer_with_its_billing() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/crypto/rpc/ethereum-mainnet"))
        .and(header("authorization", BEARER))
        .and(header("idempotency-key", "order-42"))
        .and(body_json(json!({"jsonrpc": "2.0", "id": 7, "method": "eth_getBalance", "params": ["0xabc", "latest"]})))
        .respond_with(
            ok_fixture("cryptoRpcProxy")
                .insert_header("x-venice-rpc-credits", "20")
                .insert_header("x-venice-rpc-cost-usd", "0.00002")
                .insert_header("idempotent-replayed", "true"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let call = RpcCall::new("eth_getBalance", vec![json!("0xabc"), json!("latest")]).id(7).idempotency_key("order-42");
    let answer = client(&server).crypto_rpc().call("ethereum-mainnet", call).await.unwrap();

    assert_eq!(answer.result(), Some(&json!("0x12a05f200")));
    assert_eq!(answer.credits, Some(20));
    assert_eq!(answer.cost_usd.as_deref(), Some("0.00002"));
    assert!(answer.replayed);
    assert_eq!(answer.balance_remaining_usd, None);
}

#[tokio::test]
async fn a_batch_numbers_its_requests_and_decodes_each_answer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/crypto/rpc/base-mainnet"))
        .and(body_json(json!([
            {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"},
            {"jsonrpc": "2.0", "id": 2, "method": "eth_getBlockByNumber", "params": ["latest", false]},
        ])))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"jsonrpc": "2.0", "id": 1, "result": "0x2105"},
            {"jsonrpc": "2.0", "id": 2, "error": {"code": -32000, "message": "header not found"}},
        ])))
        .expect(1)
        .mount(&server)
        .await;

    let call = RpcCall::batch([("eth_chainId", vec![]), ("eth_getBlockByNumber", vec![json!("latest"), json!(false)])]);
    let answer = client(&server).crypto_rpc().call("base-mainnet", call).await.unwrap();

    let CryptoRpcProxyResponse::Array(items) = &answer.body else { panic!("expected a batch answer") };
    assert_eq!(items[0].result, Some(json!("0x2105")));
    assert_eq!(items[1].error.as_ref().unwrap().code, Some(-32000));
}

#[tokio::test]
async fn every_call_carries_an_idempotency_key_and_retries_repeat_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/crypto/rpc/ethereum-mainnet"))
        .respond_with(common::Sequence::new([
            ResponseTemplate::new(503).insert_header("retry-after", "0"),
            ok_fixture("cryptoRpcProxy"),
        ]))
        .expect(2)
        .mount(&server)
        .await;

    let client = client_with(&server, |b| b.max_retries(1).timeout(Duration::from_secs(2)));
    client.crypto_rpc().call("ethereum-mainnet", RpcCall::new("eth_blockNumber", vec![])).await.unwrap();

    let keys: Vec<_> = received(&server)
        .await
        .iter()
        .map(|r| r.headers.get("idempotency-key").expect("a key on every attempt").to_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "a retry must send the same key");
    assert!(keys[0].len() >= 16 && keys[0].bytes().all(|b| b.is_ascii_alphanumeric()), "{}", keys[0]);
}

#[tokio::test]
async fn an_unsupported_method_is_a_bad_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/crypto/rpc/ethereum-mainnet"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "Method debug_traceTransaction is not supported"})),
        )
        .mount(&server)
        .await;

    let error = client(&server)
        .crypto_rpc()
        .call("ethereum-mainnet", RpcCall::new("debug_traceTransaction", vec![json!("0x1")]))
        .await
        .unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::BadRequest);
    assert_eq!(api(&error).message, "Method debug_traceTransaction is not supported");
}

#[tokio::test]
async fn a_402_with_a_payment_required_header_carries_the_decoded_requirements() {
    let server = MockServer::start().await;
    let requirements = json!({
        "x402Version": 2,
        "resource": {"url": "https://api.venice.ai/api/v1/crypto/rpc/base-mainnet", "description": "Crypto RPC", "mimeType": "application/json"},
        "accepts": [{
            "scheme": "exact", "network": "eip155:8453", "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
            "amount": "1000", "payTo": "0x45b73055f3adcc4577bb709db10b19d11b5c94ee", "maxTimeoutSeconds": 300, "extra": {}
        }]
    });
    let header = base64::engine::general_purpose::STANDARD.encode(requirements.to_string());
    Mock::given(method("POST"))
        .and(path("/api/v1/crypto/rpc/base-mainnet"))
        .and(header_exists("idempotency-key"))
        .respond_with(
            ResponseTemplate::new(402)
                .insert_header("PAYMENT-REQUIRED", header.as_str())
                .set_body_json(json!({"error": "Insufficient balance"})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let error =
        client(&server).crypto_rpc().call("base-mainnet", RpcCall::new("eth_chainId", vec![])).await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::PaymentRequired);
    assert_eq!(api(&error).message, "Insufficient balance");
    let requirements = error.payment_requirements().expect("decoded from the header");
    assert_eq!(requirements.version(), Some(2));
    assert_eq!(requirements.accepts[0].pay_to, "0x45b73055f3adcc4577bb709db10b19d11b5c94ee");
    assert_eq!(requirements.accepts[0].amount, "1000");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_malformed_idempotency_key_is_refused_before_sending() {
    let server = MockServer::start().await;

    let call = RpcCall::new("eth_chainId", vec![]).idempotency_key("has spaces");
    let error = client(&server).crypto_rpc().call("ethereum-mainnet", call).await.unwrap_err();

    assert!(matches!(error, Error::InvalidArgument { argument: "idempotency_key", .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

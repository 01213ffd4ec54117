//! Each x402 call sends the request the spec describes, without the API key, and decodes
//! the answer.

#![cfg(feature = "x402")]

mod common;

use base64::Engine as _;
use common::{authorization, client, client_with, ok_fixture, received};
use serde_json::json;
use venice_api::x402::TransactionsPage;
use venice_api::{ApiErrorKind, Error};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const WALLET: &str = "0x45b73055f3adcc4577bb709db10b19d11b5c94ee";
const SIGN_IN: &str = "eyJhZGRyZXNzIjoiMHg0NWI3In0=";

fn api(error: &Error) -> &venice_api::ApiError {
    error.api().unwrap_or_else(|| panic!("expected an API error, got {error:?}"))
}

#[tokio::test]
async fn balance_sends_the_sign_in_and_not_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/x402/balance/{WALLET}")))
        .and(header("sign-in-with-x", SIGN_IN))
        .respond_with(ok_fixture("getX402Balance"))
        .expect(1)
        .mount(&server)
        .await;

    let balance = client(&server).x402().balance(WALLET, SIGN_IN).await.unwrap();

    assert_eq!(balance.data.balance_usd, 4.23);
    assert!(balance.data.can_consume);
    assert_eq!(authorization(&received(&server).await[0]), None);
}

#[tokio::test]
async fn balance_of_another_wallet_is_forbidden() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": "Wallet mismatch"})))
        .mount(&server)
        .await;

    let error = client(&server).x402().balance(WALLET, SIGN_IN).await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::Forbidden);
    assert_eq!(api(&error).message, "Wallet mismatch");
}

#[tokio::test]
async fn a_malformed_wallet_address_is_refused_before_sending() {
    let server = MockServer::start().await;

    // Mixed case with a wrong EIP-55 checksum: most likely a typo.
    let error =
        client(&server).x402().balance("0x45B73055f3adcc4577bb709db10b19d11b5c94ee", SIGN_IN).await.unwrap_err();

    assert!(matches!(error, Error::InvalidArgument { argument: "wallet_address", .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn transactions_sends_the_page_and_decodes_the_history() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/x402/transactions/{WALLET}")))
        .and(header("sign-in-with-x", SIGN_IN))
        .and(query_param("limit", "20"))
        .and(query_param("offset", "40"))
        .respond_with(ok_fixture("getX402Transactions"))
        .expect(1)
        .mount(&server)
        .await;

    let page = TransactionsPage::new().limit(20).offset(40);
    let history = client(&server).x402().transactions(WALLET, SIGN_IN, page).await.unwrap();

    assert_eq!(history.data.transactions.len(), 2);
    assert_eq!(history.data.transactions[1].model_id.as_deref(), Some("venice-uncensored"));
    assert!(!history.data.pagination.has_more);
    assert_eq!(authorization(&received(&server).await[0]), None);
}

#[tokio::test]
async fn transactions_with_a_bad_sign_in_are_unauthorized() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "Invalid SIWX header"})))
        .mount(&server)
        .await;

    let error = client(&server).x402().transactions(WALLET, "bad", TransactionsPage::new()).await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::Unauthorized);
    assert_eq!(api(&error).message, "Invalid SIWX header");
}

#[tokio::test]
async fn top_up_requirements_return_the_payments_of_the_402() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/x402/top-up"))
        .and(body_json(json!({})))
        .respond_with(ResponseTemplate::new(402).set_body_json(json!({
            "x402Version": 2,
            "accepts": [
                {"scheme": "exact", "network": "eip155:8453", "amount": "5000000", "asset": "0x8335", "payTo": WALLET, "maxTimeoutSeconds": 300},
                {"scheme": "exact", "network": "solana:mainnet", "amount": "5000000", "asset": "EPjF", "payTo": "9xQe", "maxTimeoutSeconds": 300, "extra": {"feePayer": "Fee1"}}
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;

    let requirements = client(&server).x402().top_up_requirements().await.unwrap();

    assert_eq!(requirements.accepts.len(), 2);
    assert_eq!(requirements.accepts[0].network, "eip155:8453");
    assert_eq!(requirements.accepts[1].extra["feePayer"], "Fee1");
    let request = &received(&server).await[0];
    assert_eq!(authorization(request), None);
    assert!(request.headers.get("payment-signature").is_none());
}

#[tokio::test]
async fn top_up_sends_the_signed_payment_and_decodes_the_receipt() {
    let server = MockServer::start().await;
    let receipt = base64::engine::general_purpose::STANDARD.encode(r#"{"success":true,"transaction":"0xfeed"}"#);
    Mock::given(method("POST"))
        .and(path("/api/v1/x402/top-up"))
        .and(header("payment-signature", "c2lnbmVk"))
        .and(body_json(json!({})))
        .respond_with(ok_fixture("topUpX402Balance").insert_header("PAYMENT-RESPONSE", receipt.as_str()))
        .expect(1)
        .mount(&server)
        .await;

    let top_up = client(&server).x402().top_up("c2lnbmVk").await.unwrap();

    assert_eq!(top_up.body.data.amount_credited, 10.0);
    assert_eq!(top_up.body.data.payment_id, "pay_9f8e7d6c");
    assert_eq!(top_up.receipt.as_ref().unwrap()["transaction"], "0xfeed");
    assert_eq!(authorization(&received(&server).await[0]), None);
}

#[tokio::test]
async fn a_failed_top_up_is_not_retried_because_it_may_have_settled() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/x402/top-up"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("retry-after", "0")
                .set_body_json(json!({"error": "SETTLEMENT_FAILED", "message": "Settlement failed"})),
        )
        .mount(&server)
        .await;

    let error = client_with(&server, |b| b.max_retries(2)).x402().top_up("c2lnbmVk").await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::Server);
    assert!(api(&error).body_excerpt.contains("Settlement failed"));
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn an_empty_payment_signature_is_refused_before_sending() {
    let server = MockServer::start().await;

    let error = client(&server).x402().top_up(" ").await.unwrap_err();

    assert!(matches!(error, Error::InvalidArgument { argument: "payment_signature", .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

//! Minting a key with a wallet: token, signature, proof, and the documented refusals.

#![cfg(feature = "api-keys")]

mod common;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Sequence, authorization, base_url, client, fixture, ok_fixture, received};
use serde_json::{Value, json};
use venice_api::types::{ApiKeyType, LimitPeriod};
use venice_api::web3::{Address, LocalSigner, Signature, WalletSigner};
use venice_api::{ApiErrorKind, Client, Error, ExposeSecret as _, WalletRejection};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Hardhat/Anvil account #0: a published test key, never used for funds.
const WALLET_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

fn wallet() -> LocalSigner {
    LocalSigner::from_hex(WALLET_KEY).unwrap()
}

/// Hands out numbered tokens, like Venice's short-lived JWTs.
#[derive(Default)]
struct Tokens(AtomicUsize);

impl Respond for Tokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .set_body_json(json!({"data": {"token": format!("eyJhbGciOiJIUzI1NiJ9.token-{n}.sig")}, "success": true}))
    }
}

/// Accepts a proof only when the signature of the token recovers to the address sent.
#[derive(Default)]
struct VerifyingMinter {
    proofs: Mutex<Vec<Value>>,
}

impl Respond for VerifyingMinter {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        self.proofs.lock().unwrap().push(body.clone());
        let token = body["token"].as_str().unwrap();
        let address: Address = body["address"].as_str().unwrap().parse().unwrap();
        let signature: Signature = body["signature"].as_str().unwrap().parse().unwrap();
        match signature.recover_address(token.as_bytes()) {
            Ok(signer) if signer == address => ok_fixture("postApiKeyGenerateWeb3Key"),
            _ => ResponseTemplate::new(400).set_body_json(json!({"error": "Wallet signature does not match"})),
        }
    }
}

async fn mount_tokens(server: &MockServer) {
    Mock::given(method("GET")).respond_with(Tokens::default()).mount(server).await;
}

async fn mount_minter(server: &MockServer, answers: Vec<ResponseTemplate>) {
    Mock::given(method("POST")).respond_with(Sequence::new(answers)).mount(server).await;
}

fn refusal(message: &str) -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(json!({"error": message}))
}

fn keyless(server: &MockServer) -> Client {
    Client::builder().without_api_key().base_url(base_url(server)).build().unwrap()
}

fn count(requests: &[Request], verb: &str) -> usize {
    requests.iter().filter(|r| r.method.as_str() == verb).count()
}

#[tokio::test]
async fn mint_signs_the_token_and_sends_a_proof_that_recovers_to_the_wallet() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    Mock::given(method("POST")).respond_with(VerifyingMinter::default()).expect(1).mount(&server).await;

    let minted = keyless(&server)
        .api_keys()
        .mint_with_wallet(&wallet(), ApiKeyType::Inference)
        .description("research agent")
        .limit_period(LimitPeriod::Month)
        .consumption_limit_diem(5.0)
        .send()
        .await
        .unwrap();

    assert_eq!(minted.api_key.expose_secret(), fixture("postApiKeyGenerateWeb3Key")["data"]["apiKey"]);
    let requests = received(&server).await;
    assert_eq!(requests[0].url.path(), "/api/v1/api_keys/generate_web3_key");
    assert_eq!(requests[1].url.path(), "/api/v1/api_keys/generate_web3_key");
    let proof: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(proof["address"], "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    assert_eq!(proof["token"], "eyJhbGciOiJIUzI1NiJ9.token-1.sig");
    assert_eq!(proof["apiKeyType"], "INFERENCE");
    assert_eq!(proof["description"], "research agent");
    assert_eq!(proof["limitPeriod"], "MONTH");
    assert_eq!(proof["consumptionLimit"], json!({"diem": 5.0}));
}

/// The mint answer as the seed page documents it: the fields of `data` it lists, and no
/// `modelPrivacy` (which the published spec later made required).
fn seed_mint_answer() -> Value {
    json!({
        "data": {
            "apiKey": "vk-minted-8d41c07be2f95a36",
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
async fn a_mint_answered_as_the_seed_page_documents_gives_the_key() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    mount_minter(&server, vec![ResponseTemplate::new(200).set_body_json(seed_mint_answer())]).await;

    let minted = keyless(&server).api_keys().mint_with_wallet(&wallet(), ApiKeyType::Admin).send().await.unwrap();

    assert_eq!(minted.api_key.expose_secret(), "vk-minted-8d41c07be2f95a36");
    assert_eq!(minted.id, "e28e82dc-9df2-4b47-b726-d0a222ef2ab5");
    assert_eq!(minted.api_key_type, Some(ApiKeyType::Admin));
    assert_eq!(minted.model_privacy, None);
}

#[tokio::test]
async fn a_mint_answer_with_a_field_of_an_unknown_shape_still_gives_the_key() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    let mut answer = seed_mint_answer();
    answer["data"]["consumptionLimit"] = json!([50, 10]);
    mount_minter(&server, vec![ResponseTemplate::new(200).set_body_json(&answer)]).await;

    let minted = keyless(&server).api_keys().mint_with_wallet(&wallet(), ApiKeyType::Admin).send().await.unwrap();

    assert_eq!(minted.api_key.expose_secret(), "vk-minted-8d41c07be2f95a36");
    assert_eq!(minted.consumption_limit, None);
    assert_eq!(minted.fields["consumptionLimit"], json!([50, 10]));
}

#[tokio::test]
async fn a_mint_answer_without_a_secret_is_a_decode_error_that_keeps_the_whole_body() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    let mut answer = seed_mint_answer();
    answer["data"]["apiKey"] = json!(null);
    mount_minter(&server, vec![ResponseTemplate::new(200).set_body_json(&answer)]).await;

    let error = keyless(&server).api_keys().mint_with_wallet(&wallet(), ApiKeyType::Admin).send().await.unwrap_err();

    let raw: Value =
        serde_json::from_slice(error.raw_body().expect("the body of a mint is kept").expose_secret()).unwrap();
    assert_eq!(raw["data"]["id"], "e28e82dc-9df2-4b47-b726-d0a222ef2ab5");
}

#[tokio::test]
async fn mint_sends_no_bearer_key_even_from_a_client_that_has_one() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    mount_minter(&server, vec![ok_fixture("postApiKeyGenerateWeb3Key")]).await;

    client(&server).api_keys().mint_with_wallet(&wallet(), ApiKeyType::Admin).send().await.unwrap();

    for request in received(&server).await {
        assert_eq!(authorization(&request), None, "{} {}", request.method, request.url);
    }
}

#[tokio::test]
async fn mint_uses_venices_default_description() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    mount_minter(&server, vec![ok_fixture("postApiKeyGenerateWeb3Key")]).await;

    keyless(&server).api_keys().mint_with_wallet(&wallet(), ApiKeyType::Inference).send().await.unwrap();

    let proof: Value = serde_json::from_slice(&received(&server).await[1].body).unwrap();
    assert_eq!(proof["description"], "Web3 API Key");
}

#[tokio::test]
async fn an_expired_token_is_replaced_once_and_the_mint_succeeds() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    mount_minter(&server, vec![refusal("JWT has expired"), ok_fixture("postApiKeyGenerateWeb3Key")]).await;

    keyless(&server).api_keys().mint_with_wallet(&wallet(), ApiKeyType::Inference).send().await.unwrap();

    let requests = received(&server).await;
    assert_eq!((count(&requests, "GET"), count(&requests, "POST")), (2, 2));
    let second: Value = serde_json::from_slice(&requests[3].body).unwrap();
    assert_eq!(second["token"], "eyJhbGciOiJIUzI1NiJ9.token-2.sig", "the fresh token is the one signed");
}

#[tokio::test]
async fn a_token_that_expires_twice_is_reported() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    mount_minter(&server, vec![refusal("JWT has expired")]).await;

    let error =
        keyless(&server).api_keys().mint_with_wallet(&wallet(), ApiKeyType::Inference).send().await.unwrap_err();

    assert_eq!(error.wallet_rejection(), Some(WalletRejection::TokenExpired));
    let requests = received(&server).await;
    assert_eq!((count(&requests, "GET"), count(&requests, "POST")), (2, 2));
}

#[tokio::test]
async fn a_token_venice_did_not_issue_is_replaced_once_and_the_mint_succeeds() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    mount_minter(&server, vec![refusal("JWT signature is invalid"), ok_fixture("postApiKeyGenerateWeb3Key")]).await;

    keyless(&server).api_keys().mint_with_wallet(&wallet(), ApiKeyType::Inference).send().await.unwrap();

    let requests = received(&server).await;
    assert_eq!((count(&requests, "GET"), count(&requests, "POST")), (2, 2));
    let second: Value = serde_json::from_slice(&requests[3].body).unwrap();
    assert_eq!(second["token"], "eyJhbGciOiJIUzI1NiJ9.token-2.sig", "the fresh token is the one signed");
}

#[tokio::test]
async fn an_expired_then_foreign_token_share_the_one_refresh() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    mount_minter(&server, vec![refusal("JWT has expired"), refusal("JWT signature is invalid")]).await;

    let error =
        keyless(&server).api_keys().mint_with_wallet(&wallet(), ApiKeyType::Inference).send().await.unwrap_err();

    assert_eq!(error.wallet_rejection(), Some(WalletRejection::TokenSignatureInvalid));
    let requests = received(&server).await;
    assert_eq!((count(&requests, "GET"), count(&requests, "POST")), (2, 2));
}

#[tokio::test]
async fn an_unverifiable_signature_is_sent_again_after_a_backoff() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    mount_minter(&server, vec![refusal("Could not verify wallet signature"), ok_fixture("postApiKeyGenerateWeb3Key")])
        .await;

    keyless(&server).api_keys().mint_with_wallet(&wallet(), ApiKeyType::Inference).send().await.unwrap();

    let requests = received(&server).await;
    assert_eq!((count(&requests, "GET"), count(&requests, "POST")), (1, 2));
}

#[tokio::test]
async fn each_documented_refusal_is_a_typed_error_and_is_not_retried() {
    // The documented refusals a fresh token or another attempt cannot cure.
    let cases = [
        ("Invalid wallet address", WalletRejection::InvalidAddress),
        ("JWT claims are invalid", WalletRejection::TokenClaimsInvalid),
        ("JWT is malformed", WalletRejection::TokenMalformed),
        ("Wallet signature does not match", WalletRejection::SignatureMismatch),
        ("Wallet has no staked VVV on Base", WalletRejection::NotStaked),
    ];
    for (message, rejection) in cases {
        let server = MockServer::start().await;
        mount_tokens(&server).await;
        mount_minter(&server, vec![refusal(message)]).await;

        let error =
            keyless(&server).api_keys().mint_with_wallet(&wallet(), ApiKeyType::Inference).send().await.unwrap_err();

        assert_eq!(error.api().unwrap().kind, ApiErrorKind::Wallet(rejection), "{message}");
        assert_eq!(count(&received(&server).await, "POST"), 1, "{message}");
    }
}

#[tokio::test]
async fn a_server_error_on_the_proof_is_not_retried() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    mount_minter(&server, vec![ResponseTemplate::new(500).set_body_json(json!({"error": "boom"}))]).await;

    let error =
        keyless(&server).api_keys().mint_with_wallet(&wallet(), ApiKeyType::Inference).send().await.unwrap_err();

    assert_eq!(error.status(), Some(500));
    assert_eq!(count(&received(&server).await, "POST"), 1, "a retried mint could make a second key");
}

#[tokio::test]
async fn bad_arguments_are_refused_before_the_token_is_fetched() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;

    let error = keyless(&server)
        .api_keys()
        .mint_with_wallet(&wallet(), ApiKeyType::Inference)
        .consumption_limit_usd(-1.0)
        .send()
        .await
        .unwrap_err();

    assert!(matches!(error, Error::InvalidArgument { argument: "consumption_limit_usd", .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn any_wallet_signer_can_mint() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    Mock::given(method("POST")).respond_with(VerifyingMinter::default()).mount(&server).await;
    let signer: std::sync::Arc<dyn WalletSigner> = std::sync::Arc::new(wallet());

    keyless(&server).api_keys().mint_with_wallet(signer.as_ref(), ApiKeyType::Inference).send().await.unwrap();
}

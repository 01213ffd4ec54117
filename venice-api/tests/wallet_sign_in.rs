//! A client with only a wallet calls the operations whose security takes a wallet sign-in
//! (`SIGN-IN-WITH-X`) instead of the key: a fresh, verifiable sign-in per request, never an
//! `Authorization` header, one fresh sign-in after a 401, and a refusal before sending for the
//! operations that need the key. The mock server checks each sign-in on its own: it decodes
//! the envelope, parses the EIP-4361 message and recovers the signer.

#![cfg(all(feature = "api-keys", feature = "chat", feature = "embeddings"))]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{Sequence, WALLET_ADDRESS, WALLET_KEY, authorization, ok_fixture, received, wallet_client_with};
use serde_json::Value;
use venice_api::chat::ChatRequest;
use venice_api::web3::{Signature, SiweMessage};
use venice_api::{Client, Error};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn wallet_client(server: &MockServer) -> Client {
    wallet_client_with(server, |builder| builder)
}

/// The sign-in of `request` as the server reads it: its message, checked to be signed by the
/// address the envelope names.
fn verified_sign_in(request: &Request) -> SiweMessage {
    let header = request.headers.get("sign-in-with-x").expect("a SIGN-IN-WITH-X header").to_str().unwrap();
    let envelope: Value = serde_json::from_slice(&STANDARD.decode(header).expect("base64")).expect("JSON");
    let text = envelope["message"].as_str().unwrap();
    let signature: Signature = envelope["signature"].as_str().unwrap().parse().unwrap();
    assert_eq!(signature.recover_address(text.as_bytes()).unwrap().to_string(), WALLET_ADDRESS);
    assert_eq!(envelope["address"], WALLET_ADDRESS);
    text.parse().expect("an EIP-4361 message")
}

async fn chat_server(answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/api/v1/chat/completions")).respond_with(answer).mount(&server).await;
    server
}

#[tokio::test]
async fn a_wallet_only_client_chats_with_a_verifiable_sign_in_and_no_key() {
    let server = chat_server(ok_fixture("createChatCompletion")).await;

    wallet_client(&server).chat().create(ChatRequest::new("venice-uncensored").user("Hi")).await.unwrap();

    let request = &received(&server).await[0];
    assert_eq!(authorization(request), None);
    let message = verified_sign_in(request);
    assert_eq!(message.address().to_string(), WALLET_ADDRESS);
    assert_eq!((message.domain(), message.chain_id()), ("api.venice.ai", 8453));
}

#[tokio::test]
async fn each_request_signs_in_afresh_with_its_own_nonce() {
    let server = chat_server(ok_fixture("createChatCompletion")).await;
    let client = wallet_client(&server);

    for _ in 0..2 {
        client.chat().create(ChatRequest::new("venice-uncensored").user("Hi")).await.unwrap();
    }

    let requests = received(&server).await;
    let nonces: Vec<String> = requests.iter().map(|r| verified_sign_in(r).nonce().to_owned()).collect();
    assert_eq!(nonces.len(), 2);
    assert_ne!(nonces[0], nonces[1]);
}

#[tokio::test]
async fn a_refused_sign_in_is_signed_afresh_once() {
    let unauthorized = ResponseTemplate::new(401).set_body_json(serde_json::json!({"error": "Authentication failed"}));
    let server = chat_server(ResponseTemplate::new(200)).await;
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(Sequence::new([unauthorized, ok_fixture("createChatCompletion")]))
        .mount(&server)
        .await;

    wallet_client(&server).chat().create(ChatRequest::new("venice-uncensored").user("Hi")).await.unwrap();

    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    assert_ne!(verified_sign_in(&requests[0]).nonce(), verified_sign_in(&requests[1]).nonce());
}

#[tokio::test]
async fn a_sign_in_refused_twice_is_the_callers_401() {
    let unauthorized = ResponseTemplate::new(401).set_body_json(serde_json::json!({"error": "Authentication failed"}));
    let server = chat_server(unauthorized).await;

    let error = wallet_client(&server).chat().create(ChatRequest::new("m").user("Hi")).await.unwrap_err();

    assert_eq!(error.status(), Some(401));
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn an_operation_that_needs_the_key_is_refused_before_sending_naming_it() {
    let server = MockServer::start().await;

    let error = wallet_client(&server).api_keys().list().await.unwrap_err();

    let Error::Config(message) = &error else { panic!("expected a refusal, got {error:?}") };
    assert!(message.contains("api_keys().list") && message.contains("getApiKeys"), "{message}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn a_client_with_a_key_and_a_wallet_sends_the_key_and_no_sign_in() {
    let server = chat_server(ok_fixture("createChatCompletion")).await;
    let client = wallet_client_with(&server, |builder| builder.api_key(common::API_KEY));

    client.chat().create(ChatRequest::new("m").user("Hi")).await.unwrap();

    let request = &received(&server).await[0];
    assert_eq!(authorization(request).as_deref(), Some(format!("Bearer {}", common::API_KEY).as_str()));
    assert!(request.headers.get("sign-in-with-x").is_none());
}

#[tokio::test]
async fn paid_answers_keep_the_wallets_credit_on_the_client() {
    let server = chat_server(ok_fixture("createChatCompletion").insert_header("X-Balance-Remaining", "4.230000")).await;
    let client = wallet_client(&server);
    assert_eq!(client.balance_remaining(), None);

    client.chat().create(ChatRequest::new("m").user("Hi")).await.unwrap();

    assert_eq!(client.balance_remaining(), Some(4.23));
}

#[tokio::test]
async fn no_private_key_or_sign_in_shows_in_debug_or_errors() {
    let unauthorized = ResponseTemplate::new(401).set_body_json(serde_json::json!({"error": "Authentication failed"}));
    let server = chat_server(unauthorized).await;
    let client = wallet_client(&server);

    let error = client.chat().create(ChatRequest::new("m").user("Hi")).await.unwrap_err();

    let sent = received(&server).await;
    let sign_in = sent[0].headers["sign-in-with-x"].to_str().unwrap().to_owned();
    for shown in [format!("{client:?}"), format!("{error:?}"), error.to_string()] {
        assert!(!shown.contains(WALLET_KEY), "{shown}");
        assert!(!shown.contains(&sign_in), "{shown}");
    }
}

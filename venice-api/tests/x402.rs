//! The x402 calls of a wallet client: each signs in afresh (`SIGN-IN-WITH-X`) or pays
//! (`PAYMENT-SIGNATURE`) as Venice's `siwx` scheme and x402 v2 describe, never sends an API
//! key, and refuses a payment it cannot make before anything is signed. The mock server
//! checks what the client sent on its own: it decodes the headers, parses the EIP-4361
//! message, and recomputes the EIP-712 digest to recover the payer.

#![cfg(feature = "x402")]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{WALLET_ADDRESS, WALLET_KEY, authorization, base_url, client, ok_fixture, received, wallet_client_with};
use serde_json::{Value, json};
use sha3::{Digest as _, Keccak256};
use venice_api::web3::{
    Address, LocalSigner, SignFuture, Signature, SignerError, SiweMessage, TypedData, WalletSigner,
};
use venice_api::x402::{AutoTopUp, PaymentError, TransactionsPage, Usdc};
use venice_api::{ApiErrorKind, Client, Error};
use wiremock::matchers::{body_json, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const BASE_USDC: &str = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
const PAY_TO: &str = "0x45b73055f3adcc4577bb709db10b19d11b5c94ee";

fn wallet_client(server: &MockServer) -> Client {
    wallet_client_with(server, |b| b)
}

fn api(error: &Error) -> &venice_api::ApiError {
    error.api().unwrap_or_else(|| panic!("expected an API error, got {error:?}"))
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

// --- what the server reads from a sign-in -----------------------------------------------

/// A `SIGN-IN-WITH-X` header as Venice reads it: the envelope, and its message parsed.
struct SignIn {
    envelope: Value,
    message: SiweMessage,
}

fn read_sign_in(request: &Request) -> SignIn {
    let header = request.headers.get("sign-in-with-x").expect("a SIGN-IN-WITH-X header").to_str().unwrap();
    let envelope: Value = serde_json::from_slice(&STANDARD.decode(header).expect("base64")).expect("JSON");
    let message: SiweMessage = envelope["message"].as_str().unwrap().parse().expect("an EIP-4361 message");
    SignIn { envelope, message }
}

fn balance_mock() -> Mock {
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/x402/balance/{WALLET_ADDRESS}")))
        .and(header_exists("sign-in-with-x"))
        .respond_with(ok_fixture("getX402Balance"))
}

#[tokio::test]
async fn balance_signs_in_with_the_wallet_as_the_siwx_scheme_describes() {
    let server = MockServer::start().await;
    balance_mock().expect(1).mount(&server).await;

    let balance = wallet_client(&server).x402().balance().await.unwrap();

    assert_eq!(balance.data.balance_usd, 4.23);
    let SignIn { envelope, message } = read_sign_in(&received(&server).await[0]);
    assert_eq!(envelope["address"], WALLET_ADDRESS);
    assert_eq!(envelope["chainId"], 8453);
    assert_eq!(message.address().to_string(), WALLET_ADDRESS);
    assert_eq!(
        (message.domain(), message.uri(), message.version(), message.chain_id()),
        ("api.venice.ai", "https://api.venice.ai", "1", 8453)
    );
    assert_eq!(message.statement(), Some("Sign in to Venice API"));
    assert_eq!(message.nonce().len(), 16);
    assert!(message.nonce().bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(envelope["timestamp"].as_i64().unwrap(), message.issued_at().timestamp_millis());
    assert!((message.issued_at().timestamp() - now() as i64).abs() <= 5, "issued now");
    assert_eq!((message.expiration_time().unwrap() - message.issued_at()).num_seconds(), 600);
}

#[tokio::test]
async fn the_sign_in_signature_recovers_to_the_wallet() {
    let server = MockServer::start().await;
    balance_mock().mount(&server).await;

    wallet_client(&server).x402().balance().await.unwrap();

    let SignIn { envelope, .. } = read_sign_in(&received(&server).await[0]);
    let signature: Signature = envelope["signature"].as_str().unwrap().parse().unwrap();
    let recovered = signature.recover_address(envelope["message"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(recovered.to_string(), WALLET_ADDRESS);
}

#[tokio::test]
async fn every_request_gets_a_fresh_nonce() {
    let server = MockServer::start().await;
    balance_mock().expect(3).mount(&server).await;
    let client = wallet_client(&server);

    for _ in 0..3 {
        client.x402().balance().await.unwrap();
    }

    let nonces: std::collections::BTreeSet<String> =
        received(&server).await.iter().map(|r| read_sign_in(r).message.nonce().to_owned()).collect();
    assert_eq!(nonces.len(), 3, "{nonces:?}");
}

#[tokio::test]
async fn the_balance_is_kept_on_the_client() {
    let server = MockServer::start().await;
    balance_mock().mount(&server).await;
    let client = wallet_client(&server);
    assert_eq!(client.balance_remaining(), None);

    client.x402().balance().await.unwrap();

    assert_eq!(client.balance_remaining(), Some(4.23));
    assert_eq!(client.clone().balance_remaining(), Some(4.23), "clones share it");
}

#[tokio::test]
async fn balance_of_another_wallet_is_forbidden() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": "Wallet mismatch"})))
        .mount(&server)
        .await;

    let error = wallet_client(&server).x402().balance().await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::Forbidden);
    assert_eq!(api(&error).message, "Wallet mismatch");
}

#[tokio::test]
async fn a_client_without_a_wallet_is_refused_before_sending() {
    let server = MockServer::start().await;
    let keyed = client(&server);

    for error in [
        keyed.x402().balance().await.unwrap_err(),
        keyed.x402().transactions(TransactionsPage::new()).await.unwrap_err(),
        keyed.x402().top_up(Usdc::dollars(5)).await.unwrap_err(),
    ] {
        assert!(matches!(&error, Error::Config(message) if message.contains("wallet")), "{error:?}");
    }
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn transactions_sends_the_page_and_decodes_the_history() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/x402/transactions/{WALLET_ADDRESS}")))
        .and(header_exists("sign-in-with-x"))
        .and(query_param("limit", "20"))
        .and(query_param("offset", "40"))
        .respond_with(ok_fixture("getX402Transactions"))
        .expect(1)
        .mount(&server)
        .await;
    let client = wallet_client(&server);

    let history = client.x402().transactions(TransactionsPage::new().limit(20).offset(40)).await.unwrap();

    assert_eq!(history.data.transactions.len(), 2);
    assert_eq!(history.data.transactions[1].model_id.as_deref(), Some("venice-uncensored"));
    assert!(!history.data.pagination.has_more);
    assert_eq!(client.balance_remaining(), Some(history.data.current_balance));
    assert_eq!(read_sign_in(&received(&server).await[0]).message.address().to_string(), WALLET_ADDRESS);
}

#[tokio::test]
async fn a_page_larger_than_100_is_refused_before_signing_in() {
    let server = MockServer::start().await;

    let error = wallet_client(&server).x402().transactions(TransactionsPage::new().limit(101)).await.unwrap_err();

    assert!(matches!(error, Error::InvalidArgument { argument: "limit", .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn an_expired_sign_in_is_unauthorized() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "Invalid or expired SIWX payload"})))
        .mount(&server)
        .await;

    let error = wallet_client(&server).x402().transactions(TransactionsPage::new()).await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::Unauthorized);
    assert_eq!(api(&error).message, "Invalid or expired SIWX payload");
}

// --- top-ups -----------------------------------------------------------------------------

fn solana_option() -> Value {
    json!({
        "scheme": "exact",
        "network": "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp",
        "amount": "5000000",
        "asset": "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
        "payTo": "8qUL23aSj7mDWdoLMXGHFvnVCT9wd7jXcysiekroADEL",
        "maxTimeoutSeconds": 300,
        "extra": {"feePayer": "BFK9TLC3edb13K6v4YyH3DwPb5DSUpkWvb7XnqCL9b4F"}
    })
}

fn base_option() -> Value {
    json!({
        "scheme": "exact",
        "network": "eip155:8453",
        "amount": "5000000",
        "asset": BASE_USDC,
        "payTo": PAY_TO,
        "maxTimeoutSeconds": 300,
        "extra": {"name": "USD Coin", "version": "2"}
    })
}

fn resource() -> Value {
    json!({"url": "https://api.venice.ai/api/v1/x402/top-up", "description": "Venice API credit", "mimeType": "application/json"})
}

/// The 402 a top-up without payment gets: the requirements in `PAYMENT-REQUIRED` (x402 v2)
/// and the same `accepts` in the body.
fn payment_required(accepts: Vec<Value>) -> ResponseTemplate {
    let header = json!({"x402Version": 2, "error": "Payment required", "resource": resource(), "accepts": accepts});
    ResponseTemplate::new(402)
        .insert_header("PAYMENT-REQUIRED", STANDARD.encode(header.to_string()).as_str())
        .set_body_json(json!({"x402Version": 2, "accepts": accepts}))
}

fn receipt() -> String {
    STANDARD.encode(
        json!({"success": true, "network": "eip155:8453", "payer": WALLET_ADDRESS, "transaction": "0xfeed"})
            .to_string(),
    )
}

/// Venice's top-up as the mock plays it: the requirements without a payment; with one,
/// `settle` (after checking the payment when `checks` is set).
struct TopUpServer {
    accepts: Vec<Value>,
    checks: Option<Expected>,
    settle: ResponseTemplate,
}

/// What a payment must be to be settled.
struct Expected {
    payer: &'static str,
    value: u128,
}

impl Respond for TopUpServer {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if request.headers.get("payment-signature").is_none() {
            return payment_required(self.accepts.clone());
        }
        if let Some(expected) = &self.checks
            && let Err(why) = check_payment(request, expected)
        {
            return ResponseTemplate::new(400).set_body_json(
                json!({"error": "X402_INVALID_PAYMENT", "message": why.clone(), "details": {"reason": why}}),
            );
        }
        self.settle.clone()
    }
}

fn settles() -> ResponseTemplate {
    ok_fixture("topUpX402Balance")
        .insert_header("PAYMENT-RESPONSE", receipt().as_str())
        .insert_header("X-Balance-Remaining", "14.230000")
}

async fn top_up_server(accepts: Vec<Value>, checks: Option<Expected>, settle: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/x402/top-up"))
        .and(body_json(json!({})))
        .respond_with(TopUpServer { accepts, checks, settle })
        .mount(&server)
        .await;
    server
}

/// The decoded `PAYMENT-SIGNATURE` of `request`.
fn payment_of(request: &Request) -> Value {
    let header = request.headers.get("payment-signature").expect("a payment").to_str().unwrap();
    serde_json::from_slice(&STANDARD.decode(header).map_err(|e| e.to_string()).unwrap()).unwrap()
}

/// Checks a payment as a facilitator would, on its own: the x402 v2 shape, the option taken
/// as offered, the authorization's terms, and the EIP-712 signature recovered to the payer
/// from a digest computed here from the payload.
fn check_payment(request: &Request, expected: &Expected) -> Result<(), String> {
    let payment = payment_of(request);
    let authorization = &payment["payload"]["authorization"];
    let field = |key: &str| authorization[key].as_str().ok_or(format!("authorization.{key} is not a string"));
    let number = |key: &str| field(key)?.parse::<u128>().map_err(|_| format!("authorization.{key} is not a decimal"));
    if payment["x402Version"] != 2 {
        return Err("not x402 version 2".into());
    }
    if payment["accepted"] != base_option() {
        return Err(format!("accepted is not the Base option as offered: {}", payment["accepted"]));
    }
    if payment["resource"] != resource() {
        return Err("resource is not the one of the requirements".into());
    }
    if !field("from")?.eq_ignore_ascii_case(expected.payer) || !field("to")?.eq_ignore_ascii_case(PAY_TO) {
        return Err("the transfer is not from the payer to the receiver".into());
    }
    if number("value")? != expected.value {
        return Err(format!("value {} instead of {}", number("value")?, expected.value));
    }
    let (after, before, now) = (number("validAfter")?, number("validBefore")?, u128::from(now()));
    if !(after <= now && now < before && before <= now + 300 + 5) {
        return Err(format!("valid from {after} to {before}, now is {now} and 300 s are allowed"));
    }
    let nonce = field("nonce")?;
    if !(nonce.len() == 66 && nonce.starts_with("0x")) {
        return Err("the nonce is not 32 bytes of 0x-hex".into());
    }
    let digest = transfer_digest(authorization);
    let signature = payment["payload"]["signature"].as_str().ok_or("no signature")?;
    let payer = recover(&digest, signature)?;
    if !payer.eq_ignore_ascii_case(expected.payer) {
        return Err(format!("signed by {payer}, not by the payer"));
    }
    Ok(())
}

fn keccak(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

fn word_of_number(decimal: &str) -> [u8; 32] {
    let mut word = [0u8; 32];
    word[16..].copy_from_slice(&decimal.parse::<u128>().unwrap().to_be_bytes());
    word
}

fn word_of_hex(hex_text: &str) -> [u8; 32] {
    let bytes = hex::decode(hex_text.trim_start_matches("0x")).unwrap();
    let mut word = [0u8; 32];
    word[32 - bytes.len()..].copy_from_slice(&bytes);
    word
}

/// EIP-712: keccak256(0x1901 || hashStruct(domain) || hashStruct(TransferWithAuthorization)),
/// the domain being USDC on Base as the offer names it.
fn transfer_digest(authorization: &Value) -> [u8; 32] {
    let text = |key: &str| authorization[key].as_str().unwrap();
    let mut domain =
        keccak(b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)").to_vec();
    domain.extend(keccak(b"USD Coin"));
    domain.extend(keccak(b"2"));
    domain.extend(word_of_number("8453"));
    domain.extend(word_of_hex(BASE_USDC));
    let mut message = keccak(
        b"TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)",
    )
    .to_vec();
    message.extend(word_of_hex(text("from")));
    message.extend(word_of_hex(text("to")));
    message.extend(word_of_number(text("value")));
    message.extend(word_of_number(text("validAfter")));
    message.extend(word_of_number(text("validBefore")));
    message.extend(word_of_hex(text("nonce")));
    let mut digest = vec![0x19, 0x01];
    digest.extend(keccak(&domain));
    digest.extend(keccak(&message));
    keccak(&digest)
}

/// The address whose key made the 65-byte `r || s || v` signature over `digest`.
fn recover(digest: &[u8; 32], signature: &str) -> Result<String, String> {
    let bytes = hex::decode(signature.trim_start_matches("0x")).map_err(|_| "the signature is not hex")?;
    if bytes.len() != 65 {
        return Err("the signature is not 65 bytes".into());
    }
    let ecdsa = k256::ecdsa::Signature::from_slice(&bytes[..64]).map_err(|e| e.to_string())?;
    let id = k256::ecdsa::RecoveryId::from_byte(bytes[64].wrapping_sub(27)).ok_or("v is not 27 or 28")?;
    let key = k256::ecdsa::VerifyingKey::recover_from_prehash(digest, &ecdsa, id).map_err(|e| e.to_string())?;
    let point = key.to_encoded_point(false);
    Ok(format!("0x{}", hex::encode(&keccak(&point.as_bytes()[1..])[12..])))
}

#[tokio::test]
async fn a_top_up_pays_the_base_option_offered_after_a_solana_one() {
    let expected = Expected { payer: WALLET_ADDRESS, value: 12_500_000 };
    let server = top_up_server(vec![solana_option(), base_option()], Some(expected), settles()).await;
    let client = wallet_client(&server);

    let top_up = client.x402().top_up("12.5".parse().unwrap()).await.unwrap();

    assert_eq!(top_up.data.amount_credited, 10.0);
    assert_eq!(top_up.data.new_balance, 14.23);
    assert_eq!(top_up.data.payment_id, "pay_9f8e7d6c");
    let receipt = top_up.receipt.as_ref().expect("a readable receipt");
    assert_eq!(receipt.success, Some(true));
    assert_eq!(receipt.transaction.as_deref(), Some("0xfeed"));
    assert_eq!(receipt.network.as_deref(), Some("eip155:8453"));
    assert_eq!(client.balance_remaining(), Some(14.23));
    let requests = received(&server).await;
    assert_eq!(requests.len(), 2, "the requirements, then the payment");
    assert!(requests[0].headers.get("payment-signature").is_none());
}

#[tokio::test]
async fn each_top_up_signs_a_new_random_nonce() {
    let expected = Expected { payer: WALLET_ADDRESS, value: 5_000_000 };
    let server = top_up_server(vec![base_option()], Some(expected), settles()).await;
    let client = wallet_client(&server);

    client.x402().top_up(Usdc::dollars(5)).await.unwrap();
    client.x402().top_up(Usdc::dollars(5)).await.unwrap();

    let nonces: Vec<Value> = received(&server)
        .await
        .iter()
        .filter(|r| r.headers.get("payment-signature").is_some())
        .map(|r| payment_of(r)["payload"]["authorization"]["nonce"].clone())
        .collect();
    assert_eq!(nonces.len(), 2);
    assert_ne!(nonces[0], nonces[1]);
}

#[tokio::test]
async fn a_top_up_beyond_u64_base_units_is_signed_exactly() {
    let value = u128::from(u64::MAX) + 1_000_001;
    let expected = Expected { payer: WALLET_ADDRESS, value };
    let server = top_up_server(vec![base_option()], Some(expected), settles()).await;

    wallet_client(&server).x402().top_up(Usdc::from_base_units(value)).await.unwrap();

    let payment = payment_of(&received(&server).await[1]);
    assert_eq!(payment["payload"]["authorization"]["value"], value.to_string());
}

#[tokio::test]
async fn only_solana_offered_is_refused_before_signing() {
    let server = top_up_server(vec![solana_option()], None, settles()).await;
    let (client, signer) = counting_client(&server);

    let error = client.x402().top_up(Usdc::dollars(10)).await.unwrap_err();

    match &error {
        Error::Payment(PaymentError::NoUsableOption { offered }) => {
            assert_eq!(offered.len(), 1);
            assert!(offered[0].contains("solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"), "{offered:?}");
        }
        other => panic!("expected no usable option, got {other:?}"),
    }
    assert!(error.to_string().contains("Base"), "{error}");
    assert_eq!(signer.typed_signatures(), 0);
    assert_eq!(received(&server).await.len(), 1, "only the requirements were asked for");
}

#[tokio::test]
async fn an_amount_below_the_minimum_is_refused_before_signing() {
    let server = top_up_server(vec![solana_option(), base_option()], None, settles()).await;
    let (client, signer) = counting_client(&server);

    let error = client.x402().top_up("4.999999".parse().unwrap()).await.unwrap_err();

    match error {
        Error::Payment(PaymentError::BelowMinimum { amount, minimum }) => {
            assert_eq!((amount.base_units(), minimum), (4_999_999, Usdc::dollars(5)));
        }
        other => panic!("expected below the minimum, got {other:?}"),
    }
    assert_eq!(signer.typed_signatures(), 0);
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn an_amount_with_a_seventh_decimal_cannot_be_asked_for() {
    let server = top_up_server(vec![base_option()], None, settles()).await;

    let amount = "5.0000001".parse::<Usdc>();

    assert_eq!(amount, Err(venice_api::x402::ParseUsdcError::TooManyDecimals { found: 7 }));
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn a_zero_amount_is_refused_before_sending() {
    let server = top_up_server(vec![base_option()], None, settles()).await;

    let error = wallet_client(&server).x402().top_up(Usdc::default()).await.unwrap_err();

    assert!(matches!(error, Error::InvalidArgument { argument: "amount", .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn a_wallet_that_only_signs_messages_cannot_pay() {
    let server = top_up_server(vec![base_option()], None, settles()).await;
    let client = wallet_client_with(&server, |b| b.wallet(MessagesOnly(signer())));

    let error = client.x402().top_up(Usdc::dollars(5)).await.unwrap_err();

    assert!(matches!(error, Error::Signer(SignerError::Unsupported(_))), "{error:?}");
    assert!(received(&server).await.iter().all(|r| r.headers.get("payment-signature").is_none()));
}

#[tokio::test]
async fn a_wallet_signing_with_another_key_is_caught_before_paying() {
    let server = top_up_server(vec![base_option()], None, settles()).await;
    let other = LocalSigner::from_hex("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d").unwrap();
    let client = wallet_client_with(&server, |b| b.wallet(ClaimsAnother { claimed: signer(), signs: other }));

    let error = client.x402().top_up(Usdc::dollars(5)).await.unwrap_err();

    assert!(matches!(error, Error::Signer(SignerError::InvalidSignature(_))), "{error:?}");
    assert!(received(&server).await.iter().all(|r| r.headers.get("payment-signature").is_none()));
}

#[tokio::test]
async fn a_refused_payment_keeps_venices_reason() {
    let settle = ResponseTemplate::new(400).set_body_json(
        json!({"error": "X402_INVALID_PAYMENT", "message": "Invalid payment header", "details": {"reason": "signature_mismatch"}}),
    );
    let server = top_up_server(vec![base_option()], None, settle).await;

    let error = wallet_client(&server).x402().top_up(Usdc::dollars(5)).await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::BadRequest);
    assert!(api(&error).body_excerpt.contains("signature_mismatch"), "{error:?}");
}

#[tokio::test]
async fn an_unreadable_receipt_is_absent_not_an_error() {
    let settle = ok_fixture("topUpX402Balance").insert_header("PAYMENT-RESPONSE", "not base64 at all!");
    let server = top_up_server(vec![base_option()], None, settle).await;

    let top_up = wallet_client(&server).x402().top_up(Usdc::dollars(10)).await.unwrap();

    assert_eq!(top_up.receipt, None);
    assert_eq!(top_up.data.amount_credited, 10.0);
}

#[tokio::test]
async fn a_failed_top_up_is_not_retried_because_it_may_have_settled() {
    let settle = ResponseTemplate::new(500)
        .insert_header("retry-after", "0")
        .set_body_json(json!({"error": "SETTLEMENT_FAILED", "message": "Settlement failed"}));
    let server = top_up_server(vec![base_option()], None, settle).await;

    let error = wallet_client_with(&server, |b| b.max_retries(2)).x402().top_up(Usdc::dollars(5)).await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::Server);
    assert!(api(&error).body_excerpt.contains("Settlement failed"));
    let payments = received(&server).await.iter().filter(|r| r.headers.get("payment-signature").is_some()).count();
    assert_eq!(payments, 1);
}

#[tokio::test]
async fn top_up_requirements_return_the_payments_of_the_402() {
    let server = top_up_server(vec![base_option(), solana_option()], None, settles()).await;

    let requirements = client(&server).x402().top_up_requirements().await.unwrap();

    assert_eq!(requirements.accepts.len(), 2);
    assert_eq!(requirements.accepts[0].network, "eip155:8453");
    assert_eq!(requirements.accepts[1].extra["feePayer"], "BFK9TLC3edb13K6v4YyH3DwPb5DSUpkWvb7XnqCL9b4F");
    assert_eq!(requirements.resource.unwrap().url.as_deref(), Some("https://api.venice.ai/api/v1/x402/top-up"));
    assert_eq!(authorization(&received(&server).await[0]), None);
}

// --- no key ------------------------------------------------------------------------------

#[tokio::test]
async fn a_wallet_only_client_never_sends_an_authorization_header() {
    let expected = Expected { payer: WALLET_ADDRESS, value: 5_000_000 };
    let server = top_up_server(vec![base_option()], Some(expected), settles()).await;
    balance_mock().mount(&server).await;
    Mock::given(method("GET")).respond_with(ok_fixture("getX402Transactions")).mount(&server).await;
    let client = wallet_client(&server);
    assert!(!client.has_api_key());

    client.x402().balance().await.unwrap();
    client.x402().transactions(TransactionsPage::new()).await.unwrap();
    client.x402().top_up(Usdc::dollars(5)).await.unwrap();

    let requests = received(&server).await;
    assert_eq!(requests.len(), 4);
    assert!(requests.iter().all(|r| authorization(r).is_none()), "{requests:?}");
}

#[tokio::test]
async fn a_client_with_a_key_and_a_wallet_keeps_the_key_off_x402_calls() {
    let server = MockServer::start().await;
    balance_mock().mount(&server).await;
    let client =
        Client::builder().api_key(common::API_KEY).wallet(signer()).base_url(base_url(&server)).build().unwrap();

    client.x402().balance().await.unwrap();

    assert_eq!(authorization(&received(&server).await[0]), None);
}

// --- wallets for the tests ---------------------------------------------------------------

fn signer() -> LocalSigner {
    LocalSigner::from_hex(WALLET_KEY).unwrap()
}

/// A wallet that counts the typed data it signs.
struct Counting {
    inner: LocalSigner,
    typed: AtomicUsize,
}

impl Counting {
    fn typed_signatures(&self) -> usize {
        self.typed.load(Ordering::SeqCst)
    }
}

impl WalletSigner for Counting {
    fn address(&self) -> Address {
        self.inner.address()
    }

    fn sign_message<'a>(&'a self, message: &'a [u8]) -> SignFuture<'a> {
        self.inner.sign_message(message)
    }

    fn sign_typed_data<'a>(&'a self, data: &'a TypedData) -> SignFuture<'a> {
        self.typed.fetch_add(1, Ordering::SeqCst);
        self.inner.sign_typed_data(data)
    }
}

fn counting_client(server: &MockServer) -> (Client, Arc<Counting>) {
    let signer = Arc::new(Counting { inner: signer(), typed: AtomicUsize::new(0) });
    let client = wallet_client_with(server, |b| b.wallet(Arc::clone(&signer)));
    (client, signer)
}

/// A wallet with only `personal_sign`, like many hardware and remote wallets' first
/// integration.
struct MessagesOnly(LocalSigner);

impl WalletSigner for MessagesOnly {
    fn address(&self) -> Address {
        self.0.address()
    }

    fn sign_message<'a>(&'a self, message: &'a [u8]) -> SignFuture<'a> {
        self.0.sign_message(message)
    }
}

/// A broken wallet: it claims one address and signs with another key.
struct ClaimsAnother {
    claimed: LocalSigner,
    signs: LocalSigner,
}

impl WalletSigner for ClaimsAnother {
    fn address(&self) -> Address {
        self.claimed.address()
    }

    fn sign_message<'a>(&'a self, message: &'a [u8]) -> SignFuture<'a> {
        self.signs.sign_message(message)
    }

    fn sign_typed_data<'a>(&'a self, data: &'a TypedData) -> SignFuture<'a> {
        self.signs.sign_typed_data(data)
    }
}

// --- automatic top-ups ------------------------------------------------------------------

/// The 402 the published spec documents for a paid call of a signed-in wallet without enough
/// credit: its `PAYMENT_REQUIRED` body (values from the spec's examples) and the
/// `PAYMENT-REQUIRED` header with the top-up's requirements.
#[cfg(feature = "chat")]
fn insufficient_credit() -> ResponseTemplate {
    let header =
        json!({"x402Version": 2, "error": "Payment required", "resource": resource(), "accepts": [base_option()]});
    ResponseTemplate::new(402)
        .insert_header("PAYMENT-REQUIRED", STANDARD.encode(header.to_string()).as_str())
        .set_body_json(json!({
            "error": "Payment required",
            "code": "PAYMENT_REQUIRED",
            "reason": "insufficient_balance",
            "message": "Insufficient x402 balance",
            "currentBalanceUsd": 0.01,
            "minimumBalanceUsd": 0.1,
            "suggestedTopUpUsd": 10,
            "minimumTopUpUsd": 5,
            "supportedTokens": ["USDC"],
            "supportedChains": ["base", "solana"],
        }))
}

/// A chat completion answered 402 (the wallet's credit is spent) until the wallet has topped
/// up, then the completion; the top-up as `top_up_server` plays it, with the payment checked.
#[cfg(feature = "chat")]
async fn paid_chat_server() -> MockServer {
    let server = top_up_server(
        vec![solana_option(), base_option()],
        Some(Expected { payer: WALLET_ADDRESS, value: 5_000_000 }),
        settles(),
    )
    .await;
    let topped_up = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&topped_up);
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(move |_: &Request| {
            let settled = seen.load(Ordering::SeqCst);
            if settled == 0 { insufficient_credit() } else { ok_fixture("createChatCompletion") }
        })
        .mount(&server)
        .await;
    // Count settled payments: a top-up request carrying a payment.
    Mock::given(method("POST"))
        .and(path("/api/v1/x402/top-up"))
        .and(header_exists("payment-signature"))
        .respond_with(move |request: &Request| {
            if check_payment(request, &Expected { payer: WALLET_ADDRESS, value: 5_000_000 }).is_ok() {
                topped_up.fetch_add(1, Ordering::SeqCst);
            }
            settles()
        })
        .with_priority(1)
        .mount(&server)
        .await;
    server
}

#[cfg(feature = "chat")]
fn auto_client(server: &MockServer, budget: Usdc) -> Client {
    wallet_client_with(server, |builder| builder.auto_top_up(AutoTopUp::new(Usdc::dollars(5), budget)))
}

#[cfg(feature = "chat")]
#[tokio::test]
async fn a_paid_call_without_credit_tops_up_within_the_budget_and_goes_again() {
    let server = paid_chat_server().await;
    let client = auto_client(&server, Usdc::dollars(20));

    let answer = client.chat().create(venice_api::chat::ChatRequest::new("m").user("Hi")).await.unwrap();

    assert_eq!(answer.status(), 200);
    let paths: Vec<String> = received(&server).await.iter().map(|r| r.url.path().to_owned()).collect();
    assert_eq!(
        paths,
        ["/api/v1/chat/completions", "/api/v1/x402/top-up", "/api/v1/x402/top-up", "/api/v1/chat/completions"]
    );
    assert_eq!(client.balance_remaining(), Some(14.23));
}

#[cfg(feature = "chat")]
#[tokio::test]
async fn past_the_budget_a_paid_call_fails_with_a_typed_error_and_buys_nothing() {
    let server = paid_chat_server().await;
    let client = auto_client(&server, Usdc::dollars(5));
    // The first top-up spends the whole budget; the server then finds the credit spent again.
    client.chat().create(venice_api::chat::ChatRequest::new("m").user("Hi")).await.unwrap();
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(insufficient_credit())
        .mount(&server)
        .await;

    let error = client.chat().create(venice_api::chat::ChatRequest::new("m").user("Hi")).await.unwrap_err();

    assert!(
        matches!(error, Error::Payment(PaymentError::BudgetExhausted { budget, spent }) if budget == Usdc::dollars(5) && spent == Usdc::dollars(5)),
        "{error:?}"
    );
    let paths: Vec<String> = received(&server).await.iter().map(|r| r.url.path().to_owned()).collect();
    assert_eq!(paths, ["/api/v1/chat/completions"], "no top-up was asked for");
}

#[cfg(feature = "chat")]
#[tokio::test]
async fn without_a_policy_a_402_is_the_callers() {
    let server = paid_chat_server().await;

    let error =
        wallet_client(&server).chat().create(venice_api::chat::ChatRequest::new("m").user("Hi")).await.unwrap_err();

    assert_eq!(error.status(), Some(402));
    assert_eq!(error.api().map(|api| api.message.as_str()), Some("Payment required"));
    assert!(error.payment_requirements().is_some());
    assert_eq!(received(&server).await.len(), 1);
}

#[test]
fn an_automatic_top_up_needs_a_wallet_and_an_amount_within_its_budget() {
    let policy = AutoTopUp::new(Usdc::dollars(5), Usdc::dollars(10));
    let keyed = Client::builder().api_key("k").auto_top_up(policy).build().unwrap_err();
    assert!(matches!(&keyed, Error::Config(message) if message.contains("wallet")), "{keyed:?}");
    let wallet = || LocalSigner::from_hex(WALLET_KEY).unwrap();
    let over = Client::builder().wallet(wallet()).auto_top_up(AutoTopUp::new(Usdc::dollars(11), Usdc::dollars(10)));
    assert!(matches!(over.build().unwrap_err(), Error::InvalidArgument { argument: "auto_top_up", .. }));
    Client::builder().wallet(wallet()).auto_top_up(policy).build().unwrap();
}

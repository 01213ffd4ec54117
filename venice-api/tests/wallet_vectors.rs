//! Sign-In-With-X and EIP-712 `TransferWithAuthorization` checked against vectors made by
//! independent implementations: Python's `siwe` (EIP-4361 messages) and eth-account
//! (signatures and EIP-712 hashes), see `tests/data/make_wallet_vectors.py`. The tests only
//! read the JSON.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::Value;
use venice_api::web3::{
    Address, Eip712Domain, LocalSigner, SignInWithX, SiweMessage, SiweNonce, TransferWithAuthorization, TypedData,
    WalletSigner,
};

fn load(text: &str) -> Value {
    serde_json::from_str(text).expect("vectors are JSON")
}

fn siwx() -> Value {
    load(include_str!("data/siwx_vectors.json"))
}

fn eip712() -> Vec<Value> {
    let vectors = load(include_str!("data/eip712_vectors.json"))["vectors"].as_array().unwrap().clone();
    assert!(vectors.len() >= 8, "expected at least 8 EIP-712 vectors");
    vectors
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_else(|| panic!("vector field {key} is a string"))
}

fn signer(value: &Value) -> LocalSigner {
    LocalSigner::from_hex(text(value, "private_key")).unwrap()
}

fn hex32(value: &str) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(value.trim_start_matches("0x"), &mut bytes).unwrap();
    bytes
}

// --- Sign-In-With-X --------------------------------------------------------------------

#[tokio::test]
async fn the_sign_in_header_equals_the_reference_byte_for_byte() {
    let vectors = siwx();
    for v in vectors["sign_ins"].as_array().unwrap() {
        let issued_at: DateTime<Utc> = text(v, "issued_at").parse().unwrap();
        let nonce: SiweNonce = text(v, "nonce").parse().unwrap();

        let sign_in = SignInWithX::sign_at(&signer(v), issued_at, nonce).await.unwrap();

        assert_eq!(sign_in.message().to_string(), text(v, "message"));
        assert_eq!(sign_in.expose_header_value(), text(v, "header"), "header for {}", text(v, "address"));
    }
}

#[tokio::test]
async fn the_sign_in_signature_is_eth_accounts_personal_sign_of_the_siwe_message() {
    for v in siwx()["sign_ins"].as_array().unwrap() {
        let signature = signer(v).sign_message(text(v, "message").as_bytes()).await.unwrap();
        assert_eq!(signature.to_hex(), text(v, "signature"));
    }
}

#[tokio::test]
async fn the_sign_in_expires_ten_minutes_after_it_is_issued() {
    let vectors = siwx();
    let v = &vectors["sign_ins"][0];
    let issued_at: DateTime<Utc> = text(v, "issued_at").parse().unwrap();

    let sign_in = SignInWithX::sign_at(&signer(v), issued_at, "a1b2c3d4e5f60718".parse().unwrap()).await.unwrap();

    let ttl = vectors["ttl_seconds"].as_i64().unwrap();
    assert_eq!((sign_in.expires_at() - sign_in.message().issued_at()).num_seconds(), ttl);
    assert_eq!(sign_in.message().issued_at().timestamp_millis(), v["timestamp"].as_i64().unwrap());
}

#[tokio::test]
async fn an_issue_time_finer_than_milliseconds_is_cut_to_them() {
    let vectors = siwx();
    let v = &vectors["sign_ins"][0];
    let issued_at: DateTime<Utc> = text(v, "issued_at").parse().unwrap();
    let finer = issued_at + chrono::TimeDelta::nanoseconds(999_999);

    let sign_in = SignInWithX::sign_at(&signer(v), finer, text(v, "nonce").parse().unwrap()).await.unwrap();

    assert_eq!(sign_in.expose_header_value(), text(v, "header"));
}

#[test]
fn every_reference_message_parses_to_its_fields_and_writes_back_unchanged() {
    for v in siwx()["messages"].as_array().unwrap() {
        let fields = &v["fields"];
        let message: SiweMessage = text(v, "message").parse().unwrap_or_else(|e| panic!("{e}: {}", text(v, "message")));

        assert_eq!(message.to_string(), text(v, "message"));
        assert_eq!(message.address().to_string(), text(v, "address"));
        assert_eq!(message.domain(), text(fields, "domain"));
        assert_eq!(message.scheme(), fields["scheme"].as_str());
        assert_eq!(message.statement(), fields["statement"].as_str());
        assert_eq!(message.uri(), text(fields, "uri"));
        assert_eq!(message.version(), "1");
        assert_eq!(message.chain_id(), fields["chain_id"].as_u64().unwrap());
        assert_eq!(message.nonce(), text(fields, "nonce"));
        let time = |key: &str| fields[key].as_str().map(|t| t.parse::<DateTime<Utc>>().unwrap());
        assert_eq!(Some(message.issued_at()), time("issued_at"));
        assert_eq!(message.expiration_time(), time("expiration_time"));
        assert_eq!(message.not_before(), time("not_before"));
        assert_eq!(message.request_id(), fields["request_id"].as_str());
        let resources: Vec<&str> =
            fields["resources"].as_array().map(|r| r.iter().map(|r| r.as_str().unwrap()).collect()).unwrap_or_default();
        assert_eq!(message.resources(), resources);
    }
}

#[test]
fn every_reference_message_signature_recovers_to_its_address() {
    for v in siwx()["messages"].as_array().unwrap() {
        let signature: venice_api::web3::Signature = text(v, "signature").parse().unwrap();
        assert_eq!(signature.recover_address(text(v, "message").as_bytes()).unwrap().to_string(), text(v, "address"));
    }
}

#[test]
fn the_reference_header_decodes_to_the_envelope_venice_describes() {
    let vectors = siwx();
    let v = &vectors["sign_ins"][0];
    let json = base64::engine::general_purpose::STANDARD.decode(text(v, "header")).unwrap();
    let envelope: Value = serde_json::from_slice(&json).unwrap();
    let keys: Vec<&String> = envelope.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 5, "{envelope}");
    assert_eq!(envelope["chainId"], 8453);
    assert_eq!(envelope["timestamp"], v["timestamp"]);
    assert_eq!(envelope["address"], v["address"]);
}

// --- EIP-712 TransferWithAuthorization --------------------------------------------------

fn typed_data(v: &Value) -> TypedData {
    let domain = &v["domain"];
    let message = &v["message"];
    let address = |value: &Value| value.as_str().unwrap().parse::<Address>().unwrap();
    let number = |key: &str| text(message, key).parse::<u128>().unwrap();
    TypedData::transfer_with_authorization(
        Eip712Domain {
            name: text(domain, "name").to_owned(),
            version: text(domain, "version").to_owned(),
            chain_id: domain["chainId"].as_u64().unwrap(),
            verifying_contract: address(&domain["verifyingContract"]),
        },
        TransferWithAuthorization {
            from: address(&message["from"]),
            to: address(&message["to"]),
            value: number("value"),
            valid_after: u64::try_from(number("validAfter")).unwrap(),
            valid_before: u64::try_from(number("validBefore")).unwrap(),
            nonce: hex32(text(message, "nonce")),
        },
    )
}

#[test]
fn vectors_cover_values_beyond_u64_and_other_domains() {
    let vectors = eip712();
    assert!(vectors.iter().any(|v| text(&v["message"], "value").parse::<u128>().unwrap() > u128::from(u64::MAX)));
    assert!(vectors.iter().any(|v| text(&v["message"], "value") == u128::MAX.to_string()));
    assert!(vectors.iter().any(|v| v["domain"]["chainId"] != 8453));
    assert!(vectors.iter().any(|v| !text(&v["domain"], "name").is_ascii()));
}

#[test]
fn domain_separator_struct_hash_and_digest_equal_eth_account() {
    for v in eip712() {
        let data = typed_data(&v);
        assert_eq!(hex::encode(data.domain_separator()), text(&v, "domain_separator")[2..], "{}", v["domain"]);
        assert_eq!(hex::encode(data.struct_hash()), text(&v, "struct_hash")[2..], "{}", v["message"]);
        assert_eq!(hex::encode(data.signing_hash()), text(&v, "digest")[2..]);
    }
}

#[tokio::test]
async fn the_signature_equals_eth_accounts_sign_typed_data() {
    for v in eip712() {
        let data = typed_data(&v);
        let signer = signer(&v);
        assert_eq!(signer.address(), data_from(&data));
        assert_eq!(signer.sign_typed_data(&data).await.unwrap().to_hex(), text(&v, "signature"));
        assert_eq!(signer.sign_typed_data_sync(&data).to_hex(), text(&v, "signature"));
    }
}

#[test]
fn the_reference_signature_recovers_to_the_payer_from_the_digest() {
    for v in eip712() {
        let signature: venice_api::web3::Signature = text(&v, "signature").parse().unwrap();
        let recovered = signature.recover_address_from_prehash(&hex32(text(&v, "digest"))).unwrap();
        assert_eq!(recovered.to_string(), text(&v["message"], "from"));
    }
}

#[test]
fn the_json_form_is_the_typed_data_eth_account_signed() {
    for v in eip712() {
        let json = typed_data(&v).to_json();
        assert_eq!(json["primaryType"], "TransferWithAuthorization");
        assert_eq!(json["domain"], v["domain"]);
        assert_eq!(json["message"], v["message"]);
    }
}

fn data_from(data: &TypedData) -> Address {
    match &data.message {
        venice_api::web3::TypedMessage::TransferWithAuthorization(message) => message.from,
        _ => unreachable!("only transfers are built here"),
    }
}

//! `venice_api::web3` signing checked against vectors made by Python's
//! eth-account (`tests/data/make_eip191_vectors.py`; the tests only read the
//! JSON).

use std::sync::Arc;

use venice_api::web3::{Address, LocalSigner, ParseAddressError, Signature, SignerError, WalletSigner};

struct Vector {
    private_key: String,
    address: String,
    message: String,
    signature: String,
}

fn vectors() -> Vec<Vector> {
    let text = include_str!("data/eip191_vectors.json");
    let json: serde_json::Value = serde_json::from_str(text).expect("vectors are JSON");
    let field = |v: &serde_json::Value, name: &str| -> String {
        v[name].as_str().unwrap_or_else(|| panic!("vector field {name} is a string")).to_owned()
    };
    let vectors: Vec<Vector> = json["vectors"]
        .as_array()
        .expect("a `vectors` array")
        .iter()
        .map(|v| Vector {
            private_key: field(v, "private_key"),
            address: field(v, "address"),
            message: field(v, "message"),
            signature: field(v, "signature"),
        })
        .collect();
    assert!(vectors.len() >= 6, "expected at least 6 vectors");
    vectors
}

fn signer(v: &Vector) -> LocalSigner {
    LocalSigner::from_hex(&v.private_key).expect("vector key is valid")
}

const HARDHAT_0_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const HARDHAT_0_ADDRESS: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

#[test]
fn vectors_cover_jwt_empty_multibyte_and_long_messages() {
    let vectors = vectors();
    assert!(vectors.iter().any(|v| v.message.matches('.').count() == 2 && v.message.starts_with("eyJ")));
    assert!(vectors.iter().any(|v| v.message.is_empty()));
    assert!(vectors.iter().any(|v| v.message.len() > v.message.chars().count()));
    assert!(vectors.iter().any(|v| v.message.len() > 1000));
}

#[tokio::test]
async fn signature_equals_eth_account_for_every_vector() {
    for v in vectors() {
        let signature = signer(&v).sign_message(v.message.as_bytes()).await.expect("local signing succeeds");
        assert_eq!(signature.to_hex(), v.signature, "message {:?}", v.message);
    }
}

#[test]
fn sync_signature_equals_eth_account_for_every_vector() {
    for v in vectors() {
        let signature = signer(&v).sign_message_sync(v.message.as_bytes());
        assert_eq!(signature.to_string(), v.signature, "message {:?}", v.message);
    }
}

#[test]
fn address_derived_from_each_key_equals_eth_account() {
    for v in vectors() {
        let signer = signer(&v);
        assert_eq!(signer.address().to_string(), v.address);
        assert_eq!(WalletSigner::address(&signer).to_string(), v.address);
    }
}

#[test]
fn recover_address_returns_the_vector_address() {
    for v in vectors() {
        let signature: Signature = v.signature.parse().expect("vector signature parses");
        let recovered = signature.recover_address(v.message.as_bytes()).expect("vector signature recovers");
        assert_eq!(recovered.to_string(), v.address, "message {:?}", v.message);
    }
}

#[test]
fn recover_address_over_another_message_gives_another_address() {
    let v = &vectors()[0];
    let signature: Signature = v.signature.parse().unwrap();
    let other = format!("{}x", v.message);
    match signature.recover_address(other.as_bytes()) {
        Ok(address) => assert_ne!(address.to_string(), v.address),
        Err(SignerError::InvalidSignature(_)) => {}
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[test]
fn signing_is_deterministic() {
    let signer = LocalSigner::from_hex(HARDHAT_0_KEY).unwrap();
    let a = signer.sign_message_sync(b"same message");
    let b = signer.sign_message_sync(b"same message");
    assert_eq!(a, b);
}

#[test]
fn debug_of_local_signer_shows_the_address_and_not_the_key() {
    for v in vectors() {
        let debug = format!("{:?}", signer(&v));
        let pretty = format!("{:#?}", signer(&v));
        assert!(debug.contains(&v.address), "{debug}");
        let bare = v.private_key.trim_start_matches("0x");
        for shown in [&debug, &pretty] {
            for key in [
                bare.to_lowercase(),
                bare.to_uppercase(),
                format!("0x{}", bare.to_lowercase()),
                format!("0x{}", bare.to_uppercase()),
            ] {
                assert!(!shown.contains(&key), "Debug leaks the key: {shown}");
            }
        }
    }
    assert_eq!(
        format!("{:?}", LocalSigner::from_hex(HARDHAT_0_KEY).unwrap()),
        format!("LocalSigner {{ address: {HARDHAT_0_ADDRESS} }}")
    );
}

#[test]
fn private_key_is_accepted_with_or_without_prefix_in_either_case() {
    for key in [
        HARDHAT_0_KEY.to_owned(),
        format!("0x{HARDHAT_0_KEY}"),
        format!("0X{}", HARDHAT_0_KEY.to_uppercase()),
        format!("  0x{HARDHAT_0_KEY}\n"),
    ] {
        let signer = LocalSigner::from_hex(&key).expect("valid key form");
        assert_eq!(signer.address().to_string(), HARDHAT_0_ADDRESS);
    }
}

fn assert_refused_without_echo(input: &str) {
    let err = LocalSigner::from_hex(input).expect_err("key must be refused");
    assert!(matches!(err, SignerError::InvalidPrivateKey(_)), "{err:?}");
    let bare = input.trim().trim_start_matches("0x");
    assert!(err.to_string().starts_with("invalid private key: "), "{err}");
    for shown in [err.to_string(), format!("{err:?}")] {
        // Long enough runs of the input would be key material.
        let chars: Vec<char> = bare.chars().collect();
        for window in chars.windows(8) {
            let window: String = window.iter().collect();
            assert!(!shown.contains(&window), "error echoes the key: {shown}");
        }
    }
}

#[test]
fn private_key_of_wrong_length_is_refused_without_echo() {
    assert_refused_without_echo(&HARDHAT_0_KEY[..62]);
    assert_refused_without_echo(&format!("0x{HARDHAT_0_KEY}00"));
    assert_refused_without_echo("");
    assert_refused_without_echo("0x");
}

#[test]
fn private_key_that_is_not_hex_is_refused_without_echo() {
    let mut not_hex = HARDHAT_0_KEY.to_owned();
    not_hex.replace_range(10..11, "g");
    assert_refused_without_echo(&not_hex);
    assert_refused_without_echo(&format!("0x{not_hex}"));
    // 64 bytes but not 64 characters.
    assert_refused_without_echo(&format!("{}é", &HARDHAT_0_KEY[..62]));
}

#[test]
fn private_key_zero_or_not_below_the_curve_order_is_refused_without_echo() {
    assert_refused_without_echo(&"0".repeat(64));
    // The group order n itself, and n + 1.
    assert_refused_without_echo("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    assert_refused_without_echo("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142");
    assert_refused_without_echo(&"f".repeat(64));
}

#[test]
fn checksummed_address_is_accepted_and_displayed_unchanged() {
    for v in vectors() {
        let address: Address = v.address.parse().expect("checksummed address parses");
        assert_eq!(address.to_string(), v.address);
    }
}

#[test]
fn all_lowercase_and_all_uppercase_addresses_are_accepted() {
    for v in vectors() {
        let lower = v.address.to_lowercase();
        let upper = format!("0x{}", v.address[2..].to_uppercase());
        for s in [lower, upper] {
            let address: Address = s.parse().expect("single-case address parses");
            assert_eq!(address.to_string(), v.address);
        }
    }
}

#[test]
fn address_with_wrong_checksum_is_refused() {
    // Flip the case of one letter of a checksummed address.
    let good = HARDHAT_0_ADDRESS;
    let i = good[2..].find(|c: char| c.is_ascii_alphabetic()).unwrap() + 2;
    let mut bad = good.to_owned();
    let flipped =
        if good.as_bytes()[i].is_ascii_uppercase() { good[i..=i].to_lowercase() } else { good[i..=i].to_uppercase() };
    bad.replace_range(i..=i, &flipped);
    let err = bad.parse::<Address>().unwrap_err();
    assert_eq!(err, ParseAddressError::BadChecksum { expected: good.to_owned() });
    assert!(err.to_string().contains("checksum"), "{err}");
}

#[test]
fn address_of_wrong_length_or_bad_hex_is_refused() {
    assert_eq!("0x1234".parse::<Address>(), Err(ParseAddressError::InvalidLength { found: 4 }));
    assert!(matches!(
        format!("{HARDHAT_0_ADDRESS}00").parse::<Address>(),
        Err(ParseAddressError::InvalidLength { found: 42 })
    ));
    assert_eq!(format!("0x{}", "z".repeat(40)).parse::<Address>(), Err(ParseAddressError::InvalidHex));
    assert_eq!(HARDHAT_0_ADDRESS[2..].parse::<Address>(), Err(ParseAddressError::MissingPrefix));
}

#[test]
fn signature_hex_is_132_lowercase_chars_ending_in_v_1b_or_1c() {
    let mut seen = std::collections::BTreeSet::new();
    for v in vectors() {
        let hex = signer(&v).sign_message_sync(v.message.as_bytes()).to_hex();
        assert_eq!(hex.len(), 132);
        assert!(hex.starts_with("0x"));
        assert!(hex[2..].bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        let v_byte = &hex[130..];
        assert!(v_byte == "1b" || v_byte == "1c", "v byte {v_byte}");
        seen.insert(v_byte.to_owned());
    }
    // The vectors exercise both recovery ids.
    assert_eq!(seen.len(), 2, "{seen:?}");
}

#[test]
fn address_and_signature_serialize_as_json_strings() {
    let v = &vectors()[0];
    let signer = signer(v);
    let signature = signer.sign_message_sync(v.message.as_bytes());
    let json = serde_json::json!({ "address": signer.address(), "signature": signature });
    assert_eq!(json["address"], v.address.as_str());
    assert_eq!(json["signature"], v.signature.as_str());
    let back: Address = serde_json::from_value(json["address"].clone()).unwrap();
    assert_eq!(back, signer.address());
    let back: Signature = serde_json::from_value(json["signature"].clone()).unwrap();
    assert_eq!(back, signature);
}

#[tokio::test]
async fn signer_works_as_trait_object_box_and_arc() {
    let local = LocalSigner::from_hex(HARDHAT_0_KEY).unwrap();
    let expected = local.sign_message_sync(b"token");
    let as_dyn: &dyn WalletSigner = &local;
    let boxed: Box<dyn WalletSigner> = Box::new(local.clone());
    let arced: Arc<dyn WalletSigner> = Arc::new(local.clone());
    async fn sign<S: WalletSigner>(s: &S) -> Signature {
        s.sign_message(b"token").await.unwrap()
    }
    assert_eq!(as_dyn.sign_message(b"token").await.unwrap(), expected);
    assert_eq!(sign(&as_dyn).await, expected);
    assert_eq!(sign(&boxed).await, expected);
    assert_eq!(sign(&arced).await, expected);
    assert_eq!(arced.address().to_string(), HARDHAT_0_ADDRESS);
}

#[tokio::test]
async fn sign_future_is_send_so_it_can_be_spawned() {
    let signer: Arc<dyn WalletSigner> = Arc::new(LocalSigner::from_hex(HARDHAT_0_KEY).unwrap());
    let task = tokio::spawn(async move { signer.sign_message(b"spawned").await });
    let signature = task.await.unwrap().unwrap();
    assert_eq!(signature.recover_address(b"spawned").unwrap().to_string(), HARDHAT_0_ADDRESS);
}

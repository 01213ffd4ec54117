//! The cipher of Venice's end-to-end encryption, both ways.
//!
//! A text is sealed to a recipient's secp256k1 public key with a one-off key pair: ECDH of the
//! one-off private key and the recipient's key gives the shared secret (the 32-byte big-endian
//! x-coordinate), HKDF-SHA256 (no salt, info `ecdsa_encryption`) turns it into a 32-byte key,
//! and AES-256-GCM (12-byte nonce, no associated data) encrypts the UTF-8 bytes. What travels
//! is lowercase hex of `one-off public key (65 bytes, uncompressed) || nonce || ciphertext ||
//! tag`. The recipient redoes the ECDH with its private key and the one-off public key.
//!
//! Requests are sealed to the enclave's attested key with a fresh one-off key per message;
//! answer chunks come sealed to the session key, each with the enclave's one-off key first.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use hkdf::Hkdf;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use k256::{PublicKey, SecretKey};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use zeroize::Zeroizing;

/// The HKDF `info` the protocol fixes.
const HKDF_INFO: &[u8] = b"ecdsa_encryption";
/// An uncompressed SEC1 point: `04 || x || y`.
pub(crate) const POINT_BYTES: usize = 65;
const NONCE_BYTES: usize = 12;
const TAG_BYTES: usize = 16;
/// The shortest sealed text, in hex characters: a point, a nonce and a tag around nothing.
pub(crate) const MIN_SEALED_HEX: usize = 2 * (POINT_BYTES + NONCE_BYTES + TAG_BYTES);

/// Whether `text` is a sealed text by the protocol's rule: at least [`MIN_SEALED_HEX`] hex
/// characters (either case) and nothing else. Anything else is plain text.
pub(crate) fn looks_sealed(text: &str) -> bool {
    text.len() >= MIN_SEALED_HEX && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The AES-256-GCM cipher that `secret` and `public` agree on.
fn agreed_cipher(secret: &SecretKey, public: &PublicKey) -> Aes256Gcm {
    let shared = k256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), public.as_affine());
    let mut key = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(None, shared.raw_secret_bytes())
        .expand(HKDF_INFO, &mut key[..])
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    Aes256Gcm::new(aes_gcm::Key::<Aes256Gcm>::from_slice(&key[..]))
}

/// `plaintext` sealed to `recipient` with a fresh one-off key and nonce from the operating
/// system's generator; `None` for a text too long for AES-GCM (64 GiB).
pub(crate) fn seal(plaintext: &str, recipient: &PublicKey) -> Option<String> {
    let one_off = SecretKey::random(&mut OsRng);
    let mut nonce = [0u8; NONCE_BYTES];
    OsRng.fill_bytes(&mut nonce);
    seal_with(plaintext, recipient, &one_off, &nonce)
}

/// `plaintext` sealed to `recipient` with the given one-off key and nonce (fixed by the tests
/// that compare with vectors of another implementation).
pub(crate) fn seal_with(
    plaintext: &str,
    recipient: &PublicKey,
    one_off: &SecretKey,
    nonce: &[u8; NONCE_BYTES],
) -> Option<String> {
    let mut sealed = Vec::with_capacity(POINT_BYTES + NONCE_BYTES + plaintext.len() + TAG_BYTES);
    sealed.extend_from_slice(one_off.public_key().to_encoded_point(false).as_bytes());
    sealed.extend_from_slice(nonce);
    let start = sealed.len();
    sealed.extend_from_slice(plaintext.as_bytes());
    let tag = agreed_cipher(one_off, recipient)
        .encrypt_in_place_detached(Nonce::from_slice(nonce), b"", &mut sealed[start..])
        .ok()?;
    sealed.extend_from_slice(&tag);
    Some(hex::encode(sealed))
}

/// Why a sealed text could not be opened. Each reason is a fixed phrase: what failed, never
/// any of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// Not an even number of hex characters, or shorter than a point, a nonce and a tag.
    Malformed,
    /// The leading 65 bytes are not a point of secp256k1.
    NotAPoint,
    /// The tag does not match: another key, or altered bytes.
    Unauthentic,
    /// The decrypted bytes are not UTF-8 text.
    NotText,
}

impl OpenError {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            OpenError::Malformed => "the hex is cut short or has an odd length",
            OpenError::NotAPoint => "the sender's one-off key is not a point of secp256k1",
            OpenError::Unauthentic => "the authentication tag does not match (another key, or altered bytes)",
            OpenError::NotText => "the decrypted bytes are not UTF-8 text",
        }
    }
}

/// Opens texts sealed to one secret key. It remembers the cipher of the last one-off key it
/// saw, so a sender that seals several texts with the same one-off key costs one ECDH, not
/// one per text.
pub(crate) struct Opener {
    secret: std::sync::Arc<SecretKey>,
    last: Option<Box<([u8; POINT_BYTES], Aes256Gcm)>>,
    buffer: Zeroizing<Vec<u8>>,
}

impl Opener {
    pub(crate) fn new(secret: std::sync::Arc<SecretKey>) -> Self {
        Self { secret, last: None, buffer: Zeroizing::new(Vec::new()) }
    }

    /// The text `sealed` (hex, in the layout above) holds.
    pub(crate) fn open(&mut self, sealed: &str) -> Result<String, OpenError> {
        let hex_text = sealed.as_bytes();
        if !hex_text.len().is_multiple_of(2) || hex_text.len() < MIN_SEALED_HEX {
            return Err(OpenError::Malformed);
        }
        let buffer = &mut *self.buffer;
        buffer.clear();
        buffer.resize(hex_text.len() / 2, 0);
        hex::decode_to_slice(hex_text, buffer).map_err(|_| OpenError::Malformed)?;
        let (point, rest) = buffer.split_at_mut(POINT_BYTES);
        let (nonce, sealed_bytes) = rest.split_at_mut(NONCE_BYTES);
        let (ciphertext, tag) = sealed_bytes.split_at_mut(sealed_bytes.len() - TAG_BYTES);
        let cipher = match &self.last {
            Some(last) if last.0 == *point => &last.1,
            _ => {
                let sender = PublicKey::from_sec1_bytes(point).map_err(|_| OpenError::NotAPoint)?;
                let mut key = [0u8; POINT_BYTES];
                key.copy_from_slice(point);
                &self.last.insert(Box::new((key, agreed_cipher(&self.secret, &sender)))).1
            }
        };
        cipher
            .decrypt_in_place_detached(Nonce::from_slice(nonce), b"", ciphertext, Tag::from_slice(tag))
            .map_err(|_| OpenError::Unauthentic)?;
        std::str::from_utf8(ciphertext).map(str::to_owned).map_err(|_| OpenError::NotText)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;

    /// The vectors `tests/data/make_e2ee_vectors.py` made with Python `cryptography`.
    fn vectors() -> Value {
        serde_json::from_str(include_str!("../../tests/data/e2ee_vectors.json")).unwrap()
    }

    fn secret(hex_text: &Value) -> SecretKey {
        SecretKey::from_slice(&hex::decode(hex_text.as_str().unwrap()).unwrap()).unwrap()
    }

    fn public(hex_text: &Value) -> PublicKey {
        PublicKey::from_sec1_bytes(&hex::decode(hex_text.as_str().unwrap()).unwrap()).unwrap()
    }

    fn nonce(hex_text: &Value) -> [u8; NONCE_BYTES] {
        hex::decode(hex_text.as_str().unwrap()).unwrap().try_into().unwrap()
    }

    #[test]
    fn requests_are_sealed_byte_for_byte_as_the_python_implementation_seals_them() {
        let vectors = vectors();
        let model = public(&vectors["model_public_key"]);
        for vector in vectors["requests"].as_array().unwrap() {
            let sealed = seal_with(
                vector["plaintext"].as_str().unwrap(),
                &model,
                &secret(&vector["ephemeral_private_key"]),
                &nonce(&vector["nonce"]),
            )
            .unwrap();
            assert_eq!(sealed, vector["ciphertext"].as_str().unwrap(), "{:.40}", vector["plaintext"]);
        }
    }

    #[test]
    fn the_enclave_key_opens_what_the_python_implementation_sealed_to_it() {
        let vectors = vectors();
        let mut enclave = Opener::new(secret(&vectors["model_private_key"]).into());
        for vector in vectors["requests"].as_array().unwrap() {
            assert_eq!(enclave.open(vector["ciphertext"].as_str().unwrap()).unwrap(), vector["plaintext"]);
        }
    }

    #[test]
    fn answer_chunks_sealed_by_the_python_implementation_open_with_the_session_key() {
        let vectors = vectors();
        let mut session = Opener::new(secret(&vectors["client_private_key"]).into());
        for vector in vectors["answers"].as_array().unwrap() {
            let sealed = vector["ciphertext"].as_str().unwrap();
            assert!(looks_sealed(sealed));
            assert_eq!(session.open(sealed).unwrap(), vector["plaintext"]);
            // Upper-case hex is hex too.
            assert_eq!(session.open(&sealed.to_ascii_uppercase()).unwrap(), vector["plaintext"]);
        }
    }

    #[test]
    fn the_shared_secret_and_key_match_the_vectors_intermediate_values() {
        let vectors = vectors();
        let model = public(&vectors["model_public_key"]);
        let vector = &vectors["requests"][0];
        let one_off = secret(&vector["ephemeral_private_key"]);
        let shared = k256::ecdh::diffie_hellman(one_off.to_nonzero_scalar(), model.as_affine());
        assert_eq!(hex::encode(shared.raw_secret_bytes()), vector["shared_secret"].as_str().unwrap());
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(None, shared.raw_secret_bytes()).expand(HKDF_INFO, &mut key).unwrap();
        assert_eq!(hex::encode(key), vector["aes_key"].as_str().unwrap());
    }

    #[test]
    fn an_altered_byte_anywhere_fails_to_open_and_never_gives_text() {
        let vectors = vectors();
        let sealed = vectors["answers"][0]["ciphertext"].as_str().unwrap();
        let mut session = Opener::new(secret(&vectors["client_private_key"]).into());
        for at in (0..sealed.len()).step_by(7) {
            let mut altered = sealed.as_bytes().to_vec();
            altered[at] = if altered[at] == b'0' { b'1' } else { b'0' };
            let outcome = session.open(std::str::from_utf8(&altered).unwrap());
            assert!(
                matches!(outcome, Err(OpenError::NotAPoint | OpenError::Unauthentic)),
                "byte {at} gave {outcome:?}"
            );
        }
    }

    #[test]
    fn a_text_sealed_to_another_key_does_not_open() {
        let vectors = vectors();
        let mut wrong = Opener::new(secret(&vectors["model_private_key"]).into());
        assert_eq!(wrong.open(vectors["answers"][0]["ciphertext"].as_str().unwrap()), Err(OpenError::Unauthentic));
    }

    #[test]
    fn short_odd_or_non_hex_texts_are_malformed() {
        let mut opener = Opener::new(SecretKey::random(&mut OsRng).into());
        for text in ["", "abc", &"a".repeat(MIN_SEALED_HEX - 2), &"a".repeat(MIN_SEALED_HEX + 1), &"zz".repeat(200)] {
            assert_eq!(opener.open(text), Err(OpenError::Malformed), "{text:.20}");
        }
    }

    #[test]
    fn only_long_enough_all_hex_texts_look_sealed() {
        assert!(looks_sealed(&"aF".repeat(MIN_SEALED_HEX / 2)));
        assert!(!looks_sealed(&"a".repeat(MIN_SEALED_HEX - 1)));
        assert!(!looks_sealed(&format!("{} ", "a".repeat(MIN_SEALED_HEX))));
        assert!(!looks_sealed("Hello"));
        assert!(!looks_sealed(""));
    }

    #[test]
    fn a_megabytes_long_text_round_trips() {
        let recipient = SecretKey::random(&mut OsRng);
        let text = "Venice 🌊 ".repeat(200_000);
        let sealed = seal(&text, &recipient.public_key()).unwrap();
        assert_eq!(Opener::new(recipient.into()).open(&sealed).unwrap(), text);
    }

    /// Any UTF-8 text: short ones of every kind, the empty one, and some of several megabytes
    /// (an arbitrary text repeated).
    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => any::<String>(),
            1 => Just(String::new()),
            1 => ("\\PC{1,40}", 2_000_000..2_500_000usize).prop_map(|(piece, size)| piece.repeat(size / piece.len() + 1)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        #[test]
        fn any_text_round_trips(text in any_text()) {
            let recipient = SecretKey::random(&mut OsRng);
            let sealed = seal(&text, &recipient.public_key()).unwrap();
            prop_assert!(looks_sealed(&sealed));
            prop_assert_eq!(sealed.len(), MIN_SEALED_HEX + 2 * text.len());
            prop_assert_eq!(Opener::new(recipient.into()).open(&sealed).unwrap(), text);
        }

        #[test]
        fn any_text_given_to_open_gives_text_or_an_error_never_a_panic(text in ".{0,400}", hex_tail in "[0-9a-f]{0,400}") {
            let mut opener = Opener::new(SecretKey::random(&mut OsRng).into());
            let _ = opener.open(&text);
            let _ = opener.open(&hex_tail);
        }
    }
}

//! An enclave's attestation, checked: [`Attestation`] and its key, [`EnclaveKey`].

use std::fmt;

use k256::PublicKey;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use serde_json::Value;
use venice_api_gen::types::GetTeeAttestationResponse;

use super::TeeError;
use crate::web3::Address;

/// The secp256k1 public key an enclave attested: what E2EE requests are encrypted to.
///
/// Only [`Attestation`] makes one, from a key that is a point of the curve. It prints as the
/// 130 lowercase hex characters of its uncompressed form (`04 || x || y`), as the
/// `X-Venice-TEE-Model-Pub-Key` header carries it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EnclaveKey(PublicKey);

impl EnclaveKey {
    /// Reads a key as attestation answers give it: hex of a SEC1 point (an optional `0x`
    /// before it), where 128 hex characters are an uncompressed point without its `04`.
    pub(crate) fn parse(text: &str) -> Result<Self, TeeError> {
        let text = text.trim();
        let text = text.strip_prefix("0x").unwrap_or(text);
        let invalid = |reason: String| TeeError::InvalidPublicKey { reason };
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid("the signing key is not hex".to_owned()));
        }
        let bytes = match text.len() {
            // The uncompressed point without its tag: x and y, 32 bytes each.
            128 => [&[0x04][..], &hex::decode(text).map_err(|e| invalid(e.to_string()))?].concat(),
            130 | 66 => hex::decode(text).map_err(|e| invalid(e.to_string()))?,
            other => {
                return Err(invalid(format!(
                    "the signing key has {other} hex characters, not 130 (or 128 without the `04` prefix)"
                )));
            }
        };
        PublicKey::from_sec1_bytes(&bytes)
            .map(Self)
            .map_err(|_| invalid("the signing key is not a point of secp256k1".to_owned()))
    }

    /// The uncompressed point, `04 || x || y`: 65 bytes.
    pub fn to_bytes(&self) -> [u8; 65] {
        let point = self.0.to_encoded_point(false);
        point.as_bytes().try_into().expect("an uncompressed secp256k1 point is 65 bytes")
    }

    /// The 130 lowercase hex characters of [`to_bytes`](Self::to_bytes).
    pub fn to_hex(&self) -> String {
        hex::encode(self.to_bytes())
    }

    /// The Ethereum address of the key.
    pub fn address(&self) -> Address {
        Address::from_verifying_key(&self.0.into())
    }

    pub(crate) fn public_key(&self) -> &PublicKey {
        &self.0
    }
}

impl fmt::Display for EnclaveKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for EnclaveKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EnclaveKey({self})")
    }
}

/// A model's attestation, fetched with a fresh nonce and checked: Venice verified the
/// evidence (`verified` is `true`), the answer echoes the nonce sent, and it names a signing
/// key that is a point of secp256k1 and, when it states a signing address, the address of that
/// key.
///
/// These are the checks Venice documents for clients. The TDX quote itself (measurements, debug
/// flag, the key's binding to its report data) and the NVIDIA evidence are not checked here;
/// [`intel_quote`](Self::intel_quote) and [`nvidia_payload`](Self::nvidia_payload) hand them
/// over, as sent, to a verifier of your choice.
#[derive(Debug, Clone, PartialEq)]
pub struct Attestation {
    model: String,
    nonce: String,
    key: EnclaveKey,
    answer: GetTeeAttestationResponse,
}

impl Attestation {
    /// Checks the answer to an attestation request for `model` sent with `nonce`.
    pub(crate) fn check(model: &str, nonce: &str, answer: GetTeeAttestationResponse) -> Result<Self, TeeError> {
        if answer.verified != Some(true) {
            return Err(TeeError::NotVerified { verified: answer.verified });
        }
        if !answer.nonce.as_deref().is_some_and(|echoed| echoed.trim().eq_ignore_ascii_case(nonce)) {
            return Err(TeeError::NonceMismatch { sent: nonce.to_owned(), echoed: answer.nonce.clone() });
        }
        let stated = [&answer.signing_key, &answer.signing_public_key]
            .into_iter()
            .flatten()
            .find(|key| !key.trim().is_empty())
            .ok_or(TeeError::NoSigningKey)?;
        let key = EnclaveKey::parse(stated)?;
        if let Some(address) = answer.signing_address.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            let derived = key.address();
            let bare = |a: &str| a.strip_prefix("0x").unwrap_or(a).to_ascii_lowercase();
            if bare(address) != bare(&derived.to_string()) {
                return Err(TeeError::AddressMismatch { stated: address.to_owned(), derived });
            }
        }
        Ok(Self { model: model.to_owned(), nonce: nonce.to_owned(), key, answer })
    }

    /// The model attested, as it was asked for.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The nonce sent, which the answer echoed: 64 hex characters.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The enclave's key, which E2EE requests are encrypted to.
    pub fn signing_key(&self) -> &EnclaveKey {
        &self.key
    }

    /// The Ethereum address of the signing key, which the enclave's signatures
    /// ([`Tee::signature`](super::Tee::signature)) recover to.
    pub fn signing_address(&self) -> Address {
        self.key.address()
    }

    /// Which kind of enclave the model runs in, as Venice names it.
    pub fn tee_provider(&self) -> Option<&str> {
        self.answer.tee_provider.as_deref()
    }

    /// The Intel TDX quote, base64, as sent: for verifying the evidence yourself.
    pub fn intel_quote(&self) -> Option<&str> {
        self.answer.intel_quote.as_deref()
    }

    /// The NVIDIA GPU evidence, as sent, for models running on such GPUs.
    pub fn nvidia_payload(&self) -> Option<&Value> {
        self.answer.nvidia_payload.as_ref().filter(|v| !v.is_null())
    }

    /// The whole answer, fields this crate does not know included.
    pub fn answer(&self) -> &GetTeeAttestationResponse {
        &self.answer
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The model key of the checked-in vectors, and its address (computed by the web3 module,
    /// whose own vectors come from eth-account).
    const KEY: &str = "041b593c3f97345fef7bc05de87526aa76a5dd71aeb01a2ea41e3b4758b9c339237dca9ee373510c2f4f95f6614641567cbcd757a2c1d1e8425840cd2fb10716f6";
    const NONCE: &str = "5f1c9a0e4b7d2c8a5f1c9a0e4b7d2c8a5f1c9a0e4b7d2c8a5f1c9a0e4b7d2c8a";

    fn answer(fields: Value) -> GetTeeAttestationResponse {
        let mut base = json!({
            "verified": true, "nonce": NONCE, "model": "e2ee-m", "tee_provider": "tdx",
            "intel_quote": "BAACAIEAAAA=", "signing_key": KEY,
        });
        base.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        serde_json::from_value(base).unwrap()
    }

    fn refused(fields: Value) -> TeeError {
        Attestation::check("e2ee-m", NONCE, answer(fields)).unwrap_err()
    }

    #[test]
    fn a_key_without_its_04_prefix_is_the_same_key() {
        let full = EnclaveKey::parse(KEY).unwrap();
        assert_eq!(EnclaveKey::parse(&KEY[2..]).unwrap(), full);
        assert_eq!(EnclaveKey::parse(&format!("0x{}", KEY.to_ascii_uppercase())).unwrap(), full);
        assert_eq!(full.to_hex(), KEY);
    }

    #[test]
    fn a_key_of_another_length_or_off_the_curve_is_an_invalid_public_key() {
        let off_curve = format!("04{}", "11".repeat(64));
        for text in [&KEY[4..], "04", &off_curve, &format!("{}zz", &KEY[..128])] {
            assert!(matches!(EnclaveKey::parse(text), Err(TeeError::InvalidPublicKey { .. })), "{text}");
        }
        assert!(TeeError::InvalidPublicKey { reason: "x".into() }.to_string().starts_with("Invalid public key"));
    }

    #[test]
    fn verified_false_or_missing_is_refused() {
        assert!(matches!(refused(json!({"verified": false})), TeeError::NotVerified { verified: Some(false) }));
        assert!(matches!(refused(json!({"verified": null})), TeeError::NotVerified { verified: None }));
    }

    #[test]
    fn another_or_a_missing_nonce_is_refused() {
        assert!(matches!(refused(json!({"nonce": "00".repeat(32)})), TeeError::NonceMismatch { .. }));
        assert!(matches!(refused(json!({"nonce": null})), TeeError::NonceMismatch { echoed: None, .. }));
    }

    #[test]
    fn no_signing_key_is_refused_and_the_older_name_is_read() {
        assert!(matches!(refused(json!({"signing_key": null})), TeeError::NoSigningKey));
        assert!(matches!(refused(json!({"signing_key": " "})), TeeError::NoSigningKey));
        let older = answer(json!({"signing_key": null, "signing_public_key": &KEY[2..]}));
        assert_eq!(Attestation::check("e2ee-m", NONCE, older).unwrap().signing_key().to_hex(), KEY);
    }

    #[test]
    fn a_signing_address_that_is_not_the_keys_is_refused() {
        let address = EnclaveKey::parse(KEY).unwrap().address().to_string();
        let lower = answer(json!({"signing_address": address.to_ascii_lowercase()}));
        assert!(Attestation::check("e2ee-m", NONCE, lower).is_ok());
        let other = refused(json!({"signing_address": "0x0000000000000000000000000000000000000001"}));
        assert!(matches!(other, TeeError::AddressMismatch { .. }), "{other:?}");
    }

    #[test]
    fn later_fields_are_kept_and_the_evidence_handed_over() {
        let attestation = Attestation::check(
            "e2ee-m",
            NONCE,
            answer(json!({"nvidia_payload": {"arch": "HOPPER"}, "tdx_debug": false})),
        )
        .unwrap();
        assert_eq!(attestation.tee_provider(), Some("tdx"));
        assert_eq!(attestation.intel_quote(), Some("BAACAIEAAAA="));
        assert_eq!(attestation.nvidia_payload().unwrap()["arch"], "HOPPER");
        assert_eq!(serde_json::to_value(attestation.answer()).unwrap()["tdx_debug"], false);
    }
}

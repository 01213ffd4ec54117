//! 65-byte recoverable secp256k1 signatures in Ethereum's `r || s || v` form.

use std::fmt;
use std::str::FromStr;

use k256::ecdsa::{RecoveryId, Signature as EcdsaSignature, VerifyingKey};

use super::address::Address;
use super::eip191::eip191_hash_message;
use super::signer::SignerError;

/// A 65-byte Ethereum signature: `r` (32 bytes) `|| s` (32 bytes) `|| v`
/// (1 byte), with `v` always 27 or 28.
///
/// This is what `personal_sign` returns and what Venice's
/// `POST /api_keys/generate_web3_key` expects. [`Display`](fmt::Display) and
/// [`to_hex`](Self::to_hex) give `0x` followed by 130 lowercase hex
/// characters; with serde it is that string.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature([u8; 65]);

impl Signature {
    /// The signature with these 65 bytes `r || s || v`.
    ///
    /// `v` may be 27 or 28, or a bare recovery id 0 or 1 (as some hardware
    /// wallets and KMS wrappers return), which is stored as 27 or 28. Any other
    /// `v` is refused. `r` and `s` are not checked here;
    /// [`recover_address`](Self::recover_address) checks them.
    pub fn from_bytes(mut bytes: [u8; 65]) -> Result<Self, ParseSignatureError> {
        bytes[64] = match bytes[64] {
            v @ (27 | 28) => v,
            v @ (0 | 1) => v + 27,
            v => return Err(ParseSignatureError::InvalidV { v }),
        };
        Ok(Self(bytes))
    }

    /// Builds a signature from a low-s ECDSA signature and its recovery id.
    pub(crate) fn from_parts(signature: &EcdsaSignature, recovery_id: RecoveryId) -> Self {
        let mut bytes = [0u8; 65];
        bytes[..64].copy_from_slice(&signature.to_bytes());
        // Ethereum addresses use x-coordinates below the group order, so only
        // the y-parity bit is meaningful here.
        bytes[64] = 27 + u8::from(recovery_id.is_y_odd());
        Self(bytes)
    }

    /// The 65 bytes `r || s || v`.
    pub const fn as_bytes(&self) -> &[u8; 65] {
        &self.0
    }

    /// The `r` half of the ECDSA signature.
    pub fn r(&self) -> [u8; 32] {
        self.0[..32].try_into().expect("32 bytes")
    }

    /// The `s` half of the ECDSA signature.
    pub fn s(&self) -> [u8; 32] {
        self.0[32..64].try_into().expect("32 bytes")
    }

    /// The recovery byte `v`: 27 or 28.
    pub const fn v(&self) -> u8 {
        self.0[64]
    }

    /// `0x` followed by the 130 lowercase hex characters of the 65 bytes.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// The address whose key made this signature over `message` with EIP-191
    /// `personal_sign` (`message` is the raw bytes that were signed, not their
    /// digest).
    ///
    /// Like Ethereum's `ecrecover`, this accepts a high-s signature as well
    /// as its low-s twin. It fails with [`SignerError::InvalidSignature`] when
    /// `r` or `s` is out of range or no public key matches; a signature made
    /// over another message or by another key recovers a different address, so
    /// compare the result with the address you expect.
    pub fn recover_address(&self, message: &[u8]) -> Result<Address, SignerError> {
        self.recover_address_from_prehash(&eip191_hash_message(message))
    }

    /// The address whose key made this signature over the 32-byte `digest` (an EIP-712
    /// [`signing_hash`](super::TypedData::signing_hash), or an EIP-191 digest), with the
    /// same rules and errors as [`recover_address`](Self::recover_address).
    pub fn recover_address_from_prehash(&self, digest: &[u8; 32]) -> Result<Address, SignerError> {
        let mut signature = EcdsaSignature::from_slice(&self.0[..64])
            .map_err(|_| SignerError::InvalidSignature("r or s is zero or not below the curve order"))?;
        let mut y_odd = self.v() == 28;
        if let Some(low) = signature.normalize_s() {
            signature = low;
            y_odd = !y_odd;
        }
        let recovery_id = RecoveryId::new(y_odd, false);
        let key = VerifyingKey::recover_from_prehash(digest, &signature, recovery_id)
            .map_err(|_| SignerError::InvalidSignature("no public key matches this signature"))?;
        Ok(Address::from_verifying_key(&key))
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut hex = [0u8; 130];
        hex::encode_to_slice(self.0, &mut hex).expect("130 bytes hold 65 bytes of hex");
        f.write_str("0x")?;
        f.write_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"))
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({self})")
    }
}

/// Why bytes or a string are not a [`Signature`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseSignatureError {
    /// Not exactly 65 bytes (130 hex characters).
    #[error("invalid signature: expected 65 bytes (130 hex characters), found {found} hex characters")]
    InvalidLength {
        /// The number of hex characters found (after any `0x`).
        found: usize,
    },
    /// A character is not a hex digit.
    #[error("invalid signature: not hexadecimal")]
    InvalidHex,
    /// The recovery byte is not 0, 1, 27 or 28.
    #[error("invalid signature: recovery byte v is {v}, expected 27 or 28 (or 0 or 1)")]
    InvalidV {
        /// The recovery byte found.
        v: u8,
    },
}

impl FromStr for Signature {
    type Err = ParseSignatureError;

    /// Parses 130 hex characters of either case, with or without `0x`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.strip_prefix("0x").unwrap_or(s);
        if digits.len() != 130 {
            return Err(ParseSignatureError::InvalidLength { found: digits.chars().count() });
        }
        let mut bytes = [0u8; 65];
        hex::decode_to_slice(digits, &mut bytes).map_err(|_| ParseSignatureError::InvalidHex)?;
        Self::from_bytes(bytes)
    }
}

impl TryFrom<[u8; 65]> for Signature {
    type Error = ParseSignatureError;

    fn try_from(bytes: [u8; 65]) -> Result<Self, Self::Error> {
        Self::from_bytes(bytes)
    }
}

impl TryFrom<&[u8]> for Signature {
    type Error = ParseSignatureError;

    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        let bytes: [u8; 65] =
            bytes.try_into().map_err(|_| ParseSignatureError::InvalidLength { found: bytes.len() * 2 })?;
        Self::from_bytes(bytes)
    }
}

impl From<Signature> for [u8; 65] {
    fn from(signature: Signature) -> Self {
        signature.0
    }
}

impl AsRef<[u8]> for Signature {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl serde::Serialize for Signature {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Signature {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web3::LocalSigner;

    const KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    #[test]
    fn bare_recovery_id_is_stored_as_27_or_28() {
        let mut bytes = [1u8; 65];
        bytes[64] = 0;
        assert_eq!(Signature::from_bytes(bytes).unwrap().v(), 27);
        bytes[64] = 1;
        assert_eq!(Signature::from_bytes(bytes).unwrap().v(), 28);
    }

    #[test]
    fn other_v_bytes_are_refused() {
        let mut bytes = [1u8; 65];
        for v in [2u8, 26, 29, 35, 37, 255] {
            bytes[64] = v;
            assert_eq!(Signature::from_bytes(bytes), Err(ParseSignatureError::InvalidV { v }));
        }
    }

    #[test]
    fn local_signatures_are_low_s() {
        let signer = LocalSigner::from_hex(KEY).unwrap();
        for i in 0..64 {
            let signature = signer.sign_message_sync(format!("message {i}").as_bytes());
            let ecdsa = EcdsaSignature::from_slice(&signature.as_bytes()[..64]).unwrap();
            assert!(ecdsa.normalize_s().is_none(), "high s for message {i}");
        }
    }

    #[test]
    fn high_s_twin_recovers_the_same_address() {
        let signer = LocalSigner::from_hex(KEY).unwrap();
        let message = b"twin";
        let signature = signer.sign_message_sync(message);
        let ecdsa = EcdsaSignature::from_slice(&signature.as_bytes()[..64]).unwrap();
        let high_s = -*ecdsa.s();
        let twin = EcdsaSignature::from_scalars(ecdsa.r().to_bytes(), high_s.to_bytes()).unwrap();
        let mut bytes = [0u8; 65];
        bytes[..64].copy_from_slice(&twin.to_bytes());
        bytes[64] = if signature.v() == 27 { 28 } else { 27 };
        let twin = Signature::from_bytes(bytes).unwrap();
        assert_eq!(twin.recover_address(message).unwrap(), signer.address());
    }

    #[test]
    fn zero_r_is_refused_by_recovery() {
        let mut bytes = [0u8; 65];
        bytes[32..64].fill(1);
        bytes[64] = 27;
        let signature = Signature::from_bytes(bytes).unwrap();
        assert!(matches!(signature.recover_address(b"x"), Err(SignerError::InvalidSignature(_))));
    }

    #[test]
    fn hex_round_trips_with_and_without_prefix() {
        let signer = LocalSigner::from_hex(KEY).unwrap();
        let signature = signer.sign_message_sync(b"round trip");
        let hex = signature.to_hex();
        assert_eq!(hex.parse::<Signature>().unwrap(), signature);
        assert_eq!(hex[2..].parse::<Signature>().unwrap(), signature);
        assert_eq!(hex.to_uppercase()[2..].parse::<Signature>().unwrap(), signature);
    }

    #[test]
    fn wrong_length_hex_is_refused() {
        assert_eq!("0x1234".parse::<Signature>(), Err(ParseSignatureError::InvalidLength { found: 4 }));
    }
}

//! 20-byte Ethereum account addresses with EIP-55 checksums.

use std::fmt;
use std::str::FromStr;

use k256::ecdsa::VerifyingKey;

use super::eip191::keccak256;

/// A 20-byte Ethereum account address.
///
/// [`Display`](fmt::Display) (and so `to_string()`) gives the EIP-55
/// checksummed form, `0x` followed by 40 mixed-case hex characters, e.g.
/// `0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266`. [`FromStr`] accepts `0x` +
/// 40 hex characters that are all lowercase, all uppercase, or mixed case with
/// a correct EIP-55 checksum. With serde it is a checksummed string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Address([u8; 20]);

impl Address {
    /// The address with these 20 bytes.
    pub const fn from_bytes(bytes: [u8; 20]) -> Self {
        Self(bytes)
    }

    /// The 20 bytes of the address.
    pub const fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// The address of a secp256k1 public key: the last 20 bytes of the
    /// Keccak-256 of its uncompressed encoding without the `0x04` tag.
    pub(crate) fn from_verifying_key(key: &VerifyingKey) -> Self {
        let point = key.to_encoded_point(false);
        let hash = keccak256(&point.as_bytes()[1..]);
        let mut bytes = [0u8; 20];
        bytes.copy_from_slice(&hash[12..]);
        Self(bytes)
    }

    /// The EIP-55 checksummed hex form, without the `0x` prefix.
    fn checksummed_hex(&self) -> [u8; 40] {
        let mut lower = [0u8; 40];
        hex::encode_to_slice(self.0, &mut lower).expect("40 bytes hold 20 bytes of hex");
        let hash = keccak256(&lower);
        let mut out = lower;
        for (i, c) in out.iter_mut().enumerate() {
            let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
            if c.is_ascii_alphabetic() && nibble >= 8 {
                c.make_ascii_uppercase();
            }
        }
        out
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = self.checksummed_hex();
        f.write_str("0x")?;
        f.write_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"))
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}

/// Why a string is not an [`Address`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseAddressError {
    /// The string does not start with `0x`.
    #[error("invalid Ethereum address: expected a `0x` prefix")]
    MissingPrefix,
    /// The string does not hold exactly 40 hex characters after `0x`.
    #[error("invalid Ethereum address: expected 40 hex characters after `0x`, found {found}")]
    InvalidLength {
        /// The number of characters found after `0x`.
        found: usize,
    },
    /// A character after `0x` is not a hex digit.
    #[error("invalid Ethereum address: not hexadecimal")]
    InvalidHex,
    /// The string is mixed case but its EIP-55 checksum is wrong (often a typo).
    #[error("invalid Ethereum address: EIP-55 checksum mismatch (expected {expected})")]
    BadChecksum {
        /// The correctly checksummed form of the same 20 bytes.
        expected: String,
    },
}

impl FromStr for Address {
    type Err = ParseAddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.strip_prefix("0x").ok_or(ParseAddressError::MissingPrefix)?;
        if digits.len() != 40 {
            return Err(ParseAddressError::InvalidLength { found: digits.chars().count() });
        }
        let mut bytes = [0u8; 20];
        hex::decode_to_slice(digits, &mut bytes).map_err(|_| ParseAddressError::InvalidHex)?;
        let address = Self(bytes);

        let has_lower = digits.bytes().any(|c| c.is_ascii_lowercase());
        let has_upper = digits.bytes().any(|c| c.is_ascii_uppercase());
        if has_lower && has_upper && digits.as_bytes() != address.checksummed_hex() {
            return Err(ParseAddressError::BadChecksum { expected: address.to_string() });
        }
        Ok(address)
    }
}

impl From<[u8; 20]> for Address {
    fn from(bytes: [u8; 20]) -> Self {
        Self(bytes)
    }
}

impl From<Address> for [u8; 20] {
    fn from(address: Address) -> Self {
        address.0
    }
}

impl AsRef<[u8]> for Address {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl serde::Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Address {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test vectors of EIP-55 itself.
    const EIP55: [&str; 4] = [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ];

    #[test]
    fn display_gives_the_eip55_checksum_of_the_spec_vectors() {
        for s in EIP55 {
            let address: Address = s.to_lowercase().parse().unwrap();
            assert_eq!(address.to_string(), s);
        }
    }

    #[test]
    fn all_digit_address_has_no_case_to_check() {
        let address: Address = "0x1234567890123456789012345678901234567890".parse().unwrap();
        assert_eq!(address.to_string(), "0x1234567890123456789012345678901234567890");
    }

    #[test]
    fn missing_prefix_is_refused() {
        assert_eq!(
            "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".parse::<Address>(),
            Err(ParseAddressError::MissingPrefix)
        );
    }

    #[test]
    fn non_ascii_input_is_refused_without_panicking() {
        let s = format!("0x{}é", "a".repeat(38));
        assert!(s.parse::<Address>().is_err());
    }
}

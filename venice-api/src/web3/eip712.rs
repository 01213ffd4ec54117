//! EIP-712 typed data: the domain separator, the struct hash and the digest a wallet signs,
//! for the one message x402 payments on Base need, EIP-3009's `TransferWithAuthorization`.
//!
//! Written on `sha3` (Keccak-256) as the EIP-191 hashing is, instead of a general EIP-712
//! crate: the encoding of one fixed struct of static fields is a few concatenations of
//! 32-byte words, checked against eth-account's vectors (`tests/data/eip712_vectors.json`).

use serde_json::{Value, json};

use super::address::Address;
use super::eip191::keccak256;

/// The type of the domain every [`TypedData`] here is signed in.
const DOMAIN_TYPE: &str = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";

/// An EIP-712 domain with the four fields token contracts such as USDC use: the token's
/// `name` and `version` (a top-up's Base option gives them as `extra.name` and
/// `extra.version`), the chain, and the token contract.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Eip712Domain {
    /// The signing domain's name (`USD Coin` for USDC).
    pub name: String,
    /// The signing domain's version (`2` for USDC).
    pub version: String,
    /// The EIP-155 chain id (8453 on Base).
    pub chain_id: u64,
    /// The contract that verifies the signature (the token).
    pub verifying_contract: Address,
}

impl Eip712Domain {
    /// `hashStruct(domain)`: the domain separator.
    pub fn separator(&self) -> [u8; 32] {
        let mut encoded = Vec::with_capacity(5 * 32);
        encoded.extend_from_slice(&keccak256(DOMAIN_TYPE.as_bytes()));
        encoded.extend_from_slice(&keccak256(self.name.as_bytes()));
        encoded.extend_from_slice(&keccak256(self.version.as_bytes()));
        encoded.extend_from_slice(&uint256(u128::from(self.chain_id)));
        encoded.extend_from_slice(&address_word(&self.verifying_contract));
        keccak256(&encoded)
    }
}

/// EIP-3009's `TransferWithAuthorization`: `from` allows `to` to move `value` of the token
/// (in its base units) once, between `valid_after` and `valid_before` (Unix seconds, both
/// exclusive), under a `nonce` the token contract accepts only once.
///
/// `value` is a `uint256` on chain; `u128` holds any amount of a 6-decimal token there is
/// (USDC's whole supply is below 2^64 base units), and the encoding pads it to 256 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransferWithAuthorization {
    /// The payer, whose wallet signs.
    pub from: Address,
    /// The receiver.
    pub to: Address,
    /// How much, in the token's base units.
    pub value: u128,
    /// Valid only after this time (Unix seconds).
    pub valid_after: u64,
    /// Valid only before this time (Unix seconds).
    pub valid_before: u64,
    /// 32 random bytes, used once.
    pub nonce: [u8; 32],
}

impl TransferWithAuthorization {
    /// The struct's EIP-712 type, as EIP-3009 defines it.
    pub const TYPE: &'static str = "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)";

    /// `hashStruct(message)`.
    pub fn struct_hash(&self) -> [u8; 32] {
        let mut encoded = Vec::with_capacity(7 * 32);
        encoded.extend_from_slice(&keccak256(Self::TYPE.as_bytes()));
        encoded.extend_from_slice(&address_word(&self.from));
        encoded.extend_from_slice(&address_word(&self.to));
        encoded.extend_from_slice(&uint256(self.value));
        encoded.extend_from_slice(&uint256(u128::from(self.valid_after)));
        encoded.extend_from_slice(&uint256(u128::from(self.valid_before)));
        encoded.extend_from_slice(&self.nonce);
        keccak256(&encoded)
    }
}

/// EIP-712 typed data a wallet is asked to sign: a domain and a message in it.
///
/// A [`WalletSigner`](super::WalletSigner) gets it whole, so that each kind of wallet can
/// take what it signs: a key in memory or a KMS signs [`signing_hash`](Self::signing_hash);
/// a hardware wallet that shows what it signs takes [`domain_separator`](Self::domain_separator)
/// and [`struct_hash`](Self::struct_hash); a wallet behind JSON-RPC takes
/// [`to_json`](Self::to_json) for `eth_signTypedData_v4`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TypedData {
    /// The domain the message is signed in.
    pub domain: Eip712Domain,
    /// The message.
    pub message: TypedMessage,
}

/// The messages [`TypedData`] can hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TypedMessage {
    /// An EIP-3009 transfer authorization (an x402 payment on an EVM chain).
    TransferWithAuthorization(TransferWithAuthorization),
}

impl TypedData {
    /// `message` in `domain`.
    pub fn transfer_with_authorization(domain: Eip712Domain, message: TransferWithAuthorization) -> Self {
        Self { domain, message: TypedMessage::TransferWithAuthorization(message) }
    }

    /// `hashStruct(domain)`.
    pub fn domain_separator(&self) -> [u8; 32] {
        self.domain.separator()
    }

    /// `hashStruct(message)`.
    pub fn struct_hash(&self) -> [u8; 32] {
        match &self.message {
            TypedMessage::TransferWithAuthorization(message) => message.struct_hash(),
        }
    }

    /// The digest signed: `keccak256(0x19 0x01 || domain separator || struct hash)`.
    pub fn signing_hash(&self) -> [u8; 32] {
        eip712_signing_hash(&self.domain_separator(), &self.struct_hash())
    }

    /// The typed data as `eth_signTypedData_v4` takes it (`types`, `primaryType`, `domain`,
    /// `message`), numbers as decimal strings and bytes as 0x-hex.
    pub fn to_json(&self) -> Value {
        let domain = json!({
            "name": self.domain.name,
            "version": self.domain.version,
            "chainId": self.domain.chain_id,
            "verifyingContract": self.domain.verifying_contract,
        });
        let domain_type = json!([
            {"name": "name", "type": "string"},
            {"name": "version", "type": "string"},
            {"name": "chainId", "type": "uint256"},
            {"name": "verifyingContract", "type": "address"},
        ]);
        match &self.message {
            TypedMessage::TransferWithAuthorization(message) => json!({
                "types": {
                    "EIP712Domain": domain_type,
                    "TransferWithAuthorization": [
                        {"name": "from", "type": "address"},
                        {"name": "to", "type": "address"},
                        {"name": "value", "type": "uint256"},
                        {"name": "validAfter", "type": "uint256"},
                        {"name": "validBefore", "type": "uint256"},
                        {"name": "nonce", "type": "bytes32"},
                    ],
                },
                "primaryType": "TransferWithAuthorization",
                "domain": domain,
                "message": {
                    "from": message.from,
                    "to": message.to,
                    "value": message.value.to_string(),
                    "validAfter": message.valid_after.to_string(),
                    "validBefore": message.valid_before.to_string(),
                    "nonce": format!("0x{}", hex::encode(message.nonce)),
                },
            }),
        }
    }
}

/// The EIP-712 digest of a struct hash in a domain: `keccak256(0x19 0x01 || domain
/// separator || struct hash)`.
#[must_use]
pub fn eip712_signing_hash(domain_separator: &[u8; 32], struct_hash: &[u8; 32]) -> [u8; 32] {
    let mut encoded = [0u8; 66];
    encoded[..2].copy_from_slice(b"\x19\x01");
    encoded[2..34].copy_from_slice(domain_separator);
    encoded[34..].copy_from_slice(struct_hash);
    keccak256(&encoded)
}

/// An unsigned integer as an ABI word: 32 bytes, big-endian.
fn uint256(value: u128) -> [u8; 32] {
    let mut word = [0u8; 32];
    word[16..].copy_from_slice(&value.to_be_bytes());
    word
}

/// An address as an ABI word: left-padded with zeros.
fn address_word(address: &Address) -> [u8; 32] {
    let mut word = [0u8; 32];
    word[12..].copy_from_slice(address.as_bytes());
    word
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_hashes_are_those_of_the_eip3009_and_eip712_type_strings() {
        // The type hash USDC's contract declares as TRANSFER_WITH_AUTHORIZATION_TYPEHASH.
        assert_eq!(
            hex::encode(keccak256(TransferWithAuthorization::TYPE.as_bytes())),
            "7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267"
        );
        assert_eq!(
            hex::encode(keccak256(DOMAIN_TYPE.as_bytes())),
            "8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f"
        );
    }

    #[test]
    fn integers_are_big_endian_words() {
        let word = uint256(0x0102);
        assert_eq!(word[30..], [1, 2]);
        assert!(word[..30].iter().all(|b| *b == 0));
        assert_eq!(uint256(u128::MAX)[..16], [0; 16]);
        assert_eq!(uint256(u128::MAX)[16..], [0xff; 16]);
    }
}

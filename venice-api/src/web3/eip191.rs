//! EIP-191 `personal_sign` message hashing (version byte `0x45`).

use sha3::{Digest, Keccak256};

/// Keccak-256 (the original Keccak padding Ethereum uses, not NIST SHA3-256).
pub(crate) fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// The EIP-191 `personal_sign` digest of `message`.
///
/// This is `keccak256("\x19Ethereum Signed Message:\n" + len + message)`,
/// where `len` is the decimal byte length of `message` and `message` is taken
/// as raw bytes (a token string is signed as its UTF-8 bytes, not decoded as
/// hex). It is what `eth_sign`/`personal_sign` wallets and
/// `eth_account.messages.encode_defunct` sign.
///
/// A [`WalletSigner`](super::WalletSigner) backed by a service that signs a
/// 32-byte prehash (a KMS, for example) signs this digest.
#[must_use]
pub fn eip191_hash_message(message: &[u8]) -> [u8; 32] {
    let mut hasher = Keccak256::new();
    hasher.update(b"\x19Ethereum Signed Message:\n");
    hasher.update(message.len().to_string().as_bytes());
    hasher.update(message);
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keccak256_of_empty_input_is_the_known_constant() {
        assert_eq!(hex::encode(keccak256(b"")), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    }

    #[test]
    fn eip191_hash_of_hello_world_matches_the_known_digest() {
        // ethers.js `hashMessage("Hello World")`.
        assert_eq!(
            hex::encode(eip191_hash_message(b"Hello World")),
            "a1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2"
        );
    }
}

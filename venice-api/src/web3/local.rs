//! [`LocalSigner`]: a [`WalletSigner`] holding a secp256k1 private key in memory.

use std::fmt;

use k256::ecdsa::SigningKey;
use zeroize::Zeroizing;

use super::address::Address;
use super::eip191::eip191_hash_message;
use super::eip712::TypedData;
use super::signature::Signature;
use super::signer::{SignFuture, SignerError, WalletSigner};

/// A [`WalletSigner`] from a secp256k1 private key held in this process.
///
/// Signatures are EIP-191 `personal_sign` (and EIP-712 typed data), deterministic (RFC 6979 nonces, so
/// the same key and message always give the same signature, byte for byte the
/// one eth-account, ethers or MetaMask make) and low-s normalized, with
/// `v` = 27 + the recovery id.
///
/// # Key hygiene
///
/// - The key lives in a `k256` [`SigningKey`], which zeroizes its secret
///   scalar on drop (it implements `ZeroizeOnDrop`); the bytes decoded from
///   hex on the way in are held in a [`Zeroizing`] buffer, wiped on drop too.
///   The string you pass in is yours to wipe.
/// - [`Debug`](fmt::Debug) prints only the address
///   (`LocalSigner { address: 0x… }`), there is no `Display`, and no error
///   this type returns repeats any part of the key.
///
/// # Why `k256` + `sha3`
///
/// Signing uses RustCrypto's `k256` (secp256k1 ECDSA, RFC 6979, recoverable
/// signatures) and `sha3` (Keccak-256): small, audited, widely used,
/// pure-Rust crates that compile quickly. A full Ethereum stack such as
/// `alloy-signer-local` would do the same with a far larger dependency tree,
/// for no gain in an SDK that only needs `personal_sign` and one EIP-712 struct.
///
/// ```
/// use venice_api::web3::LocalSigner;
///
/// // A well-known test key (Hardhat/Anvil account #0): never use it for funds.
/// let signer = LocalSigner::from_hex(
///     "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
/// )?;
/// assert_eq!(
///     signer.address().to_string(),
///     "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
/// );
/// assert_eq!(
///     format!("{signer:?}"),
///     "LocalSigner { address: 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 }"
/// );
/// # Ok::<(), venice_api::web3::SignerError>(())
/// ```
#[derive(Clone)]
pub struct LocalSigner {
    key: SigningKey,
    address: Address,
}

// The claim in the docs above: the key is wiped when the signer is dropped.
const _: fn() = || {
    fn zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    zeroize_on_drop::<SigningKey>();
};

impl LocalSigner {
    /// A signer from a private key written as 64 hex characters (32 bytes),
    /// with or without a `0x` prefix, in either case. Surrounding whitespace
    /// (say, a trailing newline from a file or environment variable) is
    /// ignored.
    ///
    /// Fails with [`SignerError::InvalidPrivateKey`] when the length is wrong,
    /// a character is not hex, or the number is zero or not below the
    /// secp256k1 group order. The error never contains the input.
    pub fn from_hex(private_key: &str) -> Result<Self, SignerError> {
        let trimmed = private_key.trim();
        let digits = trimmed.strip_prefix("0x").or_else(|| trimmed.strip_prefix("0X")).unwrap_or(trimmed);
        if digits.len() != 64 {
            return Err(SignerError::InvalidPrivateKey(
                "expected 64 hex characters (32 bytes), optionally prefixed with 0x",
            ));
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(digits, bytes.as_mut_slice())
            .map_err(|_| SignerError::InvalidPrivateKey("not hexadecimal"))?;
        Self::from_bytes(&bytes)
    }

    /// A signer from the 32 big-endian bytes of a private key.
    ///
    /// Fails with [`SignerError::InvalidPrivateKey`] when the number is zero
    /// or not below the secp256k1 group order.
    pub fn from_bytes(private_key: &[u8; 32]) -> Result<Self, SignerError> {
        let key = SigningKey::from_bytes(private_key.into()).map_err(|_| {
            SignerError::InvalidPrivateKey("not a valid secp256k1 private key (zero or not below the curve order)")
        })?;
        let address = Address::from_verifying_key(key.verifying_key());
        Ok(Self { key, address })
    }

    /// The address of this key (also [`WalletSigner::address`]).
    pub fn address(&self) -> Address {
        self.address
    }

    /// Signs `message` with EIP-191 `personal_sign`, synchronously.
    ///
    /// [`WalletSigner::sign_message`] does the same behind a future.
    ///
    /// # Panics
    ///
    /// Only if RFC 6979 produced a zero `r` or `s`, which happens with
    /// probability about 2^-256 (k256 reports it as an error rather than
    /// retrying).
    #[must_use]
    pub fn sign_message_sync(&self, message: &[u8]) -> Signature {
        self.sign_prehash(&eip191_hash_message(message))
    }

    /// Signs EIP-712 typed data (its [`TypedData::signing_hash`]), synchronously.
    ///
    /// [`WalletSigner::sign_typed_data`] does the same behind a future.
    ///
    /// # Panics
    ///
    /// As [`sign_message_sync`](Self::sign_message_sync), with the same odds.
    #[must_use]
    pub fn sign_typed_data_sync(&self, data: &TypedData) -> Signature {
        self.sign_prehash(&data.signing_hash())
    }

    fn sign_prehash(&self, digest: &[u8; 32]) -> Signature {
        // k256 signs with RFC 6979 nonces and normalizes s to the low half,
        // adjusting the recovery id to match.
        let (signature, recovery_id) =
            self.key.sign_prehash_recoverable(digest).expect("signing a 32-byte prehash with a valid key cannot fail");
        Signature::from_parts(&signature, recovery_id)
    }
}

impl WalletSigner for LocalSigner {
    fn address(&self) -> Address {
        self.address
    }

    fn sign_message<'a>(&'a self, message: &'a [u8]) -> SignFuture<'a> {
        let signature = self.sign_message_sync(message);
        Box::pin(std::future::ready(Ok(signature)))
    }

    fn sign_typed_data<'a>(&'a self, data: &'a TypedData) -> SignFuture<'a> {
        let signature = self.sign_typed_data_sync(data);
        Box::pin(std::future::ready(Ok(signature)))
    }
}

impl fmt::Debug for LocalSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocalSigner {{ address: {} }}", self.address)
    }
}

//! The [`WalletSigner`] trait any wallet implements, and its error type.

use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::address::Address;
use super::eip712::TypedData;
use super::signature::Signature;

/// The boxed future [`WalletSigner::sign_message`] returns.
pub type SignFuture<'a> = Pin<Box<dyn Future<Output = Result<Signature, SignerError>> + Send + 'a>>;

/// An Ethereum wallet that can sign messages with EIP-191 `personal_sign`, and EIP-712
/// typed data.
///
/// The web3 API-key flow uses it to sign the token Venice hands out, a wallet-paying client
/// to sign in (`SIGN-IN-WITH-X`, a `personal_sign` of an EIP-4361 message) and to pay for a
/// top-up (an EIP-712 `TransferWithAuthorization`). Each calls
/// it either generically (`&S where S: WalletSigner`) or as
/// `&dyn WalletSigner`; the trait is object safe, and implemented for `&T`,
/// `Box<T>` and `Arc<T>` of any signer.
///
/// [`LocalSigner`](super::LocalSigner) is the in-process implementation.
/// Hardware wallets, remote signers and KMS services implement it themselves;
/// signing is asynchronous for them (a device may wait for a button press).
///
/// # What an implementation must do
///
/// [`sign_message`](Self::sign_message) must return the `personal_sign`
/// signature of `message`, exactly as `eth_sign`/`personal_sign` wallets,
/// ethers' `signMessage` and eth-account's `sign_message(encode_defunct(...))`
/// make it:
///
/// - sign the digest `keccak256("\x19Ethereum Signed Message:\n" + len +
///   message)`, where `len` is the decimal byte length of `message`
///   ([`eip191_hash_message`](super::eip191_hash_message) computes it); the
///   message is the raw bytes given (a JWT is signed as its UTF-8 text, never
///   hex-decoded or hashed first);
/// - with the secp256k1 key of [`address`](Self::address);
/// - return 65 bytes `r || s || v` with `v` = 27 + the y-parity of the
///   ephemeral point (27 or 28), as a [`Signature`]. [`Signature::from_bytes`]
///   also takes a bare recovery id (0 or 1) and stores it as 27 or 28. A low
///   `s` is preferred (RFC 6979 deterministic nonces are what `LocalSigner`
///   uses) but not required by EIP-191.
///
/// An implementation can check its own output with
/// [`Signature::recover_address`], which must give back
/// [`address`](Self::address).
///
/// [`sign_typed_data`](Self::sign_typed_data) must sign the EIP-712 digest
/// [`TypedData::signing_hash`] with the same key, in the same 65-byte form
/// (what eth-account's `sign_typed_data` and ethers' `signTypedData` return);
/// [`Signature::recover_address_from_prehash`] of that digest must give back the
/// address. Its default refuses with [`SignerError::Unsupported`], so a wallet
/// that only signs messages still signs in, and only paying fails.
///
/// # Example: a signer that wraps another
///
/// ```
/// use venice_api::web3::{Address, LocalSigner, SignFuture, WalletSigner};
///
/// struct Logged(LocalSigner);
///
/// impl WalletSigner for Logged {
///     fn address(&self) -> Address {
///         self.0.address()
///     }
///
///     fn sign_message<'a>(&'a self, message: &'a [u8]) -> SignFuture<'a> {
///         Box::pin(async move {
///             eprintln!("signing {} bytes", message.len());
///             self.0.sign_message(message).await
///         })
///     }
/// }
/// ```
pub trait WalletSigner: Send + Sync {
    /// The address of the account this wallet signs for.
    fn address(&self) -> Address;

    /// Signs `message` with EIP-191 `personal_sign` (see the trait docs for
    /// the exact contract).
    fn sign_message<'a>(&'a self, message: &'a [u8]) -> SignFuture<'a>;

    /// Signs EIP-712 typed data (see the trait docs for the exact contract). The default
    /// refuses with [`SignerError::Unsupported`].
    fn sign_typed_data<'a>(&'a self, data: &'a TypedData) -> SignFuture<'a> {
        let _ = data;
        Box::pin(std::future::ready(Err(SignerError::Unsupported("this wallet cannot sign EIP-712 typed data"))))
    }
}

impl<T: WalletSigner + ?Sized> WalletSigner for &T {
    fn address(&self) -> Address {
        (**self).address()
    }

    fn sign_message<'a>(&'a self, message: &'a [u8]) -> SignFuture<'a> {
        (**self).sign_message(message)
    }

    fn sign_typed_data<'a>(&'a self, data: &'a TypedData) -> SignFuture<'a> {
        (**self).sign_typed_data(data)
    }
}

impl<T: WalletSigner + ?Sized> WalletSigner for Box<T> {
    fn address(&self) -> Address {
        (**self).address()
    }

    fn sign_message<'a>(&'a self, message: &'a [u8]) -> SignFuture<'a> {
        (**self).sign_message(message)
    }

    fn sign_typed_data<'a>(&'a self, data: &'a TypedData) -> SignFuture<'a> {
        (**self).sign_typed_data(data)
    }
}

impl<T: WalletSigner + ?Sized> WalletSigner for Arc<T> {
    fn address(&self) -> Address {
        (**self).address()
    }

    fn sign_message<'a>(&'a self, message: &'a [u8]) -> SignFuture<'a> {
        (**self).sign_message(message)
    }

    fn sign_typed_data<'a>(&'a self, data: &'a TypedData) -> SignFuture<'a> {
        (**self).sign_typed_data(data)
    }
}

/// Why a signer could not be built or could not sign, or why a signature
/// could not be checked.
///
/// No message of this type ever contains private key material; implementers
/// of [`WalletSigner`] must keep it so when they build
/// [`SignerError::Backend`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignerError {
    /// The private key given is not a valid secp256k1 key. The reason names
    /// the problem (length, hex, range) without repeating the input.
    #[error("invalid private key: {0}")]
    InvalidPrivateKey(&'static str),
    /// A signature could not be recovered to a public key.
    #[error("invalid signature: {0}")]
    InvalidSignature(&'static str),
    /// The wallet cannot sign what it was asked to (EIP-712 typed data, for a wallet that
    /// implements only `personal_sign`).
    #[error("unsupported by the wallet: {0}")]
    Unsupported(&'static str),
    /// The wallet behind a [`WalletSigner`] failed or refused to sign (device
    /// unplugged, user rejected, KMS error...).
    #[error("wallet signer failed: {0}")]
    Backend(#[source] Box<dyn StdError + Send + Sync + 'static>),
}

impl SignerError {
    /// A [`SignerError::Backend`] from any error or message of a wallet
    /// implementation. It must not contain key material.
    pub fn backend(error: impl Into<Box<dyn StdError + Send + Sync + 'static>>) -> Self {
        Self::Backend(error.into())
    }
}

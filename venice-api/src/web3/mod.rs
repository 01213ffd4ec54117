//! Ethereum wallet signing: the building block of Venice's web3 API-key flow, and of
//! wallet-paid use (signing in with `SIGN-IN-WITH-X`, paying top-ups with x402).
//!
//! An autonomous agent that holds an Ethereum wallet can mint its own Venice
//! API key:
//!
//! 1. `GET /api_keys/generate_web3_key` returns a JWT token string;
//! 2. the wallet signs the raw token string with EIP-191 `personal_sign`
//!    ([`WalletSigner::sign_message`]);
//! 3. `POST /api_keys/generate_web3_key` sends the address, the signature and
//!    the token back.
//!
//! [`ApiKeys::mint_with_wallet`](crate::api_keys::ApiKeys::mint_with_wallet) does all three
//! in one call ([`MintWithWallet`]). This module holds that flow and the signing it needs:
//!
//! - [`WalletSigner`]: the object-safe, async-capable trait any wallet
//!   (in-process key, hardware wallet, remote KMS) implements;
//! - [`LocalSigner`]: an in-process implementation from a hex private key;
//! - [`Address`] and [`Signature`]: the values the flow sends, which print in
//!   the forms the API expects (EIP-55 checksummed address, `0x` + 130
//!   lowercase hex characters);
//! - [`eip191_hash_message`]: the EIP-191 digest, for signers that sign a
//!   prehash (for example a KMS).
//!
//! Paying with the wallet instead of an API key (see
//! [`ClientBuilder::wallet`](crate::ClientBuilder::wallet)) adds:
//!
//! - [`SignInWithX`]: a signed EIP-4361 sign-in, the `SIGN-IN-WITH-X` header, and
//!   [`SiweMessage`], the EIP-4361 message it signs (with a strict parser);
//! - [`TypedData`]: EIP-712 typed data, here EIP-3009's [`TransferWithAuthorization`] that
//!   pays a top-up in USDC, which [`WalletSigner::sign_typed_data`] signs.
//!
//! ```
//! use venice_api::web3::{LocalSigner, WalletSigner};
//!
//! # async fn demo() -> Result<(), venice_api::web3::SignerError> {
//! // A well-known test key (Hardhat/Anvil account #0): never use it for funds.
//! let signer = LocalSigner::from_hex(
//!     "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
//! )?;
//! let token = "eyJhbGciOiJIUzI1NiJ9.e30.sig";
//! let signature = signer.sign_message(token.as_bytes()).await?;
//! assert_eq!(signature.recover_address(token.as_bytes())?, signer.address());
//! println!("{} signed {}", signer.address(), signature);
//! # Ok(())
//! # }
//! ```

mod address;
mod eip191;
mod eip712;
mod local;
#[cfg(feature = "api-keys")]
mod mint;
mod random;
mod signature;
mod signer;
mod siwx;

pub use address::{Address, ParseAddressError};
pub use eip191::eip191_hash_message;
pub use eip712::{Eip712Domain, TransferWithAuthorization, TypedData, TypedMessage, eip712_signing_hash};
pub use local::LocalSigner;
#[cfg(feature = "api-keys")]
pub use mint::MintWithWallet;
pub(crate) use random::random_bytes;
pub use signature::{ParseSignatureError, Signature};
pub use signer::{SignFuture, SignerError, WalletSigner};
pub use siwx::{ParseSiweError, SignInWithX, SiweMessage, SiweNonce};

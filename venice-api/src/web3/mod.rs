//! Ethereum wallet signing, the building block of Venice's web3 API-key flow.
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
mod local;
#[cfg(feature = "api-keys")]
mod mint;
mod signature;
mod signer;

pub use address::{Address, ParseAddressError};
pub use eip191::eip191_hash_message;
pub use local::LocalSigner;
#[cfg(feature = "api-keys")]
pub use mint::MintWithWallet;
pub use signature::{ParseSignatureError, Signature};
pub use signer::{SignFuture, SignerError, WalletSigner};

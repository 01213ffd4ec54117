//! Private inference: models that run in hardware enclaves (TEE) and chats encrypted end to
//! end (E2EE), where only the enclave can read the prompt and only this client the answer.
//!
//! - [`Tee::attest`] (`client.tee().attest(model)`) fetches a model's attestation with a nonce
//!   of its own and checks it, giving the [`Attestation`]: the enclave's [`EnclaveKey`], its
//!   address, and the raw evidence for verifiers that check TDX quotes themselves.
//! - [`Tee::signature`] fetches the enclave's signature record of a completion.
//! - [`E2eeSession`] (`client.chat().e2ee(model)`) is an encrypted chat: it checks the model
//!   supports E2EE, attests it, and streams answers decrypted, as ordinary [`ChatChunk`]s.
//!
//! # The protocol, as Venice documents it
//!
//! A session has its own secp256k1 key pair. Every user and system message is encrypted to
//! the attested key (ECDH with a one-off key per message, HKDF-SHA256, AES-256-GCM) and sent
//! as hex; assistant and tool messages stay as they are. Three headers name the session's
//! public key, the enclave's key and the algorithm (`ecdsa`); the answer must be streamed,
//! and each chunk's content comes encrypted to the session key the same way.
//!
//! # Why these crates
//!
//! RustCrypto's `k256` (ECDH on secp256k1; already this crate's ECDSA), `hkdf` + `sha2` and
//! `aes-gcm` (AES-NI and carry-less multiplication when the processor has them), and
//! `rand_core`'s `OsRng` for keys and nonces: pure Rust, no OpenSSL to link, and the same
//! family as the wallet signing.
//!
//! [`ChatChunk`]: crate::chat::ChatChunk

mod attestation;
mod cipher;
mod session;

use rand_core::{OsRng, RngCore};
use serde_json::{Map, Value};

pub use attestation::{Attestation, EnclaveKey};
pub use session::E2eeSession;

use venice_api_gen::operations;

use crate::client::Client;
use crate::error::{Result, non_empty};
use crate::response::{self, Response};
use crate::web3::Address;

/// Attestation and signatures of models that run in enclaves: `client.tee()`.
#[derive(Debug, Clone, Copy)]
pub struct Tee<'c> {
    client: &'c Client,
}

impl<'c> Tee<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// Fetches the attestation of `model` with a fresh 32-byte nonce and checks it: refused
    /// with an [`Error::Tee`](crate::Error::Tee) when Venice did not verify it, when it does not echo the nonce,
    /// or when its signing key is missing, not a point of secp256k1, or not the key of the
    /// signing address it states.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// let attestation = client.tee().attest("e2ee-qwen3-5-122b-a10b").await?;
    /// println!("{:?} enclave, key of {}", attestation.tee_provider(), attestation.signing_address());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn attest(&self, model: &str) -> Result<Response<Attestation>> {
        self.client.require_credentials("tee().attest", &operations::GET_TEE_ATTESTATION)?;
        let model = non_empty("model", model)?;
        let mut nonce = [0u8; NONCE_BYTES];
        OsRng.fill_bytes(&mut nonce);
        let nonce = hex::encode(nonce);
        let answer =
            response::decode(self.client.raw().get_tee_attestation().model(&model).nonce(&nonce).send()).await?;
        let attestation = Attestation::check(&model, &nonce, answer.body().clone())?;
        Ok(answer.map(|_| attestation))
    }

    /// The enclave's signature record of the completion with id `completion_id` (the `id` of a
    /// completion or of its chunks), written by `model`. Check it against the model's
    /// [`signing_address`](Attestation::signing_address).
    pub async fn signature(&self, model: &str, completion_id: &str) -> Result<Response<TeeSignature>> {
        self.client.require_credentials("tee().signature", &operations::GET_TEE_SIGNATURE)?;
        let model = non_empty("model", model)?;
        let completion_id = non_empty("completion_id", completion_id)?;
        let answer =
            response::decode(self.client.raw().get_tee_signature().model(&model).request_id(&completion_id).send())
                .await?;
        Ok(answer.map(|record| TeeSignature { model, completion_id, record }))
    }
}

/// The nonce of an attestation request: Venice's enclaves take exactly 32 bytes.
const NONCE_BYTES: usize = 32;

/// An enclave's signature record of one completion. Venice does not document its fields, so
/// they are kept as sent, in [`record`](Self::record).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TeeSignature {
    /// The model asked about.
    pub model: String,
    /// The completion asked about.
    pub completion_id: String,
    /// The record, every field as the server sent it.
    pub record: Map<String, Value>,
}

/// Private inference refused on this side (see also [`TeeRejection`](crate::TeeRejection) for
/// what Venice refuses). Where Venice documents a message for the same cause, `Display` begins
/// with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TeeError {
    /// The attestation's `verified` is not `true`.
    #[error("TEE attestation verification failed: the attestation's `verified` is {}", .verified.map_or("missing".to_owned(), |v| v.to_string()))]
    NotVerified {
        /// What the answer said, if anything.
        verified: Option<bool>,
    },
    /// The attestation does not echo the nonce sent: it may be a replayed one.
    #[error("Attestation nonce mismatch: sent {sent}, the answer echoes {}", .echoed.as_deref().unwrap_or("nothing"))]
    NonceMismatch {
        /// The nonce sent.
        sent: String,
        /// The nonce the answer holds.
        echoed: Option<String>,
    },
    /// The attestation has neither `signing_key` nor `signing_public_key`.
    #[error("the attestation names no signing key (`signing_key` or `signing_public_key`)")]
    NoSigningKey,
    /// The signing key is not hex of a secp256k1 point.
    #[error("Invalid public key: {reason}")]
    InvalidPublicKey {
        /// What is wrong with it.
        reason: String,
    },
    /// The attestation states a signing address that is not the address of its signing key.
    #[error("the attestation's signing address {stated} is not the address of its signing key ({derived})")]
    AddressMismatch {
        /// The address the answer states.
        stated: String,
        /// The address of the signing key.
        derived: Address,
    },
    /// The model list has no model with this id, so whether it supports E2EE is unknown.
    #[error("no model `{model}` in Venice's model list, so its end-to-end encryption support is unknown")]
    ModelNotListed {
        /// The model asked for.
        model: String,
    },
    /// The model does not support end-to-end encryption (`supportsE2EE` is not `true`).
    #[error("model `{model}` does not support end-to-end encryption (its `supportsE2EE` capability is false)")]
    E2eeUnsupported {
        /// The model asked for.
        model: String,
    },
    /// An answer chunk that looks encrypted does not decrypt with the session key; the stream
    /// ends here rather than show garbage.
    #[error("Failed to decrypt field: {reason}")]
    Decrypt {
        /// What failed (never any of the text).
        reason: &'static str,
    },
}

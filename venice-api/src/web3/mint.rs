//! Minting an API key with a wallet signature, in one call.

use chrono::Utc;
use venice_api_gen::types::{self, ApiKeyType, PostApiKeyGenerateWeb3KeyResponse};

use super::WalletSigner;
use crate::api_keys::{KeySettings, checked_description, key_settings_setters};
use crate::client::Client;
use crate::created_key::{CreatedApiKey, created_key};
use crate::defaults::{WALLET_KEY_DESCRIPTION, WALLET_TOKEN_REFRESHES};
use crate::error::{Error, Result, WalletRejection};
use crate::response::{self, Response};
use crate::retry;

/// A wallet key request, made by
/// [`ApiKeys::mint_with_wallet`](crate::api_keys::ApiKeys::mint_with_wallet) and sent by
/// [`send`](Self::send).
///
/// `send` fetches a token (`GET /api_keys/generate_web3_key`), signs the token text with the
/// wallet (EIP-191 `personal_sign`), and posts the address, signature and token. Neither
/// request carries an API key. When Venice answers that the token expired or is not one it
/// issued, a fresh token is fetched and signed, once; when it could not verify the signature
/// (a transient failure), the proof is sent again with the client's backoff, up to its
/// `max_retries`. Other refusals come back as
/// [`ApiErrorKind::Wallet`](crate::ApiErrorKind::Wallet); [`WalletRejection`] says which.
///
/// The key exists at Venice once the proof is answered, so the answer is read to give the key
/// back whatever shape its other fields have (see [`CreatedApiKey`]); one without even an id
/// and a secret is an [`Error::Decode`] that keeps the whole body ([`Error::raw_body`]).
#[must_use = "nothing is sent until `send` is awaited"]
pub struct MintWithWallet<'a, S: ?Sized> {
    client: &'a Client,
    signer: &'a S,
    api_key_type: ApiKeyType,
    description: Option<String>,
    settings: KeySettings,
}

impl<'a, S: WalletSigner + ?Sized> MintWithWallet<'a, S> {
    pub(crate) fn new(client: &'a Client, signer: &'a S, api_key_type: ApiKeyType) -> Self {
        Self { client, signer, api_key_type, description: None, settings: KeySettings::default() }
    }

    /// A label for the key (Venice's default is "Web3 API Key").
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    key_settings_setters!();

    /// Mints the key. Arguments are checked before the first request.
    pub async fn send(self) -> Result<Response<CreatedApiKey>> {
        let description = checked_description(self.description.as_deref().unwrap_or(WALLET_KEY_DESCRIPTION))?;
        let settings = self.settings.checked(Utc::now())?;
        let address = self.signer.address().to_string();
        let proof = types::builder::PostApiKeyGenerateWeb3KeyBody::default()
            .address(address)
            .api_key_type(self.api_key_type.clone())
            .description(description)
            .consumption_limit(settings.consumption_limit)
            .limit_period(settings.limit_period)
            .expires_at(settings.expires_at)
            .model_privacy(settings.model_privacy);

        let mut token_refreshes = 0;
        loop {
            let token = response::decode(self.client.raw().get_api_key_generate_web3_key().send()).await?.into_body();
            let token = token.data.token;
            let signature = self.signer.sign_message(token.as_bytes()).await?;
            let body: types::PostApiKeyGenerateWeb3KeyBody = proof
                .clone()
                .signature(signature.to_hex())
                .token(token)
                .try_into()
                .map_err(|e: types::error::ConversionError| Error::invalid("request", e.to_string()))?;
            match self.send_proof(&body).await {
                Err(error)
                    if error.wallet_rejection().is_some_and(WalletRejection::wants_fresh_token)
                        && token_refreshes < WALLET_TOKEN_REFRESHES =>
                {
                    token_refreshes += 1;
                }
                outcome => return created_key(outcome),
            }
        }
    }

    /// Posts the signed proof, again after a backoff while Venice cannot verify it.
    async fn send_proof(
        &self,
        body: &types::PostApiKeyGenerateWeb3KeyBody,
    ) -> Result<Response<PostApiKeyGenerateWeb3KeyResponse>> {
        let mut retries = 0;
        loop {
            let outcome =
                response::decode(self.client.raw().post_api_key_generate_web3_key().body(body.clone()).send()).await;
            match outcome {
                Err(error)
                    if error.wallet_rejection() == Some(WalletRejection::SignatureUnverified)
                        && retries < self.client.max_retries() =>
                {
                    tokio::time::sleep(retry::backoff(retries)).await;
                    retries += 1;
                }
                outcome => return outcome,
            }
        }
    }
}

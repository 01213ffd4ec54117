//! The API Keys resource: `client.api_keys()`.
//!
//! Requests are built here from the generated builders and sent through
//! `response::decode`; the request and response types are the generated ones, but for a new
//! key: creating and minting answer with a [`CreatedApiKey`], read so that its secret reaches
//! the caller even when the rest of the answer has an unexpected shape.

use chrono::{DateTime, SecondsFormat, Utc};
use venice_api_gen::types::{
    self, ApiKeyType, DeleteApiKeyResponse, GetApiKeyByIdResponse, GetApiKeyRateLimitLogsResponse,
    GetApiKeyRateLimitsResponse, GetApiKeysResponse, LimitPeriod, ModelPrivacy, UpdateApiKeyResponse,
};

pub use crate::created_key::CreatedApiKey;

use venice_api_gen::operations;

use crate::client::Client;
use crate::created_key::created_key;
use crate::error::{Error, Result, non_empty};
use crate::response::{self, Response};
use crate::web3::{MintWithWallet, WalletSigner};

/// The largest spending cap Venice accepts, in any unit.
const MAX_CONSUMPTION_LIMIT: f64 = 9_999_999_999.0;

/// The most characters a key's description may have.
const MAX_DESCRIPTION_CHARS: usize = 64;

/// API key management. Every call but [`mint_with_wallet`](Self::mint_with_wallet) needs an
/// admin key.
#[derive(Debug, Clone, Copy)]
pub struct ApiKeys<'c> {
    client: &'c Client,
}

impl<'c> ApiKeys<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// Every active key of the account.
    pub async fn list(&self) -> Result<Response<GetApiKeysResponse>> {
        self.client.require_credentials("api_keys().list", &operations::GET_API_KEYS)?;
        response::decode(self.client.raw().get_api_keys().send()).await
    }

    /// Creates a key; the answer holds its secret, shown this once.
    ///
    /// Not retried after a server error or a timeout, when the key may already exist: only
    /// when the server cannot have acted (connection refused, 429). An answer whose other
    /// fields have an unexpected shape still gives the key (see [`CreatedApiKey`]); one without
    /// even an id and a secret is an [`Error::Decode`] that keeps the whole body
    /// ([`Error::raw_body`]).
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::ExposeSecret as _;
    /// use venice_api::api_keys::CreateApiKey;
    /// use venice_api::types::LimitPeriod;
    ///
    /// let created = client
    ///     .api_keys()
    ///     .create(CreateApiKey::inference("nightly batch").consumption_limit_usd(10.0).limit_period(LimitPeriod::Month))
    ///     .await?;
    /// let secret: &str = created.api_key.expose_secret(); // into the secret store, now
    /// println!("new key {} ({} characters)", created.id, secret.len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(&self, request: CreateApiKey) -> Result<Response<CreatedApiKey>> {
        self.client.require_credentials("api_keys().create", &operations::CREATE_API_KEY)?;
        let body = request.into_body(Utc::now())?;
        created_key(response::decode(self.client.raw().create_api_key().body(body).send()).await)
    }

    /// The key with id `id`, with its usage.
    pub async fn get(&self, id: &str) -> Result<Response<GetApiKeyByIdResponse>> {
        self.client.require_credentials("api_keys().get", &operations::GET_API_KEY_BY_ID)?;
        let id = non_empty("id", id)?;
        response::decode(self.client.raw().get_api_key_by_id().id(id).send()).await
    }

    /// Changes a key's settings; fields not set stay as they are.
    pub async fn update(&self, request: UpdateApiKey) -> Result<Response<UpdateApiKeyResponse>> {
        self.client.require_credentials("api_keys().update", &operations::UPDATE_API_KEY)?;
        let body = request.into_body(Utc::now())?;
        response::decode(self.client.raw().update_api_key().body(body).send()).await
    }

    /// Deletes the key with id `id`.
    pub async fn delete(&self, id: &str) -> Result<Response<DeleteApiKeyResponse>> {
        self.client.require_credentials("api_keys().delete", &operations::DELETE_API_KEY)?;
        let id = non_empty("id", id)?;
        response::decode(self.client.raw().delete_api_key().id(id).send()).await
    }

    /// The account's rate limits and balances, as seen with this key.
    pub async fn rate_limits(&self) -> Result<Response<GetApiKeyRateLimitsResponse>> {
        self.client.require_credentials("api_keys().rate_limits", &operations::GET_API_KEY_RATE_LIMITS)?;
        response::decode(self.client.raw().get_api_key_rate_limits().send()).await
    }

    /// The most recent rate limits the account ran into.
    pub async fn rate_limit_logs(&self) -> Result<Response<GetApiKeyRateLimitLogsResponse>> {
        self.client.require_credentials("api_keys().rate_limit_logs", &operations::GET_API_KEY_RATE_LIMIT_LOGS)?;
        response::decode(self.client.raw().get_api_key_rate_limit_logs().send()).await
    }

    /// Mints a key for the wallet of `signer`, which must hold staked VVV: fetches a token,
    /// signs it, and sends the proof. Needs no API key; see [`MintWithWallet`].
    ///
    /// ```no_run
    /// # async fn demo() -> venice_api::Result<()> {
    /// use venice_api::types::ApiKeyType;
    /// use venice_api::web3::LocalSigner;
    ///
    /// let client = venice_api::Client::builder().without_api_key().build()?;
    /// let wallet = LocalSigner::from_hex(&std::env::var("AGENT_PRIVATE_KEY").unwrap())?;
    /// let minted = client.api_keys().mint_with_wallet(&wallet, ApiKeyType::Inference).description("agent").send().await?;
    /// println!("minted key {}", minted.id);
    /// # Ok(())
    /// # }
    /// ```
    pub fn mint_with_wallet<S: WalletSigner + ?Sized>(
        &self,
        signer: &'c S,
        api_key_type: ApiKeyType,
    ) -> MintWithWallet<'c, S> {
        MintWithWallet::new(self.client, signer, api_key_type)
    }
}

/// Caps, limit period, expiry and privacy tier: the settings shared by creating, updating and
/// minting a key, checked the same way for all three.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeySettings {
    pub(crate) usd: Option<f64>,
    pub(crate) diem: Option<f64>,
    pub(crate) limit_period: Option<LimitPeriod>,
    pub(crate) expires_at: Option<DateTime<Utc>>,
    pub(crate) model_privacy: Option<ModelPrivacy>,
}

impl KeySettings {
    /// The settings as the generated body fields, once checked against `now`.
    pub(crate) fn checked(&self, now: DateTime<Utc>) -> Result<CheckedSettings> {
        for (argument, value) in [("consumption_limit_usd", self.usd), ("consumption_limit_diem", self.diem)] {
            if let Some(value) = value
                && !(value.is_finite() && (0.0..=MAX_CONSUMPTION_LIMIT).contains(&value))
            {
                return Err(Error::invalid(argument, format!("{value} is not between 0 and {MAX_CONSUMPTION_LIMIT}")));
            }
        }
        if let Some(at) = self.expires_at
            && at <= now
        {
            return Err(Error::invalid("expires_at", format!("{at} is not in the future")));
        }
        let consumption_limit = (self.usd.is_some() || self.diem.is_some())
            .then(|| types::builder::ConsumptionLimit::default().usd(self.usd).diem(self.diem).try_into())
            .transpose()
            .map_err(|e: types::error::ConversionError| Error::invalid("consumption_limit", e.to_string()))?;
        Ok(CheckedSettings {
            consumption_limit,
            limit_period: self.limit_period.clone(),
            expires_at: self.expires_at.map(|at| at.to_rfc3339_opts(SecondsFormat::Millis, true)),
            model_privacy: self.model_privacy.clone(),
        })
    }
}

/// [`KeySettings`] in the form the generated bodies take.
pub(crate) struct CheckedSettings {
    pub(crate) consumption_limit: Option<types::ConsumptionLimit>,
    pub(crate) limit_period: Option<LimitPeriod>,
    pub(crate) expires_at: Option<String>,
    pub(crate) model_privacy: Option<ModelPrivacy>,
}

/// The setters of [`KeySettings`], shared by the builders that carry one in `settings`.
macro_rules! key_settings_setters {
    () => {
        /// Caps spending in US dollars over each limit period.
        pub fn consumption_limit_usd(mut self, usd: f64) -> Self {
            self.settings.usd = Some(usd);
            self
        }

        /// Caps spending in Diem over each limit period.
        pub fn consumption_limit_diem(mut self, diem: f64) -> Self {
            self.settings.diem = Some(diem);
            self
        }

        /// The window the caps are counted over (Venice's default is a daily epoch).
        pub fn limit_period(mut self, period: venice_api_gen::types::LimitPeriod) -> Self {
            self.settings.limit_period = Some(period);
            self
        }

        /// When the key stops working; must be in the future.
        pub fn expires_at(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
            self.settings.expires_at = Some(at);
            self
        }

        /// The privacy tier the models called with the key must meet.
        pub fn model_privacy(mut self, privacy: venice_api_gen::types::ModelPrivacy) -> Self {
            self.settings.model_privacy = Some(privacy);
            self
        }
    };
}
pub(crate) use key_settings_setters;

/// A key to create, checked before anything is sent.
#[derive(Debug, Clone)]
pub struct CreateApiKey {
    api_key_type: ApiKeyType,
    description: String,
    settings: KeySettings,
}

impl CreateApiKey {
    /// A key of `api_key_type` labelled `description`.
    pub fn new(api_key_type: ApiKeyType, description: impl Into<String>) -> Self {
        Self { api_key_type, description: description.into(), settings: KeySettings::default() }
    }

    /// An inference key (it can call models, not manage the account) labelled `description`.
    pub fn inference(description: impl Into<String>) -> Self {
        Self::new(ApiKeyType::Inference, description)
    }

    /// An admin key (full access) labelled `description`.
    pub fn admin(description: impl Into<String>) -> Self {
        Self::new(ApiKeyType::Admin, description)
    }

    key_settings_setters!();

    fn into_body(self, now: DateTime<Utc>) -> Result<types::CreateApiKeyBody> {
        let description = checked_description(&self.description)?;
        let settings = self.settings.checked(now)?;
        types::builder::CreateApiKeyBody::default()
            .api_key_type(self.api_key_type)
            .description(description)
            .consumption_limit(settings.consumption_limit)
            .limit_period(settings.limit_period)
            .expires_at(settings.expires_at)
            .model_privacy(settings.model_privacy)
            .try_into()
            .map_err(|e: types::error::ConversionError| Error::invalid("request", e.to_string()))
    }
}

/// Changes to an existing key, checked before anything is sent.
#[derive(Debug, Clone)]
pub struct UpdateApiKey {
    id: String,
    description: Option<String>,
    remove_expiry: bool,
    settings: KeySettings,
}

impl UpdateApiKey {
    /// Changes to the key with id `id`; nothing changes until a setter is called.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into(), description: None, remove_expiry: false, settings: KeySettings::default() }
    }

    /// A new label.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Makes the key never expire.
    pub fn remove_expiry(mut self) -> Self {
        self.remove_expiry = true;
        self
    }

    key_settings_setters!();

    fn into_body(self, now: DateTime<Utc>) -> Result<types::UpdateApiKeyBody> {
        let id = non_empty("id", &self.id)?;
        let description = self
            .description
            .as_deref()
            .map(|text| {
                checked_description(text)?
                    .parse::<types::UpdateApiKeyBodyDescription>()
                    .map_err(|e| Error::invalid("description", e.to_string()))
            })
            .transpose()?;
        if self.remove_expiry && self.settings.expires_at.is_some() {
            return Err(Error::invalid("expires_at", "both set and removed"));
        }
        let settings = self.settings.checked(now)?;
        let expires_at = if self.remove_expiry { Some(String::new()) } else { settings.expires_at };
        types::builder::UpdateApiKeyBody::default()
            .id(id)
            .description(description)
            .consumption_limit(settings.consumption_limit)
            .limit_period(settings.limit_period)
            .expires_at(expires_at)
            .model_privacy(settings.model_privacy)
            .try_into()
            .map_err(|e: types::error::ConversionError| Error::invalid("request", e.to_string()))
    }
}

/// `description`, trimmed, once known to be a label Venice accepts.
pub(crate) fn checked_description(description: &str) -> Result<String> {
    let description = description.trim();
    if description.is_empty() {
        return Err(Error::invalid("description", "must not be empty"));
    }
    let chars = description.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        return Err(Error::invalid("description", format!("{chars} characters; at most {MAX_DESCRIPTION_CHARS}")));
    }
    Ok(description.to_owned())
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    use crate::error::refused;

    #[test]
    fn an_empty_description_is_refused() {
        assert_eq!(refused(CreateApiKey::inference("  ").into_body(Utc::now())), "description");
    }

    #[test]
    fn a_description_over_64_characters_is_refused() {
        assert_eq!(refused(CreateApiKey::inference("x".repeat(65)).into_body(Utc::now())), "description");
    }

    #[test]
    fn negative_or_non_finite_limits_are_refused() {
        let now = Utc::now();
        assert_eq!(
            refused(CreateApiKey::inference("k").consumption_limit_usd(-1.0).into_body(now)),
            "consumption_limit_usd"
        );
        assert_eq!(
            refused(CreateApiKey::inference("k").consumption_limit_diem(f64::NAN).into_body(now)),
            "consumption_limit_diem"
        );
        assert_eq!(
            refused(CreateApiKey::inference("k").consumption_limit_usd(1e12).into_body(now)),
            "consumption_limit_usd"
        );
    }

    #[test]
    fn an_expiry_in_the_past_is_refused() {
        let now = Utc::now();
        assert_eq!(
            refused(CreateApiKey::inference("k").expires_at(now - Duration::minutes(1)).into_body(now)),
            "expires_at"
        );
    }

    #[test]
    fn a_valid_request_becomes_the_documented_body() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let body = CreateApiKey::admin(" ops ")
            .consumption_limit_usd(10.0)
            .limit_period(LimitPeriod::Month)
            .expires_at(now + Duration::days(30))
            .model_privacy(ModelPrivacy::PrivateOnly)
            .into_body(now)
            .unwrap();
        assert_eq!(
            serde_json::to_value(body).unwrap(),
            serde_json::json!({
                "apiKeyType": "ADMIN",
                "description": "ops",
                "consumptionLimit": {"usd": 10.0},
                "limitPeriod": "MONTH",
                "expiresAt": "2026-01-31T00:00:00.000Z",
                "modelPrivacy": "PRIVATE_ONLY",
            })
        );
    }

    #[test]
    fn update_sends_only_what_was_set() {
        let body = UpdateApiKey::new("key-1").description("renamed").into_body(Utc::now()).unwrap();
        assert_eq!(serde_json::to_value(body).unwrap(), serde_json::json!({"id": "key-1", "description": "renamed"}));
    }

    #[test]
    fn update_can_remove_the_expiry() {
        let body = UpdateApiKey::new("key-1").remove_expiry().into_body(Utc::now()).unwrap();
        assert_eq!(serde_json::to_value(body).unwrap(), serde_json::json!({"id": "key-1", "expiresAt": ""}));
    }

    #[test]
    fn update_needs_an_id() {
        assert_eq!(refused(UpdateApiKey::new(" ").into_body(Utc::now())), "id");
    }
}

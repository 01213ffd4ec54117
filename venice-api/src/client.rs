//! The [`Client`] and its [`ClientBuilder`]: configuration, defaults and the checks made
//! before any request is sent.

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use progenitor_client::{Error as GeneratedError, ResponseValue};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use venice_api_gen::hooks::Inner;
use venice_api_gen::operation::{Auth, Operation};
use zeroize::Zeroizing;

#[cfg(feature = "api-keys")]
use crate::api_keys::ApiKeys;
use crate::defaults;
use crate::error::{Error, Result};
use crate::options::RequestOptions;
use crate::response::{self, Response};
use crate::retry::RetryPolicy;
use crate::transport::Transport;
use crate::wallet_balance::WalletBalance;
use crate::web3::{Address, SignInWithX, WalletSigner};

/// A Venice API client. Cheap to clone; clones share connections and configuration.
///
/// ```no_run
/// # async fn demo() -> venice_api::Result<()> {
/// let client = venice_api::Client::from_env()?;
/// for key in &client.api_keys().list().await?.data {
///     println!("{} {:?}", key.id, key.description);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    generated: venice_api_gen::Client,
    transport: Arc<Transport>,
    http: reqwest::Client,
    base_url: Arc<str>,
    has_api_key: bool,
    wallet: Option<Arc<dyn WalletSigner>>,
    max_retries: u32,
    /// The model list chat requests are checked against, when the builder asked for checks.
    #[cfg(all(feature = "chat", feature = "models"))]
    capabilities: Option<crate::capabilities::ModelCatalog>,
}

impl Client {
    /// A client configured from the environment: the key from `VENICE_API_KEY` (required) and
    /// the base URL from `VENICE_BASE_URL` (optional); everything else as the defaults say.
    pub fn from_env() -> Result<Self> {
        let api_key = std::env::var(defaults::API_KEY_ENV).map_err(|_| {
            Error::Config(format!("{} is not set; it must hold your Venice API key", defaults::API_KEY_ENV))
        })?;
        let mut builder = Client::builder().api_key(api_key);
        if let Ok(base_url) = std::env::var(defaults::BASE_URL_ENV) {
            builder = builder.base_url(base_url);
        }
        builder.build()
    }

    /// A builder for a client with settings of its own.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    #[cfg(feature = "api-keys")]
    /// The API Keys resource: list, create, inspect, update and delete keys, and mint one
    /// with a wallet.
    pub fn api_keys(&self) -> ApiKeys<'_> {
        ApiKeys::new(self)
    }

    /// Chat completions, plain and streamed: `client.chat()`.
    #[cfg(feature = "chat")]
    pub fn chat(&self) -> crate::chat::Chat<'_> {
        crate::chat::Chat::new(self)
    }

    /// The Responses API (alpha), plain and streamed: `client.responses()`.
    #[cfg(feature = "responses")]
    pub fn responses(&self) -> crate::responses::Responses<'_> {
        crate::responses::Responses::new(self)
    }

    /// Text embeddings: `client.embeddings()`.
    #[cfg(feature = "embeddings")]
    pub fn embeddings(&self) -> crate::embeddings::Embeddings<'_> {
        crate::embeddings::Embeddings::new(self)
    }

    /// The model catalogue, its traits and compatibility names: `client.models()`.
    #[cfg(feature = "models")]
    pub fn models(&self) -> crate::models::Models<'_> {
        crate::models::Models::new(self)
    }

    /// Public characters and their reviews: `client.characters()`.
    #[cfg(feature = "characters")]
    pub fn characters(&self) -> crate::characters::Characters<'_> {
        crate::characters::Characters::new(self)
    }

    /// Image generation, editing, upscaling and background removal: `client.images()`.
    #[cfg(feature = "images")]
    pub fn images(&self) -> crate::images::Images<'_> {
        crate::images::Images::new(self)
    }

    /// Speech, transcription, voice cloning and audio jobs: `client.audio()`.
    #[cfg(feature = "audio")]
    pub fn audio(&self) -> crate::audio::Audio<'_> {
        crate::audio::Audio::new(self)
    }

    /// Video jobs (quote, queue, wait, download, clean up) and transcriptions: `client.video()`.
    #[cfg(feature = "video")]
    pub fn video(&self) -> crate::video::Video<'_> {
        crate::video::Video::new(self)
    }

    /// Balance and usage: `client.billing()`.
    #[cfg(feature = "billing")]
    pub fn billing(&self) -> crate::billing::Billing<'_> {
        crate::billing::Billing::new(self)
    }

    /// Blockchain JSON-RPC through Venice: `client.crypto_rpc()`.
    #[cfg(feature = "crypto-rpc")]
    pub fn crypto_rpc(&self) -> crate::crypto_rpc::CryptoRpc<'_> {
        crate::crypto_rpc::CryptoRpc::new(self)
    }

    /// x402 wallet balances, top-ups and transactions: `client.x402()`.
    #[cfg(feature = "x402")]
    pub fn x402(&self) -> crate::x402::X402<'_> {
        crate::x402::X402::new(self)
    }

    /// Document parsing, web scraping and web search: `client.augment()`.
    #[cfg(feature = "augment")]
    pub fn augment(&self) -> crate::augment::Augment<'_> {
        crate::augment::Augment::new(self)
    }

    /// Attestation and signatures of models that run in hardware enclaves: `client.tee()`.
    /// End-to-end encrypted chats start from [`chat`](Self::chat) (`client.chat().e2ee(model)`).
    #[cfg(feature = "tee")]
    pub fn tee(&self) -> crate::tee::Tee<'_> {
        crate::tee::Tee::new(self)
    }

    /// The generated client, for operations the facade does not wrap. It sends through the
    /// same HTTP client, headers, key and retry policy as the facade.
    pub fn raw(&self) -> &venice_api_gen::Client {
        &self.generated
    }

    /// Runs a call made with the generated client and decodes its outcome the way the facade
    /// does: a [`Response`] with rate limits, or this crate's [`Error`].
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// let limits = client.call(|raw| raw.get_api_key_rate_limits().send()).await?;
    /// println!("{:?}", limits.data.api_tier);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn call<'a, T, E, F, Fut>(&'a self, call: F) -> Result<Response<T>>
    where
        F: FnOnce(&'a venice_api_gen::Client) -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, GeneratedError<E>>>,
        E: serde::Serialize,
    {
        response::decode(call(&self.generated)).await
    }

    /// Sends a request the generated layer cannot express (a multipart upload, a streamed
    /// answer) through the same transport as generated calls: `build` completes, afresh for
    /// each attempt, a request to `operation`'s method and URL. An error status becomes
    /// [`Error::Api`].
    pub(crate) async fn send_built(
        &self,
        operation: &'static Operation,
        build: impl Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Sync,
    ) -> Result<reqwest::Response> {
        let url = operation.url(&self.base_url).ok_or_else(|| {
            Error::invalid("request", format!("`{}` has path parameters to fill in", operation.operation_id))
        })?;
        let method = reqwest::Method::from_bytes(operation.method.as_bytes())
            .map_err(|_| Error::invalid("request", format!("`{}` has no HTTP method", operation.operation_id)))?;
        let make = || build(self.http.request(method.clone(), &url)).build();
        let result = self.transport.send_built(&self.http, &make, operation).await;
        response::checked(result, operation.id).await
    }

    /// A view of this client whose calls use `options` (see [`RequestOptions`]): a timeout,
    /// retries, extra headers, query parameters and body fields, an idempotency key. The view
    /// shares the client's connections; options given to a view add to the view's own.
    /// Invalid options are refused here, before any request.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use std::time::Duration;
    /// let patient = client.with_options(venice_api::RequestOptions::new().timeout(Duration::from_secs(300)))?;
    /// let models = patient.models().list().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_options(&self, options: RequestOptions) -> Result<Client> {
        let mut transport = Transport::clone(&self.transport);
        let mut max_retries = transport.policy.max_retries;
        let extras = options.apply_to(transport.extras.as_deref(), &mut transport.timeout, &mut max_retries)?;
        transport.policy.max_retries = max_retries;
        transport.extras = Some(Arc::new(extras));
        Ok(self.with_transport(transport))
    }

    /// This client sending through `transport`.
    fn with_transport(&self, transport: Transport) -> Client {
        let max_retries = transport.policy.max_retries;
        let transport = Arc::new(transport);
        let generated = venice_api_gen::Client::new_with_client(
            &self.base_url,
            self.http.clone(),
            Inner::with_executor(Arc::clone(&transport) as _),
        );
        Client { generated, transport, max_retries, ..self.clone() }
    }

    /// The HTTP client without the transport: for fetching a signed download link, which must
    /// not carry the API key.
    #[cfg(feature = "video")]
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The model list chat requests are checked against, when
    /// [`ClientBuilder::check_capabilities`] asked for checks.
    #[cfg(all(feature = "chat", feature = "models"))]
    pub(crate) fn capability_catalog(&self) -> Option<&crate::capabilities::ModelCatalog> {
        self.capabilities.as_ref()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How many times a failed request is sent again.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Whether the client was built with an API key.
    pub fn has_api_key(&self) -> bool {
        self.has_api_key
    }

    /// The address of the wallet the client signs in and pays with, if it was built with one
    /// ([`ClientBuilder::wallet`]).
    pub fn wallet_address(&self) -> Option<Address> {
        self.wallet.as_ref().map(|wallet| wallet.address())
    }

    /// The wallet's prepaid x402 credit in USD as Venice last reported it to this client (or
    /// a clone of it): from a balance or a top-up, or the `X-Balance-Remaining` header of an
    /// answer to one; `None` before any. It may lag behind calls made elsewhere with the same
    /// wallet; [`X402::balance`](crate::x402::X402::balance) asks afresh.
    pub fn balance_remaining(&self) -> Option<f64> {
        self.transport.shared.wallet_balance.usd()
    }

    /// Where answers report the wallet's credit.
    pub(crate) fn wallet_balance(&self) -> &WalletBalance {
        &self.transport.shared.wallet_balance
    }

    /// The wallet, or, before sending, a refusal of `call` on a client built without one.
    pub(crate) fn require_wallet(&self, call: &str) -> Result<&dyn WalletSigner> {
        self.wallet.as_deref().ok_or_else(|| {
            Error::Config(format!(
                "`{call}` needs a wallet, and this client was built without one (see `ClientBuilder::wallet`)"
            ))
        })
    }

    /// A fresh `SIGN-IN-WITH-X` sign-in by the client's wallet, for `call`.
    pub(crate) async fn sign_in_with_x(&self, call: &str) -> Result<SignInWithX> {
        Ok(SignInWithX::sign(self.require_wallet(call)?).await?)
    }

    /// Refuses, before sending, `call` (which sends `operation`) on a client that lacks the
    /// credentials it needs: the key, or, where the operation takes a wallet sign-in instead,
    /// a wallet.
    pub(crate) fn require_credentials(&self, call: &str, operation: &Operation) -> Result<()> {
        let signs_in = operation.accepts_sign_in() && self.wallet.is_some();
        if self.has_api_key || operation.auth != Auth::Required || signs_in {
            return Ok(());
        }
        let alternative = if operation.accepts_sign_in() { " or a wallet (`ClientBuilder::wallet`)" } else { "" };
        Err(Error::Config(format!(
            "`{call}` (`{}`) needs an API key{alternative}, and this client was built without one",
            operation.operation_id
        )))
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("has_api_key", &self.has_api_key)
            .field("wallet", &self.wallet_address())
            .finish()
    }
}

/// Configures a [`Client`]. Every setting has a default (see [`defaults`]) except the API key,
/// which must be given, or left out: explicitly with [`without_api_key`](Self::without_api_key),
/// or by giving a [`wallet`](Self::wallet) instead.
#[derive(Default)]
pub struct ClientBuilder {
    api_key: Option<SecretString>,
    without_api_key: bool,
    wallet: Option<Arc<dyn WalletSigner>>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_retries: Option<u32>,
    deadline: Option<Duration>,
    user_agent_suffix: Option<String>,
    default_headers: Vec<(String, String)>,
    http_client: Option<reqwest::Client>,
    #[cfg(all(feature = "chat", feature = "models"))]
    check_capabilities: bool,
    #[cfg(feature = "x402")]
    auto_top_up: Option<crate::x402::AutoTopUp>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("wallet", &self.wallet.as_ref().map(|wallet| wallet.address()))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API key sent as a bearer token. It is kept in a [`SecretString`]: never printed,
    /// wiped from memory when the client is dropped.
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(SecretString::from(api_key.into()));
        self
    }

    /// Builds a client that sends no key, for the calls that need none (minting a key with a
    /// wallet). Calls that need a key then fail before sending.
    pub fn without_api_key(mut self) -> Self {
        self.without_api_key = true;
        self
    }

    /// The wallet the client signs in with (`SIGN-IN-WITH-X`) and pays with (x402), such as a
    /// [`LocalSigner`](crate::web3::LocalSigner) from the agent's private key. With a wallet
    /// and no [`api_key`](Self::api_key), the client sends no key at all: a wallet is all an
    /// agent needs to check its credit and top it up (`client.x402()`).
    ///
    /// ```no_run
    /// # fn demo() -> venice_api::Result<()> {
    /// use venice_api::web3::LocalSigner;
    ///
    /// let wallet = LocalSigner::from_hex(&std::env::var("AGENT_PRIVATE_KEY").unwrap_or_default())?;
    /// let client = venice_api::Client::builder().wallet(wallet).build()?;
    /// assert!(!client.has_api_key());
    /// # Ok(())
    /// # }
    /// ```
    pub fn wallet(mut self, signer: impl WalletSigner + 'static) -> Self {
        self.wallet = Some(Arc::new(signer));
        self
    }

    /// Where requests go (default [`defaults::BASE_URL`]), including the `/api/v1` stem.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// How long one attempt may take, answer included (default 60 s). A streamed answer (a
    /// file, server-sent events) is not cut at this length; instead no read may wait longer.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How long opening a connection may take (default 10 s). Ignored with
    /// [`http_client`](Self::http_client), whose own setting applies.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Refuse, before sending, a chat request whose model lacks a capability the request uses
    /// (tools, image/audio/video input, a response schema, reasoning settings, web search),
    /// naming it; off by default. The model list is fetched once, on the first chat call, and
    /// shared by the client's clones. See [`crate::capabilities`].
    #[cfg(all(feature = "chat", feature = "models"))]
    pub fn check_capabilities(mut self) -> Self {
        self.check_capabilities = true;
        self
    }

    /// Buy x402 credit when a call the wallet signed in for answers 402 (the credit is
    /// spent), `amount` at a time and `budget` at most in all, then send the call once more;
    /// needs a [`wallet`](Self::wallet). Off by default. See [`AutoTopUp`](crate::x402::AutoTopUp).
    #[cfg(feature = "x402")]
    pub fn auto_top_up(mut self, policy: crate::x402::AutoTopUp) -> Self {
        self.auto_top_up = Some(policy);
        self
    }

    /// How many times a failed request is sent again (default 2; 0 turns retries off).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }

    /// How long one call may take in all, retries included (default 180 s).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Text added after `venice-api/<version>` in the `User-Agent` header, such as your
    /// application's name and version.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// A header sent with every request (unless the request sets it itself).
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// An existing `reqwest::Client` to send with, to share its connection pool and settings.
    /// The timeout is still applied per request; streamed answers (files, server-sent events)
    /// are bounded only by that client's own `read_timeout`, so set one on it.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client> {
        let authorization = self.checked_authorization()?;
        let sends_credentials = authorization.is_some() || self.wallet.is_some();
        let base_url = checked_base_url(self.base_url.as_deref().unwrap_or(defaults::BASE_URL), sends_credentials)?;
        let timeout = self.timeout.unwrap_or(defaults::REQUEST_TIMEOUT);
        if timeout.is_zero() {
            return Err(Error::Config("the timeout must be longer than zero".to_owned()));
        }
        let user_agent = match &self.user_agent_suffix {
            Some(suffix) => format!("{} {}", defaults::USER_AGENT, suffix.trim()),
            None => defaults::USER_AGENT.to_owned(),
        };
        let user_agent = HeaderValue::from_str(&user_agent)
            .map_err(|_| Error::Config("the user agent suffix has characters a header cannot carry".to_owned()))?;
        let default_headers = checked_headers(&self.default_headers)?;
        let http_client = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout.unwrap_or(defaults::CONNECT_TIMEOUT))
                // Bounds the silence between reads; what bounds a streamed answer (see transport).
                .read_timeout(timeout)
                .build()
                .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?,
        };
        let has_api_key = authorization.is_some();
        let max_retries = self.max_retries.unwrap_or(defaults::MAX_RETRIES);
        let transport = Transport {
            authorization,
            wallet: self.wallet.clone(),
            extras: None,
            shared: Arc::default(),
            #[cfg(feature = "x402")]
            auto_top_up: None,
            user_agent,
            default_headers,
            timeout,
            policy: RetryPolicy { max_retries, deadline: self.deadline.unwrap_or(defaults::RETRY_DEADLINE) },
        };
        #[cfg(feature = "x402")]
        let auto_top_up = match self.auto_top_up {
            Some(_) if self.wallet.is_none() => {
                return Err(Error::Config("an automatic top-up needs a wallet (`ClientBuilder::wallet`)".to_owned()));
            }
            Some(policy) => Some(policy.checked()?),
            None => None,
        };
        let transport = Arc::new(transport);
        let generated = venice_api_gen::Client::new_with_client(
            &base_url,
            http_client.clone(),
            Inner::with_executor(Arc::clone(&transport) as _),
        );
        let client = Client {
            generated,
            transport,
            http: http_client,
            base_url: base_url.into(),
            has_api_key,
            wallet: self.wallet,
            max_retries,
            #[cfg(all(feature = "chat", feature = "models"))]
            capabilities: self.check_capabilities.then(crate::capabilities::ModelCatalog::new),
        };
        #[cfg(feature = "x402")]
        if let Some(policy) = auto_top_up {
            // The top-ups go through the client as built so far, which has no policy: a top-up
            // never tops up, and nothing holds the client that holds it.
            let mut transport = Transport::clone(&client.transport);
            transport.auto_top_up = Some(Arc::new(crate::x402::AutoTopUpState::new(policy, client.clone())));
            return Ok(client.with_transport(transport));
        }
        Ok(client)
    }

    /// The `Authorization` header the key gives, made once: every request shares its one
    /// buffer (instead of a copy of the key per request), zeroized when the client and the
    /// last request holding it are gone.
    fn checked_authorization(&self) -> Result<Option<HeaderValue>> {
        if self.without_api_key || (self.api_key.is_none() && self.wallet.is_some()) {
            return Ok(None);
        }
        let Some(key) = &self.api_key else {
            return Err(Error::Config(format!(
                "no API key: pass one to `ClientBuilder::api_key` or set {} (or give a `wallet` instead, \
                 or call `without_api_key` for the calls that need none)",
                defaults::API_KEY_ENV
            )));
        };
        let trimmed = key.expose_secret().trim();
        if trimmed.is_empty() {
            return Err(Error::Config("the API key is empty".to_owned()));
        }
        let mut text = Zeroizing::new(Vec::with_capacity(BEARER.len() + trimmed.len()));
        text.extend_from_slice(BEARER.as_bytes());
        text.extend_from_slice(trimmed.as_bytes());
        let mut value = HeaderValue::from_maybe_shared(Bytes::from_owner(text))
            .map_err(|_| Error::Config("the API key has characters a header cannot carry".to_owned()))?;
        value.set_sensitive(true);
        Ok(Some(value))
    }
}

const BEARER: &str = "Bearer ";

/// The base URL without a trailing slash, refused when it is not http(s), or when it would
/// send a credential in clear text to another machine: the key, or a wallet's sign-ins and
/// payments (whose terms a man in the middle could also rewrite).
fn checked_base_url(base_url: &str, sends_credentials: bool) -> Result<String> {
    let url = reqwest::Url::parse(base_url)
        .map_err(|e| Error::Config(format!("the base URL {base_url:?} is not a valid URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if !sends_credentials || is_loopback(&url) => {}
        "http" => {
            return Err(Error::Config(format!(
                "refusing to send the API key or wallet signatures over plain http to {}; use https",
                url.host_str().unwrap_or_default()
            )));
        }
        other => return Err(Error::Config(format!("the base URL must be http or https, not {other}"))),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config("the base URL must not have a query or fragment".to_owned()));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn checked_headers(pairs: &[(String, String)]) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::Config(format!("{name:?} is not a valid header name")))?;
        if header == reqwest::header::AUTHORIZATION {
            return Err(Error::Config("set the key with `api_key`, not as a default header".to_owned()));
        }
        let value = HeaderValue::from_str(value)
            .map_err(|_| Error::Config(format!("the value of header {name:?} has characters a header cannot carry")))?;
        headers.insert(header, value);
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_error(builder: ClientBuilder) -> String {
        match builder.build() {
            Err(Error::Config(message)) => message,
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_key_is_refused_at_build_time() {
        assert!(config_error(Client::builder()).contains("no API key"));
    }

    #[test]
    fn an_empty_key_is_refused_at_build_time() {
        assert!(config_error(Client::builder().api_key("  ")).contains("empty"));
    }

    #[test]
    fn a_key_is_refused_over_plain_http_to_another_host() {
        let message = config_error(Client::builder().api_key("k").base_url("http://api.example.com/api/v1"));
        assert!(message.contains("plain http"), "{message}");
    }

    #[test]
    fn plain_http_is_allowed_to_loopback_and_without_a_key() {
        for url in ["http://127.0.0.1:9/api/v1", "http://localhost:9", "http://[::1]:9"] {
            Client::builder().api_key("k").base_url(url).build().unwrap();
        }
        Client::builder().without_api_key().base_url("http://api.example.com").build().unwrap();
    }

    #[test]
    fn the_trailing_slash_of_the_base_url_is_dropped() {
        let client = Client::builder().api_key("k").base_url("https://example.com/api/v1/").build().unwrap();
        assert_eq!(client.base_url(), "https://example.com/api/v1");
    }

    #[test]
    fn the_default_base_url_is_venices() {
        assert_eq!(Client::builder().api_key("k").build().unwrap().base_url(), defaults::BASE_URL);
    }

    #[test]
    fn other_schemes_are_refused() {
        assert!(config_error(Client::builder().api_key("k").base_url("ftp://example.com")).contains("http or https"));
    }

    #[test]
    fn the_key_never_shows_in_debug_output() {
        let builder = Client::builder().api_key("sk-very-secret");
        assert!(!format!("{builder:?}").contains("sk-very-secret"));
        let client = builder.build().unwrap();
        assert!(!format!("{client:?}").contains("sk-very-secret"));
    }

    #[test]
    fn the_trimmed_key_becomes_one_sensitive_bearer_header() {
        let client = Client::builder().api_key(" sk-key \n").build().unwrap();
        let value = client.transport.authorization.as_ref().expect("a key gives a header");
        assert_eq!(value.as_bytes(), b"Bearer sk-key");
        assert!(value.is_sensitive());
        assert!(!format!("{value:?}").contains("sk-key"));
    }

    #[test]
    fn a_key_a_header_cannot_carry_is_refused_at_build_time() {
        assert!(config_error(Client::builder().api_key("sk-\u{7}bell")).contains("cannot carry"));
    }

    #[test]
    fn authorization_cannot_be_a_default_header() {
        let message = config_error(Client::builder().api_key("k").default_header("Authorization", "Bearer x"));
        assert!(message.contains("api_key"));
    }

    const WALLET_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    fn wallet() -> crate::web3::LocalSigner {
        crate::web3::LocalSigner::from_hex(WALLET_KEY).unwrap()
    }

    #[test]
    fn a_wallet_stands_in_for_the_key() {
        let client = Client::builder().wallet(wallet()).build().unwrap();
        assert!(!client.has_api_key());
        assert!(client.transport.authorization.is_none());
        assert_eq!(client.wallet_address(), Some(wallet().address()));
    }

    #[test]
    fn a_key_and_a_wallet_can_go_together() {
        let client = Client::builder().api_key("k").wallet(wallet()).build().unwrap();
        assert!(client.has_api_key());
        assert!(client.wallet_address().is_some());
    }

    #[test]
    fn a_wallet_is_refused_over_plain_http_to_another_host() {
        let message = config_error(Client::builder().wallet(wallet()).base_url("http://api.example.com/api/v1"));
        assert!(message.contains("plain http"), "{message}");
        Client::builder().wallet(wallet()).base_url("http://127.0.0.1:9/api/v1").build().unwrap();
    }

    #[test]
    fn a_wallet_is_required_by_wallet_calls_on_a_client_without_one() {
        let client = Client::builder().api_key("k").build().unwrap();
        match client.require_wallet("x402().balance") {
            Err(Error::Config(message)) => assert!(message.contains("x402().balance"), "{message}"),
            other => panic!("expected a refusal, got {:?}", other.map(|w| w.address())),
        }
    }

    #[test]
    fn debug_names_the_wallet_address_only() {
        let builder = Client::builder().wallet(wallet());
        let client = Client::builder().wallet(wallet()).build().unwrap();
        for shown in [format!("{builder:?}"), format!("{client:?}")] {
            assert!(shown.contains("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), "{shown}");
            assert!(!shown.contains(WALLET_KEY), "{shown}");
        }
    }

    #[test]
    fn a_bad_header_name_is_refused() {
        assert!(config_error(Client::builder().api_key("k").default_header("bad name", "x")).contains("header name"));
    }
}

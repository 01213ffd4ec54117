//! The Rust SDK for the [Venice.ai API](https://docs.venice.ai).
//!
//! ```no_run
//! use venice_api::{Client, api_keys::CreateApiKey, types::LimitPeriod};
//!
//! # async fn demo() -> venice_api::Result<()> {
//! let client = Client::from_env()?; // VENICE_API_KEY, and VENICE_BASE_URL if set
//! let created = client
//!     .api_keys()
//!     .create(CreateApiKey::inference("ci runner").consumption_limit_usd(5.0).limit_period(LimitPeriod::Month))
//!     .await?;
//! println!("created {}; {:?} requests left this minute", created.id, created.rate_limits().remaining_requests);
//! # Ok(())
//! # }
//! ```
//!
//! # How a call travels
//!
//! - [`client`]: the [`Client`], its builder and the checks made before any request.
//! - A resource module ([`api_keys`]) builds the request with the generated builders of
//!   [`venice_api_gen`] and hands the call to `response::decode`.
//! - `transport` sends it: key, user agent and default headers added, each attempt bounded by
//!   the timeout and the deadline, and [`retry`] asked after each attempt whether to send again.
//! - `response::decode` turns the outcome into a [`Response`] (body, status, [`RateLimits`],
//!   request id) or an [`Error`].
//!
//! Generated calls made through [`Client::raw`] take the same path through `transport`, so
//! one policy serves both; [`Client::call`] decodes their outcome into this crate's types.
//!
//! Request and response types are the generated ones, re-exported as [`types`].

#![deny(missing_docs)]
// Shared helpers serve resource modules that each sit behind a feature; with only some
// features on, some helpers go unused. Dead code is checked with every feature on (CI's
// `--all-features` clippy).
#![cfg_attr(not(feature = "full"), allow(dead_code))]

#[cfg(feature = "api-keys")]
pub mod api_keys;
#[cfg(feature = "audio")]
pub mod audio;
#[cfg(feature = "augment")]
pub mod augment;
#[cfg(feature = "billing")]
pub mod billing;
#[cfg(all(feature = "chat", feature = "models"))]
pub mod capabilities;
#[cfg(feature = "characters")]
pub mod characters;
#[cfg(feature = "chat")]
pub mod chat;
pub mod client;
#[cfg(feature = "api-keys")]
mod created_key;
#[cfg(feature = "crypto-rpc")]
pub mod crypto_rpc;
pub mod defaults;
#[cfg(feature = "embeddings")]
pub mod embeddings;
mod error;
/// Entry points for the fuzz targets in `fuzz/`; exists for them alone and is not part of the API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "images")]
pub mod images;
#[cfg(any(feature = "audio", feature = "video"))]
mod jobs;
#[cfg(feature = "chat")]
pub mod model_suffix;
#[cfg(feature = "models")]
pub mod models;
pub mod options;
mod rate_limit;
mod redact;
mod response;
#[cfg(feature = "responses")]
pub mod responses;
pub mod retry;
mod sse;
pub mod stream;
#[cfg(any(feature = "chat", feature = "responses"))]
pub mod structured;
#[cfg(feature = "tee")]
pub mod tee;
#[cfg(feature = "chat")]
pub mod thinking;
#[cfg(feature = "chat")]
pub mod tools;
mod transport;
#[cfg(feature = "chat")]
pub mod venice_parameters;
#[cfg(feature = "video")]
pub mod video;
mod wallet_balance;
pub mod web3;
#[cfg(feature = "x402")]
pub mod x402;

pub use client::{Client, ClientBuilder};
pub use error::{
    ApiError, ApiErrorKind, BoxError, Error, PaymentOption, PaymentRequired, PaymentRequirements, PaymentResource,
    RawBody, Result, TeeRejection, WalletRejection,
};
pub use options::RequestOptions;
pub use rate_limit::RateLimits;
pub use response::Response;
/// The JSON Schema crate whose `JsonSchema` types [`ChatRequest::output`](chat::ChatRequest::output)
/// and typed tools take, at the version this crate uses.
#[cfg(any(feature = "chat", feature = "responses"))]
pub use schemars;
/// How a secret held by this crate's types (a [`RawBody`], a created key's `api_key`) is read,
/// and the type of a secret text.
pub use secrecy::{ExposeSecret, SecretString};
/// The generated layer, for what the facade does not wrap (see [`Client::raw`]).
pub use venice_api_gen;
/// The response headers the spec declares, typed: see [`Response::declared_headers`].
pub use venice_api_gen::headers::DeclaredHeaders;
/// The generated request and response types.
pub use venice_api_gen::types;

//! Every default and limit the client applies, in one place.
//!
//! [`ClientBuilder`](crate::ClientBuilder) overrides the per-client ones; the rest are fixed
//! so that the retry behaviour described in [`retry`](crate::retry) stays the same everywhere.

use std::time::Duration;

/// Where requests go unless the builder or `VENICE_BASE_URL` says otherwise.
pub const BASE_URL: &str = "https://api.venice.ai/api/v1";

/// The environment variable [`Client::from_env`](crate::Client::from_env) reads the API key from.
pub const API_KEY_ENV: &str = "VENICE_API_KEY";

/// The environment variable [`Client::from_env`](crate::Client::from_env) reads a base URL from.
pub const BASE_URL_ENV: &str = "VENICE_BASE_URL";

/// How long one attempt may take, from sending to the last byte of the answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// How long opening a connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How many times a failed request is sent again.
pub const MAX_RETRIES: u32 = 2;

/// How long one call may take in all, retries and waits included. No retry starts when its
/// wait would end past this point.
pub const RETRY_DEADLINE: Duration = Duration::from_secs(180);

/// The wait before the first retry; each further retry waits twice as long.
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(500);

/// The longest wait the exponential backoff reaches.
pub const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// The longest wait a server may ask for (`Retry-After`, a rate-limit reset time) and still
/// be retried; a longer one returns the error at once, so the caller can decide.
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(60);

/// How much of a response body an error keeps, in bytes.
pub const BODY_EXCERPT_BYTES: usize = 512;

/// The `User-Agent` every request carries (an optional suffix follows it).
pub const USER_AGENT: &str = concat!("venice-api/", env!("CARGO_PKG_VERSION"));

/// The description Venice gives a wallet-minted key when none is set.
pub const WALLET_KEY_DESCRIPTION: &str = "Web3 API Key";

/// How many fresh tokens the wallet flow fetches after Venice says its token expired or is not
/// one it issued (`JWT has expired`, `JWT signature is invalid`).
pub const WALLET_TOKEN_REFRESHES: u32 = 1;

/// How long waiting for a queued job (video, audio) first waits between two polls; each
/// further wait is half as long again, up to [`JOB_MAX_POLL_INTERVAL`], less up to a fifth at
/// random.
pub const JOB_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// The longest wait between two polls of a queued job.
pub const JOB_MAX_POLL_INTERVAL: Duration = Duration::from_secs(15);

/// How long waiting for a queued job may take before it ends with
/// [`Error::Timeout`](crate::Error::Timeout); the job itself goes on.
pub const JOB_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// The domain of the EIP-4361 message a wallet signs in with (`SIGN-IN-WITH-X`), as Venice's
/// `siwx` scheme gives it.
pub const SIWX_DOMAIN: &str = "api.venice.ai";

/// The URI of the EIP-4361 sign-in message.
pub const SIWX_URI: &str = "https://api.venice.ai";

/// The statement of the EIP-4361 sign-in message.
pub const SIWX_STATEMENT: &str = "Sign in to Venice API";

/// The chain a wallet signs in and pays on: Base (EIP-155 id 8453).
pub const SIWX_CHAIN_ID: u64 = 8453;

/// How long a sign-in is valid after it is issued; a fresh one is made for each request.
pub const SIWX_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// USDC's token contract on Base: the only token a top-up pays with (an offer naming another
/// contract is not taken, whatever it calls itself).
pub const BASE_USDC: &str = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";

/// How long before now a top-up's payment authorization becomes valid, so that a server
/// whose clock lags behind the client's still accepts it.
pub const TOP_UP_CLOCK_SKEW: Duration = Duration::from_secs(60);

/// The longest a top-up's payment authorization stays valid, whatever time to settle the
/// offer allows (`maxTimeoutSeconds`).
pub const TOP_UP_MAX_VALIDITY: Duration = Duration::from_secs(60 * 60);

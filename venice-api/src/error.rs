//! The one error type of the crate, and how answers and failures become it.
//!
//! [`Error`] is what every call returns. Match on its variants for the broad cause (the
//! server said no, the network failed, the answer made no sense, the arguments were refused
//! before sending), and on [`ApiError::kind`] for what the server said. Neither reqwest nor
//! progenitor types appear here, so upgrading either is not a breaking change.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderName};
use secrecy::{ExposeSecret, SecretSlice};
use serde_json::{Map, Number, Value};
use venice_api_gen::operations;

use crate::defaults::BODY_EXCERPT_BYTES;
use crate::rate_limit::RateLimits;
use crate::redact;
use crate::response::Response;
use crate::retry;
use crate::web3::SignerError;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error from a lower layer, kept opaque so that its type is not part of this API.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// No answer came in time (after any retries).
    #[error("the request to the Venice API timed out")]
    Timeout {
        /// The underlying failure.
        #[source]
        source: BoxError,
    },
    /// The request could not be sent or its answer not read: connection refused, reset, TLS.
    #[error("could not talk to the Venice API: {message}")]
    Transport {
        /// What failed, in a few words.
        message: String,
        /// The underlying failure.
        #[source]
        source: BoxError,
    },
    /// The server answered, but not with what the API describes.
    #[error("could not decode the response{}: {reason}; the body begins {excerpt:?}", status_suffix(*.status))]
    #[non_exhaustive]
    Decode {
        /// The status of the answer, when known.
        status: Option<u16>,
        /// Why it could not be decoded; a secret value it would quote reads `[REDACTED]`.
        reason: String,
        /// The start of the body, at most [`BODY_EXCERPT_BYTES`] bytes, the values of secret
        /// fields (`apiKey`, `token`, `signature`, …) replaced by `[REDACTED]`.
        excerpt: String,
        /// The whole body, when the answer was a success of an operation that creates
        /// something (an API key, a job, a top-up): see [`Error::raw_body`].
        raw_body: Option<Box<RawBody>>,
    },
    /// An argument was refused before anything was sent.
    #[error("invalid argument `{argument}`: {reason}")]
    InvalidArgument {
        /// The argument, or `request` when the generated layer refused the request as a whole.
        argument: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The client cannot be built as configured, or lacks what a call needs (an API key).
    #[error("client configuration: {0}")]
    Config(String),
    /// A wallet signer failed: in the wallet key flow, signing in, or paying.
    #[error(transparent)]
    Signer(#[from] SignerError),
    /// An x402 payment was refused before anything was signed: nothing offered that the
    /// client can pay with, or an amount the offer does not allow.
    #[cfg(feature = "x402")]
    #[error(transparent)]
    Payment(#[from] crate::x402::PaymentError),
    /// Private inference was refused on this side: an attestation that does not check out, a
    /// model without end-to-end encryption, an answer chunk that does not decrypt.
    #[cfg(feature = "tee")]
    #[error(transparent)]
    Tee(#[from] crate::tee::TeeError),
    /// The answer could not be read as the type asked for (structured outputs).
    #[cfg(any(feature = "chat", feature = "responses"))]
    #[error(transparent)]
    Output(#[from] crate::structured::OutputError),
    /// Writing a downloaded body (to a file or writer) failed.
    #[error("could not write the answer: {0}")]
    Io(#[from] std::io::Error),
}

/// The argument a call refused before sending; panics on any other outcome. For the unit
/// tests of the resource modules, which check their argument validation with it.
#[cfg(test)]
pub(crate) fn refused<T: std::fmt::Debug>(result: Result<T>) -> &'static str {
    match result {
        Err(Error::InvalidArgument { argument, .. }) => argument,
        other => panic!("expected an invalid argument, got {other:?}"),
    }
}

/// `value` trimmed, or an invalid-argument error naming `argument` when nothing is left.
pub(crate) fn non_empty(argument: &'static str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() { Err(Error::invalid(argument, "must not be empty")) } else { Ok(value.to_owned()) }
}

fn status_suffix(status: Option<u16>) -> String {
    status.map(|s| format!(" (status {s})")).unwrap_or_default()
}

impl Error {
    /// The HTTP status of the answer behind this error, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } => *status,
            _ => None,
        }
    }

    /// The server's error, when it answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Whether the server refused the call for exceeding a rate limit (429).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// Whether the same call may succeed if made again later: timeouts, transport failures,
    /// and the statuses the client itself retries. A call that returns such an error has
    /// already been retried as far as the client's policy allows.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Transport { .. } => true,
            Error::Api(api) => {
                retry::is_retryable_status(api.status)
                    || api.kind == ApiErrorKind::Wallet(WalletRejection::SignatureUnverified)
            }
            _ => false,
        }
    }

    /// The request id the server gave the failed call, for support requests.
    pub fn request_id(&self) -> Option<&str> {
        self.api().and_then(|api| api.request_id.as_deref())
    }

    /// The x402 payment requirements of a 402 answer, when it carried readable ones: what to
    /// pay, and to whom, before sending the call again. See [`ApiError::payment_required`].
    pub fn payment_requirements(&self) -> Option<&PaymentRequirements> {
        self.api()?.payment_requirements()
    }

    /// Why the wallet flow was refused, when it was.
    pub fn wallet_rejection(&self) -> Option<WalletRejection> {
        match self.api()?.kind {
            ApiErrorKind::Wallet(rejection) => Some(rejection),
            _ => None,
        }
    }

    /// The whole body of a success answer that created something on the server (an API key,
    /// a wallet-minted key, a queued job, a top-up) but could not be decoded; `None` for any
    /// other error.
    ///
    /// The server acted: the body may hold the only copy of what it made (a new key's secret),
    /// so it is kept whole, and never shows in `Display` or `Debug`. The create and mint calls
    /// of [`api_keys`](crate::api_keys) already read their key out of it when they can; this
    /// is for what they could not read, and for the other creating calls.
    ///
    /// ```
    /// use venice_api::ExposeSecret as _;
    ///
    /// /// Hands what a failed creating call made to `keep` (a secret store), then reports the error.
    /// fn recover(error: venice_api::Error, keep: impl FnOnce(serde_json::Value)) -> venice_api::Error {
    ///     if let Some(Ok(answer)) = error.raw_body().map(|body| serde_json::from_slice(body.expose_secret())) {
    ///         keep(answer);
    ///     }
    ///     error
    /// }
    /// ```
    pub fn raw_body(&self) -> Option<&RawBody> {
        match self {
            Error::Decode { raw_body, .. } => raw_body.as_deref(),
            _ => None,
        }
    }

    /// Why Venice refused a private-inference call, when it said so with one of its documented
    /// messages: as the answer's status ([`ApiErrorKind::Tee`]), or partway through a stream.
    /// Refusals made on this side are [`Error::Tee`] instead.
    pub fn tee_rejection(&self) -> Option<TeeRejection> {
        let api = self.api()?;
        match api.kind {
            ApiErrorKind::Tee(rejection) => Some(rejection),
            ApiErrorKind::Stream => TeeRejection::from_message(&api.message),
            _ => None,
        }
    }

    /// An answer that could not be read: `reason` says why, `body` is what came (its start
    /// becomes the excerpt). The one way a [`Error::Decode`] is made: the values of secret
    /// fields of `body` are hidden from both the excerpt and the reason (serde's reasons quote
    /// the offending value), see `redact`.
    pub(crate) fn decode(status: Option<u16>, reason: impl fmt::Display, body: &[u8]) -> Self {
        let reason = redact::secrets_in(body).scrub(&reason.to_string());
        Error::Decode { status, reason: bounded_reason(reason), excerpt: excerpt(body), raw_body: None }
    }

    /// The same decode error, keeping `raw` as the whole body the server created something with.
    pub(crate) fn keeping_raw_body(mut self, raw: RawBody) -> Self {
        if let Error::Decode { raw_body, .. } = &mut self {
            *raw_body = Some(Box::new(raw));
        }
        self
    }

    pub(crate) fn invalid(argument: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidArgument { argument, reason: reason.into() }
    }

    pub(crate) fn from_reqwest(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            return Error::Timeout { source: Box::new(error) };
        }
        let what = if error.is_connect() {
            "could not connect"
        } else if error.is_body() || error.is_decode() {
            "the connection failed while the answer was read"
        } else if error.is_redirect() {
            "too many redirects"
        } else {
            // Not "could not be sent": a connection reset or a garbled answer also lands here,
            // after the server may have read (and acted on) the request.
            "the connection failed before an answer came"
        };
        let message = match error.url() {
            Some(url) => format!("{what} ({})", without_query(url)),
            None => what.to_owned(),
        };
        Error::Transport { message, source: Box::new(error) }
    }
}

fn without_query(url: &reqwest::Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.to_string()
}

/// An error answer from the Venice API.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// What kind of refusal it is.
    pub kind: ApiErrorKind,
    /// Venice's message, or the status's reason phrase when the body had none.
    pub message: String,
    /// The `details` of a validation error (field name to problems), when present; the
    /// values of secret fields (`apiKey`, `token`, `signature`, …) read `[REDACTED]`.
    pub details: Option<Value>,
    /// The `issues` of a validation error, when present, secret fields redacted as in `details`.
    pub issues: Vec<Value>,
    /// The `code` of an OpenAI-style error, when present.
    pub code: Option<String>,
    /// The `type` of an OpenAI-style error, when present.
    pub error_type: Option<String>,
    /// The `param` of an OpenAI-style error, when present.
    pub param: Option<String>,
    /// The request id the server sent (`x-request-id`), if any.
    pub request_id: Option<String>,
    /// The rate-limit headers of the answer.
    pub rate_limits: RateLimits,
    /// The start of the body, at most [`BODY_EXCERPT_BYTES`] bytes, the values of secret
    /// fields replaced by `[REDACTED]`.
    pub body_excerpt: String,
    /// On a 402, the x402 payment requirements: from the `PAYMENT-REQUIRED` header, or from
    /// a body made of them (`x402Version` and `accepts`, as `POST /x402/top-up` answers).
    pub payment_required: Option<PaymentRequired>,
    /// Every header of the answer, as sent.
    pub headers: HeaderMap,
}

impl ApiError {
    /// The response headers the spec declares, typed (see
    /// [`Response::declared_headers`](crate::Response::declared_headers)).
    pub fn declared_headers(&self) -> venice_api_gen::headers::DeclaredHeaders {
        venice_api_gen::headers::DeclaredHeaders::from_headers(&self.headers)
    }

    /// The decoded x402 payment requirements, when the answer was a 402 that carried
    /// readable ones.
    pub fn payment_requirements(&self) -> Option<&PaymentRequirements> {
        match &self.payment_required {
            Some(PaymentRequired::Requirements(requirements)) => Some(requirements),
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Venice API error {} ({}): {}", self.status, self.kind, self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The whole body of an answer that created something but could not be decoded (see
/// [`Error::raw_body`]), with what its headers said.
///
/// It may hold the only copy of a secret, so it never prints itself (`Debug` shows its size
/// only) and is wiped from memory when dropped; [`ExposeSecret::expose_secret`] gives the bytes.
pub struct RawBody {
    bytes: SecretSlice<u8>,
    head: Response<()>,
}

impl RawBody {
    pub(crate) fn new(bytes: &[u8], head: Response<()>) -> Self {
        Self { bytes: SecretSlice::from(bytes.to_vec()), head }
    }

    /// Status, rate limits and request id of the answer the body came with.
    pub(crate) fn head(&self) -> &Response<()> {
        &self.head
    }
}

impl ExposeSecret<[u8]> for RawBody {
    fn expose_secret(&self) -> &[u8] {
        self.bytes.expose_secret()
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawBody([REDACTED {} bytes])", self.bytes.expose_secret().len())
    }
}

/// The kind of an [`ApiError`], from its status and, for the wallet flow, its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 400 or 422: the request was malformed or failed validation.
    BadRequest,
    /// 401: the API key is missing, wrong or expired.
    Unauthorized,
    /// 402: the account lacks funds, or the call must be paid for (x402).
    PaymentRequired,
    /// 403: the key may not do this (an inference key calling an admin endpoint).
    Forbidden,
    /// 404: no such resource.
    NotFound,
    /// 408: the server gave up waiting for the request.
    RequestTimeout,
    /// 409: Venice needs the account holder's consent first; retrying will not help.
    ConsentRequired,
    /// 410: the operation was retired; the message names what replaces it.
    Gone,
    /// 415: the body was sent in a content type the endpoint does not take.
    UnsupportedMediaType,
    /// 429: a rate limit was exceeded; see [`ApiError::rate_limits`].
    RateLimited,
    /// 5xx: the server failed.
    Server,
    /// The server reported an error partway through a streamed answer (status 200).
    Stream,
    /// 400 from the wallet key flow, with the documented reason.
    Wallet(WalletRejection),
    /// An error status from a private-inference call (attestation, signature, an E2EE chat)
    /// with one of Venice's documented messages.
    Tee(TeeRejection),
    /// Any other status.
    Other,
}

impl fmt::Display for ApiErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            ApiErrorKind::BadRequest => "bad request",
            ApiErrorKind::Unauthorized => "unauthorized",
            ApiErrorKind::PaymentRequired => "payment required",
            ApiErrorKind::Forbidden => "forbidden",
            ApiErrorKind::NotFound => "not found",
            ApiErrorKind::RequestTimeout => "request timeout",
            ApiErrorKind::ConsentRequired => "consent required",
            ApiErrorKind::Gone => "gone",
            ApiErrorKind::UnsupportedMediaType => "unsupported media type",
            ApiErrorKind::RateLimited => "rate limited",
            ApiErrorKind::Server => "server error",
            ApiErrorKind::Stream => "error in the stream",
            ApiErrorKind::Wallet(rejection) => return write!(f, "wallet rejected: {rejection}"),
            ApiErrorKind::Tee(rejection) => return write!(f, "private inference refused: {rejection}"),
            ApiErrorKind::Other => "error",
        };
        f.write_str(text)
    }
}

/// Why Venice refused a wallet-signed key request (a 400 of `POST /api_keys/generate_web3_key`).
///
/// Venice documents eight refusals, each by a message its error text contains (matched
/// without regard to case; [`from_message`](Self::from_message)). What the mint flow
/// ([`MintWithWallet::send`](crate::web3::MintWithWallet::send)) does about each is said on
/// its variant: a token Venice would no longer accept is replaced by a fresh one, once
/// ([`WALLET_TOKEN_REFRESHES`](crate::defaults::WALLET_TOKEN_REFRESHES)); a verification that
/// failed on Venice's side is sent again with backoff; anything else comes back to the caller,
/// since sending the same proof again cannot succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WalletRejection {
    /// `Invalid wallet address`: the address sent is not an EVM address. Not retried.
    InvalidAddress,
    /// `JWT has expired`: the token is older than its 15 minutes. The flow fetches a fresh
    /// token, signs it and sends again.
    TokenExpired,
    /// `JWT signature is invalid`: the token is not one Venice issued (it was altered on the
    /// way). The flow fetches a fresh token, as for an expired one.
    TokenSignatureInvalid,
    /// `JWT claims are invalid`: the token's issuer or audience is wrong, so it is not the
    /// token as Venice issued it. Not retried: the flow sends tokens unaltered, so a fresh one
    /// would meet the same fate (something between client and Venice rewrites them).
    TokenClaimsInvalid,
    /// `JWT is malformed`: what was sent as the token is not a JWT. Not retried (a bug).
    TokenMalformed,
    /// `Wallet signature does not match`: the signature does not recover to the address
    /// sent (the signer signs with another key). Not retried.
    SignatureMismatch,
    /// `Could not verify wallet signature`: verification failed on Venice's side, for now.
    /// The flow sends the same proof again with backoff, up to the client's `max_retries`.
    SignatureUnverified,
    /// `Wallet has no staked VVV on Base`: the wallet holds no sVVV. Not retried.
    NotStaked,
}

/// The message each rejection's error text contains, as Venice documents it.
const WALLET_MESSAGES: [(&str, WalletRejection); 8] = [
    ("Invalid wallet address", WalletRejection::InvalidAddress),
    ("JWT has expired", WalletRejection::TokenExpired),
    ("JWT signature is invalid", WalletRejection::TokenSignatureInvalid),
    ("JWT claims are invalid", WalletRejection::TokenClaimsInvalid),
    ("JWT is malformed", WalletRejection::TokenMalformed),
    ("Wallet signature does not match", WalletRejection::SignatureMismatch),
    ("Could not verify wallet signature", WalletRejection::SignatureUnverified),
    ("Wallet has no staked VVV on Base", WalletRejection::NotStaked),
];

impl fmt::Display for WalletRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WalletRejection::InvalidAddress => "invalid wallet address",
            WalletRejection::TokenExpired => "token expired",
            WalletRejection::TokenSignatureInvalid => "token not issued by Venice",
            WalletRejection::TokenClaimsInvalid => "token claims invalid",
            WalletRejection::TokenMalformed => "token malformed",
            WalletRejection::SignatureMismatch => "wallet signature does not match the address",
            WalletRejection::SignatureUnverified => "wallet signature could not be verified",
            WalletRejection::NotStaked => "wallet has no staked VVV on Base",
        })
    }
}

impl WalletRejection {
    /// The rejection a wallet-flow error text describes: the one whose documented message it
    /// contains (case aside), if any.
    pub fn from_message(message: &str) -> Option<Self> {
        let message = message.to_ascii_lowercase();
        WALLET_MESSAGES
            .iter()
            .find(|(documented, _)| message.contains(documented.to_ascii_lowercase().as_str()))
            .map(|(_, rejection)| *rejection)
    }

    /// Whether a fresh token, signed and sent, can succeed where this one was refused.
    pub(crate) fn wants_fresh_token(self) -> bool {
        matches!(self, WalletRejection::TokenExpired | WalletRejection::TokenSignatureInvalid)
    }
}

/// The operation ids whose 400 answers carry a [`WalletRejection`].
const WALLET_OPERATIONS: &[&str] = &[operations::POST_API_KEY_GENERATE_WEB3_KEY.id];

/// Why Venice refused a private-inference call (TEE attestation or an end-to-end encrypted
/// chat), from the error messages it documents. `Display` gives the message as documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TeeRejection {
    /// `TEE attestation verification failed`: the enclave's evidence did not check out.
    VerificationFailed,
    /// `Attestation nonce mismatch`: the evidence is not bound to the nonce sent.
    NonceMismatch,
    /// `Nonce must be exactly 32 bytes`: the attestation nonce was not 64 hex characters.
    NonceLength,
    /// `TDX debug mode detected`: the enclave runs in debug mode, so it can be inspected.
    DebugMode,
    /// `Failed to decrypt field`: the enclave could not decrypt a message.
    DecryptionFailed,
    /// `E2EE requires streaming`: an encrypted chat was not asked for as a stream.
    StreamingRequired,
    /// `Encrypted field is not valid hex`: a user or system message was sent unencrypted.
    NotHex,
    /// `Invalid public key`: a key in the E2EE headers is not 130 hex characters of a point.
    InvalidPublicKey,
}

impl TeeRejection {
    const ALL: [TeeRejection; 8] = [
        TeeRejection::VerificationFailed,
        TeeRejection::NonceMismatch,
        TeeRejection::NonceLength,
        TeeRejection::DebugMode,
        TeeRejection::DecryptionFailed,
        TeeRejection::StreamingRequired,
        TeeRejection::NotHex,
        TeeRejection::InvalidPublicKey,
    ];

    /// The message Venice documents for this refusal.
    pub fn message(self) -> &'static str {
        match self {
            TeeRejection::VerificationFailed => "TEE attestation verification failed",
            TeeRejection::NonceMismatch => "Attestation nonce mismatch",
            TeeRejection::NonceLength => "Nonce must be exactly 32 bytes",
            TeeRejection::DebugMode => "TDX debug mode detected",
            TeeRejection::DecryptionFailed => "Failed to decrypt field",
            TeeRejection::StreamingRequired => "E2EE requires streaming",
            TeeRejection::NotHex => "Encrypted field is not valid hex",
            TeeRejection::InvalidPublicKey => "Invalid public key",
        }
    }

    /// The refusal an error message states, if it holds one of the documented messages
    /// (in any case, with anything around it).
    pub fn from_message(message: &str) -> Option<Self> {
        let message = message.to_ascii_lowercase();
        Self::ALL.into_iter().find(|rejection| message.contains(&rejection.message().to_ascii_lowercase()))
    }
}

impl fmt::Display for TeeRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// The operation ids whose error answers may carry a [`TeeRejection`]: the attestation and
/// signature lookups, and chat completions, where E2EE requests go.
const TEE_OPERATIONS: &[&str] =
    &[operations::GET_TEE_ATTESTATION.id, operations::GET_TEE_SIGNATURE.id, operations::CREATE_CHAT_COMPLETION.id];

impl ApiError {
    /// Reads an error answer: status, headers and raw body, from the operation with hook id
    /// `operation_id`.
    pub(crate) fn from_answer(status: u16, headers: &HeaderMap, body: &[u8], operation_id: Option<&str>) -> Self {
        let mut parsed = ParsedBody::read(body);
        // A server may quote what it was sent, or echo a secret field: none of it is kept.
        let secrets = redact::secrets_in(body);
        if !secrets.is_empty() {
            parsed.message = parsed.message.map(|message| secrets.scrub(&message));
        }
        parsed.details.iter_mut().chain(parsed.issues.iter_mut()).for_each(redact::redact_value);
        let message = parsed.message.unwrap_or_else(|| {
            let reason =
                reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("error");
            if body.is_empty() { reason.to_owned() } else { format!("{reason} (the body is not a Venice error)") }
        });
        let wallet = (status == 400 && operation_id.is_some_and(|id| WALLET_OPERATIONS.contains(&id)))
            .then(|| WalletRejection::from_message(&message))
            .flatten()
            .map(ApiErrorKind::Wallet);
        let tee = (status >= 400 && operation_id.is_some_and(|id| TEE_OPERATIONS.contains(&id)))
            .then(|| TeeRejection::from_message(&message))
            .flatten()
            .map(ApiErrorKind::Tee);
        ApiError {
            status,
            kind: wallet.or(tee).unwrap_or_else(|| kind_of(status)),
            message,
            details: parsed.details,
            issues: parsed.issues,
            code: parsed.code,
            error_type: parsed.error_type,
            param: parsed.param,
            request_id: request_id(headers),
            rate_limits: RateLimits::from_headers(headers),
            body_excerpt: excerpt(body),
            payment_required: (status == 402).then(|| PaymentRequired::read(headers, body)).flatten(),
            headers: {
                // Its `Debug` (and so the error's) must not show a cookie or a key a server sent.
                let mut headers = headers.clone();
                redact::mark_secret_headers(&mut headers);
                headers
            },
        }
    }
}

/// The x402 payment requirements of a 402 answer, as [`ApiError::payment_required`] holds them.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PaymentRequired {
    /// The requirements, decoded.
    Requirements(Box<PaymentRequirements>),
    /// A `PAYMENT-REQUIRED` header that is not base64 of the JSON requirements: its text as
    /// sent, and why it could not be read. The error is still the server's 402.
    Undecodable {
        /// The header's value.
        raw: String,
        /// Why it could not be decoded.
        reason: String,
    },
}

/// The name of the header carrying base64 JSON x402 payment requirements on a 402.
const PAYMENT_REQUIRED_HEADER: &str = "payment-required";

impl PaymentRequired {
    /// The requirements the header carries, else those the body is made of, if either.
    fn read(headers: &HeaderMap, body: &[u8]) -> Option<Self> {
        if let Some(value) = headers.get(PAYMENT_REQUIRED_HEADER) {
            return Some(Self::decode_header(value.as_bytes()));
        }
        let value: Value = serde_json::from_slice(body).ok()?;
        if !value.get("accepts").is_some_and(Value::is_array) {
            return None;
        }
        serde_json::from_value(value).ok().map(|r| Self::Requirements(Box::new(r)))
    }

    /// Decodes a `PAYMENT-REQUIRED` header value: base64 (standard or URL-safe, padded or
    /// not) of a JSON object. Never fails: what cannot be decoded is kept as it was sent.
    pub(crate) fn decode_header(value: &[u8]) -> Self {
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
        let raw = String::from_utf8_lossy(value).into_owned();
        let text = raw.trim();
        let decoded = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD].iter().find_map(|e| e.decode(text).ok());
        let Some(json) = decoded else {
            return Self::Undecodable { raw, reason: "the header is not base64".to_owned() };
        };
        match serde_json::from_slice::<PaymentRequirements>(&json) {
            Ok(requirements) => Self::Requirements(Box::new(requirements)),
            Err(e) => Self::Undecodable { raw, reason: format!("the decoded header is not x402 requirements: {e}") },
        }
    }
}

/// What an x402 402 answer asks for: the payments accepted for the resource, one of which a
/// wallet signs and sends back (as `PAYMENT-SIGNATURE`) with the same call.
///
/// Read field by field, so that one field or option of an unexpected shape loses nothing
/// else: a field this version cannot read is kept as sent in `other` (fields the protocol adds
/// later land there too), an entry of `accepts` that is not a readable option in
/// [`unreadable_accepts`](Self::unreadable_accepts). Serializing gives back the fields as they
/// came (the readable options first).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PaymentRequirements {
    /// Version of the x402 protocol, as sent: the spec types it as any JSON number;
    /// [`version`](Self::version) reads it as a whole number.
    pub x402_version: Option<Number>,
    /// Error code for programs, when given.
    pub error: Option<String>,
    /// The resource being paid for.
    pub resource: Option<PaymentResource>,
    /// The payments accepted that this version can read; pick one and sign it.
    pub accepts: Vec<PaymentOption>,
    /// The entries of `accepts` that are not payment options this version can read (one of
    /// `scheme`, `network`, `amount`, `asset`, `payTo` missing or not text), as sent.
    pub unreadable_accepts: Vec<Value>,
    /// Protocol extensions, such as a `sign-in-with-x` challenge.
    pub extensions: Option<Map<String, Value>>,
    /// Any other field, and any of the above sent in a shape this version cannot read.
    pub other: Map<String, Value>,
}

impl PaymentRequirements {
    /// The protocol version as a whole number (`2`, also when sent as `2.0`); `None` when
    /// absent or not a whole number at least zero.
    pub fn version(&self) -> Option<u64> {
        self.x402_version.as_ref().and_then(whole_number)
    }
}

impl<'de> serde::Deserialize<'de> for PaymentRequirements {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut other = Map::<String, Value>::deserialize(deserializer)?;
        let x402_version = take(&mut other, "x402Version", |v| v.as_number().cloned());
        let error = take(&mut other, "error", |v| v.as_str().map(str::to_owned));
        let resource = take(&mut other, "resource", |v| PaymentResource::deserialize(v).ok());
        let extensions = take(&mut other, "extensions", |v| v.as_object().cloned());
        let entries = take(&mut other, "accepts", |v| v.as_array().cloned()).unwrap_or_default();
        let (mut accepts, mut unreadable_accepts) = (Vec::new(), Vec::new());
        for entry in entries {
            match PaymentOption::read(&entry) {
                Some(option) => accepts.push(option),
                None => unreadable_accepts.push(entry),
            }
        }
        Ok(PaymentRequirements { x402_version, error, resource, accepts, unreadable_accepts, extensions, other })
    }
}

impl serde::Serialize for PaymentRequirements {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(None)?;
        if let Some(version) = &self.x402_version {
            map.serialize_entry("x402Version", version)?;
        }
        if let Some(error) = &self.error {
            map.serialize_entry("error", error)?;
        }
        if let Some(resource) = &self.resource {
            map.serialize_entry("resource", resource)?;
        }
        if !self.accepts.is_empty() || !self.unreadable_accepts.is_empty() || !self.other.contains_key("accepts") {
            let options = self.accepts.iter().map(|o| serde_json::to_value(o).map_err(serde::ser::Error::custom));
            let all: Vec<Value> =
                options.chain(self.unreadable_accepts.iter().cloned().map(Ok)).collect::<Result<_, _>>()?;
            map.serialize_entry("accepts", &all)?;
        }
        if let Some(extensions) = &self.extensions {
            map.serialize_entry("extensions", extensions)?;
        }
        for (name, value) in &self.other {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Removes field `name` from `fields` when `read` can read it; a value it cannot read stays
/// in `fields` as sent.
fn take<T>(fields: &mut Map<String, Value>, name: &str, read: impl FnOnce(&Value) -> Option<T>) -> Option<T> {
    let value = read(fields.get(name)?)?;
    fields.remove(name);
    Some(value)
}

/// The resource an x402 payment is for.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[non_exhaustive]
pub struct PaymentResource {
    /// URL of the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What the resource is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Media type of the resource.
    #[serde(rename = "mimeType", default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Any other field.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One payment an x402 resource accepts.
///
/// A wallet signs one and sends it back as the `accepted` of its payment, so it serializes
/// as it came: a field of an unexpected shape (say a `maxTimeoutSeconds` in text) is kept as
/// sent in `other`, not dropped and not rewritten.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PaymentOption {
    /// Payment scheme (`exact`).
    pub scheme: String,
    /// Network to pay on, in CAIP-2 form (`eip155:8453` is Base).
    pub network: String,
    /// Amount to pay, in the token's smallest unit (`maxAmountRequired` in x402 version 1).
    pub amount: String,
    /// Address or mint of the token to pay with.
    pub asset: String,
    /// Wallet that receives the payment.
    pub pay_to: String,
    /// Longest time allowed for settlement, in seconds, as sent: the spec types it as any
    /// JSON number; [`max_timeout`](Self::max_timeout) reads it as a duration.
    pub max_timeout_seconds: Option<Number>,
    /// Network-specific extras, such as the token's EIP-712 `name` and `version`, or the fee
    /// payer on Solana.
    pub extra: Map<String, Value>,
    /// Any other field, and `maxTimeoutSeconds` or `extra` when sent in a shape this version
    /// cannot read.
    pub other: Map<String, Value>,
}

impl PaymentOption {
    /// The longest time allowed for settlement (`Duration::MAX` past what a `Duration` holds);
    /// `None` when absent, negative or not finite
    /// (fractions of a second are kept).
    pub fn max_timeout(&self) -> Option<std::time::Duration> {
        let seconds = self.max_timeout_seconds.as_ref()?.as_f64().filter(|s| *s >= 0.0)?;
        // Longer than a `Duration` holds is as good as forever.
        Some(std::time::Duration::try_from_secs_f64(seconds).unwrap_or(std::time::Duration::MAX))
    }

    /// The option `entry` describes, if it is an object with the text fields every option has.
    fn read(entry: &Value) -> Option<Self> {
        let mut other = entry.as_object()?.clone();
        let mut text = |name: &str| take(&mut other, name, |v| v.as_str().map(str::to_owned));
        let scheme = text("scheme")?;
        let network = text("network")?;
        let amount = text("amount").or_else(|| text("maxAmountRequired"))?;
        let asset = text("asset")?;
        let pay_to = text("payTo")?;
        let max_timeout_seconds = take(&mut other, "maxTimeoutSeconds", |v| v.as_number().cloned());
        let extra = take(&mut other, "extra", |v| v.as_object().cloned()).unwrap_or_default();
        Some(PaymentOption { scheme, network, amount, asset, pay_to, max_timeout_seconds, extra, other })
    }
}

impl<'de> serde::Deserialize<'de> for PaymentOption {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entry = Value::deserialize(deserializer)?;
        PaymentOption::read(&entry).ok_or_else(|| {
            serde::de::Error::custom(
                "not an x402 payment option: scheme, network, amount, asset or payTo is missing or not text",
            )
        })
    }
}

impl serde::Serialize for PaymentOption {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("scheme", &self.scheme)?;
        map.serialize_entry("network", &self.network)?;
        map.serialize_entry("amount", &self.amount)?;
        map.serialize_entry("asset", &self.asset)?;
        map.serialize_entry("payTo", &self.pay_to)?;
        if let Some(seconds) = &self.max_timeout_seconds {
            map.serialize_entry("maxTimeoutSeconds", seconds)?;
        }
        // Kept as sent in `other` when it was not an object: written once, from there.
        if !self.other.contains_key("extra") {
            map.serialize_entry("extra", &self.extra)?;
        }
        for (name, value) in &self.other {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// `number` as a whole number at least zero (`2`, `2.0`), if it is one.
fn whole_number(number: &Number) -> Option<u64> {
    number
        .as_u64()
        .or_else(|| number.as_f64().filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < u64::MAX as f64).map(|f| f as u64))
}

fn kind_of(status: u16) -> ApiErrorKind {
    match status {
        400 | 422 => ApiErrorKind::BadRequest,
        401 => ApiErrorKind::Unauthorized,
        402 => ApiErrorKind::PaymentRequired,
        403 => ApiErrorKind::Forbidden,
        404 => ApiErrorKind::NotFound,
        408 => ApiErrorKind::RequestTimeout,
        409 => ApiErrorKind::ConsentRequired,
        410 => ApiErrorKind::Gone,
        415 => ApiErrorKind::UnsupportedMediaType,
        429 => ApiErrorKind::RateLimited,
        500..=599 => ApiErrorKind::Server,
        _ => ApiErrorKind::Other,
    }
}

/// The request id header Venice sends, or Cloudflare's ray id when it is all there is.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    // Names made once, not parsed from text on every answer.
    const NAMES: [HeaderName; 2] = [HeaderName::from_static("x-request-id"), HeaderName::from_static("cf-ray")];
    NAMES.iter().find_map(|name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned))
}

/// At most [`BODY_EXCERPT_BYTES`] of `body`, as text, cut on a character boundary, with the
/// values of secret fields replaced by `[REDACTED]` (see `redact`). Only the start of the
/// body is read, so an excerpt of any body costs the same.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let shown = redact::redacted(&body[..body.len().min(BODY_EXCERPT_BYTES)]);
    let mut cut = body.len() > BODY_EXCERPT_BYTES || shown.len() > BODY_EXCERPT_BYTES;
    let mut head = &shown[..shown.len().min(BODY_EXCERPT_BYTES)];
    // A multi-byte character cut in half at the limit: leave it out rather than show U+FFFD.
    if cut && let Some(last) = head.utf8_chunks().last() {
        head = &head[..head.len() - last.invalid().len()];
    }
    let text: Cow<'_, str> = String::from_utf8_lossy(head);
    let mut text = text.into_owned();
    // Each invalid byte decodes as U+FFFD, three bytes long: keep the text within the limit too.
    if text.len() > BODY_EXCERPT_BYTES {
        let mut end = BODY_EXCERPT_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        cut = true;
    }
    if cut {
        text.push('…');
    }
    text
}

/// Why a body did not decode (as serde says it, say), cut in the middle past the excerpt limit:
/// serde quotes an offending string whole (a base64 image, a whole page), and an error message
/// must not carry a body of any size. The start (what was wrong) and the end (where) are kept.
fn bounded_reason(text: String) -> String {
    if text.len() <= BODY_EXCERPT_BYTES {
        return text;
    }
    let mut head = BODY_EXCERPT_BYTES / 2;
    while !text.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = text.len() - BODY_EXCERPT_BYTES / 4;
    while !text.is_char_boundary(tail) {
        tail += 1;
    }
    format!("{}…{}", &text[..head], &text[tail..])
}

/// The fields of the three error shapes Venice answers with:
/// `{error: "…"}`, `{error, details, issues}` and `{error: {message, type, param, code}}`.
#[derive(Default)]
struct ParsedBody {
    message: Option<String>,
    details: Option<Value>,
    issues: Vec<Value>,
    code: Option<String>,
    error_type: Option<String>,
    param: Option<String>,
}

impl ParsedBody {
    fn read(body: &[u8]) -> Self {
        let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
            return Self::default();
        };
        let text = |value: Option<&Value>| match value {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let mut parsed = ParsedBody {
            details: map.get("details").filter(|v| !v.is_null()).cloned(),
            issues: match map.get("issues") {
                Some(Value::Array(items)) => items.clone(),
                _ => Vec::new(),
            },
            ..Self::default()
        };
        match map.get("error") {
            Some(Value::Object(error)) => {
                parsed.message = text(error.get("message"));
                parsed.code = text(error.get("code"));
                parsed.error_type = text(error.get("type"));
                parsed.param = text(error.get("param"));
            }
            other => parsed.message = text(other),
        }
        parsed.message = parsed.message.or_else(|| text(map.get("message"))).or_else(|| text(map.get("customMessage")));
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> ApiError {
        ApiError::from_answer(status, &HeaderMap::new(), body.as_bytes(), None)
    }

    #[test]
    fn plain_error_shape_gives_its_message() {
        let error = answer(401, r#"{"error":"Authentication failed"}"#);
        assert_eq!(error.message, "Authentication failed");
        assert_eq!(error.kind, ApiErrorKind::Unauthorized);
    }

    #[test]
    fn validation_shape_keeps_details_and_issues() {
        let error = answer(
            400,
            r#"{"error":"Invalid request","details":{"description":{"_errors":["Required"]}},"issues":[{"path":["description"],"message":"Required"}]}"#,
        );
        assert_eq!(error.message, "Invalid request");
        assert_eq!(error.details.unwrap()["description"]["_errors"][0], "Required");
        assert_eq!(error.issues.len(), 1);
    }

    #[test]
    fn openai_shape_gives_message_type_param_and_code() {
        let error = answer(
            400,
            r#"{"error":{"message":"Unknown model","type":"invalid_request_error","param":"model","code":404}}"#,
        );
        assert_eq!(error.message, "Unknown model");
        assert_eq!(error.error_type.as_deref(), Some("invalid_request_error"));
        assert_eq!(error.param.as_deref(), Some("model"));
        assert_eq!(error.code.as_deref(), Some("404"));
    }

    #[test]
    fn an_excerpt_of_redacted_values_stays_within_the_limit() {
        let body: String =
            format!("[{}]", (0..BODY_EXCERPT_BYTES).map(|_| r#"{"key":1}"#).collect::<Vec<_>>().join(","));
        let text = excerpt(body.as_bytes());
        assert!(text.len() <= BODY_EXCERPT_BYTES + '…'.len_utf8(), "{}", text.len());
        assert!(text.ends_with('…'));
        assert!(!text.contains(":1"), "{text}");
    }

    #[test]
    fn html_body_gives_the_reason_phrase_and_an_excerpt() {
        let error = answer(502, "<html><body>Bad gateway</body></html>");
        assert_eq!(error.kind, ApiErrorKind::Server);
        assert!(error.message.starts_with("Bad Gateway"), "{}", error.message);
        assert!(error.body_excerpt.contains("<html>"));
    }

    #[test]
    fn an_error_answer_never_keeps_a_secret_field_in_its_excerpt_details_or_issues() {
        let body = br#"{"error":"Invalid request","details":{"signature":{"_errors":["0xabc123def"]}},"issues":[{"path":["token"],"token":"eyJhbGciOi.secret"}],"apiKey":"vk-echoed-1234"}"#;
        let error = answer(400, std::str::from_utf8(body).unwrap());
        let shown = format!("{error} {error:?} {}", Error::Api(Box::new(error.clone())));
        for secret in ["0xabc123def", "eyJhbGciOi.secret", "vk-echoed-1234"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(error.body_excerpt.contains(r#""apiKey":"[REDACTED]""#), "{}", error.body_excerpt);
        assert_eq!(error.issues[0]["path"][0], "token", "what is not secret is kept");
    }

    #[test]
    fn a_server_message_quoting_a_secret_of_its_answer_hides_it() {
        let error = answer(400, r#"{"error":"Key vk-echoed-1234 is revoked","key":"vk-echoed-1234"}"#);
        assert_eq!(error.message, "Key [REDACTED] is revoked");
    }

    #[test]
    fn a_decode_reason_quoting_a_secret_hides_it() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code, reason = "only decoded")]
        struct Created {
            #[serde(rename = "apiKey")]
            api_key: u64,
        }
        let body = br#"{"apiKey":"vk-created-0a1b2c3d","id":"e28e"}"#;
        let serde_error = serde_json::from_slice::<Created>(body).unwrap_err();
        assert!(serde_error.to_string().contains("vk-created-0a1b2c3d"), "serde quotes the value: {serde_error}");

        let error = Error::decode(Some(200), serde_error, body);

        let shown = format!("{error} {error:?} {error:#?}");
        assert!(!shown.contains("vk-created"), "{shown}");
        assert!(shown.contains("[REDACTED]"), "{shown}");
    }

    #[test]
    fn excerpt_is_bounded_and_cut_on_a_character_boundary() {
        let body = "é".repeat(BODY_EXCERPT_BYTES);
        let text = excerpt(body.as_bytes());
        assert!(text.len() <= BODY_EXCERPT_BYTES + '…'.len_utf8());
        assert!(text.ends_with('…'));
        assert!(!text.contains('\u{FFFD}'));
    }

    /// Each documented message, verbatim, and the rejection it means.
    const DOCUMENTED: [(&str, WalletRejection); 8] = [
        ("Invalid wallet address", WalletRejection::InvalidAddress),
        ("JWT has expired", WalletRejection::TokenExpired),
        ("JWT signature is invalid", WalletRejection::TokenSignatureInvalid),
        ("JWT claims are invalid", WalletRejection::TokenClaimsInvalid),
        ("JWT is malformed", WalletRejection::TokenMalformed),
        ("Wallet signature does not match", WalletRejection::SignatureMismatch),
        ("Could not verify wallet signature", WalletRejection::SignatureUnverified),
        ("Wallet has no staked VVV on Base", WalletRejection::NotStaked),
    ];

    #[test]
    fn each_documented_wallet_message_maps_to_its_rejection() {
        for (message, rejection) in DOCUMENTED {
            assert_eq!(WalletRejection::from_message(message), Some(rejection), "{message}");
        }
    }

    #[test]
    fn a_wallet_message_is_recognised_inside_a_longer_error_text_and_in_any_case() {
        assert_eq!(
            WalletRejection::from_message("Failed to generate API key: JWT has expired"),
            Some(WalletRejection::TokenExpired)
        );
        assert_eq!(
            WalletRejection::from_message("COULD NOT VERIFY WALLET SIGNATURE. Please retry."),
            Some(WalletRejection::SignatureUnverified)
        );
    }

    #[test]
    fn text_that_contains_no_documented_message_is_no_wallet_rejection() {
        for message in ["Something else entirely", "Token expired", "Invalid signature", "", "JWT"] {
            assert_eq!(WalletRejection::from_message(message), None, "{message}");
        }
    }

    #[test]
    fn only_an_expired_or_foreign_token_asks_for_a_fresh_one() {
        for (message, rejection) in DOCUMENTED {
            let expected = message == "JWT has expired" || message == "JWT signature is invalid";
            assert_eq!(rejection.wants_fresh_token(), expected, "{message}");
        }
    }

    #[test]
    fn venices_documented_tee_messages_map_to_their_rejections() {
        for rejection in TeeRejection::ALL {
            assert_eq!(TeeRejection::from_message(rejection.message()), Some(rejection));
            let wrapped = format!("Error: {}.", rejection.message().to_ascii_uppercase());
            assert_eq!(TeeRejection::from_message(&wrapped), Some(rejection), "{wrapped}");
        }
        assert_eq!(TeeRejection::from_message("Model not found"), None);
    }

    #[test]
    fn tee_rejections_apply_only_to_the_private_inference_operations() {
        let body = br#"{"error":"Invalid public key"}"#;
        let tee = ApiError::from_answer(400, &HeaderMap::new(), body, Some("create_chat_completion"));
        let other = ApiError::from_answer(400, &HeaderMap::new(), body, Some("top_up_x402_balance"));
        assert_eq!(tee.kind, ApiErrorKind::Tee(TeeRejection::InvalidPublicKey));
        assert_eq!(other.kind, ApiErrorKind::BadRequest);
        let nonce = ApiError::from_answer(
            502,
            &HeaderMap::new(),
            br#"{"error":"Nonce must be exactly 32 bytes"}"#,
            Some("get_tee_attestation"),
        );
        assert_eq!(nonce.kind, ApiErrorKind::Tee(TeeRejection::NonceLength));
        assert!(Error::Api(Box::new(nonce)).is_retryable(), "a 502 stays retryable");
    }

    #[test]
    fn wallet_rejections_apply_only_to_the_wallet_operation() {
        let body = br#"{"error":"JWT has expired"}"#;
        let wallet = ApiError::from_answer(400, &HeaderMap::new(), body, Some("post_api_key_generate_web3_key"));
        let other = ApiError::from_answer(400, &HeaderMap::new(), body, Some("create_api_key"));
        assert_eq!(wallet.kind, ApiErrorKind::Wallet(WalletRejection::TokenExpired));
        assert_eq!(other.kind, ApiErrorKind::BadRequest);
    }

    /// Base64 of the x402 requirements a Venice 402 carries in `PAYMENT-REQUIRED`.
    fn requirements_header() -> String {
        use base64::engine::general_purpose::STANDARD;
        let json = serde_json::json!({
            "x402Version": 2,
            "error": "payment_required",
            "resource": {"url": "https://api.venice.ai/api/v1/augment/search", "description": "Web search", "mimeType": "application/json"},
            "accepts": [{
                "scheme": "exact",
                "network": "eip155:8453",
                "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
                "amount": "10000",
                "payTo": "0x45b73055f3adcc4577bb709db10b19d11b5c94ee",
                "maxTimeoutSeconds": 300.0,
                "extra": {"name": "USD Coin", "version": "2"},
                "futureField": true
            }],
            "extensions": {"sign-in-with-x": {"nonce": "n-1"}},
            "somethingNew": 1
        });
        STANDARD.encode(json.to_string())
    }

    fn payment_answer(header: &str) -> ApiError {
        let mut headers = HeaderMap::new();
        headers.insert("PAYMENT-REQUIRED", header.parse().unwrap());
        ApiError::from_answer(402, &headers, br#"{"error":"Payment required"}"#, Some("web_search"))
    }

    #[test]
    fn a_payment_required_header_is_decoded_into_requirements() {
        let error = payment_answer(&requirements_header());
        assert_eq!(error.kind, ApiErrorKind::PaymentRequired);
        assert_eq!(error.message, "Payment required");
        let requirements = error.payment_requirements().expect("decoded requirements");
        assert_eq!(requirements.version(), Some(2));
        assert_eq!(requirements.resource.as_ref().unwrap().mime_type.as_deref(), Some("application/json"));
        let option = &requirements.accepts[0];
        assert_eq!(
            (option.scheme.as_str(), option.network.as_str(), option.amount.as_str()),
            ("exact", "eip155:8453", "10000")
        );
        assert_eq!(option.pay_to, "0x45b73055f3adcc4577bb709db10b19d11b5c94ee");
        assert_eq!(option.max_timeout(), Some(std::time::Duration::from_secs(300)));
        assert_eq!(option.extra["name"], "USD Coin");
        assert_eq!(option.other["futureField"], true);
        assert_eq!(requirements.other["somethingNew"], 1);
        assert!(requirements.extensions.as_ref().unwrap().contains_key("sign-in-with-x"));
    }

    #[test]
    fn a_payment_required_header_in_url_safe_base64_without_padding_is_decoded() {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let standard = requirements_header();
        let url_safe = URL_SAFE_NO_PAD.encode(STANDARD.decode(&standard).unwrap());
        assert!(payment_answer(&url_safe).payment_requirements().is_some());
    }

    #[test]
    fn a_payment_required_header_that_is_not_base64_is_kept_raw() {
        let error = payment_answer("not base64 at all!");
        assert_eq!(error.kind, ApiErrorKind::PaymentRequired);
        assert_eq!(error.payment_requirements(), None);
        match error.payment_required {
            Some(PaymentRequired::Undecodable { raw, reason }) => {
                assert_eq!(raw, "not base64 at all!");
                assert!(reason.contains("base64"), "{reason}");
            }
            other => panic!("expected the raw header, got {other:?}"),
        }
    }

    #[test]
    fn a_payment_required_header_that_is_not_json_is_kept_raw() {
        use base64::engine::general_purpose::STANDARD;
        let header = STANDARD.encode("{not json");
        let error = payment_answer(&header);
        match error.payment_required {
            Some(PaymentRequired::Undecodable { raw, reason }) => {
                assert_eq!(raw, header);
                assert!(reason.contains("not x402 requirements"), "{reason}");
            }
            other => panic!("expected the raw header, got {other:?}"),
        }
        assert_eq!(error.message, "Payment required");
    }

    #[test]
    fn a_402_body_made_of_requirements_is_decoded_without_the_header() {
        let body = br#"{"x402Version":2.0,"accepts":[{"scheme":"exact","network":"solana","asset":"EPjF","amount":"1000000","payTo":"9xQe","maxTimeoutSeconds":60}]}"#;
        let error = ApiError::from_answer(402, &HeaderMap::new(), body, Some("top_up_x402_balance"));
        let requirements = error.payment_requirements().expect("requirements from the body");
        assert_eq!(requirements.version(), Some(2));
        assert_eq!(requirements.accepts[0].network, "solana");
    }

    /// A Base option as the facts describe one (USDC on Base, $5 in base units).
    fn base_option() -> Value {
        serde_json::json!({
            "scheme": "exact",
            "network": "eip155:8453",
            "amount": "5000000",
            "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
            "payTo": "0x45b73055f3adcc4577bb709db10b19d11b5c94ee",
            "maxTimeoutSeconds": 300,
            "extra": {"name": "USD Coin", "version": "2"}
        })
    }

    /// A Solana option as the published spec's example shows one.
    fn solana_option() -> Value {
        serde_json::json!({
            "scheme": "exact",
            "network": "solana",
            "asset": "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
            "amount": "10000000",
            "payTo": "8qUL23aSj7mDWdoLMXGHFvnVCT9wd7jXcysiekroADEL",
            "maxTimeoutSeconds": 300,
            "extra": {"feePayer": "BFK9TLC3edb13K6v4YyH3DwPb5DSUpkWvb7XnqCL9b4F"}
        })
    }

    fn requirements(json: Value) -> PaymentRequirements {
        serde_json::from_value(json).expect("requirements decode")
    }

    #[test]
    fn the_payment_required_body_of_the_published_spec_decodes_whole() {
        let body = serde_json::json!({
            "x402Version": 2,
            "error": "Payment required",
            "resource": {"url": "https://api.venice.ai/api/v1/chat/completions", "description": "Venice API", "mimeType": "application/json"},
            "accepts": [base_option(), solana_option()],
            "extensions": {"sign-in-with-x": {"nonce": "a1b2c3d4e5f60718"}},
            "authOptions": {
                "apiKey": {"header": "Authorization: Bearer YOUR_API_KEY", "getKey": "https://venice.ai/settings/api", "docs": "https://docs.venice.ai/api-reference"},
                "x402Wallet": {"header": "SIGN-IN-WITH-X", "legacyHeader": "X-Sign-In-With-X", "topUp": "POST /api/v1/x402/top-up", "docs": "https://docs.venice.ai/api-reference/endpoint/x402/top-up"}
            }
        });
        let read = requirements(body.clone());
        assert_eq!(read.version(), Some(2));
        assert_eq!(read.accepts.len(), 2);
        assert!(read.unreadable_accepts.is_empty());
        assert_eq!(read.other["authOptions"]["x402Wallet"]["header"], "SIGN-IN-WITH-X");
        assert_eq!(serde_json::to_value(&read).unwrap(), body, "serializes back as it came");
    }

    #[test]
    fn a_version_and_a_timeout_are_read_from_any_json_number_and_kept_as_sent() {
        let mut option = base_option();
        option["maxTimeoutSeconds"] = serde_json::json!(90.5);
        let read = requirements(serde_json::json!({"x402Version": 2.0, "accepts": [option.clone()]}));
        assert_eq!(read.version(), Some(2));
        assert_eq!(read.accepts[0].max_timeout(), Some(std::time::Duration::from_millis(90_500)));
        assert_eq!(serde_json::to_value(&read.accepts[0]).unwrap(), option, "the option signed is the one sent");
    }

    #[test]
    fn numbers_that_are_no_version_or_timeout_read_as_none_or_forever_and_lose_nothing() {
        let forever = Some(std::time::Duration::MAX);
        for (version, timeout, read_as) in [(-1.0, -5.0, None), (2.5, 1e300, forever), (1e30, f64::MAX, forever)] {
            let mut option = base_option();
            option["maxTimeoutSeconds"] = serde_json::json!(timeout);
            let read = requirements(serde_json::json!({"x402Version": version, "accepts": [option]}));
            assert_eq!(read.version(), None, "{version}");
            assert_eq!(read.accepts[0].max_timeout(), read_as, "{timeout}");
            assert_eq!(read.accepts.len(), 1);
        }
    }

    #[test]
    fn one_unreadable_option_does_not_lose_the_others() {
        let mut no_amount = base_option();
        no_amount.as_object_mut().unwrap().remove("amount");
        let mut numeric_pay_to = solana_option();
        numeric_pay_to["payTo"] = serde_json::json!(42);
        let read = requirements(serde_json::json!({
            "x402Version": 2,
            "accepts": [no_amount.clone(), base_option(), null, numeric_pay_to.clone(), solana_option()]
        }));
        let networks: Vec<_> = read.accepts.iter().map(|o| o.network.as_str()).collect();
        assert_eq!(networks, ["eip155:8453", "solana"]);
        assert_eq!(read.unreadable_accepts, [no_amount, Value::Null, numeric_pay_to]);
    }

    #[test]
    fn a_field_of_an_unexpected_shape_is_kept_as_sent_and_the_option_still_reads() {
        let mut option = base_option();
        option["maxTimeoutSeconds"] = serde_json::json!("300");
        option["extra"] = serde_json::json!("USD Coin v2");
        let read =
            requirements(serde_json::json!({"x402Version": "2", "resource": "chat", "accepts": [option.clone()]}));
        let read_option = &read.accepts[0];
        assert_eq!((read_option.max_timeout_seconds.as_ref(), read_option.max_timeout()), (None, None));
        assert_eq!(read_option.other["maxTimeoutSeconds"], "300");
        assert_eq!(serde_json::to_value(read_option).unwrap(), option, "nothing dropped or written twice");
        assert_eq!((read.version(), read.resource.as_ref()), (None, None));
        assert_eq!(
            (&read.other["x402Version"], &read.other["resource"]),
            (&serde_json::json!("2"), &serde_json::json!("chat"))
        );
    }

    #[test]
    fn requirements_with_an_accepts_that_is_no_list_keep_it_as_sent() {
        let read = requirements(serde_json::json!({"x402Version": 2, "accepts": {"scheme": "exact"}}));
        assert!(read.accepts.is_empty());
        assert_eq!(read.other["accepts"]["scheme"], "exact");
        assert_eq!(serde_json::to_value(&read).unwrap()["accepts"]["scheme"], "exact");
    }

    #[test]
    fn a_402_without_requirements_has_none() {
        let error = answer(402, r#"{"error":"Insufficient balance"}"#);
        assert_eq!(error.kind, ApiErrorKind::PaymentRequired);
        assert_eq!(error.payment_required, None);
    }

    #[test]
    fn the_header_is_read_only_on_a_402() {
        let mut headers = HeaderMap::new();
        headers.insert("payment-required", requirements_header().parse().unwrap());
        let error = ApiError::from_answer(400, &headers, b"{}", None);
        assert_eq!(error.payment_required, None);
    }

    #[test]
    fn a_consent_conflict_keeps_its_message_and_code() {
        let error = answer(409, r#"{"error":{"code":"needs_consent","message":"Accept the model's terms first"}}"#);
        assert_eq!(error.kind, ApiErrorKind::ConsentRequired);
        assert_eq!(error.message, "Accept the model's terms first");
        assert_eq!(error.code.as_deref(), Some("needs_consent"));
    }

    #[test]
    fn a_retired_operation_is_gone() {
        let error = answer(410, r#"{"error":"This endpoint was retired; use GET /api/v1/billing/usage-history"}"#);
        assert_eq!(error.kind, ApiErrorKind::Gone);
        assert!(error.message.contains("usage-history"));
    }

    #[test]
    fn display_names_status_kind_message_and_request_id() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "abc123".parse().unwrap());
        let error = ApiError::from_answer(429, &headers, br#"{"error":"Slow down"}"#, None);
        assert_eq!(error.to_string(), "Venice API error 429 (rate limited): Slow down [request id abc123]");
    }
}

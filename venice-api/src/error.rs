//! The one error type of the crate, and how answers and failures become it.
//!
//! [`Error`] is what every call returns. Match on its variants for the broad cause (the
//! server said no, the network failed, the answer made no sense, the arguments were refused
//! before sending), and on [`ApiError::kind`] for what the server said. Neither reqwest nor
//! progenitor types appear here, so upgrading either is not a breaking change.

use std::borrow::Cow;
use std::fmt;

use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::defaults::BODY_EXCERPT_BYTES;
use crate::rate_limit::RateLimits;
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
    Decode {
        /// The status of the answer, when known.
        status: Option<u16>,
        /// Why it could not be decoded.
        reason: String,
        /// The start of the body, at most [`BODY_EXCERPT_BYTES`] bytes.
        excerpt: String,
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
    /// A wallet signer failed in the wallet key flow.
    #[error(transparent)]
    Signer(#[from] SignerError),
    /// Writing a downloaded body (to a file or writer) failed.
    #[error("could not write the answer: {0}")]
    Io(#[from] std::io::Error),
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

    /// Why the wallet flow was refused, when it was.
    pub fn wallet_rejection(&self) -> Option<WalletRejection> {
        match self.api()?.kind {
            ApiErrorKind::Wallet(rejection) => Some(rejection),
            _ => None,
        }
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
    /// The `details` of a validation error (field name to problems), when present.
    pub details: Option<Value>,
    /// The `issues` of a validation error, when present.
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
    /// The start of the body, at most [`BODY_EXCERPT_BYTES`] bytes.
    pub body_excerpt: String,
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
            ApiErrorKind::UnsupportedMediaType => "unsupported media type",
            ApiErrorKind::RateLimited => "rate limited",
            ApiErrorKind::Server => "server error",
            ApiErrorKind::Stream => "error in the stream",
            ApiErrorKind::Wallet(rejection) => return write!(f, "wallet rejected: {rejection}"),
            ApiErrorKind::Other => "error",
        };
        f.write_str(text)
    }
}

/// Why Venice refused a wallet-signed key request (a 400 of `POST /api_keys/generate_web3_key`).
///
/// Venice says why in the error message; the published spec lists the reasons but not their
/// exact wording, so the message is matched on its key words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WalletRejection {
    /// The address is not a valid Ethereum address.
    InvalidAddress,
    /// The token is older than its 15 minutes; the flow fetches a fresh one once by itself.
    TokenExpired,
    /// The token's own signature (Venice's) does not check out.
    TokenSignatureInvalid,
    /// The token's claims are not what Venice issued.
    TokenClaimsInvalid,
    /// The token is not a well-formed JWT.
    TokenMalformed,
    /// The wallet signature does not recover to the address sent.
    SignatureMismatch,
    /// Venice could not verify the signature this time; retried with backoff by the flow.
    SignatureUnverified,
    /// The wallet holds no staked VVV.
    NotStaked,
}

impl fmt::Display for WalletRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WalletRejection::InvalidAddress => "invalid wallet address",
            WalletRejection::TokenExpired => "token expired",
            WalletRejection::TokenSignatureInvalid => "token signature invalid",
            WalletRejection::TokenClaimsInvalid => "token claims invalid",
            WalletRejection::TokenMalformed => "token malformed",
            WalletRejection::SignatureMismatch => "wallet signature does not match the address",
            WalletRejection::SignatureUnverified => "wallet signature could not be verified",
            WalletRejection::NotStaked => "wallet has no staked VVV",
        })
    }
}

impl WalletRejection {
    /// The rejection a wallet-flow error message describes, if it is one of the documented ones.
    pub fn from_message(message: &str) -> Option<Self> {
        let m = message.to_ascii_lowercase();
        let has = |word: &str| m.contains(word);
        if has("stake") || has("staking") || has("svvv") {
            return Some(WalletRejection::NotStaked);
        }
        if has("token") {
            return if has("expired") {
                Some(WalletRejection::TokenExpired)
            } else if has("claim") {
                Some(WalletRejection::TokenClaimsInvalid)
            } else if has("malformed") || has("format") {
                Some(WalletRejection::TokenMalformed)
            } else if has("signature") {
                Some(WalletRejection::TokenSignatureInvalid)
            } else {
                None
            };
        }
        if has("could not be verified") || has("could not verify") || has("unable to verify") {
            return Some(WalletRejection::SignatureUnverified);
        }
        if has("signature") && (has("match") || has("invalid") || has("recover")) {
            return Some(WalletRejection::SignatureMismatch);
        }
        if has("address") {
            return Some(WalletRejection::InvalidAddress);
        }
        None
    }
}

/// The operation ids whose 400 answers carry a [`WalletRejection`].
const WALLET_OPERATIONS: &[&str] = &["post_api_key_generate_web3_key"];

impl ApiError {
    /// Reads an error answer: status, headers and raw body, from the operation with hook id
    /// `operation_id`.
    pub(crate) fn from_answer(status: u16, headers: &HeaderMap, body: &[u8], operation_id: Option<&str>) -> Self {
        let parsed = ParsedBody::read(body);
        let message = parsed.message.unwrap_or_else(|| {
            let reason =
                reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("error");
            if body.is_empty() { reason.to_owned() } else { format!("{reason} (the body is not a Venice error)") }
        });
        let wallet = (status == 400 && operation_id.is_some_and(|id| WALLET_OPERATIONS.contains(&id)))
            .then(|| WalletRejection::from_message(&message))
            .flatten();
        ApiError {
            status,
            kind: wallet.map_or_else(|| kind_of(status), ApiErrorKind::Wallet),
            message,
            details: parsed.details,
            issues: parsed.issues,
            code: parsed.code,
            error_type: parsed.error_type,
            param: parsed.param,
            request_id: request_id(headers),
            rate_limits: RateLimits::from_headers(headers),
            body_excerpt: excerpt(body),
        }
    }
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
        415 => ApiErrorKind::UnsupportedMediaType,
        429 => ApiErrorKind::RateLimited,
        500..=599 => ApiErrorKind::Server,
        _ => ApiErrorKind::Other,
    }
}

/// The request id header Venice sends, or Cloudflare's ray id when it is all there is.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    ["x-request-id", "cf-ray"]
        .iter()
        .find_map(|name| headers.get(*name).and_then(|v| v.to_str().ok()).map(str::to_owned))
}

/// At most [`BODY_EXCERPT_BYTES`] of `body`, as text, cut on a character boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text: Cow<'_, str> = String::from_utf8_lossy(&body[..body.len().min(BODY_EXCERPT_BYTES)]);
    let mut text = text.into_owned();
    // A multi-byte character cut in half decodes as U+FFFD at the end; drop it.
    if body.len() > BODY_EXCERPT_BYTES {
        while text.ends_with('\u{FFFD}') {
            text.pop();
        }
        text.push('…');
    }
    text
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
    fn html_body_gives_the_reason_phrase_and_an_excerpt() {
        let error = answer(502, "<html><body>Bad gateway</body></html>");
        assert_eq!(error.kind, ApiErrorKind::Server);
        assert!(error.message.starts_with("Bad Gateway"), "{}", error.message);
        assert!(error.body_excerpt.contains("<html>"));
    }

    #[test]
    fn excerpt_is_bounded_and_cut_on_a_character_boundary() {
        let body = "é".repeat(BODY_EXCERPT_BYTES);
        let text = excerpt(body.as_bytes());
        assert!(text.len() <= BODY_EXCERPT_BYTES + '…'.len_utf8());
        assert!(text.ends_with('…'));
        assert!(!text.contains('\u{FFFD}'));
    }

    #[test]
    fn wallet_messages_map_to_their_rejections() {
        let cases = [
            ("Invalid wallet address", WalletRejection::InvalidAddress),
            ("Token expired", WalletRejection::TokenExpired),
            ("Invalid token signature", WalletRejection::TokenSignatureInvalid),
            ("Invalid token claims", WalletRejection::TokenClaimsInvalid),
            ("Malformed token", WalletRejection::TokenMalformed),
            ("Wallet signature does not match the address", WalletRejection::SignatureMismatch),
            ("Signature could not be verified, please try again", WalletRejection::SignatureUnverified),
            ("Wallet does not have any staked VVV", WalletRejection::NotStaked),
        ];
        for (message, rejection) in cases {
            assert_eq!(WalletRejection::from_message(message), Some(rejection), "{message}");
        }
        assert_eq!(WalletRejection::from_message("Something else entirely"), None);
    }

    #[test]
    fn wallet_rejections_apply_only_to_the_wallet_operation() {
        let body = br#"{"error":"Token expired"}"#;
        let wallet = ApiError::from_answer(400, &HeaderMap::new(), body, Some("post_api_key_generate_web3_key"));
        let other = ApiError::from_answer(400, &HeaderMap::new(), body, Some("create_api_key"));
        assert_eq!(wallet.kind, ApiErrorKind::Wallet(WalletRejection::TokenExpired));
        assert_eq!(other.kind, ApiErrorKind::BadRequest);
    }

    #[test]
    fn display_names_status_kind_message_and_request_id() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "abc123".parse().unwrap());
        let error = ApiError::from_answer(429, &headers, br#"{"error":"Slow down"}"#, None);
        assert_eq!(error.to_string(), "Venice API error 429 (rate limited): Slow down [request id abc123]");
    }
}

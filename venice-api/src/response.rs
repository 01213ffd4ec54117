//! What a successful call returns, and where every generated call's outcome is decoded into
//! it or into an [`Error`].

use std::future::Future;
use std::ops::Deref;

use progenitor_client::{Error as GeneratedError, ResponseValue};
use reqwest::header::HeaderMap;

use venice_api_gen::headers::DeclaredHeaders;
use venice_api_gen::operation;

use crate::error::{ApiError, Error, Result, request_id};
use crate::rate_limit::RateLimits;
use crate::transport::{Exchange, observe};

/// A decoded answer with what its headers said.
///
/// Dereferences to the decoded body, so `response.data` reaches the body's `data` field.
#[derive(Clone, PartialEq)]
pub struct Response<T> {
    body: T,
    status: u16,
    rate_limits: RateLimits,
    request_id: Option<String>,
    headers: HeaderMap,
}

impl<T> Response<T> {
    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The decoded body, keeping nothing else.
    pub fn into_body(self) -> T {
        self.body
    }

    /// The HTTP status (a 2xx).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The rate-limit headers of the answer.
    pub fn rate_limits(&self) -> &RateLimits {
        &self.rate_limits
    }

    /// The request id the server gave the call, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Every header of the answer, as sent.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The response headers the spec declares (`X-Balance-Remaining`, `x-venice-is-blurred`,
    /// model deprecation, pagination, …), each typed as the spec says; a header that is absent
    /// or does not parse is `None`. Which operation's answers carry which header is in the
    /// documentation of [`DeclaredHeaders`].
    pub fn declared_headers(&self) -> DeclaredHeaders {
        DeclaredHeaders::from_headers(&self.headers)
    }

    /// The status and headers apart from the body.
    pub(crate) fn split(self) -> (Response<()>, T) {
        let Response { body, status, rate_limits, request_id, headers } = self;
        (Response { body: (), status, rate_limits, request_id, headers }, body)
    }

    /// The same response with its body changed by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        let Response { body, status, rate_limits, request_id, headers } = self;
        Response { body: f(body), status, rate_limits, request_id, headers }
    }
}

impl Response<()> {
    /// What the status and headers of an answer say, read before its body is taken; the body
    /// joins it with [`Response::map`].
    pub(crate) fn head(status: u16, headers: &HeaderMap) -> Self {
        Self::owning(status, headers.clone())
    }

    /// [`head`](Self::head) of headers the caller owns (taken from a `reqwest::Response`).
    pub(crate) fn owning(status: u16, headers: HeaderMap) -> Self {
        Response {
            body: (),
            status,
            rate_limits: RateLimits::from_headers(&headers),
            request_id: request_id(&headers),
            headers,
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Response<T> {
    // The headers without the values of secret-named ones (a cookie, a key a server echoed).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("body", &self.body)
            .field("status", &self.status)
            .field("rate_limits", &self.rate_limits)
            .field("request_id", &self.request_id)
            .field("headers", &crate::redact::ShownHeaders(&self.headers))
            .finish()
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

/// Awaits a generated call and decodes its outcome: the one place where answers become
/// [`Response`]s and failures become [`Error`]s.
///
/// A plain function returning a future rather than an `async fn`, so that the generated
/// call's future (kilobytes) is moved once, into [`observe`]'s box, and not also kept in this
/// one's state: most calls go through here.
pub(crate) fn decode<T, E, F>(call: F) -> impl Future<Output = Result<Response<T>>>
where
    F: Future<Output = std::result::Result<ResponseValue<T>, GeneratedError<E>>>,
    E: serde::Serialize,
{
    let observed = observe(call);
    async move {
        match observed.await {
            (Ok(value), _) => {
                let head = Response::head(value.status().as_u16(), value.headers());
                Ok(head.map(|()| value.into_inner()))
            }
            (Err(error), exchange) => Err(decode_error(error, exchange).await),
        }
    }
}

/// Awaits a generated call that answers with raw bytes (audio, images, CSV, or JSON the
/// generated layer could not type), decoding failures as [`decode`] does.
pub(crate) async fn decode_binary<E, F>(call: F) -> Result<crate::stream::BinaryStream>
where
    F: Future<Output = std::result::Result<ResponseValue<progenitor_client::ByteStream>, GeneratedError<E>>>,
    E: serde::Serialize,
{
    let (outcome, exchange) = observe(call).await;
    match outcome {
        Ok(value) => Ok(crate::stream::BinaryStream::from_generated(value)),
        Err(error) => Err(decode_error(error, exchange).await),
    }
}

/// Awaits a generated call typed as raw bytes whose answer was asked for as JSON (an operation
/// that answers JSON or a file, such as image generation), and decodes the body as `T`.
/// A success that is not JSON is a [`Error::Decode`].
#[cfg_attr(not(feature = "images"), allow(dead_code, reason = "only the images module calls it"))]
pub(crate) async fn decode_json_bytes<T, E, F>(call: F) -> Result<Response<T>>
where
    T: serde::de::DeserializeOwned,
    F: Future<Output = std::result::Result<ResponseValue<progenitor_client::ByteStream>, GeneratedError<E>>>,
    E: serde::Serialize,
{
    use futures_util::TryStreamExt;

    let (outcome, exchange) = observe(call).await;
    let value = match outcome {
        Ok(value) => value,
        Err(error) => return Err(decode_error(error, exchange).await),
    };
    let status = value.status().as_u16();
    let head = Response::head(status, value.headers());
    let media =
        value.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let body: Vec<u8> = value
        .into_inner()
        .into_inner()
        .try_fold(Vec::new(), |mut body, chunk| async move {
            body.extend_from_slice(&chunk);
            Ok(body)
        })
        .await
        .map_err(Error::from_reqwest)?;
    if !media.is_empty() && !media.to_ascii_lowercase().contains("json") {
        return Err(Error::decode(Some(status), format_args!("expected a JSON answer, got {media}"), &body));
    }
    let value = serde_json::from_slice(&body).map_err(|e| Error::decode(Some(status), e, &body))?;
    Ok(head.map(|()| value))
}

/// A generated call's raw-bytes answer: read whole when `buffer` says so from its content
/// type (a JSON status, a short text), otherwise left to stream (a file).
#[cfg(any(feature = "audio", feature = "video"))]
pub(crate) enum RawBody {
    /// The whole body, with what its headers said.
    Whole(Response<bytes::Bytes>),
    /// The body, not yet read.
    Stream(crate::stream::BinaryStream),
}

/// Awaits a generated call that answers with raw bytes and reads the body whole when
/// `buffer(content_type)` is true (for answers that are JSON or a file depending on the job's
/// state), decoding failures as [`decode`] does.
#[cfg(any(feature = "audio", feature = "video"))]
pub(crate) async fn decode_raw<E, F>(call: F, buffer: impl FnOnce(Option<&str>) -> bool) -> Result<RawBody>
where
    F: Future<Output = std::result::Result<ResponseValue<progenitor_client::ByteStream>, GeneratedError<E>>>,
    E: serde::Serialize,
{
    let (outcome, exchange) = observe(call).await;
    let value = match outcome {
        Ok(value) => value,
        Err(error) => return Err(decode_error(error, exchange).await),
    };
    let content_type = value.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if !buffer(content_type) {
        return Ok(RawBody::Stream(crate::stream::BinaryStream::from_generated(value)));
    }
    let head = Response::head(value.status().as_u16(), value.headers());
    let mut chunks = value.into_inner().into_inner();
    let mut body = Vec::new();
    while let Some(chunk) = futures_util::StreamExt::next(&mut chunks).await {
        body.extend_from_slice(&chunk.map_err(Error::from_reqwest)?);
    }
    Ok(RawBody::Whole(head.map(|()| body.into())))
}

async fn decode_error<E: serde::Serialize>(error: GeneratedError<E>, mut exchange: Option<Exchange>) -> Error {
    if let Some(refusal) = exchange.as_mut().and_then(|x| x.refusal.take()) {
        return refusal.into();
    }
    let operation_id = exchange.as_ref().map(|x| x.operation_id);
    match error {
        GeneratedError::InvalidRequest(reason) => Error::invalid("request", reason),
        GeneratedError::CommunicationError(e)
        | GeneratedError::InvalidUpgrade(e)
        | GeneratedError::ResponseBodyError(e) => Error::from_reqwest(e),
        GeneratedError::ErrorResponse(value) => {
            let (status, headers) = (value.status().as_u16(), value.headers().clone());
            let body = serde_json::to_vec(&value.into_inner()).unwrap_or_default();
            api_error(status, &headers, &body, operation_id)
        }
        // A documented status whose body did not match its schema. For an error status that is
        // still the server's refusal (an OpenAI-style body, an HTML page from a proxy).
        GeneratedError::InvalidResponsePayload(body, source) => match exchange {
            Some(x) if !(200..300).contains(&x.status) => api_error(x.status, &x.headers, &body, operation_id),
            Some(x) => undecodable_success(x.status, &x.headers, source, &body, x.operation_id),
            None => Error::decode(None, source, &body),
        },
        GeneratedError::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = match response.bytes().await {
                Ok(body) => body,
                Err(e) => return Error::from_reqwest(e),
            };
            if (200..300).contains(&status) {
                let reason = "the API description lists no such success status for this operation";
                match operation_id {
                    Some(id) => undecodable_success(status, &headers, reason, &body, id),
                    None => Error::decode(Some(status), reason, &body),
                }
            } else {
                api_error(status, &headers, &body, operation_id)
            }
        }
        GeneratedError::Custom(message) => Error::Transport { message: message.clone(), source: message.into() },
    }
}

/// An answer the facade asked for itself (see `Client::send_built`): a success is handed
/// back to be read; an error status is read (at most [`ERROR_BODY_LIMIT`] bytes) into
/// [`Error::Api`].
pub(crate) async fn checked(
    result: std::result::Result<reqwest::Response, crate::transport::SendError>,
    operation_id: &str,
) -> Result<reqwest::Response> {
    let mut response = result?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(response);
    }
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while body.len() < ERROR_BODY_LIMIT {
        match response.chunk().await.map_err(Error::from_reqwest)? {
            Some(chunk) => body.extend_from_slice(&chunk),
            None => break,
        }
    }
    Err(api_error(status, &headers, &body, Some(operation_id)))
}

/// Reads a JSON answer the facade asked for itself into a [`Response`].
pub(crate) async fn json<T: serde::de::DeserializeOwned>(mut response: reqwest::Response) -> Result<Response<T>> {
    let status = response.status().as_u16();
    let head = Response::owning(status, std::mem::take(response.headers_mut()));
    let body = response.bytes().await.map_err(Error::from_reqwest)?;
    let value = serde_json::from_slice(&body).map_err(|e| Error::decode(Some(status), e, &body))?;
    Ok(head.map(|()| value))
}

/// Reads a text answer the facade asked for itself (CSV, plain text) into a [`Response`].
#[cfg_attr(
    not(any(feature = "billing", feature = "augment")),
    allow(dead_code, reason = "only resource modules call it")
)]
pub(crate) async fn text(mut response: reqwest::Response) -> Result<Response<String>> {
    let status = response.status().as_u16();
    let head = Response::owning(status, std::mem::take(response.headers_mut()));
    let body = response.bytes().await.map_err(Error::from_reqwest)?;
    let text = String::from_utf8(body.to_vec())
        .map_err(|e| Error::decode(Some(status), format_args!("the answer is not UTF-8 text: {e}"), &body))?;
    Ok(head.map(|()| text))
}

/// How much of an error answer is read: enough for any JSON error, not a whole HTML site.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// A success answer of `operation_id` that could not be decoded. When the operation creates
/// something, the server has made it: the whole body is kept (see [`Error::raw_body`]) so that
/// what it holds (a new key's secret) is not lost with the error.
fn undecodable_success(
    status: u16,
    headers: &HeaderMap,
    reason: impl std::fmt::Display,
    body: &[u8],
    operation_id: &str,
) -> Error {
    let error = Error::decode(Some(status), reason, body);
    if operation::find(operation_id).is_some_and(|op| op.creates_resource) {
        error.keeping_raw_body(crate::error::RawBody::new(body, Response::head(status, headers)))
    } else {
        error
    }
}

fn api_error(status: u16, headers: &HeaderMap, body: &[u8], operation_id: Option<&str>) -> Error {
    Error::Api(Box::new(ApiError::from_answer(status, headers, body, operation_id)))
}

//! Per-call settings: [`RequestOptions`], given to [`Client::with_options`](crate::Client::with_options).
//!
//! Every facade call (and every generated call through [`Client::raw`](crate::Client::raw))
//! goes through one transport, so options work the same way for all of them:
//!
//! ```no_run
//! # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
//! use std::time::Duration;
//! use venice_api::RequestOptions;
//!
//! let options = RequestOptions::new()
//!     .timeout(Duration::from_secs(5))
//!     .max_retries(0)
//!     .header("X-Trace", "abc")
//!     .body_field("a_field_the_spec_lacks", true);
//! let keys = client.with_options(options)?.api_keys().list().await?;
//! # Ok(())
//! # }
//! ```
//!
//! - `timeout` and `max_retries` replace the client's for the calls of the returned client.
//! - Headers replace the request's own header of the same name (the key is never one: set
//!   it with [`ClientBuilder::api_key`](crate::ClientBuilder::api_key)).
//! - Query parameters are added after the request's own.
//! - Body fields are merged into the JSON object the call sends, replacing a field of the same
//!   name; a call that sends no JSON object (a file upload, a `GET`) is refused before
//!   sending, naming the operation.
//! - An idempotency key goes out as the operation's `Idempotency-Key` header, the same on every
//!   retry of a call. Operations whose spec accepts one get a fresh random key per call when
//!   none is set, so that their retries cannot act twice.

use std::fmt;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Longest idempotency key Venice accepts.
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// Settings for the calls of one [`Client::with_options`](crate::Client::with_options) view.
/// Each setter replaces an earlier value of the same setting; headers, query parameters and
/// body fields add up.
#[derive(Clone, Default)]
pub struct RequestOptions {
    timeout: Option<Duration>,
    max_retries: Option<u32>,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Map<String, Value>,
    idempotency_key: Option<String>,
}

impl fmt::Debug for RequestOptions {
    // Header values may be credentials of the caller's own (a proxy's token): names only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("headers", &self.headers.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .field("query", &self.query.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .field("body", &self.body.keys().collect::<Vec<_>>())
            .field("idempotency_key", &self.idempotency_key.is_some())
            .finish()
    }
}

impl RequestOptions {
    /// No settings: calls behave as the client's.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long one attempt may take (the client's [`timeout`](crate::ClientBuilder::timeout)
    /// otherwise). Must be longer than zero.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How many times a failed request is sent again (0 turns retries off).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }

    /// A header sent with each request, replacing the request's own of the same name.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// A query parameter added to each request's URL.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// A field merged into each request's JSON body, for what the typed request does not have
    /// yet; it replaces a field of the same name.
    pub fn body_field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body.insert(name.into(), value.into());
        self
    }

    /// The idempotency key of the call (1 to 255 visible ASCII characters): the server answers
    /// a repeated key with the first call's outcome. Give each logical call its own key.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// The options merged over `base` (these win), checked and made ready for the transport.
    pub(crate) fn apply_to(
        self,
        base: Option<&Extras>,
        timeout: &mut Duration,
        max_retries: &mut u32,
    ) -> Result<Extras> {
        if let Some(value) = self.timeout {
            if value.is_zero() {
                return Err(Error::invalid("options.timeout", "must be longer than zero"));
            }
            *timeout = value;
        }
        if let Some(value) = self.max_retries {
            *max_retries = value;
        }
        let mut extras = base.cloned().unwrap_or_default();
        for (name, value) in &self.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::invalid("options.header", format!("{name:?} is not a valid header name")))?;
            if header == AUTHORIZATION {
                return Err(Error::invalid("options.header", "set the key with `ClientBuilder::api_key`"));
            }
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::invalid("options.header", format!("the value of {name:?} has characters a header cannot carry"))
            })?;
            extras.headers.insert(header, value);
        }
        for (name, value) in self.query {
            if name.is_empty() {
                return Err(Error::invalid("options.query", "a query parameter needs a name"));
            }
            extras.query.push((name, value));
        }
        extras.body.extend(self.body);
        if let Some(key) = self.idempotency_key {
            let readable =
                !key.is_empty() && key.len() <= MAX_IDEMPOTENCY_KEY && key.bytes().all(|b| b.is_ascii_graphic());
            if !readable {
                return Err(Error::invalid("options.idempotency_key", "1 to 255 visible ASCII characters"));
            }
            extras.idempotency_key = Some(
                HeaderValue::from_str(&key)
                    .map_err(|_| Error::invalid("options.idempotency_key", "1 to 255 visible ASCII characters"))?,
            );
        }
        Ok(extras)
    }
}

/// The checked options the transport adds to each request of a call.
#[derive(Debug, Clone, Default)]
pub(crate) struct Extras {
    pub(crate) headers: HeaderMap,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Map<String, Value>,
    pub(crate) idempotency_key: Option<HeaderValue>,
}

impl Extras {
    /// Adds the headers and query parameters to `request`, and merges the body fields into its
    /// JSON object body; the reason when the body is none.
    pub(crate) fn apply(&self, request: &mut reqwest::Request) -> std::result::Result<(), String> {
        for (name, value) in &self.headers {
            request.headers_mut().insert(name, value.clone());
        }
        if !self.query.is_empty() {
            let mut pairs = request.url_mut().query_pairs_mut();
            for (name, value) in &self.query {
                pairs.append_pair(name, value);
            }
        }
        if self.body.is_empty() {
            return Ok(());
        }
        let object = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .and_then(|bytes| serde_json::from_slice::<Map<String, Value>>(bytes).ok());
        let Some(mut object) = object else {
            return Err("body fields need a call that sends a JSON object; this one does not".to_owned());
        };
        for (name, value) in &self.body {
            object.insert(name.clone(), value.clone());
        }
        let bytes = serde_json::to_vec(&object).map_err(|e| e.to_string())?;
        *request.body_mut() = Some(bytes.into());
        request.headers_mut().remove(reqwest::header::CONTENT_LENGTH);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(options: RequestOptions) -> Result<Extras> {
        options.apply_to(None, &mut Duration::from_secs(60), &mut 2)
    }

    #[test]
    fn later_options_win_over_earlier_ones() {
        let (mut timeout, mut retries) = (Duration::from_secs(60), 2);
        let first =
            RequestOptions::new().header("X-A", "1").body_field("a", 1).apply_to(None, &mut timeout, &mut retries);
        let second =
            RequestOptions::new().header("x-a", "2").body_field("a", 2).max_retries(0).timeout(Duration::from_secs(1));
        let merged = second.apply_to(first.as_ref().ok(), &mut timeout, &mut retries).unwrap();
        assert_eq!(merged.headers["x-a"], "2");
        assert_eq!(merged.body["a"], 2);
        assert_eq!((timeout, retries), (Duration::from_secs(1), 0));
    }

    #[test]
    fn a_zero_timeout_is_refused() {
        assert_eq!(crate::error::refused(applied(RequestOptions::new().timeout(Duration::ZERO))), "options.timeout");
    }

    #[test]
    fn the_key_cannot_be_an_option_header() {
        assert_eq!(
            crate::error::refused(applied(RequestOptions::new().header("Authorization", "Bearer x"))),
            "options.header"
        );
    }

    #[test]
    fn headers_and_keys_a_header_cannot_carry_are_refused() {
        assert_eq!(crate::error::refused(applied(RequestOptions::new().header("bad name", "x"))), "options.header");
        assert_eq!(crate::error::refused(applied(RequestOptions::new().header("x-a", "a\nb"))), "options.header");
        for key in ["", "has space", &"k".repeat(256)] {
            assert_eq!(
                crate::error::refused(applied(RequestOptions::new().idempotency_key(key))),
                "options.idempotency_key"
            );
        }
    }

    #[test]
    fn debug_shows_header_names_but_not_their_values() {
        let shown = format!("{:?}", RequestOptions::new().header("X-Proxy-Token", "very-secret-token"));
        assert!(shown.contains("X-Proxy-Token") && !shown.contains("very-secret-token"), "{shown}");
    }

    #[test]
    fn body_fields_merge_into_a_json_object_and_refuse_anything_else() {
        let extras = applied(RequestOptions::new().body_field("extra", "x").body_field("model", "other")).unwrap();
        let client = reqwest::Client::new();
        let mut request =
            client.post("http://127.0.0.1/x").json(&serde_json::json!({"model": "m", "n": 1})).build().unwrap();
        extras.apply(&mut request).unwrap();
        let sent: Value = serde_json::from_slice(request.body().unwrap().as_bytes().unwrap()).unwrap();
        assert_eq!(sent, serde_json::json!({"model": "other", "n": 1, "extra": "x"}));
        let mut get = client.get("http://127.0.0.1/x").build().unwrap();
        assert!(extras.apply(&mut get).is_err());
    }

    #[test]
    fn query_parameters_are_added_after_the_requests_own() {
        let extras = applied(RequestOptions::new().query("b", "2 3")).unwrap();
        let mut request = reqwest::Client::new().get("http://127.0.0.1/x?a=1").build().unwrap();
        extras.apply(&mut request).unwrap();
        assert_eq!(request.url().query(), Some("a=1&b=2+3"));
    }
}

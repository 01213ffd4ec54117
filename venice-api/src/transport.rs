//! Where every request is sent: headers added, attempts made, the answer recorded.
//!
//! [`Transport`] is the [`Executor`] the generated client calls for each request, from the
//! facade and from [`Client::raw`](crate::Client::raw) alike. It adds the bearer key (for the
//! operations the spec says need it) or, on a client with a wallet and no key, a fresh wallet
//! sign-in (for the operations whose security takes one), the user agent, the default headers
//! and the [request options](crate::RequestOptions) (headers, query, body fields, an
//! idempotency key the same on every attempt); bounds each attempt by the timeout and the
//! overall deadline; asks [`RetryPolicy`] after each attempt whether to send again (a refused
//! sign-in is signed afresh once; a paid call without credit may top up, within a budget);
//! reads every answer's headers for the wallet's credit and model deprecations; and records
//! each call in a `tracing` span (operation, attempt, status, retry delay; never a header
//! value or a body).

use std::cell::RefCell;
use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use tracing::Instrument as _;
use venice_api_gen::headers::names;
use venice_api_gen::hooks::{ExecuteFuture, Executor};
use venice_api_gen::operation::{self, Auth, Operation};

use crate::error::Error;
use crate::options::Extras;
use crate::retry::{Attempt, RetryPolicy};
use crate::wallet_balance::WalletBalance;
use crate::web3::{SignInWithX, SignerError, WalletSigner};

tokio::task_local! {
    /// The last answer the transport handed to the generated code in this call.
    static EXCHANGE: RefCell<Option<Exchange>>;
}

/// The status and headers (an error's, or a creating call's) of the answer a call ended with. The generated layer drops them
/// when a body fails to decode; the facade needs them to report the status and rate limits.
#[derive(Debug)]
pub(crate) struct Exchange {
    pub(crate) operation_id: &'static str,
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    /// Why the transport refused to send the call, when it did (the generated layer then sees
    /// a builder error it cannot explain).
    pub(crate) refusal: Option<Refusal>,
}

/// Why the transport refused to send a call.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// A request option does not fit the call.
    Invalid { argument: &'static str, reason: String },
    /// The wallet could not sign the call's sign-in.
    Signer(SignerError),
    /// What the transport did for the call on its own failed (an automatic top-up).
    Failed(Box<Error>),
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Invalid { argument, reason } => Error::invalid(argument, reason),
            Refusal::Signer(error) => Error::Signer(error),
            Refusal::Failed(error) => *error,
        }
    }
}

/// What stopped a call the transport sent or refused to send.
pub(crate) enum SendError {
    Http(reqwest::Error),
    Refused(Refusal),
}

impl From<SendError> for Error {
    fn from(error: SendError) -> Self {
        match error {
            SendError::Http(error) => Error::from_reqwest(error),
            SendError::Refused(refusal) => refusal.into(),
        }
    }
}

impl From<reqwest::Error> for SendError {
    fn from(error: reqwest::Error) -> Self {
        SendError::Http(error)
    }
}

/// Runs `call` and returns its output with the last answer the transport recorded in it.
///
/// `call` is boxed here, once: a generated call's future is kilobytes (its builder, the
/// request, the transport's attempt loop), and every async layer around it would otherwise
/// hold and move its own copy (a chat completion's future was 14 KB).
pub(crate) fn observe<F: Future>(call: F) -> impl Future<Output = (F::Output, Option<Exchange>)> {
    let call = Box::pin(call);
    EXCHANGE.scope(RefCell::new(None), async move {
        let output = call.await;
        (output, EXCHANGE.with(|cell| cell.borrow_mut().take()))
    })
}

/// Sends requests for one [`Client`](crate::Client) (or one of its
/// [`with_options`](crate::Client::with_options) views).
#[derive(Clone)]
pub(crate) struct Transport {
    /// `Bearer <key>`, marked sensitive.
    pub(crate) authorization: Option<HeaderValue>,
    /// The wallet that signs in, for the operations that take a sign-in instead of the key,
    /// when the client has no key.
    pub(crate) wallet: Option<Arc<dyn WalletSigner>>,
    pub(crate) user_agent: HeaderValue,
    pub(crate) default_headers: HeaderMap,
    pub(crate) timeout: Duration,
    pub(crate) policy: RetryPolicy,
    /// Headers, query parameters, body fields and an idempotency key from request options.
    pub(crate) extras: Option<Arc<Extras>>,
    /// What the client's clones and views share: the wallet's credit, the models warned of.
    pub(crate) shared: Arc<Shared>,
    /// Buys credit when a signed-in call answers 402, within a budget.
    #[cfg(feature = "x402")]
    pub(crate) auto_top_up: Option<Arc<crate::x402::AutoTopUpState>>,
}

/// State of a client that its clones and option views share.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) wallet_balance: WalletBalance,
    /// Models whose deprecation has been logged, so that each is logged once.
    deprecations_logged: Mutex<HashSet<String>>,
}

/// At most this many deprecated models are remembered (a hostile server cannot grow it).
const MAX_DEPRECATIONS_REMEMBERED: usize = 256;

impl Executor for Transport {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> ExecuteFuture<'a> {
        Box::pin(async move {
            match self.send(client, request, operation_id).await {
                Ok(response) => Ok(response),
                Err(SendError::Http(error)) => Err(error),
                Err(SendError::Refused(refusal)) => {
                    // The generated layer can only carry a reqwest error: the refusal goes by
                    // the task-local record, where the facade reads it (`observe`).
                    let _ = EXCHANGE.try_with(|cell| {
                        *cell.borrow_mut() = Some(Exchange {
                            operation_id,
                            status: 0,
                            headers: HeaderMap::new(),
                            refusal: Some(refusal),
                        })
                    });
                    Err(builder_error(client))
                }
            }
        })
    }
}

/// A reqwest error for a request the transport refused to send: reqwest errors cannot be
/// made directly, and a request without a URL is refused by reqwest's own builder.
fn builder_error(client: &reqwest::Client) -> reqwest::Error {
    match client.get("").build() {
        Err(error) => error,
        Ok(_) => unreachable!("a request without a URL does not build"),
    }
}

impl Transport {
    /// Sends a request the generated code built; retried only while its body can be cloned.
    async fn send(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> Result<reqwest::Response, SendError> {
        let mut next = Some(request);
        let mut source = || {
            let current = next.take()?;
            // A body that cannot be cloned (a stream) can be sent only once.
            next = current.try_clone();
            Some(Ok(current))
        };
        self.attempts(client, &mut source, operation::find(operation_id), operation_id).await
    }

    /// Sends a request the facade builds itself (multipart uploads, streamed answers), built
    /// afresh by `build` for each attempt so that any body can be retried.
    pub(crate) async fn send_built(
        &self,
        client: &reqwest::Client,
        build: &(dyn Fn() -> reqwest::Result<reqwest::Request> + Sync),
        operation: &'static Operation,
    ) -> Result<reqwest::Response, SendError> {
        let mut source = || Some(build());
        self.attempts(client, &mut source, Some(operation), operation.id).await
    }

    /// The attempt loop: each request `source` gives is sent until the policy says stop or
    /// the source has no more (a body that cannot be sent twice).
    async fn attempts(
        &self,
        client: &reqwest::Client,
        source: &mut (dyn FnMut() -> Option<reqwest::Result<reqwest::Request>> + Send),
        operation: Option<&'static Operation>,
        operation_id: &'static str,
    ) -> Result<reqwest::Response, SendError> {
        let creates_resource = operation.is_some_and(|op| op.creates_resource);
        let started = Instant::now();
        let mut retries = 0;
        let mut signed_in_again = false;
        #[cfg(feature = "x402")]
        let mut topped_up = false;
        let Some(first) = source() else { return Err(SendError::Http(builder_error(client))) };
        let mut current = first?;
        // One key for every attempt of the call, so that the server can tell them apart from
        // another call.
        let idempotency = self.idempotency_key(operation, &current);
        let span = tracing::debug_span!(
            "venice_request",
            operation = operation_id,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            retry_delay_ms = tracing::field::Empty,
        );
        loop {
            self.add_headers(current.headers_mut(), operation);
            if let Some(extras) = &self.extras {
                extras.apply(&mut current).map_err(|reason| {
                    SendError::Refused(Refusal::Invalid {
                        argument: "options.body_field",
                        reason: format!("{reason} (`{}`)", operation.map_or(operation_id, |op| op.operation_id)),
                    })
                })?;
            }
            if let Some((name, value)) = &idempotency {
                current.headers_mut().insert(name.clone(), value.clone());
            }
            let signed_in = self.sign_in(current.headers_mut(), operation).await.map_err(SendError::Refused)?;
            // A streamed answer (a file, server-sent events) may rightly take longer than any
            // fixed limit; the client's read timeout bounds the silence between reads instead.
            *current.timeout_mut() = if streams_answer(operation, &current) {
                None
            } else {
                let remaining = self.policy.deadline.saturating_sub(started.elapsed());
                Some(self.timeout.min(remaining).max(Duration::from_millis(1)))
            };
            span.record("attempt", retries + 1);
            #[cfg(feature = "x402")]
            let top_up_generation = self.auto_top_up.as_ref().map(|auto| auto.generation());
            let result = client.execute(current).instrument(span.clone()).await;
            let attempt = match &result {
                Ok(response) => {
                    span.record("status", response.status().as_u16());
                    self.read_answer(response.headers());
                    Attempt::Answered { status: response.status().as_u16(), headers: response.headers() }
                }
                Err(error) => Attempt::Failed(error),
            };
            // A sign-in refused as such is signed afresh once (its nonce or time may have been
            // the trouble), at once: no other attempt is counted for it.
            let refused_sign_in = signed_in && matches!(attempt, Attempt::Answered { status: 401, .. });
            if refused_sign_in
                && !signed_in_again
                && let Some(request) = source()
            {
                signed_in_again = true;
                drop(result);
                current = request?;
                continue;
            }
            // A paid call that found the wallet's credit spent: buy more within the budget (or
            // fail saying so), then send the call once more.
            #[cfg(feature = "x402")]
            if let (Some(auto), Some(generation)) = (&self.auto_top_up, top_up_generation)
                && signed_in
                && !topped_up
                && matches!(attempt, Attempt::Answered { status: 402, .. })
                && let Some(request) = source()
            {
                drop(result);
                auto.top_up_after(generation).await.map_err(|e| SendError::Refused(Refusal::Failed(Box::new(e))))?;
                topped_up = true;
                current = request?;
                continue;
            }
            let delay = self.policy.next_delay(&attempt, creates_resource, retries, started.elapsed());
            let next = match delay {
                Some(_) => source(),
                None => None,
            };
            match (delay, next) {
                (Some(delay), Some(request)) => {
                    drop(result);
                    let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
                    span.record("retry_delay_ms", delay_ms);
                    span.in_scope(|| tracing::debug!(delay_ms, "retrying"));
                    tokio::time::sleep(delay).await;
                    retries += 1;
                    current = request?;
                }
                _ => {
                    if let Ok(response) = &result {
                        record(operation_id, response, creates_resource);
                    }
                    return Ok(result?);
                }
            }
        }
    }

    /// The idempotency key every attempt of a call carries: the caller's option, else, for an
    /// operation whose spec takes one and a request without one, a fresh random key.
    fn idempotency_key(
        &self,
        operation: Option<&Operation>,
        request: &reqwest::Request,
    ) -> Option<(HeaderName, HeaderValue)> {
        let spelled = operation.and_then(|op| op.idempotency_key_header);
        let chosen = self.extras.as_ref().and_then(|extras| extras.idempotency_key.clone());
        if chosen.is_none() && spelled.is_none() {
            // Most calls: nothing to add, and no header name to make.
            return None;
        }
        let name = HeaderName::from_bytes(spelled.unwrap_or(IDEMPOTENCY_KEY).as_bytes()).ok()?;
        if let Some(key) = chosen {
            return Some((name, key));
        }
        if request.headers().contains_key(&name) {
            return None;
        }
        let key = HeaderValue::from_str(&hex::encode(crate::web3::random_bytes::<16>().ok()?)).ok()?;
        Some((name, key))
    }

    /// Signs the wallet in for an operation that takes a sign-in instead of the key, when the
    /// client has no key (or the operation takes no key) and the request carries none yet.
    /// Returns whether it did.
    async fn sign_in(&self, headers: &mut HeaderMap, operation: Option<&Operation>) -> Result<bool, Refusal> {
        let (Some(wallet), Some(operation)) = (&self.wallet, operation) else { return Ok(false) };
        let Some(header) = operation.sign_in_header else { return Ok(false) };
        if self.authorization.is_some() && operation.auth != Auth::None {
            return Ok(false);
        }
        let Ok(name) = HeaderName::from_bytes(header.as_bytes()) else { return Ok(false) };
        if headers.contains_key(&name) {
            return Ok(false);
        }
        let sign_in = SignInWithX::sign(wallet.as_ref()).await.map_err(Refusal::Signer)?;
        let mut value = HeaderValue::from_str(sign_in.expose_header_value()).map_err(|_| Refusal::Invalid {
            argument: "wallet",
            reason: "its sign-in is no header value".to_owned(),
        })?;
        value.set_sensitive(true);
        headers.insert(name, value);
        Ok(true)
    }

    /// What every answer's headers tell the client: the wallet's credit, a model's deprecation.
    fn read_answer(&self, headers: &HeaderMap) {
        if self.wallet.is_some() {
            self.shared.wallet_balance.record_header(headers);
        }
        if let Some(warning) = headers.get(names::X_VENICE_MODEL_DEPRECATION_WARNING) {
            self.log_deprecation(warning, headers);
        }
    }

    /// Logs a model's deprecation at `warn`, once per model.
    fn log_deprecation(&self, warning: &HeaderValue, headers: &HeaderMap) {
        let text = |value: Option<&HeaderValue>| {
            value.and_then(|v| v.to_str().ok()).unwrap_or("").chars().take(200).collect::<String>()
        };
        let model = text(headers.get(names::X_VENICE_MODEL_ID));
        let Ok(mut logged) = self.shared.deprecations_logged.lock() else { return };
        if logged.contains(&model) {
            return;
        }
        if logged.len() < MAX_DEPRECATIONS_REMEMBERED {
            logged.insert(model.clone());
        }
        drop(logged);
        tracing::warn!(
            model = %model,
            warning = %text(Some(warning)),
            date = %text(headers.get(names::X_VENICE_MODEL_DEPRECATION_DATE)),
            replacement = %text(headers.get(names::X_VENICE_DEPRECATED_REPLACEMENT)),
            "Venice reports this model as deprecated"
        );
    }

    fn add_headers(&self, headers: &mut HeaderMap, operation: Option<&Operation>) {
        for (name, value) in &self.default_headers {
            headers.entry(name).or_insert_with(|| value.clone());
        }
        headers.entry(USER_AGENT).or_insert_with(|| self.user_agent.clone());
        // Operations the table does not know get the key: it is the safer guess for a call
        // that reached this client, which was built to send it.
        let sends_key = operation.is_none_or(|op| op.auth != Auth::None);
        match (&self.authorization, sends_key) {
            (Some(value), true) => {
                headers.insert(AUTHORIZATION, value.clone());
            }
            // A wallet or x402 call must not carry a key even if a default header added one.
            (_, false) => {
                headers.remove(AUTHORIZATION);
            }
            (None, true) => {}
        }
    }
}

/// The header an idempotency key goes in when the spec does not spell it.
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// Whether the answer to `request` is read as a stream: the operation says its answers are
/// raw bytes, or the request asks for server-sent events.
fn streams_answer(operation: Option<&Operation>, request: &reqwest::Request) -> bool {
    operation.is_some_and(|op| op.streams)
        || request
            .headers()
            .get(reqwest::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/event-stream"))
}

fn record(operation_id: &'static str, response: &reqwest::Response, creates_resource: bool) {
    // Only an error's headers are read from the record (rate limits, request id, payment
    // terms), and those of a creating call's success, which go with its body when it cannot be
    // decoded (`Error::raw_body`); any other success keeps them on the answer itself, so they
    // are not copied per call.
    let keep = !response.status().is_success() || creates_resource;
    let headers = if keep { response.headers().clone() } else { HeaderMap::new() };
    let exchange = Exchange { operation_id, status: response.status().as_u16(), headers, refusal: None };
    // Outside `observe` (a raw call) there is nobody to read the record.
    let _ = EXCHANGE.try_with(|cell| *cell.borrow_mut() = Some(exchange));
}

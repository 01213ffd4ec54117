//! Where every request is sent: headers added, attempts made, the answer recorded.
//!
//! [`Transport`] is the [`Executor`] the generated client calls for each request, from the
//! facade and from [`Client::raw`](crate::Client::raw) alike. It adds the bearer key (for the
//! operations the spec says need it), the user agent and the default headers, bounds each
//! attempt by the timeout and the overall deadline, and asks [`RetryPolicy`] after each
//! attempt whether to send again.

use std::cell::RefCell;
use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use venice_api_gen::hooks::{ExecuteFuture, Executor};
use venice_api_gen::operation::{self, Auth, Operation};

use crate::retry::{Attempt, RetryPolicy};

tokio::task_local! {
    /// The last answer the transport handed to the generated code in this call.
    static EXCHANGE: RefCell<Option<Exchange>>;
}

/// The status and headers (an error's, or a creating call's) of the answer a call ended with. The generated layer drops them
/// when a body fails to decode; the facade needs them to report the status and rate limits.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub(crate) operation_id: &'static str,
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
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

/// Sends requests for one [`Client`](crate::Client).
pub(crate) struct Transport {
    /// `Bearer <key>`, marked sensitive.
    pub(crate) authorization: Option<HeaderValue>,
    pub(crate) user_agent: HeaderValue,
    pub(crate) default_headers: HeaderMap,
    pub(crate) timeout: Duration,
    pub(crate) policy: RetryPolicy,
}

impl Executor for Transport {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> ExecuteFuture<'a> {
        Box::pin(self.send(client, request, operation_id))
    }
}

impl Transport {
    /// Sends a request the generated code built; retried only while its body can be cloned.
    async fn send(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let mut next = Some(request);
        let mut source = || {
            let current = next.take()?;
            // A body that cannot be cloned (a stream) can be sent only once.
            next = current.try_clone();
            Some(Ok(current))
        };
        self.attempts(client, &mut source, operation_id).await
    }

    /// Sends a request the facade builds itself (multipart uploads, streamed answers), built
    /// afresh by `build` for each attempt so that any body can be retried.
    pub(crate) async fn send_built(
        &self,
        client: &reqwest::Client,
        build: &(dyn Fn() -> reqwest::Result<reqwest::Request> + Sync),
        operation_id: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let mut source = || Some(build());
        self.attempts(client, &mut source, operation_id).await
    }

    /// The attempt loop: each request `source` gives is sent until the policy says stop or
    /// the source has no more (a body that cannot be sent twice).
    async fn attempts(
        &self,
        client: &reqwest::Client,
        source: &mut (dyn FnMut() -> Option<reqwest::Result<reqwest::Request>> + Send),
        operation_id: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let operation = operation::find(operation_id);
        let creates_resource = operation.is_some_and(|op| op.creates_resource);
        let started = Instant::now();
        let mut retries = 0;
        let mut current = source().expect("the first attempt always has a request")?;
        loop {
            self.add_headers(current.headers_mut(), operation);
            // A streamed answer (a file, server-sent events) may rightly take longer than any
            // fixed limit; the client's read timeout bounds the silence between reads instead.
            *current.timeout_mut() = if streams_answer(operation, &current) {
                None
            } else {
                let remaining = self.policy.deadline.saturating_sub(started.elapsed());
                Some(self.timeout.min(remaining).max(Duration::from_millis(1)))
            };
            let result = client.execute(current).await;
            let attempt = match &result {
                Ok(response) => Attempt::Answered { status: response.status().as_u16(), headers: response.headers() },
                Err(error) => Attempt::Failed(error),
            };
            let delay = self.policy.next_delay(&attempt, creates_resource, retries, started.elapsed());
            let next = match delay {
                Some(_) => source(),
                None => None,
            };
            match (delay, next) {
                (Some(delay), Some(request)) => {
                    drop(result);
                    tokio::time::sleep(delay).await;
                    retries += 1;
                    current = request?;
                }
                _ => {
                    if let Ok(response) = &result {
                        record(operation_id, response, creates_resource);
                    }
                    return result;
                }
            }
        }
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
    let exchange = Exchange { operation_id, status: response.status().as_u16(), headers };
    // Outside `observe` (a raw call) there is nobody to read the record.
    let _ = EXCHANGE.try_with(|cell| *cell.borrow_mut() = Some(exchange));
}

//! Where every generated call goes through the policy of whoever built the client.
//!
//! progenitor's `ClientHooks` runs `exec` for every request the generated code sends. The
//! orphan rule puts its implementation here, in the crate that owns `Client`; it delegates
//! to an [`Executor`] carried in the client's [`Inner`] value, which `venice-api` fills
//! with its retry and rate-limit policy. A client built without one sends requests as they
//! are.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, OperationInfo};

/// A boxed future that sends one request, as returned by [`Executor::execute`].
pub type ExecuteFuture<'a> = Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Sends the requests of generated calls: retries, rate limiting, extra headers.
pub trait Executor: Send + Sync + 'static {
    /// Sends `request` with `client`; `operation_id` names the generated operation.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> ExecuteFuture<'a>;
}

/// The value every generated [`Client`](crate::Client) carries: the executor, if any.
#[derive(Clone, Default)]
pub struct Inner {
    executor: Option<Arc<dyn Executor>>,
}

impl Inner {
    /// Generated calls go through `executor`.
    pub fn with_executor(executor: Arc<dyn Executor>) -> Self {
        Self { executor: Some(executor) }
    }
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner").field("executor", &self.executor.as_ref().map(|_| "custom")).finish()
    }
}

impl ClientHooks<Inner> for crate::Client {
    async fn exec(&self, request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        match &self.inner.executor {
            Some(executor) => executor.execute(&self.client, request, info.operation_id).await,
            None => self.client.execute(request).await,
        }
    }
}

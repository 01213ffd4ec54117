//! Blockchain JSON-RPC through Venice: `client.crypto_rpc()`.
//!
//! [`CryptoRpc::call`] forwards a JSON-RPC 2.0 request (or a batch of up to 100) to a node of
//! a network that [`CryptoRpc::networks`] lists, and returns the node's answer with what
//! Venice billed for it ([`RpcAnswer`]).
//!
//! # Retries and idempotency
//!
//! Venice bills each call, and some methods act (`eth_sendRawTransaction`). So that the
//! client's retries (after a timeout or a 5xx) can neither bill nor act twice, every call
//! carries an `Idempotency-Key`: the caller's ([`RpcCall::idempotency_key`]), or one the
//! client's transport makes up per call (for every operation whose spec takes one). Every attempt of the call sends the same key, and Venice answers
//! a repeat within 24 hours with the stored first answer ([`RpcAnswer::replayed`]). Set your
//! own key to make your own retries, across processes, just as safe.

use reqwest::header::HeaderMap;
use serde_json::Value;
use venice_api_gen::types::{
    CryptoRpcProxyBody, CryptoRpcProxyBodyArrayItem, CryptoRpcProxyIdempotencyKey, CryptoRpcProxyResponse, Jsonrpc,
    ListCryptoRpcNetworksResponse,
};

use venice_api_gen::operations;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::response::{self, Response};

/// The most requests one batch may hold.
const MAX_BATCH: usize = 100;

/// Blockchain JSON-RPC through Venice.
#[derive(Debug, Clone, Copy)]
pub struct CryptoRpc<'c> {
    client: &'c Client,
}

impl<'c> CryptoRpc<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// The network slugs [`call`](Self::call) accepts, sorted. Needs no API key.
    pub async fn networks(&self) -> Result<Response<ListCryptoRpcNetworksResponse>> {
        response::decode(self.client.raw().list_crypto_rpc_networks().send()).await
    }

    /// Sends `call` to a node of `network` (a slug from [`networks`](Self::networks)).
    ///
    /// A JSON-RPC error (an unknown block, a reverted call) is a success here: it is in the
    /// answer's `error`, as the node gave it. Venice's own refusals (unknown network,
    /// unsupported method, no credit) are [`Error::Api`].
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::crypto_rpc::RpcCall;
    ///
    /// let answer = client.crypto_rpc().call("ethereum-mainnet", RpcCall::new("eth_blockNumber", vec![])).await?;
    /// println!("block {:?}, {:?} credits", answer.result(), answer.credits);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn call(&self, network: &str, call: RpcCall) -> Result<Response<RpcAnswer>> {
        self.client.require_credentials("crypto_rpc().call", &operations::CRYPTO_RPC_PROXY)?;
        let network = network.trim();
        if network.is_empty() {
            return Err(Error::invalid("network", "must not be empty"));
        }
        let key = call
            .idempotency_key
            .map(|key| key.parse::<CryptoRpcProxyIdempotencyKey>())
            .transpose()
            .map_err(|_| Error::invalid("idempotency_key", "1 to 255 of A-Z, a-z, 0-9, `_` and `-`"))?;
        let body = call.body?;
        let mut request = self.client.raw().crypto_rpc_proxy().network(network).body(body);
        if let Some(key) = key {
            request = request.idempotency_key(key);
        }
        let answer = response::decode(request.send()).await?;
        let (head, body) = answer.split();
        let answer = RpcAnswer::new(body, head.headers());
        Ok(head.map(|()| answer))
    }
}

/// A JSON-RPC request, or a batch, for [`CryptoRpc::call`]; checked before anything is sent.
#[derive(Debug)]
pub struct RpcCall {
    body: Result<CryptoRpcProxyBody>,
    idempotency_key: Option<String>,
}

impl RpcCall {
    /// `method(params)`, with id 1.
    pub fn new(method: impl Into<String>, params: Vec<Value>) -> Self {
        let body = checked_method(method.into()).map(|method| CryptoRpcProxyBody::Object {
            id: Some(1.into()),
            jsonrpc: Some(Jsonrpc::X20),
            method,
            params,
        });
        Self { body, idempotency_key: None }
    }

    /// A batch of 1 to 100 `(method, params)` requests, with ids 1, 2, … in order. Venice
    /// refuses a whole batch if one method is not supported.
    pub fn batch<M: Into<String>>(requests: impl IntoIterator<Item = (M, Vec<Value>)>) -> Self {
        let items: Result<Vec<_>> = requests
            .into_iter()
            .zip(1_i64..)
            .map(|((method, params), id)| {
                checked_method(method.into()).map(|method| CryptoRpcProxyBodyArrayItem {
                    id: Some(id.into()),
                    jsonrpc: Some(Jsonrpc::X20),
                    method,
                    params,
                })
            })
            .collect();
        let body = items.and_then(|items| match items.len() {
            0 => Err(Error::invalid("requests", "a batch needs at least one request")),
            n if n > MAX_BATCH => Err(Error::invalid("requests", format!("{n} requests; at most {MAX_BATCH}"))),
            _ => Ok(CryptoRpcProxyBody::Array(items)),
        });
        Self { body, idempotency_key: None }
    }

    /// The id of a single request (default 1); a batch numbers its own.
    pub fn id(mut self, id: i64) -> Self {
        if let Ok(CryptoRpcProxyBody::Object { id: slot, .. }) = &mut self.body {
            *slot = Some(id.into());
        }
        self
    }

    /// The `Idempotency-Key` to send (1 to 255 of `A-Z a-z 0-9 _ -`): a call repeated with
    /// the same key within 24 hours gets the first answer back instead of running again.
    /// Without one, the client makes up a key per call (see the [module docs](self)).
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
}

fn checked_method(method: String) -> Result<String> {
    let method = method.trim();
    if method.is_empty() { Err(Error::invalid("method", "must not be empty")) } else { Ok(method.to_owned()) }
}

/// The node's answer to an [`RpcCall`], with what Venice billed for it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RpcAnswer {
    /// The JSON-RPC answer (an object, or an array for a batch), as the node gave it.
    pub body: CryptoRpcProxyResponse,
    /// Credits the call used (`X-Venice-RPC-Credits`).
    pub credits: Option<u64>,
    /// What the call cost, in US dollars, as Venice wrote it (`X-Venice-RPC-Cost-USD`).
    pub cost_usd: Option<String>,
    /// x402 credit left after the call, in US dollars, for wallet callers (`X-Balance-Remaining`).
    pub balance_remaining_usd: Option<String>,
    /// Whether this is the stored answer of an earlier call with the same idempotency key
    /// (`Idempotent-Replayed: true`).
    pub replayed: bool,
}

impl RpcAnswer {
    fn new(body: CryptoRpcProxyResponse, headers: &HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_owned());
        RpcAnswer {
            body,
            credits: text("x-venice-rpc-credits").and_then(|v| v.parse().ok()),
            cost_usd: text("x-venice-rpc-cost-usd"),
            balance_remaining_usd: text("x-balance-remaining"),
            replayed: text("idempotent-replayed").is_some_and(|v| v.eq_ignore_ascii_case("true")),
        }
    }

    /// The `result` of a single request's answer, when it has one (not for a batch, nor
    /// when the node answered with an `error`).
    pub fn result(&self) -> Option<&Value> {
        match &self.body {
            CryptoRpcProxyResponse::Object { result, .. } => result.as_ref(),
            CryptoRpcProxyResponse::Array(_) | CryptoRpcProxyResponse::Unknown(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(call: RpcCall) -> &'static str {
        crate::error::refused(call.body)
    }

    #[test]
    fn an_empty_method_is_refused() {
        assert_eq!(refused(RpcCall::new(" ", vec![])), "method");
    }

    #[test]
    fn a_batch_holds_1_to_100_requests() {
        assert_eq!(refused(RpcCall::batch(Vec::<(String, Vec<Value>)>::new())), "requests");
        assert_eq!(refused(RpcCall::batch((0..101).map(|_| ("eth_chainId", vec![])))), "requests");
    }
}

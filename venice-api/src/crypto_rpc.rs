//! Blockchain JSON-RPC through Venice: `client.crypto_rpc()`.

use crate::client::Client;

/// Blockchain JSON-RPC through Venice.
#[derive(Debug, Clone, Copy)]
pub struct CryptoRpc<'c> {
    #[allow(dead_code, reason = "skeleton: the resource's calls use it")]
    client: &'c Client,
}

impl<'c> CryptoRpc<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }
}

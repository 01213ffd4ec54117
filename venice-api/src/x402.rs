//! x402 wallet balances, top-ups and transactions: `client.x402()`.

use crate::client::Client;

/// x402 wallet balances, top-ups and transactions.
#[derive(Debug, Clone, Copy)]
pub struct X402<'c> {
    #[allow(dead_code, reason = "skeleton: the resource's calls use it")]
    client: &'c Client,
}

impl<'c> X402<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }
}

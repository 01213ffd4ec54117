//! Balance and usage: `client.billing()`.

use crate::client::Client;

/// Balance and usage.
#[derive(Debug, Clone, Copy)]
pub struct Billing<'c> {
    #[allow(dead_code, reason = "skeleton: the resource's calls use it")]
    client: &'c Client,
}

impl<'c> Billing<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }
}

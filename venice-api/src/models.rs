//! The model catalogue, its traits and compatibility names: `client.models()`.

use crate::client::Client;

/// The model catalogue, its traits and compatibility names.
#[derive(Debug, Clone, Copy)]
pub struct Models<'c> {
    #[allow(dead_code, reason = "skeleton: the resource's calls use it")]
    client: &'c Client,
}

impl<'c> Models<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }
}

//! Public characters and their reviews: `client.characters()`.

use crate::client::Client;

/// Public characters and their reviews.
#[derive(Debug, Clone, Copy)]
pub struct Characters<'c> {
    #[allow(dead_code, reason = "skeleton: the resource's calls use it")]
    client: &'c Client,
}

impl<'c> Characters<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }
}

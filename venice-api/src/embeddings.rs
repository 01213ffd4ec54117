//! Text embeddings: `client.embeddings()`.

use crate::client::Client;

/// Text embeddings.
#[derive(Debug, Clone, Copy)]
pub struct Embeddings<'c> {
    #[allow(dead_code, reason = "skeleton: the resource's calls use it")]
    client: &'c Client,
}

impl<'c> Embeddings<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }
}

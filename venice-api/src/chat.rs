//! Chat completions, plain and streamed: `client.chat()`.

use crate::client::Client;

/// Chat completions, plain and streamed.
#[derive(Debug, Clone, Copy)]
pub struct Chat<'c> {
    #[allow(dead_code, reason = "skeleton: the resource's calls use it")]
    client: &'c Client,
}

impl<'c> Chat<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }
}

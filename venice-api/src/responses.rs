//! The Responses API (alpha), plain and streamed: `client.responses()`.

use crate::client::Client;

/// The Responses API (alpha), plain and streamed.
#[derive(Debug, Clone, Copy)]
pub struct Responses<'c> {
    #[allow(dead_code, reason = "skeleton: the resource's calls use it")]
    client: &'c Client,
}

impl<'c> Responses<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }
}

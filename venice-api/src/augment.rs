//! Document parsing, web scraping and web search: `client.augment()`.

use crate::client::Client;

/// Document parsing, web scraping and web search.
#[derive(Debug, Clone, Copy)]
pub struct Augment<'c> {
    #[allow(dead_code, reason = "skeleton: the resource's calls use it")]
    client: &'c Client,
}

impl<'c> Augment<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }
}

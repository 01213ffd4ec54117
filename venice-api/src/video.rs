//! Video jobs (quote, queue, wait, download, clean up) and transcriptions: `client.video()`.

use crate::client::Client;

/// Video jobs (quote, queue, wait, download, clean up) and transcriptions.
#[derive(Debug, Clone, Copy)]
pub struct Video<'c> {
    #[allow(dead_code, reason = "skeleton: the resource's calls use it")]
    client: &'c Client,
}

impl<'c> Video<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }
}

//! Image generation, editing, upscaling and background removal: `client.images()`.

use crate::client::Client;

/// Image generation, editing, upscaling and background removal.
#[derive(Debug, Clone, Copy)]
pub struct Images<'c> {
    #[allow(dead_code, reason = "skeleton: the resource's calls use it")]
    client: &'c Client,
}

impl<'c> Images<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }
}

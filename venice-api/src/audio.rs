//! Speech, transcription, voice cloning and audio jobs: `client.audio()`.

use crate::client::Client;

/// Speech, transcription, voice cloning and audio jobs.
#[derive(Debug, Clone, Copy)]
pub struct Audio<'c> {
    #[allow(dead_code, reason = "skeleton: the resource's calls use it")]
    client: &'c Client,
}

impl<'c> Audio<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }
}

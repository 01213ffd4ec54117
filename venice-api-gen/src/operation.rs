//! What the spec says about each generated operation beyond its Rust signature.
//!
//! The table itself, [`OPERATIONS`](crate::operations::OPERATIONS), is generated from the
//! spec; hooks and the facade look operations up by the id progenitor hands to hooks.

/// Whether an operation sends the API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// The operation needs the bearer key.
    Required,
    /// The key is accepted but not needed (public listings).
    Optional,
    /// The key must not be sent (wallet flows, x402).
    None,
}

/// One operation of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The id progenitor passes to hooks: the operationId in snake case (`create_api_key`).
    pub id: &'static str,
    /// The operationId as the spec writes it (`createApiKey`).
    pub operation_id: &'static str,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Path template below the base URL.
    pub path: &'static str,
    /// Whether the bearer key goes with the request.
    pub auth: Auth,
    /// Whether a successful call creates something lasting (an API key, a paid job), so that
    /// repeating it after an answer that may have been acted on could create a second one.
    /// Every POST, PUT and PATCH is, unless our spec marks it `x-venice-rs-idempotent: true`.
    pub creates_resource: bool,
    /// Whether a success answer may be raw bytes (a file, audio, CSV) that the caller reads
    /// as a stream: a timeout for the whole exchange would cut a long download short, so
    /// such answers are bounded by the time between reads instead.
    pub streams: bool,
    /// Whether the generated client has the operation; `false` for those the generator
    /// excluded (multipart-only uploads), which the facade sends itself.
    pub generated: bool,
}

/// The operation with hook id `id`, if the spec has one.
pub fn find(id: &str) -> Option<&'static Operation> {
    crate::operations::OPERATIONS.iter().find(|op| op.id == id)
}

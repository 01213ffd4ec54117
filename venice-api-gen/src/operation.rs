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
    /// The header of a signed sign-in the operation accepts instead of the key (Venice's
    /// wallet sign-in, `SIGN-IN-WITH-X`), when its security offers one.
    pub sign_in_header: Option<&'static str>,
    /// The operation's `Idempotency-Key` header parameter as the spec spells it, when it has
    /// one: the server then answers a repeated key with the first call's outcome, so the call
    /// may be repeated safely with the same key.
    pub idempotency_key_header: Option<&'static str>,
    /// The response headers its answers declare (see
    /// [`DeclaredHeaders`](crate::headers::DeclaredHeaders)).
    pub response_headers: &'static [&'static str],
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

impl Operation {
    /// Whether a wallet sign-in can stand in for the API key.
    pub fn accepts_sign_in(&self) -> bool {
        self.sign_in_header.is_some()
    }

    /// The operation's URL below `base_url` (no trailing slash), for a path without
    /// parameters; `None` when the path template has any.
    pub fn url(&self, base_url: &str) -> Option<String> {
        (!self.path.contains('{')).then(|| format!("{base_url}{}", self.path))
    }
}

/// The operation with hook id `id`, if the spec has one.
pub fn find(id: &str) -> Option<&'static Operation> {
    crate::operations::OPERATIONS.iter().find(|op| op.id == id)
}

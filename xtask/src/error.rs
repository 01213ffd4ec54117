//! The one error type of the generator: a message that names the spot in the spec.

use std::fmt;

/// A failure that stops generation. Its message names the file, operation or schema path
/// involved, so a maintainer can go straight to the spot; it never carries a backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    /// An error with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }

    /// The same error, with `context` (a file, an operation) put in front of its message.
    pub fn context(self, context: impl fmt::Display) -> Self {
        Self { message: format!("{context}: {}", self.message) }
    }

    /// The message, as printed by `cargo xtask`.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Result of every fallible generator step.
pub type Result<T, E = Error> = std::result::Result<T, E>;

//! Random bytes from the operating system, for nonces that must not repeat or be guessed.

use super::signer::SignerError;

/// `N` bytes from the operating system's cryptographic generator.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], SignerError> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| SignerError::backend(format!("the system's random number generator failed: {e}")))?;
    Ok(bytes)
}

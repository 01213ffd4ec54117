//! Sign-In-With-X for an Ethereum wallet: the EIP-4361 message, its `personal_sign`, and the
//! base64 JSON envelope Venice takes in its `SIGN-IN-WITH-X` header instead of an API key.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use chrono::{DateTime, SubsecRound as _, Utc};
use secrecy::{ExposeSecret as _, SecretString};
use zeroize::Zeroizing;

use super::address::Address;
use super::random::random_bytes;
use super::signature::Signature;
use super::signer::{SignerError, WalletSigner};
use crate::defaults::{SIWX_CHAIN_ID, SIWX_DOMAIN, SIWX_LIFETIME, SIWX_STATEMENT, SIWX_URI};

/// A signed sign-in, ready to travel as the `SIGN-IN-WITH-X` header: base64 of the JSON
/// `{address, message, signature, timestamp, chainId}`, where `message` is the EIP-4361 text
/// Venice's `siwx` scheme describes (domain `api.venice.ai`, URI `https://api.venice.ai`,
/// version 1, chain 8453 (Base), a random nonce of 16 hex digits, issued now, expiring ten
/// minutes later), `signature` its EIP-191 `personal_sign`, and `timestamp` the issue time
/// in milliseconds.
///
/// Whoever holds the header can act as the wallet until it expires, so it is treated as a
/// secret: [`Debug`](fmt::Debug) shows only the address and the expiry, and the value is
/// wiped from memory when dropped. Make a fresh one for each request, as Venice's own
/// client does.
///
/// ```
/// use venice_api::web3::{LocalSigner, SignInWithX};
///
/// # async fn demo() -> Result<(), venice_api::web3::SignerError> {
/// // A well-known test key (Hardhat/Anvil account #0): never use it for funds.
/// let signer = LocalSigner::from_hex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")?;
/// let sign_in = SignInWithX::sign(&signer).await?;
/// assert_eq!(sign_in.message().domain(), "api.venice.ai");
/// assert!(!format!("{sign_in:?}").contains(sign_in.expose_header_value()));
/// # Ok(())
/// # }
/// ```
pub struct SignInWithX {
    message: SiweMessage,
    header: SecretString,
}

impl SignInWithX {
    /// A fresh sign-in by `signer`: issued now, with a random nonce.
    pub async fn sign<S: WalletSigner + ?Sized>(signer: &S) -> Result<Self, SignerError> {
        Self::sign_at(signer, Utc::now(), SiweNonce::random()?).await
    }

    /// A sign-in by `signer` issued at `issued_at` (cut to milliseconds, the precision the
    /// message and the timestamp carry) with `nonce`: what [`sign`](Self::sign) makes, with
    /// the clock and the nonce chosen by the caller (for tests, and for reproducible
    /// headers).
    pub async fn sign_at<S: WalletSigner + ?Sized>(
        signer: &S,
        issued_at: DateTime<Utc>,
        nonce: SiweNonce,
    ) -> Result<Self, SignerError> {
        let issued_at = issued_at.trunc_subsecs(3);
        let message = SiweMessage::venice(signer.address(), issued_at, nonce);
        let text = message.to_string();
        let signature = signer.sign_message(text.as_bytes()).await?;
        let envelope = Envelope {
            address: message.address,
            message: &text,
            signature,
            timestamp: issued_at.timestamp_millis(),
            chain_id: message.chain_id,
        };
        let json = Zeroizing::new(serde_json::to_vec(&envelope).expect("the envelope is plain JSON"));
        let header = base64::engine::general_purpose::STANDARD.encode(json.as_slice());
        Ok(Self { message, header: SecretString::from(header) })
    }

    /// The EIP-4361 message that was signed.
    pub fn message(&self) -> &SiweMessage {
        &self.message
    }

    /// The wallet that signed.
    pub fn address(&self) -> Address {
        self.message.address
    }

    /// When Venice stops accepting it.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.message.expiration_time().unwrap_or_else(|| self.message.issued_at())
    }

    /// The header value. It lets anyone act as the wallet until it expires: send it, never
    /// log it.
    pub fn expose_header_value(&self) -> &str {
        self.header.expose_secret()
    }
}

impl fmt::Debug for SignInWithX {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInWithX")
            .field("address", &self.message.address)
            .field("expires_at", &self.expires_at())
            .finish_non_exhaustive()
    }
}

/// The JSON the header is base64 of, its keys in the order Venice's own client writes them.
#[derive(serde::Serialize)]
struct Envelope<'a> {
    address: Address,
    message: &'a str,
    signature: Signature,
    timestamp: i64,
    #[serde(rename = "chainId")]
    chain_id: u64,
}

/// The nonce of an EIP-4361 message: at least 8 ASCII letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SiweNonce(String);

impl SiweNonce {
    /// 16 random lowercase hex digits (64 bits from the operating system's generator), the
    /// form Venice's `siwx` scheme asks for.
    pub fn random() -> Result<Self, SignerError> {
        Ok(Self(hex::encode(random_bytes::<8>()?)))
    }

    /// The nonce's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for SiweNonce {
    type Err = ParseSiweError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() >= 8 && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ParseSiweError { line: 0, reason: "a nonce is at least 8 ASCII letters or digits" })
        }
    }
}

impl fmt::Display for SiweNonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An EIP-4361 (Sign-In with Ethereum) message.
///
/// [`Display`](fmt::Display) writes it in EIP-4361's exact line format (what is signed);
/// [`FromStr`] reads that format back, strictly: the lines in their order, an EIP-55
/// checksummed address, version 1, a nonce of at least 8 letters or digits, RFC 3339 times.
/// A parsed message writes back byte for byte as it was read.
///
/// ```
/// use venice_api::web3::SiweMessage;
///
/// let text = "api.venice.ai wants you to sign in with your Ethereum account:\n\
///             0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\n\n\
///             Sign in to Venice API\n\n\
///             URI: https://api.venice.ai\n\
///             Version: 1\n\
///             Chain ID: 8453\n\
///             Nonce: a1b2c3d4e5f60718\n\
///             Issued At: 2026-04-09T12:00:00.123Z\n\
///             Expiration Time: 2026-04-09T12:10:00.123Z";
/// let message: SiweMessage = text.parse()?;
/// assert_eq!(message.chain_id(), 8453);
/// assert_eq!(message.statement(), Some("Sign in to Venice API"));
/// assert_eq!(message.to_string(), text);
/// # Ok::<(), venice_api::web3::ParseSiweError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiweMessage {
    scheme: Option<String>,
    domain: String,
    address: Address,
    statement: Option<String>,
    uri: String,
    version: String,
    chain_id: u64,
    nonce: String,
    issued_at: Timestamp,
    expiration_time: Option<Timestamp>,
    not_before: Option<Timestamp>,
    request_id: Option<String>,
    resources: Vec<String>,
}

/// A time as the message writes it, and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Timestamp {
    text: String,
    at: DateTime<Utc>,
}

impl Timestamp {
    /// JavaScript's `Date.toISOString()` form, which Venice's own client signs.
    fn new(at: DateTime<Utc>) -> Self {
        Self { text: at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(), at }
    }

    fn parse(text: &str, line: usize) -> Result<Self, ParseSiweError> {
        let at = DateTime::parse_from_rfc3339(text)
            .map_err(|_| ParseSiweError { line, reason: "not an RFC 3339 date and time" })?;
        Ok(Self { text: text.to_owned(), at: at.with_timezone(&Utc) })
    }
}

impl SiweMessage {
    /// The message Venice's `siwx` scheme asks `address` to sign, issued at `issued_at`.
    fn venice(address: Address, issued_at: DateTime<Utc>, nonce: SiweNonce) -> Self {
        Self {
            scheme: None,
            domain: SIWX_DOMAIN.to_owned(),
            address,
            statement: Some(SIWX_STATEMENT.to_owned()),
            uri: SIWX_URI.to_owned(),
            version: "1".to_owned(),
            chain_id: SIWX_CHAIN_ID,
            nonce: nonce.0,
            issued_at: Timestamp::new(issued_at),
            expiration_time: Some(Timestamp::new(issued_at + SIWX_LIFETIME)),
            not_before: None,
            request_id: None,
            resources: Vec::new(),
        }
    }

    /// The URI scheme before the domain, when the message names one.
    pub fn scheme(&self) -> Option<&str> {
        self.scheme.as_deref()
    }

    /// The domain asking for the sign-in.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The signing wallet.
    pub fn address(&self) -> Address {
        self.address
    }

    /// What the wallet holder agrees to, when the message says.
    pub fn statement(&self) -> Option<&str> {
        self.statement.as_deref()
    }

    /// The resource signed in to.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The message version (`1`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The EIP-155 chain id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The nonce.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// When the message was issued.
    pub fn issued_at(&self) -> DateTime<Utc> {
        self.issued_at.at
    }

    /// When the sign-in stops being valid, if it does.
    pub fn expiration_time(&self) -> Option<DateTime<Utc>> {
        self.expiration_time.as_ref().map(|t| t.at)
    }

    /// When the sign-in starts being valid, if not at once.
    pub fn not_before(&self) -> Option<DateTime<Utc>> {
        self.not_before.as_ref().map(|t| t.at)
    }

    /// The relying party's request id, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The resources listed, in order.
    pub fn resources(&self) -> &[String] {
        &self.resources
    }
}

const PREAMBLE: &str = " wants you to sign in with your Ethereum account:";

impl fmt::Display for SiweMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(scheme) = &self.scheme {
            write!(f, "{scheme}://")?;
        }
        write!(f, "{}{PREAMBLE}\n{}\n\n", self.domain, self.address)?;
        if let Some(statement) = &self.statement {
            writeln!(f, "{statement}")?;
        }
        write!(
            f,
            "\nURI: {}\nVersion: {}\nChain ID: {}\nNonce: {}\nIssued At: {}",
            self.uri, self.version, self.chain_id, self.nonce, self.issued_at.text
        )?;
        if let Some(time) = &self.expiration_time {
            write!(f, "\nExpiration Time: {}", time.text)?;
        }
        if let Some(time) = &self.not_before {
            write!(f, "\nNot Before: {}", time.text)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, "\nRequest ID: {id}")?;
        }
        if !self.resources.is_empty() {
            f.write_str("\nResources:")?;
            for resource in &self.resources {
                write!(f, "\n- {resource}")?;
            }
        }
        Ok(())
    }
}

/// Why a text is not an EIP-4361 message (or a string not a nonce). It names the line and
/// the rule broken, never the text itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid EIP-4361 message{}: {reason}", line_suffix(*.line))]
pub struct ParseSiweError {
    line: usize,
    reason: &'static str,
}

fn line_suffix(line: usize) -> String {
    if line == 0 { String::new() } else { format!(" (line {line})") }
}

impl ParseSiweError {
    /// The line (from 1) where the message goes wrong; 0 when it is not about a line.
    pub fn line(&self) -> usize {
        self.line
    }
}

impl FromStr for SiweMessage {
    type Err = ParseSiweError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut lines = Lines { lines: text.split('\n').peekable(), number: 0 };

        let (first, n) = lines.next("the message is empty")?;
        let origin = first.strip_suffix(PREAMBLE).ok_or(ParseSiweError { line: n, reason: "not a sign-in request" })?;
        let (scheme, domain) = match origin.split_once("://") {
            Some((scheme, domain)) => (Some(scheme), domain),
            None => (None, origin),
        };
        if let Some(scheme) = scheme
            && !(scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)))
        {
            return Err(ParseSiweError { line: n, reason: "the scheme is not a URI scheme" });
        }
        if domain.is_empty()
            || domain.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control() || b"/?#".contains(&b))
        {
            return Err(ParseSiweError { line: n, reason: "the domain is not a host (and port)" });
        }

        let (address_text, n) = lines.next("the address is missing")?;
        let address: Address =
            address_text.parse().map_err(|_| ParseSiweError { line: n, reason: "not an Ethereum address" })?;
        if address.to_string() != address_text {
            return Err(ParseSiweError { line: n, reason: "the address is not in its EIP-55 checksummed form" });
        }

        lines.blank()?;
        let (line, n) = lines.next("the message ends after the address")?;
        let statement = if line.is_empty() {
            None
        } else {
            if line.chars().any(char::is_control) {
                return Err(ParseSiweError { line: n, reason: "the statement has control characters" });
            }
            lines.blank()?;
            Some(line.to_owned())
        };

        let uri = lines.field("URI: ")?;
        let (uri, n) = uri;
        if !uri.contains(':') || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ParseSiweError { line: n, reason: "the URI is not an absolute URI" });
        }
        let (version, n) = lines.field("Version: ")?;
        if version != "1" {
            return Err(ParseSiweError { line: n, reason: "the version is not 1" });
        }
        let (chain_id, n) = lines.field("Chain ID: ")?;
        let chain_id = chain_id
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| chain_id.parse::<u64>().ok())
            .flatten()
            .ok_or(ParseSiweError { line: n, reason: "the chain id is not a number" })?;
        let (nonce, n) = lines.field("Nonce: ")?;
        let nonce: SiweNonce = nonce.parse().map_err(|e: ParseSiweError| ParseSiweError { line: n, ..e })?;
        let (issued_at, n) = lines.field("Issued At: ")?;
        let issued_at = Timestamp::parse(issued_at, n)?;

        let mut message = SiweMessage {
            scheme: scheme.map(str::to_owned),
            domain: domain.to_owned(),
            address,
            statement,
            uri: uri.to_owned(),
            version: version.to_owned(),
            chain_id,
            nonce: nonce.0,
            issued_at,
            expiration_time: None,
            not_before: None,
            request_id: None,
            resources: Vec::new(),
        };
        if let Some((time, n)) = lines.optional_field("Expiration Time: ") {
            message.expiration_time = Some(Timestamp::parse(time, n)?);
        }
        if let Some((time, n)) = lines.optional_field("Not Before: ") {
            message.not_before = Some(Timestamp::parse(time, n)?);
        }
        if let Some((id, n)) = lines.optional_field("Request ID: ") {
            if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(ParseSiweError { line: n, reason: "the request id has spaces or control characters" });
            }
            message.request_id = Some(id.to_owned());
        }
        if let Some((rest, n)) = lines.optional_field("Resources:") {
            if !rest.is_empty() {
                return Err(ParseSiweError { line: n, reason: "expected the `Resources:` line alone" });
            }
            while let Some((resource, n)) = lines.optional_field("- ") {
                if resource.is_empty() || resource.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(ParseSiweError { line: n, reason: "a resource is not a URI" });
                }
                message.resources.push(resource.to_owned());
            }
        }
        if let Some((_, n)) = lines.peek() {
            return Err(ParseSiweError {
                line: n,
                reason: "unexpected line (fields out of order, or a trailing newline)",
            });
        }
        Ok(message)
    }
}

/// The lines of a message, numbered from 1, with a look-ahead of one.
struct Lines<'a> {
    lines: std::iter::Peekable<std::str::Split<'a, char>>,
    number: usize,
}

impl<'a> Lines<'a> {
    fn next(&mut self, missing: &'static str) -> Result<(&'a str, usize), ParseSiweError> {
        match self.lines.next() {
            Some(line) => {
                self.number += 1;
                Ok((line, self.number))
            }
            None => Err(ParseSiweError { line: self.number + 1, reason: missing }),
        }
    }

    fn peek(&mut self) -> Option<(&'a str, usize)> {
        self.lines.peek().map(|line| (*line, self.number + 1))
    }

    fn blank(&mut self) -> Result<(), ParseSiweError> {
        let (line, n) = self.next("the message ends where a blank line belongs")?;
        if line.is_empty() { Ok(()) } else { Err(ParseSiweError { line: n, reason: "expected a blank line" }) }
    }

    fn field(&mut self, name: &'static str) -> Result<(&'a str, usize), ParseSiweError> {
        let (line, n) = self.next(FIELD_MISSING)?;
        line.strip_prefix(name).map(|value| (value, n)).ok_or(ParseSiweError { line: n, reason: field_expected(name) })
    }

    fn optional_field(&mut self, name: &str) -> Option<(&'a str, usize)> {
        let (line, _) = self.peek()?;
        let value = line.strip_prefix(name)?;
        let (_, n) = self.next(FIELD_MISSING).ok()?;
        Some((value, n))
    }
}

const FIELD_MISSING: &str = "the message ends before its required fields (URI, Version, Chain ID, Nonce, Issued At)";

fn field_expected(name: &'static str) -> &'static str {
    match name {
        "URI: " => "expected the `URI: ` line",
        "Version: " => "expected the `Version: ` line",
        "Chain ID: " => "expected the `Chain ID: ` line",
        "Nonce: " => "expected the `Nonce: ` line",
        _ => "expected the `Issued At: ` line",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &str = "api.venice.ai wants you to sign in with your Ethereum account:\n\
        0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\n\nSign in to Venice API\n\n\
        URI: https://api.venice.ai\nVersion: 1\nChain ID: 8453\nNonce: a1b2c3d4e5f60718\n\
        Issued At: 2026-04-09T12:00:00.123Z\nExpiration Time: 2026-04-09T12:10:00.123Z";

    fn refused(text: &str) -> ParseSiweError {
        text.parse::<SiweMessage>().expect_err("the message must be refused")
    }

    #[test]
    fn a_venice_message_parses_and_writes_back_unchanged() {
        let message: SiweMessage = MESSAGE.parse().unwrap();
        assert_eq!(message.domain(), "api.venice.ai");
        assert_eq!(message.nonce(), "a1b2c3d4e5f60718");
        assert_eq!(message.expiration_time().unwrap() - message.issued_at(), SIWX_LIFETIME);
        assert_eq!(message.to_string(), MESSAGE);
    }

    #[test]
    fn a_lowercase_address_is_refused_as_not_checksummed() {
        let error = refused(
            &MESSAGE
                .replace("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"),
        );
        assert_eq!(error.line(), 2);
    }

    #[test]
    fn a_trailing_newline_is_refused() {
        assert_eq!(refused(&format!("{MESSAGE}\n")).line(), 12);
    }

    #[test]
    fn fields_out_of_order_are_refused() {
        let swapped = MESSAGE.replace("Version: 1\nChain ID: 8453", "Chain ID: 8453\nVersion: 1");
        assert_eq!(refused(&swapped).line(), 7);
    }

    #[test]
    fn another_version_a_short_nonce_and_a_bad_time_are_refused() {
        assert_eq!(refused(&MESSAGE.replace("Version: 1", "Version: 2")).line(), 7);
        assert_eq!(refused(&MESSAGE.replace("a1b2c3d4e5f60718", "a1b2c3")).line(), 9);
        assert_eq!(refused(&MESSAGE.replace("2026-04-09T12:00:00.123Z", "yesterday")).line(), 10);
        assert_eq!(refused(&MESSAGE.replace("Chain ID: 8453", "Chain ID: -1")).line(), 8);
    }

    #[test]
    fn a_truncated_message_names_the_missing_line() {
        let cut = &MESSAGE[..MESSAGE.find("\nNonce").unwrap()];
        assert_eq!(refused(cut).line(), 9);
        assert_eq!(refused("").line(), 1);
    }

    #[test]
    fn the_error_never_repeats_the_message() {
        let error = refused(&MESSAGE.replace("Version: 1", "Version: secret-looking-value"));
        assert!(!error.to_string().contains("secret-looking-value"), "{error}");
    }

    #[test]
    fn nonces_are_16_hex_digits_and_differ() {
        let a = SiweNonce::random().unwrap();
        let b = SiweNonce::random().unwrap();
        assert_eq!(a.as_str().len(), 16);
        assert!(a.as_str().bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
    }

    #[test]
    fn a_nonce_is_at_least_8_letters_or_digits() {
        assert!("abcd1234".parse::<SiweNonce>().is_ok());
        assert!("abc123".parse::<SiweNonce>().is_err());
        assert!("abcd-1234".parse::<SiweNonce>().is_err());
    }
}

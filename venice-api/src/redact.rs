//! Keeping secrets out of the text this crate builds from answers: the excerpts, reasons and
//! messages of its errors.
//!
//! A value is secret when the name of its field says so ([`is_secret_name`], the one list).
//! Wherever such a value would be shown it becomes [`REDACTED`]: in a body excerpt
//! ([`redacted`]), and in text that may quote it, such as serde's reason for a failed decode
//! or a server's message ([`Secrets::scrub`]), and in JSON kept from an answer
//! ([`redact_value`]).
//!
//! Excerpts are cut at a byte limit and answers may be broken, so the scanner does not need
//! valid JSON: it reads strings, field names and values as it meets them and redacts as far as
//! the text goes (a secret cut short by the limit is still redacted). It makes one pass with
//! bounded state, so hostile input costs time linear in its length and never panics.

use std::borrow::Cow;

use serde_json::Value;

/// What a secret value is shown as.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// Endings of the field names whose values are secret. A name is compared lower-cased, with
/// everything but letters and digits left out, so `apiKey`, `api_key`, `X-Api-Key`,
/// `privateKey`, `client_secret`, `access_token`, `refreshToken`, `signature`, `password` all
/// match; `apiKeyType`, `max_tokens` and `last6Chars` do not. Wide on purpose: a public key
/// hidden from an error excerpt costs little, a secret shown costs a lot.
const SECRET_NAME_ENDINGS: &[&str] = &[
    "key",
    "secret",
    "token",
    "signature",
    "password",
    "passphrase",
    "mnemonic",
    "seedphrase",
    "credential",
    "credentials",
    "authorization",
    "cookie",
    "jwt",
];

/// The most letters of a name compared: more than the longest ending.
const NAME_TAIL: usize = 16;

/// Whether a field called `name` holds a secret (see [`SECRET_NAME_ENDINGS`]).
pub(crate) fn is_secret_name(name: &str) -> bool {
    let mut tail = [0u8; NAME_TAIL];
    let mut len = 0;
    for byte in name.bytes().rev().filter(u8::is_ascii_alphanumeric).take(NAME_TAIL) {
        tail[NAME_TAIL - 1 - len] = byte.to_ascii_lowercase();
        len += 1;
    }
    let tail = &tail[NAME_TAIL - len..];
    SECRET_NAME_ENDINGS.iter().any(|ending| tail.ends_with(ending.as_bytes()))
}

/// Marks the values of secret-named headers (`set-cookie`, `x-api-key`, …) sensitive, so that
/// `Debug` shows them as `Sensitive`; the values themselves stay readable.
pub(crate) fn mark_secret_headers(headers: &mut reqwest::header::HeaderMap) {
    for (name, value) in headers.iter_mut() {
        if is_secret_name(name.as_str()) {
            value.set_sensitive(true);
        }
    }
}

/// Shows a header map in `Debug` with the values of secret-named headers as `Sensitive`,
/// without copying it or marking it.
pub(crate) struct ShownHeaders<'a>(pub(crate) &'a reqwest::header::HeaderMap);

impl std::fmt::Debug for ShownHeaders<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if is_secret_name(name.as_str()) || value.is_sensitive() {
                map.entry(name, &format_args!("Sensitive"));
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

/// `text` (JSON, perhaps cut short or broken) with every secret value replaced by
/// [`REDACTED`]: a string by `"[REDACTED]"`, any other value by `[REDACTED]`.
pub(crate) fn redacted(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    scan(text, |token| match token {
        Token::Plain(bytes) => out.extend_from_slice(bytes),
        Token::Secret { string: true, .. } => {
            out.push(b'"');
            out.extend_from_slice(REDACTED.as_bytes());
            out.push(b'"');
        }
        Token::Secret { string: false, .. } => out.extend_from_slice(REDACTED.as_bytes()),
    });
    out
}

/// At most this many secret values are looked for in other text; a body with more is hostile
/// or not an answer, and every quoted part of the text is hidden instead.
const MAX_SECRETS: usize = 16;

/// Values shorter than this are not looked for in other text: they would match all over it,
/// and are too short to be a secret worth the name.
const MIN_SECRET_BYTES: usize = 4;

/// The secret values of a body, to hide them in text that may quote them.
pub(crate) struct Secrets<'a> {
    /// Each value in the forms it may be quoted in: as written in the body, decoded, and as
    /// Rust's `Debug` escapes it (serde's messages).
    forms: Vec<Cow<'a, str>>,
    /// More than [`MAX_SECRETS`] values were found.
    overflow: bool,
}

/// The secret values of `body` (JSON, perhaps cut short or broken).
pub(crate) fn secrets_in(body: &[u8]) -> Secrets<'_> {
    let mut forms: Vec<Cow<'_, str>> = Vec::new();
    let mut found = 0;
    scan(body, |token| {
        let Token::Secret { bytes, string } = token else { return };
        let inner = if string { string_contents(bytes) } else { bytes };
        if inner.len() < MIN_SECRET_BYTES {
            return;
        }
        found += 1;
        if found > MAX_SECRETS {
            return;
        }
        let raw = String::from_utf8_lossy(inner);
        if string && raw.contains('\\') {
            // Escapes decode to other text: look for that too, and for how `Debug` writes it.
            let quoted = [b"\"", inner, b"\""].concat();
            if let Ok(decoded) = serde_json::from_slice::<String>(&quoted) {
                let debug = format!("{decoded:?}");
                forms.push(Cow::Owned(debug[1..debug.len() - 1].to_owned()));
                forms.push(Cow::Owned(decoded));
            }
        }
        forms.push(raw);
    });
    forms.retain(|form| form.len() >= MIN_SECRET_BYTES);
    // Longest first, so that a value containing another is replaced whole.
    forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
    forms.dedup();
    Secrets { forms, overflow: found > MAX_SECRETS }
}

impl Secrets<'_> {
    /// `text` with every secret value of the body replaced by [`REDACTED`].
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut text = if self.overflow { hide_quoted(text) } else { text.to_owned() };
        for form in &self.forms {
            if text.contains(form.as_ref()) {
                text = text.replace(form.as_ref(), REDACTED);
            }
        }
        text
    }

    /// Whether the body had no secret value to look for.
    pub(crate) fn is_empty(&self) -> bool {
        self.forms.is_empty() && !self.overflow
    }
}

/// `text` with what stands between double quotes replaced by [`REDACTED`].
fn hide_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split('"').enumerate() {
        if i > 0 {
            out.push('"');
        }
        out.push_str(if i % 2 == 1 { REDACTED } else { part });
    }
    out
}

/// `value` with the value of every field whose name is secret replaced by `"[REDACTED]"`.
pub(crate) fn redact_value(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields.iter_mut() {
                if is_secret_name(name) {
                    *field = Value::String(REDACTED.to_owned());
                } else {
                    redact_value(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        _ => {}
    }
}

/// One piece of scanned text: shown as it is, or a secret value.
enum Token<'a> {
    Plain(&'a [u8]),
    /// A secret value: a string with its quotes (the closing one missing when the text ends
    /// first), or the text of any other value.
    Secret {
        bytes: &'a [u8],
        string: bool,
    },
}

/// How deeply nested objects and arrays are followed; anything deeper is taken as secret.
const MAX_DEPTH: usize = 64;

/// Hands `text` to `sink` piece by piece, marking the values of secret fields (and everything
/// inside an object or array that is one).
fn scan<'a>(text: &'a [u8], mut sink: impl FnMut(Token<'a>)) {
    // Whether each open object or array is itself a secret value, and how many more levels are
    // open beyond `MAX_DEPTH`.
    let mut open: Vec<bool> = Vec::new();
    let mut too_deep = 0usize;
    // The next value belongs to a secret name.
    let mut secret_next = false;
    let mut i = 0;
    while i < text.len() {
        let in_secret = too_deep > 0 || open.last().copied().unwrap_or(false);
        match text[i] {
            b'"' => {
                let end = string_end(text, i);
                let token = &text[i..end];
                let after = end + text[end..].iter().take_while(|b| b.is_ascii_whitespace()).count();
                if text.get(after) == Some(&b':') {
                    secret_next = in_secret || is_secret_name(&name_of(token));
                    sink(Token::Plain(token));
                } else {
                    if secret_next || in_secret {
                        sink(Token::Secret { bytes: token, string: true });
                    } else {
                        sink(Token::Plain(token));
                    }
                    secret_next = false;
                }
                i = end;
            }
            b'{' | b'[' => {
                let secret = secret_next || in_secret;
                if too_deep > 0 || open.len() == MAX_DEPTH {
                    too_deep += 1;
                } else {
                    open.push(secret);
                }
                secret_next = false;
                sink(Token::Plain(&text[i..=i]));
                i += 1;
            }
            b'}' | b']' => {
                if too_deep > 0 {
                    too_deep -= 1;
                } else {
                    open.pop();
                }
                secret_next = false;
                sink(Token::Plain(&text[i..=i]));
                i += 1;
            }
            b',' => {
                secret_next = false;
                sink(Token::Plain(&text[i..=i]));
                i += 1;
            }
            byte if byte == b':' || byte.is_ascii_whitespace() => {
                let end = i + text[i..].iter().take_while(|b| **b == b':' || b.is_ascii_whitespace()).count();
                sink(Token::Plain(&text[i..end]));
                i = end;
            }
            _ => {
                let end = i + text[i..].iter().take_while(|b| !is_delimiter(**b)).count();
                let token = &text[i..end];
                if secret_next || in_secret {
                    sink(Token::Secret { bytes: token, string: false });
                } else {
                    sink(Token::Plain(token));
                }
                secret_next = false;
                i = end;
            }
        }
    }
}

fn is_delimiter(byte: u8) -> bool {
    matches!(byte, b'"' | b'{' | b'}' | b'[' | b']' | b',' | b':') || byte.is_ascii_whitespace()
}

/// The index just past the string starting at `start` (a `"`): past its closing quote, or the
/// end of the text when it has none.
fn string_end(text: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

/// A string token without its quotes (the closing one may be missing).
fn string_contents(token: &[u8]) -> &[u8] {
    let inner = token.strip_prefix(b"\"").unwrap_or(token);
    inner.strip_suffix(b"\"").filter(|_| token.len() >= 2).unwrap_or(inner)
}

/// The name a string token spells, escapes decoded when they can be.
fn name_of(token: &[u8]) -> Cow<'_, str> {
    let inner = string_contents(token);
    if inner.contains(&b'\\')
        && let Ok(name) = serde_json::from_slice::<String>(token)
    {
        return Cow::Owned(name);
    }
    String::from_utf8_lossy(inner)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn redact(text: &str) -> String {
        String::from_utf8(redacted(text.as_bytes())).unwrap()
    }

    #[test]
    fn secret_names_are_recognised_however_they_are_written() {
        for name in [
            "apiKey",
            "api_key",
            "X-Api-Key",
            "key",
            "privateKey",
            "private_key",
            "client_secret",
            "secret",
            "token",
            "accessToken",
            "refresh_token",
            "signature",
            "password",
            "mnemonic",
            "Authorization",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["apiKeyType", "id", "max_tokens", "completion_tokens", "last6Chars", "description", "keys", ""] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn the_values_of_secret_fields_are_redacted_and_the_rest_kept() {
        let text = r#"{"data":{"apiKey":"vk-abc123","id":"e28e","pin":{"token":42},"description":"x"},"success":true}"#;
        assert_eq!(
            redact(text),
            r#"{"data":{"apiKey":"[REDACTED]","id":"e28e","pin":{"token":[REDACTED]},"description":"x"},"success":true}"#
        );
    }

    #[test]
    fn everything_inside_a_secret_object_or_array_is_redacted() {
        let text = r#"{"signature":{"r":"0xaa","s":["0xbb", 7]},"after":"shown"}"#;
        assert_eq!(redact(text), r#"{"signature":{"r":"[REDACTED]","s":["[REDACTED]", [REDACTED]]},"after":"shown"}"#);
    }

    #[test]
    fn a_secret_cut_short_is_still_redacted() {
        assert_eq!(redact(r#"{"data":{"apiKey":"vk-abc1"#), r#"{"data":{"apiKey":"[REDACTED]""#);
        assert_eq!(redact(r#"{"token": 12"#), r#"{"token": [REDACTED]"#);
    }

    #[test]
    fn escaped_quotes_and_escaped_names_do_not_hide_a_secret() {
        assert_eq!(redact(r#"{"api\u004bey":"a\"b","x":"y"}"#), r#"{"api\u004bey":"[REDACTED]","x":"y"}"#);
    }

    #[test]
    fn text_that_is_not_json_is_left_as_it_is() {
        let text = "<html><body>Bad gateway: key rotation</body></html>";
        assert_eq!(redact(text), text);
    }

    #[test]
    fn nesting_deeper_than_followed_is_taken_as_secret() {
        let text = format!("{}\"x\"{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(redact(&text).contains(REDACTED));
    }

    #[test]
    fn secret_values_are_scrubbed_from_a_reason_that_quotes_them() {
        let body = br#"{"data":{"apiKey":"vk-abc123","id":5}}"#;
        let reason = r#"invalid type: string "vk-abc123", expected u64 at line 1 column 30"#;
        assert_eq!(
            secrets_in(body).scrub(reason),
            r#"invalid type: string "[REDACTED]", expected u64 at line 1 column 30"#
        );
    }

    #[test]
    fn an_escaped_secret_is_scrubbed_in_the_forms_serde_and_messages_quote_it() {
        let body = br#"{"secret":"vk\"quoted\u00e9"}"#;
        let secrets = secrets_in(body);
        assert_eq!(secrets.scrub(r#"string "vk\"quotedé""#), r#"string "[REDACTED]""#);
        assert_eq!(secrets.scrub(r#"the value vk"quotedé"#), "the value [REDACTED]");
    }

    #[test]
    fn with_too_many_secrets_every_quoted_part_of_a_reason_is_hidden() {
        let body: String = (0..=MAX_SECRETS).map(|n| format!(r#"{{"token":"tok-{n:04}"}}"#)).collect();
        let scrubbed = secrets_in(body.as_bytes()).scrub(r#"invalid type: string "anything", expected u64"#);
        assert_eq!(scrubbed, r#"invalid type: string "[REDACTED]", expected u64"#);
    }

    #[test]
    fn short_values_are_not_looked_for_in_other_text() {
        assert!(secrets_in(br#"{"key":"ab"}"#).is_empty());
    }

    #[test]
    fn kept_json_has_its_secret_fields_redacted() {
        let mut value = json!({"issues": [{"path": ["signature"], "signature": "0xabc"}], "token": {"a": 1}});
        redact_value(&mut value);
        assert_eq!(
            value,
            json!({"issues": [{"path": ["signature"], "signature": "[REDACTED]"}], "token": "[REDACTED]"})
        );
    }

    /// A secret made of characters the JSON around it does not use.
    const SECRET: &str = "Zq9Wv7Xy3Qk5Jh2";

    proptest! {
        #[test]
        fn a_secret_never_survives_redaction_however_the_text_is_cut(
            name in prop::sample::select(vec!["apiKey", "key", "secret", "token", "signature", "private_key"]),
            before in "[a-z ]{0,20}",
            nested in any::<bool>(),
            cut in 0usize..200,
        ) {
            let value = if nested { json!({"inner": [SECRET]}) } else { json!(SECRET) };
            let body = json!({"data": {"description": before, name: value, "id": "e28e"}}).to_string();
            let text = &body.as_bytes()[..cut.min(body.len())];
            let out = String::from_utf8_lossy(&redacted(text)).into_owned();
            // Any four characters of the secret that made it into the cut are gone.
            for window in SECRET.as_bytes().windows(4) {
                prop_assert!(!out.contains(std::str::from_utf8(window).unwrap()), "{out}");
            }
        }

        #[test]
        fn any_bytes_are_redacted_without_panic_and_within_bounds(text in prop::collection::vec(any::<u8>(), 0..600)) {
            let out = redacted(&text);
            // Each value grows at most to the marker and its quotes.
            prop_assert!(out.len() <= text.len() * (REDACTED.len() + 2) + 1);
            let secrets = secrets_in(&text);
            let _ = secrets.scrub(&String::from_utf8_lossy(&text));
        }
    }
}

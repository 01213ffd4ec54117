//! End-to-end encrypted chat: [`E2eeSession`].

use std::fmt;
use std::sync::Arc;

use k256::SecretKey;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use rand_core::OsRng;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use super::cipher::{self, Opener};
use super::{Attestation, TeeError};
use crate::chat::{self, ChatChunk, ChatRequest, ChatStream};
use venice_api_gen::operations;

use crate::client::Client;
use crate::error::{Error, Result, non_empty};
use crate::stream::EventStream;

/// The headers that turn a chat completion into an E2EE one.
const CLIENT_KEY_HEADER: HeaderName = HeaderName::from_static("x-venice-tee-client-pub-key");
const MODEL_KEY_HEADER: HeaderName = HeaderName::from_static("x-venice-tee-model-pub-key");
const SIGNING_ALGO_HEADER: HeaderName = HeaderName::from_static("x-venice-tee-signing-algo");
/// The one algorithm the `X-Venice-TEE-Signing-Algo` header names.
const SIGNING_ALGO: &str = "ecdsa";

/// An end-to-end encrypted chat with one model: `client.chat().e2ee(model)`.
///
/// Starting one checks, before anything else is asked, that the model list says the model
/// supports E2EE; then it fetches and checks the model's [`Attestation`] (see
/// [`Tee::attest`](super::Tee::attest)) and makes the session's secp256k1 key pair.
///
/// [`create_stream`](Self::create_stream) then sends a [`ChatRequest`] encrypted: each user and
/// system message is encrypted to the attested key (content it cannot encrypt, such as an
/// image, is refused before sending); assistant and tool messages go as they are, as the
/// protocol has it, so an earlier answer sent back to continue a conversation is not secret
/// from Venice. The answer is the same [`ChatStream`] as a plain one, its text decrypted, so
/// [`StreamedMessage`](crate::chat::StreamedMessage) and
/// [`collect_message`](EventStream::collect_message) work unchanged.
///
/// There is no `create`: Venice answers an encrypted request only as a stream (it refuses
/// others with `E2EE requires streaming`); `create_stream(..).await?.collect_message()` gives
/// the whole answer.
///
/// The private key never leaves the session: it is wiped from memory when the session and
/// the last stream it started are dropped, and `Debug` shows only the public key.
///
/// ```no_run
/// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
/// use futures_util::StreamExt;
/// use venice_api::chat::ChatRequest;
///
/// let session = client.chat().e2ee("e2ee-qwen3-5-122b-a10b").await?;
/// println!("talking to {}", session.attestation().signing_address());
/// let request = ChatRequest::new(session.model()).system("Be brief.").user("What is a TEE?");
/// let mut stream = session.create_stream(request).await?;
/// while let Some(chunk) = stream.next().await {
///     print!("{}", chunk?.content().unwrap_or_default());
/// }
/// # Ok(())
/// # }
/// ```
pub struct E2eeSession {
    client: Client,
    attestation: Attestation,
    secret: Arc<SecretKey>,
    public_key: String,
    headers: HeaderMap,
}

impl E2eeSession {
    pub(crate) async fn start(client: &Client, model: &str) -> Result<Self> {
        client.require_credentials("chat().e2ee", &operations::GET_TEE_ATTESTATION)?;
        let model = non_empty("model", model)?;
        let listed = client.models().list().await?;
        let entry = listed.data.iter().find(|entry| entry.id == model);
        match entry {
            None => return Err(TeeError::ModelNotListed { model }.into()),
            Some(entry) if !crate::models::supports_e2ee(entry) => {
                return Err(TeeError::E2eeUnsupported { model }.into());
            }
            Some(_) => {}
        }
        let attestation = client.tee().attest(&model).await?.into_body();
        Ok(Self::with_key(client.clone(), attestation, SecretKey::random(&mut OsRng)))
    }

    fn with_key(client: Client, attestation: Attestation, secret: SecretKey) -> Self {
        let public_key = hex::encode(secret.public_key().to_encoded_point(false).as_bytes());
        let mut headers = HeaderMap::new();
        let hex_value = |text: &str| HeaderValue::from_str(text).expect("hex is a valid header value");
        headers.insert(CLIENT_KEY_HEADER, hex_value(&public_key));
        headers.insert(MODEL_KEY_HEADER, hex_value(&attestation.signing_key().to_hex()));
        headers.insert(SIGNING_ALGO_HEADER, HeaderValue::from_static(SIGNING_ALGO));
        Self { client, attestation, secret: Arc::new(secret), public_key, headers }
    }

    /// The model of the session.
    pub fn model(&self) -> &str {
        self.attestation.model()
    }

    /// The model's checked attestation, whose key the messages are encrypted to.
    pub fn attestation(&self) -> &Attestation {
        &self.attestation
    }

    /// The session's public key: 130 lowercase hex characters of the uncompressed point, as the
    /// `X-Venice-TEE-Client-Pub-Key` header carries it.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// Sends `request` encrypted and streams the answer decrypted.
    ///
    /// `request` must be for the session's model. It is checked as
    /// [`Chat::create_stream`](crate::chat::Chat::create_stream) checks it and sent the same
    /// way (`"stream": true`, usage in the last chunk), with every user and system message
    /// encrypted: a text content, or one made of text parts only (joined with line feeds,
    /// as an OpenAI-style server joins them for a model). Anything else in such a message
    /// (an image, audio, a file) and any message of another role than user, system,
    /// assistant or tool is refused with [`Error::InvalidArgument`] before anything is sent,
    /// rather than sent in the clear.
    ///
    /// In the answer, `content` and `reasoning_content` that are hex of at least 186
    /// characters are decrypted; other text comes as sent, as the protocol has it. A chunk that
    /// does not decrypt ends the stream with [`TeeError::Decrypt`].
    pub async fn create_stream(&self, request: ChatRequest) -> Result<ChatStream> {
        self.client.require_credentials("chat().e2ee().create_stream", &operations::CREATE_CHAT_COMPLETION)?;
        let body = request.into_streamed_body()?;
        if body.model != self.model() {
            return Err(Error::invalid(
                "model",
                format!("this E2EE session is for `{}`, and the request names `{}`", self.model(), body.model),
            ));
        }
        let body = serde_json::to_value(&body)
            .map_err(|e| Error::invalid("request", format!("the request cannot be written as JSON: {e}")))?;
        let recipient = *self.attestation.signing_key().public_key();
        let sealed = SealedBody::seal(body, &mut |text| {
            cipher::seal(text, &recipient).ok_or_else(|| Error::invalid("messages", "a message is too long to encrypt"))
        })?;
        let answer = chat::post_for_stream(&self.client, &sealed.0, &self.headers).await?;
        let mut opener = Opener::new(Arc::clone(&self.secret));
        EventStream::from_event_response_mapped(answer, chat::OPERATION_ID, move |chunk| open_chunk(&mut opener, chunk))
            .await
    }
}

impl fmt::Debug for E2eeSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("E2eeSession")
            .field("model", &self.model())
            .field("public_key", &self.public_key)
            .field("signing_address", &self.attestation.signing_address())
            .finish_non_exhaustive()
    }
}

/// `chunk` with its encrypted texts decrypted.
fn open_chunk(opener: &mut Opener, mut chunk: ChatChunk) -> Result<ChatChunk> {
    for choice in &mut chunk.choices {
        for text in [&mut choice.delta.content, &mut choice.delta.reasoning_content].into_iter().flatten() {
            if cipher::looks_sealed(text) {
                *text = opener.open(text).map_err(|e| TeeError::Decrypt { reason: e.reason() })?;
            }
        }
    }
    Ok(chunk)
}

/// A chat request body in which every user and system message is encrypted.
///
/// Only [`seal`](Self::seal) makes one, and the transport is handed nothing else, so a body
/// that skipped the walk cannot be sent. The walk fails closed: a role or a content shape it
/// does not know how to keep private is refused, never passed through.
#[derive(Debug)]
struct SealedBody(Value);

impl SealedBody {
    /// Encrypts the contents of `body`'s user and system messages with `seal_text`.
    fn seal(mut body: Value, seal_text: &mut dyn FnMut(&str) -> Result<String>) -> Result<Self> {
        let Some(messages) = body.get_mut("messages").and_then(Value::as_array_mut) else {
            return Err(Error::invalid("messages", "the request has no list of messages"));
        };
        for (index, message) in messages.iter_mut().enumerate() {
            let refuse = |reason: String| Error::invalid("messages", format!("message {index}: {reason}"));
            let Some(fields) = message.as_object_mut() else {
                return Err(refuse("not a JSON object".to_owned()));
            };
            match fields.get("role").and_then(Value::as_str) {
                Some("user" | "system") => {}
                // The protocol leaves these in the clear.
                Some("assistant" | "tool") => continue,
                Some(other) => {
                    return Err(refuse(format!(
                        "E2EE encrypts user and system messages only, and a `{other}` message would be sent \
                         in the clear (send instructions as a system message)"
                    )));
                }
                None => return Err(refuse("a message without a role cannot be encrypted".to_owned())),
            }
            let text = match fields.get("content") {
                Some(Value::String(text)) => text.clone(),
                Some(Value::Array(parts)) => text_of_parts(parts).map_err(refuse)?,
                Some(other) => {
                    return Err(refuse(format!("E2EE encrypts text, and this content is {}", kind_of(other))));
                }
                None => return Err(refuse("E2EE encrypts text, and this message has no content".to_owned())),
            };
            fields.insert("content".to_owned(), Value::String(seal_text(&text)?));
        }
        Ok(Self(body))
    }
}

/// The text of content parts, joined with line feeds; an error naming the first part that is
/// not text.
fn text_of_parts(parts: &[Value]) -> std::result::Result<String, String> {
    let mut texts = Vec::with_capacity(parts.len());
    for (at, part) in parts.iter().enumerate() {
        match (part.get("type").and_then(Value::as_str), part.get("text")) {
            (Some("text"), Some(Value::String(text))) => texts.push(text.as_str()),
            (Some(kind), _) => {
                return Err(format!(
                    "part {at} is `{kind}`, and E2EE encrypts text only; it is refused rather than sent in the clear"
                ));
            }
            (None, _) => return Err(format!("part {at} has no type, so it cannot be encrypted")),
        }
    }
    Ok(texts.join("\n"))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    /// Seals as `S(<text>)`, so a test can see what was sealed.
    fn mark(text: &str) -> Result<String> {
        Ok(format!("S({text})"))
    }

    fn sealed(messages: Value) -> Result<Value> {
        SealedBody::seal(json!({"model": "m", "messages": messages, "stream": true}), &mut mark).map(|b| b.0)
    }

    fn refusal(messages: Value) -> String {
        match sealed(messages) {
            Err(Error::InvalidArgument { argument: "messages", reason }) => reason,
            other => panic!("expected the messages to be refused, got {other:?}"),
        }
    }

    #[test]
    fn user_and_system_contents_are_sealed_and_assistant_and_tool_ones_kept() {
        let body = sealed(json!([
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "hi", "name": "ann"},
            {"role": "assistant", "content": "hello", "tool_calls": []},
            {"role": "tool", "content": "42", "tool_call_id": "c1"},
        ]))
        .unwrap();
        assert_eq!(
            body["messages"],
            json!([
                {"role": "system", "content": "S(be brief)"},
                {"role": "user", "content": "S(hi)", "name": "ann"},
                {"role": "assistant", "content": "hello", "tool_calls": []},
                {"role": "tool", "content": "42", "tool_call_id": "c1"},
            ])
        );
        assert_eq!(body["model"], "m");
        assert_eq!(body["stream"], true);
    }

    #[test]
    fn text_parts_are_joined_with_line_feeds_and_sealed_as_one_text() {
        let body = sealed(
            json!([{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]),
        )
        .unwrap();
        assert_eq!(body["messages"][0]["content"], "S(a\nb)");
    }

    #[test]
    fn an_image_part_is_refused_before_sending() {
        let reason = refusal(json!([{"role": "user", "content": [
            {"type": "text", "text": "what is this?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        ]}]));
        assert!(reason.contains("part 1 is `image_url`"), "{reason}");
    }

    #[test]
    fn roles_the_protocol_does_not_encrypt_are_refused_not_sent_in_the_clear() {
        for role in ["developer", "function", "narrator"] {
            let reason = refusal(json!([{"role": role, "content": "secret"}]));
            assert!(reason.contains(&format!("`{role}`")), "{reason}");
        }
        assert!(refusal(json!([{"content": "secret"}])).contains("without a role"));
    }

    #[test]
    fn user_content_that_is_not_text_is_refused() {
        for content in [json!(null), json!(7), json!({"text": "x"}), json!([{"text": "untyped"}])] {
            refusal(json!([{"role": "user", "content": content}]));
        }
        assert!(refusal(json!([{"role": "system"}])).contains("no content"));
        assert!(refusal(json!(["user: hi"])).contains("not a JSON object"));
    }

    /// A session with a random enclave key, as if attested, and `secret` as its key.
    fn session(secret: SecretKey) -> E2eeSession {
        let enclave = SecretKey::random(&mut OsRng);
        let nonce = "ab".repeat(32);
        let answer = serde_json::from_value(json!({
            "verified": true, "nonce": nonce,
            "signing_key": hex::encode(enclave.public_key().to_encoded_point(false).as_bytes()),
        }))
        .unwrap();
        let attestation = Attestation::check("e2ee-m", &nonce, answer).unwrap();
        let client = Client::builder().api_key("k").build().unwrap();
        E2eeSession::with_key(client, attestation, secret)
    }

    #[test]
    fn a_session_and_its_streams_can_move_between_threads() {
        fn shareable<T: Send + Sync>(_: &T) {}
        fn sendable<T: Send>(_: &T) {}
        let session = session(SecretKey::random(&mut OsRng));
        shareable(&session);
        let call = session.create_stream(ChatRequest::new("e2ee-m").user("hi"));
        sendable(&call);
    }

    #[test]
    fn debug_shows_the_public_key_and_never_the_private_one() {
        let secret = SecretKey::random(&mut OsRng);
        let secret_hex = hex::encode(secret.to_bytes());
        let session = session(secret);
        let shown = format!("{session:?}");
        assert!(shown.contains(session.public_key()), "{shown}");
        assert!(!shown.contains(&secret_hex), "{shown}");
        assert_eq!(session.public_key().len(), 130);
        assert!(session.public_key().starts_with("04"));
    }

    /// A message of any role and any content shape, a few of them deep.
    fn any_message() -> impl Strategy<Value = Value> {
        let role = prop_oneof![
            Just(json!("user")),
            Just(json!("system")),
            Just(json!("assistant")),
            Just(json!("tool")),
            Just(json!("developer")),
            Just(json!(null)),
            any::<String>().prop_map(Value::String),
        ];
        let part = prop_oneof![
            any::<String>().prop_map(|text| json!({"type": "text", "text": text})),
            Just(json!({"type": "image_url", "image_url": {"url": "https://example.com/a.png"}})),
            Just(json!({"type": "text", "text": 5})),
            Just(json!({"text": "untyped"})),
        ];
        let content = prop_oneof![
            any::<String>().prop_map(Value::String),
            prop::collection::vec(part, 0..4).prop_map(Value::Array),
            Just(json!(null)),
            Just(json!(12)),
        ];
        (role, prop::option::of(content)).prop_map(|(role, content)| {
            let mut message = json!({"role": role});
            if let Some(content) = content {
                message["content"] = content;
            }
            message
        })
    }

    proptest! {
        /// Whatever the messages, the walk either refuses the request or gives a body in which
        /// every user and system message holds sealed text: none slips through in the clear.
        #[test]
        fn no_user_or_system_message_leaves_unsealed(messages in prop::collection::vec(any_message(), 0..6)) {
            let mut seal = |text: &str| -> Result<String> { Ok(hex::encode(format!("sealed:{text}"))) };
            let body = json!({"model": "m", "messages": messages.clone()});
            if let Ok(SealedBody(body)) = SealedBody::seal(body, &mut seal) {
                for (sent, original) in body["messages"].as_array().unwrap().iter().zip(&messages) {
                    match sent["role"].as_str() {
                        Some("user" | "system") => {
                            let content = sent["content"].as_str().expect("sealed content is a string");
                            prop_assert!(hex::decode(content).unwrap().starts_with(b"sealed:"));
                        }
                        Some("assistant" | "tool") => prop_assert_eq!(sent, original),
                        other => prop_assert!(false, "a `{:?}` message was let through", other),
                    }
                }
            }
        }
    }
}

//! Private inference against a mock of the enclave side, written here with its own
//! cryptography: it lists models, attests with its own key (echoing the nonce), decrypts each
//! request with that key exactly as Venice's enclave would (refusing what is not encrypted
//! with Venice's documented messages), and streams its answer encrypted to the session key,
//! cut into awkward pieces.

#![cfg(feature = "tee")]

mod common;
#[path = "common/sse_server.rs"]
mod sse_server;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use futures_util::StreamExt;
use hkdf::Hkdf;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use k256::{PublicKey, SecretKey};
use rand_core::{OsRng, RngCore};
use serde_json::{Value, json};
use sha2::Sha256;
use sse_server::{Answer, Seen, SseServer};
use venice_api::chat::{ChatRequest, StreamedMessage};
use venice_api::tee::TeeError;
use venice_api::{ApiErrorKind, Client, Error, TeeRejection};

const MODEL: &str = "e2ee-qwen3-5-122b-a10b";

// ---- the enclave's cryptography, written for the mock (not the crate's) ----

fn agreed_key(secret: &SecretKey, public: &PublicKey) -> Aes256Gcm {
    let shared = k256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), public.as_affine());
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(None, shared.raw_secret_bytes()).expand(b"ecdsa_encryption", &mut key).unwrap();
    Aes256Gcm::new(&key.into())
}

/// What the enclave sends: `text` encrypted to `recipient` with a fresh one-off key.
fn enclave_seal(recipient: &PublicKey, text: &str) -> String {
    let one_off = SecretKey::random(&mut OsRng);
    let mut nonce = [0u8; 12];
    OsRng.fill_bytes(&mut nonce);
    let sealed = agreed_key(&one_off, recipient).encrypt(Nonce::from_slice(&nonce), text.as_bytes()).unwrap();
    let mut out = one_off.public_key().to_encoded_point(false).as_bytes().to_vec();
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    hex::encode(out)
}

/// What the enclave reads of a field, or Venice's documented refusal.
fn enclave_open(secret: &SecretKey, field: &Value) -> Result<String, &'static str> {
    let text = field.as_str().ok_or("Encrypted field is not valid hex")?;
    let bytes = hex::decode(text).map_err(|_| "Encrypted field is not valid hex")?;
    if bytes.len() < 65 + 12 + 16 {
        return Err("Encrypted field is not valid hex");
    }
    let sender = PublicKey::from_sec1_bytes(&bytes[..65]).map_err(|_| "Failed to decrypt field")?;
    let plain = agreed_key(secret, &sender)
        .decrypt(Nonce::from_slice(&bytes[65..77]), &bytes[77..])
        .map_err(|_| "Failed to decrypt field")?;
    String::from_utf8(plain).map_err(|_| "Failed to decrypt field")
}

fn uncompressed_hex(key: &PublicKey) -> String {
    hex::encode(key.to_encoded_point(false).as_bytes())
}

// ---- the mock ----

/// One conversation as the enclave read it: `(role, text)` per message.
type Heard = Vec<(String, String)>;
/// Makes the pieces of the enclave's reply from what it read.
type Reply = dyn Fn(&Heard) -> Vec<String> + Send + Sync;

/// What the mock does; each test changes what it checks.
struct Enclave {
    secret: SecretKey,
    /// The model list's entry for [`MODEL`] says it supports E2EE.
    lists_e2ee: bool,
    /// The list has [`MODEL`] at all.
    lists_model: bool,
    /// Changes the attestation answer (echoing the nonce, verified, with the key) before it goes.
    attestation: Box<dyn Fn(&mut Value) + Send + Sync>,
    /// The reply's pieces, from what the enclave read.
    reply: Box<Reply>,
    /// Changes the chunks' encrypted contents before they go (to corrupt one, say).
    tamper: Box<dyn Fn(usize, String) -> String + Send + Sync>,
    /// Piece sizes the answer body is written in, taken in turn.
    cuts: Vec<usize>,
    /// Refuses every chat request with this documented message.
    refuse_chat: Option<&'static str>,
    /// Reports `Failed to decrypt field` partway through, after this many pieces.
    fail_after: Option<usize>,
    heard: Mutex<Vec<Heard>>,
}

impl Default for Enclave {
    fn default() -> Self {
        Enclave {
            secret: SecretKey::random(&mut OsRng),
            lists_e2ee: true,
            lists_model: true,
            attestation: Box::new(|_| {}),
            reply: Box::new(|heard| {
                let last = &heard.last().unwrap().1;
                ["You ", "asked: ", last.as_str(), " — ", "the answer is 4. ", "🌊"].map(str::to_owned).to_vec()
            }),
            tamper: Box::new(|_, sealed| sealed),
            cuts: vec![1, 7, 3, 64, 2, 190, 5],
            refuse_chat: None,
            fail_after: None,
            heard: Mutex::new(Vec::new()),
        }
    }
}

impl Enclave {
    fn public_key(&self) -> PublicKey {
        self.secret.public_key()
    }

    fn models(&self) -> Value {
        let mut list = common::fixture("listModels");
        let mut entry = list["data"][0].clone();
        entry["id"] = json!(MODEL);
        entry["model_spec"]["capabilities"]["supportsE2EE"] = json!(self.lists_e2ee);
        entry["model_spec"]["capabilities"]["supportsTeeAttestation"] = json!(true);
        if self.lists_model {
            list["data"].as_array_mut().unwrap().push(entry);
        }
        list
    }

    fn attest(&self, query: &[(String, String)]) -> Answer {
        let param = |name: &str| query.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        let key = uncompressed_hex(&self.public_key());
        let address = ethereum_address(&self.public_key());
        let mut answer = json!({
            "verified": true,
            "nonce": param("nonce"),
            "model": param("model"),
            "tee_provider": "intel-tdx+nvidia-cc",
            "intel_quote": "BAACAIEAAAAAAAAAk5pyM/ecTKmUCg2zlX8GBw==",
            "nvidia_payload": {"arch": "HOPPER", "evidence_list": []},
            "signing_key": key,
            "signing_address": address,
            "signing_algo": "ecdsa",
        });
        (self.attestation)(&mut answer);
        Answer::json(200, &answer)
    }

    fn chat(&self, request: &Seen) -> Answer {
        let refuse = |message: &str| Answer::json(400, &json!({"error": message}));
        let body = request.json();
        if let Some(message) = self.refuse_chat {
            return refuse(message);
        }
        if body["stream"] != json!(true) {
            return refuse("E2EE requires streaming");
        }
        let Some(client_key) = request.header("x-venice-tee-client-pub-key") else {
            return refuse("Invalid public key");
        };
        if client_key.len() != 130 || !client_key.starts_with("04") {
            return refuse("Invalid public key");
        }
        let Ok(client_key) = PublicKey::from_sec1_bytes(&hex::decode(client_key).unwrap_or_default()) else {
            return refuse("Invalid public key");
        };
        if request.header("x-venice-tee-model-pub-key") != Some(uncompressed_hex(&self.public_key()).as_str())
            || request.header("x-venice-tee-signing-algo") != Some("ecdsa")
        {
            return refuse("Invalid public key");
        }
        let mut heard = Vec::new();
        for message in body["messages"].as_array().unwrap() {
            let role = message["role"].as_str().unwrap().to_owned();
            let text = if role == "user" || role == "system" {
                match enclave_open(&self.secret, &message["content"]) {
                    Ok(text) => text,
                    Err(refusal) => return refuse(refusal),
                }
            } else {
                message["content"].as_str().unwrap_or_default().to_owned()
            };
            heard.push((role, text));
        }
        let pieces = (self.reply)(&heard);
        self.heard.lock().unwrap().push(heard);
        let mut events = String::new();
        let chunk = |delta: Value, finish: Value| {
            json!({"id": "chatcmpl-e2ee-1", "object": "chat.completion.chunk", "created": 1_767_225_600, "model": MODEL,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        };
        events.push_str(&format!("data: {}\n\n", chunk(json!({"role": "assistant", "content": ""}), Value::Null)));
        for (i, piece) in pieces.iter().enumerate() {
            if self.fail_after == Some(i) {
                events.push_str("data: {\"error\":\"Failed to decrypt field\"}\n\n");
            }
            let sealed = (self.tamper)(i, enclave_seal(&client_key, piece));
            events.push_str(&format!("data: {}\n\n", chunk(json!({"content": sealed}), Value::Null)));
        }
        let mut last = chunk(json!({}), json!("stop"));
        last["usage"] =
            json!({"prompt_tokens": 31, "completion_tokens": pieces.len(), "total_tokens": 31 + pieces.len()});
        events.push_str(&format!("data: {last}\n\n: keep-alive\n\ndata: [DONE]\n\n"));
        Answer::events(&events).cut_every(&self.cuts, Duration::ZERO)
    }

    fn respond(&self, request: &Seen) -> Answer {
        let url = reqwest::Url::parse(&format!("http://mock{}", request.path)).unwrap();
        let query: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        match (request.method.as_str(), url.path()) {
            ("GET", "/api/v1/models") => Answer::json(200, &self.models()),
            ("GET", "/api/v1/tee/attestation") => self.attest(&query),
            ("POST", "/api/v1/chat/completions") => self.chat(request),
            _ => Answer::json(404, &json!({"error": "not found"})),
        }
    }
}

/// The Ethereum address of `key`, computed here (Keccak-256 of x || y, last 20 bytes).
fn ethereum_address(key: &PublicKey) -> String {
    use sha3::{Digest, Keccak256};
    let point = key.to_encoded_point(false);
    format!("0x{}", hex::encode(&Keccak256::digest(&point.as_bytes()[1..])[12..]))
}

async fn serve(enclave: Enclave) -> (SseServer, Arc<Enclave>, Client) {
    let enclave = Arc::new(enclave);
    let server = SseServer::respond_with({
        let enclave = enclave.clone();
        move |request| enclave.respond(request)
    })
    .await;
    let client = Client::builder()
        .api_key(common::API_KEY)
        .base_url(server.base_url())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    (server, enclave, client)
}

fn paths(server: &SseServer) -> Vec<String> {
    server.requests().iter().map(|r| r.path.split('?').next().unwrap().to_owned()).collect()
}

fn tee_error(result: Result<impl std::fmt::Debug, Error>) -> TeeError {
    match result {
        Err(Error::Tee(error)) => error,
        other => panic!("expected a TEE error, got {other:?}"),
    }
}

// ---- the conversation ----

#[tokio::test]
async fn an_encrypted_conversation_streams_back_the_decrypted_answer() {
    let (server, enclave, client) = serve(Enclave::default()).await;
    let session = client.chat().e2ee(MODEL).await.unwrap();
    let request = ChatRequest::new(MODEL).system("Answer briefly.").user("What is 2+2?");
    let message = session.create_stream(request).await.unwrap().collect_message().await.unwrap();

    assert_eq!(message.content, "You asked: What is 2+2? — the answer is 4. 🌊");
    assert_eq!(message.finish_reason.as_deref(), Some("stop"));
    assert_eq!(message.usage.unwrap().completion_tokens, 6);
    assert_eq!(message.id, "chatcmpl-e2ee-1");
    assert_eq!(
        enclave.heard.lock().unwrap()[0],
        [("system".to_owned(), "Answer briefly.".to_owned()), ("user".to_owned(), "What is 2+2?".to_owned())]
    );
    assert_eq!(paths(&server), ["/api/v1/models", "/api/v1/tee/attestation", "/api/v1/chat/completions"]);
}

#[tokio::test]
async fn each_decrypted_chunk_feeds_a_streamed_message_as_a_plain_one_would() {
    let (_server, _enclave, client) = serve(Enclave::default()).await;
    let session = client.chat().e2ee(MODEL).await.unwrap();
    let mut stream = session.create_stream(ChatRequest::new(MODEL).user("hi")).await.unwrap();
    let mut message = StreamedMessage::new();
    let mut pieces = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        pieces.extend(chunk.content().map(str::to_owned));
        message.push(&chunk);
    }
    assert_eq!(pieces, ["", "You ", "asked: ", "hi", " — ", "the answer is 4. ", "🌊"]);
    assert_eq!(message.content, pieces.concat());
    assert_eq!(message.role.as_deref(), Some("assistant"));
}

#[tokio::test]
async fn the_request_is_streamed_with_the_three_headers_and_no_readable_prompt() {
    let (server, enclave, client) = serve(Enclave::default()).await;
    let session = client.chat().e2ee(MODEL).await.unwrap();
    session
        .create_stream(ChatRequest::new(MODEL).user("my secret question"))
        .await
        .unwrap()
        .collect_message()
        .await
        .unwrap();

    let chat = server.requests().pop().unwrap();
    assert_eq!(chat.header("x-venice-tee-client-pub-key"), Some(session.public_key()));
    assert_eq!(chat.header("x-venice-tee-model-pub-key"), Some(uncompressed_hex(&enclave.public_key()).as_str()));
    assert_eq!(chat.header("x-venice-tee-signing-algo"), Some("ecdsa"));
    assert_eq!(chat.header("authorization"), Some(format!("Bearer {}", common::API_KEY).as_str()));
    let body = chat.json();
    assert_eq!(body["stream"], true);
    assert_eq!(body["model"], MODEL);
    assert!(!String::from_utf8_lossy(&chat.body).contains("secret question"));
    let content = body["messages"][0]["content"].as_str().unwrap();
    assert!(content.len() >= 186 && content.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
}

#[tokio::test]
async fn a_multi_turn_conversation_encrypts_user_and_system_turns_and_keeps_earlier_answers() {
    let (server, enclave, client) = serve(Enclave::default()).await;
    let session = client.chat().e2ee(MODEL).await.unwrap();
    let request = ChatRequest::new(MODEL)
        .system("You are terse.")
        .user("Name a sea.")
        .assistant("The Adriatic.")
        .user("Another?")
        .tool_result("call_1", "{\"ok\":true}");
    session.create_stream(request).await.unwrap().collect_message().await.unwrap();

    let heard = enclave.heard.lock().unwrap()[0].clone();
    let texts: Vec<&str> = heard.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(texts, ["You are terse.", "Name a sea.", "The Adriatic.", "Another?", "{\"ok\":true}"]);
    let sent = server.requests().pop().unwrap().json();
    assert_eq!(sent["messages"][2]["content"], "The Adriatic.");
    assert_eq!(sent["messages"][4]["content"], "{\"ok\":true}");
}

#[tokio::test]
async fn one_session_serves_several_requests_with_one_attestation() {
    let (server, enclave, client) = serve(Enclave::default()).await;
    let session = client.chat().e2ee(MODEL).await.unwrap();
    for question in ["one", "two", "three"] {
        let answer = session.create_stream(ChatRequest::new(MODEL).user(question)).await.unwrap();
        assert!(answer.collect_message().await.unwrap().content.contains(question));
    }
    assert_eq!(enclave.heard.lock().unwrap().len(), 3);
    assert_eq!(paths(&server).iter().filter(|p| p.ends_with("/tee/attestation")).count(), 1);
}

#[tokio::test]
async fn a_long_answer_in_one_byte_pieces_decrypts_whole() {
    let long = "Venice 🌊 ünïcödé. ".repeat(2_000);
    let enclave = Enclave {
        reply: Box::new({
            let long = long.clone();
            move |_| long.chars().collect::<Vec<_>>().chunks(333).map(String::from_iter).collect()
        }),
        cuts: vec![1],
        ..Enclave::default()
    };
    let (_server, _enclave, client) = serve(enclave).await;
    let session = client.chat().e2ee(MODEL).await.unwrap();
    let message = session.create_stream(ChatRequest::new(MODEL).user("long")).await.unwrap().collect_message().await;
    assert_eq!(message.unwrap().content, long);
}

#[tokio::test]
async fn plain_or_short_hex_content_in_the_answer_passes_through_as_text() {
    let enclave = Enclave {
        reply: Box::new(|_| vec!["sealed".to_owned(), "plain".to_owned(), "cafe".to_owned()]),
        // The enclave sends the second and third pieces in the clear (the protocol allows it).
        tamper: Box::new(|i, sealed| match i {
            1 => "plain text ".to_owned(),
            2 => "cafe".repeat(20),
            _ => sealed,
        }),
        ..Enclave::default()
    };
    let (_server, _enclave, client) = serve(enclave).await;
    let session = client.chat().e2ee(MODEL).await.unwrap();
    let message = session.create_stream(ChatRequest::new(MODEL).user("x")).await.unwrap().collect_message().await;
    assert_eq!(message.unwrap().content, format!("sealedplain text {}", "cafe".repeat(20)));
}

#[tokio::test]
async fn a_corrupted_chunk_ends_the_stream_with_a_decryption_error() {
    let enclave = Enclave {
        tamper: Box::new(|i, sealed| {
            if i != 2 {
                return sealed;
            }
            // One flipped nibble in the ciphertext: the tag no longer matches.
            let mut bytes = sealed.into_bytes();
            let at = bytes.len() - 40;
            bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
            String::from_utf8(bytes).unwrap()
        }),
        ..Enclave::default()
    };
    let (_server, _enclave, client) = serve(enclave).await;
    let session = client.chat().e2ee(MODEL).await.unwrap();
    let items: Vec<_> = session.create_stream(ChatRequest::new(MODEL).user("x")).await.unwrap().collect().await;

    let texts: Vec<&str> = items.iter().take(3).map(|i| i.as_ref().unwrap().content().unwrap()).collect();
    assert_eq!(texts, ["", "You ", "asked: "]);
    assert_eq!(items.len(), 4, "nothing after the error: {items:?}");
    let error = items.into_iter().last().unwrap().unwrap_err();
    assert!(error.to_string().starts_with("Failed to decrypt field"), "{error}");
    assert!(matches!(error, Error::Tee(TeeError::Decrypt { .. })), "{error:?}");
}

#[tokio::test]
async fn a_hex_chunk_with_a_broken_sender_key_is_a_decryption_error_not_garbage() {
    let enclave = Enclave {
        tamper: Box::new(|i, sealed| if i == 0 { format!("04{}{}", "ff".repeat(64), &sealed[130..]) } else { sealed }),
        ..Enclave::default()
    };
    let (_server, _enclave, client) = serve(enclave).await;
    let session = client.chat().e2ee(MODEL).await.unwrap();
    let outcome = session.create_stream(ChatRequest::new(MODEL).user("x")).await.unwrap().collect_message().await;
    assert!(matches!(outcome, Err(Error::Tee(TeeError::Decrypt { .. }))), "{outcome:?}");
}

// ---- what is refused before anything is sent ----

#[tokio::test]
async fn a_plain_user_or_system_message_cannot_reach_the_enclave() {
    // The enclave answers a plain user or system message with `Encrypted field is not valid
    // hex`, as Venice does. Every shape a request can take either arrives encrypted or is
    // refused before sending: the enclave never has to refuse one.
    let (server, enclave, client) = serve(Enclave::default()).await;
    let session = client.chat().e2ee(MODEL).await.unwrap();
    let text_parts = json!({"role": "user", "content": [{"type": "text", "text": "part one"}, {"type": "text", "text": "part two"}]});
    let sendable = [
        ChatRequest::new(MODEL).user("plain string"),
        ChatRequest::new(MODEL).system("instructions").user("question"),
        ChatRequest::from(
            serde_json::from_value::<venice_api::types::ChatCompletionRequest>(
                json!({"model": MODEL, "messages": [text_parts]}),
            )
            .unwrap(),
        ),
    ];
    for request in sendable {
        session.create_stream(request).await.unwrap().collect_message().await.unwrap();
    }
    let from_json = |message: Value| {
        let body = json!({"model": MODEL, "messages": [{"role": "user", "content": "fine"}, message]});
        ChatRequest::from(serde_json::from_value::<venice_api::types::ChatCompletionRequest>(body).unwrap())
    };
    let refused = [
        ChatRequest::new(MODEL).user("fine").developer("developer instructions"),
        from_json(
            json!({"role": "user", "content": [{"type": "text", "text": "look"}, {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}),
        ),
        from_json(
            json!({"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}]}),
        ),
    ];
    for request in refused {
        match session.create_stream(request).await {
            Err(Error::InvalidArgument { argument: "messages", reason }) => {
                assert!(reason.starts_with("message 1: "), "{reason}");
            }
            other => panic!("expected the message to be refused before sending, got {other:?}"),
        }
    }
    let heard = enclave.heard.lock().unwrap().clone();
    assert_eq!(heard.len(), 3, "every sendable request reached the enclave encrypted and nothing else did");
    assert_eq!(heard[2][0].1, "part one\npart two");
    assert_eq!(paths(&server).iter().filter(|p| p.ends_with("/chat/completions")).count(), 3);
}

#[tokio::test]
async fn a_request_for_another_model_is_refused_before_sending() {
    let (server, _enclave, client) = serve(Enclave::default()).await;
    let session = client.chat().e2ee(MODEL).await.unwrap();
    let outcome = session.create_stream(ChatRequest::new("venice-uncensored").user("hi")).await;
    assert!(matches!(outcome, Err(Error::InvalidArgument { argument: "model", .. })), "{outcome:?}");
    assert!(!paths(&server).iter().any(|p| p.ends_with("/chat/completions")));
}

#[tokio::test]
async fn a_model_without_e2ee_is_refused_before_the_attestation_request() {
    let (server, _enclave, client) = serve(Enclave { lists_e2ee: false, ..Enclave::default() }).await;
    let error = tee_error(client.chat().e2ee(MODEL).await);
    assert_eq!(error, TeeError::E2eeUnsupported { model: MODEL.to_owned() });
    assert_eq!(paths(&server), ["/api/v1/models"]);
}

#[tokio::test]
async fn a_model_missing_from_the_list_is_refused_before_the_attestation_request() {
    let (server, _enclave, client) = serve(Enclave { lists_model: false, ..Enclave::default() }).await;
    let error = tee_error(client.chat().e2ee(MODEL).await);
    assert_eq!(error, TeeError::ModelNotListed { model: MODEL.to_owned() });
    assert_eq!(paths(&server), ["/api/v1/models"]);
}

// ---- attestation ----

#[tokio::test]
async fn attestation_returns_the_key_address_provider_and_raw_evidence() {
    let (server, enclave, client) = serve(Enclave::default()).await;
    let attestation = client.tee().attest(MODEL).await.unwrap();

    assert_eq!(attestation.signing_key().to_hex(), uncompressed_hex(&enclave.public_key()));
    assert_eq!(attestation.signing_address().to_string().to_ascii_lowercase(), ethereum_address(&enclave.public_key()));
    assert_eq!(attestation.tee_provider(), Some("intel-tdx+nvidia-cc"));
    assert_eq!(attestation.intel_quote(), Some("BAACAIEAAAAAAAAAk5pyM/ecTKmUCg2zlX8GBw=="));
    assert_eq!(attestation.nvidia_payload().unwrap()["arch"], "HOPPER");
    assert_eq!(attestation.model(), MODEL);
    // A field this crate does not know is kept.
    assert_eq!(serde_json::to_value(attestation.answer()).unwrap()["signing_algo"], "ecdsa");
    let request = &server.requests()[0];
    assert_eq!(request.header("authorization"), Some(format!("Bearer {}", common::API_KEY).as_str()));
}

#[tokio::test]
async fn each_attestation_sends_a_fresh_nonce_of_32_random_bytes() {
    let (server, _enclave, client) = serve(Enclave::default()).await;
    let first = client.tee().attest(MODEL).await.unwrap();
    let second = client.tee().attest(MODEL).await.unwrap();
    for attestation in [&first, &second] {
        assert_eq!(attestation.nonce().len(), 64);
        assert!(attestation.nonce().bytes().all(|b| b.is_ascii_hexdigit()));
    }
    assert_ne!(first.nonce(), second.nonce());
    assert!(server.requests()[0].path.contains(&format!("nonce={}", first.nonce())));
}

#[tokio::test]
async fn an_attestation_echoing_another_nonce_is_refused() {
    let enclave =
        Enclave { attestation: Box::new(|answer| answer["nonce"] = json!("ab".repeat(32))), ..Enclave::default() };
    let (server, _enclave, client) = serve(enclave).await;
    let error = tee_error(client.chat().e2ee(MODEL).await);
    assert!(matches!(&error, TeeError::NonceMismatch { echoed: Some(echoed), .. } if *echoed == "ab".repeat(32)));
    assert!(error.to_string().starts_with("Attestation nonce mismatch"), "{error}");
    assert!(!paths(&server).iter().any(|p| p.ends_with("/chat/completions")));
}

#[tokio::test]
async fn an_attestation_that_is_not_verified_is_refused() {
    for verified in [json!(false), json!(null), json!("true")] {
        let enclave = Enclave {
            attestation: Box::new(move |answer| answer["verified"] = verified.clone()),
            ..Enclave::default()
        };
        let (_server, _enclave, client) = serve(enclave).await;
        let outcome = client.tee().attest(MODEL).await;
        match outcome {
            Err(Error::Tee(error @ TeeError::NotVerified { .. })) => {
                assert!(error.to_string().starts_with("TEE attestation verification failed"), "{error}");
            }
            // A `verified` that is not a boolean at all does not decode: refused too.
            Err(Error::Decode { .. }) => {}
            other => panic!("expected the attestation to be refused, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_signing_key_without_its_04_prefix_is_used_with_it() {
    let enclave = Enclave {
        attestation: Box::new(|answer| {
            let key = answer["signing_key"].as_str().unwrap()[2..].to_owned();
            answer["signing_key"] = json!(key);
        }),
        ..Enclave::default()
    };
    let (server, enclave, client) = serve(enclave).await;
    let session = client.chat().e2ee(MODEL).await.unwrap();
    session.create_stream(ChatRequest::new(MODEL).user("hi")).await.unwrap().collect_message().await.unwrap();
    let full = uncompressed_hex(&enclave.public_key());
    assert_eq!(session.attestation().signing_key().to_hex(), full);
    assert_eq!(server.requests().pop().unwrap().header("x-venice-tee-model-pub-key"), Some(full.as_str()));
}

#[tokio::test]
async fn a_signing_key_that_is_not_a_curve_point_is_an_invalid_public_key() {
    let enclave = Enclave {
        attestation: Box::new(|answer| answer["signing_key"] = json!(format!("04{}", "12".repeat(64)))),
        ..Enclave::default()
    };
    let (_server, _enclave, client) = serve(enclave).await;
    let error = tee_error(client.tee().attest(MODEL).await);
    assert!(matches!(error, TeeError::InvalidPublicKey { .. }));
    assert!(error.to_string().starts_with("Invalid public key"), "{error}");
}

#[tokio::test]
async fn an_attestation_without_a_signing_key_is_refused_and_the_older_field_is_read() {
    let none = Enclave { attestation: Box::new(|answer| answer["signing_key"] = Value::Null), ..Enclave::default() };
    let (_server, _enclave, client) = serve(none).await;
    assert_eq!(tee_error(client.tee().attest(MODEL).await), TeeError::NoSigningKey);

    let older = Enclave {
        attestation: Box::new(|answer| {
            let key = answer.as_object_mut().unwrap().remove("signing_key").unwrap();
            answer["signing_public_key"] = key;
        }),
        ..Enclave::default()
    };
    let (_server, enclave, client) = serve(older).await;
    let attestation = client.tee().attest(MODEL).await.unwrap();
    assert_eq!(attestation.signing_key().to_hex(), uncompressed_hex(&enclave.public_key()));
}

// ---- Venice's documented refusals ----

#[tokio::test]
async fn venices_documented_refusals_surface_as_typed_rejections() {
    let cases = [
        ("TEE attestation verification failed", TeeRejection::VerificationFailed),
        ("Attestation nonce mismatch", TeeRejection::NonceMismatch),
        ("TDX debug mode detected", TeeRejection::DebugMode),
        ("Failed to decrypt field", TeeRejection::DecryptionFailed),
        ("E2EE requires streaming", TeeRejection::StreamingRequired),
        ("Encrypted field is not valid hex", TeeRejection::NotHex),
        ("Invalid public key", TeeRejection::InvalidPublicKey),
    ];
    for (message, rejection) in cases {
        let server = SseServer::respond_with(move |request| {
            if request.path.starts_with("/api/v1/models") {
                Answer::json(200, &Enclave::default().models())
            } else {
                Answer::json(400, &json!({"error": message}))
            }
        })
        .await;
        let client = Client::builder().api_key(common::API_KEY).base_url(server.base_url()).build().unwrap();
        let error = client.chat().e2ee(MODEL).await.unwrap_err();
        assert_eq!(error.tee_rejection(), Some(rejection), "{message}");
        let api = error.api().unwrap();
        assert_eq!((api.kind, api.message.as_str()), (ApiErrorKind::Tee(rejection), message));
        assert_eq!(rejection.to_string(), message);
    }
}

#[tokio::test]
async fn a_refusal_of_the_encrypted_request_surfaces_as_a_typed_rejection() {
    for (message, rejection) in [
        ("E2EE requires streaming", TeeRejection::StreamingRequired),
        ("Encrypted field is not valid hex", TeeRejection::NotHex),
        ("Invalid public key", TeeRejection::InvalidPublicKey),
        ("Failed to decrypt field", TeeRejection::DecryptionFailed),
    ] {
        let (_server, _enclave, client) = serve(Enclave { refuse_chat: Some(message), ..Enclave::default() }).await;
        let session = client.chat().e2ee(MODEL).await.unwrap();
        let error = session.create_stream(ChatRequest::new(MODEL).user("x")).await.unwrap_err();
        assert_eq!(error.tee_rejection(), Some(rejection), "{message}");
        assert_eq!(error.api().unwrap().message, message);
        assert_eq!(error.status(), Some(400));
    }
}

#[tokio::test]
async fn a_refusal_partway_through_the_stream_is_a_typed_rejection() {
    let (_server, _enclave, client) = serve(Enclave { fail_after: Some(2), ..Enclave::default() }).await;
    let session = client.chat().e2ee(MODEL).await.unwrap();
    let outcome = session.create_stream(ChatRequest::new(MODEL).user("x")).await.unwrap().collect_message().await;
    let error = outcome.unwrap_err();
    assert_eq!(error.api().map(|api| api.kind), Some(ApiErrorKind::Stream), "{error:?}");
    assert_eq!(error.tee_rejection(), Some(TeeRejection::DecryptionFailed));
}

// ---- signatures ----

#[tokio::test]
async fn a_signature_record_comes_back_as_sent() {
    let record = json!({"text": "abc:def", "signature": "0x1b2c", "signing_address": "0x00000000000000000000000000000000000000aa", "signing_algo": "ecdsa"});
    let server = SseServer::start(vec![Answer::json(200, &record)]).await;
    let client = Client::builder().api_key(common::API_KEY).base_url(server.base_url()).build().unwrap();
    let signature = client.tee().signature(MODEL, "chatcmpl-e2ee-1").await.unwrap();
    assert_eq!(Value::Object(signature.record.clone()), record);
    assert_eq!((signature.model.as_str(), signature.completion_id.as_str()), (MODEL, "chatcmpl-e2ee-1"));
    let request = &server.requests()[0];
    let url = reqwest::Url::parse(&format!("http://mock{}", request.path)).unwrap();
    assert_eq!(url.path(), "/api/v1/tee/signature");
    let query: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    assert_eq!(
        query,
        [("model".to_owned(), MODEL.to_owned()), ("request_id".to_owned(), "chatcmpl-e2ee-1".to_owned())]
    );
}

#[tokio::test]
async fn an_empty_completion_id_is_refused_before_sending() {
    let server = SseServer::start(vec![Answer::json(200, &json!({}))]).await;
    let client = Client::builder().api_key(common::API_KEY).base_url(server.base_url()).build().unwrap();
    let outcome = client.tee().signature(MODEL, " ").await;
    assert!(matches!(outcome, Err(Error::InvalidArgument { argument: "completion_id", .. })), "{outcome:?}");
    assert!(server.requests().is_empty());
}

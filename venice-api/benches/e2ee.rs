//! The cost of end-to-end encryption: a streamed answer of 1,000 chunks read through an E2EE
//! session (each chunk decrypted) against the same answer read as a plain stream, from the
//! same loopback server in the same run; and a 100 kB prompt sent encrypted against the same
//! prompt sent plain.
//!
//! The server plays the enclave: it attests with its own key and seals each chunk to the key
//! the session sends, once per session key (the sealing is not measured). The protocol gives
//! each chunk its own one-off sender key, so each costs the client one ECDH; the
//! `e2ee-one-sender-key` figure is an enclave that seals every chunk with one key, which the
//! client then agrees on once.
//!
//! `cargo xtask bench` runs this and prints the ratios against the plain stream.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use futures_util::StreamExt;
use hkdf::Hkdf;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use k256::{PublicKey, SecretKey};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use venice_api::chat::ChatRequest;

/// Content deltas in the streamed answer.
const STREAM_CHUNKS: usize = 1_000;
/// Size of the prompt of the encryption figure.
const PROMPT_BYTES: usize = 100_000;
/// Models the server lists as taking E2EE: one sealing each chunk with a fresh sender key,
/// one sealing all with the same key, one answering with an empty stream (for the prompt).
const FRESH_KEYS: &str = "e2ee-bench-fresh-keys";
const ONE_KEY: &str = "e2ee-bench-one-key";
const PROMPT: &str = "e2ee-bench-prompt";

fn agreed(secret: &SecretKey, public: &PublicKey) -> Aes256Gcm {
    let shared = k256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), public.as_affine());
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(None, shared.raw_secret_bytes()).expand(b"ecdsa_encryption", &mut key).unwrap();
    Aes256Gcm::new(&key.into())
}

fn seal(one_off: &SecretKey, recipient: &PublicKey, text: &str) -> String {
    let mut nonce = [0u8; 12];
    OsRng.fill_bytes(&mut nonce);
    let sealed = agreed(one_off, recipient).encrypt(Nonce::from_slice(&nonce), text.as_bytes()).unwrap();
    let mut out = one_off.public_key().to_encoded_point(false).as_bytes().to_vec();
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    hex::encode(out)
}

/// The enclave's side: attestation, and the sealed events of each session key, made once.
struct Enclave {
    secret: SecretKey,
    models: Bytes,
    sealed: Mutex<HashMap<(String, bool), Vec<Bytes>>>,
}

impl Enclave {
    fn new() -> Self {
        let mut list: serde_json::Value = serde_json::from_slice(&support::fixture("listModels")).unwrap();
        let template = list["data"][0].clone();
        for id in [FRESH_KEYS, ONE_KEY, PROMPT] {
            let mut entry = template.clone();
            entry["id"] = id.into();
            entry["model_spec"]["capabilities"]["supportsE2EE"] = true.into();
            entry["model_spec"]["capabilities"]["supportsTeeAttestation"] = true.into();
            list["data"].as_array_mut().unwrap().push(entry);
        }
        Enclave { secret: SecretKey::random(&mut OsRng), models: list.to_string().into(), sealed: Mutex::default() }
    }

    fn handle(&self, parts: &hyper::http::request::Parts, body: &Bytes) -> Option<hyper::Response<support::Body>> {
        match parts.uri.path() {
            "/api/v1/models" => Some(support::json(self.models.clone())),
            "/api/v1/tee/attestation" => {
                let query = parts.uri.query().unwrap_or_default();
                let param = |name: &str| {
                    query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')).unwrap_or_default()
                };
                let key = hex::encode(self.secret.public_key().to_encoded_point(false).as_bytes());
                let answer = serde_json::json!({
                    "verified": true, "nonce": param("nonce"), "model": param("model"),
                    "tee_provider": "bench", "signing_key": key,
                });
                Some(support::json(answer.to_string().into()))
            }
            "/api/v1/chat/completions" => {
                let text = std::str::from_utf8(body).ok()?;
                if text.contains(PROMPT) {
                    return Some(support::event_stream(vec![Bytes::from_static(b"data: [DONE]\n\n")]));
                }
                let client_key = parts.headers.get("x-venice-tee-client-pub-key")?.to_str().ok()?.to_owned();
                let one_key = text.contains(ONE_KEY);
                let mut sealed = self.sealed.lock().unwrap();
                let events = sealed.entry((client_key.clone(), one_key)).or_insert_with(|| {
                    let recipient = PublicKey::from_sec1_bytes(&hex::decode(&client_key).unwrap()).unwrap();
                    let shared_one_off = SecretKey::random(&mut OsRng);
                    support::chat_events_with(STREAM_CHUNKS, |i| {
                        let one_off = if one_key { shared_one_off.clone() } else { SecretKey::random(&mut OsRng) };
                        seal(&one_off, &recipient, &format!("token{i} "))
                    })
                });
                Some(support::event_stream(events.clone()))
            }
            _ => None,
        }
    }
}

struct Setup {
    runtime: tokio::runtime::Runtime,
    venice: venice_api::Client,
}

fn setup() -> Setup {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let enclave = Arc::new(Enclave::new());
    let answers = support::Answers {
        api_keys: Bytes::new(),
        chat: Bytes::new(),
        chat_events: support::chat_events(STREAM_CHUNKS),
        download_bytes: 0,
        handler: Some(Arc::new(move |parts, body| enclave.handle(parts, body))),
    };
    let address = support::start(answers);
    let venice = venice_api::Client::builder()
        .api_key("bench-key")
        .base_url(format!("http://{address}/api/v1"))
        .build()
        .unwrap();
    Setup { runtime, venice }
}

async fn drain(mut stream: venice_api::chat::ChatStream) {
    let mut chunks = 0;
    while let Some(chunk) = stream.next().await {
        chunk.unwrap();
        chunks += 1;
    }
    assert_eq!(chunks, STREAM_CHUNKS + 1);
}

fn e2ee_stream(c: &mut Criterion, s: &Setup) {
    let fresh = s.runtime.block_on(s.venice.chat().e2ee(FRESH_KEYS)).unwrap();
    let one = s.runtime.block_on(s.venice.chat().e2ee(ONE_KEY)).unwrap();
    let mut group = c.benchmark_group("e2ee_stream");
    group.throughput(Throughput::Elements(STREAM_CHUNKS as u64 + 1));
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("client", "plain"), |b| {
        b.to_async(&s.runtime).iter(|| async {
            drain(
                s.venice.chat().create_stream(ChatRequest::new("venice-uncensored").user("Say hello.")).await.unwrap(),
            )
            .await
        })
    });
    for (name, session) in [("e2ee", &fresh), ("e2ee-one-sender-key", &one)] {
        group.bench_function(BenchmarkId::new("client", name), |b| {
            b.to_async(&s.runtime).iter(|| async {
                drain(session.create_stream(ChatRequest::new(session.model()).user("Say hello.")).await.unwrap()).await
            })
        });
    }
    group.finish();
}

fn e2ee_prompt(c: &mut Criterion, s: &Setup) {
    let session = s.runtime.block_on(s.venice.chat().e2ee(PROMPT)).unwrap();
    let prompt = "All work and no play makes a long prompt. ".repeat(PROMPT_BYTES / 42 + 1)[..PROMPT_BYTES].to_owned();
    let mut group = c.benchmark_group("e2ee_prompt");
    group.throughput(Throughput::Bytes(PROMPT_BYTES as u64));
    // Both answered with an empty stream: what differs is the request.
    group.bench_function(BenchmarkId::new("client", "plain"), |b| {
        b.to_async(&s.runtime).iter(|| async {
            let stream = s.venice.chat().create_stream(ChatRequest::new(PROMPT).user(prompt.as_str())).await.unwrap();
            stream.collect_message().await.unwrap()
        })
    });
    group.bench_function(BenchmarkId::new("client", "e2ee"), |b| {
        b.to_async(&s.runtime).iter(|| async {
            let stream = session.create_stream(ChatRequest::new(PROMPT).user(prompt.as_str())).await.unwrap();
            stream.collect_message().await.unwrap()
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let setup = setup();
    e2ee_stream(c, &setup);
    e2ee_prompt(c, &setup);
}

criterion_group!(e2ee, benches);
criterion_main!(e2ee);

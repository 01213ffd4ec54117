//! The API key and a wallet's private key never show: not in the `Debug` of the client, its
//! builder or the signer, not in any error (`Display`, `Debug`, or its sources) of a failed
//! call, not in anything the stack logs at TRACE level while calls fail, and not on the wire
//! except in the `Authorization` header of a keyed call to where the client was pointed. The
//! secret of a key just created or minted shows only through `expose_secret`, even when the
//! answer is broken. Nor do a wallet's sign-ins (`SIGN-IN-WITH-X`) and payments
//! (`PAYMENT-SIGNATURE`) and the signatures in them, which act for the wallet until they expire.
//!
//! A `log` logger and a `tracing` subscriber capture everything the whole stack emits (reqwest
//! logs through `log`, hyper-util through `tracing`) for the whole test binary.

#![cfg(feature = "api-keys")]

mod common;

use std::fmt::Write as _;
use std::sync::{Mutex, Once};
use std::time::Duration;

use common::API_KEY;
use common::scripted::{Reply, ScriptedServer, Seen};
use serde_json::json;
use venice_api::api_keys::{CreateApiKey, CreatedApiKey};
use venice_api::types::ApiKeyType;
use venice_api::web3::LocalSigner;
use venice_api::{Client, Error, ExposeSecret as _, Response};

/// Hardhat/Anvil account #0: a published test key, never used for funds.
const WALLET_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// Fails when `text` holds any part of a secret long enough to identify it.
#[track_caller]
fn assert_clean(context: &str, text: &str) {
    let lower = text.to_ascii_lowercase();
    for secret in [API_KEY, &API_KEY[8..], WALLET_KEY, &WALLET_KEY[..16], &WALLET_KEY[48..]] {
        assert!(!lower.contains(&secret.to_ascii_lowercase()), "{context} shows a secret: {text}");
    }
}

/// `Display`, `Debug` and alternate `Debug` of `error` and of every source under it.
fn everything_about(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = String::new();
    let mut next = Some(error);
    while let Some(error) = next {
        let _ = write!(text, "{error}\n{error:?}\n{error:#?}\n");
        next = error.source();
    }
    text
}

fn keyed(base_url: &str, configure: impl FnOnce(venice_api::ClientBuilder) -> venice_api::ClientBuilder) -> Client {
    configure(Client::builder().api_key(API_KEY).base_url(base_url).timeout(Duration::from_secs(2)).max_retries(0))
        .build()
        .unwrap()
}

fn wallet() -> LocalSigner {
    LocalSigner::from_hex(WALLET_KEY).unwrap()
}

/// Fails the test when `body` takes longer than `seconds`.
async fn within<F: std::future::Future>(seconds: u64, body: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(seconds), body).await.expect("the test hung")
}

/// A port nothing listens on (almost certainly).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The key may travel only as the bearer token of a keyed call.
fn assert_key_only_in_authorization(requests: &[Seen]) {
    for request in requests {
        assert_clean("a request path", &request.path);
        assert_clean("a request body", &String::from_utf8_lossy(&request.body));
        for (name, value) in &request.headers {
            if name != "authorization" {
                assert_clean("a request header", value);
            } else {
                assert_eq!(value, &format!("Bearer {API_KEY}"));
            }
        }
    }
}

// --- capture of logs and traces ---------------------------------------------------------

static CAPTURED: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Logger;

impl log::Log for Logger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        CAPTURED.lock().unwrap().push(format!("log {} {}: {}", record.level(), record.target(), record.args()));
    }

    fn flush(&self) {}
}

/// Records every span and event with all its fields.
struct Subscriber {
    next_id: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

impl tracing::Subscriber for Subscriber {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = Fields::default();
        span.record(&mut fields);
        CAPTURED.lock().unwrap().push(format!("span {}:{}", span.metadata().name(), fields.0));
        tracing::span::Id::from_u64(self.next_id.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
    }

    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut fields = Fields::default();
        values.record(&mut fields);
        CAPTURED.lock().unwrap().push(format!("span record:{}", fields.0));
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let meta = event.metadata();
        CAPTURED.lock().unwrap().push(format!("tracing {} {}:{}", meta.level(), meta.target(), fields.0));
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

/// Installs the capture once for the whole binary, at TRACE level.
fn capture_everything() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&Logger).expect("no other logger");
        log::set_max_level(log::LevelFilter::Trace);
        tracing::dispatcher::set_global_default(tracing::Dispatch::new(Subscriber {
            next_id: std::sync::atomic::AtomicU64::new(1),
        }))
        .expect("no other subscriber");
    });
}

// --- Debug of the client, the builder and the signer -----------------------------------

#[test]
fn the_builder_and_the_client_never_show_the_api_key() {
    let builder = Client::builder().api_key(API_KEY).base_url("https://api.venice.ai/api/v1");
    assert_clean("the builder", &format!("{builder:?} {builder:#?}"));

    let client = builder.build().unwrap();
    assert_clean("the client", &format!("{client:?} {client:#?} {:?}", client.clone()));
    assert_clean("the API Keys resource", &format!("{:?}", client.api_keys()));
    assert_clean("the raw client", &format!("{:?}", client.raw()));
}

#[test]
fn the_signer_never_shows_its_key() {
    let signer = wallet();
    let text = format!("{signer:?} {signer:#?}");
    assert_clean("the signer", &text);
    assert!(text.contains("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), "{text}");
}

#[test]
fn a_refused_private_key_is_not_repeated_in_the_error() {
    let mut not_hex = WALLET_KEY.to_owned();
    not_hex.replace_range(63.., "z");
    let cases = [
        not_hex,
        WALLET_KEY[..62].to_owned(),
        format!("{WALLET_KEY}00"),
        format!("0x{}", "f".repeat(64)), // not below the curve order
    ];
    for case in cases {
        let error = LocalSigner::from_hex(&case).unwrap_err();
        assert_clean("a signer error", &everything_about(&error));
        assert!(!everything_about(&error).contains(&case[2..40]), "{error}");
    }
}

// --- errors of failed calls -------------------------------------------------------------

#[tokio::test]
async fn errors_of_failed_calls_never_show_the_api_key() {
    capture_everything();
    within(10, async {
        let cases: Vec<(&str, Reply)> = vec![
            ("401", Reply::json(401, &json!({"error": "Authentication failed"}))),
            ("500", Reply::json(500, &json!({"error": "Internal server error"}))),
            ("decode", Reply::text(200, "application/json", "{\"data\": [")),
            ("html", Reply::text(502, "text/html", "<html>Bad gateway</html>")),
            ("reset", Reply::Reset),
            ("silence", Reply::Silence),
        ];
        for (name, reply) in cases {
            let server = ScriptedServer::sequence(vec![reply]);
            let client = keyed(&server.base_url(), |b| b.timeout(Duration::from_millis(200)));

            let list = client.api_keys().list().await.unwrap_err();
            let create = client.api_keys().create(CreateApiKey::inference("hygiene")).await.unwrap_err();

            assert_clean(name, &everything_about(&list));
            assert_clean(name, &everything_about(&create));
            assert_key_only_in_authorization(&server.requests());
            assert!(!server.requests().is_empty(), "{name}: the calls reached the server");
        }
    })
    .await;
}

#[tokio::test]
async fn errors_of_calls_that_never_connect_never_show_the_api_key() {
    capture_everything();
    within(10, async {
        let client = keyed(&format!("http://127.0.0.1:{}/api/v1", closed_port()), |b| b);

        let error = client.api_keys().list().await.unwrap_err();

        assert!(matches!(error, Error::Transport { .. }), "{error:?}");
        assert_clean("connection refused", &everything_about(&error));
    })
    .await;
}

#[tokio::test]
async fn errors_of_a_failed_wallet_mint_never_show_either_secret() {
    capture_everything();
    within(10, async {
        let token = json!({"data": {"token": "eyJhbGciOiJIUzI1NiJ9.token.sig"}, "success": true});
        for refusal in [
            Reply::json(400, &json!({"error": "Wallet signature does not match"})),
            Reply::json(500, &json!({"error": "Internal server error"})),
            Reply::Reset,
        ] {
            let token = token.clone();
            let server = ScriptedServer::start(move |request, _| match request.method.as_str() {
                "GET" => Reply::json(200, &token),
                _ => refusal.clone(),
            });
            let client =
                Client::builder().without_api_key().base_url(server.base_url()).max_retries(0).build().unwrap();
            let signer = wallet();

            let error = client.api_keys().mint_with_wallet(&signer, ApiKeyType::Inference).send().await.unwrap_err();

            assert_clean("a failed mint", &everything_about(&error));
            let requests = server.requests();
            assert_eq!(requests.len(), 2, "a token and a proof");
            assert_key_only_in_authorization(&requests);
            assert!(requests.iter().all(|r| r.header("authorization").is_none()), "a wallet call sends no key");
        }
    })
    .await;
}

// --- the secret of a key just created or minted ------------------------------------------

/// The secret of the key the test server creates or mints.
const NEW_KEY: &str = "vk-NEWKEY-7c1e9a44d02b6f38e5";

/// Fails when `text` holds the new key's secret, or either half of it.
#[track_caller]
fn assert_new_key_hidden(context: &str, text: &str) {
    for part in [NEW_KEY, &NEW_KEY[..12], &NEW_KEY[12..]] {
        assert!(!text.contains(part), "{context} shows the new key's secret: {text}");
    }
}

/// A create or mint answer shaped as the seed pages document it (the two answers are alike),
/// holding [`NEW_KEY`].
fn seed_answer() -> serde_json::Value {
    json!({
        "data": {
            "apiKey": NEW_KEY,
            "apiKeyType": "ADMIN",
            "consumptionLimit": {"usd": 50, "diem": 10, "vcu": 30},
            "limitPeriod": "MONTH",
            "expiresAt": "2023-10-01T12:00:00.000Z",
            "id": "e28e82dc-9df2-4b47-b726-d0a222ef2ab5",
            "description": "Example API Key"
        },
        "success": true
    })
}

/// The seed answer broken three ways: a field of a shape the generated type refuses (the key
/// can still be read), no id (it cannot), and cut short just after the secret (not JSON).
fn broken_answers() -> Vec<(&'static str, Reply)> {
    let mut odd_field = seed_answer();
    odd_field["data"]["consumptionLimit"] = json!("fifty dollars");
    let mut no_id = seed_answer();
    no_id["data"].as_object_mut().unwrap().remove("id");
    let whole = seed_answer().to_string();
    let cut = whole[..whole.find(NEW_KEY).unwrap() + NEW_KEY.len() + 8].to_owned();
    vec![
        ("a field of an unknown shape", Reply::json(200, &odd_field)),
        ("no id", Reply::json(200, &no_id)),
        ("cut short", Reply::text(200, "application/json", cut)),
    ]
}

/// Checks that `result` never shows the new key, and returns what its explicit way out (the
/// created key's `expose_secret`, or the error's `raw_body`) gives.
#[track_caller]
fn exposed_after_hiding_checks(name: &str, result: &venice_api::Result<Response<CreatedApiKey>>) -> String {
    assert_new_key_hidden(name, &format!("{result:?}\n{result:#?}"));
    match result {
        Ok(created) => {
            assert_new_key_hidden(name, &format!("{created:?} {:?} {:?}", created.api_key, created.fields));
            created.api_key.expose_secret().to_owned()
        }
        Err(error) => {
            assert_new_key_hidden(name, &everything_about(error));
            let raw = error.raw_body().unwrap_or_else(|| panic!("{name}: the body of a creating call is kept"));
            assert_new_key_hidden(name, &format!("{raw:?}"));
            String::from_utf8_lossy(raw.expose_secret()).into_owned()
        }
    }
}

#[tokio::test]
async fn a_broken_create_answer_shows_the_new_secret_only_where_it_is_asked_for() {
    capture_everything();
    within(10, async {
        for (name, reply) in broken_answers() {
            let server = ScriptedServer::sequence(vec![reply]);
            let client = keyed(&server.base_url(), |b| b);

            let result = client.api_keys().create(CreateApiKey::inference("hygiene")).await;

            assert!(exposed_after_hiding_checks(name, &result).contains(NEW_KEY), "{name}: the secret is reachable");
        }
    })
    .await;
    for line in CAPTURED.lock().unwrap().iter() {
        assert_new_key_hidden("a log line", line);
    }
}

#[tokio::test]
async fn a_broken_mint_answer_shows_the_new_secret_only_where_it_is_asked_for() {
    capture_everything();
    within(10, async {
        for (name, reply) in broken_answers() {
            let token = json!({"data": {"token": "eyJhbGciOiJIUzI1NiJ9.token.sig"}, "success": true});
            let server = ScriptedServer::start(move |request, _| match request.method.as_str() {
                "GET" => Reply::json(200, &token),
                _ => reply.clone(),
            });
            let client =
                Client::builder().without_api_key().base_url(server.base_url()).max_retries(0).build().unwrap();
            let signer = wallet();

            let result = client.api_keys().mint_with_wallet(&signer, ApiKeyType::Inference).send().await;

            assert!(exposed_after_hiding_checks(name, &result).contains(NEW_KEY), "{name}: the secret is reachable");
            assert_clean(name, &format!("{result:?}"));
        }
    })
    .await;
    for line in CAPTURED.lock().unwrap().iter() {
        assert_new_key_hidden("a log line", line);
    }
}

// --- logs and traces --------------------------------------------------------------------

#[tokio::test]
async fn trace_logs_of_failing_calls_never_show_a_secret() {
    capture_everything();
    // Prove the capture works, whatever the stack emits.
    log::trace!(target: "secret_hygiene", "capture check through log");
    tracing::trace!(target: "secret_hygiene", check = "through tracing", "capture check");
    within(10, async {
        let server = ScriptedServer::sequence(vec![
            Reply::json(401, &json!({"error": "Authentication failed"})),
            Reply::json(500, &json!({"error": "Internal server error"})),
            Reply::Reset,
            Reply::Silence,
        ]);
        let client = keyed(&server.base_url(), |b| b.timeout(Duration::from_millis(200)));
        for _ in 0..4 {
            let error = client.api_keys().list().await.unwrap_err();
            assert_clean("an error", &everything_about(&error));
        }
        let refused = keyed(&format!("http://127.0.0.1:{}/api/v1", closed_port()), |b| b);
        assert!(refused.api_keys().list().await.is_err());
    })
    .await;

    let captured = CAPTURED.lock().unwrap().clone();
    assert!(captured.iter().any(|line| line.contains("capture check through log")), "{captured:#?}");
    assert!(captured.iter().any(|line| line.contains("through tracing")), "{captured:#?}");
    let from_the_stack = captured.iter().filter(|line| !line.contains("secret_hygiene")).count();
    println!("captured {} lines, {from_the_stack} from the stack; a few:", captured.len());
    for line in captured.iter().filter(|line| !line.contains("secret_hygiene")).take(8) {
        println!("  {line}");
    }
    assert!(from_the_stack > 0, "the stack logged nothing at TRACE: is the capture wired? {captured:#?}");
    for line in &captured {
        assert_clean("a log line", line);
    }
}

// --- where the key may go ---------------------------------------------------------------

#[tokio::test]
async fn a_bearer_key_is_refused_over_plain_http_to_a_non_loopback_host_before_any_connection() {
    within(10, async {
        let server = ScriptedServer::sequence(vec![Reply::json(
            200,
            &json!({"data": {"token": "eyJhbGciOiJIUzI1NiJ9.token.sig"}, "success": true}),
        )]);
        // The same listener, named by an address the client does not take for loopback (an
        // IPv4-mapped IPv6 address), so that a connection, if one were made, would be seen.
        let disguised = format!("http://[::ffff:127.0.0.1]:{}/api/v1", server.port());

        let refused = Client::builder().api_key(API_KEY).base_url(&disguised).build();

        match refused {
            Err(Error::Config(message)) => assert!(message.contains("plain http"), "{message}"),
            other => panic!("expected the key to be refused over plain http, got {other:?}"),
        }
        for host in ["http://api.venice.ai/api/v1", "http://10.0.0.1/api/v1", "http://localhost.example.com"] {
            let refused = Client::builder().api_key(API_KEY).base_url(host).build();
            assert!(matches!(refused, Err(Error::Config(_))), "{host}: {refused:?}");
        }
        // A keyless client may use that address, and its connection does reach the listener:
        // so nothing but the refusal kept the keyed client from connecting.
        let keyless = Client::builder().without_api_key().base_url(&disguised).max_retries(0).build().unwrap();
        let _ = keyless.api_keys().mint_with_wallet(&wallet(), ApiKeyType::Inference).send().await;
        let requests = server.requests();
        println!(
            "keyless call through {disguised}: {} connection(s), {} request(s)",
            server.accepted(),
            requests.len()
        );
        assert!(server.accepted() >= 1, "the disguised address reaches the listener");
        assert!(requests.iter().all(|r| r.header("authorization").is_none()), "no key was ever sent");
    })
    .await;
}

#[tokio::test]
async fn a_redirect_to_another_host_does_not_carry_the_key() {
    within(10, async {
        let elsewhere = ScriptedServer::sequence(vec![Reply::json(200, &common::fixture("getApiKeys"))]);
        let target = format!("{}/api_keys", elsewhere.base_url());
        let redirecting = ScriptedServer::sequence(vec![Reply::Answer {
            status: 307,
            headers: vec![("location".into(), target)],
            body: Vec::new(),
        }]);
        let client = keyed(&redirecting.base_url(), |b| b);

        let _ = client.api_keys().list().await;

        assert_eq!(redirecting.requests()[0].header("authorization"), Some(format!("Bearer {API_KEY}").as_str()));
        let followed = elsewhere.requests();
        println!("redirect followed: {} request(s) at the other host", followed.len());
        assert!(followed.iter().all(|r| r.header("authorization").is_none()), "{followed:?}");
        assert_key_only_in_authorization(&followed);
    })
    .await;
}

// --- a wallet's sign-ins and payments --------------------------------------------------

#[cfg(feature = "x402")]
mod wallet_payments {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use venice_api::web3::SignInWithX;
    use venice_api::x402::{TransactionsPage, Usdc};

    use super::*;

    /// Where a wallet's secrets may leak from: the headers a server saw, and the signatures
    /// inside them, each whole and as its first and last 32 characters.
    fn wallet_secrets(requests: &[Seen]) -> Vec<String> {
        let mut secrets = Vec::new();
        for request in requests {
            for name in ["sign-in-with-x", "payment-signature"] {
                let Some(header) = request.header(name) else { continue };
                let json: serde_json::Value = serde_json::from_slice(&STANDARD.decode(header).unwrap()).unwrap();
                let signature = json["signature"].as_str().or(json["payload"]["signature"].as_str()).unwrap();
                for secret in [header, &signature[2..]] {
                    secrets.extend([
                        secret.to_owned(),
                        secret[..32].to_owned(),
                        secret[secret.len() - 32..].to_owned(),
                    ]);
                }
            }
        }
        assert!(!secrets.is_empty(), "the calls signed in or paid");
        secrets
    }

    #[track_caller]
    fn assert_without(context: &str, text: &str, secrets: &[String]) {
        assert_clean(context, text);
        for secret in secrets {
            assert!(!text.contains(secret.as_str()), "{context} shows a sign-in or payment: {text}");
        }
    }

    fn wallet_client(base_url: &str) -> Client {
        Client::builder()
            .wallet(wallet())
            .base_url(base_url)
            .timeout(Duration::from_millis(300))
            .max_retries(0)
            .build()
            .unwrap()
    }

    fn requirements() -> Reply {
        let accepts = json!([{
            "scheme": "exact", "network": "eip155:8453", "amount": "5000000",
            "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
            "payTo": "0x45b73055f3adcc4577bb709db10b19d11b5c94ee", "maxTimeoutSeconds": 300,
            "extra": {"name": "USD Coin", "version": "2"}
        }]);
        Reply::json(402, &json!({"x402Version": 2, "accepts": accepts}))
    }

    #[tokio::test]
    async fn a_wallet_client_and_its_sign_in_never_show_the_key_or_the_header() {
        let builder = Client::builder().wallet(wallet()).base_url("https://api.venice.ai/api/v1");
        assert_clean("the builder", &format!("{builder:?} {builder:#?}"));
        let client = builder.build().unwrap();
        let shown = format!("{client:?} {client:#?} {:?}", client.x402());
        assert_clean("the client", &shown);
        assert!(shown.contains("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), "{shown}");

        let sign_in = SignInWithX::sign(&wallet()).await.unwrap();
        let header = sign_in.expose_header_value().to_owned();
        let json: serde_json::Value = serde_json::from_slice(&STANDARD.decode(&header).unwrap()).unwrap();
        let signature = json["signature"].as_str().unwrap();
        let shown = format!("{sign_in:?} {sign_in:#?}");
        for secret in [header.as_str(), &signature[2..], &signature[2..34]] {
            assert!(!shown.contains(secret), "the sign-in's Debug shows it: {shown}");
        }
        assert!(shown.contains("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), "{shown}");
    }

    #[tokio::test]
    async fn errors_and_logs_of_failed_wallet_calls_never_show_a_sign_in_or_a_payment() {
        capture_everything();
        within(20, async {
            let failures = vec![
                Reply::json(401, &json!({"error": "Invalid or expired SIWX payload"})),
                Reply::json(500, &json!({"error": "SETTLEMENT_FAILED", "message": "Settlement failed"})),
                Reply::text(200, "application/json", "{\"data\": ["),
                Reply::Reset,
                Reply::Silence,
            ];
            for failure in failures {
                let server = ScriptedServer::start(move |request, _| {
                    if request.method == "POST" && request.header("payment-signature").is_none() {
                        requirements()
                    } else {
                        failure.clone()
                    }
                });
                let client = wallet_client(&server.base_url());

                let errors = [
                    client.x402().balance().await.unwrap_err(),
                    client.x402().transactions(TransactionsPage::new()).await.unwrap_err(),
                    client.x402().top_up(Usdc::dollars(5)).await.unwrap_err(),
                ];

                let requests = server.requests();
                assert!(requests.iter().any(|r| r.header("payment-signature").is_some()), "a payment was sent");
                assert!(requests.iter().all(|r| r.header("authorization").is_none()), "a wallet client sends no key");
                let secrets = wallet_secrets(&requests);
                for error in &errors {
                    assert_without("an error", &everything_about(error), &secrets);
                }
                let captured = CAPTURED.lock().unwrap().clone();
                for line in &captured {
                    assert_without("a log line", line, &secrets);
                }
            }
        })
        .await;
    }
}

//! What the facade's wiremock tests share: a mock server, clients pointed at it, fixtures.

#![allow(dead_code, reason = "each test file uses a different part")]

pub mod scripted;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use venice_api::{Client, ClientBuilder};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

/// The API key the test clients send.
pub const API_KEY: &str = "vk-test-5f1c9a0e4b7d2c8a";

/// The base URL of `server` with the API's `/api/v1` stem, as users configure it.
pub fn base_url(server: &MockServer) -> String {
    format!("{}/api/v1", server.uri())
}

/// A client with the test key, pointed at `server`, otherwise as `configure` makes it.
pub fn client_with(server: &MockServer, configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Client {
    configure(Client::builder().api_key(API_KEY).base_url(base_url(server)).timeout(Duration::from_secs(5)))
        .build()
        .expect("test client builds")
}

/// Hardhat/Anvil account #0: a published test key, never used for funds.
pub const WALLET_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// The address of [`WALLET_KEY`], EIP-55 checksummed.
pub const WALLET_ADDRESS: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

/// A client with only a wallet (the signer of [`WALLET_KEY`] unless `configure` gives
/// another), pointed at `server`.
pub fn wallet_client_with(server: &MockServer, configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Client {
    let signer = venice_api::web3::LocalSigner::from_hex(WALLET_KEY).expect("the test key is valid");
    configure(Client::builder().wallet(signer).base_url(base_url(server)).timeout(Duration::from_secs(5)))
        .build()
        .expect("test wallet client builds")
}

/// A client with the test key and default retry policy, pointed at `server`.
pub fn client(server: &MockServer) -> Client {
    client_with(server, |builder| builder)
}

/// The checked-in response body of `operation_id`, from the workspace's tests/fixtures.
pub fn fixture(operation_id: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/responses")
        .join(format!("{operation_id}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A 200 answer with the fixture of `operation_id`.
pub fn ok_fixture(operation_id: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(fixture(operation_id))
}

/// Serves its answers in order, then repeats the last one.
pub struct Sequence(Mutex<Vec<ResponseTemplate>>);

impl Sequence {
    pub fn new(answers: impl IntoIterator<Item = ResponseTemplate>) -> Self {
        let mut answers: Vec<_> = answers.into_iter().collect();
        answers.reverse();
        assert!(!answers.is_empty());
        Sequence(Mutex::new(answers))
    }
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut answers = self.0.lock().unwrap();
        if answers.len() > 1 { answers.pop().unwrap() } else { answers[0].clone() }
    }
}

/// The requests `server` received, in order.
pub async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("request recording is on")
}

/// The `Authorization` header of `request`, if any.
pub fn authorization(request: &Request) -> Option<String> {
    request.headers.get("authorization").map(|v| v.to_str().unwrap().to_owned())
}

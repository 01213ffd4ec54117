//! Each facade call, given only what it requires, sends only that: no default the spec states
//! (the server applies its own), no `false` or zero the caller never chose.
//!
//! One snapshot pins the body of every JSON call with its minimal arguments, and each call's
//! keys are checked against the ones its arguments set.

#![cfg(feature = "full")]

mod common;

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;
use venice_api::Client;
use venice_api::api_keys::{CreateApiKey, UpdateApiKey};
use venice_api::audio::Speech;
use venice_api::augment::WebSearch;
use venice_api::chat::ChatRequest;
use venice_api::crypto_rpc::RpcCall;
use venice_api::images::{EditImage, GenerateImage, ImageSource, MultiEditImage, UpscaleImage};
use venice_api::responses::ResponseRequest;
use venice_api::types::{
    QueueAudioRequest, QueueVideoRequest, QueueVideoRequestDuration, QuoteAudioRequest, QuoteVideoRequest,
    SimpleGenerateImageRequest,
};
use venice_api::video::Job;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

type Call<'c> = Pin<Box<dyn Future<Output = ()> + 'c>>;

/// Each call: a label, the keys its arguments set, and the call (its answer is ignored: the
/// mock refuses everything, and only what was sent matters).
fn calls(client: &Client) -> Vec<(&'static str, &'static [&'static str], Call<'_>)> {
    let job = || Job::new("m", "q-1");
    let image = || ImageSource::url("https://example.com/cat.png");
    macro_rules! call {
        ($label:literal, $keys:expr, $future:expr) => {
            (
                $label,
                &$keys,
                Box::pin(async move {
                    let _ = $future.await;
                }) as Call<'_>,
            )
        };
    }
    vec![
        call!("chat().create", ["model", "messages"], client.chat().create(ChatRequest::new("m").user("hi"))),
        call!(
            "chat().create_stream",
            ["model", "messages", "stream", "stream_options"],
            client.chat().create_stream(ChatRequest::new("m").user("hi"))
        ),
        call!("embeddings().create", ["model", "input"], client.embeddings().create("m", "hi")),
        call!("images().generate", ["model", "prompt"], client.images().generate(GenerateImage::new("m", "a cat"))),
        call!(
            "images().generate_binary",
            ["model", "prompt", "return_binary"],
            client.images().generate_binary(GenerateImage::new("m", "a cat"))
        ),
        call!(
            "images().simple_generate",
            ["prompt"],
            client.images().simple_generate(SimpleGenerateImageRequest::builder().prompt("a cat"))
        ),
        call!("images().upscale", ["image"], client.images().upscale(UpscaleImage::new(image()))),
        call!("images().edit", ["image", "prompt"], client.images().edit(EditImage::new(image(), "a hat"))),
        call!(
            "images().multi_edit",
            ["prompt", "images"],
            client.images().multi_edit(MultiEditImage::new("a hat", [image(), image()]))
        ),
        call!("images().remove_background", ["image_url"], client.images().remove_background(image())),
        call!("audio().speech", ["input"], client.audio().speech(Speech::new("hello"))),
        call!("audio().quote", ["model"], client.audio().quote(QuoteAudioRequest::builder().model("m"))),
        call!(
            "audio().queue",
            ["model", "prompt"],
            client.audio().queue(QueueAudioRequest::builder().model("m").prompt("calm piano"))
        ),
        call!("audio().retrieve", ["model", "queue_id"], client.audio().retrieve(job())),
        call!("audio().complete", ["model", "queue_id"], client.audio().complete(job())),
        call!(
            "video().quote",
            ["model", "duration"],
            client.video().quote(QuoteVideoRequest::builder().model("m").duration(QueueVideoRequestDuration::X5s))
        ),
        call!(
            "video().queue",
            ["model", "prompt", "duration"],
            client.video().queue(
                QueueVideoRequest::builder().model("m").prompt("a lighthouse").duration(QueueVideoRequestDuration::X5s)
            )
        ),
        call!("video().retrieve", ["model", "queue_id"], client.video().retrieve(job())),
        call!("video().complete", ["model", "queue_id"], client.video().complete(job())),
        call!("video().transcribe", ["url"], client.video().transcribe("https://youtu.be/dQw4w9WgXcQ")),
        call!(
            "api_keys().create",
            ["apiKeyType", "description"],
            client.api_keys().create(CreateApiKey::inference("ci"))
        ),
        call!(
            "api_keys().update",
            ["id", "description"],
            client.api_keys().update(UpdateApiKey::new("k-1").description("renamed"))
        ),
        call!("augment().scrape", ["url"], client.augment().scrape("https://example.com/")),
        call!("augment().search", ["query"], client.augment().search(WebSearch::new("rust sdk"))),
        call!("responses().create", ["model", "input"], client.responses().create(ResponseRequest::new("m", "hi"))),
        call!(
            "crypto_rpc().call",
            ["jsonrpc", "id", "method", "params"],
            client.crypto_rpc().call("ethereum-mainnet", RpcCall::new("eth_blockNumber", Vec::new()))
        ),
    ]
}

#[tokio::test]
async fn every_call_with_its_required_arguments_sends_only_them() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(400)).mount(&server).await;
    let client = common::client_with(&server, |builder| builder.max_retries(0));

    let mut pinned = String::new();
    let mut extra = Vec::new();
    for (label, keys, call) in calls(&client) {
        server.reset().await;
        Mock::given(any()).respond_with(ResponseTemplate::new(400)).mount(&server).await;
        call.await;
        let requests = common::received(&server).await;
        let [request] = requests.as_slice() else { panic!("{label} sent {} requests", requests.len()) };
        let body: Value = serde_json::from_slice(&request.body)
            .unwrap_or_else(|e| panic!("{label} sent a body that is not JSON: {e}"));
        let sent: Vec<&str> = body.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        let unasked: Vec<&str> = sent.iter().copied().filter(|key| !keys.contains(key)).collect();
        if !unasked.is_empty() {
            extra.push(format!("{label}: {unasked:?}"));
        }
        pinned.push_str(&format!("{label}: {} {}\n  {body}\n", request.method, request.url.path()));
    }

    assert!(extra.is_empty(), "calls sent keys their arguments did not set:\n{}", extra.join("\n"));
    insta::assert_snapshot!(pinned);
}

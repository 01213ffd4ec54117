//! Per-request overhead and streaming throughput of venice-api against bare reqwest and
//! async-openai, all talking to the same loopback server in the same run.
//!
//! `cargo xtask bench` runs this and prints each figure as a ratio against its baseline.

mod support;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use futures_util::StreamExt;
use venice_api::chat::ChatRequest;
use venice_api::types::{CreateChatCompletionResponse, GetApiKeysResponse};

/// Content deltas in the streamed answer.
const STREAM_CHUNKS: usize = 2_000;

struct Setup {
    runtime: tokio::runtime::Runtime,
    base: String,
    venice: venice_api::Client,
    /// The same client through a `with_options` view: a header and a timeout of its own.
    venice_options: venice_api::Client,
    reqwest: reqwest::Client,
    openai: async_openai::Client<async_openai::config::OpenAIConfig>,
}

fn setup() -> Setup {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let answers = support::Answers {
        api_keys: support::fixture("getApiKeys"),
        chat: support::fixture("createChatCompletion"),
        chat_events: support::chat_events(STREAM_CHUNKS),
        download_bytes: 0,
        handler: None,
    };
    let address = support::start(answers);
    let base = format!("http://{address}/api/v1");
    let venice = venice_api::Client::builder().api_key("bench-key").base_url(&base).build().unwrap();
    let openai = async_openai::Client::with_config(
        async_openai::config::OpenAIConfig::new().with_api_base(&base).with_api_key("bench-key"),
    );
    let options = venice_api::RequestOptions::new().header("X-Bench", "1").timeout(std::time::Duration::from_secs(30));
    let venice_options = venice.with_options(options).unwrap();
    Setup { runtime, base, venice, venice_options, reqwest: reqwest::Client::new(), openai }
}

fn chat_request() -> ChatRequest {
    ChatRequest::new("venice-uncensored").user("Say hello.")
}

fn openai_request(stream: bool) -> async_openai::types::chat::CreateChatCompletionRequest {
    use async_openai::types::chat::{ChatCompletionRequestUserMessageArgs, CreateChatCompletionRequestArgs};
    let message = ChatCompletionRequestUserMessageArgs::default().content("Say hello.").build().unwrap();
    let mut request = CreateChatCompletionRequestArgs::default()
        .model("venice-uncensored")
        .messages([message.into()])
        .build()
        .unwrap();
    request.stream = Some(stream);
    request
}

fn bare_chat_body(stream: bool) -> serde_json::Value {
    serde_json::json!({"model": "venice-uncensored", "messages": [{"role": "user", "content": "Say hello."}], "stream": stream})
}

fn list_api_keys(c: &mut Criterion, s: &Setup) {
    let mut group = c.benchmark_group("list_api_keys");
    group.bench_function(BenchmarkId::new("client", "venice-api"), |b| {
        b.to_async(&s.runtime).iter(|| async { s.venice.api_keys().list().await.unwrap() })
    });
    group.bench_function(BenchmarkId::new("client", "venice-api+options"), |b| {
        b.to_async(&s.runtime).iter(|| async { s.venice_options.api_keys().list().await.unwrap() })
    });
    group.bench_function(BenchmarkId::new("client", "reqwest"), |b| {
        let url = format!("{}/api_keys", s.base);
        b.to_async(&s.runtime).iter(|| async {
            let response =
                s.reqwest.get(&url).bearer_auth("bench-key").send().await.unwrap().error_for_status().unwrap();
            serde_json::from_slice::<GetApiKeysResponse>(&response.bytes().await.unwrap()).unwrap()
        })
    });
    group.finish();
}

fn chat_completion(c: &mut Criterion, s: &Setup) {
    let mut group = c.benchmark_group("chat_completion");
    group.bench_function(BenchmarkId::new("client", "venice-api"), |b| {
        b.to_async(&s.runtime).iter(|| async { s.venice.chat().create(chat_request()).await.unwrap() })
    });
    group.bench_function(BenchmarkId::new("client", "venice-api+options"), |b| {
        b.to_async(&s.runtime).iter(|| async { s.venice_options.chat().create(chat_request()).await.unwrap() })
    });
    group.bench_function(BenchmarkId::new("client", "reqwest"), |b| {
        let url = format!("{}/chat/completions", s.base);
        b.to_async(&s.runtime).iter(|| async {
            let response = s
                .reqwest
                .post(&url)
                .bearer_auth("bench-key")
                .json(&bare_chat_body(false))
                .send()
                .await
                .unwrap()
                .error_for_status()
                .unwrap();
            serde_json::from_slice::<CreateChatCompletionResponse>(&response.bytes().await.unwrap()).unwrap()
        })
    });
    group.bench_function(BenchmarkId::new("client", "async-openai"), |b| {
        b.to_async(&s.runtime).iter(|| async { s.openai.chat().create(openai_request(false)).await.unwrap() })
    });
    group.finish();
}

fn chat_stream(c: &mut Criterion, s: &Setup) {
    let mut group = c.benchmark_group("chat_stream");
    group.throughput(Throughput::Elements(STREAM_CHUNKS as u64 + 1));
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("client", "venice-api"), |b| {
        b.to_async(&s.runtime).iter(|| async {
            let mut stream = s.venice.chat().create_stream(chat_request()).await.unwrap();
            let mut chunks = 0;
            while let Some(chunk) = stream.next().await {
                chunk.unwrap();
                chunks += 1;
            }
            assert_eq!(chunks, STREAM_CHUNKS + 1);
        })
    });
    group.bench_function(BenchmarkId::new("client", "async-openai"), |b| {
        b.to_async(&s.runtime).iter(|| async {
            let mut stream = s.openai.chat().create_stream(openai_request(true)).await.unwrap();
            let mut chunks = 0;
            while let Some(chunk) = stream.next().await {
                chunk.unwrap();
                chunks += 1;
            }
            assert_eq!(chunks, STREAM_CHUNKS + 1);
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let setup = setup();
    list_api_keys(c, &setup);
    chat_completion(c, &setup);
    chat_stream(c, &setup);
}

criterion_group!(overhead, benches);
criterion_main!(overhead);

//! Chat completions for callgrind: `instructions CLIENT N` sends N non-streamed chat
//! completions through CLIENT (`venice-api`, `reqwest` or `async-openai`) to the loopback
//! server and exits. `cargo xtask bench` runs it under `valgrind --tool=callgrind` for two
//! values of N and takes the difference, so that start-up cancels out and what is left is the
//! instructions of one request (the client's, plus the in-process server's share, which is the
//! same answer for every client). Instruction counts do not move with the machine's load as
//! times do.

mod support;

use venice_api::chat::ChatRequest;
use venice_api::types::CreateChatCompletionResponse;

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let client = args.next().unwrap_or_else(|| "venice-api".to_owned());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let answers = support::Answers {
        api_keys: support::fixture("getApiKeys"),
        chat: support::fixture("createChatCompletion"),
        chat_events: Vec::new(),
        download_bytes: 0,
        handler: None,
    };
    let base = format!("http://{}/api/v1", support::start(answers));
    runtime.block_on(async {
        match client.as_str() {
            "venice-api" => {
                let venice = venice_api::Client::builder().api_key("bench-key").base_url(&base).build().unwrap();
                for _ in 0..count {
                    venice.chat().create(ChatRequest::new("venice-uncensored").user("Say hello.")).await.unwrap();
                }
            }
            "venice-api+options" => {
                let venice = venice_api::Client::builder().api_key("bench-key").base_url(&base).build().unwrap();
                let options = venice_api::RequestOptions::new()
                    .header("X-Bench", "1")
                    .timeout(std::time::Duration::from_secs(30));
                let venice = venice.with_options(options).unwrap();
                for _ in 0..count {
                    venice.chat().create(ChatRequest::new("venice-uncensored").user("Say hello.")).await.unwrap();
                }
            }
            "keys:venice-api" | "keys:venice-api+options" => {
                let venice = venice_api::Client::builder().api_key("bench-key").base_url(&base).build().unwrap();
                let options = venice_api::RequestOptions::new().header("X-Bench", "1");
                let venice = if client.ends_with("+options") { venice.with_options(options).unwrap() } else { venice };
                for _ in 0..count {
                    venice.api_keys().list().await.unwrap();
                }
            }
            "keys:reqwest" => {
                let http = reqwest::Client::new();
                let url = format!("{base}/api_keys");
                for _ in 0..count {
                    let answer = http.get(&url).bearer_auth("bench-key").send().await.unwrap();
                    let bytes = answer.error_for_status().unwrap().bytes().await.unwrap();
                    serde_json::from_slice::<venice_api::types::GetApiKeysResponse>(&bytes).unwrap();
                }
            }
            "reqwest" => {
                let http = reqwest::Client::new();
                let url = format!("{base}/chat/completions");
                for _ in 0..count {
                    let body = serde_json::json!({"model": "venice-uncensored", "messages": [{"role": "user", "content": "Say hello."}], "stream": false});
                    let answer = http.post(&url).bearer_auth("bench-key").json(&body).send().await.unwrap();
                    let bytes = answer.error_for_status().unwrap().bytes().await.unwrap();
                    serde_json::from_slice::<CreateChatCompletionResponse>(&bytes).unwrap();
                }
            }
            "async-openai" => {
                use async_openai::types::chat::{ChatCompletionRequestUserMessageArgs, CreateChatCompletionRequestArgs};
                let openai = async_openai::Client::with_config(
                    async_openai::config::OpenAIConfig::new().with_api_base(&base).with_api_key("bench-key"),
                );
                for _ in 0..count {
                    let message = ChatCompletionRequestUserMessageArgs::default().content("Say hello.").build().unwrap();
                    let request = CreateChatCompletionRequestArgs::default()
                        .model("venice-uncensored")
                        .messages([message.into()])
                        .build()
                        .unwrap();
                    openai.chat().create(request).await.unwrap();
                }
            }
            other => panic!(
                "unknown client {other:?}: venice-api, venice-api+options, reqwest, async-openai, \
                 keys:venice-api, keys:venice-api+options or keys:reqwest"
            ),
        }
    });
}

//! A streamed answer is bounded by the silence between reads, not by one limit for the whole
//! exchange: a long download that keeps coming finishes, a stalled one times out.

#![cfg(all(feature = "audio", feature = "chat"))]

mod common;

use std::time::{Duration, Instant};

use common::scripted::{Reply, ScriptedServer};
use futures_util::StreamExt;
use venice_api::audio::Speech;
use venice_api::chat::ChatRequest;
use venice_api::{Client, Error};

fn client(server: &ScriptedServer, timeout: Duration) -> Client {
    Client::builder()
        .api_key(common::API_KEY)
        .base_url(server.base_url())
        .timeout(timeout)
        .max_retries(0)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_download_longer_than_the_timeout_finishes_while_data_keeps_coming() {
    let body = vec![7u8; 12];
    let server = ScriptedServer::sequence(vec![Reply::Trickle {
        status: 200,
        body: body.clone(),
        chunk: 1,
        every: Duration::from_millis(100),
    }]);
    let started = Instant::now();

    let audio = client(&server, Duration::from_millis(500)).audio().speech(Speech::new("Hello.")).await.unwrap();
    let bytes = audio.bytes().await.unwrap();

    assert_eq!(bytes.as_ref(), body.as_slice());
    assert!(started.elapsed() > Duration::from_millis(1000), "the body took longer than the 500 ms timeout");
}

#[tokio::test]
async fn a_download_that_stalls_longer_than_the_timeout_times_out() {
    let server = ScriptedServer::sequence(vec![Reply::Trickle {
        status: 200,
        body: vec![7u8; 3],
        chunk: 1,
        every: Duration::from_millis(800),
    }]);

    let outcome = match client(&server, Duration::from_millis(300)).audio().speech(Speech::new("Hello.")).await {
        Ok(audio) => audio.bytes().await.map(|_| ()),
        Err(error) => Err(error),
    };

    assert!(matches!(outcome, Err(Error::Timeout { .. })), "{outcome:?}");
}

#[tokio::test]
async fn a_silent_server_still_times_out_a_streamed_request() {
    let server = ScriptedServer::sequence(vec![Reply::Silence]);
    let started = Instant::now();

    let error = client(&server, Duration::from_millis(300))
        .chat()
        .create_stream(ChatRequest::new("venice-uncensored").user("Hi"))
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn an_event_stream_longer_than_the_timeout_is_read_to_the_end() {
    let events: String = (0..8)
        .map(|i| {
            format!(
                "data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{i}\"}}}}]}}\n\n"
            )
        })
        .chain(std::iter::once("data: [DONE]\n\n".to_owned()))
        .collect();
    let server = ScriptedServer::sequence(vec![Reply::TrickleAs {
        status: 200,
        content_type: "text/event-stream",
        body: events.into_bytes(),
        chunk: 64,
        every: Duration::from_millis(60),
    }]);

    let stream = client(&server, Duration::from_millis(300))
        .chat()
        .create_stream(ChatRequest::new("venice-uncensored").user("Hi"))
        .await
        .unwrap();
    let chunks: Vec<_> = stream.collect().await;

    assert_eq!(chunks.len(), 8, "{chunks:?}");
    assert!(chunks.iter().all(Result::is_ok));
}

//! A large binary answer streamed to a sink: throughput and peak memory of venice-api
//! (`audio().speech(..)` and `BinaryStream::write_to`) against bare reqwest reading the same
//! body chunk by chunk, from the same loopback server in the same run.
//!
//! Prints one line per client: `download <client> <bytes> <seconds> <MiB/s> <peak RSS growth
//! bytes>`; `cargo xtask bench` reads them. `VENICE_BENCH_DOWNLOAD_MIB` sets the size
//! (default 1024, i.e. 1 GiB).

mod support;

use std::time::Instant;

use futures_util::StreamExt;
use tokio::io::AsyncWrite;

/// Counts what is written and keeps none of it.
struct CountingSink(u64);

impl AsyncWrite for CountingSink {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.0 += buf.len() as u64;
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

fn main() {
    // `cargo bench` passes `--bench`; this target measures once and takes no filter.
    let mib: u64 = std::env::var("VENICE_BENCH_DOWNLOAD_MIB").ok().and_then(|v| v.parse().ok()).unwrap_or(1024);
    let total = mib * 1024 * 1024;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let answers = support::Answers {
        api_keys: Default::default(),
        chat: Default::default(),
        chat_events: Vec::new(),
        download_bytes: total,
        handler: None,
    };
    let address = support::start(answers);
    let base = format!("http://{address}/api/v1");

    let venice = venice_api::Client::builder()
        .api_key("bench-key")
        .base_url(&base)
        .timeout(std::time::Duration::from_secs(600))
        .build()
        .unwrap();
    let through_venice = || {
        runtime.block_on(async {
            let audio = venice.audio().speech(venice_api::audio::Speech::new("Read this aloud.")).await.unwrap();
            let mut sink = CountingSink(0);
            audio.write_to(&mut sink).await.unwrap();
            sink.0
        })
    };
    let reqwest = reqwest::Client::new();
    let through_reqwest = || {
        runtime.block_on(async {
            let response = reqwest
                .post(format!("{base}/audio/speech"))
                .bearer_auth("bench-key")
                .json(&serde_json::json!({"input": "Read this aloud."}))
                .send()
                .await
                .unwrap();
            let mut body = response.bytes_stream();
            let mut received = 0;
            while let Some(chunk) = body.next().await {
                received += chunk.unwrap().len() as u64;
            }
            received
        })
    };

    // One download takes a fraction of a second, so a single one moved the ratio by a third
    // between runs; the two clients take turns and each reports its median.
    let (mut venice_runs, mut reqwest_runs) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        venice_runs.push(measure("venice-api", total, through_venice));
        reqwest_runs.push(measure("reqwest", total, through_reqwest));
    }
    report("venice-api", total, venice_runs);
    report("reqwest", total, reqwest_runs);
}

/// Downloads per client.
const ROUNDS: usize = 5;

/// Seconds taken and peak resident memory growth of one download.
fn measure(client: &str, total: u64, download: impl FnOnce() -> u64) -> (f64, u64) {
    let before = support::current_rss();
    support::reset_peak_rss();
    let started = Instant::now();
    let received = download();
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(received, total, "{client} received the whole body");
    (seconds, support::peak_rss().saturating_sub(before))
}

/// Prints the median time and the largest memory growth of `runs`.
fn report(client: &str, total: u64, mut runs: Vec<(f64, u64)>) {
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let seconds = runs[runs.len() / 2].0;
    let growth = runs.iter().map(|run| run.1).max().unwrap_or(0);
    let mib_per_second = total as f64 / (1024.0 * 1024.0) / seconds;
    println!("download {client} {total} {seconds:.3} {mib_per_second:.1} {growth}");
}

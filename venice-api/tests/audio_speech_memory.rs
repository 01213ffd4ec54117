//! Speech of any size streams to its destination without being held in memory.
//!
//! The measure is the process's resident set size, which every test of a binary shares: these
//! tests live in a binary of their own and take turns, so that no other test's allocations
//! count against them.

#![cfg(feature = "audio")]

mod common;

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Mutex;
use venice_api::Client;
use venice_api::audio::Speech;

/// Held by each test for its whole run: two streams at once would double the growth measured.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

// ---- Large bodies --------------------------------------------------------------------------

/// Byte `i` of a large body is `i % PERIOD`: a prime, so that chunk boundaries never line up.
const PERIOD: usize = 251;
/// Chunks the mock writes: a whole number of periods, so every chunk is the same slice.
const SERVER_CHUNK: usize = PERIOD * 261;

/// Answers one request on loopback with `total` bytes of the pattern, generated as it goes.
async fn serve_pattern(total: u64) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        // Read the request head and its body (Content-Length), then answer.
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        let head_end = loop {
            let read = socket.read(&mut buffer).await.unwrap();
            assert!(read > 0, "the client closed the connection early");
            request.extend_from_slice(&buffer[..read]);
            if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
        };
        let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
            .unwrap_or(0);
        while request.len() < head_end + length {
            let read = socket.read(&mut buffer).await.unwrap();
            request.extend_from_slice(&buffer[..read]);
        }
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: audio/mpeg\r\ncontent-length: {total}\r\nconnection: close\r\n\r\n"
        );
        socket.write_all(answer.as_bytes()).await.unwrap();
        let chunk: Vec<u8> = (0..SERVER_CHUNK).map(|i| (i % PERIOD) as u8).collect();
        let mut left = total;
        while left > 0 {
            let n = left.min(SERVER_CHUNK as u64) as usize;
            if socket.write_all(&chunk[..n]).await.is_err() {
                return;
            }
            left -= n as u64;
        }
        let _ = socket.shutdown().await;
    });
    format!("http://{address}/api/v1")
}

/// The resident set size of this process, in bytes (`VmRSS` of /proc/self/status).
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

/// A writer that keeps nothing: it counts bytes, checks them against the pattern, and samples
/// the process's RSS as the body goes by.
struct PatternSink {
    written: u64,
    reference: Vec<u8>,
    mismatch_at: Option<u64>,
    peak_rss: u64,
    next_sample: u64,
}

const REFERENCE_SPAN: usize = 1 << 20;
const SAMPLE_EVERY: u64 = 4 << 20;

impl PatternSink {
    fn new() -> Self {
        let reference = (0..PERIOD + REFERENCE_SPAN).map(|i| (i % PERIOD) as u8).collect();
        Self { written: 0, reference, mismatch_at: None, peak_rss: rss(), next_sample: SAMPLE_EVERY }
    }
}

impl AsyncWrite for PatternSink {
    fn poll_write(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        for piece in buf.chunks(REFERENCE_SPAN) {
            let phase = (self.written % PERIOD as u64) as usize;
            if self.mismatch_at.is_none() && piece != &self.reference[phase..phase + piece.len()] {
                self.mismatch_at = Some(self.written);
            }
            self.written += piece.len() as u64;
        }
        if self.written >= self.next_sample {
            self.peak_rss = self.peak_rss.max(rss());
            self.next_sample += SAMPLE_EVERY;
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Streams `total` bytes of speech into a [`PatternSink`] and checks count, content and memory.
async fn speech_of(total: u64) {
    let base_url = serve_pattern(total).await;
    let client = Client::builder()
        .api_key(common::API_KEY)
        .base_url(base_url)
        .timeout(Duration::from_secs(120))
        .max_retries(0)
        .build()
        .unwrap();
    let mut sink = PatternSink::new();
    let before = sink.peak_rss;
    let started = Instant::now();

    let speech = client.audio().speech(Speech::new("a very long reading")).await.unwrap();
    assert_eq!(speech.content_type(), Some("audio/mpeg"));
    assert_eq!(speech.content_length(), Some(total));
    let written = speech.write_to(&mut sink).await.unwrap();

    let elapsed = started.elapsed();
    let growth = sink.peak_rss.saturating_sub(before);
    eprintln!("{} MiB streamed in {elapsed:.2?}; RSS grew by at most {} KiB", total >> 20, growth >> 10);
    assert_eq!(written, total);
    assert_eq!(sink.written, total);
    assert_eq!(sink.mismatch_at, None, "the body differs from the pattern");
    assert!(growth < 64 << 20, "RSS grew by {} MiB while streaming {} MiB", growth >> 20, total >> 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speech_of_64_mib_streams_to_a_writer_without_being_held_in_memory() {
    let _alone = ONE_AT_A_TIME.lock().await;
    speech_of(64 << 20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speech_of_256_mib_streams_to_a_writer_without_being_held_in_memory() {
    let _alone = ONE_AT_A_TIME.lock().await;
    speech_of(256 << 20).await;
}

//! A loopback HTTP/1.1 server that writes an answer in the pieces a test chooses, pausing
//! between them, then closes the connection: what a streamed answer looks like to a client
//! whose reads end anywhere (inside `data:`, inside a multi-byte character). wiremock always
//! writes a body whole.
//!
//! Included with `#[path = "common/sse_server.rs"] mod sse_server;` by the streaming tests.

#![allow(dead_code, reason = "each test file uses a different part")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

pub use crate::common::scripted::Seen;
use crate::common::scripted::read_request;

/// One answer: a status, a content type and a body written in `pieces`, `pause` apart.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub pieces: Vec<Vec<u8>>,
    pub pause: Duration,
}

impl Answer {
    /// A 200 `text/event-stream` answer of `body`, written whole.
    pub fn events(body: &str) -> Self {
        Answer {
            status: 200,
            content_type: "text/event-stream".into(),
            headers: Vec::new(),
            pieces: vec![body.as_bytes().to_vec()],
            pause: Duration::ZERO,
        }
    }

    /// `status` with a JSON `body`.
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Answer { status, content_type: "application/json".into(), ..Answer::events(&body.to_string()) }
    }

    /// The same body cut into pieces of the given sizes, taken in turn (the last size repeats
    /// until the body is written), `pause` apart.
    pub fn cut_every(mut self, sizes: &[usize], pause: Duration) -> Self {
        let body: Vec<u8> = self.pieces.concat();
        let mut pieces = Vec::new();
        let mut at = 0;
        let mut turn = 0;
        while at < body.len() {
            let size = sizes[turn.min(sizes.len() - 1)].max(1);
            pieces.push(body[at..(at + size).min(body.len())].to_vec());
            at += size;
            turn += 1;
        }
        self.pieces = pieces;
        self.pause = pause;
        self
    }

    /// The same body cut at each of the byte offsets `at`, `pause` apart.
    pub fn cut_at(mut self, at: &[usize], pause: Duration) -> Self {
        let body: Vec<u8> = self.pieces.concat();
        let mut pieces = Vec::new();
        let mut from = 0;
        for &to in at {
            pieces.push(body[from..to].to_vec());
            from = to;
        }
        pieces.push(body[from..].to_vec());
        self.pieces = pieces;
        self.pause = pause;
        self
    }

    /// The same answer with one more header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// The running server; it stops when dropped.
pub struct SseServer {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

/// Makes the answer to a request from the request itself.
type Respond = dyn Fn(&Seen) -> Answer + Send + Sync;

impl SseServer {
    /// Answers the requests in turn with `answers`, then repeats the last one.
    pub async fn start(answers: Vec<Answer>) -> Self {
        assert!(!answers.is_empty());
        let served = std::sync::atomic::AtomicUsize::new(0);
        Self::respond_with(move |_| {
            let n = served.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            answers[n.min(answers.len() - 1)].clone()
        })
        .await
    }

    /// Answers each request with what `respond` makes of it (one request per connection).
    pub async fn respond_with(respond: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Self {
        let respond: Arc<Respond> = Arc::new(respond);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn({
            let seen = seen.clone();
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let seen = seen.clone();
                    let respond = respond.clone();
                    tokio::spawn(async move { serve(stream, &*respond, &seen).await });
                }
            }
        });
        SseServer { port, seen, task }
    }

    /// `http://127.0.0.1:<port>/api/v1`, as a client is configured.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/api/v1", self.port)
    }

    /// Every request read so far, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for SseServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, respond: &Respond, seen: &Mutex<Vec<Seen>>) {
    let _ = stream.set_nodelay(true);
    let Some(request) = read_request(&mut stream, &mut Vec::new()).await else { return };
    let answer = respond(&request);
    seen.lock().unwrap().push(request);
    let reason = reqwest::StatusCode::from_u16(answer.status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
    // No length: the body ends when the connection closes, as a stream's does.
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: {}\r\ncache-control: no-cache\r\nconnection: close\r\n",
        answer.status, answer.content_type
    );
    for (name, value) in &answer.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    for piece in &answer.pieces {
        if !answer.pause.is_zero() {
            tokio::time::sleep(answer.pause).await;
        }
        if stream.write_all(piece).await.is_err() || stream.flush().await.is_err() {
            return;
        }
    }
    let _ = stream.shutdown().await;
}

/// A client of `server` with a 10 s timeout (streams here end well before).
pub fn sse_client(server: &SseServer) -> venice_api::Client {
    venice_api::Client::builder()
        .api_key(crate::common::API_KEY)
        .base_url(server.base_url())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

//! A scripted HTTP/1.1 server on loopback, for what wiremock cannot do: answer part of a body
//! and reset the connection, hold a connection open without answering, trickle a body, or
//! send bytes that are not a well-formed answer at all.
//!
//! It speaks just enough HTTP/1.1 by hand: a request head, a `Content-Length` body, keep-alive.
//! It runs on a thread and runtime of its own, so that it keeps serving while the test's
//! runtime is busy (or blocked), and so that its tasks are not counted in the test's runtime.
//! Each request is answered with what `script` returns for it and its number (0 for the first
//! request the server saw, over all connections).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// A request the server read.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When the whole request had arrived.
    pub at: Instant,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON request body")
    }
}

/// What the server does with a request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A whole answer with a `Content-Length`; the connection stays open for the next request.
    Answer { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// These bytes as they are, then the connection is closed (a clean FIN).
    Raw(Vec<u8>),
    /// The head (declaring the whole body) and the first `sent` bytes of `body`, then a reset.
    ResetMidBody { status: u16, body: Vec<u8>, sent: usize },
    /// No answer: the connection is reset (RST) as soon as the request is read.
    Reset,
    /// No answer: the connection is held open until the client goes away.
    Silence,
    /// The head, then the body `chunk` bytes at a time, one chunk every `every`.
    Trickle { status: u16, body: Vec<u8>, chunk: usize, every: Duration },
    /// As [`Reply::Trickle`], in `content_type` rather than JSON.
    TrickleAs { status: u16, content_type: &'static str, body: Vec<u8>, chunk: usize, every: Duration },
}

impl Reply {
    /// `status` with `body` as JSON.
    pub fn json(status: u16, body: &Value) -> Self {
        Self::text(status, "application/json", body.to_string())
    }

    /// `status` with `body` in `content_type`.
    pub fn text(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply::Answer { status, headers: vec![("content-type".into(), content_type.into())], body: body.into() }
    }

    /// The same answer with one more header (only for [`Reply::Answer`]).
    pub fn header(mut self, name: &str, value: impl ToString) -> Self {
        if let Reply::Answer { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_string()));
        }
        self
    }
}

type Script = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

#[derive(Default)]
struct State {
    requests: Mutex<Vec<Seen>>,
    record: bool,
    served: AtomicUsize,
    accepted: AtomicUsize,
    open: AtomicUsize,
}

/// The running server; stopped (and every connection closed) when dropped.
pub struct ScriptedServer {
    port: u16,
    state: Arc<State>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ScriptedServer {
    /// A server answering each request as `script` says, keeping every request it read.
    pub fn start(script: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Self {
        Self::launch(Arc::new(script), true)
    }

    /// Like [`start`](Self::start), but keeping only counts (for load tests).
    pub fn start_counting(script: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Self {
        Self::launch(Arc::new(script), false)
    }

    /// A server answering the requests in turn with `replies`, then repeating the last one.
    pub fn sequence(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty());
        Self::start(move |_, n| replies[n.min(replies.len() - 1)].clone())
    }

    fn launch(script: Arc<Script>, record: bool) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(State { record, ..State::default() });
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::spawn({
            let state = state.clone();
            move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                runtime.block_on(async move {
                    let listener = TcpListener::from_std(listener).unwrap();
                    tokio::select! {
                        _ = stopped => {}
                        _ = accept_loop(listener, state, script) => {}
                    }
                });
                // Dropping the runtime drops every connection task, closing its socket.
            }
        });
        ScriptedServer { port, state, stop: Some(stop), thread: Some(thread) }
    }

    /// `http://127.0.0.1:<port>/api/v1`, as a client is configured.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/api/v1", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every request read so far, in order (empty for a counting server).
    pub fn requests(&self) -> Vec<Seen> {
        self.state.requests.lock().unwrap().clone()
    }

    /// How many requests with `method` were read.
    pub fn count(&self, method: &str) -> usize {
        self.requests().iter().filter(|r| r.method == method).count()
    }

    /// How many requests were read in all.
    pub fn served(&self) -> usize {
        self.state.served.load(Ordering::SeqCst)
    }

    /// How many connections were accepted in all.
    pub fn accepted(&self) -> usize {
        self.state.accepted.load(Ordering::SeqCst)
    }

    /// How many connections are open now (accepted and not yet closed by either side).
    pub fn open_connections(&self) -> usize {
        self.state.open.load(Ordering::SeqCst)
    }

    /// The gaps between the arrivals of consecutive requests.
    pub fn gaps(&self) -> Vec<Duration> {
        self.requests().windows(2).map(|pair| pair[1].at - pair[0].at).collect()
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>, script: Arc<Script>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors, say: wait rather than spin.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        state.accepted.fetch_add(1, Ordering::SeqCst);
        state.open.fetch_add(1, Ordering::SeqCst);
        let guard = OpenGuard(state.clone());
        let script = script.clone();
        tokio::spawn(async move {
            serve(stream, &guard.0, &*script).await;
            drop(guard);
        });
    }
}

/// Counts a connection as closed when its task ends, however it ends.
struct OpenGuard(Arc<State>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn serve(mut stream: TcpStream, state: &State, script: &Script) {
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::new();
    while let Some(request) = read_request(&mut stream, &mut buffer).await {
        let number = state.served.fetch_add(1, Ordering::SeqCst);
        let reply = script(&request, number);
        if state.record {
            state.requests.lock().unwrap().push(request);
        }
        if !answer(&mut stream, reply).await {
            return;
        }
    }
}

/// Sends `reply`; whether the connection can take another request.
async fn answer(stream: &mut TcpStream, reply: Reply) -> bool {
    match reply {
        Reply::Answer { status, headers, body } => {
            let mut bytes = head(status, &headers, body.len());
            bytes.extend_from_slice(&body);
            stream.write_all(&bytes).await.is_ok()
        }
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
            false
        }
        Reply::ResetMidBody { status, body, sent } => {
            let mut bytes = head(status, &[("content-type".into(), "application/json".into())], body.len());
            bytes.extend_from_slice(&body[..sent.min(body.len())]);
            let _ = stream.write_all(&bytes).await;
            // Let the client read the head and start on the body before the reset.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let _ = stream.set_zero_linger();
            false
        }
        Reply::Reset => {
            let _ = stream.set_zero_linger();
            false
        }
        Reply::Silence => {
            let mut scratch = [0u8; 1024];
            while matches!(stream.read(&mut scratch).await, Ok(n) if n > 0) {}
            false
        }
        Reply::Trickle { status, body, chunk, every } => {
            trickle(stream, status, "application/json", body, chunk, every).await
        }
        Reply::TrickleAs { status, content_type, body, chunk, every } => {
            trickle(stream, status, content_type, body, chunk, every).await
        }
    }
}

async fn trickle(
    stream: &mut tokio::net::TcpStream,
    status: u16,
    content_type: &str,
    body: Vec<u8>,
    chunk: usize,
    every: Duration,
) -> bool {
    let bytes = head(status, &[("content-type".into(), content_type.into())], body.len());
    if stream.write_all(&bytes).await.is_err() {
        return false;
    }
    for piece in body.chunks(chunk.max(1)) {
        tokio::time::sleep(every).await;
        if stream.write_all(piece).await.is_err() {
            return false;
        }
    }
    true
}

fn head(status: u16, headers: &[(String, String)], length: usize) -> Vec<u8> {
    let reason = reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Whatever");
    let mut text = format!("HTTP/1.1 {status} {reason}\r\ncontent-length: {length}\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// Reads one request (head and `Content-Length` body); `None` when the client closed the
/// connection or sent something this server does not understand.
pub async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Seen> {
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        fill(stream, buffer).await?;
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let (method, path) = (request_line.next()?.to_owned(), request_line.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length = headers.iter().find(|(n, _)| n == "content-length").map_or(Some(0), |(_, v)| v.parse().ok())?;
    while buffer.len() < head_end + length {
        fill(stream, buffer).await?;
    }
    let body = buffer[head_end..head_end + length].to_vec();
    buffer.drain(..head_end + length);
    Some(Seen { method, path, headers, body, at: Instant::now() })
}

async fn fill(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0u8; 4096];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => None,
        Ok(n) => {
            buffer.extend_from_slice(&chunk[..n]);
            Some(())
        }
    }
}

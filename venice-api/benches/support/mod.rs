//! A loopback HTTP server for the benchmarks: fixed answers, as little work per request as
//! possible, so that what the benchmarks compare is the clients.

#![allow(dead_code, reason = "each bench target uses part of it")]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream;
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// Answers a request before the fixed routes do, or leaves it to them (`None`): for a bench
/// whose answers depend on the request (the E2EE one encrypts to the key the client sends).
pub type Handler = dyn Fn(&hyper::http::request::Parts, &Bytes) -> Option<Response<Body>> + Send + Sync;

/// What the server answers, decided once at start.
#[derive(Clone)]
pub struct Answers {
    /// Body of `GET /api/v1/api_keys`.
    pub api_keys: Bytes,
    /// Body of a non-streamed `POST /api/v1/chat/completions`.
    pub chat: Bytes,
    /// Events of a streamed chat completion (each a full `data: …\n\n` line).
    pub chat_events: Vec<Bytes>,
    /// Size of the body of `POST /api/v1/audio/speech`, sent in 64 KiB pieces.
    pub download_bytes: u64,
    /// Asked first about every request.
    pub handler: Option<Arc<Handler>>,
}

/// Starts the server on a free loopback port, on a thread and runtime of its own: sharing the
/// clients' scheduler made figures jump by a third between runs, as server and client tasks
/// were stolen back and forth between the same two workers.
pub fn start(answers: Answers) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let address = listener.local_addr().expect("local address");
    listener.set_nonblocking(true).expect("non-blocking listener");
    // Shared, not cloned per request: a clone of the 2,000 stream events cost more than some of
    // the requests being measured.
    let answers = Arc::new(answers);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("server runtime");
        let listener = runtime.block_on(async { TcpListener::from_std(listener) }).expect("tokio listener");
        runtime.block_on(serve(listener, answers));
    });
    address
}

async fn serve(listener: TcpListener, answers: Arc<Answers>) {
    loop {
        let Ok((socket, _)) = listener.accept().await else { continue };
        socket.set_nodelay(true).ok();
        let answers = answers.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(answers.clone(), request));
            let _ = http1::Builder::new().serve_connection(TokioIo::new(socket), service).await;
        });
    }
}

/// The body type of the server's answers.
pub type Body = BoxBody<Bytes, Infallible>;

async fn answer(answers: Arc<Answers>, request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let path = request.uri().path().to_owned();
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    if let Some(response) = answers.handler.as_ref().and_then(|handler| handler(&parts, &body)) {
        return Ok(response);
    }
    let response = match path.as_str() {
        "/api/v1/api_keys" => json(answers.api_keys.clone()),
        "/api/v1/chat/completions" if is_stream_request(&body) => event_stream(answers.chat_events.clone()),
        "/api/v1/chat/completions" => json(answers.chat.clone()),
        "/api/v1/audio/speech" => {
            const PIECE: usize = 64 * 1024;
            let piece = Bytes::from(vec![0x5a_u8; PIECE]);
            let total = answers.download_bytes;
            let pieces = stream::iter((0..total.div_ceil(PIECE as u64)).map(move |i| {
                let left = total - i * PIECE as u64;
                Ok::<_, Infallible>(Frame::data(piece.slice(..(left.min(PIECE as u64) as usize))))
            }));
            Response::builder()
                .header("content-type", "audio/mpeg")
                .header("content-length", total.to_string())
                .body(StreamBody::new(pieces).boxed())
                .expect("valid response")
        }
        _ => Response::builder().status(404).body(Full::new(Bytes::new()).boxed()).expect("valid response"),
    };
    Ok(response)
}

/// A `text/event-stream` answer of `events`, one frame each.
pub fn event_stream(events: Vec<Bytes>) -> Response<Body> {
    let events = events.into_iter().map(|e| Ok::<_, Infallible>(Frame::data(e)));
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(StreamBody::new(stream::iter(events)).boxed())
        .expect("valid response")
}

/// A JSON answer of `body`.
pub fn json(body: Bytes) -> Response<Body> {
    Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(body).boxed())
        .expect("valid response")
}

/// Whether a chat body asks for a stream. Every client measured writes compact JSON, so a
/// byte search answers without the server parsing bodies of different sizes per client.
fn is_stream_request(body: &[u8]) -> bool {
    body.windows(STREAM_TRUE.len()).any(|w| w == STREAM_TRUE)
}

const STREAM_TRUE: &[u8] = b"\"stream\":true";

/// A fixture of the workspace's tests, as bytes.
pub fn fixture(operation_id: &str) -> Bytes {
    let path = format!("{}/../tests/fixtures/responses/{operation_id}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")).into()
}

/// A streamed chat completion of `chunks` content deltas, then usage and `[DONE]`.
pub fn chat_events(chunks: usize) -> Vec<Bytes> {
    chat_events_with(chunks, |i| format!("token{i} "))
}

/// [`chat_events`] with the `content` of delta `i` given by `content`.
pub fn chat_events_with(chunks: usize, mut content: impl FnMut(usize) -> String) -> Vec<Bytes> {
    let mut events: Vec<Bytes> = (0..chunks)
        .map(|i| {
            let chunk = serde_json::json!({
                "id": "chatcmpl-bench",
                "object": "chat.completion.chunk",
                "created": 1_767_225_600,
                "model": "venice-uncensored",
                "choices": [{"index": 0, "delta": {"content": content(i)}, "finish_reason": null}],
            });
            Bytes::from(format!("data: {chunk}\n\n"))
        })
        .collect();
    let last = serde_json::json!({
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 1_767_225_600,
        "model": "venice-uncensored",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": chunks, "total_tokens": chunks + 12},
    });
    events.push(Bytes::from(format!("data: {last}\n\n")));
    events.push(Bytes::from_static(b"data: [DONE]\n\n"));
    events
}

/// Peak resident memory of this process since the last [`reset_peak_rss`], in bytes.
pub fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Current resident memory, in bytes.
pub fn current_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Resets the peak that [`peak_rss`] reports to the current size (Linux `clear_refs` 5).
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

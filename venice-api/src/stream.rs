//! Answers that arrive over time: server-sent events decoded into typed chunks
//! ([`EventStream`]), and binary bodies read piece by piece ([`BinaryStream`]) so that a
//! large file never has to fit in memory.
//!
//! Events are split by the crate's own `sse` parser, which handles events cut across network
//! reads, every line end and comments; this module decides what an event means: `[DONE]`
//! ends the stream, an `error` event or an `{"error": …}` payload ends it with
//! [`Error::Api`], anything else is decoded as one chunk.

use std::fmt;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use tokio::io::AsyncWriteExt;
use venice_api_gen::headers::DeclaredHeaders;

use crate::error::{ApiError, ApiErrorKind, Error, Result, request_id};
use crate::rate_limit::RateLimits;
use crate::sse::Parser;

/// A stream of typed chunks decoded from server-sent events; ends after `[DONE]`, the end of
/// the body, or the first error.
pub struct EventStream<T> {
    events: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
    rate_limits: RateLimits,
    request_id: Option<String>,
    headers: HeaderMap,
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream").field("request_id", &self.request_id).finish_non_exhaustive()
    }
}

/// What a stream does to each decoded chunk before handing it over: nothing for most streams;
/// an E2EE chat stream decrypts it. An error ends the stream.
pub(crate) trait ChunkMap<T>: FnMut(T) -> Result<T> + Send + Unpin + 'static {}

impl<T, F: FnMut(T) -> Result<T> + Send + Unpin + 'static> ChunkMap<T> for F {}

impl<T: DeserializeOwned + Send + 'static> EventStream<T> {
    /// The events of an answer asked for as a stream. A JSON answer (a server that ignored
    /// `stream: true`) is an [`Error::Decode`], not a stream that ends without events.
    #[cfg_attr(
        not(any(feature = "chat", feature = "responses")),
        allow(dead_code, reason = "only the streaming resources call it")
    )]
    pub(crate) async fn from_event_response(response: reqwest::Response, operation_id: &'static str) -> Result<Self> {
        Self::from_event_response_mapped(response, operation_id, Ok::<T, Error>).await
    }

    /// [`from_event_response`](Self::from_event_response), with `map` applied to each chunk
    /// where the chunks are decoded (in the decoding task, ahead of the caller).
    #[cfg_attr(
        not(any(feature = "chat", feature = "responses")),
        allow(dead_code, reason = "only the streaming resources call it")
    )]
    pub(crate) async fn from_event_response_mapped(
        response: reqwest::Response,
        operation_id: &'static str,
        map: impl ChunkMap<T>,
    ) -> Result<Self> {
        let media = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if media.contains("json") {
            let status = response.status().as_u16();
            let body = response.bytes().await.map_err(Error::from_reqwest)?;
            return Err(Error::decode(Some(status), format_args!("expected an event stream, got {media}"), &body));
        }
        let headers = response.headers().clone();
        let chunks = response.bytes_stream().map_err(Error::from_reqwest);
        Ok(Self::from_chunks_mapped(chunks, headers, operation_id, map))
    }

    /// The events of a body arriving as `chunks`, cut anywhere (for tests and the fuzz
    /// targets; the transport maps its chunks).
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn from_chunks(
        chunks: impl Stream<Item = Result<Bytes>> + Send + 'static,
        headers: HeaderMap,
        operation_id: &'static str,
    ) -> Self {
        Self::from_chunks_mapped(chunks, headers, operation_id, Ok::<T, Error>)
    }

    /// [`from_chunks`](Self::from_chunks), with `map` applied to each decoded chunk.
    pub(crate) fn from_chunks_mapped(
        chunks: impl Stream<Item = Result<Bytes>> + Send + 'static,
        headers: HeaderMap,
        operation_id: &'static str,
        map: impl ChunkMap<T>,
    ) -> Self {
        let rate_limits = RateLimits::from_headers(&headers);
        let request_id = request_id(&headers);
        let kept = headers.clone();
        let events = Events::<_, T, _> {
            source: Some(Box::pin(chunks)),
            parser: Parser::default(),
            headers,
            operation_id,
            map,
            chunk: std::marker::PhantomData,
        };
        EventStream { events: decoded_ahead(Box::pin(events)), rate_limits, request_id, headers: kept }
    }
}

/// How many decoded events may wait for the caller before decoding pauses.
const DECODED_AHEAD: usize = 256;

/// Decodes `events` in a task of its own when a tokio runtime is running, handing them over
/// through a bounded channel. The network and the decoder then keep going while the caller
/// works, and a caller that falls behind finds a batch waiting instead of being woken once
/// per token; a caller that stops reading stops the decoder after `DECODED_AHEAD` events,
/// and dropping the stream ends the task even while the server is silent.
fn decoded_ahead<T: Send + 'static>(
    mut events: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
) -> Pin<Box<dyn Stream<Item = Result<T>> + Send>> {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return events };
    let (sender, mut receiver) = tokio::sync::mpsc::channel(DECODED_AHEAD);
    runtime.spawn(async move {
        loop {
            let closed = std::pin::pin!(sender.closed());
            let next = match futures_util::future::select(closed, events.next()).await {
                futures_util::future::Either::Left(_) => break,
                futures_util::future::Either::Right((next, _)) => next,
            };
            let Some(item) = next else { break };
            if sender.send(item).await.is_err() {
                break;
            }
        }
    });
    Box::pin(futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx)))
}

/// Decodes the events of `source` one by one; `[DONE]` and the first error end it. A plain
/// struct rather than a combinator chain: it runs once per token of a chat answer, so it keeps
/// no per-event allocation beyond the event itself.
struct Events<S, T, M> {
    source: Option<Pin<Box<S>>>,
    parser: Parser,
    headers: HeaderMap,
    operation_id: &'static str,
    map: M,
    chunk: std::marker::PhantomData<fn() -> T>,
}

impl<S, T, M> Stream for Events<S, T, M>
where
    S: Stream<Item = Result<Bytes>>,
    T: DeserializeOwned,
    M: ChunkMap<T>,
{
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let decoded = loop {
            let Some(source) = this.source.as_mut() else { return Poll::Ready(None) };
            if let Some(event) = this.parser.next_event() {
                break decode_event(&event.name, &event.data, &this.headers, this.operation_id)
                    .map(|chunk| chunk.and_then(&mut this.map));
            }
            match std::task::ready!(source.as_mut().poll_next(cx)) {
                Some(Ok(bytes)) => this.parser.push(&bytes),
                Some(Err(error)) => break Some(Err(error)),
                None => break None,
            }
        };
        if !matches!(decoded, Some(Ok(_))) {
            this.source = None;
        }
        Poll::Ready(decoded)
    }
}

/// What one event means: `None` for `[DONE]`, else a chunk or the error it reports.
fn decode_event<T: DeserializeOwned>(
    name: &str,
    data: &str,
    headers: &HeaderMap,
    operation_id: &'static str,
) -> Option<Result<T>> {
    let data = data.trim();
    if data == "[DONE]" {
        return None;
    }
    // Only a payload that mentions an `error` key is looked at twice.
    let is_error_payload = || {
        data.contains("\"error\"")
            && serde_json::from_str::<serde_json::Value>(data)
                .ok()
                .and_then(|v| v.as_object().map(|o| o.contains_key("error") && !o.contains_key("choices")))
                .unwrap_or(false)
    };
    if name == "error" || is_error_payload() {
        let mut error = ApiError::from_answer(200, headers, data.as_bytes(), Some(operation_id));
        error.kind = ApiErrorKind::Stream;
        return Some(Err(Error::Api(Box::new(error))));
    }
    Some(
        serde_json::from_str(data)
            .map_err(|e| Error::decode(Some(200), format_args!("an event could not be decoded: {e}"), data.as_bytes())),
    )
}

impl<T> EventStream<T> {
    /// Every header of the answer, as sent.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The response headers the spec declares, typed (see
    /// [`Response::declared_headers`](crate::Response::declared_headers)).
    pub fn declared_headers(&self) -> DeclaredHeaders {
        DeclaredHeaders::from_headers(&self.headers)
    }

    /// The rate-limit headers of the answer.
    pub fn rate_limits(&self) -> &RateLimits {
        &self.rate_limits
    }

    /// The request id the server gave the call, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl<T> Stream for EventStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.as_mut().poll_next(cx)
    }
}

/// A binary answer (audio, image, video, CSV), read as it arrives.
pub struct BinaryStream {
    body: Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>,
    content_type: Option<String>,
    content_length: Option<u64>,
    rate_limits: RateLimits,
    request_id: Option<String>,
    headers: HeaderMap,
}

impl fmt::Debug for BinaryStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BinaryStream")
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

impl BinaryStream {
    /// The body of `response`, not yet read.
    pub(crate) fn from_response(mut response: reqwest::Response) -> Self {
        let content_length = response.content_length();
        let headers = std::mem::take(response.headers_mut());
        BinaryStream {
            content_type: headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned),
            content_length,
            rate_limits: RateLimits::from_headers(&headers),
            request_id: request_id(&headers),
            headers,
            body: Box::pin(response.bytes_stream().map_err(Error::from_reqwest)),
        }
    }

    /// The body of a generated call that answers with raw bytes.
    pub(crate) fn from_generated(value: progenitor_client::ResponseValue<progenitor_client::ByteStream>) -> Self {
        let headers = value.headers().clone();
        BinaryStream {
            content_type: headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned),
            content_length: value.content_length(),
            rate_limits: RateLimits::from_headers(&headers),
            request_id: request_id(&headers),
            headers,
            body: Box::pin(value.into_inner().into_inner().map_err(Error::from_reqwest)),
        }
    }

    /// The media type the server gave the body (`audio/mpeg`, `image/png`, …).
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The body's length, when the server said it.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// The rate-limit headers of the answer.
    pub fn rate_limits(&self) -> &RateLimits {
        &self.rate_limits
    }

    /// The request id the server gave the call, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Every header of the answer, as sent.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The response headers the spec declares, typed (see
    /// [`Response::declared_headers`](crate::Response::declared_headers)).
    pub fn declared_headers(&self) -> DeclaredHeaders {
        DeclaredHeaders::from_headers(&self.headers)
    }

    /// The whole body in memory; for large bodies prefer [`write_to`](Self::write_to).
    pub async fn bytes(mut self) -> Result<Bytes> {
        let mut whole = Vec::with_capacity(self.content_length.unwrap_or(0).min(16 << 20) as usize);
        while let Some(chunk) = self.body.next().await {
            whole.extend_from_slice(&chunk?);
        }
        Ok(whole.into())
    }

    /// Copies the body into `writer` as it arrives and returns how many bytes it wrote.
    pub async fn write_to<W: tokio::io::AsyncWrite + Unpin + ?Sized>(mut self, writer: &mut W) -> Result<u64> {
        let mut written = 0;
        while let Some(chunk) = self.body.next().await {
            let chunk = chunk?;
            writer.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        writer.flush().await?;
        Ok(written)
    }

    /// Writes the body to a new file at `path` (replacing one that exists), returning its size.
    pub async fn save(self, path: impl AsRef<Path>) -> Result<u64> {
        let mut file = tokio::fs::File::create(path).await?;
        let written = self.write_to(&mut file).await?;
        file.sync_all().await?;
        Ok(written)
    }
}

impl Stream for BinaryStream {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.body.as_mut().poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Chunk {
        n: u32,
    }

    /// Splits `body` into pieces of `size` bytes, as a network might.
    fn events(body: &str, size: usize) -> EventStream<Chunk> {
        let pieces: Vec<Result<Bytes>> = body.as_bytes().chunks(size).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        EventStream::from_chunks(futures_util::stream::iter(pieces), HeaderMap::new(), "test")
    }

    async fn collect(stream: EventStream<Chunk>) -> Vec<std::result::Result<u32, String>> {
        stream.map(|item| item.map(|c| c.n).map_err(|e| e.to_string())).collect().await
    }

    const BODY: &str = "data: {\"n\":1}\n\n: keep-alive\n\ndata: {\"n\":2}\r\n\r\ndata: {\"n\":3}\n\ndata: [DONE]\n\n";

    #[tokio::test]
    async fn chunks_are_decoded_in_order_however_the_body_is_cut() {
        for size in [1, 2, 3, 7, 16, BODY.len()] {
            assert_eq!(collect(events(BODY, size)).await, [Ok(1), Ok(2), Ok(3)], "pieces of {size}");
        }
    }

    #[tokio::test]
    async fn nothing_after_done_is_read() {
        let body = "data: {\"n\":1}\n\ndata: [DONE]\n\ndata: {\"n\":2}\n\n";
        assert_eq!(collect(events(body, 5)).await, [Ok(1)]);
    }

    #[tokio::test]
    async fn an_error_sent_mid_stream_ends_it_with_an_api_error() {
        let body = "data: {\"n\":1}\n\ndata: {\"error\":\"model overloaded\"}\n\ndata: {\"n\":2}\n\n";
        let items: Vec<_> = events(body, 4).collect().await;
        assert_eq!(items.len(), 2);
        match &items[1] {
            Err(Error::Api(api)) => {
                assert_eq!(api.kind, ApiErrorKind::Stream);
                assert_eq!(api.message, "model overloaded");
            }
            other => panic!("expected a stream error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn an_error_event_ends_the_stream() {
        let body = "event: error\ndata: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}\n\n";
        let items: Vec<_> = events(body, 3).collect().await;
        assert!(matches!(&items[..], [Err(Error::Api(api))] if api.message == "boom"));
    }

    #[tokio::test]
    async fn an_undecodable_chunk_is_a_decode_error_and_ends_the_stream() {
        let body = "data: {\"n\":\"one\"}\n\ndata: {\"n\":2}\n\n";
        let items: Vec<_> = events(body, 64).collect().await;
        assert!(matches!(&items[..], [Err(Error::Decode { .. })]), "{items:?}");
    }

    #[tokio::test]
    async fn a_huge_value_of_the_wrong_type_gives_a_bounded_reason() {
        // Found by the `sse_events` fuzz target: serde quotes the offending string whole.
        let body = format!("data: {{\"n\":\"{}\"}}\n\n", "x".repeat(100_000));
        let items: Vec<_> = events(&body, 4096).collect().await;
        match &items[..] {
            [Err(Error::Decode { reason, excerpt, .. })] => {
                assert!(reason.len() < 1024, "a reason of {} bytes", reason.len());
                assert!(reason.contains("invalid type"), "{reason}");
                assert!(excerpt.len() <= crate::defaults::BODY_EXCERPT_BYTES + '…'.len_utf8());
            }
            other => panic!("expected one decode error, got {other:?}"),
        }
    }

    /// Sets its flag when dropped.
    struct DropFlag(std::sync::Arc<std::sync::atomic::AtomicBool>);

    impl Drop for DropFlag {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[tokio::test]
    async fn dropping_the_stream_stops_decoding_even_while_the_server_is_silent() {
        let dropped = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = DropFlag(dropped.clone());
        let first = futures_util::stream::iter([Ok(Bytes::from_static(b"data: {\"n\":1}\n\n"))]);
        // One event, then silence forever; the source owns the flag.
        let body = first.chain(futures_util::stream::pending()).map(move |item| {
            let _ = &flag;
            item
        });
        let mut stream = EventStream::<Chunk>::from_chunks(body, HeaderMap::new(), "test");
        assert_eq!(stream.next().await.unwrap().unwrap(), Chunk { n: 1 });

        drop(stream);

        for _ in 0..100 {
            if dropped.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the decoding task still holds the body a second after the stream was dropped");
    }

    #[tokio::test]
    async fn a_leading_byte_order_mark_is_ignored_however_the_body_is_cut() {
        // Found by the `sse_events` fuzz target: the mark made eventsource-stream panic.
        let body = "\u{feff}data: {\"n\":1}\n\ndata: {\"n\":2}\n\n";
        for size in [1, 2, 3, 4, body.len()] {
            assert_eq!(collect(events(body, size)).await, [Ok(1), Ok(2)], "pieces of {size}");
        }
    }

    #[tokio::test]
    async fn a_mapped_stream_hands_over_mapped_chunks_and_ends_at_the_first_error_of_the_map() {
        let body = "data: {\"n\":1}\n\ndata: {\"n\":2}\n\ndata: {\"n\":3}\n\ndata: {\"n\":4}\n\n";
        let pieces = futures_util::stream::iter([Ok(Bytes::from_static(body.as_bytes()))]);
        let map = |chunk: Chunk| match chunk.n {
            3 => Err(Error::invalid("n", "three")),
            n => Ok(Chunk { n: n * 10 }),
        };
        let stream = EventStream::from_chunks_mapped(pieces, HeaderMap::new(), "test", map);
        assert_eq!(
            collect(stream).await,
            [Ok(10), Ok(20), Err("invalid argument `n`: three".to_owned())],
            "nothing after the map's error"
        );
    }

    #[tokio::test]
    async fn a_body_that_ends_without_done_ends_the_stream() {
        assert_eq!(collect(events("data: {\"n\":1}\n\n", 3)).await, [Ok(1)]);
    }
}

//! Transport and protocol faults, against a scripted server on loopback: rate-limit storms,
//! server errors, resets, silence, trickled and malformed bodies. Every call must end in
//! bounded time with a typed error (or the answer), and a create must never be sent twice
//! when the server may have acted on it.
//!
//! Each test body runs under `within`, so that a hang fails the test instead of blocking CI.
//! The observations (attempts, error, time) are printed; `cargo test -p venice-api --test
//! faults -- --nocapture` shows them.

#![cfg(feature = "api-keys")]

mod common;

use std::future::Future;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::scripted::{Reply, ScriptedServer};
use common::{API_KEY, fixture};
use serde_json::json;
use venice_api::api_keys::{CreateApiKey, CreatedApiKey};
use venice_api::{ApiErrorKind, Client, ClientBuilder, Error, Response};

/// Fails the test when `body` takes longer than `seconds`.
async fn within<F: Future>(seconds: u64, body: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(seconds), body).await.expect("the test hung")
}

/// A client for `server` with a short timeout, otherwise as `configure` makes it.
fn client(server: &ScriptedServer, configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Client {
    configure(Client::builder().api_key(API_KEY).base_url(server.base_url()).timeout(Duration::from_secs(2)))
        .build()
        .unwrap()
}

fn keys() -> Reply {
    Reply::json(200, &fixture("getApiKeys"))
}

fn created() -> Reply {
    Reply::json(200, &fixture("createApiKey"))
}

fn error(status: u16) -> Reply {
    Reply::json(status, &json!({"error": format!("status {status}")}))
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Lists keys, printing what happened for the report.
async fn list(name: &str, server: &ScriptedServer, client: &Client) -> venice_api::Result<Response<serde_json::Value>> {
    let started = Instant::now();
    let result = client.api_keys().list().await.map(|r| r.map(|body| serde_json::to_value(body).unwrap()));
    observe(name, server, started, &result);
    result
}

/// Creates a key, printing what happened for the report.
async fn create(name: &str, server: &ScriptedServer, client: &Client) -> venice_api::Result<Response<CreatedApiKey>> {
    let started = Instant::now();
    let result = client.api_keys().create(CreateApiKey::inference("faults")).await;
    observe(name, server, started, &result);
    result
}

fn observe<T>(name: &str, server: &ScriptedServer, started: Instant, result: &venice_api::Result<T>) {
    let outcome = match result {
        Ok(_) => "Ok".to_owned(),
        Err(Error::Api(api)) => format!("Api({} {:?})", api.status, api.kind),
        Err(Error::Decode { status, .. }) => format!("Decode(status {status:?})"),
        Err(Error::Timeout { .. }) => "Timeout".to_owned(),
        Err(Error::Transport { message, .. }) => format!("Transport({message})"),
        Err(other) => format!("{other:?}"),
    };
    println!("{name}: {} attempt(s), {outcome}, {:?}", server.served(), started.elapsed());
}

fn assert_between(gap: Duration, low_ms: u64, high_ms: u64) {
    assert!(
        gap >= Duration::from_millis(low_ms) && gap <= Duration::from_millis(high_ms),
        "{gap:?} is not within {low_ms}..={high_ms} ms"
    );
}

// --- 429 storms -------------------------------------------------------------------------

#[tokio::test]
async fn a_429_storm_without_reset_headers_backs_off_doubling_from_half_a_second() {
    within(10, async {
        let server = ScriptedServer::sequence(vec![error(429)]);

        let result = list("429 storm, no headers", &server, &client(&server, |b| b.max_retries(3))).await;

        let error = result.unwrap_err();
        assert!(error.is_rate_limited(), "{error:?}");
        assert_eq!(server.served(), 4, "max_retries 3: one attempt and three retries");
        // 0.5 s, 1 s, 2 s, each less up to a quarter of jitter (and some slack for a busy machine).
        let gaps = server.gaps();
        assert_between(gaps[0], 375, 750);
        assert_between(gaps[1], 750, 1250);
        assert_between(gaps[2], 1500, 2250);
    })
    .await;
}

/// Run with `cargo test -p venice-api --test faults -- --ignored`: takes 12 to 16 s.
#[tokio::test]
#[ignore = "waits through the whole backoff, 12 to 16 s"]
async fn the_backoff_stops_doubling_at_8_s() {
    within(40, async {
        let server = ScriptedServer::sequence(vec![error(429)]);

        let result = list("429 storm to the backoff cap", &server, &client(&server, |b| b.max_retries(5))).await;

        assert!(result.unwrap_err().is_rate_limited());
        let gaps = server.gaps();
        for (gap, full_ms) in gaps.iter().zip([500, 1000, 2000, 4000, 8000]) {
            assert_between(*gap, full_ms * 3 / 4, full_ms + 250);
        }
    })
    .await;
}

#[tokio::test]
async fn a_429_storm_with_retry_after_zero_backs_off_and_stops_after_max_retries() {
    within(10, async {
        // A wait of zero says nothing the backoff does not: obeying it would hammer the server.
        let server = ScriptedServer::sequence(vec![error(429).header("retry-after", 0)]);

        let result = list("429 storm, Retry-After 0", &server, &client(&server, |b| b.max_retries(2))).await;

        let error = result.unwrap_err();
        assert_eq!(error.api().unwrap().kind, ApiErrorKind::RateLimited);
        assert_eq!(error.api().unwrap().message, "status 429");
        assert_eq!(server.served(), 3);
        let gaps = server.gaps();
        assert_between(gaps[0], 375, 750);
        assert_between(gaps[1], 750, 1250);
    })
    .await;
}

#[tokio::test]
async fn a_429_whose_reset_time_has_passed_backs_off() {
    within(10, async {
        let server = ScriptedServer::sequence(vec![
            error(429).header("x-ratelimit-reset-requests", unix_now() - 30),
            Reply::json(200, &fixture("getApiKeys")),
        ]);

        let result = list("429, reset already past", &server, &client(&server, |b| b.max_retries(1))).await;

        assert!(result.is_ok(), "{result:?}");
        assert_between(server.gaps()[0], 375, 750);
    })
    .await;
}

#[tokio::test]
async fn a_429_asking_for_an_impossibly_long_wait_is_returned_at_once() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![error(429).header("retry-after", "1e20")]);
        let started = Instant::now();

        let result = list("429, Retry-After 1e20", &server, &client(&server, |b| b.max_retries(3))).await;

        assert!(result.unwrap_err().is_rate_limited());
        assert_eq!(server.served(), 1);
        assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    })
    .await;
}

#[tokio::test]
async fn a_429_storm_with_a_reset_header_waits_for_the_reset_each_time() {
    within(10, async {
        // Two seconds ahead: a wait of 1-2 s, where the backoff would wait at most 0.5 s.
        let server = ScriptedServer::start(|_, _| {
            error(429).header("x-ratelimit-reset-requests", unix_now() + 2).header("x-ratelimit-remaining-requests", 0)
        });

        let result = list("429 storm, reset header", &server, &client(&server, |b| b.max_retries(1))).await;

        let error = result.unwrap_err();
        let limits = error.api().unwrap().rate_limits;
        assert_eq!(limits.remaining_requests, Some(0));
        assert!(limits.reset_requests.is_some());
        assert_eq!(server.served(), 2);
        assert_between(server.gaps()[0], 990, 2250);
    })
    .await;
}

#[tokio::test]
async fn a_429_with_retry_after_waits_that_long_then_succeeds() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![error(429).header("retry-after", 1), keys()]);

        let result = list("429 Retry-After 1, then 200", &server, &client(&server, |b| b)).await;

        assert_eq!(result.unwrap().status(), 200);
        assert_between(server.gaps()[0], 1000, 1250);
    })
    .await;
}

#[tokio::test]
async fn a_retry_after_of_60_s_is_waited_for() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![error(429).header("retry-after", 60), keys()]);
        let client = client(&server, |b| b);

        let call = tokio::spawn(async move { client.api_keys().list().await.map(|_| ()) });
        tokio::time::sleep(Duration::from_millis(1500)).await;

        println!("429 Retry-After 60: still waiting after 1.5 s: {}", !call.is_finished());
        assert!(!call.is_finished(), "a 60 s Retry-After is within the cap and is waited for");
        assert_eq!(server.served(), 1);
        call.abort();
    })
    .await;
}

#[tokio::test]
async fn a_retry_after_over_60_s_returns_the_error_at_once() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![error(429).header("retry-after", 61), keys()]);
        let started = Instant::now();

        let result = list("429 Retry-After 61", &server, &client(&server, |b| b)).await;

        assert!(result.unwrap_err().is_rate_limited());
        assert_eq!(server.served(), 1);
        assert!(started.elapsed() < Duration::from_millis(500), "{:?}", started.elapsed());
    })
    .await;
}

#[tokio::test]
async fn a_reset_header_an_hour_away_returns_the_error_at_once_with_the_reset_time() {
    within(5, async {
        let reset = unix_now() + 3600;
        let server = ScriptedServer::sequence(vec![error(429).header("x-ratelimit-reset-requests", reset), keys()]);

        let result = list("429 reset in an hour", &server, &client(&server, |b| b)).await;

        let error = result.unwrap_err();
        assert_eq!(error.api().unwrap().rate_limits.reset_requests, Some(reset));
        assert_eq!(server.served(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_429_storm_on_create_is_retried_because_nothing_was_created() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![error(429).header("retry-after", 0)]);

        let result = create("create, 429 storm", &server, &client(&server, |b| b.max_retries(3))).await;

        assert!(result.unwrap_err().is_rate_limited());
        assert_eq!(server.count("POST"), 4);
    })
    .await;
}

// --- server errors ----------------------------------------------------------------------

#[tokio::test]
async fn a_500_502_503_then_success_is_retried_to_the_answer() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![
            error(500).header("retry-after", 0),
            error(502).header("retry-after", 0),
            error(503).header("retry-after", 0),
            keys(),
        ]);

        let result = list("500, 502, 503, then 200", &server, &client(&server, |b| b.max_retries(3))).await;

        assert_eq!(result.unwrap().status(), 200);
        assert_eq!(server.count("GET"), 4);
    })
    .await;
}

#[tokio::test]
async fn server_errors_past_max_retries_return_the_last_one() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![
            error(500).header("retry-after", 0),
            error(502).header("retry-after", 0),
            error(503).header("retry-after", 0),
            keys(),
        ]);

        let result = list("500, 502, 503 with max_retries 2", &server, &client(&server, |b| b)).await;

        let error = result.unwrap_err();
        assert_eq!(error.status(), Some(503));
        assert_eq!(error.api().unwrap().kind, ApiErrorKind::Server);
        assert_eq!(server.served(), 3);
    })
    .await;
}

#[tokio::test]
async fn create_is_sent_once_after_a_5xx() {
    within(5, async {
        for status in [500, 502, 503, 504] {
            let server = ScriptedServer::sequence(vec![error(status).header("retry-after", 0), created()]);

            let result = create(&format!("create, {status}"), &server, &client(&server, |b| b.max_retries(3))).await;

            assert_eq!(result.unwrap_err().status(), Some(status));
            assert_eq!(server.count("POST"), 1, "{status}: a retried create could make a second key");
        }
    })
    .await;
}

// --- resets -----------------------------------------------------------------------------

fn reset_mid_body(body: serde_json::Value) -> Reply {
    let body = body.to_string().into_bytes();
    let sent = body.len() / 2;
    Reply::ResetMidBody { status: 200, body, sent }
}

#[tokio::test]
async fn a_reset_mid_body_is_a_transport_error() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![reset_mid_body(fixture("getApiKeys")), keys()]);

        let result = list("list, reset mid-body", &server, &client(&server, |b| b)).await;

        let error = result.unwrap_err();
        assert!(matches!(error, Error::Transport { .. }), "{error:?}");
        assert!(error.to_string().contains("while the answer was read"), "{error}");
        assert!(error.is_retryable());
        // The answer had begun: the transport had handed it over, and the failure came while
        // the body was read, after the retry loop. The caller may retry a read.
        assert_eq!(server.served(), 1);
    })
    .await;
}

#[tokio::test]
async fn create_is_sent_once_when_the_connection_resets_mid_body() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![reset_mid_body(fixture("createApiKey")), created()]);

        let result = create("create, reset mid-body", &server, &client(&server, |b| b.max_retries(3))).await;

        assert!(matches!(result, Err(Error::Transport { .. })), "{result:?}");
        assert_eq!(server.count("POST"), 1);
    })
    .await;
}

#[tokio::test]
async fn a_reset_before_any_answer_is_retried_for_a_read() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![Reply::Reset, keys()]);

        let result = list("list, reset before the answer", &server, &client(&server, |b| b)).await;

        assert_eq!(result.unwrap().status(), 200);
        assert_eq!(server.served(), 2);
    })
    .await;
}

#[tokio::test]
async fn create_is_sent_once_when_the_connection_resets_before_any_answer() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![Reply::Reset, created()]);

        let result = create("create, reset before the answer", &server, &client(&server, |b| b.max_retries(3))).await;

        let error = result.unwrap_err();
        assert!(matches!(error, Error::Transport { .. }), "{error:?}");
        assert_eq!(server.count("POST"), 1, "the server read the request and may have acted on it");
        // The message must not tell the caller the request never left: the key may exist.
        assert!(error.to_string().contains("before an answer came"), "{error}");
    })
    .await;
}

#[tokio::test]
async fn a_reply_that_is_not_http_is_a_transport_error() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![Reply::Raw(b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec())]);

        let result = create("create, not HTTP", &server, &client(&server, |b| b.max_retries(3))).await;

        assert!(matches!(result, Err(Error::Transport { .. })), "{result:?}");
        assert_eq!(server.count("POST"), 1);
    })
    .await;
}

// --- silence and slowness ---------------------------------------------------------------

#[tokio::test]
async fn a_server_that_never_answers_times_out_each_attempt() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![Reply::Silence]);
        let started = Instant::now();

        let result = list(
            "list, silent server",
            &server,
            &client(&server, |b| b.timeout(Duration::from_millis(200)).max_retries(1)),
        )
        .await;

        assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
        assert_eq!(server.served(), 2);
        // Two attempts of 0.2 s and a backoff of at most 0.5 s.
        assert!(started.elapsed() < Duration::from_millis(1500), "{:?}", started.elapsed());
    })
    .await;
}

#[tokio::test]
async fn create_against_a_server_that_never_answers_is_sent_once() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![Reply::Silence]);

        let result = create(
            "create, silent server",
            &server,
            &client(&server, |b| b.timeout(Duration::from_millis(200)).max_retries(3)),
        )
        .await;

        assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
        assert_eq!(server.count("POST"), 1);
    })
    .await;
}

#[tokio::test]
async fn the_deadline_cuts_an_attempt_shorter_than_its_timeout() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![Reply::Silence]);
        let started = Instant::now();

        let result = list(
            "list, silent server, deadline 0.3 s",
            &server,
            &client(&server, |b| {
                b.timeout(Duration::from_secs(30)).deadline(Duration::from_millis(300)).max_retries(5)
            }),
        )
        .await;

        assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
        assert_eq!(server.served(), 1);
        assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    })
    .await;
}

fn trickle(body: serde_json::Value) -> Reply {
    Reply::Trickle { status: 200, body: body.to_string().into_bytes(), chunk: 16, every: Duration::from_millis(50) }
}

#[tokio::test]
async fn a_trickling_body_is_cut_by_the_timeout() {
    within(5, async {
        // 1.2 KB at 16 bytes every 50 ms would take about 4 s.
        let server = ScriptedServer::sequence(vec![trickle(fixture("getApiKeys"))]);
        let started = Instant::now();

        let result =
            list("list, trickled body", &server, &client(&server, |b| b.timeout(Duration::from_millis(300)))).await;

        assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
        // As with a reset mid-body, the failure comes after the answer was handed over.
        assert_eq!(server.served(), 1);
    })
    .await;
}

#[tokio::test]
async fn create_with_a_trickling_body_is_sent_once() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![trickle(fixture("createApiKey"))]);

        let result = create(
            "create, trickled body",
            &server,
            &client(&server, |b| b.timeout(Duration::from_millis(300)).max_retries(3)),
        )
        .await;

        assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
        assert_eq!(server.count("POST"), 1);
    })
    .await;
}

// --- malformed bodies -------------------------------------------------------------------

fn decode_excerpt<T: std::fmt::Debug>(result: venice_api::Result<T>) -> (Option<u16>, String) {
    match result {
        Err(Error::Decode { status, excerpt, .. }) => (status, excerpt),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_with_an_excerpt() {
    within(5, async {
        let body = r#"{"data": [{"id": "k1", "apiKeyType": "ADM"#;
        let server = ScriptedServer::sequence(vec![Reply::text(200, "application/json", body)]);

        let (status, excerpt) = decode_excerpt(list("list, truncated JSON", &server, &client(&server, |b| b)).await);

        assert_eq!(status, Some(200));
        assert_eq!(excerpt, body);
        assert_eq!(server.served(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_is_a_transport_error() {
    within(5, async {
        let mut bytes = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n".to_vec();
        bytes.extend_from_slice(br#"{"data": ["#);
        let server = ScriptedServer::sequence(vec![Reply::Raw(bytes)]);

        let result = list("list, body shorter than content-length", &server, &client(&server, |b| b)).await;

        assert!(matches!(result, Err(Error::Transport { .. })), "{result:?}");
    })
    .await;
}

fn html_page(title: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1>{}</body></html>",
        "<p>The server is taking a break. Please try again later.</p>".repeat(20)
    )
}

#[tokio::test]
async fn an_html_error_page_is_a_server_error_with_a_bounded_excerpt() {
    within(5, async {
        let page = html_page("502 Bad Gateway");
        let server =
            ScriptedServer::sequence(vec![Reply::text(502, "text/html", page.clone()).header("retry-after", 0)]);

        let result = list("list, HTML 502 page", &server, &client(&server, |b| b)).await;

        let error = result.unwrap_err();
        let api = error.api().unwrap_or_else(|| panic!("{error:?}"));
        assert_eq!(api.kind, ApiErrorKind::Server);
        assert!(api.message.starts_with("Bad Gateway"), "{}", api.message);
        assert!(page.len() > 512);
        assert_eq!(api.body_excerpt, format!("{}…", &page[..512]));
        assert_eq!(server.served(), 3, "a 502 is retried");
    })
    .await;
}

#[tokio::test]
async fn an_html_page_with_a_success_status_is_a_decode_error() {
    within(5, async {
        let page = html_page("Welcome");
        let server = ScriptedServer::sequence(vec![Reply::text(200, "text/html", page.clone())]);

        let (status, excerpt) = decode_excerpt(list("list, HTML 200 page", &server, &client(&server, |b| b)).await);

        assert_eq!(status, Some(200));
        assert!(page.starts_with(excerpt.trim_end_matches('…')), "{excerpt}");
        assert!(excerpt.len() <= 512 + '…'.len_utf8());
    })
    .await;
}

#[tokio::test]
async fn json_sent_as_text_plain_is_still_decoded() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![Reply::text(200, "text/plain", fixture("getApiKeys").to_string())]);

        let result = list("list, JSON as text/plain", &server, &client(&server, |b| b)).await;

        assert_eq!(result.unwrap().status(), 200);
    })
    .await;
}

#[tokio::test]
async fn html_labelled_as_json_is_a_decode_error_on_success() {
    within(5, async {
        let page = html_page("Login");
        let server = ScriptedServer::sequence(vec![Reply::text(200, "application/json", page.clone())]);

        let (status, excerpt) =
            decode_excerpt(list("list, HTML as application/json, 200", &server, &client(&server, |b| b)).await);

        assert_eq!(status, Some(200));
        assert!(excerpt.starts_with("<!DOCTYPE html>"), "{excerpt}");
    })
    .await;
}

#[tokio::test]
async fn html_labelled_as_json_on_a_documented_error_status_is_an_api_error() {
    within(5, async {
        // 401 is documented for this call with a JSON schema the page does not match.
        let page = html_page("401 Authorization Required");
        let server = ScriptedServer::sequence(vec![Reply::text(401, "application/json", page.clone())]);

        let result = list("list, HTML as application/json, 401", &server, &client(&server, |b| b)).await;

        let error = result.unwrap_err();
        let api = error.api().unwrap_or_else(|| panic!("{error:?}"));
        assert_eq!(api.kind, ApiErrorKind::Unauthorized);
        assert!(api.body_excerpt.starts_with("<!DOCTYPE html>"), "{}", api.body_excerpt);
    })
    .await;
}

#[tokio::test]
async fn a_success_status_with_an_error_body_is_a_decode_error_with_the_message_in_the_excerpt() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![Reply::json(200, &json!({"error": "Internal server error"}))]);

        let (status, excerpt) =
            decode_excerpt(list("list, 200 with an error body", &server, &client(&server, |b| b)).await);

        assert_eq!(status, Some(200));
        assert!(excerpt.contains("Internal server error"), "{excerpt}");
    })
    .await;
}

#[tokio::test]
async fn create_with_a_success_status_and_an_error_body_is_sent_once() {
    within(5, async {
        let server = ScriptedServer::sequence(vec![Reply::json(200, &json!({"error": "Internal server error"}))]);

        let (status, _) =
            decode_excerpt(create("create, 200 with an error body", &server, &client(&server, |b| b)).await);

        assert_eq!(status, Some(200));
        assert_eq!(server.count("POST"), 1);
    })
    .await;
}

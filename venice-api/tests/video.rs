//! Each video call sends the request the spec describes and decodes the answer; waiting for a
//! job polls with backoff until the MP4 comes, the deadline passes, or the job fails.

#![cfg(feature = "video")]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Sequence, authorization, client, client_with, ok_fixture, received};
use serde_json::json;
use venice_api::types::{
    self, AspectRatio, QueueVideoRequest, QuoteVideoRequest, Resolution, RetrieveVideoResponseStatus,
};
use venice_api::video::{Job, JobDeadline, Retrieved, WaitOptions};
use venice_api::{ApiErrorKind, Error};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BEARER: &str = "Bearer vk-test-5f1c9a0e4b7d2c8a";
const MODEL: &str = "wan-2.5-preview-text-to-video";
const QUEUE_ID: &str = "123e4567-e89b-12d3-a456-426614174000";
const MP4: &[u8] = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isomfake-video-bytes";

fn job() -> Job {
    Job::new(MODEL, QUEUE_ID)
}

/// What a retrieve sends: the flag only when the caller asked for deletion (the server's
/// default keeps the media).
fn retrieve_body(delete: bool) -> serde_json::Value {
    let mut body = json!({"model": MODEL, "queue_id": QUEUE_ID});
    if delete {
        body["delete_media_on_completion"] = json!(true);
    }
    body
}

fn processing() -> ResponseTemplate {
    ok_fixture("retrieveVideo")
}

fn mp4() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(MP4, "video/mp4")
}

/// Polls every few milliseconds, so that waiting is fast in tests.
fn fast() -> WaitOptions {
    WaitOptions::default()
        .poll_interval(Duration::from_millis(5))
        .max_poll_interval(Duration::from_millis(20))
        .deadline(Duration::from_secs(5))
}

fn api_error(error: Error) -> Box<venice_api::ApiError> {
    match error {
        Error::Api(api) => api,
        other => panic!("expected an API error, got {other:?}"),
    }
}

async fn mount_retrieve(server: &MockServer, answers: impl IntoIterator<Item = ResponseTemplate>) {
    Mock::given(method("POST"))
        .and(path("/api/v1/video/retrieve"))
        .respond_with(Sequence::new(answers))
        .mount(server)
        .await;
}

fn requests_to<'a>(requests: &'a [wiremock::Request], to: &str) -> Vec<&'a wiremock::Request> {
    requests.iter().filter(|r| r.url.path() == to).collect()
}

// ---- quote ----

#[tokio::test]
async fn quote_posts_the_settings_and_decodes_the_price() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/video/quote"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({
            "model": MODEL,
            "duration": "5s",
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "audio": false,
        })))
        .respond_with(ok_fixture("quoteVideo"))
        .expect(1)
        .mount(&server)
        .await;

    let request = QuoteVideoRequest::builder()
        .model(MODEL)
        .duration(types::QueueVideoRequestDuration::X5s)
        .resolution(Some(Resolution::X720p))
        .aspect_ratio(Some(AspectRatio::X169))
        .audio(false);
    let quote = client(&server).video().quote(request).await.unwrap();

    assert_eq!(quote.quote, 0.85);
}

#[tokio::test]
async fn quote_refused_as_invalid_is_a_bad_request_with_details() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/video/quote"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "Invalid request",
            "details": {"duration": {"_errors": ["Unsupported duration for this model"]}},
        })))
        .mount(&server)
        .await;

    let request = QuoteVideoRequest::builder().model(MODEL).duration(types::QueueVideoRequestDuration::X30s);
    let api = api_error(client(&server).video().quote(request).await.unwrap_err());

    assert_eq!((api.status, api.kind), (400, ApiErrorKind::BadRequest));
    assert_eq!(api.message, "Invalid request");
    assert_eq!(api.details.unwrap()["duration"]["_errors"][0], "Unsupported duration for this model");
}

// ---- queue ----

#[tokio::test]
async fn queue_posts_the_documented_body_and_returns_the_queue_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/video/queue"))
        .and(header("authorization", BEARER))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "model": MODEL,
            "prompt": "a lighthouse at dusk",
            "duration": "5s",
            "resolution": "720p",
        })))
        .respond_with(ok_fixture("queueVideo"))
        .expect(1)
        .mount(&server)
        .await;

    let request = QueueVideoRequest::builder()
        .model(MODEL)
        .prompt("a lighthouse at dusk")
        .duration(types::QueueVideoRequestDuration::X5s)
        .resolution(Some(Resolution::X720p));
    let queued = client(&server).video().queue(request).await.unwrap();

    assert_eq!(queued.queue_id, QUEUE_ID);
    assert_eq!(queued.model, MODEL);
    assert_eq!(Job::from(&queued), job());
}

#[tokio::test]
async fn queue_is_sent_once_after_a_500_because_the_job_may_exist() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/video/queue"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("retry-after", "0")
                .set_body_json(json!({"error": "Internal server error"})),
        )
        .mount(&server)
        .await;

    let request = QueueVideoRequest::builder()
        .model(MODEL)
        .prompt("a lighthouse at dusk")
        .duration(types::QueueVideoRequestDuration::X5s);
    let api = api_error(client(&server).video().queue(request).await.unwrap_err());

    assert_eq!((api.status, api.kind), (500, ApiErrorKind::Server));
    assert_eq!(api.message, "Internal server error");
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn queue_without_a_prompt_is_refused_before_sending() {
    let server = MockServer::start().await;

    let request = QueueVideoRequest::builder().model(MODEL).duration(types::QueueVideoRequestDuration::X5s);
    let error = client(&server).video().queue(request).await.unwrap_err();

    assert!(
        matches!(&error, Error::InvalidArgument { argument: "request", reason } if reason.contains("prompt")),
        "{error:?}"
    );
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn queue_needing_consent_is_a_consent_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/video/queue"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({
            "error": {"code": "needs_consent", "message": "Accept the Seedance policy first"},
            "consent_flow": "seedance",
            "face_media_roles": ["image"],
            "consent": {"consent_version": "1", "policy_text": "..."},
            "docs_url": "https://docs.venice.ai",
        })))
        .mount(&server)
        .await;

    let request =
        QueueVideoRequest::builder().model(MODEL).prompt("a portrait").duration(types::QueueVideoRequestDuration::X5s);
    let api = api_error(client(&server).video().queue(request).await.unwrap_err());

    assert_eq!((api.status, api.kind), (409, ApiErrorKind::ConsentRequired));
    assert_eq!(api.message, "Accept the Seedance policy first");
    assert_eq!(api.code.as_deref(), Some("needs_consent"));
}

// ---- retrieve ----

#[tokio::test]
async fn retrieve_while_processing_returns_the_status() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/video/retrieve"))
        .and(header("authorization", BEARER))
        .and(body_json(retrieve_body(false)))
        .respond_with(processing())
        .expect(1)
        .mount(&server)
        .await;

    let retrieved = client(&server).video().retrieve(&job()).await.unwrap();

    let Retrieved::Status(status) = retrieved else { panic!("expected a status, got {retrieved:?}") };
    assert_eq!(status.status, RetrieveVideoResponseStatus::Processing);
    assert_eq!(status.average_execution_time, 145000.0);
    assert_eq!(status.execution_duration, 53200.0);
}

#[tokio::test]
async fn retrieve_when_done_returns_the_mp4_as_a_stream() {
    let server = MockServer::start().await;
    mount_retrieve(&server, [mp4()]).await;

    let retrieved = client(&server).video().retrieve(&job()).await.unwrap();

    let media = retrieved.into_media().expect("the video");
    assert_eq!(media.content_type(), Some("video/mp4"));
    assert_eq!(media.bytes().await.unwrap(), MP4);
}

#[tokio::test]
async fn retrieve_of_an_unknown_job_is_not_found() {
    let server = MockServer::start().await;
    mount_retrieve(&server, [ResponseTemplate::new(404).set_body_json(json!({"error": "Media not found"}))]).await;

    let api = api_error(client(&server).video().retrieve(&job()).await.unwrap_err());

    assert_eq!((api.status, api.kind), (404, ApiErrorKind::NotFound));
    assert_eq!(api.message, "Media not found");
}

#[tokio::test]
async fn retrieve_with_an_empty_queue_id_is_refused_before_sending() {
    let server = MockServer::start().await;

    let error = client(&server).video().retrieve(Job::new(MODEL, " ")).await.unwrap_err();

    assert!(matches!(error, Error::InvalidArgument { argument: "queue_id", .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn retrieve_answering_an_html_page_is_a_decode_error() {
    let server = MockServer::start().await;
    mount_retrieve(&server, [ResponseTemplate::new(200).set_body_raw("<html>maintenance</html>", "text/html")]).await;

    let error = client(&server).video().retrieve(&job()).await.unwrap_err();

    assert!(
        matches!(&error, Error::Decode { status: Some(200), excerpt, .. } if excerpt.contains("maintenance")),
        "{error:?}"
    );
}

// ---- complete ----

#[tokio::test]
async fn complete_names_the_job_and_reports_success() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/video/complete"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({"model": MODEL, "queue_id": QUEUE_ID})))
        .respond_with(ok_fixture("completeVideo"))
        .expect(1)
        .mount(&server)
        .await;

    let completed = client(&server).video().complete(&job()).await.unwrap();

    assert!(completed.success);
}

#[tokio::test]
async fn complete_with_a_refused_key_is_unauthorized() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/video/complete"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "Authentication failed"})))
        .mount(&server)
        .await;

    let api = api_error(client(&server).video().complete(&job()).await.unwrap_err());

    assert_eq!((api.status, api.kind), (401, ApiErrorKind::Unauthorized));
    assert_eq!(api.message, "Authentication failed");
}

// ---- transcriptions ----

#[tokio::test]
async fn transcribe_posts_the_url_and_decodes_the_transcript() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/video/transcriptions"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({"url": "https://example.com/talk.mp4"})))
        .respond_with(ok_fixture("createVideoTranscription"))
        .expect(1)
        .mount(&server)
        .await;

    let transcript = client(&server).video().transcribe("https://example.com/talk.mp4").await.unwrap();

    assert_eq!(transcript.transcript, "Welcome back to the channel.");
    assert_eq!(transcript.lang.as_deref(), Some("en"));
}

#[tokio::test]
async fn transcribe_text_asks_for_text_and_returns_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/video/transcriptions"))
        .and(body_json(json!({"url": "https://example.com/talk.mp4", "response_format": "text"})))
        .respond_with(ResponseTemplate::new(200).set_body_raw("Welcome back to the channel.", "text/plain"))
        .expect(1)
        .mount(&server)
        .await;

    let text = client(&server).video().transcribe_text("https://example.com/talk.mp4").await.unwrap();

    assert_eq!(text.body(), "Welcome back to the channel.");
}

#[tokio::test]
async fn transcribe_without_funds_is_payment_required() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/video/transcriptions"))
        .respond_with(ResponseTemplate::new(402).set_body_json(json!({"error": "Insufficient USD or Diem balance"})))
        .mount(&server)
        .await;

    let api = api_error(client(&server).video().transcribe("https://example.com/talk.mp4").await.unwrap_err());

    assert_eq!((api.status, api.kind), (402, ApiErrorKind::PaymentRequired));
    assert_eq!(api.message, "Insufficient USD or Diem balance");
}

// ---- wait ----

#[tokio::test]
async fn wait_polls_until_the_mp4_comes_and_does_not_complete_the_job() {
    const PROCESSING_POLLS: usize = 3;
    let server = MockServer::start().await;
    mount_retrieve(&server, std::iter::repeat_n(processing(), PROCESSING_POLLS).chain([mp4()])).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/video/complete"))
        .respond_with(ok_fixture("completeVideo"))
        .expect(0)
        .mount(&server)
        .await;
    let reports = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&reports);

    let video = client(&server)
        .video()
        .wait_with(&job(), fast().on_progress(move |p| seen.lock().unwrap().push(p.clone())))
        .await
        .unwrap();

    assert_eq!(video.content_type(), Some("video/mp4"));
    assert_eq!(video.bytes().await.unwrap(), MP4);
    let requests = received(&server).await;
    let retrieves = requests_to(&requests, "/api/v1/video/retrieve");
    assert_eq!(retrieves.len(), PROCESSING_POLLS + 1);
    for request in retrieves {
        assert_eq!(request.body_json::<serde_json::Value>().unwrap(), retrieve_body(false));
        assert_eq!(authorization(request).as_deref(), Some(BEARER));
    }
    let reports = reports.lock().unwrap();
    assert_eq!(reports.iter().map(|p| p.polls).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(reports[0].running_for, Duration::from_millis(53_200));
    assert_eq!(reports[0].typical_duration, Duration::from_secs(145));
}

#[tokio::test]
async fn wait_can_ask_venice_to_delete_the_video_once_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/video/retrieve"))
        .and(body_json(retrieve_body(true)))
        .respond_with(mp4())
        .expect(1)
        .mount(&server)
        .await;

    let video = client(&server).video().wait_with(&job(), fast().delete_media_on_completion(true)).await.unwrap();

    assert_eq!(video.bytes().await.unwrap(), MP4);
}

#[tokio::test]
async fn wait_ends_with_a_job_deadline_when_the_job_outlasts_it() {
    let server = MockServer::start().await;
    mount_retrieve(&server, [processing()]).await;
    let started = Instant::now();

    let error =
        client(&server).video().wait_with(&job(), fast().deadline(Duration::from_millis(150))).await.unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    let Error::Timeout { source } = &error else { panic!("expected a timeout, got {error:?}") };
    let deadline = source.downcast_ref::<JobDeadline>().expect("a job deadline");
    assert_eq!(deadline.kind, "video");
    assert_eq!(deadline.queue_id, QUEUE_ID);
    assert!(deadline.polls >= 2, "{deadline:?}");
    assert_eq!(deadline.last_progress.as_ref().unwrap().running_for, Duration::from_millis(53_200));
    assert!(source.to_string().contains(QUEUE_ID), "{source}");
}

#[tokio::test]
async fn wait_does_not_hang_on_a_retrieve_that_never_answers() {
    let server = MockServer::start().await;
    mount_retrieve(&server, [processing().set_delay(Duration::from_secs(30))]).await;
    let started = Instant::now();

    let error =
        client(&server).video().wait_with(&job(), fast().deadline(Duration::from_millis(200))).await.unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    let Error::Timeout { source } = &error else { panic!("expected a timeout, got {error:?}") };
    assert_eq!(source.downcast_ref::<JobDeadline>().expect("a job deadline").polls, 0);
}

#[tokio::test]
async fn wait_ends_at_once_when_the_provider_refuses_the_video() {
    let server = MockServer::start().await;
    mount_retrieve(
        &server,
        [
            processing(),
            ResponseTemplate::new(422).set_body_json(json!({"error": {
                "message": "The provider refused this prompt",
                "type": "provider_content_policy",
                "credits_refunded": true,
            }})),
        ],
    )
    .await;

    let api = api_error(client(&server).video().wait_with(&job(), fast()).await.unwrap_err());

    assert_eq!((api.status, api.kind), (422, ApiErrorKind::BadRequest));
    assert_eq!(api.message, "The provider refused this prompt");
    assert_eq!(api.error_type.as_deref(), Some("provider_content_policy"));
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn wait_keeps_polling_through_a_status_the_spec_does_not_list_and_reports_it() {
    let server = MockServer::start().await;
    let queued = ResponseTemplate::new(200).set_body_json(json!({
        "status": "QUEUED",
        "average_execution_time": 145000,
        "execution_duration": 0,
    }));
    mount_retrieve(&server, [queued, mp4()]).await;
    let reports = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&reports);

    let video = client(&server)
        .video()
        .wait_with(&job(), fast().on_progress(move |p| seen.lock().unwrap().push(p.status.clone())))
        .await
        .unwrap();

    assert_eq!(video.bytes().await.unwrap(), MP4);
    assert_eq!(*reports.lock().unwrap(), ["QUEUED"]);
}

#[tokio::test]
async fn retrieve_returns_a_status_the_spec_does_not_list_as_sent() {
    let server = MockServer::start().await;
    mount_retrieve(
        &server,
        [ResponseTemplate::new(200).set_body_json(json!({
            "status": "FAILED",
            "average_execution_time": 145000,
            "execution_duration": 9000,
        }))],
    )
    .await;

    let retrieved = client(&server).video().retrieve(&job()).await.unwrap();

    let Retrieved::Status(status) = retrieved else { panic!("expected a status, got {retrieved:?}") };
    assert_eq!(status.status, RetrieveVideoResponseStatus::Unknown("FAILED".to_owned()));
}

#[tokio::test]
async fn wait_keeps_polling_through_a_transient_503() {
    let server = MockServer::start().await;
    let unavailable = ResponseTemplate::new(503).set_body_json(json!({"error": "No capacity"}));
    mount_retrieve(&server, [processing(), unavailable, mp4()]).await;

    let video = client_with(&server, |b| b.max_retries(0)).video().wait_with(&job(), fast()).await.unwrap();

    assert_eq!(video.bytes().await.unwrap(), MP4);
    assert_eq!(received(&server).await.len(), 3);
}

#[tokio::test]
async fn wait_fetches_the_download_link_without_the_key_when_the_status_says_completed() {
    let server = MockServer::start().await;
    let link = format!("{}/signed/video.mp4?sig=abc", server.uri());
    let completed = json!({"status": "COMPLETED", "average_execution_time": 145000, "execution_duration": 150000});
    mount_retrieve(&server, [processing(), ResponseTemplate::new(200).set_body_json(completed)]).await;
    Mock::given(method("GET")).and(path("/signed/video.mp4")).respond_with(mp4()).expect(1).mount(&server).await;

    let video = client(&server).video().wait_with(job().with_download_url(link), fast()).await.unwrap();

    assert_eq!(video.bytes().await.unwrap(), MP4);
    let requests = received(&server).await;
    let download = requests_to(&requests, "/signed/video.mp4");
    assert_eq!(authorization(download[0]), None);
}

#[tokio::test]
async fn wait_with_a_zero_poll_interval_is_refused_before_sending() {
    let server = MockServer::start().await;

    let error = client(&server).video().wait_with(&job(), fast().poll_interval(Duration::ZERO)).await.unwrap_err();

    assert!(matches!(error, Error::InvalidArgument { argument: "poll_interval", .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

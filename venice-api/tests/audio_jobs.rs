//! Each audio job call sends the request the spec describes and decodes the answer; waiting
//! for a job polls (with the polling shared with video) until the audio comes.

#![cfg(feature = "audio")]

mod common;

use std::time::{Duration, Instant};

use common::{Sequence, authorization, client, ok_fixture, received};
use serde_json::json;
use venice_api::audio::{Job, JobDeadline, Retrieved, WaitOptions};
use venice_api::types::{QueueAudioRequest, QueueAudioResponseStatus, QuoteAudioRequest, RetrieveAudioResponseStatus};
use venice_api::{ApiErrorKind, Error};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BEARER: &str = "Bearer vk-test-5f1c9a0e4b7d2c8a";
const MODEL: &str = "ace-step-music";
const QUEUE_ID: &str = "6f1d2c3b-4a5e-4f60-9a7b-8c9d0e1f2a3b";
const MP3: &[u8] = b"ID3\x04\x00\x00\x00\x00\x00\x00fake-mp3-frames";

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

fn mp3() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(MP3, "audio/mpeg")
}

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
        .and(path("/api/v1/audio/retrieve"))
        .respond_with(Sequence::new(answers))
        .mount(server)
        .await;
}

#[tokio::test]
async fn quote_posts_the_settings_and_decodes_the_price() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/quote"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({"model": MODEL, "duration_seconds": 30})))
        .respond_with(ok_fixture("quoteAudio"))
        .expect(1)
        .mount(&server)
        .await;

    let request =
        QuoteAudioRequest::builder().model(MODEL).duration_seconds(Some(std::num::NonZeroU64::new(30).unwrap().into()));
    let quote = client(&server).audio().quote(request).await.unwrap();

    assert_eq!(quote.quote, 0.12);
}

#[tokio::test]
async fn quote_refused_as_invalid_is_a_bad_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/quote"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "Unknown model"})))
        .mount(&server)
        .await;

    let api = api_error(client(&server).audio().quote(QuoteAudioRequest::builder().model("nope")).await.unwrap_err());

    assert_eq!((api.status, api.kind), (400, ApiErrorKind::BadRequest));
    assert_eq!(api.message, "Unknown model");
}

#[tokio::test]
async fn queue_posts_the_documented_body_and_returns_the_queue_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/queue"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({
            "model": MODEL,
            "prompt": "calm piano, rain outside",
            "force_instrumental": true,
            "loop": true,
        })))
        .respond_with(ok_fixture("queueAudio"))
        .expect(1)
        .mount(&server)
        .await;

    let request = QueueAudioRequest::builder()
        .model(MODEL)
        .prompt("calm piano, rain outside")
        .force_instrumental(Some(true))
        .loop_(Some(true));
    let queued = client(&server).audio().queue(request).await.unwrap();

    assert_eq!(queued.queue_id, QUEUE_ID);
    assert_eq!(queued.status, QueueAudioResponseStatus::Queued);
    assert_eq!(Job::from(&queued), job());
}

#[tokio::test]
async fn queue_is_sent_once_after_a_500_because_the_job_may_exist() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/queue"))
        .respond_with(
            ResponseTemplate::new(500).insert_header("retry-after", "0").set_body_json(json!({"error": "Boom"})),
        )
        .mount(&server)
        .await;

    let request = QueueAudioRequest::builder().model(MODEL).prompt("calm piano");
    let api = api_error(client(&server).audio().queue(request).await.unwrap_err());

    assert_eq!((api.status, api.kind), (500, ApiErrorKind::Server));
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn queue_with_an_empty_prompt_is_refused_before_sending() {
    let server = MockServer::start().await;

    let error = client(&server).audio().queue(QueueAudioRequest::builder().model(MODEL).prompt("")).await.unwrap_err();

    assert!(matches!(error, Error::InvalidArgument { argument: "request", .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn retrieve_while_processing_returns_the_status() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/retrieve"))
        .and(header("authorization", BEARER))
        .and(body_json(retrieve_body(false)))
        .respond_with(ok_fixture("retrieveAudio"))
        .expect(1)
        .mount(&server)
        .await;

    let retrieved = client(&server).audio().retrieve(&job()).await.unwrap();

    let Retrieved::Status(status) = retrieved else { panic!("expected a status, got {retrieved:?}") };
    assert_eq!(status.status, RetrieveAudioResponseStatus::Processing);
    assert_eq!(status.execution_duration, 12000.0);
}

#[tokio::test]
async fn retrieve_when_done_returns_the_audio_as_a_stream() {
    let server = MockServer::start().await;
    mount_retrieve(&server, [mp3()]).await;

    let media = client(&server).audio().retrieve(&job()).await.unwrap().into_media().expect("the audio");

    assert_eq!(media.content_type(), Some("audio/mpeg"));
    assert_eq!(media.bytes().await.unwrap(), MP3);
}

#[tokio::test]
async fn retrieve_refused_by_the_content_policy_keeps_the_message() {
    let server = MockServer::start().await;
    mount_retrieve(
        &server,
        [ResponseTemplate::new(422)
            .set_body_json(json!({"error": "Prompt violates the content policy", "suggested_prompt": "calm piano"}))],
    )
    .await;

    let api = api_error(client(&server).audio().retrieve(&job()).await.unwrap_err());

    assert_eq!((api.status, api.kind), (422, ApiErrorKind::BadRequest));
    assert_eq!(api.message, "Prompt violates the content policy");
}

#[tokio::test]
async fn complete_names_the_job_and_reports_success() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/complete"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({"model": MODEL, "queue_id": QUEUE_ID})))
        .respond_with(ok_fixture("completeAudio"))
        .expect(1)
        .mount(&server)
        .await;

    assert!(client(&server).audio().complete(&job()).await.unwrap().success);
}

#[tokio::test]
async fn complete_of_a_missing_job_is_a_bad_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/complete"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "queue_id is required"})))
        .mount(&server)
        .await;

    let api = api_error(client(&server).audio().complete(&job()).await.unwrap_err());

    assert_eq!((api.status, api.kind), (400, ApiErrorKind::BadRequest));
    assert_eq!(api.message, "queue_id is required");
}

#[tokio::test]
async fn wait_polls_until_the_audio_comes_and_does_not_complete_the_job() {
    const PROCESSING_POLLS: usize = 2;
    let server = MockServer::start().await;
    mount_retrieve(&server, std::iter::repeat_n(ok_fixture("retrieveAudio"), PROCESSING_POLLS).chain([mp3()])).await;

    let audio = client(&server).audio().wait_with(&job(), fast()).await.unwrap();

    assert_eq!(audio.bytes().await.unwrap(), MP3);
    let requests = received(&server).await;
    assert_eq!(requests.len(), PROCESSING_POLLS + 1, "only retrieves, no complete");
    for request in &requests {
        assert_eq!(request.url.path(), "/api/v1/audio/retrieve");
        assert_eq!(authorization(request).as_deref(), Some(BEARER));
    }
}

#[tokio::test]
async fn wait_ends_with_a_job_deadline_when_the_job_outlasts_it() {
    let server = MockServer::start().await;
    mount_retrieve(&server, [ok_fixture("retrieveAudio")]).await;
    let started = Instant::now();

    let error =
        client(&server).audio().wait_with(&job(), fast().deadline(Duration::from_millis(120))).await.unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    let Error::Timeout { source } = &error else { panic!("expected a timeout, got {error:?}") };
    let deadline = source.downcast_ref::<JobDeadline>().expect("a job deadline");
    assert_eq!((deadline.kind, deadline.queue_id.as_str()), ("audio", QUEUE_ID));
}

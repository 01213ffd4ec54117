//! Speech, transcription and voice cloning send the requests the spec describes (speech of any
//! size streaming to its destination is in `audio_speech_memory.rs`).

#![cfg(feature = "audio")]

mod common;

use common::{Sequence, authorization, client, client_with, received};
use serde_json::json;
use venice_api::audio::{AudioFile, CloneVoice, Speech, Transcribe};
use venice_api::types::{
    CreateClonedVoiceRequestSchemaModel, CreateSpeechRequestSchemaModel, CreateSpeechRequestSchemaResponseFormat,
    CreateTranscriptionRequestSchemaModel,
};
use venice_api::{ApiErrorKind, Error};
use wiremock::matchers::{any, body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const BEARER: &str = "Bearer vk-test-5f1c9a0e4b7d2c8a";

fn api_error(result: venice_api::Result<impl std::fmt::Debug>) -> (u16, ApiErrorKind, String) {
    match result {
        Err(Error::Api(api)) => (api.status, api.kind, api.message.clone()),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// One part of a multipart body: its name, file name, content type and bytes.
#[derive(Debug, PartialEq)]
struct FormPart {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// The parts of the multipart body of `request`, in order.
fn form_parts(request: &Request) -> Vec<FormPart> {
    let media = request.headers.get("content-type").expect("a content type").to_str().unwrap();
    assert!(media.starts_with("multipart/form-data"), "{media}");
    let boundary = media.split("boundary=").nth(1).expect("a boundary").trim_matches('"');
    let delimiter = format!("--{boundary}").into_bytes();
    let body = &request.body;
    let mut starts = Vec::new();
    let mut at = 0;
    while let Some(found) = body[at..].windows(delimiter.len()).position(|w| w == delimiter.as_slice()) {
        starts.push(at + found);
        at += found + delimiter.len();
    }
    let mut parts = Vec::new();
    for pair in starts.windows(2) {
        let part = &body[pair[0] + delimiter.len() + 2..pair[1] - 2]; // after "\r\n", before "\r\n"
        let split = part.windows(4).position(|w| w == b"\r\n\r\n").expect("part headers end");
        let head = String::from_utf8(part[..split].to_vec()).unwrap();
        let quoted =
            |key: &str| head.split(&format!("{key}=\"")).nth(1).map(|rest| rest.split('"').next().unwrap().to_owned());
        let content_type = head.lines().find_map(|line| {
            line.to_ascii_lowercase().starts_with("content-type:").then(|| line[13..].trim().to_owned())
        });
        parts.push(FormPart {
            name: quoted(" name").or_else(|| quoted(";name")).expect("a part name"),
            filename: quoted("filename"),
            content_type,
            body: part[split + 4..].to_vec(),
        });
    }
    parts
}

fn text_part(name: &str, value: &str) -> FormPart {
    FormPart { name: name.to_owned(), filename: None, content_type: None, body: value.as_bytes().to_vec() }
}

fn file_part(filename: &str, content_type: &str, body: &[u8]) -> FormPart {
    FormPart {
        name: "file".to_owned(),
        filename: Some(filename.to_owned()),
        content_type: Some(content_type.to_owned()),
        body: body.to_vec(),
    }
}

#[tokio::test]
async fn speech_sends_the_documented_body_and_keeps_the_audio_bytes_and_content_type() {
    let server = MockServer::start().await;
    let audio: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/speech"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({
            "input": "Hello from Venice.",
            "model": "tts-kokoro",
            "voice": "am_adam",
            "response_format": "mp3",
            "speed": 1.25,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_raw(audio.clone(), "audio/mpeg"))
        .expect(1)
        .mount(&server)
        .await;

    let request = Speech::new("Hello from Venice.")
        .model(CreateSpeechRequestSchemaModel::TtsKokoro)
        .voice("am_adam")
        .format(CreateSpeechRequestSchemaResponseFormat::Mp3)
        .speed(1.25);
    let speech = client(&server).audio().speech(request).await.unwrap();

    assert_eq!(speech.content_type(), Some("audio/mpeg"));
    assert_eq!(speech.bytes().await.unwrap(), audio);
}

#[tokio::test]
async fn speech_saves_to_a_file() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/speech"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(b"RIFF....WAVE".to_vec(), "audio/wav"))
        .mount(&server)
        .await;
    let file = std::env::temp_dir().join(format!("venice-speech-{}.wav", std::process::id()));

    let speech = client(&server).audio().speech(Speech::new("hi")).await.unwrap();
    let written = speech.save(&file).await.unwrap();

    assert_eq!(written, 12);
    assert_eq!(std::fs::read(&file).unwrap(), b"RIFF....WAVE");
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn speech_refuses_out_of_range_arguments_before_sending() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;

    let error = client(&server).audio().speech(Speech::new("hi").speed(5.0)).await.unwrap_err();

    assert!(matches!(error, Error::InvalidArgument { argument: "speed", .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn speech_reports_an_unsupported_format_as_a_bad_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/speech"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "Invalid request",
            "details": {"response_format": {"_errors": ["Not supported by this model"]}},
        })))
        .mount(&server)
        .await;

    let result = client(&server).audio().speech(Speech::new("hi")).await;

    assert_eq!(api_error(result), (400, ApiErrorKind::BadRequest, "Invalid request".to_owned()));
}

#[tokio::test]
async fn transcribe_uploads_the_file_and_fields_as_multipart_and_decodes_the_transcript() {
    let server = MockServer::start().await;
    let audio = b"ID3\x03\x00 fake mp3 \x00\xff bytes".to_vec();
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/transcriptions"))
        .and(header("authorization", BEARER))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "text": "hello there",
            "duration": 1.5,
            "timestamps": {
                "word": [{"word": "hello", "start": 0.0, "end": 0.5}, {"word": "there", "start": 0.6, "end": 1.1}],
                "segment": [{"text": "hello there", "start": 0.0, "end": 1.1}],
            },
        })))
        .expect(1)
        .mount(&server)
        .await;

    let request = Transcribe::new(AudioFile::new(audio.clone(), "greeting.mp3"))
        .model(CreateTranscriptionRequestSchemaModel::OpenaiWhisperLargeV3)
        .timestamps(true)
        .language("en");
    let transcript = client(&server).audio().transcribe(request).await.unwrap();

    assert_eq!(transcript.text, "hello there");
    assert_eq!(transcript.duration, Some(1.5));
    let timestamps = transcript.timestamps.as_ref().unwrap();
    assert_eq!(timestamps.words.len(), 2);
    assert_eq!(timestamps.segments[0].end, 1.1);
    let requests = received(&server).await;
    assert_eq!(
        form_parts(&requests[0]),
        [
            file_part("greeting.mp3", "audio/mpeg", &audio),
            text_part("model", "openai/whisper-large-v3"),
            text_part("timestamps", "true"),
            text_part("language", "en"),
        ]
    );
}

#[tokio::test]
async fn transcribe_as_plain_text_asks_for_text_and_keeps_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/transcriptions"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("hello there", "text/plain; charset=utf-8"))
        .mount(&server)
        .await;

    let file = AudioFile::new(vec![1, 2, 3], "clip.bin").content_type("audio/ogg");
    let transcript = client(&server).audio().transcribe(Transcribe::new(file).plain_text()).await.unwrap();

    assert_eq!(transcript.text, "hello there");
    assert_eq!(transcript.duration, None);
    let requests = received(&server).await;
    assert_eq!(
        form_parts(&requests[0]),
        [file_part("clip.bin", "audio/ogg", &[1, 2, 3]), text_part("response_format", "text")]
    );
}

#[tokio::test]
async fn transcribe_rebuilds_the_form_for_a_retry() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/transcriptions"))
        .respond_with(Sequence::new([
            // A transcription bills, so only an answer the server cannot have acted on is retried.
            ResponseTemplate::new(429).insert_header("retry-after", "0").set_body_json(json!({"error": "busy"})),
            ResponseTemplate::new(200).set_body_json(json!({"text": "ok"})),
        ]))
        .expect(2)
        .mount(&server)
        .await;

    let transcript =
        client(&server).audio().transcribe(Transcribe::new(AudioFile::new(vec![7; 100], "a.wav"))).await.unwrap();

    assert_eq!(transcript.text, "ok");
    let requests = received(&server).await;
    assert_eq!(form_parts(&requests[0]), form_parts(&requests[1]));
    assert_eq!(form_parts(&requests[1]), [file_part("a.wav", "audio/wav", &[7; 100])]);
}

#[tokio::test]
async fn transcribe_reports_unprocessable_audio() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/transcriptions"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"error": "The audio file is empty"})))
        .mount(&server)
        .await;

    let result = client(&server).audio().transcribe(Transcribe::new(AudioFile::new(vec![0], "a.mp3"))).await;

    assert_eq!(api_error(result), (422, ApiErrorKind::BadRequest, "The audio file is empty".to_owned()));
}

#[tokio::test]
async fn clone_voice_uploads_the_sample_and_model_and_returns_the_handle() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/voices"))
        .and(header("authorization", BEARER))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "vv_voice_abc123", "model": "tts-minimax-speech-02-hd"})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let request = CloneVoice::new(AudioFile::new(b"sample".to_vec(), "me.wav"))
        .model(CreateClonedVoiceRequestSchemaModel::TtsMinimaxSpeech02Hd);
    let voice = client(&server).audio().clone_voice(request).await.unwrap();

    assert_eq!((voice.id.as_str(), voice.model.as_str()), ("vv_voice_abc123", "tts-minimax-speech-02-hd"));
    let requests = received(&server).await;
    assert!(authorization(&requests[0]).is_some());
    assert_eq!(
        form_parts(&requests[0]),
        [file_part("me.wav", "audio/wav", b"sample"), text_part("model", "tts-minimax-speech-02-hd")]
    );
}

#[tokio::test]
async fn clone_voice_is_not_sent_again_after_a_server_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/audio/voices"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("retry-after", "0")
                .set_body_json(json!({"error": "Upstream failed"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with(&server, |builder| builder.max_retries(2));

    let result = client.audio().clone_voice(CloneVoice::new(AudioFile::new(b"sample".to_vec(), "me.wav"))).await;

    assert_eq!(api_error(result), (500, ApiErrorKind::Server, "Upstream failed".to_owned()));
    assert_eq!(received(&server).await.len(), 1);
}

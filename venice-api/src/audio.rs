//! Speech, transcription, voice cloning and audio jobs: `client.audio()`.
//!
//! Speech comes back as a [`BinaryStream`], read as it arrives ([`BinaryStream::save`] writes
//! it to a file without holding it in memory). Transcription and voice cloning upload a file
//! in a multipart form, which the generated client cannot send: the facade builds those
//! requests itself and sends them through the same transport (key, retries, timeouts). Their
//! answers have no generated type (the operations are left out of the generated client), so
//! [`Transcription`] and [`ClonedVoice`] are defined here, after the spec.

use std::path::Path;

use bytes::Bytes;
use reqwest::multipart::{Form, Part};
use serde::{Deserialize, Serialize};
use venice_api_gen::types::{self, builder};

use venice_api_gen::operations;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::response::{self, Response};
use crate::stream::BinaryStream;

/// The most characters one speech request may read aloud.
pub const MAX_SPEECH_INPUT_CHARS: usize = 4096;

/// Speech, transcription, voice cloning and audio jobs.
#[derive(Debug, Clone, Copy)]
pub struct Audio<'c> {
    client: &'c Client,
}

impl<'c> Audio<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// Reads text aloud; the answer is the audio, read as it arrives.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::audio::Speech;
    /// use venice_api::types::CreateSpeechRequestSchemaResponseFormat as Format;
    ///
    /// let audio = client.audio().speech(Speech::new("Hello from Venice.").voice("af_sky").format(Format::Mp3)).await?;
    /// let bytes = audio.save("hello.mp3").await?;
    /// println!("wrote {bytes} bytes");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn speech(&self, request: Speech) -> Result<BinaryStream> {
        self.client.require_credentials("audio().speech", &operations::CREATE_SPEECH)?;
        let body = request.into_body()?;
        response::decode_binary(self.client.raw().create_speech().body(body).send()).await
    }

    /// Turns recorded speech into text (`POST /audio/transcriptions`, a multipart upload).
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::audio::{AudioFile, Transcribe};
    ///
    /// let file = AudioFile::open("meeting.mp3").await?;
    /// let transcript = client.audio().transcribe(Transcribe::new(file).timestamps(true)).await?;
    /// println!("{}", transcript.text);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn transcribe(&self, request: Transcribe) -> Result<Response<Transcription>> {
        self.client.require_credentials("audio().transcribe", &operations::CREATE_TRANSCRIPTION)?;
        let request = request.checked()?;
        let answer = self
            .client
            .send_built(&operations::CREATE_TRANSCRIPTION, |request_builder| request_builder.multipart(request.form()))
            .await?;
        let is_json = answer
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|media| media.to_ascii_lowercase().contains("json"));
        if is_json {
            return response::json(answer).await;
        }
        // `response_format=text`: the transcript as plain text.
        let head = Response::head(answer.status().as_u16(), answer.headers());
        let text = answer.text().await.map_err(Error::from_reqwest)?;
        Ok(head.map(|()| Transcription { text, duration: None, timestamps: None }))
    }

    /// Makes a voice handle (`vv_…`) from a sample, usable as [`Speech::voice`] with the same
    /// model (`POST /audio/voices`, a multipart upload).
    ///
    /// Creates something lasting, so it is not sent again after a server error or a timeout:
    /// only when the server cannot have acted.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::audio::{AudioFile, CloneVoice, Speech};
    ///
    /// let voice = client.audio().clone_voice(CloneVoice::new(AudioFile::open("me.wav").await?)).await?;
    /// let speech = Speech::new("It sounds like me.").voice(voice.id.clone());
    /// client.audio().speech(speech).await?.save("me.mp3").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn clone_voice(&self, request: CloneVoice) -> Result<Response<ClonedVoice>> {
        self.client.require_credentials("audio().clone_voice", &operations::CREATE_CLONED_VOICE)?;
        let request = request.checked()?;
        let answer = self
            .client
            .send_built(&operations::CREATE_CLONED_VOICE, |request_builder| request_builder.multipart(request.form()))
            .await?;
        response::json(answer).await
    }

    // Audio jobs: see the jobs section below.
}

/// A speech request: the text, then voice, model and delivery. Checked against the
/// documented ranges before anything is sent.
#[derive(Debug, Clone)]
pub struct Speech {
    input: String,
    voice: Option<String>,
    speed: Option<f64>,
    temperature: Option<f64>,
    top_p: Option<f64>,
    body: builder::CreateSpeechRequestSchema,
}

impl Speech {
    /// Reads `input` aloud (at most 4096 characters).
    pub fn new(input: impl Into<String>) -> Self {
        Self {
            input: input.into(),
            voice: None,
            speed: None,
            temperature: None,
            top_p: None,
            body: builder::CreateSpeechRequestSchema::default(),
        }
    }

    /// The text-to-speech model (default `tts-kokoro`).
    pub fn model(mut self, model: types::CreateSpeechRequestSchemaModel) -> Self {
        self.body = self.body.model(model);
        self
    }

    /// The voice: one of the model's, or a handle from [`Audio::clone_voice`] (default `af_sky`).
    pub fn voice(mut self, voice: impl Into<String>) -> Self {
        self.voice = Some(voice.into());
        self
    }

    /// The audio format (the model's default when not set).
    pub fn format(mut self, format: types::CreateSpeechRequestSchemaResponseFormat) -> Self {
        self.body = self.body.response_format(Some(format));
        self
    }

    /// Speed, 0.25 to 4 (1 is normal).
    pub fn speed(mut self, speed: f64) -> Self {
        self.speed = Some(speed);
        self
    }

    /// Sampling temperature, 0 to 2.
    pub fn temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Nucleus sampling, 0 to 1.
    pub fn top_p(mut self, top_p: f64) -> Self {
        self.top_p = Some(top_p);
        self
    }

    /// Any other field of the generated request builder (language, delivery prompt,
    /// sentence-by-sentence streaming).
    pub fn with(
        mut self,
        f: impl FnOnce(builder::CreateSpeechRequestSchema) -> builder::CreateSpeechRequestSchema,
    ) -> Self {
        self.body = f(self.body);
        self
    }

    fn into_body(self) -> Result<types::CreateSpeechRequestSchema> {
        if self.input.trim().is_empty() {
            return Err(Error::invalid("input", "must not be empty"));
        }
        let chars = self.input.chars().count();
        if chars > MAX_SPEECH_INPUT_CHARS {
            return Err(Error::invalid("input", format!("{chars} characters; at most {MAX_SPEECH_INPUT_CHARS}")));
        }
        let mut body = self.body.input(self.input);
        if let Some(voice) = &self.voice {
            let voice: types::CreateSpeechRequestSchemaVoice =
                voice.parse().map_err(|e| Error::invalid("voice", format!("{e}")))?;
            body = body.voice(voice);
        }
        for (argument, value, low, high) in [
            ("speed", self.speed, 0.25, 4.0),
            ("temperature", self.temperature, 0.0, 2.0),
            ("top_p", self.top_p, 0.0, 1.0),
        ] {
            if let Some(value) = value
                && !(value.is_finite() && (low..=high).contains(&value))
            {
                return Err(Error::invalid(argument, format!("{value} is not between {low} and {high}")));
            }
        }
        if let Some(speed) = self.speed {
            body = body.speed(speed);
        }
        if self.temperature.is_some() {
            body = body.temperature(self.temperature);
        }
        if self.top_p.is_some() {
            body = body.top_p(self.top_p);
        }
        body.try_into().map_err(|e: types::error::ConversionError| Error::invalid("request", e.to_string()))
    }
}

/// An audio file to upload: its bytes, name and media type.
#[derive(Clone)]
pub struct AudioFile {
    bytes: Bytes,
    filename: String,
    content_type: String,
}

impl std::fmt::Debug for AudioFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioFile")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl AudioFile {
    /// `bytes` uploaded as `filename`, with a media type guessed from its extension
    /// (`application/octet-stream` when unknown; see [`content_type`](Self::content_type)).
    pub fn new(bytes: impl Into<Bytes>, filename: impl Into<String>) -> Self {
        let filename = filename.into();
        let content_type = media_type_of(&filename).to_owned();
        Self { bytes: bytes.into(), filename, content_type }
    }

    /// The file at `path`, read into memory, named after its last component.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = tokio::fs::read(path).await?;
        let filename = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "audio".to_owned());
        Ok(Self::new(bytes, filename))
    }

    /// The media type sent for the file, such as `audio/mpeg`.
    pub fn content_type(mut self, media_type: impl Into<String>) -> Self {
        self.content_type = media_type.into();
        self
    }

    fn checked(self) -> Result<Self> {
        if self.bytes.is_empty() {
            return Err(Error::invalid("file", "the file is empty"));
        }
        if self.filename.trim().is_empty() {
            return Err(Error::invalid("file", "the file name is empty"));
        }
        if Part::bytes(Vec::new()).mime_str(&self.content_type).is_err() {
            return Err(Error::invalid("file", format!("{:?} is not a media type", self.content_type)));
        }
        Ok(self)
    }

    /// The form part; built afresh for each attempt (the bytes are shared, not copied).
    fn part(&self) -> Part {
        let part = Part::stream_with_length(reqwest::Body::from(self.bytes.clone()), self.bytes.len() as u64)
            .file_name(self.filename.clone());
        // Checked in `checked`, before anything is sent.
        part.mime_str(&self.content_type).expect("the media type was checked")
    }
}

/// The media type of a file name's extension, for the audio formats Venice takes.
fn media_type_of(filename: &str) -> &'static str {
    let extension = filename.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "mp3" | "mpga" | "mpeg" => "audio/mpeg",
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "m4a" | "mp4" => "audio/mp4",
        "aac" => "audio/aac",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/opus",
        "webm" => "audio/webm",
        _ => "application/octet-stream",
    }
}

/// A transcription request: the file, then model, format and timings.
#[derive(Debug, Clone)]
pub struct Transcribe {
    file: AudioFile,
    model: Option<types::CreateTranscriptionRequestSchemaModel>,
    plain_text: bool,
    timestamps: Option<bool>,
    language: Option<String>,
}

impl Transcribe {
    /// Transcribes `file` with Venice's default model.
    pub fn new(file: AudioFile) -> Self {
        Self { file, model: None, plain_text: false, timestamps: None, language: None }
    }

    /// The speech-to-text model.
    pub fn model(mut self, model: types::CreateTranscriptionRequestSchemaModel) -> Self {
        self.model = Some(model);
        self
    }

    /// Asks for a plain-text answer (`response_format=text`); [`Transcription::text`] then
    /// holds it, and the other fields stay empty.
    pub fn plain_text(mut self) -> Self {
        self.plain_text = true;
        self
    }

    /// Whether word and segment timings come with the transcript.
    pub fn timestamps(mut self, timestamps: bool) -> Self {
        self.timestamps = Some(timestamps);
        self
    }

    /// The language of the audio (detected when not set).
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    fn checked(self) -> Result<Self> {
        if let Some(language) = &self.language
            && language.trim().is_empty()
        {
            return Err(Error::invalid("language", "must not be empty"));
        }
        Ok(Self { file: self.file.checked()?, ..self })
    }

    fn form(&self) -> Form {
        let mut form = Form::new().part("file", self.file.part());
        if let Some(model) = self.model {
            form = form.text("model", model.to_string());
        }
        if self.plain_text {
            form = form.text("response_format", "text");
        }
        if let Some(timestamps) = self.timestamps {
            form = form.text("timestamps", timestamps.to_string());
        }
        if let Some(language) = &self.language {
            form = form.text("language", language.trim().to_owned());
        }
        form
    }
}

/// A voice cloning request: the sample, then the model the voice is for.
#[derive(Debug, Clone)]
pub struct CloneVoice {
    file: AudioFile,
    model: Option<types::CreateClonedVoiceRequestSchemaModel>,
}

impl CloneVoice {
    /// A voice cloned from `sample` for Venice's default model (`tts-chatterbox-hd`).
    pub fn new(sample: AudioFile) -> Self {
        Self { file: sample, model: None }
    }

    /// The model the voice is made for; speech with it must use the same one.
    pub fn model(mut self, model: types::CreateClonedVoiceRequestSchemaModel) -> Self {
        self.model = Some(model);
        self
    }

    fn checked(self) -> Result<Self> {
        Ok(Self { file: self.file.checked()?, ..self })
    }

    fn form(&self) -> Form {
        let form = Form::new().part("file", self.file.part());
        match self.model {
            Some(model) => form.text("model", model.to_string()),
            None => form,
        }
    }
}

/// A transcript (the answer of [`Audio::transcribe`]). Defined here, after the spec: the
/// generated client has no type for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Transcription {
    /// The transcript.
    pub text: String,
    /// Length of the audio, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    /// Word, segment and character timings, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamps: Option<TranscriptionTimestamps>,
}

/// The timings of a [`Transcription`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TranscriptionTimestamps {
    /// One entry per word.
    #[serde(default, rename = "word")]
    pub words: Vec<TimedWord>,
    /// One entry per segment.
    #[serde(default, rename = "segment")]
    pub segments: Vec<TimedSegment>,
    /// One entry per character, from models that give them.
    #[serde(default, rename = "char")]
    pub chars: Vec<TimedChar>,
}

/// A word and when it is spoken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimedWord {
    /// The word.
    pub word: String,
    /// Start, in seconds.
    pub start: f64,
    /// End, in seconds.
    pub end: f64,
}

/// A segment of the transcript and when it is spoken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimedSegment {
    /// The segment's text.
    pub text: String,
    /// Start, in seconds.
    pub start: f64,
    /// End, in seconds.
    pub end: f64,
}

/// A character and when it is spoken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimedChar {
    /// The character (as text: it may be more than one code point).
    pub char: String,
    /// Start, in seconds.
    pub start: f64,
    /// End, in seconds.
    pub end: f64,
}

/// A cloned voice (the answer of [`Audio::clone_voice`]). Defined here, after the spec: the
/// generated client has no type for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClonedVoice {
    /// The handle (`vv_…`) to pass as [`Speech::voice`].
    pub id: String,
    /// The model the voice was made for; speech with it must use the same one.
    pub model: String,
}

// ---- Audio jobs ----

pub use crate::jobs::{Job, JobDeadline, JobProgress, Retrieved, WaitOptions};

/// Music and sound generation jobs: quote, queue, wait for the file, clean up. The polling is
/// shared with video jobs (see [`WaitOptions`]).
impl<'c> Audio<'c> {
    /// What an audio generation with these settings would cost, in US dollars. Takes a
    /// [`types::QuoteAudioRequest`] or its builder.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::types::QuoteAudioRequest;
    ///
    /// let request = QuoteAudioRequest::builder().model("ace-step-music").duration_seconds(Some(std::num::NonZeroU64::new(30).unwrap().into()));
    /// println!("${:.2}", client.audio().quote(request).await?.quote);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn quote<R>(&self, request: R) -> crate::Result<crate::Response<crate::types::QuoteAudioResponse>>
    where
        R: TryInto<crate::types::QuoteAudioRequest>,
        R::Error: std::fmt::Display,
    {
        self.client.require_credentials("audio().quote", &operations::QUOTE_AUDIO)?;
        let body: crate::types::QuoteAudioRequest = crate::jobs::checked_request(request)?;
        crate::jobs::non_empty_model(&body.model)?;
        crate::response::decode(self.client.raw().quote_audio().body(body).send()).await
    }

    /// Starts a paid music or sound generation and answers at once with the job's queue id;
    /// pass the answer to [`wait`](Self::wait). Takes a
    /// [`types::QueueAudioRequest`] or its builder.
    ///
    /// Not retried after a server error or a timeout, when the job may already be queued (and
    /// billed): only when the server cannot have acted (connection refused, 429).
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::types::QueueAudioRequest;
    ///
    /// let request = QueueAudioRequest::builder().model("ace-step-music").prompt("calm piano, rain outside");
    /// let queued = client.audio().queue(request).await?;
    /// client.audio().wait(&queued).await?.save("piano.mp3").await?;
    /// client.audio().complete(&queued).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn queue<R>(&self, request: R) -> crate::Result<crate::Response<crate::types::QueueAudioResponse>>
    where
        R: TryInto<crate::types::QueueAudioRequest>,
        R::Error: std::fmt::Display,
    {
        self.client.require_credentials("audio().queue", &operations::QUEUE_AUDIO)?;
        let body: crate::types::QueueAudioRequest = crate::jobs::checked_request(request)?;
        crate::jobs::non_empty_model(&body.model)?;
        crate::response::decode(self.client.raw().queue_audio().body(body).send()).await
    }

    /// Polls the job once: its JSON status while it runs, the audio (as a stream) once it is
    /// done. The file stays on Venice's side until [`complete`](Self::complete).
    pub async fn retrieve(&self, job: impl Into<Job>) -> crate::Result<Retrieved<crate::types::RetrieveAudioResponse>> {
        self.client.require_credentials("audio().retrieve", &operations::RETRIEVE_AUDIO)?;
        let job = job.into().checked()?;
        self.retrieve_job(&job, false).await
    }

    /// Deletes the finished audio from Venice's storage; call it once the file is saved. A
    /// `success` of false means the cleanup did not finish and may be asked for again.
    pub async fn complete(
        &self,
        job: impl Into<Job>,
    ) -> crate::Result<crate::Response<crate::types::CompleteAudioResponse>> {
        self.client.require_credentials("audio().complete", &operations::COMPLETE_AUDIO)?;
        let job = job.into().checked()?;
        let body = crate::types::CompleteAudioRequest { model: job.model, queue_id: job.queue_id };
        crate::response::decode(self.client.raw().complete_audio().body(body).send()).await
    }

    /// Waits for the job with the default [`WaitOptions`] and returns the audio as a stream,
    /// not yet read. Does not delete the file on Venice's side: call
    /// [`complete`](Self::complete) once it is saved. A job still processing at the deadline
    /// ends the wait with [`Error::Timeout`], whose source is a
    /// [`JobDeadline`]; an error that retrying cannot cure (a 422, a 404) ends it at once.
    pub async fn wait(&self, job: impl Into<Job>) -> crate::Result<crate::stream::BinaryStream> {
        self.wait_with(job, WaitOptions::default()).await
    }

    /// [`wait`](Self::wait) with other polling intervals, deadline, progress callback, or
    /// deletion of the file once sent.
    pub async fn wait_with(
        &self,
        job: impl Into<Job>,
        options: WaitOptions,
    ) -> crate::Result<crate::stream::BinaryStream> {
        self.client.require_credentials("audio().wait", &operations::RETRIEVE_AUDIO)?;
        let job = job.into().checked()?;
        let delete = options.deletes_media();
        match crate::jobs::wait("audio", &job.queue_id, &options, || self.retrieve_job(&job, delete)).await? {
            crate::jobs::Finished::Media(audio) => Ok(audio),
            // Audio statuses are only ever `PROCESSING`; nothing reports completion without the file.
            crate::jobs::Finished::Completed(status) => Err(crate::Error::decode(
                Some(status.status()),
                "the audio job reports completion without its file",
                b"",
            )),
        }
    }

    async fn retrieve_job(
        &self,
        job: &Job,
        delete_media_on_completion: bool,
    ) -> crate::Result<Retrieved<crate::types::RetrieveAudioResponse>> {
        let body = crate::types::RetrieveAudioRequest {
            model: job.model.clone(),
            queue_id: job.queue_id.clone(),
            // Left out unless asked for: the server keeps the media by default.
            delete_media_on_completion: delete_media_on_completion.then_some(true),
        };
        let call = self.client.raw().retrieve_audio().body(body).send();
        let read_whole = |content_type: Option<&str>| crate::jobs::read_whole(content_type, "audio");
        crate::jobs::retrieved(crate::response::decode_raw(call, read_whole).await?)
    }
}

impl crate::jobs::JobStatus for crate::types::RetrieveAudioResponse {
    fn timing_ms(&self) -> (f64, f64) {
        (self.execution_duration, self.average_execution_time)
    }

    fn is_completed(&self) -> bool {
        false
    }

    fn status_text(&self) -> String {
        self.status.to_string()
    }
}

impl From<&crate::types::QueueAudioResponse> for Job {
    fn from(queued: &crate::types::QueueAudioResponse) -> Self {
        Job::new(queued.model.clone(), queued.queue_id.clone())
    }
}

impl From<&crate::Response<crate::types::QueueAudioResponse>> for Job {
    fn from(queued: &crate::Response<crate::types::QueueAudioResponse>) -> Self {
        Job::from(queued.body())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::error::refused;

    #[test]
    fn empty_or_overlong_input_is_refused() {
        assert_eq!(refused(Speech::new(" ").into_body()), "input");
        assert_eq!(refused(Speech::new("x".repeat(4097)).into_body()), "input");
    }

    #[test]
    fn out_of_range_speed_temperature_and_top_p_are_refused() {
        assert_eq!(refused(Speech::new("hi").speed(0.2).into_body()), "speed");
        assert_eq!(refused(Speech::new("hi").speed(4.5).into_body()), "speed");
        assert_eq!(refused(Speech::new("hi").temperature(2.1).into_body()), "temperature");
        assert_eq!(refused(Speech::new("hi").top_p(f64::NAN).into_body()), "top_p");
        Speech::new("hi").speed(0.25).temperature(2.0).top_p(1.0).into_body().unwrap();
    }

    #[test]
    fn empty_files_names_and_bad_media_types_are_refused() {
        assert_eq!(refused(AudioFile::new(Vec::new(), "a.mp3").checked()), "file");
        assert_eq!(refused(AudioFile::new(vec![1], " ").checked()), "file");
        assert_eq!(refused(AudioFile::new(vec![1], "a.mp3").content_type("not a type").checked()), "file");
    }

    #[test]
    fn the_media_type_is_guessed_from_the_extension() {
        assert_eq!(AudioFile::new(vec![1], "talk.MP3").content_type, "audio/mpeg");
        assert_eq!(AudioFile::new(vec![1], "talk.wav").content_type, "audio/wav");
        assert_eq!(AudioFile::new(vec![1], "talk").content_type, "application/octet-stream");
    }

    #[test]
    fn a_json_transcript_with_timestamps_decodes() {
        let body = r#"{"text":"hi there","duration":1.5,"timestamps":{"word":[{"word":"hi","start":0.0,"end":0.4}],
            "segment":[{"text":"hi there","start":0.0,"end":1.5}]}}"#;
        let transcript: Transcription = serde_json::from_str(body).unwrap();
        let timestamps = transcript.timestamps.unwrap();
        assert_eq!(timestamps.words[0].word, "hi");
        assert_eq!(timestamps.segments[0].end, 1.5);
        assert!(timestamps.chars.is_empty());
    }
}

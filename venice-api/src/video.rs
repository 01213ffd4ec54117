//! Video jobs (quote, queue, wait, download, clean up) and transcriptions: `client.video()`.
//!
//! A video is made by a job: [`quote`](Video::quote) says what it would cost,
//! [`queue`](Video::queue) starts it, [`wait`](Video::wait) polls it with backoff until the MP4
//! is ready and hands it over as a stream, and [`complete`](Video::complete) deletes it from
//! Venice's storage once saved.
//!
//! ```no_run
//! # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
//! use venice_api::types::{QueueVideoRequest, QueueVideoRequestDuration};
//! use venice_api::video::Job;
//!
//! let request = QueueVideoRequest::builder()
//!     .model("wan-2.5-preview-text-to-video")
//!     .prompt("a lighthouse at dusk, waves breaking")
//!     .duration(QueueVideoRequestDuration::X5s);
//! let queued = client.video().queue(request).await?;
//! let video = client.video().wait(&queued).await?;
//! video.save("lighthouse.mp4").await?;
//! client.video().complete(&queued).await?;
//! # Ok(())
//! # }
//! ```

use std::time::{Duration, Instant};

use venice_api_gen::types::{
    self, CompleteVideoResponse, CreateVideoTranscriptionResponse, QueueVideoResponse, QuoteVideoResponse,
    ResponseFormat, RetrieveVideoResponse, RetrieveVideoResponseStatus,
};

use venice_api_gen::operations;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::jobs::{self, Finished, JobStatus, checked_request, non_empty_model};
pub use crate::jobs::{Job, JobDeadline, JobProgress, Retrieved, WaitOptions};
use crate::response::{self, RawBody, Response};
use crate::stream::BinaryStream;

/// Video jobs (quote, queue, wait, download, clean up) and transcriptions.
#[derive(Debug, Clone, Copy)]
pub struct Video<'c> {
    client: &'c Client,
}

impl<'c> Video<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// What generating a video with these settings would cost, in US dollars, without
    /// starting it. Takes a [`types::QuoteVideoRequest`] or its builder.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::types::{QueueVideoRequestDuration, QuoteVideoRequest, Resolution};
    ///
    /// let request = QuoteVideoRequest::builder()
    ///     .model("wan-2.5-preview-text-to-video")
    ///     .duration(QueueVideoRequestDuration::X5s)
    ///     .resolution(Some(Resolution::X720p));
    /// println!("${:.2}", client.video().quote(request).await?.quote);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn quote<R>(&self, request: R) -> Result<Response<QuoteVideoResponse>>
    where
        R: TryInto<types::QuoteVideoRequest>,
        R::Error: std::fmt::Display,
    {
        self.client.require_credentials("video().quote", &operations::QUOTE_VIDEO)?;
        let body: types::QuoteVideoRequest = checked_request(request)?;
        non_empty_model(&body.model)?;
        response::decode(self.client.raw().quote_video().body(body).send()).await
    }

    /// Starts a paid video generation and answers at once with the job's queue id; pass the
    /// answer to [`wait`](Self::wait). Takes a [`types::QueueVideoRequest`] or its builder.
    ///
    /// Not retried after a server error or a timeout, when the job may already be queued (and
    /// billed): only when the server cannot have acted (connection refused, 429).
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::types::{QueueVideoRequest, QueueVideoRequestDuration};
    ///
    /// let request = QueueVideoRequest::builder()
    ///     .model("wan-2.5-preview-text-to-video")
    ///     .prompt("a lighthouse at dusk")
    ///     .duration(QueueVideoRequestDuration::X5s);
    /// let queued = client.video().queue(request).await?;
    /// println!("queued {}", queued.queue_id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn queue<R>(&self, request: R) -> Result<Response<QueueVideoResponse>>
    where
        R: TryInto<types::QueueVideoRequest>,
        R::Error: std::fmt::Display,
    {
        self.client.require_credentials("video().queue", &operations::QUEUE_VIDEO)?;
        let body: types::QueueVideoRequest = checked_request(request)?;
        non_empty_model(&body.model)?;
        response::decode(self.client.raw().queue_video().body(body).send()).await
    }

    /// Polls the job once: its JSON status while it runs, the MP4 (as a stream) once it is
    /// done. The file stays on Venice's side until [`complete`](Self::complete).
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client, job: venice_api::video::Job) -> venice_api::Result<()> {
    /// use venice_api::video::Retrieved;
    ///
    /// match client.video().retrieve(&job).await? {
    ///     Retrieved::Status(status) => println!("{} after {} ms", status.status, status.execution_duration),
    ///     Retrieved::Media(video) => { video.save("out.mp4").await?; }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn retrieve(&self, job: impl Into<Job>) -> Result<Retrieved<RetrieveVideoResponse>> {
        self.client.require_credentials("video().retrieve", &operations::RETRIEVE_VIDEO)?;
        let job = job.into().checked()?;
        self.retrieve_once(&job, false).await
    }

    /// Deletes the finished video from Venice's storage; call it once the file is saved.
    pub async fn complete(&self, job: impl Into<Job>) -> Result<Response<CompleteVideoResponse>> {
        self.client.require_credentials("video().complete", &operations::COMPLETE_VIDEO)?;
        let job = job.into().checked()?;
        let body = types::CompleteVideoRequest { model: job.model, queue_id: job.queue_id };
        response::decode(self.client.raw().complete_video().body(body).send()).await
    }

    /// Waits for the job with the default [`WaitOptions`] (polls from every 2 s up to every
    /// 15 s, for up to 30 minutes) and returns the MP4 as a stream, not yet read: save it with
    /// [`BinaryStream::save`]. Does not delete the file on Venice's side: call
    /// [`complete`](Self::complete) once it is saved.
    ///
    /// A job still processing at the deadline ends the wait with [`Error::Timeout`], whose
    /// source is a [`JobDeadline`]; the job goes on. An error that retrying cannot cure (the
    /// provider's content policy refused the video: a 422; no such job: a 404) ends it at once.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client, queued: venice_api::Response<venice_api::types::QueueVideoResponse>) -> venice_api::Result<()> {
    /// let video = client.video().wait(&queued).await?;
    /// let bytes = video.save("out.mp4").await?;
    /// client.video().complete(&queued).await?;
    /// println!("saved {bytes} bytes");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn wait(&self, job: impl Into<Job>) -> Result<BinaryStream> {
        self.wait_with(job, WaitOptions::default()).await
    }

    /// [`wait`](Self::wait) with other polling intervals, deadline, progress callback, or
    /// deletion of the file once sent.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client, job: venice_api::video::Job) -> venice_api::Result<()> {
    /// use std::time::Duration;
    /// use venice_api::video::WaitOptions;
    ///
    /// let options = WaitOptions::default()
    ///     .deadline(Duration::from_secs(10 * 60))
    ///     .on_progress(|p| eprintln!("{:?} of a typical {:?}", p.running_for, p.typical_duration));
    /// client.video().wait_with(&job, options).await?.save("out.mp4").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn wait_with(&self, job: impl Into<Job>, options: WaitOptions) -> Result<BinaryStream> {
        self.client.require_credentials("video().wait", &operations::RETRIEVE_VIDEO)?;
        let job = job.into().checked()?;
        let started = Instant::now();
        let delete = options.deletes_media();
        let finished = jobs::wait("video", &job.queue_id, &options, || self.retrieve_once(&job, delete)).await?;
        match finished {
            Finished::Media(video) => Ok(video),
            Finished::Completed(status) => match &job.download_url {
                Some(url) => self.download(url, options.remaining(started)).await,
                None => Err(Error::decode(
                    Some(status.status()),
                    "the job is completed but Venice answered with its status, not the video: this model \
                     gives a download link when the job is queued; wait with the queue answer (or \
                     `Job::with_download_url`)",
                    b"",
                )),
            },
        }
    }

    /// Turns the speech of the video at `url` (public) into text, with its detected language.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// let transcript = client.video().transcribe("https://example.com/talk.mp4").await?;
    /// println!("[{:?}] {}", transcript.lang, transcript.transcript);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn transcribe(&self, url: &str) -> Result<Response<CreateVideoTranscriptionResponse>> {
        self.client.require_credentials("video().transcribe", &operations::CREATE_VIDEO_TRANSCRIPTION)?;
        let whole = self.transcription(url, None).await?;
        let transcript =
            serde_json::from_slice(whole.body()).map_err(|e| Error::decode(Some(whole.status()), e, whole.body()))?;
        Ok(whole.map(|_| transcript))
    }

    /// The speech of the video at `url` (public) as plain text.
    pub async fn transcribe_text(&self, url: &str) -> Result<Response<String>> {
        self.client.require_credentials("video().transcribe_text", &operations::CREATE_VIDEO_TRANSCRIPTION)?;
        let whole = self.transcription(url, Some(ResponseFormat::Text)).await?;
        Ok(whole.map(|text| String::from_utf8_lossy(&text).into_owned()))
    }

    async fn transcription(&self, url: &str, format: Option<ResponseFormat>) -> Result<Response<bytes::Bytes>> {
        if url.trim().is_empty() {
            return Err(Error::invalid("url", "must not be empty"));
        }
        let body = types::CreateVideoTranscriptionRequestSchema { url: url.to_owned(), response_format: format };
        let call = self.client.raw().create_video_transcription().body(body).send();
        match response::decode_raw(call, |_| true).await? {
            RawBody::Whole(whole) => Ok(whole),
            RawBody::Stream(_) => unreachable!("the transcript is always read whole"),
        }
    }

    async fn retrieve_once(
        &self,
        job: &Job,
        delete_media_on_completion: bool,
    ) -> Result<Retrieved<RetrieveVideoResponse>> {
        let body = types::RetrieveVideoRequest {
            model: job.model.clone(),
            queue_id: job.queue_id.clone(),
            // Left out unless asked for: the server keeps the media by default.
            delete_media_on_completion: delete_media_on_completion.then_some(true),
        };
        let call = self.client.raw().retrieve_video().body(body).send();
        jobs::retrieved(response::decode_raw(call, |content_type| jobs::read_whole(content_type, "video")).await?)
    }

    /// Fetches the finished video from the signed link the queue answer gave, without the API
    /// key (the link carries its own authorization), within `remaining` for the answer to begin.
    async fn download(&self, url: &str, remaining: Duration) -> Result<BinaryStream> {
        let send = self.client.http().get(url).send();
        let result = tokio::time::timeout(remaining, send).await.map_err(|_| Error::Timeout {
            source: "the download of the finished video did not begin before the wait's deadline".into(),
        })?;
        let answer = response::checked(result.map_err(crate::transport::SendError::Http), "download_video").await?;
        Ok(BinaryStream::from_response(answer))
    }
}

impl JobStatus for RetrieveVideoResponse {
    fn timing_ms(&self) -> (f64, f64) {
        (self.execution_duration, self.average_execution_time)
    }

    fn is_completed(&self) -> bool {
        self.status == RetrieveVideoResponseStatus::Completed
    }

    fn status_text(&self) -> String {
        self.status.to_string()
    }
}

impl From<&QueueVideoResponse> for Job {
    fn from(queued: &QueueVideoResponse) -> Self {
        Job {
            model: queued.model.clone(),
            queue_id: queued.queue_id.clone(),
            download_url: queued.download_url.clone(),
        }
    }
}

impl From<&Response<QueueVideoResponse>> for Job {
    fn from(queued: &Response<QueueVideoResponse>) -> Self {
        Job::from(queued.body())
    }
}

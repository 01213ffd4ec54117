//! Queued generation jobs (video, audio): the handle every later call names, what polling one
//! answers, and waiting for one, with backoff, until its file is ready.
//!
//! [`video`](crate::video) and [`audio`](crate::audio) re-export the public types; the polling
//! loop is written once here, generic over the job's status type.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use crate::defaults;
use crate::error::{Error, Result};
use crate::response::{RawBody, Response};
use crate::stream::BinaryStream;

/// A queued job: the model it runs on and the id Venice gave it. Made from the answer of a
/// `queue` call (`Job::from(&queued)`), or from ids kept elsewhere with [`Job::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The model the job runs on.
    pub model: String,
    /// The id Venice gave the job when it was queued.
    pub queue_id: String,
    /// A signed link to the finished file, valid for 24 hours, which some video models give at
    /// queue time instead of answering `retrieve` with the file; waiting fetches it (without
    /// the API key) once the job is completed.
    pub download_url: Option<String>,
}

impl Job {
    /// The job `queue_id` running on `model`.
    pub fn new(model: impl Into<String>, queue_id: impl Into<String>) -> Self {
        Job { model: model.into(), queue_id: queue_id.into(), download_url: None }
    }

    /// The same job, with the download link its queue answer gave.
    pub fn with_download_url(mut self, url: impl Into<String>) -> Self {
        self.download_url = Some(url.into());
        self
    }

    /// Refuses, before sending, a job without a model or an id.
    pub(crate) fn checked(self) -> Result<Self> {
        if self.model.trim().is_empty() {
            return Err(Error::invalid("model", "must not be empty"));
        }
        if self.queue_id.trim().is_empty() {
            return Err(Error::invalid("queue_id", "must not be empty"));
        }
        Ok(self)
    }
}

impl From<&Job> for Job {
    fn from(job: &Job) -> Self {
        job.clone()
    }
}

/// What polling a queued job answered.
#[derive(Debug)]
pub enum Retrieved<S> {
    /// The job's JSON status: still processing or, for video models that gave a download
    /// link at queue time, completed.
    Status(Response<S>),
    /// The finished file, read as it arrives.
    Media(BinaryStream),
}

impl<S> Retrieved<S> {
    /// The finished file, if that is what came back.
    pub fn into_media(self) -> Option<BinaryStream> {
        match self {
            Retrieved::Media(media) => Some(media),
            Retrieved::Status(_) => None,
        }
    }

    /// The job's status, if that is what came back.
    pub fn status(&self) -> Option<&Response<S>> {
        match self {
            Retrieved::Status(status) => Some(status),
            Retrieved::Media(_) => None,
        }
    }
}

/// Whether a retrieve answer with `content_type` is read whole (a status, or something
/// unexpected to report) rather than streamed as the file: files are `<media_kind>/*`,
/// `application/octet-stream`, or untyped.
pub(crate) fn read_whole(content_type: Option<&str>, media_kind: &str) -> bool {
    let Some(content_type) = content_type else { return false };
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    !(essence.starts_with(media_kind) && essence[media_kind.len()..].starts_with('/')
        || essence == "application/octet-stream")
}

/// A retrieve answer as a [`Retrieved`]: a whole body must be the job's JSON status.
pub(crate) fn retrieved<S: DeserializeOwned>(raw: RawBody) -> Result<Retrieved<S>> {
    let whole = match raw {
        RawBody::Stream(media) => return Ok(Retrieved::Media(media)),
        RawBody::Whole(whole) => whole,
    };
    let status = serde_json::from_slice::<S>(whole.body()).map_err(|e| {
        Error::decode(
            Some(whole.status()),
            format_args!("expected the job's JSON status or its file: {e}"),
            whole.body(),
        )
    })?;
    Ok(Retrieved::Status(whole.map(|_| status)))
}

/// The generated request `request` converts into, or [`Error::InvalidArgument`] saying what
/// is missing, before anything is sent.
pub(crate) fn checked_request<T, R>(request: R) -> Result<T>
where
    R: TryInto<T>,
    R::Error: fmt::Display,
{
    request.try_into().map_err(|e| Error::invalid("request", e.to_string()))
}

/// Refuses an empty model id before anything is sent.
pub(crate) fn non_empty_model(model: &str) -> Result<()> {
    if model.trim().is_empty() { Err(Error::invalid("model", "must not be empty")) } else { Ok(()) }
}

/// What a job's JSON status says about its progress.
pub(crate) trait JobStatus {
    /// How long the job has run and how long such jobs typically run, in milliseconds.
    fn timing_ms(&self) -> (f64, f64);

    /// Whether the job is done though the file did not come with the status (video models
    /// that gave a download link).
    fn is_completed(&self) -> bool;

    /// The status as the server spelled it (`PROCESSING`, or one this version does not list).
    fn status_text(&self) -> String;
}

/// How far a job has come, as its last status said; handed to
/// [`WaitOptions::on_progress`] after each poll that found it still processing.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct JobProgress {
    /// How many times the job has been polled so far.
    pub polls: u32,
    /// The status the last poll reported, as the server spelled it. A status this version
    /// does not list does not end the wait (a newer server may add intermediate states);
    /// watch for it here to stop early.
    pub status: String,
    /// How long this wait has lasted so far.
    pub waited: Duration,
    /// How long the job has run, as Venice reports it.
    pub running_for: Duration,
    /// How long such jobs typically run, as Venice reports it.
    pub typical_duration: Duration,
}

impl JobProgress {
    /// A rough share of the work done, from 0 to 0.99 (it stays below 1 until the file comes),
    /// when Venice gave a typical duration.
    pub fn estimate(&self) -> Option<f64> {
        let typical = self.typical_duration.as_secs_f64();
        (typical > 0.0).then(|| (self.running_for.as_secs_f64() / typical).clamp(0.0, 0.99))
    }

    fn from_status(status: &impl JobStatus, polls: u32, waited: Duration) -> Self {
        let (running_ms, typical_ms) = status.timing_ms();
        let millis = |ms: f64| Duration::try_from_secs_f64(ms / 1000.0).unwrap_or_default();
        JobProgress {
            polls,
            status: status.status_text(),
            waited,
            running_for: millis(running_ms),
            typical_duration: millis(typical_ms),
        }
    }
}

/// Whom [`WaitOptions::on_progress`] tells.
type ProgressReport = Arc<dyn Fn(&JobProgress) + Send + Sync>;

/// How to wait for a job: how often to poll, for how long, and whom to tell about progress.
///
/// The first poll is sent at once; the wait before each further one starts at
/// [`poll_interval`](Self::poll_interval) and grows by half each time up to
/// [`max_poll_interval`](Self::max_poll_interval), less up to a fifth at random so that many
/// waiting clients do not poll together.
///
/// ```
/// use std::time::Duration;
/// use venice_api::video::WaitOptions;
///
/// let options = WaitOptions::default()
///     .poll_interval(Duration::from_secs(5))
///     .deadline(Duration::from_secs(600))
///     .on_progress(|p| eprintln!("{:.0}% after {} polls", 100.0 * p.estimate().unwrap_or(0.0), p.polls));
/// ```
#[derive(Clone)]
pub struct WaitOptions {
    poll_interval: Duration,
    max_poll_interval: Duration,
    deadline: Duration,
    delete_media_on_completion: bool,
    on_progress: Option<ProgressReport>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            poll_interval: defaults::JOB_POLL_INTERVAL,
            max_poll_interval: defaults::JOB_MAX_POLL_INTERVAL,
            deadline: defaults::JOB_DEADLINE,
            delete_media_on_completion: false,
            on_progress: None,
        }
    }
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("poll_interval", &self.poll_interval)
            .field("max_poll_interval", &self.max_poll_interval)
            .field("deadline", &self.deadline)
            .field("delete_media_on_completion", &self.delete_media_on_completion)
            .field("on_progress", &self.on_progress.is_some())
            .finish()
    }
}

impl WaitOptions {
    /// The wait before the second poll (default [`defaults::JOB_POLL_INTERVAL`]); must be
    /// longer than zero.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// The longest wait between two polls (default [`defaults::JOB_MAX_POLL_INTERVAL`]); must
    /// not be shorter than the poll interval.
    pub fn max_poll_interval(mut self, interval: Duration) -> Self {
        self.max_poll_interval = interval;
        self
    }

    /// How long to wait in all before giving up with [`Error::Timeout`], whose source is a
    /// [`JobDeadline`] (default [`defaults::JOB_DEADLINE`]). The job goes on: wait again, or
    /// retrieve it later.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Asks Venice to delete the file once it has been sent (off by default, so that a failed
    /// download can be retrieved again; then call `complete` after saving it).
    pub fn delete_media_on_completion(mut self, delete: bool) -> Self {
        self.delete_media_on_completion = delete;
        self
    }

    /// Called with the job's progress after each poll that found it still processing.
    pub fn on_progress(mut self, report: impl Fn(&JobProgress) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(report));
        self
    }

    /// Whether the file is deleted once sent.
    pub(crate) fn deletes_media(&self) -> bool {
        self.delete_media_on_completion
    }

    /// What is left of the deadline of a wait that began at `started`.
    #[cfg(feature = "video")]
    pub(crate) fn remaining(&self, started: Instant) -> Duration {
        self.deadline.saturating_sub(started.elapsed())
    }

    fn checked(&self) -> Result<()> {
        if self.poll_interval.is_zero() {
            return Err(Error::invalid("poll_interval", "must be longer than zero"));
        }
        if self.max_poll_interval < self.poll_interval {
            return Err(Error::invalid(
                "max_poll_interval",
                format!("{:?} is shorter than the poll interval {:?}", self.max_poll_interval, self.poll_interval),
            ));
        }
        if self.deadline.is_zero() {
            return Err(Error::invalid("deadline", "must be longer than zero"));
        }
        Ok(())
    }
}

/// Why waiting for a job ended without its file: the deadline passed while it was still
/// processing. It is the source of the [`Error::Timeout`] the wait returns:
///
/// ```no_run
/// # async fn demo(client: venice_api::Client, job: venice_api::video::Job) {
/// use venice_api::Error;
/// use venice_api::video::JobDeadline;
///
/// match client.video().wait(&job).await {
///     Err(Error::Timeout { source }) if source.is::<JobDeadline>() => eprintln!("still running: {source}"),
///     other => { let _ = other; }
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct JobDeadline {
    /// What kind of job it is: `video` or `audio`.
    pub kind: &'static str,
    /// The job's queue id.
    pub queue_id: String,
    /// How long the wait lasted.
    pub waited: Duration,
    /// How many polls were answered.
    pub polls: u32,
    /// The job's progress at the last poll that reported it.
    pub last_progress: Option<JobProgress>,
    last_error: Option<Error>,
}

impl JobDeadline {
    /// The retryable error (a timeout, a 503) the last poll ended with, if it did.
    pub fn last_error(&self) -> Option<&Error> {
        self.last_error.as_ref()
    }
}

impl fmt::Display for JobDeadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} job {} was not done after waiting {:.1} s ({} polls answered)",
            self.kind,
            self.queue_id,
            self.waited.as_secs_f64(),
            self.polls
        )?;
        if let Some(progress) = &self.last_progress {
            write!(
                f,
                "; it had run {:.1} s, such jobs typically take {:.1} s",
                progress.running_for.as_secs_f64(),
                progress.typical_duration.as_secs_f64()
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for JobDeadline {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.last_error.as_ref().map(|e| e as _)
    }
}

/// How a wait ended well.
pub(crate) enum Finished<S> {
    /// The file came back from a poll.
    Media(BinaryStream),
    /// The status says completed, without the file (it is at the job's download link).
    Completed(Response<S>),
}

/// Polls `retrieve` for the `kind` job `queue_id` until the file comes, the status says
/// completed, a poll fails with an error that retrying cannot cure, or `options.deadline`
/// passes. Retryable failures (timeouts, 429, 5xx), which the transport has already retried,
/// do not end the wait; the next poll tries again.
pub(crate) async fn wait<S, F, Fut>(
    kind: &'static str,
    queue_id: &str,
    options: &WaitOptions,
    mut retrieve: F,
) -> Result<Finished<S>>
where
    S: JobStatus,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Retrieved<S>>>,
{
    options.checked()?;
    let started = Instant::now();
    let mut interval = options.poll_interval;
    let mut polls = 0;
    let mut last_progress = None;
    let mut last_error = None;
    loop {
        let remaining = options.deadline.saturating_sub(started.elapsed());
        let Ok(outcome) = tokio::time::timeout(remaining, retrieve()).await else { break };
        polls += 1;
        match outcome {
            Ok(Retrieved::Media(media)) => return Ok(Finished::Media(media)),
            Ok(Retrieved::Status(status)) if status.is_completed() => return Ok(Finished::Completed(status)),
            Ok(Retrieved::Status(status)) => {
                let progress = JobProgress::from_status(status.body(), polls, started.elapsed());
                if let Some(report) = &options.on_progress {
                    report(&progress);
                }
                last_progress = Some(progress);
                last_error = None;
            }
            Err(error) if error.is_retryable() => last_error = Some(error),
            Err(error) => return Err(error),
        }
        let remaining = options.deadline.saturating_sub(started.elapsed());
        if remaining.is_zero() {
            break;
        }
        tokio::time::sleep(jittered(interval).min(remaining)).await;
        interval = interval.mul_f64(1.5).min(options.max_poll_interval);
    }
    let deadline = JobDeadline {
        kind,
        queue_id: queue_id.to_owned(),
        waited: started.elapsed(),
        polls,
        last_progress,
        last_error,
    };
    Err(Error::Timeout { source: Box::new(deadline) })
}

/// `interval` less up to a fifth at random.
fn jittered(interval: Duration) -> Duration {
    interval.mul_f64(1.0 - 0.2 * fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_stream_and_everything_else_is_read_whole() {
        for streamed in [None, Some("video/mp4"), Some("Video/MP4; codecs=avc1"), Some("application/octet-stream")] {
            assert!(!read_whole(streamed, "video"), "{streamed:?}");
        }
        for whole in
            [Some("application/json"), Some("application/json; charset=utf-8"), Some("text/html"), Some("videos/x")]
        {
            assert!(read_whole(whole, "video"), "{whole:?}");
        }
        assert!(read_whole(Some("video/mp4"), "audio"));
        assert!(!read_whole(Some("audio/mpeg"), "audio"));
    }

    #[test]
    fn the_estimate_stays_below_one_and_needs_a_typical_duration() {
        let progress = |running: u64, typical: u64| JobProgress {
            polls: 1,
            status: "PROCESSING".to_owned(),
            waited: Duration::ZERO,
            running_for: Duration::from_secs(running),
            typical_duration: Duration::from_secs(typical),
        };
        assert_eq!(progress(30, 120).estimate(), Some(0.25));
        assert_eq!(progress(300, 120).estimate(), Some(0.99));
        assert_eq!(progress(30, 0).estimate(), None);
    }

    #[test]
    fn options_that_cannot_work_are_refused() {
        let refused = |options: WaitOptions| match options.checked() {
            Err(Error::InvalidArgument { argument, .. }) => argument,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(refused(WaitOptions::default().poll_interval(Duration::ZERO)), "poll_interval");
        assert_eq!(refused(WaitOptions::default().poll_interval(Duration::from_secs(60))), "max_poll_interval");
        assert_eq!(refused(WaitOptions::default().deadline(Duration::ZERO)), "deadline");
        WaitOptions::default().checked().unwrap();
    }

    #[test]
    fn jitter_shortens_by_at_most_a_fifth() {
        for _ in 0..100 {
            let d = jittered(Duration::from_secs(10));
            assert!(d <= Duration::from_secs(10) && d >= Duration::from_secs(8), "{d:?}");
        }
    }
}

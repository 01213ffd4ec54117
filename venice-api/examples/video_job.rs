//! Makes a short video: prices it, queues the job, waits for it (printing progress), saves the
//! MP4 and deletes it from Venice's storage.
//!
//! ```sh
//! VENICE_API_KEY=... cargo run -p venice-api --features video --example video_job -- "a lighthouse at dusk" out.mp4
//! ```
//!
//! Queueing a video is billed. `VIDEO_MODEL` picks another model (default
//! `wan-2.5-preview-text-to-video`); `VENICE_BASE_URL` sends the requests elsewhere.

use std::time::Duration;

use venice_api::types::{self, QueueVideoRequest, QuoteVideoRequest, Resolution};
use venice_api::video::{JobDeadline, WaitOptions};
use venice_api::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let prompt = args.next().unwrap_or_else(|| "a lighthouse at dusk, waves breaking on the rocks".to_owned());
    let output = args.next().unwrap_or_else(|| "video.mp4".to_owned());
    let model = std::env::var("VIDEO_MODEL").unwrap_or_else(|_| "wan-2.5-preview-text-to-video".to_owned());
    let (duration, resolution) = (types::QueueVideoRequestDuration::X5s, Resolution::X720p);

    let client = Client::from_env()?;
    let video = client.video();

    // The price depends on the settings, not on the prompt.
    let quote =
        video.quote(QuoteVideoRequest::builder().model(&model).duration(duration).resolution(Some(resolution))).await?;
    println!("{model}, {duration}, {resolution}: ${:.2}", quote.quote);

    // Queued once: a job is never sent again after a server error, since it may exist already.
    let request =
        QueueVideoRequest::builder().model(&model).prompt(prompt).duration(duration).resolution(Some(resolution));
    let queued = video.queue(request).await?;
    println!("queued {}", queued.queue_id);

    let options = WaitOptions::default().deadline(Duration::from_secs(20 * 60)).on_progress(|p| {
        let share = p.estimate().map_or_else(String::new, |share| format!(" (~{:.0}%)", share * 100.0));
        println!("processing for {:.0} s{share}", p.running_for.as_secs_f64());
    });
    let mp4 = match video.wait_with(&queued, options).await {
        Ok(mp4) => mp4,
        Err(Error::Timeout { source }) if source.is::<JobDeadline>() => {
            // The job goes on; its id is enough to wait again later.
            eprintln!("{source}; retrieve it later with queue id {}", queued.queue_id);
            let source: Box<dyn std::error::Error> = source;
            return Err(source);
        }
        Err(err) => return Err(err.into()),
    };

    // Streamed to disk as it arrives, never held whole in memory.
    let bytes = mp4.save(&output).await?;
    println!("saved {bytes} bytes to {output}");

    let completed = video.complete(&queued).await?;
    println!("deleted from Venice's storage: {}", completed.success);
    Ok(())
}

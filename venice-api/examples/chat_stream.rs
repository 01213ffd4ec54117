//! Streams a chat completion, printing the answer as the model writes it, then the finish
//! reason and token counts.
//!
//! ```sh
//! VENICE_API_KEY=... cargo run -p venice-api --example chat_stream -- venice-uncensored "Why is the sky blue?"
//! ```
//!
//! The model (first argument) defaults to `venice-uncensored`, the question (the rest) to a
//! short one. `VENICE_BASE_URL` sends the request elsewhere (a proxy, a mock server).

use std::io::Write;

use futures_util::StreamExt;
use venice_api::chat::{ChatRequest, StreamedMessage};
use venice_api::{ApiErrorKind, Client, Error};

const DEFAULT_MODEL: &str = "venice-uncensored";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let model = args.next().unwrap_or_else(|| DEFAULT_MODEL.to_owned());
    let question = args.collect::<Vec<_>>().join(" ");
    let question = if question.is_empty() { "Write a haiku about the sea.".to_owned() } else { question };

    // VENICE_API_KEY (required) and VENICE_BASE_URL (optional) from the environment. The
    // client's timeout (60 s by default) bounds the whole streamed answer, hence the request
    // for a brief one.
    let client = Client::from_env()?;

    let request = ChatRequest::new(model).system("Answer briefly.").user(question);
    let mut stream = client.chat().create_stream(request).await.map_err(explain)?;

    // Print each piece as it arrives, and keep the whole message for the summary.
    let mut message = StreamedMessage::new();
    let mut stdout = std::io::stdout();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(explain)?;
        if let Some(text) = chunk.content() {
            write!(stdout, "{text}")?;
            stdout.flush()?;
        }
        message.push(&chunk);
    }
    println!();

    for call in &message.tool_calls {
        println!("tool call {} {}({})", call.id, call.name, call.arguments);
    }
    println!("[{}; finish reason {}]", message.model, message.finish_reason.as_deref().unwrap_or("none"));
    if let Some(usage) = &message.usage {
        println!(
            "[{} prompt + {} completion = {} tokens]",
            usage.prompt_tokens, usage.completion_tokens, usage.total_tokens
        );
    }
    Ok(())
}

/// Turns the common failures into a hint; the error is returned as it is.
fn explain(err: Error) -> Box<dyn std::error::Error> {
    match err.api().map(|api| api.kind) {
        Some(ApiErrorKind::Unauthorized) => eprintln!("the key in VENICE_API_KEY was refused"),
        Some(ApiErrorKind::PaymentRequired) => eprintln!("the account has no balance left for this model"),
        Some(ApiErrorKind::Stream) => eprintln!("\nthe model failed partway through its answer"),
        Some(ApiErrorKind::RateLimited) => eprintln!("rate limited; try again later"),
        _ => {}
    }
    err.into()
}

//! An end-to-end encrypted chat: attests the model's enclave, prints who is on the other side,
//! then streams the answer to a question that only the enclave can read.
//!
//! ```sh
//! VENICE_API_KEY=... cargo run -p venice-api --features tee --example private_chat -- e2ee-qwen3-5-122b-a10b "What is 2+2?"
//! ```
//!
//! The model (first argument) must support E2EE (`supportsE2EE` in the model list); without
//! one, the example lists those that do. `VENICE_BASE_URL` sends the requests elsewhere (a
//! mock server).

use std::io::Write;

use futures_util::StreamExt;
use venice_api::chat::{ChatRequest, StreamedMessage};
use venice_api::models::supports_e2ee;
use venice_api::tee::TeeError;
use venice_api::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let client = Client::from_env()?;
    let Some(model) = args.next() else {
        println!("models that take end-to-end encrypted chats:");
        for model in client.models().list().await?.data.iter().filter(|m| supports_e2ee(m)) {
            println!("  {}", model.id);
        }
        return Ok(());
    };
    let question = args.collect::<Vec<_>>().join(" ");
    let question = if question.is_empty() { "Why do enclaves need attestation?".to_owned() } else { question };

    // Checks the model supports E2EE, fetches its attestation with a fresh nonce and checks
    // it, and makes this session's key pair.
    let session = client.chat().e2ee(&model).await.map_err(explain)?;
    let attestation = session.attestation();
    println!("enclave: {}", attestation.tee_provider().unwrap_or("(provider not stated)"));
    println!("signing address: {}", attestation.signing_address());
    println!(
        "TDX quote: {} base64 characters, for a verifier of your own",
        attestation.intel_quote().map_or(0, str::len)
    );

    let request = ChatRequest::new(session.model()).system("Answer briefly.").user(question);
    let mut stream = session.create_stream(request).await.map_err(explain)?;
    let mut message = StreamedMessage::new();
    let mut stdout = std::io::stdout();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(explain)?;
        write!(stdout, "{}", chunk.content().unwrap_or_default())?;
        stdout.flush()?;
        message.push(&chunk);
    }
    println!();
    // The enclave's signature of this completion, to check against the signing address.
    if !message.id.is_empty() {
        match client.tee().signature(session.model(), &message.id).await {
            Ok(signature) => println!("[signature record: {} fields]", signature.record.len()),
            Err(error) => println!("[no signature record: {error}]"),
        }
    }
    Ok(())
}

/// Turns the private-inference failures into a hint; the error is returned as it is.
fn explain(err: Error) -> Box<dyn std::error::Error> {
    match &err {
        Error::Tee(TeeError::E2eeUnsupported { .. } | TeeError::ModelNotListed { .. }) => {
            eprintln!("run the example without arguments to list the models that support E2EE");
        }
        Error::Tee(TeeError::NotVerified { .. } | TeeError::NonceMismatch { .. }) => {
            eprintln!("the enclave's attestation did not check out: nothing was sent");
        }
        _ if err.tee_rejection().is_some() => eprintln!("Venice refused the private request"),
        _ => {}
    }
    err.into()
}

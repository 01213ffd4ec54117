//! Reads text aloud and streams the audio to a file as it arrives, never holding all of it in
//! memory.
//!
//! ```sh
//! VENICE_API_KEY=... cargo run -p venice-api --features audio --example speech_to_file -- "Hello!" hello.mp3
//! ```
//!
//! `VENICE_BASE_URL` sends the requests elsewhere (a proxy, a mock server).

#[cfg(feature = "audio")]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use venice_api::Client;
    use venice_api::audio::Speech;
    use venice_api::types::{CreateSpeechRequestSchemaModel, CreateSpeechRequestSchemaResponseFormat};

    let mut args = std::env::args().skip(1);
    let text = args.next().unwrap_or_else(|| "Hello from Venice.".to_owned());
    let path = args.next().unwrap_or_else(|| "speech.mp3".to_owned());
    // VENICE_API_KEY (required) and VENICE_BASE_URL (optional) from the environment.
    let client = Client::from_env()?;

    let request = Speech::new(text)
        .model(CreateSpeechRequestSchemaModel::TtsKokoro)
        .voice("af_sky")
        .format(CreateSpeechRequestSchemaResponseFormat::Mp3);
    let audio = client.audio().speech(request).await?;
    let content_type = audio.content_type().unwrap_or("unknown").to_owned();
    // `save` writes each piece as it arrives.
    let written = audio.save(&path).await?;
    println!("wrote {path} ({written} bytes, {content_type})");
    Ok(())
}

#[cfg(not(feature = "audio"))]
fn main() {
    eprintln!(
        "this example needs the `audio` feature: cargo run -p venice-api --features audio --example speech_to_file"
    );
}

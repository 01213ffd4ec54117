//! Generates an image from a prompt and saves it to disk: once as base64 JSON decoded here,
//! once as the image bytes streamed straight to a file.
//!
//! ```sh
//! VENICE_API_KEY=... cargo run -p venice-api --example generate_image -- "a lighthouse at dusk"
//! ```
//!
//! `VENICE_BASE_URL` sends the requests elsewhere (a proxy, a mock server); `VENICE_IMAGE_MODEL`
//! picks the model (default `venice-sd35`).

use venice_api::images::{Base64Images, GenerateImage};
use venice_api::types::GenerateImageRequestFormat;
use venice_api::{ApiErrorKind, Client, Error};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let prompt = std::env::args().nth(1).unwrap_or_else(|| "a lighthouse at dusk, oil painting".to_owned());
    let model = std::env::var("VENICE_IMAGE_MODEL").unwrap_or_else(|_| "venice-sd35".to_owned());
    // VENICE_API_KEY (required) and VENICE_BASE_URL (optional) from the environment.
    let client = Client::from_env()?;

    // JSON answer: the images come base64-encoded.
    let request = GenerateImage::new(&model, &prompt).size(1024, 768).format(GenerateImageRequestFormat::Png);
    let generated = client.images().generate(request).await.map_err(explain)?;
    for (i, image) in generated.decoded_images()?.iter().enumerate() {
        let file = format!("generated-{i}.png");
        std::fs::write(&file, image)?;
        println!("wrote {file} ({} bytes) in {:.0} ms", image.len(), generated.timing.total);
    }

    // Binary answer: the image is streamed to the file as it arrives.
    let request = GenerateImage::new(&model, &prompt).format(GenerateImageRequestFormat::Webp);
    let image = client.images().generate_binary(request).await.map_err(explain)?;
    let content_type = image.content_type().unwrap_or("unknown").to_owned();
    let written = image.save("generated.webp").await?;
    println!("wrote generated.webp ({written} bytes, {content_type})");
    Ok(())
}

/// Turns the common failures into a hint; anything else is returned as it is.
fn explain(err: Error) -> Box<dyn std::error::Error> {
    match err.api().map(|api| api.kind) {
        Some(ApiErrorKind::PaymentRequired) => "the account has no balance left for image generation".into(),
        Some(ApiErrorKind::BadRequest) => format!("Venice refused the request: {err}").into(),
        _ => Box::new(err),
    }
}

//! Each Images call sends the request the spec describes and decodes the answer.

#![cfg(feature = "images")]

mod common;

use common::{authorization, client, client_with, ok_fixture, received};
use serde_json::json;
use venice_api::images::{Base64Images, EditImage, GenerateImage, ImageSource, MultiEditImage, UpscaleImage};
use venice_api::types::{
    GenerateImageRequestFormat, MultiEditImageBodyModelId, OutputFormat, SimpleGenerateImageRequest,
};
use venice_api::{ApiErrorKind, Client, Error};
use wiremock::matchers::{any, body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BEARER: &str = "Bearer vk-test-5f1c9a0e4b7d2c8a";
/// The eight bytes every PNG starts with.
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

fn png_answer(bytes: &[u8]) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(bytes.to_vec(), "image/png")
}

fn api_error(result: venice_api::Result<impl std::fmt::Debug>) -> (u16, ApiErrorKind, String) {
    match result {
        Err(Error::Api(api)) => (api.status, api.kind, api.message.clone()),
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn no_retries(server: &MockServer) -> Client {
    client_with(server, |builder| builder.max_retries(0))
}

#[tokio::test]
async fn generate_sends_the_documented_body_and_decodes_the_base64_images() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/image/generate"))
        .and(header("authorization", BEARER))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "model": "venice-sd35",
            "prompt": "a lighthouse at dusk",
            "negative_prompt": "fog",
            "width": 1024,
            "height": 768,
            "steps": 20,
            "cfg_scale": 7.5,
            "seed": 42,
            "variants": 2,
            "format": "png",
            "style_preset": "Anime",
            "safe_mode": false,
        })))
        .respond_with(ok_fixture("generateImage"))
        .expect(1)
        .mount(&server)
        .await;

    let request = GenerateImage::new("venice-sd35", "a lighthouse at dusk")
        .negative_prompt("fog")
        .size(1024, 768)
        .steps(20)
        .cfg_scale(7.5)
        .seed(42)
        .variants(2)
        .format(GenerateImageRequestFormat::Png)
        .style_preset("Anime")
        .safe_mode(false);
    let generated = client(&server).images().generate(request).await.unwrap();

    assert_eq!(generated.id, "generate-image-1767225600-ab12");
    assert_eq!(generated.timing.total, 2242.75);
    let images = generated.decoded_images().unwrap();
    assert_eq!(images.len(), 1);
    assert!(images[0].starts_with(PNG_SIGNATURE));
}

#[tokio::test]
async fn generate_binary_asks_for_return_binary_and_streams_the_image_with_its_content_type() {
    let server = MockServer::start().await;
    let image = [PNG_SIGNATURE, b"rest of the image"].concat();
    Mock::given(method("POST"))
        .and(path("/api/v1/image/generate"))
        .and(body_json(json!({
            "model": "venice-sd35",
            "prompt": "a red fox",
            "hide_watermark": true,
            "return_binary": true,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_raw(image.clone(), "image/webp"))
        .expect(1)
        .mount(&server)
        .await;

    let request = GenerateImage::new("venice-sd35", "a red fox").hide_watermark(true);
    let stream = client(&server).images().generate_binary(request).await.unwrap();

    assert_eq!(stream.content_type(), Some("image/webp"));
    assert_eq!(stream.content_length(), Some(image.len() as u64));
    assert_eq!(stream.bytes().await.unwrap(), image);
}

#[tokio::test]
async fn generate_refuses_out_of_range_values_before_sending() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    let images = client(&server);

    for (request, argument) in [
        (GenerateImage::new("m", "p").size(2048, 512), "width"),
        (GenerateImage::new("m", "p").cfg_scale(0.0), "cfg_scale"),
        (GenerateImage::new("m", "p").steps(0), "steps"),
        (GenerateImage::new("m", "").size(512, 512), "prompt"),
    ] {
        match images.images().generate(request).await {
            Err(Error::InvalidArgument { argument: refused, .. }) => assert_eq!(refused, argument),
            other => panic!("expected {argument} to be refused, got {other:?}"),
        }
    }
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn generate_reports_a_validation_error_with_its_details() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/image/generate"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "Invalid request",
            "details": {"model": {"_errors": ["Unknown model"]}},
        })))
        .expect(1)
        .mount(&server)
        .await;

    let error = client(&server).images().generate(GenerateImage::new("nope", "a cat")).await.unwrap_err();

    let api = error.api().expect("an API error");
    assert_eq!((api.status, api.kind, api.message.as_str()), (400, ApiErrorKind::BadRequest, "Invalid request"));
    assert_eq!(api.details.as_ref().unwrap()["model"]["_errors"][0], "Unknown model");
}

#[tokio::test]
async fn generate_refuses_an_image_answer_where_json_was_asked_for() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(png_answer(PNG_SIGNATURE)).mount(&server).await;

    let error = client(&server).images().generate(GenerateImage::new("m", "a cat")).await.unwrap_err();

    assert!(matches!(error, Error::Decode { status: Some(200), .. }), "{error:?}");
}

#[tokio::test]
async fn simple_generate_sends_the_openai_shaped_body_and_decodes_the_images() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/images/generations"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({
            "prompt": "a teapot",
            "size": "1024x1024",
        })))
        .respond_with(ok_fixture("simpleGenerateImage"))
        .expect(1)
        .mount(&server)
        .await;

    let request = SimpleGenerateImageRequest::builder()
        .prompt("a teapot")
        .size(Some(venice_api::types::SimpleGenerateImageRequestSize::X1024x1024));
    let answer = client(&server).images().simple_generate(request).await.unwrap();

    assert_eq!(answer.created, 1767225600);
    assert!(answer.decoded_images().unwrap()[0].starts_with(PNG_SIGNATURE));
}

#[tokio::test]
async fn simple_generate_reports_an_empty_balance_as_payment_required() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/images/generations"))
        .respond_with(ResponseTemplate::new(402).set_body_json(json!({"error": "Insufficient USD or Diem balance"})))
        .mount(&server)
        .await;

    let result = client(&server).images().simple_generate(SimpleGenerateImageRequest::builder().prompt("x")).await;

    assert_eq!(api_error(result), (402, ApiErrorKind::PaymentRequired, "Insufficient USD or Diem balance".to_owned()));
}

#[tokio::test]
async fn styles_need_no_key_and_list_the_presets() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/image/styles"))
        .respond_with(ok_fixture("getImageStyles"))
        .expect(1)
        .mount(&server)
        .await;
    let keyless = Client::builder().without_api_key().base_url(common::base_url(&server)).build().unwrap();

    let styles = keyless.images().styles().await.unwrap();

    assert_eq!(styles.data, ["3D Model", "Analog Film", "Anime", "Watercolor"]);
    assert_eq!(authorization(&received(&server).await[0]), None);
}

#[tokio::test]
async fn styles_report_a_server_failure() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/image/styles"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": "Internal server error"})))
        .mount(&server)
        .await;

    let result = no_retries(&server).images().styles().await;

    assert_eq!(api_error(result), (500, ApiErrorKind::Server, "Internal server error".to_owned()));
}

#[tokio::test]
async fn upscale_sends_the_image_as_a_base64_string_and_returns_the_png() {
    let server = MockServer::start().await;
    let upscaled = [PNG_SIGNATURE, b"bigger"].concat();
    Mock::given(method("POST"))
        .and(path("/api/v1/image/upscale"))
        .and(header("authorization", BEARER))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"image": "aGVsbG8=", "scale": 4.0, "creativity": 0.02})))
        .respond_with(png_answer(&upscaled))
        .expect(1)
        .mount(&server)
        .await;

    let request = UpscaleImage::new(ImageSource::from_bytes(b"hello")).scale(4.0).creativity(0.02);
    let image = client(&server).images().upscale(request).await.unwrap();

    assert_eq!(image.content_type(), Some("image/png"));
    assert_eq!(image.bytes().await.unwrap(), upscaled);
}

#[tokio::test]
async fn upscale_reports_an_unsupported_media_type() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/image/upscale"))
        .respond_with(ResponseTemplate::new(415).set_body_json(json!({"error": "Unsupported content type"})))
        .mount(&server)
        .await;

    let result = client(&server).images().upscale(UpscaleImage::new(ImageSource::base64("aGk="))).await;

    assert_eq!(api_error(result), (415, ApiErrorKind::UnsupportedMediaType, "Unsupported content type".to_owned()));
}

#[tokio::test]
async fn edit_sends_the_image_url_and_prompt_and_returns_the_edited_image() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/image/edit"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({
            "image": "https://example.com/cat.png",
            "prompt": "give the cat a hat",
            "model": "qwen-image-2-edit",
            "output_format": "jpeg",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_raw(b"jpeg bytes".to_vec(), "image/jpeg"))
        .expect(1)
        .mount(&server)
        .await;

    let request = EditImage::new(ImageSource::url("https://example.com/cat.png"), "give the cat a hat")
        .model("qwen-image-2-edit")
        .output_format(OutputFormat::Jpeg);
    let image = client(&server).images().edit(request).await.unwrap();

    assert_eq!(image.content_type(), Some("image/jpeg"));
    assert_eq!(image.bytes().await.unwrap(), &b"jpeg bytes"[..]);
}

#[tokio::test]
async fn edit_reports_a_refused_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/image/edit"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "Authentication failed"})))
        .mount(&server)
        .await;

    let result = client(&server).images().edit(EditImage::new(ImageSource::base64("aGk="), "x")).await;

    assert_eq!(api_error(result), (401, ApiErrorKind::Unauthorized, "Authentication failed".to_owned()));
}

#[tokio::test]
async fn multi_edit_sends_every_image_base_first_and_returns_the_edited_image() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/image/multi-edit"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({
            "prompt": "put the hat from the second image on the cat",
            "images": ["https://example.com/cat.png", "aGF0"],
            "modelId": "qwen-image-2-edit",
        })))
        .respond_with(png_answer(PNG_SIGNATURE))
        .expect(1)
        .mount(&server)
        .await;

    let request = MultiEditImage::new(
        "put the hat from the second image on the cat",
        [ImageSource::url("https://example.com/cat.png"), ImageSource::from_bytes(b"hat")],
    )
    .model(MultiEditImageBodyModelId::QwenImage2Edit);
    let image = client(&server).images().multi_edit(request).await.unwrap();

    assert_eq!(image.bytes().await.unwrap(), PNG_SIGNATURE);
}

#[tokio::test]
async fn multi_edit_reports_a_rate_limit() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/image/multi-edit"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .set_body_json(json!({"error": "Rate limit exceeded"})),
        )
        .mount(&server)
        .await;

    let request = MultiEditImage::new("x", [ImageSource::base64("aGk=")]);
    let result = no_retries(&server).images().multi_edit(request).await;

    assert_eq!(api_error(result), (429, ApiErrorKind::RateLimited, "Rate limit exceeded".to_owned()));
}

#[tokio::test]
async fn remove_background_sends_a_url_as_image_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/image/background-remove"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({"image_url": "https://example.com/dog.jpg"})))
        .respond_with(png_answer(PNG_SIGNATURE))
        .expect(1)
        .mount(&server)
        .await;

    let image =
        client(&server).images().remove_background(ImageSource::url("https://example.com/dog.jpg")).await.unwrap();

    assert_eq!(image.content_type(), Some("image/png"));
}

#[tokio::test]
async fn remove_background_sends_base64_data_as_image() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/image/background-remove"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({"image": "ZG9n"})))
        .respond_with(png_answer(PNG_SIGNATURE))
        .expect(1)
        .mount(&server)
        .await;

    let image = client(&server).images().remove_background(ImageSource::from_bytes(b"dog")).await.unwrap();

    assert_eq!(image.bytes().await.unwrap(), PNG_SIGNATURE);
}

#[tokio::test]
async fn remove_background_reports_payment_required() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/image/background-remove"))
        .respond_with(ResponseTemplate::new(402).set_body_json(json!({"error": "Insufficient balance"})))
        .mount(&server)
        .await;

    let result = client(&server).images().remove_background(ImageSource::base64("aGk=")).await;

    assert_eq!(api_error(result), (402, ApiErrorKind::PaymentRequired, "Insufficient balance".to_owned()));
}

#[tokio::test]
async fn calls_that_need_a_key_are_refused_by_a_keyless_client_before_sending() {
    let server = MockServer::start().await;
    let keyless = Client::builder().without_api_key().base_url(common::base_url(&server)).build().unwrap();

    let error = keyless.images().generate(GenerateImage::new("m", "p")).await.unwrap_err();

    assert!(matches!(error, Error::Config(_)), "{error:?}");
    assert!(received(&server).await.is_empty());
}

//! Image generation, editing, upscaling and background removal: `client.images()`.
//!
//! [`Images::generate`] answers JSON with base64 images ([`Base64Images::decoded_images`]
//! turns them into bytes); [`Images::generate_binary`] and the editing calls answer with the
//! image itself, as a [`BinaryStream`].
//!
//! The editing calls take their image as a string in a JSON body ([`ImageSource`]: base64 or
//! a URL), never as a multipart upload. Upscaling, editing and base64 background removal are
//! sent by the facade itself: the generated body type of their `image` field (a file-or-string
//! union) cannot be serialized as a string, so the facade serializes the generated body and
//! puts the string in.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use venice_api_gen::types::{self, builder};

use venice_api_gen::operations;

use crate::client::Client;
use crate::error::{Error, Result, non_empty};
use crate::response::{self, Response};
use crate::stream::BinaryStream;

/// The widest and tallest image, in pixels, that generation accepts.
pub const MAX_SIZE: u32 = 1280;
/// The most characters a generation prompt (or negative prompt) may have.
pub const MAX_PROMPT_CHARS: usize = 7500;
/// The most characters an edit prompt may have.
pub const MAX_EDIT_PROMPT_CHARS: usize = 32768;
/// The largest `cfg_scale` accepted (the smallest must be above 0).
pub const MAX_CFG_SCALE: f64 = 20.0;
/// The largest seed magnitude accepted.
pub const MAX_SEED: i64 = 999_999_999;
/// The most images one JSON generation makes.
pub const MAX_VARIANTS: u32 = 4;

/// Image generation, editing, upscaling and background removal.
#[derive(Debug, Clone, Copy)]
pub struct Images<'c> {
    client: &'c Client,
}

impl<'c> Images<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// Generates images and answers with them base64-encoded in JSON.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::images::{Base64Images, GenerateImage};
    ///
    /// let request = GenerateImage::new("venice-sd35", "a lighthouse at dusk").size(1024, 768).variants(2);
    /// let generated = client.images().generate(request).await?;
    /// for (i, image) in generated.decoded_images()?.iter().enumerate() {
    ///     std::fs::write(format!("lighthouse-{i}.webp"), image).unwrap();
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn generate(&self, request: GenerateImage) -> Result<Response<types::GenerateImageResponse>> {
        self.client.require_credentials("images().generate", &operations::GENERATE_IMAGE)?;
        let body = request.into_body(false)?;
        response::decode_json_bytes(self.client.raw().generate_image().body(body).send()).await
    }

    /// Generates one image and answers with its bytes (`return_binary`), in the request's
    /// format (`image/webp` unless [`GenerateImage::format`] says otherwise).
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::images::GenerateImage;
    ///
    /// let image = client.images().generate_binary(GenerateImage::new("venice-sd35", "a red fox")).await?;
    /// println!("{:?}", image.content_type());
    /// image.save("fox.webp").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn generate_binary(&self, request: GenerateImage) -> Result<BinaryStream> {
        self.client.require_credentials("images().generate_binary", &operations::GENERATE_IMAGE)?;
        let body = request.into_body(true)?;
        response::decode_binary(self.client.raw().generate_image().body(body).send()).await
    }

    /// The OpenAI-compatible generation call (`POST /images/generations`), with the generated
    /// request builder as it is.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::images::Base64Images;
    /// use venice_api::types::SimpleGenerateImageRequest;
    ///
    /// let answer = client.images().simple_generate(SimpleGenerateImageRequest::builder().prompt("a teapot")).await?;
    /// let png = &answer.decoded_images()?[0];
    /// # Ok(())
    /// # }
    /// ```
    pub async fn simple_generate(
        &self,
        request: builder::SimpleGenerateImageRequest,
    ) -> Result<Response<types::SimpleGenerateImageResponse>> {
        self.client.require_credentials("images().simple_generate", &operations::SIMPLE_GENERATE_IMAGE)?;
        let body: types::SimpleGenerateImageRequest = request.try_into().map_err(request_error)?;
        response::decode(self.client.raw().simple_generate_image().body(body).send()).await
    }

    /// The names of the style presets [`GenerateImage::style_preset`] accepts. Needs no key.
    pub async fn styles(&self) -> Result<Response<types::GetImageStylesResponse>> {
        response::decode(self.client.raw().get_image_styles().send()).await
    }

    /// Enlarges an image two to four times; the answer is a PNG.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::images::{ImageSource, UpscaleImage};
    ///
    /// let source = ImageSource::from_bytes(&std::fs::read("small.png").unwrap());
    /// client.images().upscale(UpscaleImage::new(source).scale(4.0)).await?.save("large.png").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn upscale(&self, request: UpscaleImage) -> Result<BinaryStream> {
        self.client.require_credentials("images().upscale", &operations::UPSCALE_IMAGE)?;
        let body = request.into_body()?;
        response::decode_binary(self.client.raw().upscale_image().body(body).send()).await
    }

    /// Changes an image as the prompt asks; the answer is the edited image.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::images::{EditImage, ImageSource};
    ///
    /// let request = EditImage::new(ImageSource::url("https://example.com/cat.png"), "give the cat a hat");
    /// client.images().edit(request).await?.save("cat-with-hat.png").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn edit(&self, request: EditImage) -> Result<BinaryStream> {
        self.client.require_credentials("images().edit", &operations::EDIT_IMAGE)?;
        let body = request.into_body()?;
        response::decode_binary(self.client.raw().edit_image().body(body).send()).await
    }

    /// Edits the first image with the help of the others (masks, overlays, references); the
    /// answer is the edited image.
    pub async fn multi_edit(&self, request: MultiEditImage) -> Result<BinaryStream> {
        self.client.require_credentials("images().multi_edit", &operations::MULTI_EDIT_IMAGE)?;
        let body = request.into_body()?;
        response::decode_binary(self.client.raw().multi_edit_image().body(body).send()).await
    }

    /// Cuts out the subject of an image; the answer is a PNG with a transparent background.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::images::ImageSource;
    ///
    /// let cut = client.images().remove_background(ImageSource::url("https://example.com/dog.jpg")).await?;
    /// cut.save("dog.png").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn remove_background(&self, image: ImageSource) -> Result<BinaryStream> {
        self.client.require_credentials("images().remove_background", &operations::BACKGROUND_REMOVE_IMAGE)?;
        let body = match image.checked("image")? {
            ImageSource::Url(url) => types::BackgroundRemoveImageRequest::builder().image_url(Some(url)),
            ImageSource::Base64(data) => types::BackgroundRemoveImageRequest::builder().image(Some(data)),
        };
        let body: types::BackgroundRemoveImageRequest = body.try_into().map_err(request_error)?;
        response::decode_binary(self.client.raw().background_remove_image().body(body).send()).await
    }
}

/// An image sent to an editing call: base64 data or a URL the server fetches.
#[derive(Clone, PartialEq, Eq)]
pub enum ImageSource {
    /// The image's bytes, base64-encoded (a `data:` URL prefix is accepted too).
    Base64(String),
    /// An `http` or `https` URL of the image.
    Url(String),
}

impl std::fmt::Debug for ImageSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Images are large; their data is no use in a log.
            ImageSource::Base64(data) => write!(f, "Base64({} characters)", data.len()),
            ImageSource::Url(url) => f.debug_tuple("Url").field(url).finish(),
        }
    }
}

impl ImageSource {
    /// An image given by its bytes (encoded here as base64).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        ImageSource::Base64(STANDARD.encode(bytes))
    }

    /// An image already encoded as base64.
    pub fn base64(data: impl Into<String>) -> Self {
        ImageSource::Base64(data.into())
    }

    /// An image the server fetches from `url` (`http` or `https`).
    pub fn url(url: impl Into<String>) -> Self {
        ImageSource::Url(url.into())
    }

    fn checked(self, argument: &'static str) -> Result<Self> {
        match &self {
            ImageSource::Base64(data) if data.trim().is_empty() => Err(Error::invalid(argument, "the image is empty")),
            ImageSource::Url(url) => match reqwest::Url::parse(url) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(self),
                _ => Err(Error::invalid(argument, format!("{url:?} is not an http(s) URL"))),
            },
            ImageSource::Base64(_) => Ok(self),
        }
    }

    fn into_string(self) -> String {
        match self {
            ImageSource::Base64(data) | ImageSource::Url(data) => data,
        }
    }
}

/// An image generation request: model and prompt, then what differs from Venice's defaults.
/// Checked against the documented ranges before anything is sent.
#[derive(Debug, Clone)]
pub struct GenerateImage {
    model: String,
    prompt: String,
    negative_prompt: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    steps: Option<u32>,
    cfg_scale: Option<f64>,
    seed: Option<i64>,
    variants: Option<u32>,
    lora_strength: Option<u32>,
    body: builder::GenerateImageRequest,
}

impl GenerateImage {
    /// An image of `prompt` made by the model with id `model`.
    pub fn new(model: impl Into<String>, prompt: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            prompt: prompt.into(),
            negative_prompt: None,
            width: None,
            height: None,
            steps: None,
            cfg_scale: None,
            seed: None,
            variants: None,
            lora_strength: None,
            body: builder::GenerateImageRequest::default(),
        }
    }

    /// What should not appear (at most 7500 characters).
    pub fn negative_prompt(mut self, text: impl Into<String>) -> Self {
        self.negative_prompt = Some(text.into());
        self
    }

    /// Width and height in pixels, each 1 to 1280 (default 1024 × 1024).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = Some(width);
        self.height = Some(height);
        self
    }

    /// Inference steps, at least 1 (default 8; the most depends on the model).
    pub fn steps(mut self, steps: u32) -> Self {
        self.steps = Some(steps);
        self
    }

    /// How closely to follow the prompt: above 0, at most 20.
    pub fn cfg_scale(mut self, scale: f64) -> Self {
        self.cfg_scale = Some(scale);
        self
    }

    /// A seed for reproducible output, -999999999 to 999999999.
    pub fn seed(mut self, seed: i64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// How many images to make, 1 to 4; JSON answers only ([`Images::generate`]).
    pub fn variants(mut self, variants: u32) -> Self {
        self.variants = Some(variants);
        self
    }

    /// Strength of the model's extra LoRAs, 0 to 100.
    pub fn lora_strength(mut self, strength: u32) -> Self {
        self.lora_strength = Some(strength);
        self
    }

    /// The image format (default WebP).
    pub fn format(mut self, format: types::GenerateImageRequestFormat) -> Self {
        self.body = self.body.format(format);
        self
    }

    /// A style preset, one of [`Images::styles`].
    pub fn style_preset(mut self, style: impl Into<String>) -> Self {
        self.body = self.body.style_preset(Some(style.into()));
        self
    }

    /// Whether adult content is blurred (default true).
    pub fn safe_mode(mut self, on: bool) -> Self {
        self.body = self.body.safe_mode(on);
        self
    }

    /// Asks for no Venice watermark.
    pub fn hide_watermark(mut self, hide: bool) -> Self {
        self.body = self.body.hide_watermark(hide);
        self
    }

    /// Any other field of the generated request builder (aspect ratio, resolution, quality,
    /// style references, …).
    pub fn with(mut self, f: impl FnOnce(builder::GenerateImageRequest) -> builder::GenerateImageRequest) -> Self {
        self.body = f(self.body);
        self
    }

    fn into_body(self, return_binary: bool) -> Result<types::GenerateImageRequest> {
        let model = non_empty("model", &self.model)?;
        let prompt = checked_prompt("prompt", &self.prompt, MAX_PROMPT_CHARS)?;
        // The flag goes out only to ask for bytes: JSON is the server's default answer.
        let mut body = self.body.model(model).prompt(prompt).return_binary(return_binary.then_some(true));
        if let Some(text) = &self.negative_prompt {
            let chars = text.chars().count();
            if chars > MAX_PROMPT_CHARS {
                return Err(Error::invalid(
                    "negative_prompt",
                    format!("{chars} characters; at most {MAX_PROMPT_CHARS}"),
                ));
            }
            body = body.negative_prompt(Some(text.parse().map_err(request_error)?));
        }
        for (argument, value) in [("width", self.width), ("height", self.height)] {
            if let Some(value) = value
                && !(1..=MAX_SIZE).contains(&value)
            {
                return Err(Error::invalid(argument, format!("{value} is not between 1 and {MAX_SIZE}")));
            }
        }
        if let Some(width) = self.width {
            body = body.width(std::num::NonZeroU64::new(u64::from(width)));
        }
        if let Some(height) = self.height {
            body = body.height(std::num::NonZeroU64::new(u64::from(height)));
        }
        if let Some(steps) = self.steps {
            if steps == 0 {
                return Err(Error::invalid("steps", "must be at least 1"));
            }
            body = body.steps(i64::from(steps));
        }
        if let Some(scale) = self.cfg_scale {
            if !(scale.is_finite() && scale > 0.0 && scale <= MAX_CFG_SCALE) {
                return Err(Error::invalid("cfg_scale", format!("{scale} is not above 0 and at most {MAX_CFG_SCALE}")));
            }
            body = body.cfg_scale(Some(scale));
        }
        if let Some(seed) = self.seed {
            if !(-MAX_SEED..=MAX_SEED).contains(&seed) {
                return Err(Error::invalid("seed", format!("{seed} is not between -{MAX_SEED} and {MAX_SEED}")));
            }
            body = body.seed(seed);
        }
        if let Some(variants) = self.variants {
            if !(1..=MAX_VARIANTS).contains(&variants) {
                return Err(Error::invalid("variants", format!("{variants} is not between 1 and {MAX_VARIANTS}")));
            }
            if return_binary && variants > 1 {
                return Err(Error::invalid("variants", "a binary answer holds one image; use `generate` for more"));
            }
            body = body.variants(Some(std::num::NonZeroU64::from(
                std::num::NonZeroU32::new(variants).expect("checked above"),
            )));
        }
        if let Some(strength) = self.lora_strength {
            if strength > 100 {
                return Err(Error::invalid("lora_strength", format!("{strength} is not between 0 and 100")));
            }
            body = body.lora_strength(Some(i64::from(strength)));
        }
        body.try_into().map_err(request_error)
    }
}

/// An upscale request: the image, then the factor and how much detail to invent.
#[derive(Debug, Clone)]
pub struct UpscaleImage {
    image: ImageSource,
    scale: Option<f64>,
    creativity: Option<f64>,
}

impl UpscaleImage {
    /// Upscales `image` (by 2 unless [`scale`](Self::scale) says otherwise).
    pub fn new(image: ImageSource) -> Self {
        Self { image, scale: None, creativity: None }
    }

    /// The enlargement factor, 2 to 4.
    pub fn scale(mut self, scale: f64) -> Self {
        self.scale = Some(scale);
        self
    }

    /// How much detail the upscaler invents (0 or more; Venice's default is 0.01).
    pub fn creativity(mut self, creativity: f64) -> Self {
        self.creativity = Some(creativity);
        self
    }

    fn into_body(self) -> Result<types::UpscaleImageRequest> {
        let image = self.image.checked("image")?;
        let mut body = types::UpscaleImageRequest::builder().image(image.into_string());
        if let Some(scale) = self.scale {
            if !(scale.is_finite() && (2.0..=4.0).contains(&scale)) {
                return Err(Error::invalid("scale", format!("{scale} is not between 2 and 4")));
            }
            body = body.scale(scale);
        }
        if let Some(creativity) = self.creativity {
            if !(creativity.is_finite() && creativity >= 0.0) {
                return Err(Error::invalid("creativity", format!("{creativity} is not a number of 0 or more")));
            }
            body = body.creativity(Some(creativity));
        }
        body.try_into().map_err(request_error)
    }
}

/// An edit request: the image and what to change, then model and output settings.
#[derive(Debug, Clone)]
pub struct EditImage {
    image: ImageSource,
    prompt: String,
    model: Option<String>,
    body: builder::EditImageBody,
}

impl EditImage {
    /// Changes `image` as `prompt` asks (at most 32768 characters).
    pub fn new(image: ImageSource, prompt: impl Into<String>) -> Self {
        Self { image, prompt: prompt.into(), model: None, body: builder::EditImageBody::default() }
    }

    /// The model (default `firered-image-edit`).
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// The image format of the answer.
    pub fn output_format(mut self, format: types::OutputFormat) -> Self {
        self.body = self.body.output_format(Some(format));
        self
    }

    /// The aspect ratio of the answer.
    pub fn aspect_ratio(mut self, ratio: types::EditImageBodyAspectRatio) -> Self {
        self.body = self.body.aspect_ratio(Some(ratio));
        self
    }

    /// Whether adult content is blurred (default true).
    pub fn safe_mode(mut self, on: bool) -> Self {
        self.body = self.body.safe_mode(on);
        self
    }

    /// Any other field of the generated body builder (resolution, prompt enhancement, …).
    pub fn with(mut self, f: impl FnOnce(builder::EditImageBody) -> builder::EditImageBody) -> Self {
        self.body = f(self.body);
        self
    }

    fn into_body(self) -> Result<types::EditImageBody> {
        let image = self.image.checked("image")?;
        let prompt = checked_prompt("prompt", &self.prompt, MAX_EDIT_PROMPT_CHARS)?;
        let mut body = self.body.image(image.into_string()).prompt(prompt);
        if let Some(model) = &self.model {
            let model: types::EditImageBodyModel =
                non_empty("model", model)?.parse().map_err(|e| Error::invalid("model", format!("{e}")))?;
            body = body.model(model);
        }
        body.try_into().map_err(request_error)
    }
}

/// A multi-image edit: the prompt and the images, base image first.
#[derive(Debug, Clone)]
pub struct MultiEditImage {
    prompt: String,
    images: Vec<ImageSource>,
    body: builder::MultiEditImageBody,
}

impl MultiEditImage {
    /// Edits the first of `images` as `prompt` asks, with the help of the others.
    pub fn new(prompt: impl Into<String>, images: impl IntoIterator<Item = ImageSource>) -> Self {
        Self {
            prompt: prompt.into(),
            images: images.into_iter().collect(),
            body: builder::MultiEditImageBody::default(),
        }
    }

    /// The model (Venice's default is `firered-image-edit`).
    pub fn model(mut self, model: types::MultiEditImageBodyModelId) -> Self {
        self.body = self.body.model_id(Some(model));
        self
    }

    /// The image format of the answer.
    pub fn output_format(mut self, format: types::OutputFormat) -> Self {
        self.body = self.body.output_format(Some(format));
        self
    }

    /// Any other field of the generated body builder (aspect ratio, quality, resolution, …).
    pub fn with(mut self, f: impl FnOnce(builder::MultiEditImageBody) -> builder::MultiEditImageBody) -> Self {
        self.body = f(self.body);
        self
    }

    fn into_body(self) -> Result<types::MultiEditImageBody> {
        let prompt = checked_prompt("prompt", &self.prompt, MAX_EDIT_PROMPT_CHARS)?;
        if self.images.is_empty() {
            return Err(Error::invalid("images", "at least one image is needed"));
        }
        let images = self
            .images
            .into_iter()
            .map(|image| Ok(image.checked("images")?.into_string()))
            .collect::<Result<Vec<_>>>()?;
        self.body.prompt(prompt).images(images).try_into().map_err(request_error)
    }
}

/// Decoding the base64 images of a JSON generation answer.
pub trait Base64Images {
    /// The images as bytes, in the order of the answer.
    fn decoded_images(&self) -> Result<Vec<Vec<u8>>>;
}

impl Base64Images for types::GenerateImageResponse {
    fn decoded_images(&self) -> Result<Vec<Vec<u8>>> {
        self.images.iter().map(|image| decode_base64_image(image)).collect()
    }
}

impl Base64Images for types::SimpleGenerateImageResponse {
    /// The images as bytes; a `url` item is decoded when it is a base64 `data:` URL, and is
    /// an error otherwise.
    fn decoded_images(&self) -> Result<Vec<Vec<u8>>> {
        self.data
            .iter()
            .map(|item| match item {
                types::SimpleGenerateImageResponseDataItem::B64Json(data) => decode_base64_image(data),
                types::SimpleGenerateImageResponseDataItem::Url(url) if url.starts_with("data:") => {
                    decode_base64_image(url)
                }
                types::SimpleGenerateImageResponseDataItem::Url(url) => {
                    Err(Error::decode(None, "the image is a link, not base64 data; fetch it instead", url.as_bytes()))
                }
                types::SimpleGenerateImageResponseDataItem::Unknown(other) => Err(Error::decode(
                    None,
                    "the image is neither base64 data nor a link",
                    other.to_string().as_bytes(),
                )),
            })
            .collect()
    }
}

/// The bytes of one base64 image (standard alphabet, with or without a `data:…;base64,`
/// prefix).
pub fn decode_base64_image(data: &str) -> Result<Vec<u8>> {
    let data = match data.strip_prefix("data:") {
        Some(rest) => rest.split_once(',').map_or(rest, |(_, payload)| payload),
        None => data,
    };
    STANDARD
        .decode(data.trim())
        .map_err(|e| Error::decode(None, format_args!("an image is not valid base64: {e}"), data.as_bytes()))
}

fn checked_prompt(argument: &'static str, prompt: &str, max_chars: usize) -> Result<String> {
    if prompt.trim().is_empty() {
        return Err(Error::invalid(argument, "must not be empty"));
    }
    let chars = prompt.chars().count();
    if chars > max_chars {
        return Err(Error::invalid(argument, format!("{chars} characters; at most {max_chars}")));
    }
    Ok(prompt.to_owned())
}

fn request_error(error: impl std::fmt::Display) -> Error {
    Error::invalid("request", error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::error::refused;

    fn request() -> GenerateImage {
        GenerateImage::new("venice-sd35", "a fox")
    }

    #[test]
    fn out_of_range_sizes_are_refused() {
        assert_eq!(refused(request().size(0, 512).into_body(false)), "width");
        assert_eq!(refused(request().size(512, 1281).into_body(false)), "height");
    }

    #[test]
    fn out_of_range_steps_cfg_seed_variants_and_lora_are_refused() {
        assert_eq!(refused(request().steps(0).into_body(false)), "steps");
        assert_eq!(refused(request().cfg_scale(0.0).into_body(false)), "cfg_scale");
        assert_eq!(refused(request().cfg_scale(20.5).into_body(false)), "cfg_scale");
        assert_eq!(refused(request().cfg_scale(f64::NAN).into_body(false)), "cfg_scale");
        assert_eq!(refused(request().seed(1_000_000_000).into_body(false)), "seed");
        assert_eq!(refused(request().variants(5).into_body(false)), "variants");
        assert_eq!(refused(request().variants(0).into_body(false)), "variants");
        assert_eq!(refused(request().lora_strength(101).into_body(false)), "lora_strength");
    }

    #[test]
    fn several_variants_are_refused_for_a_binary_answer() {
        assert_eq!(refused(request().variants(2).into_body(true)), "variants");
        request().variants(2).into_body(false).unwrap();
    }

    #[test]
    fn empty_model_or_prompt_and_overlong_prompts_are_refused() {
        assert_eq!(refused(GenerateImage::new(" ", "x").into_body(false)), "model");
        assert_eq!(refused(GenerateImage::new("m", "  ").into_body(false)), "prompt");
        assert_eq!(refused(GenerateImage::new("m", "x".repeat(7501)).into_body(false)), "prompt");
        assert_eq!(refused(request().negative_prompt("x".repeat(7501)).into_body(false)), "negative_prompt");
    }

    #[test]
    fn the_limits_themselves_are_accepted() {
        request()
            .size(1, 1280)
            .steps(1)
            .cfg_scale(20.0)
            .seed(-999_999_999)
            .variants(4)
            .lora_strength(100)
            .into_body(false)
            .unwrap();
    }

    #[test]
    fn upscale_scale_outside_2_to_4_is_refused() {
        let image = || ImageSource::base64("aGk=");
        assert_eq!(refused(UpscaleImage::new(image()).scale(1.5).into_body()), "scale");
        assert_eq!(refused(UpscaleImage::new(image()).scale(4.5).into_body()), "scale");
        assert_eq!(refused(UpscaleImage::new(image()).creativity(-0.1).into_body()), "creativity");
    }

    #[test]
    fn empty_images_and_non_http_urls_are_refused() {
        assert_eq!(refused(EditImage::new(ImageSource::base64(""), "x").into_body()), "image");
        assert_eq!(refused(EditImage::new(ImageSource::url("ftp://x/y.png"), "x").into_body()), "image");
        assert_eq!(refused(MultiEditImage::new("x", []).into_body()), "images");
    }

    #[test]
    fn the_image_string_is_sent_as_the_image_field() {
        let body = EditImage::new(ImageSource::url("https://example.com/a.png"), "hat").into_body().unwrap();
        let body = serde_json::to_value(body).unwrap();
        assert_eq!(body["image"], "https://example.com/a.png");
        assert_eq!(body["prompt"], "hat");
    }

    #[test]
    fn base64_images_decode_with_or_without_a_data_url_prefix() {
        assert_eq!(decode_base64_image("aGk=").unwrap(), b"hi");
        assert_eq!(decode_base64_image("data:image/png;base64,aGk=").unwrap(), b"hi");
        assert!(matches!(decode_base64_image("not base64!"), Err(Error::Decode { .. })));
    }

    #[test]
    fn image_data_is_not_printed_in_debug_output() {
        assert_eq!(format!("{:?}", ImageSource::from_bytes(b"hi")), "Base64(4 characters)");
    }
}

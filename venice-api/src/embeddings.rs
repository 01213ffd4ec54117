//! Text embeddings: `client.embeddings()`.

use venice_api_gen::types::{self, CreateEmbeddingResponse};

use venice_api_gen::operations;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::response::{self, Response};

/// The most strings one request may embed.
const MAX_INPUTS: usize = 2048;

/// Text embeddings.
#[derive(Debug, Clone, Copy)]
pub struct Embeddings<'c> {
    client: &'c Client,
}

impl<'c> Embeddings<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// Embeds `input`, one string or several, with `model`: one vector per string, in order.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// let one = client.embeddings().create("text-embedding-bge-m3", "a red bicycle").await?;
    /// println!("{} dimensions", one.data[0].embedding.len());
    ///
    /// let many = client.embeddings().create("text-embedding-bge-m3", ["first", "second"]).await?;
    /// assert_eq!(many.data.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(
        &self,
        model: impl Into<String>,
        input: impl Into<EmbeddingInput>,
    ) -> Result<Response<CreateEmbeddingResponse>> {
        self.create_with(EmbeddingRequest::new(model, input)).await
    }

    /// Embeds as `request` says, for the settings [`create`](Self::create) leaves at their
    /// defaults (the vector length).
    pub async fn create_with(&self, request: EmbeddingRequest) -> Result<Response<CreateEmbeddingResponse>> {
        self.client.require_credentials("embeddings().create", &operations::CREATE_EMBEDDING)?;
        let body = request.into_body()?;
        response::decode(self.client.raw().create_embedding().body(body).send()).await
    }
}

/// What to embed: one string or several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmbeddingInput {
    /// One string, one vector.
    One(String),
    /// Several strings (at most 2048), one vector each, in order.
    Many(Vec<String>),
}

impl From<&str> for EmbeddingInput {
    fn from(text: &str) -> Self {
        EmbeddingInput::One(text.to_owned())
    }
}

impl From<String> for EmbeddingInput {
    fn from(text: String) -> Self {
        EmbeddingInput::One(text)
    }
}

impl From<&String> for EmbeddingInput {
    fn from(text: &String) -> Self {
        EmbeddingInput::One(text.clone())
    }
}

impl From<Vec<String>> for EmbeddingInput {
    fn from(texts: Vec<String>) -> Self {
        EmbeddingInput::Many(texts)
    }
}

impl From<Vec<&str>> for EmbeddingInput {
    fn from(texts: Vec<&str>) -> Self {
        EmbeddingInput::Many(texts.into_iter().map(str::to_owned).collect())
    }
}

impl From<&[&str]> for EmbeddingInput {
    fn from(texts: &[&str]) -> Self {
        EmbeddingInput::Many(texts.iter().map(|t| (*t).to_owned()).collect())
    }
}

impl From<&[String]> for EmbeddingInput {
    fn from(texts: &[String]) -> Self {
        EmbeddingInput::Many(texts.to_vec())
    }
}

impl<const N: usize> From<[&str; N]> for EmbeddingInput {
    fn from(texts: [&str; N]) -> Self {
        EmbeddingInput::Many(texts.iter().map(|t| (*t).to_owned()).collect())
    }
}

/// An embeddings request, checked before anything is sent.
#[derive(Debug, Clone)]
pub struct EmbeddingRequest {
    model: String,
    input: EmbeddingInput,
    dimensions: Option<u64>,
}

impl EmbeddingRequest {
    /// Embeds `input` with `model`.
    pub fn new(model: impl Into<String>, input: impl Into<EmbeddingInput>) -> Self {
        Self { model: model.into(), input: input.into(), dimensions: None }
    }

    /// The length of the vectors, for models that can shorten them (at least 1).
    pub fn dimensions(mut self, dimensions: u64) -> Self {
        self.dimensions = Some(dimensions);
        self
    }

    /// The generated body. Vectors are always asked for as floats: the generated answer type
    /// has no room for base64 vectors.
    fn into_body(self) -> Result<types::CreateEmbeddingRequestSchema> {
        let model = self.model.trim();
        if model.is_empty() {
            return Err(Error::invalid("model", "must not be empty"));
        }
        let input = match self.input {
            EmbeddingInput::One(text) => {
                let text = text
                    .parse::<types::CreateEmbeddingRequestSchemaInputString>()
                    .map_err(|_| Error::invalid("input", "must not be empty"))?;
                types::CreateEmbeddingRequestSchemaInput::String(text)
            }
            EmbeddingInput::Many(texts) => {
                if texts.is_empty() {
                    return Err(Error::invalid("input", "must hold at least one string"));
                }
                if texts.len() > MAX_INPUTS {
                    return Err(Error::invalid("input", format!("{} strings; at most {MAX_INPUTS}", texts.len())));
                }
                types::CreateEmbeddingRequestSchemaInput::Array(texts)
            }
        };
        let dimensions = self
            .dimensions
            .map(|d| std::num::NonZeroU64::new(d).ok_or_else(|| Error::invalid("dimensions", "must be at least 1")))
            .transpose()?;
        types::builder::CreateEmbeddingRequestSchema::default()
            .model(model.to_owned())
            .input(input)
            .dimensions(dimensions)
            .try_into()
            .map_err(|e: types::error::ConversionError| Error::invalid("request", e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(request: EmbeddingRequest) -> &'static str {
        crate::error::refused(request.into_body())
    }

    #[test]
    fn empty_model_input_or_dimensions_are_refused() {
        assert_eq!(refused(EmbeddingRequest::new(" ", "text")), "model");
        assert_eq!(refused(EmbeddingRequest::new("m", "")), "input");
        assert_eq!(refused(EmbeddingRequest::new("m", Vec::<String>::new())), "input");
        assert_eq!(refused(EmbeddingRequest::new("m", vec!["x"; MAX_INPUTS + 1])), "input");
        assert_eq!(refused(EmbeddingRequest::new("m", "text").dimensions(0)), "dimensions");
    }

    #[test]
    fn one_string_and_many_strings_become_the_two_input_shapes() {
        let one = EmbeddingRequest::new("m", "hello").into_body().unwrap();
        let many = EmbeddingRequest::new("m", ["a", "b"]).dimensions(64).into_body().unwrap();
        assert_eq!(serde_json::to_value(one).unwrap(), serde_json::json!({"model": "m", "input": "hello"}));
        assert_eq!(
            serde_json::to_value(many).unwrap(),
            serde_json::json!({"model": "m", "input": ["a", "b"], "dimensions": 64})
        );
    }
}

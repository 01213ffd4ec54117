//! The model catalogue, its traits and compatibility names: `client.models()`.
//!
//! None of these calls needs an API key: a client built with
//! [`without_api_key`](crate::ClientBuilder::without_api_key) can make them, and a client with
//! a key sends it (Venice may then include models only the account can use).

use venice_api_gen::types::{
    ListModelCompatibilityMappingResponse, ListModelCompatibilityMappingType, ListModelTraitsResponse,
    ListModelsResponse, ListModelsType, ModelResponse,
};

use crate::client::Client;
use crate::error::Result;
use crate::response::{self, Response};

/// The model catalogue, its traits and compatibility names.
#[derive(Debug, Clone, Copy)]
pub struct Models<'c> {
    client: &'c Client,
}

impl<'c> Models<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// The models Venice lists when no kind is asked for (text models, at the time of writing).
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// for model in &client.models().list().await?.data {
    ///     println!("{}", model.id);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list(&self) -> Result<Response<ListModelsResponse>> {
        response::decode(self.client.raw().list_models().send()).await
    }

    /// The models of one kind; [`ListModelsType::All`] lists every kind.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::types::ListModelsType;
    ///
    /// let image_models = client.models().list_of(ListModelsType::Image).await?;
    /// println!("{} image models", image_models.data.len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_of(&self, kind: ListModelsType) -> Result<Response<ListModelsResponse>> {
        response::decode(self.client.raw().list_models().type_(kind).send()).await
    }

    /// Each trait (`default`, `fastest`, …) with the model that carries it now, for the kind
    /// Venice picks when none is asked for; a trait can stand in for a model ID.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// let traits = client.models().traits().await?;
    /// println!("the default model is {:?}", traits.data.get("default"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn traits(&self) -> Result<Response<ListModelTraitsResponse>> {
        response::decode(self.client.raw().list_model_traits().send()).await
    }

    /// The traits of the models of one kind.
    pub async fn traits_of(
        &self,
        kind: ListModelCompatibilityMappingType,
    ) -> Result<Response<ListModelTraitsResponse>> {
        response::decode(self.client.raw().list_model_traits().type_(kind).send()).await
    }

    /// The names kept for compatibility (such as OpenAI model names), each with the Venice model
    /// it resolves to, for the kind Venice picks when none is asked for.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// let mapping = client.models().compatibility_mapping().await?;
    /// println!("gpt-4o means {:?}", mapping.data.get("gpt-4o"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn compatibility_mapping(&self) -> Result<Response<ListModelCompatibilityMappingResponse>> {
        response::decode(self.client.raw().list_model_compatibility_mapping().send()).await
    }

    /// The compatibility names of the models of one kind.
    pub async fn compatibility_mapping_of(
        &self,
        kind: ListModelCompatibilityMappingType,
    ) -> Result<Response<ListModelCompatibilityMappingResponse>> {
        response::decode(self.client.raw().list_model_compatibility_mapping().type_(kind).send()).await
    }
}

/// Whether `model` takes end-to-end encrypted chats (its `supportsE2EE` capability): prompts
/// encrypted on this side that only its enclave can read. Such a model also runs in an
/// attested enclave. `false` for a model without text capabilities.
///
/// ```no_run
/// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
/// use venice_api::models::supports_e2ee;
///
/// for model in client.models().list().await?.data.iter().filter(|m| supports_e2ee(m)) {
///     println!("{} takes encrypted prompts", model.id);
/// }
/// # Ok(())
/// # }
/// ```
pub fn supports_e2ee(model: &ModelResponse) -> bool {
    model.model_spec.capabilities.as_ref().is_some_and(|c| c.supports_e2ee)
}

/// Whether `model` runs in a hardware enclave whose attestation can be fetched (its
/// `supportsTeeAttestation` capability; see `client.tee()` with the `tee` feature). `false` for
/// a model without text capabilities.
pub fn supports_tee_attestation(model: &ModelResponse) -> bool {
    model.model_spec.capabilities.as_ref().is_some_and(|c| c.supports_tee_attestation)
}

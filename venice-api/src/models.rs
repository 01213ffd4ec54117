//! The model catalogue, its traits and compatibility names: `client.models()`.
//!
//! None of these calls needs an API key: a client built with
//! [`without_api_key`](crate::ClientBuilder::without_api_key) can make them, and a client with
//! a key sends it (Venice may then include models only the account can use).

use venice_api_gen::types::{
    ListModelCompatibilityMappingResponse, ListModelCompatibilityMappingType, ListModelTraitsResponse,
    ListModelTraitsType, ListModelsResponse, ListModelsType,
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
    pub async fn traits_of(&self, kind: ListModelTraitsType) -> Result<Response<ListModelTraitsResponse>> {
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

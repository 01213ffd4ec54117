//! Opt-in capability checks: refuse, before sending, a chat request that uses something the
//! chosen model does not offer (tools, image/audio/video input, a response schema,
//! reasoning settings, web search), naming the capability.
//!
//! A [`ModelCatalog`] fetches the model list once (on its first check) and keeps it; clones
//! share it. Nothing is checked unless a catalogue is asked to.
//!
//! ```no_run
//! # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
//! use venice_api::capabilities::ModelCatalog;
//! use venice_api::chat::ChatRequest;
//!
//! let catalog = ModelCatalog::new();
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct Answer {
//!     text: String,
//! }
//! let request = ChatRequest::new("venice-uncensored").user("Hi").output::<Answer>();
//! catalog.check(&client, &request).await?; // an Error::InvalidArgument naming the capability if missing
//! let completion = client.chat().create(request).await?;
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use venice_api_gen::types::{
    ChatCompletionRequestResponseFormat, ChatCompletionRequestVeniceParametersEnableWebSearch,
    ModelResponseModelSpecCapabilities, ObjectsItem, ToolCall, UserMessageContent,
};

use crate::chat::{ChatMessage, ChatRequest};
use crate::client::Client;
use crate::error::{Error, Result};

/// Something a request may need from its model, as the model list states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// Function tools (`supportsFunctionCalling`).
    Tools,
    /// Image input (`supportsVision`).
    Vision,
    /// Audio input (`supportsAudioInput`).
    AudioInput,
    /// Video input (`supportsVideoInput`).
    VideoInput,
    /// A JSON schema for the answer (`supportsResponseSchema`).
    ResponseSchema,
    /// Reasoning settings (`supportsReasoning`).
    Reasoning,
    /// A reasoning effort (`supportsReasoningEffort`).
    ReasoningEffort,
    /// Web search (`supportsWebSearch`).
    WebSearch,
    /// End-to-end encryption (`supportsE2EE`), asked for with `venice_parameters.enable_e2ee`.
    E2ee,
}

impl Capability {
    /// Whether `capabilities` include this one.
    pub fn offered_by(self, capabilities: &ModelResponseModelSpecCapabilities) -> bool {
        match self {
            Capability::Tools => capabilities.supports_function_calling,
            Capability::Vision => capabilities.supports_vision,
            Capability::AudioInput => capabilities.supports_audio_input,
            Capability::VideoInput => capabilities.supports_video_input,
            Capability::ResponseSchema => capabilities.supports_response_schema,
            Capability::Reasoning => capabilities.supports_reasoning,
            Capability::ReasoningEffort => capabilities.supports_reasoning_effort,
            Capability::WebSearch => capabilities.supports_web_search,
            Capability::E2ee => capabilities.supports_e2ee,
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Capability::Tools => "tools (function calling)",
            Capability::Vision => "image input",
            Capability::AudioInput => "audio input",
            Capability::VideoInput => "video input",
            Capability::ResponseSchema => "a response schema",
            Capability::Reasoning => "reasoning",
            Capability::ReasoningEffort => "a reasoning effort",
            Capability::WebSearch => "web search",
            Capability::E2ee => "end-to-end encryption",
        })
    }
}

/// What `request` needs from its model, in the order of [`Capability`].
pub fn required_capabilities(request: &ChatRequest) -> Vec<Capability> {
    let body = request.body();
    let mut needed = Vec::new();
    if body.tools.iter().flatten().any(|tool| matches!(tool, ToolCall::Function { .. })) {
        needed.push(Capability::Tools);
    }
    let parts = body.messages.iter().filter_map(|message| match message {
        ChatMessage::User { content: UserMessageContent::Objects(parts), .. } => Some(parts),
        _ => None,
    });
    let (mut image, mut audio, mut video) = (false, false, false);
    for part in parts.flatten() {
        match part {
            ObjectsItem::ImageUrl { .. } => image = true,
            ObjectsItem::InputAudio { .. } => audio = true,
            ObjectsItem::VideoUrl { .. } => video = true,
            _ => {}
        }
    }
    needed.extend(
        [(image, Capability::Vision), (audio, Capability::AudioInput), (video, Capability::VideoInput)]
            .into_iter()
            .filter_map(|(used, capability)| used.then_some(capability)),
    );
    if matches!(body.response_format, Some(ChatCompletionRequestResponseFormat::JsonSchema(_))) {
        needed.push(Capability::ResponseSchema);
    }
    if body.reasoning.is_some() {
        needed.push(Capability::Reasoning);
    }
    if body.reasoning_effort.is_some() {
        needed.push(Capability::ReasoningEffort);
    }
    let search = body.venice_parameters.as_ref().and_then(|parameters| parameters.enable_web_search);
    if matches!(
        search,
        Some(
            ChatCompletionRequestVeniceParametersEnableWebSearch::On
                | ChatCompletionRequestVeniceParametersEnableWebSearch::Auto
        )
    ) {
        needed.push(Capability::WebSearch);
    }
    if body.venice_parameters.as_ref().and_then(|parameters| parameters.enable_e2ee) == Some(true) {
        needed.push(Capability::E2ee);
    }
    needed
}

/// The model list's capabilities by model id, fetched on the first check and kept.
#[derive(Debug, Clone, Default)]
pub struct ModelCatalog {
    models: Arc<tokio::sync::OnceCell<HashMap<String, Option<ModelResponseModelSpecCapabilities>>>>,
}

impl ModelCatalog {
    /// A catalogue that fetches nothing until its first check.
    pub fn new() -> Self {
        Self::default()
    }

    /// Refuses `request` with an [`Error::InvalidArgument`] of `model` naming the first
    /// capability it needs that its model lacks. The model list is fetched with `client` on
    /// the first call. A model the list does not name (a compatibility alias, say) is let
    /// through: the server decides. A feature suffix (`model:…`) is ignored for the lookup.
    pub async fn check(&self, client: &Client, request: &ChatRequest) -> Result<()> {
        let models = self
            .models
            .get_or_try_init(|| async {
                let listed = client.models().list().await?.into_body();
                Ok::<_, Error>(listed.data.into_iter().map(|model| (model.id, model.model_spec.capabilities)).collect())
            })
            .await?;
        check_against(models, request)
    }
}

fn check_against(
    models: &HashMap<String, Option<ModelResponseModelSpecCapabilities>>,
    request: &ChatRequest,
) -> Result<()> {
    let id = request.body().model.trim();
    let id = id.split_once(':').map_or(id, |(model, _)| model);
    let Some(capabilities) = models.get(id) else { return Ok(()) };
    for capability in required_capabilities(request) {
        if !capabilities.as_ref().is_some_and(|offered| capability.offered_by(offered)) {
            return Err(Error::invalid(
                "model",
                format!("`{id}` does not support {capability}, which this request uses"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn capabilities(tools: bool, schema: bool) -> ModelResponseModelSpecCapabilities {
        serde_json::from_value(json!({
            "optimizedForCode": false, "quantization": "fp8", "supportsAudioInput": false, "supportsE2EE": false,
            "supportsFunctionCalling": tools, "supportsLogProbs": false, "supportsMultipleImages": false,
            "supportsReasoning": false, "supportsReasoningEffort": false, "supportsResponseSchema": schema,
            "supportsTeeAttestation": false, "supportsVideoInput": false, "supportsVision": false,
            "supportsWebSearch": true, "supportsXSearch": false,
        }))
        .expect("the test capabilities decode")
    }

    fn catalog() -> HashMap<String, Option<ModelResponseModelSpecCapabilities>> {
        HashMap::from([
            ("tooled".to_owned(), Some(capabilities(true, false))),
            ("plain".to_owned(), Some(capabilities(false, true))),
            ("image-only".to_owned(), None),
        ])
    }

    fn tool_request(model: &str) -> ChatRequest {
        ChatRequest::new(model).user("hi").function("f", "d", json!({"type": "object"}))
    }

    #[test]
    fn a_request_needs_what_it_uses() {
        assert_eq!(required_capabilities(&ChatRequest::new("m").user("hi")), []);
        assert_eq!(required_capabilities(&tool_request("m")), [Capability::Tools]);
    }

    #[test]
    fn a_capability_the_model_lacks_is_refused_by_name() {
        let error = check_against(&catalog(), &tool_request("plain")).unwrap_err().to_string();
        assert!(error.contains("`plain` does not support tools"), "{error}");
        assert!(check_against(&catalog(), &tool_request("tooled")).is_ok());
        assert!(check_against(&catalog(), &tool_request("image-only")).is_err());
    }

    #[test]
    fn asking_for_end_to_end_encryption_needs_a_model_that_offers_it() {
        let parameters = crate::venice_parameters::VeniceParameters::new().e2ee(true);
        let request = ChatRequest::new("plain").user("hi").venice_parameters(parameters);
        assert_eq!(required_capabilities(&request), [Capability::E2ee]);
        let error = check_against(&catalog(), &request).unwrap_err().to_string();
        assert!(error.contains("end-to-end encryption"), "{error}");
    }

    #[test]
    fn an_unlisted_model_is_let_through_and_a_suffix_is_ignored() {
        assert!(check_against(&catalog(), &tool_request("unlisted")).is_ok());
        assert!(check_against(&catalog(), &tool_request("plain:disable_thinking=true")).is_err());
    }
}

//! Venice's own chat settings, typed: [`VeniceParameters`] builds `venice_parameters` with
//! only what was set, and [`web_search_citations`] reads the sources a web search found from
//! an answer (plain or, through [`StreamedMessage::citations`](crate::chat::StreamedMessage),
//! streamed).
//!
//! ```
//! use venice_api::chat::ChatRequest;
//! use venice_api::venice_parameters::{VeniceParameters, WebSearch};
//!
//! let request = ChatRequest::new("venice-uncensored")
//!     .user("What happened in Lisbon today?")
//!     .venice_parameters(VeniceParameters::new().web_search(WebSearch::Auto).web_citations(true).venice_system_prompt(false));
//! ```

use serde_json::Value;
use venice_api_gen::types::{
    ChatCompletionRequestVeniceParameters, CreateChatCompletionResponse,
    CreateChatCompletionResponseVeniceParametersWebSearchCitationsItem,
};

/// Whether the model may search the web first: `Off`, `On` or `Auto` (the model decides).
pub type WebSearch = venice_api_gen::types::ChatCompletionRequestVeniceParametersEnableWebSearch;

/// A source found by web search: title, link, and the date and excerpt when known.
pub type Citation = CreateChatCompletionResponseVeniceParametersWebSearchCitationsItem;

/// A builder of `venice_parameters` that sends only what was set; every setting left out
/// takes the server's default.
///
/// ```
/// use venice_api::venice_parameters::{VeniceParameters, WebSearch};
///
/// let parameters = VeniceParameters::new().web_search(WebSearch::On).strip_thinking(true);
/// assert_eq!(
///     serde_json::to_value(parameters.into_parameters()).unwrap(),
///     serde_json::json!({"enable_web_search": "on", "strip_thinking_response": true}),
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VeniceParameters(ChatCompletionRequestVeniceParameters);

impl VeniceParameters {
    /// No setting: every one takes the server's default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the model may search the web first (`enable_web_search`).
    pub fn web_search(mut self, mode: WebSearch) -> Self {
        self.0.enable_web_search = Some(mode);
        self
    }

    /// Ask the model to cite its web sources (`enable_web_citations`).
    pub fn web_citations(mut self, on: bool) -> Self {
        self.0.enable_web_citations = Some(on);
        self
    }

    /// Let Venice fetch the pages linked in the newest user message (`enable_web_scraping`).
    pub fn web_scraping(mut self, on: bool) -> Self {
        self.0.enable_web_scraping = Some(on);
        self
    }

    /// Let xAI models search the web and X (`enable_x_search`).
    pub fn x_search(mut self, on: bool) -> Self {
        self.0.enable_x_search = Some(on);
        self
    }

    /// Send the search results as the first chunk of a stream
    /// (`include_search_results_in_stream`).
    pub fn search_results_in_stream(mut self, on: bool) -> Self {
        self.0.include_search_results_in_stream = Some(on);
        self
    }

    /// Also return the search results as a tool call of documents
    /// (`return_search_results_as_documents`).
    pub fn search_results_as_documents(mut self, on: bool) -> Self {
        self.0.return_search_results_as_documents = Some(on);
        self
    }

    /// Add (or not) Venice's own system prompt (`include_venice_system_prompt`).
    pub fn venice_system_prompt(mut self, on: bool) -> Self {
        self.0.include_venice_system_prompt = Some(on);
        self
    }

    /// Speak as the public character with this slug (`character_slug`).
    pub fn character(mut self, slug: impl Into<String>) -> Self {
        self.0.character_slug = Some(slug.into());
        self
    }

    /// Remove thinking blocks from the answer of reasoning models (`strip_thinking_response`).
    pub fn strip_thinking(mut self, on: bool) -> Self {
        self.0.strip_thinking_response = Some(on);
        self
    }

    /// Turn reasoning off on models that allow it (`disable_thinking`).
    pub fn disable_thinking(mut self, on: bool) -> Self {
        self.0.disable_thinking = Some(on);
        self
    }

    /// Use end-to-end encryption with models that offer it (`enable_e2ee`).
    pub fn e2ee(mut self, on: bool) -> Self {
        self.0.enable_e2ee = Some(on);
        self
    }

    /// The generated type, as the request sends it.
    pub fn into_parameters(self) -> ChatCompletionRequestVeniceParameters {
        self.0
    }
}

impl From<VeniceParameters> for ChatCompletionRequestVeniceParameters {
    fn from(parameters: VeniceParameters) -> Self {
        parameters.0
    }
}

impl From<ChatCompletionRequestVeniceParameters> for VeniceParameters {
    fn from(parameters: ChatCompletionRequestVeniceParameters) -> Self {
        VeniceParameters(parameters)
    }
}

/// The sources the web search of a request found, as the answer's `venice_parameters` lists
/// them (empty when there was no search or the answer lists none).
///
/// ```no_run
/// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
/// use venice_api::chat::ChatRequest;
/// use venice_api::venice_parameters::{VeniceParameters, WebSearch, web_search_citations};
///
/// let request = ChatRequest::new("venice-uncensored")
///     .user("Latest Rust release?")
///     .venice_parameters(VeniceParameters::new().web_search(WebSearch::On).web_citations(true));
/// let completion = client.chat().create(request).await?;
/// for source in web_search_citations(&completion) {
///     println!("{}: {}", source.title, source.url);
/// }
/// # Ok(())
/// # }
/// ```
pub fn web_search_citations(completion: &CreateChatCompletionResponse) -> &[Citation] {
    completion.venice_parameters.as_ref().map_or(&[], |parameters| parameters.web_search_citations.as_slice())
}

/// The citations in the `venice_parameters` a streamed chunk carries (the first chunk, when
/// search results were asked for in the stream); the stream's shape is not published, so
/// entries that do not read as a [`Citation`] are skipped rather than failing the chunk.
pub(crate) fn citations_in(venice_parameters: &Value) -> Vec<Citation> {
    let Some(Value::Array(items)) = venice_parameters.get("web_search_citations") else {
        return Vec::new();
    };
    items.iter().filter_map(|item| serde_json::from_value(item.clone()).ok()).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::chat::ChatRequest;

    #[test]
    fn nothing_set_sends_an_empty_object() {
        assert_eq!(serde_json::to_value(VeniceParameters::new().into_parameters()).unwrap(), json!({}));
    }

    #[test]
    fn every_setter_sends_its_field() {
        let parameters = VeniceParameters::new()
            .web_search(WebSearch::Auto)
            .web_citations(true)
            .web_scraping(false)
            .x_search(true)
            .search_results_in_stream(true)
            .search_results_as_documents(true)
            .venice_system_prompt(false)
            .character("alan-watts")
            .strip_thinking(true)
            .disable_thinking(false)
            .e2ee(false);
        assert_eq!(
            serde_json::to_value(parameters.into_parameters()).unwrap(),
            json!({
                "enable_web_search": "auto", "enable_web_citations": true, "enable_web_scraping": false,
                "enable_x_search": true, "include_search_results_in_stream": true,
                "return_search_results_as_documents": true, "include_venice_system_prompt": false,
                "character_slug": "alan-watts", "strip_thinking_response": true, "disable_thinking": false,
                "enable_e2ee": false,
            })
        );
    }

    #[test]
    fn a_request_takes_the_builder() {
        let request =
            ChatRequest::new("m").user("hi").venice_parameters(VeniceParameters::new().web_search(WebSearch::On));
        let body = serde_json::to_value(request.into_streamed_body().unwrap()).unwrap();
        assert_eq!(body["venice_parameters"], json!({"enable_web_search": "on"}));
    }

    #[test]
    fn streamed_citations_skip_entries_that_do_not_read() {
        let citations = citations_in(&json!({"web_search_citations": [
            {"title": "Rust 1.95", "url": "https://blog.rust-lang.org/", "date": "2026-11-27"},
            {"title": 3},
        ]}));
        assert_eq!(citations.len(), 1);
        assert_eq!(citations[0].url, "https://blog.rust-lang.org/");
        assert!(citations_in(&json!({"web_search_citations": "nope"})).is_empty());
    }
}

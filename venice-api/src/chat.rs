//! Chat completions, plain and streamed: `client.chat()`.
//!
//! A [`ChatRequest`] builds the generated request body (model, messages, sampling, tools,
//! response format, Venice parameters) and checks it before anything is sent.
//! [`Chat::create`] answers with the generated completion; [`Chat::create_stream`] answers
//! with a [`ChatStream`] of [`ChatChunk`]s as the model writes, which
//! [`collect_message`](crate::stream::EventStream::collect_message) (or a
//! [`StreamedMessage`] fed chunk by chunk) puts back together.
//!
//! The published API description declares no streamed answer, so the chunk types here are
//! this crate's, following OpenAI's `chat.completion.chunk`: every field is optional and
//! unknown fields are ignored.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use venice_api_gen::types::{
    self, AssistantMessageContent, ChatCompletionRequestResponseFormat, ChatCompletionRequestToolChoice,
    ChatCompletionRequestVeniceParameters, CreateChatCompletionResponse,
    CreateChatCompletionResponseChoicesItemMessage,
};

use venice_api_gen::operations;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::response::{self, Response};
use crate::stream::EventStream;

/// One message of a conversation, told apart by its `role`: `ChatMessage::User { content,
/// name }`, `Assistant`, `Tool`, `System`, `Developer`. The setters of [`ChatRequest`] build the
/// common ones; [`ChatRequest::message`] takes any.
pub type ChatMessage = types::ChatCompletionRequestMessagesItem;

/// The hook id of the chat completion operation, for the transport's operation table.
pub(crate) const OPERATION_ID: &str = operations::CREATE_CHAT_COMPLETION.id;

/// Chat completions, plain and streamed.
#[derive(Debug, Clone, Copy)]
pub struct Chat<'c> {
    client: &'c Client,
}

impl<'c> Chat<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// Runs the model over the conversation of `request` and returns the whole answer.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::chat::{ChatRequest, reply_text};
    ///
    /// let request = ChatRequest::new("venice-uncensored").system("Answer in one sentence.").user("Why is the sky blue?");
    /// let completion = client.chat().create(request).await?;
    /// println!("{}", reply_text(&completion).unwrap_or_default());
    /// println!("{} tokens", completion.usage.total_tokens);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(&self, request: ChatRequest) -> Result<Response<CreateChatCompletionResponse>> {
        self.client.require_credentials("chat().create", &operations::CREATE_CHAT_COMPLETION)?;
        #[cfg(feature = "models")]
        if let Some(catalog) = self.client.capability_catalog() {
            catalog.check(self.client, &request).await?;
        }
        let mut body = request.into_body()?;
        body.stream = None;
        body.stream_options = None;
        // Sent as built here rather than through the generated builder, which moves the large
        // body by value through a builder copy and back (T -> builder -> T): a tenth of the
        // instructions of a whole request under callgrind.
        let answer = self
            .client
            .send_built(&operations::CREATE_CHAT_COMPLETION, |request_builder| {
                request_builder.header(reqwest::header::ACCEPT, "application/json").json(&body)
            })
            .await?;
        response::json(answer).await
    }

    /// Runs the model over the conversation of `request` and streams the answer as it is
    /// written: the same body with `"stream": true`, and usage asked for in the last chunk
    /// (`stream_options.include_usage`) unless the request set `stream_options` itself.
    ///
    /// The stream ends after Venice's `[DONE]`; an error Venice reports partway through ends
    /// it with an [`Error::Api`] of kind [`Stream`](crate::ApiErrorKind::Stream). A request is
    /// retried, as any other, only until the answer starts. The client's timeout bounds the
    /// silence between two reads, not the whole answer, so a long answer is never cut short
    /// while tokens keep coming.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use futures_util::StreamExt;
    /// use venice_api::chat::{ChatRequest, StreamedMessage};
    ///
    /// let mut stream = client.chat().create_stream(ChatRequest::new("venice-uncensored").user("Tell me a story.")).await?;
    /// let mut message = StreamedMessage::new();
    /// while let Some(chunk) = stream.next().await {
    ///     let chunk = chunk?;
    ///     print!("{}", chunk.content().unwrap_or_default());
    ///     message.push(&chunk);
    /// }
    /// println!("\n{:?}, {:?}", message.finish_reason, message.usage);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_stream(&self, request: ChatRequest) -> Result<ChatStream> {
        self.client.require_credentials("chat().create_stream", &operations::CREATE_CHAT_COMPLETION)?;
        #[cfg(feature = "models")]
        if let Some(catalog) = self.client.capability_catalog() {
            catalog.check(self.client, &request).await?;
        }
        let body = request.into_streamed_body()?;
        let answer = post_for_stream(self.client, &body, &reqwest::header::HeaderMap::new()).await?;
        EventStream::from_event_response(answer, OPERATION_ID).await
    }

    /// Starts an end-to-end encrypted chat session with `model`: checks in the model list
    /// that the model supports E2EE, fetches and checks its enclave's attestation, and makes
    /// the session's key pair. See [`E2eeSession`](crate::tee::E2eeSession).
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::chat::ChatRequest;
    ///
    /// let session = client.chat().e2ee("e2ee-qwen3-5-122b-a10b").await?;
    /// let request = ChatRequest::new(session.model()).user("Only the enclave reads this.");
    /// let answer = session.create_stream(request).await?.collect_message().await?;
    /// println!("{}", answer.content);
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "tee")]
    pub async fn e2ee(&self, model: impl AsRef<str>) -> Result<crate::tee::E2eeSession> {
        crate::tee::E2eeSession::start(self.client, model.as_ref()).await
    }
}

/// Sends a streamed chat request (`body`, with `headers` added) through the client's transport;
/// the answer is read as server-sent events.
pub(crate) async fn post_for_stream(
    client: &Client,
    body: &(impl Serialize + Sync),
    headers: &reqwest::header::HeaderMap,
) -> Result<reqwest::Response> {
    client
        .send_built(&operations::CREATE_CHAT_COMPLETION, |request_builder| {
            request_builder.header(reqwest::header::ACCEPT, "text/event-stream").headers(headers.clone()).json(body)
        })
        .await
}

/// The text of the first choice of a completion, its parts joined; `None` when the model
/// wrote no text (only tool calls, say).
pub fn reply_text(completion: &CreateChatCompletionResponse) -> Option<String> {
    let content = match &completion.choices.first()?.message {
        CreateChatCompletionResponseChoicesItemMessage::Assistant { content, .. } => content.as_ref()?,
        CreateChatCompletionResponseChoicesItemMessage::Tool { content, .. } => return Some(content.clone()),
        // A kind of message this version does not know: it has no text to read here.
        _ => return None,
    };
    match content {
        AssistantMessageContent::String(text) => Some(text.clone()),
        AssistantMessageContent::Objects(parts) => Some(parts.iter().map(|part| part.text.as_str()).collect()),
        _ => None,
    }
}

/// A chat completion request: the generated body, built with checks.
///
/// ```
/// use venice_api::chat::{ChatRequest, ToolChoice};
///
/// let request = ChatRequest::new("venice-uncensored")
///     .system("You are a weather bot.")
///     .user("Weather in Lisbon?")
///     .function("get_weather", "Current weather of a city", serde_json::json!({
///         "type": "object",
///         "properties": {"city": {"type": "string"}},
///         "required": ["city"],
///     }))
///     .tool_choice(ToolChoice::Auto)
///     .temperature(0.2)
///     .max_tokens(200);
/// ```
#[derive(Debug, Clone)]
pub struct ChatRequest {
    body: types::ChatCompletionRequest,
    /// The first argument refused by a setter, reported when the request is sent.
    refused: Option<(&'static str, String)>,
}

impl ChatRequest {
    /// A request to `model` with no messages yet; add at least one.
    pub fn new(model: impl Into<String>) -> Self {
        let body = types::builder::ChatCompletionRequest::default()
            .model(model.into())
            .messages(Vec::new())
            .try_into()
            .expect("model and messages are the only required fields, and both are set");
        Self { body, refused: None }
    }

    /// Adds a message the generated type describes (content parts such as images, or a
    /// message returned by [`StreamedMessage::into_request_message`]).
    pub fn message(mut self, message: ChatMessage) -> Self {
        self.body.messages.push(message);
        self
    }

    /// Adds a system message: instructions for the model.
    pub fn system(self, text: impl Into<String>) -> Self {
        self.message(ChatMessage::System { content: types::SystemMessageContent::String(text.into()), name: None })
    }

    /// Adds a developer message (instructions, for models that tell them from system ones).
    pub fn developer(self, text: impl Into<String>) -> Self {
        self.message(ChatMessage::Developer {
            content: types::DeveloperMessageContent::String(text.into()),
            name: None,
        })
    }

    /// Adds a user message.
    pub fn user(self, text: impl Into<String>) -> Self {
        self.message(ChatMessage::User { content: types::UserMessageContent::String(text.into()), name: None })
    }

    /// Adds an earlier answer of the model, to continue a conversation.
    pub fn assistant(self, text: impl Into<String>) -> Self {
        self.message(assistant_message(Some(text.into()), None))
    }

    /// Adds the result of the tool call with id `tool_call_id`.
    pub fn tool_result(self, tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        self.message(ChatMessage::Tool {
            content: content.into(),
            name: None,
            reasoning_content: None,
            tool_call_id: tool_call_id.into(),
            tool_calls: None,
        })
    }

    /// Sampling temperature, 0 to 2; higher is more random.
    pub fn temperature(mut self, temperature: f64) -> Self {
        self.body.temperature = Some(temperature);
        self
    }

    /// Nucleus sampling, 0 to 1.
    pub fn top_p(mut self, top_p: f64) -> Self {
        self.body.top_p = Some(top_p);
        self
    }

    /// The most tokens to generate in the answer (at least 1).
    pub fn max_tokens(mut self, max_tokens: u32) -> Self {
        self.body.max_tokens = Some(i64::from(max_tokens));
        self
    }

    /// The most tokens to generate, reasoning included (at least 1).
    pub fn max_completion_tokens(mut self, max_tokens: u32) -> Self {
        self.body.max_completion_tokens = Some(i64::from(max_tokens));
        self
    }

    /// Offers the model a function it may call, described by a JSON Schema object of its
    /// arguments.
    pub fn function(mut self, name: impl Into<String>, description: impl Into<String>, parameters: Value) -> Self {
        let parameters = match parameters {
            Value::Object(map) => map,
            other => {
                self.refuse("tools", format!("the parameters of a function must be a JSON object, not {other}"));
                Map::new()
            }
        };
        let function = types::ToolCallFunction {
            description: Some(description.into()),
            name: name.into(),
            parameters,
            strict: None,
        };
        self.tool(types::ToolCall::Function { function, id: None, type_: Some("function".to_owned()) })
    }

    /// Offers the model a tool the generated type describes (a function, or Venice's web or
    /// X search).
    pub fn tool(mut self, tool: types::ToolCall) -> Self {
        self.body.tools.get_or_insert_with(Vec::new).push(tool);
        self
    }

    /// Whether and which tool the model must call.
    pub fn tool_choice(mut self, choice: ToolChoice) -> Self {
        self.body.tool_choice = Some(choice.into());
        self
    }

    /// The shape of the answer: text, any JSON object, or JSON following a schema.
    pub fn response_format(mut self, format: ChatCompletionRequestResponseFormat) -> Self {
        self.body.response_format = Some(format);
        self
    }

    /// Asks for JSON that follows `schema` (a JSON Schema object), named `name`.
    pub fn json_schema(self, name: impl Into<String>, schema: Value) -> Self {
        let mut spec = Map::new();
        spec.insert("name".to_owned(), Value::String(name.into()));
        spec.insert("schema".to_owned(), schema);
        self.response_format(ChatCompletionRequestResponseFormat::JsonSchema(spec))
    }

    /// Venice's own settings: web search, its system prompt, characters, thinking.
    ///
    /// ```
    /// use venice_api::chat::ChatRequest;
    /// use venice_api::types::{ChatCompletionRequestVeniceParameters, ChatCompletionRequestVeniceParametersEnableWebSearch};
    ///
    /// let request = ChatRequest::new("venice-uncensored").user("News today?").venice_parameters(ChatCompletionRequestVeniceParameters {
    ///     enable_web_search: Some(ChatCompletionRequestVeniceParametersEnableWebSearch::Auto),
    ///     include_venice_system_prompt: Some(false),
    ///     ..Default::default()
    /// });
    /// ```
    ///
    /// [`VeniceParameters`](crate::venice_parameters::VeniceParameters) builds them with a
    /// setter per setting.
    pub fn venice_parameters(mut self, parameters: impl Into<ChatCompletionRequestVeniceParameters>) -> Self {
        self.body.venice_parameters = Some(parameters.into());
        self
    }

    /// The body as built so far, unchecked.
    pub(crate) fn body(&self) -> &types::ChatCompletionRequest {
        &self.body
    }

    /// The generated body, for the fields this builder has no setter for (seed, stop,
    /// penalties, reasoning, …). It is checked like the rest when the request is sent.
    pub fn body_mut(&mut self) -> &mut types::ChatCompletionRequest {
        &mut self.body
    }

    pub(crate) fn refuse(&mut self, argument: &'static str, reason: String) {
        self.refused.get_or_insert((argument, reason));
    }

    /// The body of a streamed request: `"stream": true`, and usage asked for in the last
    /// chunk unless the request set `stream_options` itself.
    pub(crate) fn into_streamed_body(self) -> Result<types::ChatCompletionRequest> {
        let mut body = self.into_body()?;
        body.stream = Some(true);
        if body.stream_options.is_none() {
            body.stream_options = Some(types::ChatCompletionRequestStreamOptions { include_usage: Some(true) });
        }
        Ok(body)
    }

    /// The body, once every argument is known to be acceptable.
    fn into_body(self) -> Result<types::ChatCompletionRequest> {
        if let Some((argument, reason)) = self.refused {
            return Err(Error::invalid(argument, reason));
        }
        let mut body = self.body;
        body.model = body.model.trim().to_owned();
        if body.model.is_empty() {
            return Err(Error::invalid("model", "must not be empty"));
        }
        if body.messages.is_empty() {
            return Err(Error::invalid("messages", "a request needs at least one message"));
        }
        in_range("temperature", body.temperature, 0.0, 2.0)?;
        in_range("top_p", body.top_p, 0.0, 1.0)?;
        in_range("min_p", body.min_p, 0.0, 1.0)?;
        in_range("frequency_penalty", body.frequency_penalty, -2.0, 2.0)?;
        in_range("presence_penalty", body.presence_penalty, -2.0, 2.0)?;
        for (argument, value) in
            [("max_tokens", body.max_tokens), ("max_completion_tokens", body.max_completion_tokens)]
        {
            if let Some(value) = value
                && value < 1
            {
                return Err(Error::invalid(argument, format!("{value} is not at least 1")));
            }
        }
        if let Some(n) = body.n
            && n < 1
        {
            return Err(Error::invalid("n", format!("{n} is not at least 1")));
        }
        Ok(body)
    }
}

impl From<types::ChatCompletionRequest> for ChatRequest {
    /// A request from a generated body, checked like any other when sent.
    fn from(body: types::ChatCompletionRequest) -> Self {
        Self { body, refused: None }
    }
}

fn in_range(argument: &'static str, value: Option<f64>, min: f64, max: f64) -> Result<()> {
    match value {
        Some(value) if !(value.is_finite() && (min..=max).contains(&value)) => {
            Err(Error::invalid(argument, format!("{value} is not between {min} and {max}")))
        }
        _ => Ok(()),
    }
}

fn assistant_message(content: Option<String>, tool_calls: Option<Vec<Value>>) -> ChatMessage {
    ChatMessage::Assistant {
        content: content.map(AssistantMessageContent::String),
        name: None,
        reasoning_content: None,
        reasoning_details: Vec::new(),
        thought_signature: None,
        tool_calls,
    }
}

/// Whether and which tool the model must call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolChoice {
    /// The model decides (the default when tools are offered).
    Auto,
    /// The model must not call a tool.
    None,
    /// The model must call some tool.
    Required,
    /// The model must call the function with this name.
    Function(String),
}

impl From<ToolChoice> for ChatCompletionRequestToolChoice {
    fn from(choice: ToolChoice) -> Self {
        let word = |w: &str| ChatCompletionRequestToolChoice::String(w.to_owned());
        match choice {
            ToolChoice::Auto => word("auto"),
            ToolChoice::None => word("none"),
            ToolChoice::Required => word("required"),
            ToolChoice::Function(name) => ChatCompletionRequestToolChoice::Object {
                function: types::Function { name },
                type_: "function".to_owned(),
            },
        }
    }
}

/// The chunks of a streamed chat completion.
pub type ChatStream = EventStream<ChatChunk>;

/// One chunk of a streamed chat completion (`chat.completion.chunk`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatChunk {
    /// The completion's id, the same in every chunk.
    #[serde(deserialize_with = "null_as_default")]
    pub id: String,
    /// The model that answers.
    #[serde(deserialize_with = "null_as_default")]
    pub model: String,
    /// Unix time, in seconds, of the completion's creation.
    #[serde(deserialize_with = "null_as_default")]
    pub created: i64,
    /// What each choice gained in this chunk; empty in the usage chunk.
    #[serde(deserialize_with = "null_as_default")]
    pub choices: Vec<ChunkChoice>,
    /// Token counts, in the last chunk when asked for.
    pub usage: Option<StreamUsage>,
    /// Venice's settings and search results, in the first chunk when search results were
    /// asked for in the stream; kept as sent (its streamed shape is not published).
    pub venice_parameters: Option<Value>,
}

impl ChatChunk {
    /// The text this chunk adds to the first choice, if any.
    pub fn content(&self) -> Option<&str> {
        self.choices.iter().find(|c| c.index == 0)?.delta.content.as_deref()
    }

    /// The web search citations this chunk carries (see
    /// [`VeniceParameters::search_results_in_stream`](crate::venice_parameters::VeniceParameters::search_results_in_stream)).
    pub fn web_search_citations(&self) -> Vec<crate::venice_parameters::Citation> {
        self.venice_parameters.as_ref().map(crate::venice_parameters::citations_in).unwrap_or_default()
    }
}

/// What one choice gained in a chunk.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChunkChoice {
    /// Position of the choice (0 unless several were asked for).
    #[serde(deserialize_with = "null_as_default")]
    pub index: u32,
    /// The new part of the message.
    #[serde(deserialize_with = "null_as_default")]
    pub delta: ChunkDelta,
    /// Why generation stopped (`stop`, `length`, `tool_calls`, …), in the choice's last chunk.
    pub finish_reason: Option<String>,
}

/// The new part of a message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChunkDelta {
    /// The author (`assistant`), usually in the first chunk only.
    pub role: Option<String>,
    /// More text of the answer.
    pub content: Option<String>,
    /// More of the model's reasoning, for models that expose it.
    pub reasoning_content: Option<String>,
    /// Pieces of tool calls.
    #[serde(deserialize_with = "null_as_default")]
    pub tool_calls: Vec<ToolCallDelta>,
}

/// A piece of a tool call; the pieces with the same `index` make one call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ToolCallDelta {
    /// Which call of the message this piece belongs to.
    #[serde(deserialize_with = "null_as_default")]
    pub index: u32,
    /// The call's id, in its first piece.
    pub id: Option<String>,
    /// `function`, in the call's first piece.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The function's name and more of its arguments.
    pub function: Option<FunctionDelta>,
}

/// A piece of a function call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FunctionDelta {
    /// The function's name, in the call's first piece.
    pub name: Option<String>,
    /// More of the arguments, a JSON text cut anywhere.
    pub arguments: Option<String>,
}

/// Token counts of a streamed completion.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamUsage {
    /// Tokens in the input.
    #[serde(deserialize_with = "null_as_default")]
    pub prompt_tokens: u64,
    /// Tokens generated.
    #[serde(deserialize_with = "null_as_default")]
    pub completion_tokens: u64,
    /// Input and output tokens together.
    #[serde(deserialize_with = "null_as_default")]
    pub total_tokens: u64,
    /// Breakdown of the input tokens, when the provider gives one.
    pub prompt_tokens_details: Option<Value>,
    /// Breakdown of the generated tokens, when the provider gives one.
    pub completion_tokens_details: Option<Value>,
}

/// A field sent as `null` takes its default, as a missing one does.
fn null_as_default<'de, D, T>(deserializer: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A streamed message put back together from its chunks: feed it each chunk with
/// [`push`](Self::push), or let [`collect_message`](EventStream::collect_message) do it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamedMessage {
    /// The completion's id.
    pub id: String,
    /// The model that answered.
    pub model: String,
    /// Unix time, in seconds, of the completion's creation.
    pub created: i64,
    /// The author, as the stream gave it (`assistant`).
    pub role: Option<String>,
    /// The text of the answer.
    pub content: String,
    /// The model's reasoning, for models that expose it.
    pub reasoning_content: Option<String>,
    /// The tool calls, in index order, each with its arguments whole.
    pub tool_calls: Vec<StreamedToolCall>,
    /// Why generation stopped.
    pub finish_reason: Option<String>,
    /// Token counts, when the stream gave them.
    pub usage: Option<StreamUsage>,
    /// The sources web search found, when the stream carried them.
    pub citations: Vec<crate::venice_parameters::Citation>,
    choice: u32,
}

/// A tool call put back together from its pieces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamedToolCall {
    /// Position of the call in the message.
    pub index: u32,
    /// The call's id, to answer it with [`ChatRequest::tool_result`].
    pub id: String,
    /// `function`.
    pub kind: String,
    /// The function's name.
    pub name: String,
    /// The arguments, a JSON text.
    pub arguments: String,
}

impl StreamedMessage {
    /// An empty message that collects the first choice (index 0).
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty message that collects the choice with index `index` (when several were asked
    /// for), ignoring the others.
    pub fn for_choice(index: u32) -> Self {
        Self { choice: index, ..Self::default() }
    }

    /// Adds what `chunk` carries for this message's choice.
    pub fn push(&mut self, chunk: &ChatChunk) {
        if self.id.is_empty() {
            self.id.clone_from(&chunk.id);
        }
        if self.model.is_empty() {
            self.model.clone_from(&chunk.model);
        }
        if self.created == 0 {
            self.created = chunk.created;
        }
        if let Some(usage) = &chunk.usage {
            self.usage = Some(usage.clone());
        }
        let citations = chunk.web_search_citations();
        if !citations.is_empty() {
            self.citations = citations;
        }
        let index = self.choice;
        for choice in chunk.choices.iter().filter(|c| c.index == index) {
            let delta = &choice.delta;
            if let Some(role) = &delta.role {
                self.role = Some(role.clone());
            }
            if let Some(text) = &delta.content {
                self.content.push_str(text);
            }
            if let Some(text) = &delta.reasoning_content {
                self.reasoning_content.get_or_insert_with(String::new).push_str(text);
            }
            for piece in &delta.tool_calls {
                self.push_tool_call(piece);
            }
            if let Some(reason) = &choice.finish_reason {
                self.finish_reason = Some(reason.clone());
            }
        }
    }

    fn push_tool_call(&mut self, piece: &ToolCallDelta) {
        let at = match self.tool_calls.binary_search_by_key(&piece.index, |call| call.index) {
            Ok(at) => at,
            Err(at) => {
                self.tool_calls.insert(at, StreamedToolCall { index: piece.index, ..StreamedToolCall::default() });
                at
            }
        };
        let call = &mut self.tool_calls[at];
        if let Some(id) = &piece.id {
            call.id.clone_from(id);
        }
        if let Some(kind) = &piece.kind {
            call.kind.clone_from(kind);
        }
        if let Some(function) = &piece.function {
            if let Some(name) = &function.name {
                call.name.push_str(name);
            }
            if let Some(arguments) = &function.arguments {
                call.arguments.push_str(arguments);
            }
        }
    }

    /// The message as an assistant message of a next request, tool calls included, to
    /// continue the conversation.
    pub fn into_request_message(self) -> ChatMessage {
        let content = (!self.content.is_empty()).then_some(self.content);
        let tool_calls = (!self.tool_calls.is_empty()).then(|| {
            self.tool_calls
                .into_iter()
                .map(|call| {
                    let kind = if call.kind.is_empty() { "function".to_owned() } else { call.kind };
                    serde_json::json!({
                        "id": call.id,
                        "type": kind,
                        "function": {"name": call.name, "arguments": call.arguments},
                    })
                })
                .collect()
        });
        assistant_message(content, tool_calls)
    }
}

impl EventStream<ChatChunk> {
    /// Reads the whole stream and puts the first choice's message back together: its text,
    /// tool calls (arguments joined per call), finish reason and usage. The first error in
    /// the stream is returned instead.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::chat::ChatRequest;
    ///
    /// let stream = client.chat().create_stream(ChatRequest::new("venice-uncensored").user("Hello!")).await?;
    /// let message = stream.collect_message().await?;
    /// println!("{} ({:?})", message.content, message.finish_reason);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn collect_message(mut self) -> Result<StreamedMessage> {
        use futures_util::StreamExt;

        let mut message = StreamedMessage::new();
        while let Some(chunk) = self.next().await {
            message.push(&chunk?);
        }
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn refused(request: ChatRequest) -> &'static str {
        crate::error::refused(request.into_body())
    }

    #[test]
    fn an_empty_model_or_no_messages_is_refused() {
        assert_eq!(refused(ChatRequest::new(" ").user("hi")), "model");
        assert_eq!(refused(ChatRequest::new("m")), "messages");
    }

    #[test]
    fn sampling_settings_out_of_the_spec_ranges_are_refused() {
        assert_eq!(refused(ChatRequest::new("m").user("hi").temperature(2.5)), "temperature");
        assert_eq!(refused(ChatRequest::new("m").user("hi").temperature(-0.1)), "temperature");
        assert_eq!(refused(ChatRequest::new("m").user("hi").temperature(f64::NAN)), "temperature");
        assert_eq!(refused(ChatRequest::new("m").user("hi").top_p(1.5)), "top_p");
        assert_eq!(refused(ChatRequest::new("m").user("hi").max_tokens(0)), "max_tokens");
        let mut request = ChatRequest::new("m").user("hi");
        request.body_mut().presence_penalty = Some(3.0);
        assert_eq!(refused(request), "presence_penalty");
    }

    #[test]
    fn function_parameters_must_be_an_object() {
        assert_eq!(refused(ChatRequest::new("m").user("hi").function("f", "d", json!([1]))), "tools");
    }

    #[test]
    fn messages_serialize_as_role_and_content() {
        let body = ChatRequest::new("m")
            .system("s")
            .developer("d")
            .user("u")
            .assistant("a")
            .tool_result("call_1", "42")
            .into_body()
            .unwrap();
        assert_eq!(
            serde_json::to_value(&body.messages).unwrap(),
            json!([
                {"role": "system", "content": "s"},
                {"role": "developer", "content": "d"},
                {"role": "user", "content": "u"},
                {"role": "assistant", "content": "a"},
                {"role": "tool", "content": "42", "tool_call_id": "call_1"},
            ])
        );
    }

    #[test]
    fn tool_choice_becomes_the_word_or_the_function_object() {
        let word = serde_json::to_value(ChatCompletionRequestToolChoice::from(ToolChoice::Required)).unwrap();
        let function =
            serde_json::to_value(ChatCompletionRequestToolChoice::from(ToolChoice::Function("f".into()))).unwrap();
        assert_eq!(word, json!("required"));
        assert_eq!(function, json!({"type": "function", "function": {"name": "f"}}));
    }

    #[test]
    fn a_chunk_with_nulls_and_unknown_fields_decodes() {
        let chunk: ChatChunk = serde_json::from_value(json!({
            "id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "system_fingerprint": null, "usage": null,
            "choices": [{"index": 0, "delta": {"content": null, "tool_calls": null, "extra": 1}, "finish_reason": null, "logprobs": null}],
        }))
        .unwrap();
        assert_eq!(chunk.choices.len(), 1);
        assert_eq!(chunk.content(), None);
    }

    #[test]
    fn a_streamed_message_continues_the_conversation_with_its_tool_calls() {
        let mut message = StreamedMessage::new();
        message.push(
            &serde_json::from_value(json!({"choices": [{"index": 0, "delta": {"tool_calls": [
                {"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"ci"}}
            ]}}]}))
            .unwrap(),
        );
        message.push(
            &serde_json::from_value(json!({"choices": [{"index": 0, "delta": {"tool_calls": [
                {"index": 0, "function": {"arguments": "ty\":\"Lisbon\"}"}}
            ]}, "finish_reason": "tool_calls"}]}))
            .unwrap(),
        );
        assert_eq!(
            serde_json::to_value(message.into_request_message()).unwrap(),
            json!({"role": "assistant", "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Lisbon\"}"}}
            ]})
        );
    }
}

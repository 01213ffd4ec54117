//! Typed tools and the loop that runs them: `client.chat().run_tools(request, &tools, limits)`.
//!
//! A [`Tool`] is a name, a description and an async handler whose argument type gives the
//! JSON Schema the model sees (made with `schemars`, as for [structured
//! outputs](crate::structured)). [`Chat::run_tools`] offers the tools, sends the request,
//! runs the tools the model asks for (all calls of one answer at once), adds their results to
//! the conversation and sends again, until the model answers without calling a tool or the
//! step limit is reached.
//!
//! What the model gets wrong goes back to it as the tool's result, never as a panic or an
//! error of the run: arguments that do not parse, a tool name that is not offered, a handler
//! that fails or panics. Each result is cut to [`RunLimits::max_result_bytes`].
//!
//! ```no_run
//! # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
//! use venice_api::chat::ChatRequest;
//! use venice_api::tools::{RunLimits, Tool};
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct City {
//!     /// The city's name.
//!     city: String,
//! }
//!
//! let weather = Tool::new("get_weather", "Current weather of a city", |args: City| async move {
//!     Ok::<_, String>(format!("18 °C and sunny in {}", args.city))
//! });
//! let request = ChatRequest::new("venice-uncensored").user("Weather in Lisbon?");
//! let run = client.chat().run_tools(request, &[weather], RunLimits::default()).await?;
//! println!("{}", run.text().unwrap_or_default());
//! # Ok(())
//! # }
//! ```

use std::fmt::Display;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::FutureExt;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use venice_api_gen::types::{self, CreateChatCompletionResponse, CreateChatCompletionResponseChoicesItemMessage};

use crate::chat::{Chat, ChatMessage, ChatRequest, StreamedMessage, reply_text};
use crate::error::Result;
use crate::response::Response;

/// What a tool's handler answers: the text the model gets, or what went wrong (which the
/// model gets too, as an error).
type ToolFuture = Pin<Box<dyn Future<Output = std::result::Result<String, String>> + Send>>;
type Handler = dyn Fn(Value) -> ToolFuture + Send + Sync;

/// A function the model may call: name, description, the JSON Schema of its arguments (from
/// their Rust type) and the async handler that runs it.
#[derive(Clone)]
pub struct Tool {
    name: String,
    description: String,
    parameters: serde_json::Map<String, Value>,
    handler: Arc<Handler>,
}

impl std::fmt::Debug for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tool").field("name", &self.name).field("description", &self.description).finish_non_exhaustive()
    }
}

impl Tool {
    /// A tool named `name` whose arguments are an `A`; `handler` runs it. What the handler
    /// answers is sent to the model: a string as it is, anything else as JSON; its error as
    /// `{"error": "…"}`.
    ///
    /// ```
    /// use venice_api::tools::Tool;
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Sum {
    ///     a: i64,
    ///     b: i64,
    /// }
    ///
    /// let add = Tool::new("add", "Adds two integers", |sum: Sum| async move {
    ///     sum.a.checked_add(sum.b).ok_or("the sum does not fit in 64 bits")
    /// });
    /// let offered = serde_json::to_value(add.definition()).unwrap();
    /// assert_eq!(offered["function"]["parameters"]["required"], serde_json::json!(["a", "b"]));
    /// ```
    pub fn new<A, F, Fut, O, E>(name: impl Into<String>, description: impl Into<String>, handler: F) -> Self
    where
        A: JsonSchema + DeserializeOwned + Send + 'static,
        F: Fn(A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<O, E>> + Send + 'static,
        O: Serialize,
        E: Display,
    {
        let handler = Arc::new(handler);
        let handler: Arc<Handler> = Arc::new(move |arguments: Value| {
            let handler = Arc::clone(&handler);
            Box::pin(async move {
                let arguments: A = serde_json::from_value(arguments)
                    .map_err(|error| format!("the arguments do not match the tool's schema: {error}"))?;
                match handler(arguments).await {
                    Ok(output) => Ok(match serde_json::to_value(output) {
                        Ok(Value::String(text)) => text,
                        Ok(value) => value.to_string(),
                        Err(error) => return Err(format!("the tool's result could not be written as JSON: {error}")),
                    }),
                    Err(error) => Err(error.to_string()),
                }
            }) as ToolFuture
        });
        Tool {
            name: name.into(),
            description: description.into(),
            parameters: crate::structured::strict_schema::<A>(),
            handler,
        }
    }

    /// The tool's name, as the model calls it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tool as a request offers it (a `function` tool), for [`ChatRequest::tool`] when
    /// running the calls by hand.
    pub fn definition(&self) -> types::ToolCall {
        types::ToolCall::Function {
            function: types::ToolCallFunction {
                description: Some(self.description.clone()),
                name: self.name.clone(),
                parameters: self.parameters.clone(),
                strict: None,
            },
            id: None,
            type_: Some("function".to_owned()),
        }
    }

    /// Runs the tool on `arguments` (the JSON text the model wrote): the result text, or
    /// the error the model is told. Never panics, whatever the text or the handler does.
    pub async fn call(&self, arguments: &str) -> std::result::Result<String, String> {
        // Some models send no arguments at all for a tool that takes none.
        let arguments = if arguments.trim().is_empty() { "{}" } else { arguments };
        let arguments: Value =
            serde_json::from_str(arguments).map_err(|error| format!("the arguments are not JSON: {error}"))?;
        match AssertUnwindSafe((self.handler)(arguments)).catch_unwind().await {
            Ok(outcome) => outcome,
            Err(_) => Err("the tool failed unexpectedly".to_owned()),
        }
    }
}

/// How far [`Chat::run_tools`] may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunLimits {
    /// The most requests sent (each answer with tool calls is one step). Default 8.
    pub max_steps: u32,
    /// The most bytes of one tool result (or error) sent back to the model; longer ones are
    /// cut at a character boundary. Default 16 KiB.
    pub max_result_bytes: usize,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits { max_steps: 8, max_result_bytes: 16 * 1024 }
    }
}

impl RunLimits {
    /// The default limits with at most `steps` requests.
    pub fn steps(steps: u32) -> Self {
        RunLimits { max_steps: steps, ..Self::default() }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// The model answered without calling a tool.
    Answered,
    /// The model still called tools after [`RunLimits::max_steps`] requests; the last
    /// completion holds the calls that were not run.
    StepLimit,
}

/// One tool call the run made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCallRecord {
    /// The step (1 for the first request) whose answer asked for the call.
    pub step: u32,
    /// The call's id.
    pub id: String,
    /// The tool the model named.
    pub name: String,
    /// The arguments, as the model wrote them.
    pub arguments: String,
    /// What the model was sent back: the result, or the error.
    pub result: std::result::Result<String, String>,
}

/// What [`Chat::run_tools`] ends with.
#[derive(Debug, Clone)]
pub struct ToolRun {
    /// The last completion: the answer, or (at the step limit) the unrun calls.
    pub completion: Response<CreateChatCompletionResponse>,
    /// The conversation as sent last, with the tools offered: add a user message to it to go
    /// on.
    pub request: ChatRequest,
    /// How many requests were sent.
    pub steps: u32,
    /// Every tool call made, in order.
    pub calls: Vec<ToolCallRecord>,
    /// Why the run stopped.
    pub end: RunEnd,
}

impl ToolRun {
    /// The text of the last answer (see [`reply_text`]).
    pub fn text(&self) -> Option<String> {
        reply_text(&self.completion)
    }
}

/// A call the model asked for.
struct RequestedCall {
    id: String,
    name: String,
    arguments: String,
}

impl Chat<'_> {
    /// Offers `tools` with `request`, then sends, runs the tools the model calls (the calls of
    /// one answer at once), adds the results to the conversation and sends again, until the
    /// model answers without a tool call ([`RunEnd::Answered`]) or `limits.max_steps`
    /// requests were sent ([`RunEnd::StepLimit`]). An error of a request ends the run with
    /// that error; what tools and their arguments get wrong goes back to the model.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::chat::ChatRequest;
    /// use venice_api::tools::{RunEnd, RunLimits, Tool};
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Query {
    ///     sql: String,
    /// }
    ///
    /// let count = Tool::new("count_rows", "Counts the rows a SELECT returns", |query: Query| async move {
    ///     Ok::<_, String>(query.sql.len())
    /// });
    /// let run = client.chat().run_tools(ChatRequest::new("qwen3-235b").user("How many users?"), &[count], RunLimits::steps(4)).await?;
    /// if run.end == RunEnd::StepLimit {
    ///     eprintln!("gave up after {} steps", run.steps);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn run_tools(&self, request: ChatRequest, tools: &[Tool], limits: RunLimits) -> Result<ToolRun> {
        let mut request = tools.iter().fold(request, |request, tool| request.tool(tool.definition()));
        let mut steps = 0;
        let mut calls = Vec::new();
        loop {
            let completion = self.create(request.clone()).await?;
            steps += 1;
            let Some(message) = completion.choices.first().map(|choice| &choice.message) else {
                return Ok(ToolRun { completion, request, steps, calls, end: RunEnd::Answered });
            };
            let requested = requested_calls(message);
            if requested.is_empty() {
                return Ok(ToolRun { completion, request, steps, calls, end: RunEnd::Answered });
            }
            if steps >= limits.max_steps {
                return Ok(ToolRun { completion, request, steps, calls, end: RunEnd::StepLimit });
            }
            request = request.message(as_request_message(message));
            request = run_requested(tools, requested, limits, steps, request, &mut calls).await;
        }
    }

    /// [`run_tools`](Self::run_tools) with streamed answers: `on_event` is told each piece of
    /// text and reasoning as it comes, and each tool call once it has run. The run ends with
    /// the last streamed message instead of a completion.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client, tools: Vec<venice_api::tools::Tool>) -> venice_api::Result<()> {
    /// use venice_api::chat::ChatRequest;
    /// use venice_api::tools::{RunEvent, RunLimits};
    ///
    /// let request = ChatRequest::new("venice-uncensored").user("Weather in Lisbon?");
    /// let run = client
    ///     .chat()
    ///     .run_tools_streamed(request, &tools, RunLimits::default(), |event| match event {
    ///         RunEvent::Text(text) => print!("{text}"),
    ///         RunEvent::ToolCall(call) => eprintln!("[{}({}) -> {:?}]", call.name, call.arguments, call.result),
    ///         _ => {}
    ///     })
    ///     .await?;
    /// println!("\n{} steps", run.steps);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn run_tools_streamed(
        &self,
        request: ChatRequest,
        tools: &[Tool],
        limits: RunLimits,
        mut on_event: impl FnMut(RunEvent<'_>) + Send,
    ) -> Result<StreamedRun> {
        use futures_util::StreamExt;

        let mut request = tools.iter().fold(request, |request, tool| request.tool(tool.definition()));
        let mut steps = 0;
        let mut calls = Vec::new();
        loop {
            let mut stream = self.create_stream(request.clone()).await?;
            let mut message = StreamedMessage::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk?;
                if let Some(choice) = chunk.choices.iter().find(|choice| choice.index == 0) {
                    if let Some(text) = choice.delta.reasoning_content.as_deref().filter(|t| !t.is_empty()) {
                        on_event(RunEvent::Reasoning(text));
                    }
                    if let Some(text) = choice.delta.content.as_deref().filter(|t| !t.is_empty()) {
                        on_event(RunEvent::Text(text));
                    }
                }
                message.push(&chunk);
            }
            steps += 1;
            let requested: Vec<RequestedCall> = message
                .tool_calls
                .iter()
                .map(|call| RequestedCall {
                    id: call.id.clone(),
                    name: call.name.clone(),
                    arguments: call.arguments.clone(),
                })
                .collect();
            if requested.is_empty() {
                return Ok(StreamedRun { message, request, steps, calls, end: RunEnd::Answered });
            }
            if steps >= limits.max_steps {
                return Ok(StreamedRun { message, request, steps, calls, end: RunEnd::StepLimit });
            }
            request = request.message(message.clone().into_request_message());
            let before = calls.len();
            request = run_requested(tools, requested, limits, steps, request, &mut calls).await;
            calls[before..].iter().for_each(|call| on_event(RunEvent::ToolCall(call)));
        }
    }
}

/// What [`Chat::run_tools_streamed`] tells as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunEvent<'a> {
    /// More text of the answer.
    Text(&'a str),
    /// More of the model's reasoning, for models that stream it apart.
    Reasoning(&'a str),
    /// A tool call that has run, with what the model was sent back.
    ToolCall(&'a ToolCallRecord),
}

/// What [`Chat::run_tools_streamed`] ends with.
#[derive(Debug, Clone)]
pub struct StreamedRun {
    /// The last streamed message: the answer, or (at the step limit) the unrun calls.
    pub message: StreamedMessage,
    /// The conversation as sent last, with the tools offered.
    pub request: ChatRequest,
    /// How many requests were sent.
    pub steps: u32,
    /// Every tool call made, in order.
    pub calls: Vec<ToolCallRecord>,
    /// Why the run stopped.
    pub end: RunEnd,
}

/// Runs the calls of one answer together, adds their results (bounded) to `request` in the
/// order of the calls, and records them.
async fn run_requested(
    tools: &[Tool],
    requested: Vec<RequestedCall>,
    limits: RunLimits,
    step: u32,
    mut request: ChatRequest,
    calls: &mut Vec<ToolCallRecord>,
) -> ChatRequest {
    let results = futures_util::future::join_all(requested.iter().map(|call| run_call(tools, call))).await;
    for (call, result) in requested.into_iter().zip(results) {
        let result = result
            .map(|text| bounded(text, limits.max_result_bytes))
            .map_err(|error| bounded(error, limits.max_result_bytes));
        let sent = match &result {
            Ok(text) => text.clone(),
            Err(error) => serde_json::json!({ "error": error }).to_string(),
        };
        request = request.tool_result(call.id.clone(), sent);
        calls.push(ToolCallRecord { step, id: call.id, name: call.name, arguments: call.arguments, result });
    }
    request
}

async fn run_call(tools: &[Tool], call: &RequestedCall) -> std::result::Result<String, String> {
    match tools.iter().find(|tool| tool.name == call.name) {
        Some(tool) => tool.call(&call.arguments).await,
        None => {
            let offered: Vec<&str> = tools.iter().map(Tool::name).collect();
            Err(format!("there is no tool named {:?}; the tools are {offered:?}", call.name))
        }
    }
}

/// The function calls of an answer, read leniently: arguments as a JSON text (or an object,
/// which some providers send), a missing id as empty.
fn requested_calls(message: &CreateChatCompletionResponseChoicesItemMessage) -> Vec<RequestedCall> {
    let CreateChatCompletionResponseChoicesItemMessage::Assistant { tool_calls: Some(calls), .. } = message else {
        return Vec::new();
    };
    calls
        .iter()
        .filter_map(|call| {
            let function = call.get("function")?;
            let arguments = match function.get("arguments") {
                Some(Value::String(text)) => text.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            Some(RequestedCall {
                id: call.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
                name: function.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
                arguments,
            })
        })
        .collect()
}

/// The answer as the assistant message of the next request, everything the server sent kept
/// (reasoning records and signatures included, which some models need back).
fn as_request_message(message: &CreateChatCompletionResponseChoicesItemMessage) -> ChatMessage {
    match message.clone() {
        CreateChatCompletionResponseChoicesItemMessage::Assistant {
            content,
            name,
            reasoning_content,
            reasoning_details,
            thought_signature,
            tool_calls,
        } => ChatMessage::Assistant {
            content,
            name,
            reasoning_content,
            reasoning_details,
            thought_signature,
            tool_calls,
        },
        // Only assistant answers carry tool calls, so nothing else reaches here.
        _ => ChatMessage::Assistant {
            content: None,
            name: None,
            reasoning_content: None,
            reasoning_details: Vec::new(),
            thought_signature: None,
            tool_calls: None,
        },
    }
}

/// `text` cut to at most `max` bytes at a character boundary, saying so.
fn bounded(mut text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    const MARK: &str = "…[cut]";
    let mut end = max.saturating_sub(MARK.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str(MARK);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, JsonSchema)]
    struct City {
        city: String,
    }

    fn weather() -> Tool {
        Tool::new("get_weather", "Weather of a city", |args: City| async move {
            if args.city.is_empty() { Err("no city") } else { Ok(format!("sunny in {}", args.city)) }
        })
    }

    #[tokio::test]
    async fn a_tool_reads_its_arguments_and_answers_text() {
        assert_eq!(weather().call(r#"{"city":"Lisbon"}"#).await, Ok("sunny in Lisbon".to_owned()));
    }

    #[tokio::test]
    async fn arguments_that_are_not_json_or_not_the_type_are_errors() {
        assert!(weather().call("{\"city\":").await.unwrap_err().contains("not JSON"));
        assert!(weather().call("{\"town\":\"Porto\"}").await.unwrap_err().contains("schema"));
    }

    #[tokio::test]
    async fn a_handler_error_or_panic_is_an_error_for_the_model() {
        assert_eq!(weather().call(r#"{"city":""}"#).await, Err("no city".to_owned()));
        let panicking = Tool::new("boom", "panics", |_: City| async move {
            if true {
                panic!("tool bug");
            }
            Ok::<u8, String>(0)
        });
        assert_eq!(panicking.call(r#"{"city":"x"}"#).await, Err("the tool failed unexpectedly".to_owned()));
    }

    #[test]
    fn a_tool_is_offered_as_a_function_with_the_schema_of_its_arguments() {
        let definition = serde_json::to_value(weather().definition()).unwrap();
        assert_eq!(definition["type"], "function");
        assert_eq!(definition["function"]["name"], "get_weather");
        assert_eq!(definition["function"]["parameters"]["required"], serde_json::json!(["city"]));
    }

    #[test]
    fn long_results_are_cut_at_a_character_boundary() {
        let text = bounded("é".repeat(100), 21);
        assert!(text.len() <= 21 && text.ends_with("[cut]"), "{text}");
        assert_eq!(bounded("short".to_owned(), 21), "short");
    }
}

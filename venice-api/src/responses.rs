//! The Responses API (alpha), plain and streamed: `client.responses()`.
//!
//! A [`ResponseRequest`] builds the generated request body and checks it before anything is
//! sent. [`Responses::create`] answers with the generated response; [`Responses::create_stream`]
//! answers with a [`ResponseStream`] of [`ResponseEvent`]s, which
//! [`collect_text`](EventStream::collect_text) reads into the output text.
//!
//! The published API description declares no streamed answer, so a [`ResponseEvent`] is
//! kept loose: its `type` (such as `response.output_text.delta`) and its JSON as sent.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use venice_api_gen::types::{self, ResponsesApiResponse, ResponsesApiResponseOutputItem};

use venice_api_gen::operations;

use crate::client::Client;
use crate::error::{ApiError, ApiErrorKind, Error, Result};
use crate::response::{self, Response};
use crate::stream::EventStream;

/// The hook id of the Responses API operation, for the transport's operation table.
const OPERATION_ID: &str = operations::CREATE_RESPONSE.id;

/// The Responses API (alpha), plain and streamed.
#[derive(Debug, Clone, Copy)]
pub struct Responses<'c> {
    client: &'c Client,
}

impl<'c> Responses<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// Runs the model over the input of `request` and returns the whole response.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::responses::{ResponseRequest, output_text};
    ///
    /// let response = client.responses().create(ResponseRequest::new("qwen3-235b", "Capital of Portugal?")).await?;
    /// println!("{}", output_text(&response));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(&self, request: ResponseRequest) -> Result<Response<ResponsesApiResponse>> {
        self.client.require_credentials("responses().create", &operations::CREATE_RESPONSE)?;
        let mut body = request.into_body()?;
        body.stream = None;
        response::decode(self.client.raw().create_response().body(body).send()).await
    }

    /// Runs the model over the input of `request` and streams the response as events while it
    /// is written: the same body with `"stream": true`.
    ///
    /// The stream ends after `[DONE]` or the end of the body; an `error` event ends it with an
    /// [`Error::Api`] of kind [`Stream`](crate::ApiErrorKind::Stream). The client's timeout
    /// bounds the silence between two reads, not the whole answer.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use futures_util::StreamExt;
    /// use venice_api::responses::ResponseRequest;
    ///
    /// let mut events = client.responses().create_stream(ResponseRequest::new("qwen3-235b", "Tell me a story.")).await?;
    /// while let Some(event) = events.next().await {
    ///     if let Some(text) = event?.text_delta() {
    ///         print!("{text}");
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_stream(&self, request: ResponseRequest) -> Result<ResponseStream> {
        self.client.require_credentials("responses().create_stream", &operations::CREATE_RESPONSE)?;
        let mut body = request.into_body()?;
        body.stream = Some(true);
        let answer = self
            .client
            .send_built(&operations::CREATE_RESPONSE, |request_builder| {
                request_builder.header(reqwest::header::ACCEPT, "text/event-stream").json(&body)
            })
            .await?;
        EventStream::from_event_response(answer, OPERATION_ID).await
    }
}

/// The text of a response's messages, joined in order (empty when it has none).
pub fn output_text(response: &ResponsesApiResponse) -> String {
    response
        .output
        .iter()
        .filter_map(|item| match item {
            ResponsesApiResponseOutputItem::Message { content, .. } => Some(content),
            _ => None,
        })
        .flatten()
        .map(|part| part.text.as_str())
        .collect()
}

/// A Responses API request: the generated body, built with checks.
///
/// ```
/// use venice_api::responses::ResponseRequest;
///
/// let request = ResponseRequest::new("qwen3-235b", "Weather in Lisbon?")
///     .function("get_weather", "Current weather of a city", serde_json::json!({"type": "object"}))
///     .temperature(0.2)
///     .max_output_tokens(300);
/// ```
#[derive(Debug, Clone)]
pub struct ResponseRequest {
    body: types::ResponsesRequest,
    /// The first argument refused by a setter, reported when the request is sent.
    refused: Option<(&'static str, String)>,
}

impl ResponseRequest {
    /// A request to `model` with a text input.
    pub fn new(model: impl Into<String>, input: impl Into<String>) -> Self {
        Self::with_input(model, types::ResponsesRequestInput::String(input.into()))
    }

    /// A request to `model` with an input of messages and items, as the generated type
    /// describes them.
    pub fn with_items(model: impl Into<String>, items: Vec<types::ResponsesRequestInputArrayItem>) -> Self {
        Self::with_input(model, types::ResponsesRequestInput::Array(items))
    }

    fn with_input(model: impl Into<String>, input: types::ResponsesRequestInput) -> Self {
        let body = types::builder::ResponsesRequest::default()
            .model(model.into())
            .input(input)
            .try_into()
            .expect("model and input are the only required fields, and both are set");
        Self { body, refused: None }
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

    /// The most tokens to generate (at least 1).
    pub fn max_output_tokens(mut self, max_tokens: u64) -> Self {
        match std::num::NonZeroU64::new(max_tokens) {
            Some(max) => self.body.max_output_tokens = Some(max),
            None => self.refuse("max_output_tokens", "must be at least 1".to_owned()),
        }
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
        self.tool(types::ToolDefinition::FunctionTool {
            function: types::FunctionToolFunction {
                description: Some(description.into()),
                name: name.into(),
                parameters,
                strict: None,
            },
            type_: types::FunctionToolType::Function,
        })
    }

    /// Offers the model a function whose arguments are an `A`, described by the JSON Schema of
    /// `A` (made for strict mode, as [`structured`](crate::structured) does for answers): no
    /// hand-written schema. Read the arguments back with `serde_json::from_str::<A>`.
    ///
    /// ```
    /// #[derive(schemars::JsonSchema, serde::Deserialize)]
    /// struct City {
    ///     /// The city's name.
    ///     name: String,
    /// }
    ///
    /// let request = venice_api::responses::ResponseRequest::new("venice-uncensored", "Weather in Lisbon?")
    ///     .function_of::<City>("get_weather", "Current weather of a city");
    /// ```
    pub fn function_of<A: schemars::JsonSchema>(self, name: impl Into<String>, description: impl Into<String>) -> Self {
        self.function(name, description, Value::Object(crate::structured::strict_schema::<A>()))
    }

    /// Offers the model a tool the generated type describes.
    pub fn tool(mut self, tool: types::ToolDefinition) -> Self {
        self.body.tools.push(tool);
        self
    }

    /// Reasoning settings, for models that reason.
    pub fn reasoning(mut self, reasoning: types::ReasoningConfiguration) -> Self {
        self.body.reasoning = Some(reasoning);
        self
    }

    /// Venice's own settings: web search, its system prompt, characters.
    pub fn venice_parameters(mut self, parameters: types::VeniceParameters) -> Self {
        self.body.venice_parameters = Some(parameters);
        self
    }

    /// The generated body, for the fields this builder has no setter for. It is checked like
    /// the rest when the request is sent.
    pub fn body_mut(&mut self) -> &mut types::ResponsesRequest {
        &mut self.body
    }

    fn refuse(&mut self, argument: &'static str, reason: String) {
        self.refused.get_or_insert((argument, reason));
    }

    fn into_body(self) -> Result<types::ResponsesRequest> {
        if let Some((argument, reason)) = self.refused {
            return Err(Error::invalid(argument, reason));
        }
        let mut body = self.body;
        body.model = body.model.trim().to_owned();
        if body.model.is_empty() {
            return Err(Error::invalid("model", "must not be empty"));
        }
        let empty_input = match &body.input {
            types::ResponsesRequestInput::String(text) => text.trim().is_empty(),
            types::ResponsesRequestInput::Array(items) => items.is_empty(),
        };
        if empty_input {
            return Err(Error::invalid("input", "must not be empty"));
        }
        for (argument, value, max) in [("temperature", body.temperature, 2.0), ("top_p", body.top_p, 1.0)] {
            if let Some(value) = value
                && !(value.is_finite() && (0.0..=max).contains(&value))
            {
                return Err(Error::invalid(argument, format!("{value} is not between 0 and {max}")));
            }
        }
        Ok(body)
    }
}

impl From<types::ResponsesRequest> for ResponseRequest {
    /// A request from a generated body, checked like any other when sent.
    fn from(body: types::ResponsesRequest) -> Self {
        Self { body, refused: None }
    }
}

/// The events of a streamed response.
pub type ResponseStream = EventStream<ResponseEvent>;

/// One event of a streamed response: its `type` and its JSON as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseEvent {
    /// The event's type, such as `response.created`, `response.output_text.delta` or
    /// `response.completed`; empty if the event had none.
    pub kind: String,
    /// The whole event as sent, `type` included.
    pub data: Value,
}

impl<'de> Deserialize<'de> for ResponseEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let data = Value::deserialize(deserializer)?;
        let kind = data.get("type").and_then(Value::as_str).unwrap_or_default().to_owned();
        Ok(ResponseEvent { kind, data })
    }
}

impl ResponseEvent {
    /// The text a `response.output_text.delta` event adds.
    pub fn text_delta(&self) -> Option<&str> {
        (self.kind == "response.output_text.delta").then(|| self.data.get("delta")?.as_str()).flatten()
    }

    /// The response an event carries whole (`response.created`, `response.completed`, …),
    /// decoded; `None` when it carries none, or one that does not decode.
    pub fn response(&self) -> Option<ResponsesApiResponse> {
        serde_json::from_value(self.data.get("response")?.clone()).ok()
    }
}

impl EventStream<ResponseEvent> {
    /// Reads the whole stream and returns the output text: the text deltas joined. An `error`
    /// or `response.failed` event ends the read with an [`Error::Api`] of kind
    /// [`Stream`](crate::ApiErrorKind::Stream).
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::responses::ResponseRequest;
    ///
    /// let events = client.responses().create_stream(ResponseRequest::new("qwen3-235b", "Hello!")).await?;
    /// println!("{}", events.collect_text().await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn collect_text(mut self) -> Result<String> {
        use futures_util::StreamExt;

        let mut text = String::new();
        while let Some(event) = self.next().await {
            let event = event?;
            if let Some(delta) = event.text_delta() {
                text.push_str(delta);
            }
            let failure = match event.kind.as_str() {
                "error" => Some(&event.data),
                "response.failed" => Some(event.data.get("response").unwrap_or(&event.data)),
                _ => None,
            };
            if let Some(body) = failure {
                return Err(self.stream_error(body));
            }
        }
        Ok(text)
    }

    /// The error a failure event reports, with the answer's request id and rate limits.
    fn stream_error(&self, body: &Value) -> Error {
        let body = serde_json::to_vec(body).unwrap_or_default();
        let mut error = ApiError::from_answer(200, &reqwest::header::HeaderMap::new(), &body, Some(OPERATION_ID));
        error.kind = ApiErrorKind::Stream;
        error.request_id = self.request_id().map(str::to_owned);
        error.rate_limits = *self.rate_limits();
        Error::Api(Box::new(error))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn refused(request: ResponseRequest) -> &'static str {
        crate::error::refused(request.into_body())
    }

    #[test]
    fn a_typed_function_is_offered_with_the_strict_schema_of_its_arguments() {
        #[derive(schemars::JsonSchema)]
        #[allow(dead_code, reason = "only its schema is used")]
        struct City {
            name: String,
            days: Option<u8>,
        }
        let request = ResponseRequest::new("m", "hi").function_of::<City>("get_weather", "Weather of a city");
        let sent = serde_json::to_value(&request.body).unwrap();
        let parameters = &sent["tools"][0]["function"]["parameters"];
        assert_eq!(sent["tools"][0]["function"]["name"], "get_weather");
        assert_eq!(parameters["additionalProperties"], false);
        assert_eq!(parameters["required"], serde_json::json!(["days", "name"]), "every property required, options too");
    }

    #[test]
    fn empty_or_out_of_range_arguments_are_refused() {
        assert_eq!(refused(ResponseRequest::new("", "hi")), "model");
        assert_eq!(refused(ResponseRequest::new("m", " ")), "input");
        assert_eq!(refused(ResponseRequest::with_items("m", Vec::new())), "input");
        assert_eq!(refused(ResponseRequest::new("m", "hi").temperature(3.0)), "temperature");
        assert_eq!(refused(ResponseRequest::new("m", "hi").top_p(f64::INFINITY)), "top_p");
        assert_eq!(refused(ResponseRequest::new("m", "hi").max_output_tokens(0)), "max_output_tokens");
        assert_eq!(refused(ResponseRequest::new("m", "hi").function("f", "d", json!("x"))), "tools");
    }

    #[test]
    fn an_event_keeps_its_type_and_json() {
        let event: ResponseEvent =
            serde_json::from_value(json!({"type": "response.output_text.delta", "delta": "Hi", "item_id": "m1"}))
                .unwrap();
        assert_eq!(event.kind, "response.output_text.delta");
        assert_eq!(event.text_delta(), Some("Hi"));
        assert_eq!(event.data["item_id"], "m1");
        let other: ResponseEvent = serde_json::from_value(json!({"sequence_number": 3})).unwrap();
        assert_eq!((other.kind.as_str(), other.text_delta()), ("", None));
    }
}

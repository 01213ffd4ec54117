//! Structured outputs from Rust types: ask for JSON that follows the schema of a type, and
//! read the answer back as that type.
//!
//! [`ChatRequest::output`] sets `response_format` to a strict JSON schema made by
//! [`schemars`] from `T`; [`ParseOutput::parse`] (on a completion, and on a Responses API
//! response) and [`StreamedMessage::parse`] read the answer's text as `T`, or fail with an
//! [`OutputError`] that keeps the raw text.
//!
//! ```no_run
//! # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
//! use venice_api::chat::ChatRequest;
//! use venice_api::structured::ParseOutput;
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct City {
//!     name: String,
//!     country: String,
//!     population: Option<u64>,
//! }
//!
//! let request = ChatRequest::new("venice-uncensored").user("The capital of Portugal?").output::<City>();
//! let city: City = client.chat().create(request).await?.parse()?;
//! println!("{} ({})", city.name, city.country);
//! # Ok(())
//! # }
//! ```
//!
//! # What strict mode accepts, and what this module does about it
//!
//! Strict structured outputs accept a subset of JSON Schema. [`strict_schema`] rewrites what
//! `schemars` makes so that it fits:
//!
//! - every object gets `additionalProperties: false` and lists all its properties in
//!   `required`; an `Option<_>` field stays nullable (`"type": ["string", "null"]`), so the
//!   model writes `null` for it rather than leaving it out;
//! - a field that may be left out without being an `Option` (`#[serde(default)]`) becomes
//!   required: the model always writes it;
//! - `oneOf` (how `schemars` writes enums with data) becomes `anyOf`; `default` values are
//!   dropped, as are `$schema` and `title` at the root;
//! - named subschemas are inlined; recursive types keep their `$ref`s into `$defs`.
//!
//! Not supported, and refused by [`ChatRequest::output`] or left for the server to refuse:
//! a root that is not an object (wrap a `Vec` or an enum in a struct), and maps
//! (`HashMap<String, _>`, `#[serde(flatten)]` of one), whose keys strict mode cannot list.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

#[cfg(feature = "chat")]
use crate::chat::{ChatRequest, StreamedMessage};

/// The most bytes of raw text an [`OutputError`] shows in its message (it keeps all of it).
const SHOWN_TEXT: usize = 200;

/// An answer that could not be read as the type asked for.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The answer has no text at all (only tool calls, say, or a refusal to answer).
    #[error("the answer has no text to read as JSON (finish reason {finish_reason:?})")]
    NoText {
        /// Why generation stopped, as the answer said.
        finish_reason: Option<String>,
    },
    /// The answer's text is not JSON of the type asked for.
    #[error("the answer is not the JSON asked for ({source}; finish reason {finish_reason:?}): {}", shown(raw))]
    Invalid {
        /// The answer's text, whole, as the model wrote it.
        raw: String,
        /// Why generation stopped (`length` when the answer was cut off).
        finish_reason: Option<String>,
        /// What the JSON reader found wrong.
        #[source]
        source: serde_json::Error,
    },
}

impl OutputError {
    /// The text the model wrote, when it wrote any.
    pub fn raw_text(&self) -> Option<&str> {
        match self {
            OutputError::Invalid { raw, .. } => Some(raw),
            OutputError::NoText { .. } => None,
        }
    }
}

fn shown(raw: &str) -> String {
    let mut end = raw.len().min(SHOWN_TEXT);
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    if end < raw.len() { format!("{:?}…", &raw[..end]) } else { format!("{raw:?}") }
}

/// Reads the text of an answer as a `T`.
pub trait ParseOutput {
    /// The answer's text read as JSON of type `T` (the type given to
    /// [`ChatRequest::output`]). Surrounding whitespace, a Markdown code fence and a leading
    /// `<think>` block are tolerated.
    fn parse<T: DeserializeOwned>(&self) -> Result<T, OutputError>;
}

/// Reads `text` as a `T`, tolerating what models put around JSON.
pub fn parse_text<T: DeserializeOwned>(text: Option<&str>, finish_reason: Option<String>) -> Result<T, OutputError> {
    let Some(raw) = text.filter(|text| !text.trim().is_empty()) else {
        return Err(OutputError::NoText { finish_reason });
    };
    serde_json::from_str(json_part(raw)).map_err(|source| OutputError::Invalid {
        raw: raw.to_owned(),
        finish_reason,
        source,
    })
}

/// The JSON inside `text`: without a leading `<think>…</think>` block, a Markdown code fence
/// or surrounding whitespace.
fn json_part(text: &str) -> &str {
    let mut text = text.trim();
    if let Some(rest) = text.strip_prefix("<think>")
        && let Some(end) = rest.find("</think>")
    {
        text = rest[end + "</think>".len()..].trim();
    }
    if let Some(rest) = text.strip_prefix("```")
        && let Some(body) = rest.strip_suffix("```")
    {
        // The fence's info string (`json`) runs to the end of its first line.
        let body = body.split_once('\n').map_or("", |(_, body)| body);
        return body.trim();
    }
    text
}

#[cfg(feature = "chat")]
impl ParseOutput for venice_api_gen::types::CreateChatCompletionResponse {
    fn parse<T: DeserializeOwned>(&self) -> Result<T, OutputError> {
        let finish_reason = self.choices.first().map(|choice| choice.finish_reason.to_string());
        parse_text(crate::chat::reply_text(self).as_deref(), finish_reason)
    }
}

#[cfg(feature = "responses")]
impl ParseOutput for venice_api_gen::types::ResponsesApiResponse {
    /// The response's output text read as a `T`. (The Responses API as published has no
    /// setting for the output's schema: describe it in the instructions.)
    fn parse<T: DeserializeOwned>(&self) -> Result<T, OutputError> {
        parse_text(Some(&crate::responses::output_text(self)), None)
    }
}

#[cfg(feature = "chat")]
impl StreamedMessage {
    /// The streamed answer's text read as JSON of type `T`; call it once the stream has
    /// ended (a text cut off partway fails with [`OutputError::Invalid`]).
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::chat::ChatRequest;
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Verdict {
    ///     spam: bool,
    ///     reason: String,
    /// }
    ///
    /// let request = ChatRequest::new("venice-uncensored").user("Is 'WIN A PRIZE NOW' spam?").output::<Verdict>();
    /// let verdict: Verdict = client.chat().create_stream(request).await?.collect_message().await?.parse()?;
    /// println!("{} because {}", verdict.spam, verdict.reason);
    /// # Ok(())
    /// # }
    /// ```
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, OutputError> {
        parse_text(Some(&self.content), self.finish_reason.clone())
    }
}

#[cfg(feature = "chat")]
impl ChatRequest {
    /// Asks for an answer in JSON of type `T`: `response_format` of type `json_schema`,
    /// strict, with the schema of `T` made by `schemars` and rewritten for strict mode
    /// ([`strict_schema`]; the module documentation says what is supported). Read the answer
    /// with [`ParseOutput::parse`] or [`StreamedMessage::parse`].
    ///
    /// A `T` whose schema is not an object is refused when the request is sent.
    ///
    /// ```
    /// use venice_api::chat::ChatRequest;
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Forecast {
    ///     city: String,
    ///     celsius: f64,
    /// }
    ///
    /// let request = ChatRequest::new("venice-uncensored").user("Weather in Lisbon?").output::<Forecast>();
    /// ```
    pub fn output<T: JsonSchema>(mut self) -> Self {
        let schema = strict_schema::<T>();
        if schema.get("type").and_then(Value::as_str) != Some("object") {
            self.refuse(
                "response_format",
                format!("the schema of `{}` is not an object; wrap it in a struct", T::schema_name()),
            );
        }
        let mut spec = Map::new();
        spec.insert("name".to_owned(), Value::String(schema_name::<T>()));
        spec.insert("strict".to_owned(), Value::Bool(true));
        spec.insert("schema".to_owned(), Value::Object(schema));
        self.response_format(venice_api_gen::types::ChatCompletionRequestResponseFormat::JsonSchema(spec))
    }
}

/// The name of `T`'s schema as a response format or tool accepts it: letters, digits, `_`
/// and `-`, at most 64 characters.
pub(crate) fn schema_name<T: JsonSchema>() -> String {
    let name: String = sanitized_name(&T::schema_name());
    if name.is_empty() { "output".to_owned() } else { name }
}

fn sanitized_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).take(64).collect()
}

/// The JSON Schema of `T` as strict mode accepts it: made by `schemars` (draft 2020-12,
/// subschemas inlined, the schema of what deserializes) and rewritten as the module
/// documentation lists.
///
/// ```
/// #[derive(schemars::JsonSchema)]
/// #[allow(dead_code)]
/// struct Forecast {
///     city: String,
///     rain: Option<bool>,
/// }
///
/// let schema = venice_api::structured::strict_schema::<Forecast>();
/// assert_eq!(schema["additionalProperties"], false);
/// assert_eq!(schema["required"], serde_json::json!(["city", "rain"]));
/// assert_eq!(schema["properties"]["rain"]["type"], serde_json::json!(["boolean", "null"]));
/// ```
pub fn strict_schema<T: JsonSchema>() -> Map<String, Value> {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|settings| {
            settings.inline_subschemas = true;
            settings.meta_schema = None;
        })
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    if let Value::Object(root) = &mut schema {
        root.remove("title");
        root.remove("$schema");
    }
    make_strict(&mut schema);
    match schema {
        Value::Object(map) => map,
        // `true` or `false`: a type that accepts anything (or nothing) has no object schema.
        _ => Map::new(),
    }
}

/// Rewrites one schema, and those inside it, for strict mode.
fn make_strict(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    map.remove("default");
    if !map.contains_key("anyOf")
        && let Some(one_of) = map.remove("oneOf")
    {
        map.insert("anyOf".to_owned(), one_of);
    }
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for property in properties.values_mut() {
            make_strict(property);
        }
        let names = properties.keys().cloned().map(Value::String).collect();
        map.insert("required".to_owned(), Value::Array(names));
    }
    let is_object = map.contains_key("properties") || map.get("type").and_then(Value::as_str) == Some("object");
    if is_object && !matches!(map.get("additionalProperties"), Some(Value::Object(_))) {
        map.insert("additionalProperties".to_owned(), Value::Bool(false));
    }
    for key in ["items", "additionalProperties", "not", "contains"] {
        if let Some(inner) = map.get_mut(key) {
            make_strict(inner);
        }
    }
    for key in ["anyOf", "allOf", "prefixItems"] {
        if let Some(Value::Array(inner)) = map.get_mut(key) {
            inner.iter_mut().for_each(make_strict);
        }
    }
    for key in ["$defs", "definitions"] {
        if let Some(Value::Object(inner)) = map.get_mut(key) {
            inner.values_mut().for_each(make_strict);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize, JsonSchema, PartialEq)]
    struct Weather {
        city: String,
        celsius: f64,
        rain: Option<bool>,
        #[serde(default)]
        notes: Vec<String>,
        wind: Wind,
        sky: Sky,
    }

    #[derive(Debug, Deserialize, JsonSchema, PartialEq)]
    struct Wind {
        speed: u32,
    }

    #[derive(Debug, Deserialize, JsonSchema, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Sky {
        Clear,
        Cloudy { cover: u8 },
    }

    #[test]
    fn every_property_is_required_and_no_other_is_allowed() {
        let schema = Value::Object(strict_schema::<Weather>());
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["required"], json!(["celsius", "city", "notes", "rain", "sky", "wind"]));
        assert_eq!(schema["properties"]["wind"]["additionalProperties"], false);
        assert_eq!(schema["properties"]["wind"]["required"], json!(["speed"]));
    }

    #[test]
    fn an_option_stays_nullable() {
        let schema = Value::Object(strict_schema::<Weather>());
        assert_eq!(schema["properties"]["rain"]["type"], json!(["boolean", "null"]));
    }

    #[test]
    fn enums_with_data_become_any_of_strict_objects() {
        let schema = Value::Object(strict_schema::<Weather>());
        let sky = &schema["properties"]["sky"];
        assert!(sky.get("oneOf").is_none(), "{sky}");
        let variants = sky["anyOf"].as_array().unwrap();
        assert!(variants.iter().all(|v| v.get("type") != Some(&json!("object")) || v["additionalProperties"] == false));
    }

    #[test]
    fn no_title_schema_or_default_is_sent() {
        let schema = strict_schema::<Weather>();
        let text = Value::Object(schema.clone()).to_string();
        assert!(!schema.contains_key("title") && !schema.contains_key("$schema"));
        assert!(!text.contains("\"default\""), "{text}");
    }

    #[test]
    fn output_sets_a_strict_json_schema_named_after_the_type() {
        let request = ChatRequest::new("m").user("hi").output::<Weather>();
        let body = serde_json::to_value(request.into_streamed_body().unwrap()).unwrap();
        let format = &body["response_format"];
        assert_eq!(format["type"], "json_schema");
        assert_eq!(format["json_schema"]["name"], "Weather");
        assert_eq!(format["json_schema"]["strict"], true);
        assert_eq!(format["json_schema"]["schema"]["additionalProperties"], false);
    }

    #[test]
    fn a_type_that_is_not_an_object_is_refused() {
        let request = ChatRequest::new("m").user("hi").output::<Vec<String>>();
        assert_eq!(crate::error::refused(request.into_streamed_body()), "response_format");
    }

    #[test]
    fn json_in_a_code_fence_or_after_thinking_is_read() {
        let wind = |text: &str| parse_text::<Wind>(Some(text), None).unwrap();
        assert_eq!(wind(" {\"speed\": 3}\n"), Wind { speed: 3 });
        assert_eq!(wind("```json\n{\"speed\": 4}\n```"), Wind { speed: 4 });
        assert_eq!(wind("<think>hmm</think>\n{\"speed\": 5}"), Wind { speed: 5 });
    }

    #[test]
    fn text_that_is_not_the_type_fails_keeping_the_raw_text() {
        let error = parse_text::<Wind>(Some("{\"speed\": \"fast\"}"), Some("stop".into())).unwrap_err();
        assert_eq!(error.raw_text(), Some("{\"speed\": \"fast\"}"));
        assert!(matches!(error, OutputError::Invalid { .. }));
    }

    #[test]
    fn no_text_is_its_own_error() {
        let error = parse_text::<Wind>(None, Some("tool_calls".into())).unwrap_err();
        assert!(matches!(error, OutputError::NoText { finish_reason: Some(ref r) } if r == "tool_calls"));
        assert_eq!(error.raw_text(), None);
    }

    #[test]
    fn the_error_message_shows_a_bounded_excerpt() {
        let long = "x".repeat(10_000);
        let message = parse_text::<Wind>(Some(&long), None).unwrap_err().to_string();
        assert!(message.len() < 600, "{}", message.len());
    }
}

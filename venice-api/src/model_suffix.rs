//! Model feature suffixes: Venice settings carried on the model id, for clients that cannot
//! send `venice_parameters` (`qwen3-4b:disable_thinking=true`,
//! `default:enable_web_search=on&enable_web_citations=true`).
//!
//! A [`ModelId`] builds and parses them. The parameter names and values are checked against
//! the generated `venice_parameters` type itself: a name it does not have, or a value it does
//! not read (`enable_web_search=maybe`), is refused.
//!
//! ```
//! use venice_api::model_suffix::ModelId;
//! use venice_api::venice_parameters::{VeniceParameters, WebSearch};
//!
//! let model = ModelId::new("default").with(VeniceParameters::new().web_search(WebSearch::On).web_citations(true))?;
//! assert_eq!(model.to_string(), "default:enable_web_citations=true&enable_web_search=on");
//!
//! let parsed: ModelId = "qwen3-4b:disable_thinking=true".parse()?;
//! assert_eq!(parsed.model(), "qwen3-4b");
//! assert_eq!(parsed.venice_parameters()?.disable_thinking, Some(true));
//! # Ok::<(), venice_api::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};
use venice_api_gen::types::ChatCompletionRequestVeniceParameters;

use crate::error::{Error, Result};
use crate::venice_parameters::VeniceParameters;

/// What the error of a refused model id names.
const ARGUMENT: &str = "model";

/// A model id with its feature suffix: the model and the `name=value` settings after `:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelId {
    model: String,
    parameters: Vec<(String, String)>,
}

impl ModelId {
    /// `model` with no suffix yet. Checked (not empty, no `:`, `&`, `=` or whitespace) when a
    /// setting is added or by [`ModelId::check`].
    pub fn new(model: impl Into<String>) -> Self {
        ModelId { model: model.into(), parameters: Vec::new() }
    }

    /// The model, without its suffix.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The settings of the suffix, in order, as `(name, value)` texts.
    pub fn parameters(&self) -> &[(String, String)] {
        &self.parameters
    }

    /// Adds the setting `name=value`, refused when `venice_parameters` has no such setting
    /// or does not accept the value, or when the setting is already there.
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Result<Self> {
        let (name, value) = (name.into(), value.into());
        self.check()?;
        check_setting(&name, &value)?;
        if self.parameters.iter().any(|(known, _)| *known == name) {
            return Err(Error::invalid(ARGUMENT, format!("the setting `{name}` is given twice")));
        }
        self.parameters.push((name, value));
        Ok(self)
    }

    /// Adds every setting `parameters` sets.
    pub fn with(mut self, parameters: impl Into<ChatCompletionRequestVeniceParameters>) -> Result<Self> {
        let Ok(Value::Object(settings)) = serde_json::to_value(parameters.into()) else {
            return Ok(self);
        };
        for (name, value) in settings {
            let value = match value {
                Value::String(text) => text,
                other => other.to_string(),
            };
            self = self.parameter(name, value)?;
        }
        Ok(self)
    }

    /// Checks the model part: not empty, and without the characters that delimit a suffix.
    pub fn check(&self) -> Result<()> {
        if self.model.is_empty() {
            return Err(Error::invalid(ARGUMENT, "the model id must not be empty"));
        }
        if let Some(bad) = self.model.chars().find(|c| matches!(c, ':' | '&' | '=') || c.is_whitespace()) {
            return Err(Error::invalid(ARGUMENT, format!("the model id must not contain {bad:?}")));
        }
        Ok(())
    }

    /// The settings of the suffix as the generated `venice_parameters`.
    pub fn venice_parameters(&self) -> Result<ChatCompletionRequestVeniceParameters> {
        let settings = self
            .parameters
            .iter()
            .map(|(name, value)| Ok((name.clone(), setting_json(name, value)?)))
            .collect::<Result<Map<String, Value>>>()?;
        serde_json::from_value(Value::Object(settings)).map_err(|error| {
            Error::invalid(ARGUMENT, format!("the suffix does not read as venice_parameters: {error}"))
        })
    }

    /// The settings of the suffix as a [`VeniceParameters`] builder.
    pub fn to_builder(&self) -> Result<VeniceParameters> {
        self.venice_parameters().map(VeniceParameters::from)
    }
}

/// Checks one setting against the generated type: it must read the value, and keep the name
/// (serde drops names a type does not have).
fn check_setting(name: &str, value: &str) -> Result<()> {
    if name.is_empty() || value.is_empty() {
        return Err(Error::invalid(ARGUMENT, format!("the setting `{name}={value}` needs a name and a value")));
    }
    if let Some(bad) = format!("{name}{value}").chars().find(|c| matches!(c, ':' | '&' | '=') || c.is_whitespace()) {
        return Err(Error::invalid(ARGUMENT, format!("the setting `{name}` must not contain {bad:?}")));
    }
    setting_json(name, value).map(|_| ())
}

/// The JSON value of one setting as the generated type reads it: `true` and `false` as
/// booleans, anything else (an enum word, a slug) as text; a text that looks boolean may
/// still be meant as text (a character named `true`).
fn setting_json(name: &str, value: &str) -> Result<Value> {
    let reads = |json: &Value| {
        let one = Value::Object(Map::from_iter([(name.to_owned(), json.clone())]));
        serde_json::from_value::<ChatCompletionRequestVeniceParameters>(one).ok()
    };
    let typed = match value {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        text => Value::String(text.to_owned()),
    };
    let text = Value::String(value.to_owned());
    let Some((json, parsed)) = [typed, text].into_iter().find_map(|json| reads(&json).map(|parsed| (json, parsed)))
    else {
        return Err(Error::invalid(ARGUMENT, format!("`{value}` is not a value of the setting `{name}`")));
    };
    match serde_json::to_value(parsed) {
        Ok(Value::Object(kept)) if kept.contains_key(name) => Ok(json),
        _ => Err(Error::invalid(ARGUMENT, format!("`{name}` is not a Venice parameter"))),
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.model)?;
        for (at, (name, value)) in self.parameters.iter().enumerate() {
            f.write_str(if at == 0 { ":" } else { "&" })?;
            write!(f, "{name}={value}")?;
        }
        Ok(())
    }
}

impl FromStr for ModelId {
    type Err = Error;

    /// Reads `model` or `model:name=value&name=value…`, each setting checked.
    fn from_str(text: &str) -> Result<Self> {
        let Some((model, suffix)) = text.split_once(':') else {
            let id = ModelId::new(text);
            id.check()?;
            return Ok(id);
        };
        let mut id = ModelId::new(model);
        id.check()?;
        for setting in suffix.split('&') {
            let Some((name, value)) = setting.split_once('=') else {
                return Err(Error::invalid(ARGUMENT, format!("the setting `{setting}` is not `name=value`")));
            };
            id = id.parameter(name, value)?;
        }
        Ok(id)
    }
}

impl From<ModelId> for String {
    fn from(id: ModelId) -> Self {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venice_parameters::WebSearch;

    fn refusal(result: Result<ModelId>) -> String {
        match result {
            Err(Error::InvalidArgument { argument: "model", reason }) => reason,
            other => panic!("expected a refused model id, got {other:?}"),
        }
    }

    #[test]
    fn the_documented_examples_parse_and_print_back() {
        for text in [
            "default:enable_web_search=on&enable_web_citations=true",
            "qwen3-4b:disable_thinking=true",
            "default:character_slug=alan-watts",
            "venice-uncensored",
        ] {
            assert_eq!(text.parse::<ModelId>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn a_suffix_reads_as_typed_venice_parameters() {
        let id: ModelId = "default:enable_web_search=on&character_slug=alan-watts".parse().unwrap();
        let parameters = id.venice_parameters().unwrap();
        assert_eq!(parameters.enable_web_search, Some(WebSearch::On));
        assert_eq!(parameters.character_slug.as_deref(), Some("alan-watts"));
    }

    #[test]
    fn the_builder_writes_only_what_was_set() {
        let id = ModelId::new("qwen3-4b").with(VeniceParameters::new().disable_thinking(true)).unwrap();
        assert_eq!(id.to_string(), "qwen3-4b:disable_thinking=true");
    }

    #[test]
    fn an_unknown_setting_or_value_is_refused() {
        assert!(refusal("m:enable_web_serch=on".parse()).contains("not a Venice parameter"));
        assert!(refusal("m:enable_web_search=maybe".parse()).contains("not a value"));
        assert!(refusal("m:disable_thinking=yes".parse()).contains("not a value"));
    }

    #[test]
    fn malformed_suffixes_are_refused() {
        assert!(refusal("m:disable_thinking".parse()).contains("name=value"));
        assert!(refusal("m:=true".parse()).contains("needs a name"));
        assert!(refusal(":disable_thinking=true".parse()).contains("empty"));
        assert!(refusal("m:disable_thinking=true&disable_thinking=false".parse()).contains("twice"));
        assert!(refusal("m:character_slug=a:b".parse()).contains("':'"));
        assert!(refusal(ModelId::new("my model").parameter("disable_thinking", "true")).contains("' '"));
    }

    #[test]
    fn a_slug_that_looks_boolean_is_still_a_slug() {
        let id: ModelId = "default:character_slug=true".parse().unwrap();
        assert_eq!(id.venice_parameters().unwrap().character_slug.as_deref(), Some("true"));
    }
}

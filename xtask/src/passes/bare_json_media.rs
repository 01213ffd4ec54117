//! Gives a JSON media type with no schema the "any JSON value" schema.
//!
//! Quirk: a response or request body written as `application/json: {}` makes progenitor
//! stop with `todo!("media type encoding, no schema")` (responses) or refuse the body. An
//! empty schema says what the spec means, any JSON, and becomes `serde_json::Value`.

use serde_json::{Value, json};

use super::{Changes, is_json_media_type};
use crate::walk::{Spot, for_each_operation};

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_operation(spec, |key, operation| {
        let owner = Spot::new(format!("operation {}", key.label()));
        if let Some(content) = operation.get_mut("requestBody").and_then(|b| b.get_mut("content")) {
            fill(content, &owner.child("request body"), changes);
        }
        if let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) {
            for (status, response) in responses.iter_mut() {
                if let Some(content) = response.get_mut("content") {
                    fill(content, &owner.child(format!("response {status}")), changes);
                }
            }
        }
    });
}

fn fill(content: &mut Value, spot: &Spot, changes: &mut Changes) {
    let Some(media) = content.as_object_mut() else { return };
    for (media_type, entry) in media.iter_mut() {
        if !is_json_media_type(media_type) {
            continue;
        }
        if entry.is_null() {
            *entry = json!({});
        }
        if let Some(entry) = entry.as_object_mut().filter(|e| !e.contains_key("schema")) {
            entry.insert("schema".into(), json!({}));
            changes.edit(spot, format!("{media_type} had no schema: any JSON value"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn json_without_schema_gets_the_any_schema() {
        let changes = check(
            run,
            "paths:\n  /rpc:\n    post:\n      operationId: rpc\n      responses:\n        '200': {description: ok, content: {application/json: {}}}\n        '204': {description: none}\n",
            "paths:\n  /rpc:\n    post:\n      operationId: rpc\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {}}}}\n        '204': {description: none}\n",
        );
        assert_eq!(lines(&changes), ["operation rpc › response 200: application/json had no schema: any JSON value"]);
    }
}

//! Gives each operation one error body type.
//!
//! Quirk: progenitor asserts that all error responses of an operation share one type, and
//! most Venice operations break that: `400` answers `DetailedError`, `402` an x402 payment
//! request, `401`/`500` a `StandardError`, and some statuses have no body at all. Here:
//! - several distinct JSON error bodies become one schema `<Operation>Error`, a `oneOf`
//!   (an untagged Rust enum) of the shapes, the ones with more required fields first so
//!   that decoding picks the most specific shape that fits;
//! - a single inline error body is named `<Operation>Error` too, so it cannot clash with
//!   the success type progenitor names `<Operation>Response`;
//! - error statuses without a JSON body, next to ones with, are removed from the spec:
//!   the generated client then returns them as an unexpected response, status and body
//!   intact, instead of failing to decode them.

use serde_json::{Value, json};

use super::{Changes, Hoister, is_json_media_type, is_success_status, pascal};
use crate::walk::{Spot, for_each_operation};

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    let components = spec.pointer("/components/schemas").cloned().unwrap_or_default();
    let mut hoister = Hoister::new(spec);
    for_each_operation(spec, |key, operation| {
        let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { return };
        let spot = Spot::new(format!("operation {}", key.label()));
        let mut shapes: Vec<Value> = Vec::new();
        let mut json_statuses = Vec::new();
        let mut bodiless = Vec::new();
        for (status, response) in responses.iter() {
            if is_success_status(status) || status == "default" {
                continue;
            }
            let json = response
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.iter().find(|(m, _)| is_json_media_type(m)).map(|(_, media)| media));
            match json {
                Some(media) => {
                    let schema = media.get("schema").cloned().unwrap_or_default();
                    if !shapes.contains(&schema) {
                        shapes.push(schema);
                    }
                    json_statuses.push(status.clone());
                }
                None => bodiless.push(status.clone()),
            }
        }
        if shapes.is_empty() {
            return;
        }
        if !bodiless.is_empty() {
            responses.retain(|status, _| !bodiless.contains(status));
            changes.edit(
                &spot,
                format!("error {} without JSON body removed: returned as unexpected responses", bodiless.join(", ")),
            );
        }
        let name = format!("{}Error", pascal(&key.label()));
        let unified = match shapes.len() {
            1 if shapes[0].get("$ref").is_some() => return,
            1 => {
                changes.edit(&spot, format!("inline error body named {name}"));
                hoister.hoist(&name, shapes.remove(0))
            }
            n => {
                shapes.sort_by_key(|s| std::cmp::Reverse(required_count(s, &components)));
                let members: Vec<String> = shapes.iter().map(shape_name).collect();
                changes.edit(&spot, format!("{n} error bodies united as {name}: {}", members.join(" | ")));
                hoister.hoist(&name, json!({ "oneOf": shapes }))
            }
        };
        for status in &json_statuses {
            responses[status]["content"] = json!({ "application/json": { "schema": unified.clone() } });
        }
    });
    hoister.finish(spec);
}

fn required_count(schema: &Value, components: &Value) -> usize {
    let resolved = match schema.get("$ref").and_then(Value::as_str) {
        Some(target) => target.strip_prefix("#/components/schemas/").and_then(|n| components.get(n)).unwrap_or(schema),
        None => schema,
    };
    resolved.get("required").and_then(Value::as_array).map_or(0, Vec::len)
}

fn shape_name(schema: &Value) -> String {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(target) => target.rsplit('/').next().unwrap_or(target).to_string(),
        None => "inline".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    const COMPONENTS: &str = r#"
components:
  schemas:
    StandardError: {type: object, required: [error], properties: {error: {type: string}}}
    DetailedError: {type: object, required: [error, details], properties: {error: {type: string}, details: {type: object}}}
"#;

    #[test]
    fn distinct_error_bodies_become_one_union_most_specific_first() {
        let input = format!(
            r#"
paths:
  /api_keys:
    post:
      operationId: createApiKey
      responses:
        '200': {{description: ok}}
        '400': {{description: bad, content: {{application/json: {{schema: {{$ref: '#/components/schemas/StandardError'}}}}}}}}
        '401': {{description: no, content: {{application/json: {{schema: {{$ref: '#/components/schemas/DetailedError'}}}}}}}}
        '503': {{description: down}}
{COMPONENTS}"#
        );
        let expected = format!(
            r#"
paths:
  /api_keys:
    post:
      operationId: createApiKey
      responses:
        '200': {{description: ok}}
        '400': {{description: bad, content: {{application/json: {{schema: {{$ref: '#/components/schemas/CreateApiKeyError'}}}}}}}}
        '401': {{description: no, content: {{application/json: {{schema: {{$ref: '#/components/schemas/CreateApiKeyError'}}}}}}}}
{COMPONENTS}
    CreateApiKeyError:
      oneOf: [{{$ref: '#/components/schemas/DetailedError'}}, {{$ref: '#/components/schemas/StandardError'}}]
"#
        );
        let changes = check(run, &input, &expected);
        assert_eq!(
            lines(&changes),
            [
                "operation createApiKey: error 503 without JSON body removed: returned as unexpected responses",
                "operation createApiKey: 2 error bodies united as CreateApiKeyError: DetailedError | StandardError",
            ]
        );
    }

    #[test]
    fn one_shared_error_ref_is_left_alone() {
        let input = format!(
            "paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '401': {{description: x, content: {{application/json: {{schema: {{$ref: '#/components/schemas/StandardError'}}}}}}}}\n        '500': {{description: y, content: {{application/json: {{schema: {{$ref: '#/components/schemas/StandardError'}}}}}}}}\n{COMPONENTS}"
        );
        assert!(check(run, &input, &input).edits.is_empty());
    }

    #[test]
    fn inline_error_body_gets_an_error_name() {
        check(
            run,
            "paths:\n  /a:\n    get:\n      operationId: getThing\n      responses:\n        '404': {description: x, content: {application/json: {schema: {type: object}}}}\n",
            "paths:\n  /a:\n    get:\n      operationId: getThing\n      responses:\n        '404': {description: x, content: {application/json: {schema: {$ref: '#/components/schemas/GetThingError'}}}}\ncomponents:\n  schemas:\n    GetThingError: {type: object}\n",
        );
    }
}

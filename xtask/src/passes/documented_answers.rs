//! Relaxes the required fields of an answer that a documented answer leaves out.
//!
//! Quirk: the published spec marks answer fields required that real answers lack. Venice's
//! own reference page for minting a key with a wallet documents an answer with `apiKey`,
//! `apiKeyType`, `consumptionLimit`, `limitPeriod`, `expiresAt`, `id` and `description`; the
//! spec later made `modelPrivacy` required too. A client that insists on it fails to read an
//! answer shaped as documented, and for a mint that means the key was created on the server
//! and its only copy of the secret is lost.
//!
//! The rule: an answer the API documents must decode. The documented answers are the spec's
//! own whole-body examples (`example` on a response's media type or on its schema) and the
//! answers of Venice's reference pages that contradict the spec, which our spec records on
//! the response as `x-venice-rs-documented-answers` (a list of bodies). Walking each body
//! beside its schema, every required property a body leaves out stops being required, so the
//! generated field becomes an `Option`. What the body has stays as the spec says.

use serde_json::Value;

use super::Changes;
use crate::walk::{Spot, for_each_operation, schema_ref};

/// Where our spec records the answers Venice documents beside the spec.
pub(crate) const DOCUMENTED_ANSWERS: &str = "x-venice-rs-documented-answers";

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    let mut relax: Vec<(Vec<String>, String, Spot)> = Vec::new();
    let components = spec.pointer("/components/schemas").cloned().unwrap_or(Value::Null);
    for_each_operation(spec, |key, operation| {
        let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { return };
        for (status, response) in responses.iter_mut() {
            let recorded: Vec<Value> =
                response.get(DOCUMENTED_ANSWERS).and_then(Value::as_array).cloned().unwrap_or_default();
            let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else { continue };
            for media in content.values_mut() {
                let mut bodies = recorded.clone();
                bodies.extend(media.get("example").cloned());
                bodies.extend(media.get("schema").and_then(|s| s.get("example")).cloned());
                let Some(schema) = media.get_mut("schema") else { continue };
                let spot = Spot::new(format!("operation {}", key.label())).child(format!("response {status}"));
                for body in &bodies {
                    relax_missing(schema, body, &components, &spot, None, &mut relax, changes);
                }
            }
        }
    });
    // Component schemas a documented answer passes through are relaxed once all bodies are read.
    for (pointer, property, spot) in relax {
        let at = format!("/components/schemas/{}", pointer.join("/"));
        if let Some(schema) = spec.pointer_mut(&at) {
            drop_required(schema, &property, &spot, changes);
        }
    }
}

/// Walks `body` beside `schema`, relaxing inline required properties the body lacks and noting
/// those of component schemas (by JSON pointer steps below `components.schemas`) in `relax`.
/// `component` is the way to `schema` inside a component schema, `None` when it is inline.
/// Only `allOf` branches are followed: of a `oneOf` or `anyOf`, the body need not match the
/// others, so their required properties say nothing.
fn relax_missing(
    schema: &mut Value,
    body: &Value,
    components: &Value,
    spot: &Spot,
    component: Option<Vec<String>>,
    relax: &mut Vec<(Vec<String>, String, Spot)>,
    changes: &mut Changes,
) {
    if let Some(name) = schema_ref(schema) {
        let Some(mut target) = components.get(&name).cloned() else { return };
        let path = vec![crate::walk::escape_pointer(&name)];
        relax_missing(&mut target, body, components, &Spot::new(format!("schema {name}")), Some(path), relax, changes);
        return;
    }
    let below = |steps: &[&str]| {
        component.as_ref().map(|path| path.iter().cloned().chain(steps.iter().map(|s| s.to_string())).collect())
    };
    let branches = schema.get("allOf").and_then(Value::as_array).map_or(0, Vec::len);
    for i in 0..branches {
        let path = below(&["allOf", &i.to_string()]);
        if let Some(branch) = schema.get_mut("allOf").and_then(|b| b.get_mut(i)) {
            relax_missing(branch, body, components, spot, path, relax, changes);
        }
    }
    match body {
        Value::Object(fields) => {
            let required: Vec<String> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            for property in required.iter().filter(|p| !fields.contains_key(*p)) {
                match &component {
                    None => drop_required(schema, property, spot, changes),
                    Some(path) => relax.push((path.clone(), property.clone(), spot.clone())),
                }
            }
            let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else { return };
            for (name, value) in fields {
                let escaped = crate::walk::escape_pointer(name);
                let path = below(&["properties", &escaped]);
                if let Some(property) = properties.get_mut(name) {
                    relax_missing(property, value, components, &spot.property(name), path, relax, changes);
                }
            }
        }
        Value::Array(items) => {
            let Some(item_schema) = schema.get_mut("items") else { return };
            for item in items {
                relax_missing(item_schema, item, components, &spot.child("[]"), below(&["items"]), relax, changes);
            }
        }
        _ => {}
    }
}

fn drop_required(schema: &mut Value, property: &str, spot: &Spot, changes: &mut Changes) {
    let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) else { return };
    let before = required.len();
    required.retain(|r| r.as_str() != Some(property));
    if required.len() != before {
        changes.edit(&spot.property(property), "required, but a documented answer leaves it out: optional");
    }
    if required.is_empty()
        && let Some(map) = schema.as_object_mut()
    {
        map.remove("required");
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn a_field_the_documented_answer_lacks_becomes_optional() {
        let changes = check(
            run,
            r#"
paths:
  /keys:
    post:
      operationId: mint
      responses:
        '200':
          x-venice-rs-documented-answers:
            - {data: {apiKey: k, id: i}, success: true}
          content:
            application/json:
              schema:
                type: object
                required: [data, success]
                properties:
                  success: {type: boolean}
                  data:
                    type: object
                    required: [apiKey, id, modelPrivacy]
                    properties:
                      apiKey: {type: string}
                      id: {type: string}
                      modelPrivacy: {type: string}
"#,
            r#"
paths:
  /keys:
    post:
      operationId: mint
      responses:
        '200':
          x-venice-rs-documented-answers:
            - {data: {apiKey: k, id: i}, success: true}
          content:
            application/json:
              schema:
                type: object
                required: [data, success]
                properties:
                  success: {type: boolean}
                  data:
                    type: object
                    required: [apiKey, id]
                    properties:
                      apiKey: {type: string}
                      id: {type: string}
                      modelPrivacy: {type: string}
"#,
        );
        assert_eq!(
            lines(&changes),
            [
                "operation mint › response 200 › data › modelPrivacy: required, but a documented answer leaves it out: optional"
            ]
        );
    }

    #[test]
    fn a_component_schema_the_example_passes_through_is_relaxed_too() {
        let changes = check(
            run,
            r#"
paths:
  /keys:
    get:
      operationId: list
      responses:
        '200':
          content:
            application/json:
              example: {data: [{id: a}]}
              schema: {$ref: '#/components/schemas/Keys'}
components:
  schemas:
    Keys: {type: object, required: [data], properties: {data: {type: array, items: {$ref: '#/components/schemas/Key'}}}}
    Key: {type: object, required: [id, name], properties: {id: {type: string}, name: {type: string}}}
"#,
            r#"
paths:
  /keys:
    get:
      operationId: list
      responses:
        '200':
          content:
            application/json:
              example: {data: [{id: a}]}
              schema: {$ref: '#/components/schemas/Keys'}
components:
  schemas:
    Keys: {type: object, required: [data], properties: {data: {type: array, items: {$ref: '#/components/schemas/Key'}}}}
    Key: {type: object, required: [id], properties: {id: {type: string}, name: {type: string}}}
"#,
        );
        assert_eq!(lines(&changes), ["schema Key › name: required, but a documented answer leaves it out: optional"]);
    }

    #[test]
    fn an_answer_without_documented_bodies_is_left_alone() {
        let input = "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          content:\n            application/json:\n              schema: {type: object, required: [x], properties: {x: {type: string}}}\n";
        assert!(check(run, input, input).edits.is_empty());
    }
}

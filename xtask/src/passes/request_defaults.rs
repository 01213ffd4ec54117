//! Makes every optional field of a request an `Option` that is left out until set.
//!
//! Quirk: typify gives a non-required property with a `default` a plain type filled with
//! that default (`frequency_penalty: f64` = 0, `n: i64` = 1, `parallel_tool_calls: bool` =
//! true, image `steps` = 8, `width`/`height` = 1024, `strict: false` on every tool) and a
//! `boolean` or number defaulting to zero a plain `bool`/`i64`: all of them are sent on every
//! request, set or not. The server applies its own defaults, which may change, and some
//! differ from "the value": a missing `seed` means a random one, so every generated image
//! was seeded 0. And the bodies were several times larger than needed.
//!
//! In every schema a request reaches (its body, its parameters, and the component schemas
//! they name), a non-required property loses its `default`, so typify makes it an `Option`
//! skipped when `None`; the default stays visible in the field's documentation. Required
//! properties keep theirs. A component schema that answers also use loses the default there
//! too, where it becomes an `Option` that says the server may leave the field out.

use serde_json::Value;

use super::Changes;
use crate::walk::{Side, Spot, components_reached, for_each_schema};

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    let components = components_reached(spec, Side::Request);
    for_each_schema(spec, &mut |spot, schema| {
        let in_request = spot.side() == Side::Request
            || spot.owner.strip_prefix("schema ").is_some_and(|name| components.contains(name));
        if in_request {
            unset_defaults(spot, schema, changes);
        }
    });
}

/// Drops the `default` of each non-required property of the object `schema`.
fn unset_defaults(spot: &Spot, schema: &mut Value, changes: &mut Changes) {
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else { return };
    for (name, property) in properties.iter_mut() {
        if required.contains(name) {
            continue;
        }
        let Some(map) = property.as_object_mut() else { continue };
        let Some(default) = map.remove("default") else { continue };
        let note = format!("When left out, the server uses `{default}`.");
        let description = match map.get("description").and_then(Value::as_str) {
            Some(text) if !text.trim().is_empty() => format!("{}\n\n{note}", text.trim_end()),
            _ => note,
        };
        map.insert("description".into(), Value::String(description));
        changes.edit(&spot.property(name), format!("default {default} left to the server"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn an_optional_request_field_loses_its_default_and_documents_it() {
        let changes = check(
            run,
            r#"
paths:
  /chat:
    post:
      operationId: chat
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [model]
              properties:
                model: {type: string, default: m}
                n: {type: integer, default: 1, description: How many answers.}
                seed: {type: integer, default: 0}
"#,
            r#"
paths:
  /chat:
    post:
      operationId: chat
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [model]
              properties:
                model: {type: string, default: m}
                n: {type: integer, description: "How many answers.\n\nWhen left out, the server uses `1`."}
                seed: {type: integer, description: "When left out, the server uses `0`."}
"#,
        );
        assert_eq!(
            lines(&changes),
            [
                "operation chat › request body › n: default 1 left to the server",
                "operation chat › request body › seed: default 0 left to the server",
            ]
        );
    }

    #[test]
    fn components_a_request_names_lose_defaults_and_answer_only_ones_keep_them() {
        let changes = check(
            run,
            r#"
paths:
  /k:
    post:
      operationId: make
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Body'}}}}
      responses:
        '200': {content: {application/json: {schema: {$ref: '#/components/schemas/Answer'}}}}
components:
  schemas:
    Body: {type: object, properties: {tool: {$ref: '#/components/schemas/Tool'}}}
    Tool: {type: object, properties: {strict: {type: boolean, default: false}}}
    Answer: {type: object, properties: {offline: {type: boolean, default: false}}}
"#,
            r#"
paths:
  /k:
    post:
      operationId: make
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Body'}}}}
      responses:
        '200': {content: {application/json: {schema: {$ref: '#/components/schemas/Answer'}}}}
components:
  schemas:
    Body: {type: object, properties: {tool: {$ref: '#/components/schemas/Tool'}}}
    Tool: {type: object, properties: {strict: {type: boolean, description: "When left out, the server uses `false`."}}}
    Answer: {type: object, properties: {offline: {type: boolean, default: false}}}
"#,
        );
        assert_eq!(lines(&changes), ["schema Tool › strict: default false left to the server"]);
    }
}

//! Makes a success response offered in JSON and other media types a raw byte response.
//!
//! Quirk: Venice's `POST /image/generate` answers JSON or, when asked, the image itself
//! (`image/png`, `image/jpeg`, `image/webp`); `/video/retrieve` answers a JSON status or
//! the MP4; usage history answers JSON or CSV. progenitor keeps the JSON form and silently
//! drops the others, so the binary answer fails to decode. The response becomes raw bytes
//! (the generated call returns the body stream with its headers, so the caller sees the
//! `Content-Type`), and the JSON schema moves to `components.schemas` under the name
//! progenitor would have given it (`GenerateImageResponse`), so the typed form still exists
//! for the facade to decode into.

use serde_json::Value;

use super::{Changes, Hoister, is_json_media_type, is_success_status, pascal};
use crate::walk::{Spot, for_each_operation};

/// Where a raw response keeps the `$ref` of its JSON form.
pub(crate) const JSON_SHAPE: &str = "x-venice-json-shape";

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    let mut hoister = Hoister::new(spec);
    for_each_operation(spec, |key, operation| {
        let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { return };
        for (status, response) in responses.iter_mut() {
            if !is_success_status(status) {
                continue;
            }
            let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else { continue };
            let Some(json) = content.keys().find(|m| is_json_media_type(m)).cloned() else { continue };
            if content.len() < 2 {
                continue;
            }
            let schema = content.get(&json).and_then(|m| m.get("schema")).cloned().unwrap_or_default();
            let name = format!("{}Response", pascal(&key.label()));
            let reference = hoister.hoist(&name, schema);
            content.remove(&json);
            let others: Vec<String> = content.keys().cloned().collect();
            // Keeps the operation naming its JSON shape, for the feature gating.
            if let Some(response) = response.as_object_mut() {
                response.insert(JSON_SHAPE.into(), reference.clone());
            }
            let target = reference.get("$ref").and_then(Value::as_str).unwrap_or_default().to_string();
            changes.edit(
                &Spot::new(format!("operation {}", key.label())).child(format!("response {status}")),
                format!("raw bytes ({json} or {}); JSON shape kept as {target}", others.join(", ")),
            );
        }
    });
    hoister.finish(spec);
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn json_or_image_response_becomes_raw_and_keeps_its_json_type() {
        let changes = check(
            run,
            r#"
paths:
  /image/generate:
    post:
      operationId: generateImage
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: object, properties: {images: {type: array, items: {type: string}}}}}
            image/png: {schema: {type: string, format: binary}}
"#,
            r#"
paths:
  /image/generate:
    post:
      operationId: generateImage
      responses:
        '200':
          description: ok
          content:
            image/png: {schema: {type: string, format: binary}}
          x-venice-json-shape: {$ref: '#/components/schemas/GenerateImageResponse'}
components:
  schemas:
    GenerateImageResponse: {type: object, properties: {images: {type: array, items: {type: string}}}}
"#,
        );
        assert_eq!(
            lines(&changes),
            [
                "operation generateImage › response 200: raw bytes (application/json or image/png); JSON shape kept as #/components/schemas/GenerateImageResponse"
            ]
        );
    }

    #[test]
    fn single_media_type_is_left_alone() {
        let input = "paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200': {description: ok, content: {image/png: {}}}\n";
        assert!(check(run, input, input).edits.is_empty());
    }
}

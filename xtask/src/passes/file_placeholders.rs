//! Drops the empty-schema branch that stands for an uploaded file from the fields of a request
//! body offered both as JSON and as `multipart/form-data`.
//!
//! Quirk: Venice's image upscale, edit and background removal describe `image` as `anyOf:
//! [{}, {type: string}]` (the edit adds a `uri` string): the `{}` is the file of the multipart
//! form, the strings are base64 or a URL in the JSON form. typify makes the union a struct of
//! a flattened `serde_json::Value` and a flattened string, which cannot serialize a string at
//! all, so the generated calls could not send an image and the facade had to build those
//! bodies by hand. `prefer_json_request_body` keeps only the JSON form, where a file cannot
//! travel; without its placeholder the field is a plain string (after `merge_string_unions`,
//! which runs after this pass, for the edit's two string forms).
//!
//! Only the top-level fields of such bodies are touched (through `$ref` and `allOf`): an empty
//! schema elsewhere (a response, a free-form value) still means "any JSON value".

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{Changes, is_json_media_type};
use crate::walk::{Spot, for_each_operation};

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    let mut components = BTreeSet::new();
    for_each_operation(spec, |key, operation| {
        let Some(media) = operation.get_mut("requestBody").and_then(|b| b.get_mut("content")) else { return };
        let Some(media) = media.as_object_mut() else { return };
        let offers_both = media.keys().any(|m| m.starts_with("multipart/form-data"));
        let Some(json) = media.iter_mut().find(|(m, _)| is_json_media_type(m)).map(|(_, c)| c) else { return };
        let Some(schema) = json.get_mut("schema").filter(|_| offers_both) else { return };
        let spot = Spot::new(format!("operation {}", key.label())).child("request body");
        collect(schema, &mut components);
        for (spot, what) in drop_in_properties(&spot, schema) {
            changes.edit(&spot, what);
        }
    });
    let Some(schemas) = spec.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    for name in components {
        if let Some(schema) = schemas.get_mut(&name) {
            for (spot, what) in drop_in_properties(&Spot::new(format!("schema {name}")), schema) {
                changes.edit(&spot, what);
            }
        }
    }
}

/// The component schemas `schema` names directly or through `allOf`.
fn collect(schema: &Value, names: &mut BTreeSet<String>) {
    if let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        names.insert(name.to_owned());
    }
    for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        collect(member, names);
    }
}

/// Drops file placeholders from the properties of `schema` and of its inline `allOf` members.
fn drop_in_properties(spot: &Spot, schema: &mut Value) -> Vec<(Spot, String)> {
    let mut edits = Vec::new();
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, property) in properties.iter_mut() {
            if let Some(what) = drop_placeholder(property) {
                edits.push((spot.property(name), what));
            }
        }
    }
    for member in schema.get_mut("allOf").and_then(Value::as_array_mut).into_iter().flatten() {
        edits.extend(drop_in_properties(spot, member));
    }
    edits
}

/// Removes the empty branches of a union that also has typed ones; one branch left replaces
/// the union, keeping the property's own description.
fn drop_placeholder(property: &mut Value) -> Option<String> {
    let map = property.as_object_mut()?;
    for key in ["anyOf", "oneOf"] {
        let Some(branches) = map.get_mut(key).and_then(Value::as_array_mut) else { continue };
        let empty = branches.iter().filter(|b| is_empty_schema(b)).count();
        if empty == 0 || empty == branches.len() {
            continue;
        }
        branches.retain(|b| !is_empty_schema(b));
        if let [only] = branches.as_slice()
            && let Some(only) = only.as_object().cloned()
        {
            map.remove(key);
            merge_under(map, only);
        }
        return Some(format!("{key}: dropped the empty branch that stands for a multipart file"));
    }
    None
}

/// Adds the keys of `branch` that `map` does not set already.
fn merge_under(map: &mut Map<String, Value>, branch: Map<String, Value>) {
    for (key, value) in branch {
        map.entry(key).or_insert(value);
    }
}

fn is_empty_schema(schema: &Value) -> bool {
    schema.as_object().is_some_and(Map::is_empty)
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    const BOTH_FORMS: &str = "{multipart/form-data: {schema: {$ref: '#/components/schemas/Upscale'}}, application/json: {schema: {$ref: '#/components/schemas/Upscale'}}}";

    #[test]
    fn the_file_branch_of_a_field_of_a_body_sent_as_json_or_multipart_is_dropped() {
        let changes = check(
            run,
            &format!(
                "paths:\n  /image/upscale:\n    post:\n      operationId: upscaleImage\n      requestBody: {{content: {BOTH_FORMS}}}\ncomponents:\n  schemas:\n    Upscale:\n      properties:\n        image: {{description: The image, anyOf: [{{}}, {{type: string}}]}}\n        scale: {{type: number}}\n"
            ),
            &format!(
                "paths:\n  /image/upscale:\n    post:\n      operationId: upscaleImage\n      requestBody: {{content: {BOTH_FORMS}}}\ncomponents:\n  schemas:\n    Upscale:\n      properties:\n        image: {{description: The image, type: string}}\n        scale: {{type: number}}\n"
            ),
        );
        assert_eq!(
            lines(&changes),
            ["schema Upscale › image: anyOf: dropped the empty branch that stands for a multipart file"]
        );
    }

    #[test]
    fn several_typed_branches_stay_a_union() {
        check(
            run,
            "paths:\n  /e:\n    post:\n      requestBody: {content: {multipart/form-data: {schema: {type: object}}, application/json: {schema: {allOf: [{properties: {image: {anyOf: [{}, {type: string}, {type: string, format: uri}]}}}]}}}}\n",
            "paths:\n  /e:\n    post:\n      requestBody: {content: {multipart/form-data: {schema: {type: object}}, application/json: {schema: {allOf: [{properties: {image: {anyOf: [{type: string}, {type: string, format: uri}]}}}]}}}}\n",
        );
    }

    #[test]
    fn empty_schemas_elsewhere_still_mean_any_value() {
        for input in [
            // A body sent only as JSON: `{}` there is any JSON value.
            "paths:\n  /a:\n    post:\n      requestBody: {content: {application/json: {schema: {properties: {v: {anyOf: [{}, {type: string}]}}}}}}\n",
            // A schema no such body uses.
            "components:\n  schemas:\n    Answer:\n      properties:\n        v: {anyOf: [{}, {type: string}]}\n",
            // A union of nothing but empty schemas.
            "paths:\n  /b:\n    post:\n      requestBody: {content: {multipart/form-data: {schema: {type: object}}, application/json: {schema: {properties: {v: {anyOf: [{}, {}]}}}}}}\n",
        ] {
            assert!(check(run, input, input).edits.is_empty(), "{input}");
        }
    }
}

//! Gives a shape that the spec repeats inline one shared, named schema.
//!
//! Quirk: Venice writes every schema inline, so the same enum or object is spelled out again
//! in each operation: the API key type, limit period and model privacy enums and the
//! consumption limits object each appear six times in the API Keys family alone. progenitor
//! names each copy after its position (`CreateApiKeyBodyApiKeyType`,
//! `GetApiKeysResponseDataItemApiKeyType`, ...), so a value read from one call cannot be
//! passed to another, and every copy costs compile time. A string enum or an object with
//! properties that appears as a field (or parameter) of the same name in two or more places,
//! identical but for its documentation, moves to `components.schemas` under that name in
//! Pascal case (`ApiKeyType`); nested shapes are shared first, then the objects that hold them.
//! One shape under two names (`image_url`, `video_url`) stays two types, each named for what
//! it holds. A name too generic to stand alone (`type`, `status`...) names an enum as typify
//! names the first of its places right below an operation or component (`ModelResponseType`:
//! the five copies of the model type enums become two types, one per set of values); other
//! shapes with such names, names already taken and the tags of tagged unions
//! are left inline.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{Changes, pascal};
use crate::walk::{Spot, for_each_schema};

/// Property names that say nothing without their parent's name.
const GENERIC_NAMES: &[&str] =
    &["data", "error", "id", "items", "kind", "name", "object", "result", "results", "status", "type", "value"];

/// Keys that document a schema without changing the Rust type made from it.
const DOC_ONLY: &[&str] = &["description", "title", "example", "examples", "deprecated", "externalDocs"];

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    let mut taken: BTreeSet<String> = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    // Each round shares the innermost repeated shapes; their parents compare equal only
    // once their fields refer to the shared schemas, in a later round.
    for _ in 0..16 {
        let groups = repeated_shapes(spec);
        let shapes: BTreeSet<String> = groups
            .iter()
            .filter(|(_, group)| group.name().is_some_and(|name| !taken.contains(&name)))
            .filter_map(|(_, group)| shape_key(&group.first))
            .collect();
        let mut chosen: BTreeMap<String, String> = BTreeMap::new();
        let mut hoisted: Vec<(String, Value)> = Vec::new();
        for (key, group) in &groups {
            if holds_repeated_shape(&group.first, &shapes) {
                continue;
            }
            let Some(name) = group.name() else { continue };
            if taken.contains(&name) {
                continue;
            }
            taken.insert(name.clone());
            for spot in &group.spots {
                changes.edit(spot, format!("shared as {name}"));
            }
            hoisted.push((name.clone(), group.first.clone()));
            chosen.insert(key.clone(), name);
        }
        if chosen.is_empty() {
            return;
        }
        for_each_schema(spec, &mut |spot, schema| {
            if let Some(name) = group_key(spot, schema).and_then(|key| chosen.get(&key)) {
                *schema = serde_json::json!({ "$ref": format!("#/components/schemas/{name}") });
            }
        });
        let schemas = components_schemas(spec);
        schemas.extend(hoisted);
    }
}

/// Whether a schema below `schema` (not `schema` itself) is one of the repeated shapes.
fn holds_repeated_shape(schema: &Value, keys: &BTreeSet<String>) -> bool {
    let children: Vec<&Value> = match schema {
        Value::Object(map) => map.values().collect(),
        Value::Array(items) => items.iter().collect(),
        _ => Vec::new(),
    };
    children
        .into_iter()
        .any(|child| shape_key(child).is_some_and(|key| keys.contains(&key)) || holds_repeated_shape(child, keys))
}

struct Group {
    first: Value,
    spots: Vec<Spot>,
}

impl Group {
    /// The field's name in Pascal case; for a generic one (`type`), an enum is named as typify
    /// names the first of its places that sits right below an operation or a component
    /// schema (`ModelResponseType`, `ListModelsType`), and other shapes stay inline.
    fn name(&self) -> Option<String> {
        let field = field_name(self.spots.first()?)?;
        if !GENERIC_NAMES.contains(&field.to_ascii_lowercase().as_str()) {
            return Some(pascal(field));
        }
        let values = self.first.get("enum").and_then(Value::as_array)?;
        if values.len() < 2 {
            return None;
        }
        self.spots.iter().find_map(typify_name)
    }
}

/// The name of the field or parameter a spot is.
fn field_name(spot: &Spot) -> Option<&str> {
    spot.property_name().or_else(|| spot.trail.last().and_then(|step| step.strip_prefix("parameter ")))
}

/// What typify calls the type of a field right below a component schema, a parameter, or a
/// field right below an answer's body; `None` deeper down.
fn typify_name(spot: &Spot) -> Option<String> {
    let field = pascal(field_name(spot)?);
    let trail: Vec<&str> = spot.trail.iter().map(String::as_str).collect();
    if let Some(schema) = spot.owner.strip_prefix("schema ") {
        return (trail.len() == 1).then(|| format!("{}{field}", pascal(schema)));
    }
    let operation = pascal(spot.owner.strip_prefix("operation ")?);
    match trail.as_slice() {
        [parameter] if parameter.starts_with("parameter ") => Some(format!("{operation}{field}")),
        [response, _] if response.starts_with("response 2") => Some(format!("{operation}Response{field}")),
        _ => None,
    }
}

/// The group a shareable schema at `spot` belongs to: its shape and its field's name, so that
/// one shape under two names (`image_url`, `video_url`) gives two types, each named for what
/// it holds.
fn group_key(spot: &Spot, schema: &Value) -> Option<String> {
    let name = field_name(spot)?;
    Some(format!("{name}\u{0}{}", shape_key(schema)?))
}

fn repeated_shapes(spec: &mut Value) -> BTreeMap<String, Group> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for_each_schema(spec, &mut |spot, schema| {
        if is_union_tag(schema) {
            return;
        }
        if let Some(key) = group_key(spot, schema) {
            groups
                .entry(key)
                .or_insert_with(|| Group { first: schema.clone(), spots: Vec::new() })
                .spots
                .push(spot.clone());
        }
    });
    groups.retain(|_, group| group.spots.len() >= 2);
    groups
}

/// Whether `schema` is the tag of a union's branch (`role: user`), as `discriminated_unions`
/// marks it: behind a `$ref` typify no longer sees the tag and makes the union untagged.
fn is_union_tag(schema: &Value) -> bool {
    schema.get(super::discriminated_unions::TAG) == Some(&Value::Bool(true))
}

/// The shape of a shareable schema (a string enum, or an object with properties) without
/// its documentation, as comparable text; `None` for anything else.
fn shape_key(schema: &Value) -> Option<String> {
    let map = schema.as_object()?;
    let shareable = map.get("enum").and_then(Value::as_array).is_some_and(|e| e.iter().all(Value::is_string))
        || map.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
    if !shareable || map.contains_key("$ref") {
        return None;
    }
    Some(without_docs(schema).to_string())
}

fn without_docs(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !DOC_ONLY.contains(&k.as_str()))
                .map(|(k, v)| {
                    // Property names are data, not documentation: keep them all.
                    let v = if k == "properties" {
                        Value::Object(
                            v.as_object()
                                .map(|p| p.iter().map(|(n, s)| (n.clone(), without_docs(s))).collect())
                                .unwrap_or_default(),
                        )
                    } else {
                        without_docs(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_docs).collect()),
        other => other.clone(),
    }
}

fn components_schemas(spec: &mut Value) -> &mut Map<String, Value> {
    let root = spec.as_object_mut().expect("a spec is a map");
    let components = root.entry("components").or_insert_with(|| Value::Object(Map::new()));
    if !components.is_object() {
        *components = Value::Object(Map::new());
    }
    let components = components.as_object_mut().expect("just made a map");
    let schemas = components.entry("schemas").or_insert_with(|| Value::Object(Map::new()));
    if !schemas.is_object() {
        *schemas = Value::Object(Map::new());
    }
    schemas.as_object_mut().expect("just made a map")
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn an_enum_repeated_in_two_operations_becomes_one_schema() {
        let changes = check(
            run,
            r#"
paths:
  /keys:
    post:
      operationId: createKey
      requestBody: {content: {application/json: {schema: {type: object, properties: {
        apiKeyType: {type: string, enum: [INFERENCE, ADMIN], description: what the key may do}}}}}}
    get:
      operationId: listKeys
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {
          apiKeyType: {type: string, enum: [INFERENCE, ADMIN], description: the key's kind}}}}}}
"#,
            r#"
paths:
  /keys:
    post:
      operationId: createKey
      requestBody: {content: {application/json: {schema: {type: object, properties: {
        apiKeyType: {$ref: '#/components/schemas/ApiKeyType'}}}}}}
    get:
      operationId: listKeys
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {
          apiKeyType: {$ref: '#/components/schemas/ApiKeyType'}}}}}}
components:
  schemas:
    ApiKeyType: {type: string, enum: [INFERENCE, ADMIN], description: the key's kind}
"#,
        );
        assert_eq!(
            lines(&changes),
            [
                "operation listKeys › response 200 › apiKeyType: shared as ApiKeyType",
                "operation createKey › request body › apiKeyType: shared as ApiKeyType",
            ]
        );
    }

    #[test]
    fn nested_shapes_are_shared_before_the_objects_that_hold_them() {
        let limits = "{type: object, properties: {usd: {type: number}, period: {type: string, enum: [DAY, MONTH]}}}";
        let input = format!(
            "components:\n  schemas:\n    A: {{type: object, properties: {{limits: {limits}}}}}\n    B: {{type: object, properties: {{limits: {limits}}}}}\n"
        );
        let expected = "components:\n  schemas:\n    A: {type: object, properties: {limits: {$ref: '#/components/schemas/Limits'}}}\n    B: {type: object, properties: {limits: {$ref: '#/components/schemas/Limits'}}}\n    Period: {type: string, enum: [DAY, MONTH]}\n    Limits: {type: object, properties: {usd: {type: number}, period: {$ref: '#/components/schemas/Period'}}}\n";
        check(run, &input, expected);
    }

    #[test]
    fn a_holder_of_a_generic_repeated_field_is_still_shared() {
        let holder = "{type: object, properties: {type: {type: string, enum: [x, y]}, usd: {type: number}}}";
        let input = format!(
            "components:\n  schemas:\n    A: {{type: object, properties: {{cap: {holder}}}}}\n    B: {{type: object, properties: {{cap: {holder}}}}}\n"
        );
        let expected = format!(
            "components:\n  schemas:\n    A: {{type: object, properties: {{cap: {{$ref: '#/components/schemas/Cap'}}}}}}\n    B: {{type: object, properties: {{cap: {{$ref: '#/components/schemas/Cap'}}}}}}\n    Cap: {holder}\n"
        );
        check(run, &input, &expected);
    }

    #[test]
    fn different_shapes_and_generic_names_stay_inline() {
        let input = "components:\n  schemas:\n    A: {type: object, properties: {mode: {type: string, enum: [a, b]}, type: {type: string, enum: [x]}}}\n    B: {type: object, properties: {mode: {type: string, enum: [a, c]}, type: {type: string, enum: [x]}}}\n";
        assert!(check(run, input, input).edits.is_empty());
    }
}

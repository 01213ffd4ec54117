//! Every operation's answer decodes as a newer or sloppier server may send it.
//!
//! For each operation with a JSON success answer (the generated answer table lists them, so a
//! new operation is covered the day the spec gains it), the answer, from its fixture or, when
//! there is none, synthesized from the spec's schema, is rewritten the four ways a real server
//! departs from today's spec, each in every place the schema allows at once:
//! - an unknown member added to every object,
//! - every enum value replaced by one the spec does not list,
//! - every optional member removed,
//! - every optional member `null`,
//!
//! and must still decode through the generated type. The schema read is our spec after the
//! normalization passes, which is what the types were generated from.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde_json::{Map, Value, json};
use venice_api_gen::answers::{OPERATIONS_WITH_JSON_ANSWERS, decode_and_encode};

/// A member no version of the spec has.
const UNKNOWN_MEMBER: &str = "venice_rs_member_from_the_future";
/// An enum value no version of the spec has.
const UNKNOWN_VALUE: &str = "VENICE_RS_VALUE_FROM_THE_FUTURE";
/// How deep schemas are followed (our spec is far shallower; a cycle stops here).
const MAX_DEPTH: usize = 48;

/// Our spec, normalized as `regen` normalizes it.
static SPEC: LazyLock<Value> = LazyLock::new(|| {
    let spec = xtask::spec::read(&venice_tests::own_spec(), "openapi/venice.yaml").unwrap();
    let mut document = spec.document;
    xtask::passes::normalize(&mut document);
    document
});

/// The schema of `operation_id`'s JSON success answer.
fn answer_schema(operation_id: &str) -> Value {
    let mut document = SPEC.clone();
    let mut found = None;
    xtask::walk::for_each_operation(&mut document, |key, operation| {
        if key.id.as_deref() != Some(operation_id) {
            return;
        }
        let ok = &operation["responses"]["200"];
        let json = ok["content"].as_object().and_then(|content| {
            content.iter().find(|(media, _)| media.starts_with("application/json")).map(|(_, m)| m["schema"].clone())
        });
        found = json.or_else(|| ok.get("x-venice-json-shape").cloned());
    });
    found.unwrap_or_else(|| panic!("{operation_id} has no JSON answer schema in the normalized spec"))
}

/// `schema` with its `$ref`s followed, and the parts of its compositions (`allOf`, `anyOf`,
/// `oneOf`), each of which may describe the value.
fn candidates(schema: &Value, depth: usize, out: &mut Vec<Value>) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        candidates(&SPEC["components"]["schemas"][name], depth + 1, out);
        return;
    }
    out.push(schema.clone());
    for key in ["allOf", "anyOf", "oneOf"] {
        for part in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
            candidates(part, depth + 1, out);
        }
    }
}

fn candidates_of(schemas: &[Value], depth: usize) -> Vec<Value> {
    let mut out = Vec::new();
    for schema in schemas {
        candidates(schema, depth, &mut out);
    }
    out
}

/// What the candidate schemas say about an object: each declared member with its schemas,
/// the members some candidate requires, and whether it is a record (declared members) rather
/// than a map.
struct ObjectView {
    members: BTreeMap<String, Vec<Value>>,
    required: BTreeSet<String>,
}

fn object_view(schemas: &[Value]) -> ObjectView {
    let mut members: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut required = BTreeSet::new();
    for schema in schemas {
        for (name, member) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            members.entry(name.clone()).or_default().push(member.clone());
        }
        for name in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            required.insert(name.to_owned());
        }
    }
    ObjectView { members, required }
}

/// One way a server departs from today's spec.
#[derive(Debug, Clone, Copy)]
enum Departure {
    UnknownMemberEverywhere,
    UnknownEnumValues,
    OptionalMembersRemoved,
    OptionalMembersNull,
}

/// `value` (described by `schemas`) rewritten by `departure` wherever the schemas allow.
fn depart(value: &Value, schemas: &[Value], departure: Departure, depth: usize) -> Value {
    let schemas = candidates_of(schemas, depth);
    match value {
        Value::Object(object) => {
            let view = object_view(&schemas);
            let mut out = Map::new();
            for (name, member) in object {
                let member_schemas = view.members.get(name).cloned().unwrap_or_default();
                out.insert(name.clone(), depart(member, &member_schemas, departure, depth + 1));
            }
            if view.members.is_empty() {
                // A map (or a schema-less object): its values are what they are.
                return Value::Object(out);
            }
            let optional = view.members.keys().filter(|name| !view.required.contains(*name));
            match departure {
                Departure::UnknownMemberEverywhere => {
                    out.insert(UNKNOWN_MEMBER.to_owned(), json!({"nested": [1, "two", null], "flag": true}));
                }
                Departure::OptionalMembersRemoved => {
                    for name in optional {
                        out.remove(name);
                    }
                }
                Departure::OptionalMembersNull => {
                    for name in optional {
                        out.insert(name.clone(), Value::Null);
                    }
                }
                Departure::UnknownEnumValues => {}
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let item_schemas: Vec<Value> = schemas.iter().filter_map(|s| s.get("items").cloned()).collect();
            Value::Array(items.iter().map(|item| depart(item, &item_schemas, departure, depth + 1)).collect())
        }
        Value::String(text) if matches!(departure, Departure::UnknownEnumValues) => {
            let listed = schemas.iter().any(|s| {
                s.get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|values| values.iter().all(Value::is_string) && values.contains(&json!(text)))
            });
            if listed { json!(UNKNOWN_VALUE) } else { value.clone() }
        }
        other => other.clone(),
    }
}

/// The smallest answer the schema allows: required members only, each the simplest value of
/// its type (the first enum value, a date-time for `date-time`, the minimum of a range).
fn synthesize(schemas: &[Value], depth: usize) -> Value {
    let schemas = candidates_of(schemas, depth);
    let declared = |key: &str| schemas.iter().find_map(|s| s.get(key).cloned());
    if let Some(values) = declared("enum").and_then(|v| v.as_array().cloned())
        && let Some(first) = values.first()
    {
        return first.clone();
    }
    let types: BTreeSet<String> = schemas
        .iter()
        .flat_map(|s| match s.get("type") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            _ => Vec::new(),
        })
        .collect();
    let view = object_view(&schemas);
    if types.contains("object") || !view.members.is_empty() {
        let mut out = Map::new();
        for name in &view.required {
            let member = view.members.get(name).cloned().unwrap_or_default();
            out.insert(name.clone(), synthesize(&member, depth + 1));
        }
        return Value::Object(out);
    }
    if types.contains("array") {
        return json!([]);
    }
    if types.contains("string") {
        return match declared("format").as_ref().and_then(Value::as_str) {
            Some("date-time") => json!("2026-12-02T13:07:50Z"),
            Some("date") => json!("2026-12-02"),
            Some("uuid") => json!("123e4567-e89b-12d3-a456-426614174000"),
            Some("uri") => json!("https://example.com/"),
            _ => json!("x".repeat(declared("minLength").and_then(|v| v.as_u64()).unwrap_or(1).max(1) as usize)),
        };
    }
    // OpenAPI 3.0 spells an exclusive bound as `exclusiveMinimum: true` beside `minimum`.
    let exclusive = declared("exclusiveMinimum") == Some(json!(true));
    if types.contains("integer") {
        let minimum = declared("minimum").and_then(|v| v.as_i64()).unwrap_or(1);
        return json!(if exclusive { minimum + 1 } else { minimum });
    }
    if types.contains("number") {
        let minimum = declared("minimum").and_then(|v| v.as_f64()).unwrap_or(1.5);
        return json!(if exclusive { minimum + 0.5 } else { minimum });
    }
    if types.contains("boolean") {
        return json!(true);
    }
    Value::Null
}

/// The answer each variant starts from: the operation's fixture, or a synthesized one.
fn base_answer(operation_id: &str) -> Value {
    let path = venice_tests::workspace_root().join(format!("tests/fixtures/responses/{operation_id}.json"));
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display())),
        Err(_) => synthesize(&[answer_schema(operation_id)], 0),
    }
}

/// Decodes each operation's answer, rewritten by `make`, and lists every failure.
fn every_answer_decodes(kind: &str, make: impl Fn(&str) -> Value) {
    let mut failures = Vec::new();
    for operation_id in OPERATIONS_WITH_JSON_ANSWERS {
        let body = serde_json::to_vec(&make(operation_id)).unwrap();
        match decode_and_encode(operation_id, &body) {
            Some(Ok(_)) => {}
            Some(Err(error)) => failures.push(format!("{operation_id}: {error}")),
            None => failures.push(format!("{operation_id}: not in the answer table with every feature on")),
        }
    }
    assert!(failures.is_empty(), "{kind}: {} answer(s) fail to decode:\n{}", failures.len(), failures.join("\n"));
}

fn departed(operation_id: &str, departure: Departure) -> Value {
    depart(&base_answer(operation_id), &[answer_schema(operation_id)], departure, 0)
}

#[test]
fn every_answer_decodes_with_an_unknown_member_in_every_object() {
    every_answer_decodes("unknown members", |id| departed(id, Departure::UnknownMemberEverywhere));
}

#[test]
fn every_answer_decodes_with_every_enum_value_unknown() {
    every_answer_decodes("unknown enum values", |id| departed(id, Departure::UnknownEnumValues));
}

/// How many times the string `text` is a value in `value`.
fn occurrences(value: &Value, text: &str) -> usize {
    match value {
        Value::String(s) => usize::from(s == text),
        Value::Array(items) => items.iter().map(|item| occurrences(item, text)).sum(),
        Value::Object(object) => object.values().map(|member| occurrences(member, text)).sum(),
        _ => 0,
    }
}

#[test]
fn every_unknown_enum_value_is_written_back_as_sent() {
    let mut failures = Vec::new();
    let mut values = 0;
    for operation_id in OPERATIONS_WITH_JSON_ANSWERS {
        let answer = departed(operation_id, Departure::UnknownEnumValues);
        let sent = occurrences(&answer, UNKNOWN_VALUE);
        values += sent;
        let body = serde_json::to_vec(&answer).unwrap();
        match decode_and_encode(operation_id, &body) {
            Some(Ok(written)) if occurrences(&written, UNKNOWN_VALUE) == sent => {}
            Some(Ok(written)) => failures.push(format!(
                "{operation_id}: {sent} unknown values sent, {} written back",
                occurrences(&written, UNKNOWN_VALUE)
            )),
            Some(Err(error)) => failures.push(format!("{operation_id}: {error}")),
            None => failures.push(format!("{operation_id}: not in the answer table")),
        }
    }
    assert!(values > 0, "the departure replaced no enum value");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_answer_decodes_with_every_optional_member_removed() {
    every_answer_decodes("optional members removed", |id| departed(id, Departure::OptionalMembersRemoved));
}

#[test]
fn every_answer_decodes_with_every_optional_member_null() {
    every_answer_decodes("optional members null", |id| departed(id, Departure::OptionalMembersNull));
}

#[test]
fn every_answer_synthesized_from_its_schema_decodes() {
    // What covers an operation that has no fixture yet.
    every_answer_decodes("synthesized", |id| synthesize(&[answer_schema(id)], 0));
}

#[test]
fn the_departures_change_the_answers_they_are_applied_to() {
    // Guards the test itself: a walk that never matched the schema would pass vacuously.
    let base = base_answer("listModels");
    for departure in [
        Departure::UnknownMemberEverywhere,
        Departure::UnknownEnumValues,
        Departure::OptionalMembersRemoved,
        Departure::OptionalMembersNull,
    ] {
        assert_ne!(departed("listModels", departure), base, "{departure:?} left listModels as it was");
    }
    let text = departed("listModels", Departure::UnknownEnumValues).to_string();
    assert!(text.contains(UNKNOWN_VALUE), "no enum value of listModels was replaced");
}

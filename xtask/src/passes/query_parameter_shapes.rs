//! Turns query parameters whose schema is an object or a union into plain strings.
//!
//! Quirk: a query parameter typed as an object or an `anyOf`/`oneOf` becomes a generated
//! struct with a builder, and progenitor's builder-style client panics on an optional
//! query parameter of such a type (Venice's `GET /models` filter hit this before
//! `merge_enum_unions` made it an enum). Form-style query strings cannot carry a struct
//! anyway; a string lets the caller send the value the server expects.

use serde_json::Value;

use super::{Changes, DOC_KEYS};
use crate::walk::for_each_operation;

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_operation(spec, |key, operation| {
        let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_array_mut) else { return };
        for parameter in parameters {
            if parameter.get("in").and_then(Value::as_str) != Some("query") {
                continue;
            }
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?").to_string();
            let Some(schema) = parameter.get_mut("schema").and_then(Value::as_object_mut) else { continue };
            let structured = schema.get("type").and_then(Value::as_str) == Some("object")
                || ["anyOf", "oneOf", "allOf", "properties"].iter().any(|k| schema.contains_key(*k));
            if !structured {
                continue;
            }
            schema.retain(|k, _| DOC_KEYS.contains(&k.as_str()) || k == "nullable");
            schema.insert("type".into(), Value::String("string".into()));
            changes.edit(
                &crate::walk::Spot::new(format!("operation {}", key.label())).child(format!("parameter {name}")),
                "structured query parameter typed as string",
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn union_query_parameter_becomes_a_string() {
        let changes = check(
            run,
            "paths:\n  /m:\n    get:\n      operationId: list\n      parameters:\n        - {name: kind, in: query, schema: {description: d, anyOf: [{type: string}, {type: integer}]}}\n",
            "paths:\n  /m:\n    get:\n      operationId: list\n      parameters:\n        - {name: kind, in: query, schema: {description: d, type: string}}\n",
        );
        assert_eq!(lines(&changes), ["operation list › parameter kind: structured query parameter typed as string"]);
    }

    #[test]
    fn enum_and_array_query_parameters_are_left_alone() {
        let input = "paths:\n  /m:\n    get:\n      parameters:\n        - {name: kind, in: query, schema: {type: string, enum: [a]}}\n        - {name: tags, in: query, schema: {type: array, items: {type: string}}}\n";
        assert!(check(run, input, input).edits.is_empty());
    }
}

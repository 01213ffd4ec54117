//! Merges an `anyOf`/`oneOf` of string enums into one string enum.
//!
//! Quirk: Venice's `GET /models` filter is `anyOf: [{enum: [text, image, ...]}, {enum:
//! [all, code]}]`, and three model responses repeat it. typify turns that union into a
//! struct of optional parts: useless as a value, and as an optional query parameter it has
//! a builder, which makes progenitor's builder-style code generation panic. One enum with
//! every value says the same thing and gives one Rust enum.

use serde_json::{Map, Value};

use super::{Changes, DOC_KEYS};
use crate::walk::for_each_schema;

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_schema(spec, &mut |spot, schema| {
        let Some(map) = schema.as_object_mut() else { return };
        for key in ["anyOf", "oneOf"] {
            let Some(branches) = map.get(key).and_then(Value::as_array) else { continue };
            if branches.len() < 2 || !branches.iter().all(is_string_enum) {
                continue;
            }
            let mut values: Vec<Value> = Vec::new();
            let mut nullable = false;
            for branch in branches {
                nullable |= branch.get("nullable") == Some(&Value::Bool(true));
                for value in branch.get("enum").and_then(Value::as_array).into_iter().flatten() {
                    if !values.contains(value) {
                        values.push(value.clone());
                    }
                }
            }
            let count = branches.len();
            map.remove(key);
            map.insert("type".into(), Value::String("string".into()));
            map.insert("enum".into(), Value::Array(values));
            if nullable {
                map.insert("nullable".into(), Value::Bool(true));
            }
            changes.edit(spot, format!("{key} of {count} string enums merged into one enum"));
        }
    });
}

fn is_string_enum(branch: &Value) -> bool {
    let Some(map): Option<&Map<String, Value>> = branch.as_object() else { return false };
    let typed_as_string = map.get("type").is_none_or(|t| t == "string");
    let values_are_strings =
        map.get("enum").and_then(Value::as_array).is_some_and(|e| !e.is_empty() && e.iter().all(Value::is_string));
    typed_as_string
        && values_are_strings
        && map.keys().all(|k| matches!(k.as_str(), "type" | "enum" | "nullable") || DOC_KEYS.contains(&k.as_str()))
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn union_of_string_enums_becomes_one_enum() {
        let changes = check(
            run,
            r#"
paths:
  /models:
    get:
      operationId: listModels
      parameters:
        - name: type
          in: query
          schema:
            description: Model kind
            anyOf:
              - {type: string, enum: [text, image]}
              - {type: string, enum: [all, text]}
"#,
            r#"
paths:
  /models:
    get:
      operationId: listModels
      parameters:
        - name: type
          in: query
          schema: {description: Model kind, type: string, enum: [text, image, all]}
"#,
        );
        assert_eq!(
            lines(&changes),
            ["operation listModels › parameter type: anyOf of 2 string enums merged into one enum"]
        );
    }

    #[test]
    fn union_with_a_non_enum_branch_is_left_alone() {
        let input = "components:\n  schemas:\n    A:\n      anyOf: [{type: string, enum: [a]}, {type: string, pattern: '^x'}]\n";
        assert!(check(run, input, input).edits.is_empty());
    }
}

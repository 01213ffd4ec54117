//! Turns an `anyOf`/`oneOf` whose branches are all strings, at least one of them free text
//! (a pattern, a format, or no constraint), into one plain string.
//!
//! Quirk: Venice's `expiresAt` on creating, updating and minting a key is `anyOf: [{enum:
//! [""]}, {pattern: date}, {pattern: date-time}]`. typify makes that a struct of three
//! flattened optional parts, which cannot be built from a string and does not serialize as
//! one: the facade could not set an expiry at all. Every branch is a string, so the value is
//! a string; the patterns stay in the description's hands (typify would not check a union of
//! patterns anyway). Unions of string *enums* alone are `merge_enum_unions`' business.

use serde_json::{Map, Value};

use super::{Changes, DOC_KEYS};
use crate::walk::for_each_schema;

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_schema(spec, &mut |spot, schema| {
        let Some(map) = schema.as_object_mut() else { return };
        for key in ["anyOf", "oneOf"] {
            let Some(branches) = map.get(key).and_then(Value::as_array) else { continue };
            if branches.len() < 2 || !branches.iter().all(is_string_branch) || branches.iter().all(is_enum) {
                continue;
            }
            let nullable = branches.iter().any(|b| b.get("nullable") == Some(&Value::Bool(true)));
            let count = branches.len();
            map.remove(key);
            map.insert("type".into(), Value::String("string".into()));
            if nullable {
                map.insert("nullable".into(), Value::Bool(true));
            }
            changes.edit(spot, format!("{key} of {count} string forms merged into one string"));
        }
    });
}

/// A branch that says only "a string" (possibly constrained), nothing about other types.
fn is_string_branch(branch: &Value) -> bool {
    let Some(map): Option<&Map<String, Value>> = branch.as_object() else { return false };
    map.get("type").is_some_and(|t| t == "string")
        && map.get("enum").and_then(Value::as_array).is_none_or(|e| e.iter().all(Value::is_string))
        && map.keys().all(|k| {
            matches!(k.as_str(), "type" | "enum" | "pattern" | "format" | "minLength" | "maxLength" | "nullable")
                || DOC_KEYS.contains(&k.as_str())
        })
}

fn is_enum(branch: &Value) -> bool {
    branch.get("enum").is_some()
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn union_of_empty_string_date_and_date_time_becomes_a_string() {
        let changes = check(
            run,
            r#"
components:
  schemas:
    Key:
      properties:
        expiresAt:
          description: When the key expires
          anyOf:
            - {type: string, enum: [""]}
            - {type: string, pattern: '^\d{4}-\d{2}-\d{2}$'}
            - {type: string, pattern: '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$'}
"#,
            r#"
components:
  schemas:
    Key:
      properties:
        expiresAt: {description: When the key expires, type: string}
"#,
        );
        assert_eq!(lines(&changes), ["schema Key › expiresAt: anyOf of 3 string forms merged into one string"]);
    }

    #[test]
    fn a_nullable_branch_makes_the_string_nullable() {
        check(
            run,
            "components:\n  schemas:\n    A:\n      oneOf: [{type: string, format: date}, {type: string, nullable: true}]\n",
            "components:\n  schemas:\n    A: {type: string, nullable: true}\n",
        );
    }

    #[test]
    fn unions_with_other_types_or_only_enums_are_left_alone() {
        for input in [
            "components:\n  schemas:\n    A:\n      anyOf: [{type: string}, {type: number}]\n",
            "components:\n  schemas:\n    A:\n      anyOf: [{type: string, enum: [a]}, {type: string, enum: [b]}]\n",
            "components:\n  schemas:\n    A:\n      anyOf: [{type: string}, {$ref: '#/components/schemas/B'}]\n",
        ] {
            assert!(check(run, input, input).edits.is_empty(), "{input}");
        }
    }
}

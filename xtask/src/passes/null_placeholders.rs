//! Folds null placeholders out of `anyOf`/`oneOf` lists into `nullable: true`.
//!
//! Quirk: Venice writes optional numbers as `anyOf: [{type: number}, {nullable: true,
//! title: 'null'}, {nullable: true, title: 'null'}]` (the API key consumption limits, 31
//! places in all). typify reads a shapeless branch as "any value" and makes a struct of
//! flattened optional fields that compiles, then fails to decode `{"usd": 50}` at run time.
//! The placeholders are dropped: one real branch left is merged into its parent (a `$ref`
//! is wrapped in `allOf`, since 3.0 ignores siblings of `$ref`), several stay an `anyOf`,
//! and the result is `nullable: true`.

use serde_json::{Map, Value};

use super::{Changes, DOC_KEYS};
use crate::walk::for_each_schema;

/// A branch that only says "null is allowed": `nullable: true` plus documentation, or
/// `enum: [null]`.
pub(super) fn is_null_placeholder(branch: &Value) -> bool {
    let Some(map) = branch.as_object() else { return false };
    if map.get("enum").and_then(Value::as_array).is_some_and(|e| e.iter().all(Value::is_null)) {
        return map.keys().all(|k| k == "enum" || k == "nullable" || DOC_KEYS.contains(&k.as_str()));
    }
    map.get("nullable") == Some(&Value::Bool(true))
        && map.keys().all(|k| k == "nullable" || DOC_KEYS.contains(&k.as_str()))
}

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_schema(spec, &mut |spot, schema| {
        let Some(map) = schema.as_object_mut() else { return };
        for key in ["anyOf", "oneOf"] {
            let Some(branches) = map.get(key).and_then(Value::as_array) else { continue };
            let placeholders = branches.iter().filter(|b| is_null_placeholder(b)).count();
            if placeholders == 0 {
                continue;
            }
            let real: Vec<Value> = branches.iter().filter(|b| !is_null_placeholder(b)).cloned().collect();
            map.remove(key);
            match real.len() {
                0 => {}
                1 => merge_into(map, real.into_iter().next().unwrap_or_default()),
                _ => {
                    map.insert(key.into(), Value::Array(real));
                }
            }
            map.insert("nullable".into(), Value::Bool(true));
            changes.edit(spot, format!("{placeholders} null placeholder(s) in {key} folded into nullable"));
        }
    });
}

/// Puts `branch`'s shape into `parent`, keeping the parent's own documentation.
fn merge_into(parent: &mut Map<String, Value>, branch: Value) {
    let Value::Object(branch) = branch else { return };
    if branch.contains_key("$ref") {
        parent.insert("allOf".into(), Value::Array(vec![Value::Object(branch)]));
        return;
    }
    for (key, value) in branch {
        parent.entry(key).or_insert(value);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn placeholders_next_to_one_type_become_a_nullable_type() {
        let changes = check(
            run,
            r#"
components:
  schemas:
    Limits:
      type: object
      properties:
        usd:
          description: USD cap
          anyOf:
            - {type: number, minimum: 0}
            - {nullable: true, title: 'null'}
            - {nullable: true, title: 'null'}
"#,
            r#"
components:
  schemas:
    Limits:
      type: object
      properties:
        usd: {description: USD cap, type: number, minimum: 0, nullable: true}
"#,
        );
        assert_eq!(lines(&changes), ["schema Limits › usd: 2 null placeholder(s) in anyOf folded into nullable"]);
    }

    #[test]
    fn placeholder_next_to_a_ref_wraps_the_ref_in_all_of() {
        check(
            run,
            "components:\n  schemas:\n    A:\n      oneOf:\n        - $ref: '#/components/schemas/B'\n        - {nullable: true}\n",
            "components:\n  schemas:\n    A:\n      allOf:\n        - $ref: '#/components/schemas/B'\n      nullable: true\n",
        );
    }

    #[test]
    fn several_real_branches_stay_a_union() {
        check(
            run,
            "components:\n  schemas:\n    A:\n      anyOf: [{type: string}, {type: integer}, {enum: [null]}]\n",
            "components:\n  schemas:\n    A:\n      anyOf: [{type: string}, {type: integer}]\n      nullable: true\n",
        );
    }

    #[test]
    fn a_union_without_placeholders_is_left_alone() {
        let changes = check(
            run,
            "components:\n  schemas:\n    A:\n      anyOf: [{type: string}, {type: integer, nullable: true}]\n",
            "components:\n  schemas:\n    A:\n      anyOf: [{type: string}, {type: integer, nullable: true}]\n",
        );
        assert!(changes.edits.is_empty());
    }
}

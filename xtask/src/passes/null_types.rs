//! Rewrites JSON-Schema-style null types into OpenAPI 3.0's `nullable`.
//!
//! Quirk: specs exported from zod or pydantic carry OpenAPI 3.1 forms in a 3.0 document:
//! `type: 'null'` on its own, or `type: [string, 'null']`. The 3.0 parser rejects both.
//! `type: [T, 'null']` becomes `type: T, nullable: true`; a lone `type: 'null'` becomes a
//! null placeholder (`nullable: true` and nothing else), which the next pass folds into the
//! `anyOf` it usually sits in.

use serde_json::Value;

use super::Changes;
use crate::walk::for_each_schema;

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_schema(spec, &mut |spot, schema| {
        let Some(map) = schema.as_object_mut() else { return };
        match map.get("type") {
            Some(Value::String(t)) if t == "null" => {
                map.remove("type");
                map.insert("nullable".into(), Value::Bool(true));
                changes.edit(spot, "type: 'null' became a null placeholder");
            }
            Some(Value::Array(types)) => {
                let nullable = types.iter().any(|t| t == "null");
                let rest: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
                match rest.as_slice() {
                    [] => {
                        map.remove("type");
                    }
                    [single] => {
                        map.insert("type".into(), single.clone());
                    }
                    _ => {
                        let branches = rest.into_iter().map(|t| serde_json::json!({ "type": t })).collect();
                        map.remove("type");
                        map.insert("anyOf".into(), Value::Array(branches));
                    }
                }
                if nullable {
                    map.insert("nullable".into(), Value::Bool(true));
                }
                changes.edit(spot, "type list became a single type with nullable");
            }
            _ => {}
        }
    });
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn lone_null_type_becomes_a_placeholder() {
        let changes = check(
            run,
            "components:\n  schemas:\n    A:\n      anyOf:\n        - type: string\n        - type: 'null'\n",
            "components:\n  schemas:\n    A:\n      anyOf:\n        - type: string\n        - nullable: true\n",
        );
        assert_eq!(lines(&changes), ["schema A › anyOf[1]: type: 'null' became a null placeholder"]);
    }

    #[test]
    fn type_list_with_null_becomes_nullable() {
        check(
            run,
            "components:\n  schemas:\n    A: {type: [integer, 'null'], minimum: 0}\n",
            "components:\n  schemas:\n    A: {type: integer, nullable: true, minimum: 0}\n",
        );
    }
}

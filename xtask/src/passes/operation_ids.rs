//! Gives every operation an `operationId`.
//!
//! Quirk: Venice publishes `GET /image/styles` without one, and progenitor names methods
//! and types after the operationId (it unwraps it and panics when it is missing). The
//! derived id is the method plus the path's words in lower camel case, so it is stable
//! across regenerations: `GET /image/styles` becomes `getImageStyles`, and a path
//! parameter `{id}` becomes `ById`.

use std::collections::BTreeSet;

use heck::ToLowerCamelCase;
use serde_json::Value;

use super::Changes;
use crate::walk::{Spot, for_each_operation};

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    let mut taken = BTreeSet::new();
    for_each_operation(spec, |key, _| {
        if let Some(id) = &key.id {
            taken.insert(id.clone());
        }
    });
    for_each_operation(spec, |key, operation| {
        if key.id.is_some() {
            return;
        }
        let base = derive(&key.method, &key.path);
        let mut id = base.clone();
        let mut n = 2;
        while taken.contains(&id) {
            id = format!("{base}{n}");
            n += 1;
        }
        taken.insert(id.clone());
        changes.edit(&Spot::new(format!("operation {}", key.label())), format!("operationId set to {id}"));
        operation.insert("operationId".into(), Value::String(id));
    });
}

fn derive(method: &str, path: &str) -> String {
    let mut words = vec![method.to_string()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => words.push(format!("by {param}")),
            None => words.push(segment.to_string()),
        }
    }
    words.join(" ").to_lower_camel_case()
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn missing_operation_id_is_derived_from_method_and_path() {
        let changes = check(
            run,
            "paths:\n  /image/styles:\n    get: {responses: {}}\n  /api_keys/{id}:\n    delete: {responses: {}}\n",
            "paths:\n  /image/styles:\n    get: {operationId: getImageStyles, responses: {}}\n  /api_keys/{id}:\n    delete: {operationId: deleteApiKeysById, responses: {}}\n",
        );
        assert_eq!(
            lines(&changes),
            [
                "operation DELETE /api_keys/{id}: operationId set to deleteApiKeysById",
                "operation GET /image/styles: operationId set to getImageStyles",
            ]
        );
    }

    #[test]
    fn derived_id_never_collides_with_an_existing_one() {
        check(
            run,
            "paths:\n  /a:\n    get: {operationId: getB, responses: {}}\n  /b:\n    get: {responses: {}}\n",
            "paths:\n  /a:\n    get: {operationId: getB, responses: {}}\n  /b:\n    get: {operationId: getB2, responses: {}}\n",
        );
    }
}

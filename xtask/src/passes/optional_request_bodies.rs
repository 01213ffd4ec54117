//! Makes every request body explicitly required.
//!
//! Quirk: Venice leaves `requestBody.required` unset on bodies the server cannot do without
//! (creating an API key) and sets it to `false` on `POST /x402/top-up`, whose empty POST
//! asks for payment requirements. progenitor treats every body as required whatever the
//! flag says (an unset builder body sends the type's default, `{}`). Writing
//! `required: true` makes the spec say what the generated code does; the report lists the
//! bodies that were declared optional so the facade can offer the body-less call.

use serde_json::Value;

use super::Changes;
use crate::walk::{Spot, for_each_operation};

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_operation(spec, |key, operation| {
        let Some(body) = operation.get_mut("requestBody").and_then(Value::as_object_mut) else { return };
        if body.contains_key("$ref") {
            return;
        }
        let note = match body.get("required") {
            Some(Value::Bool(true)) => return,
            Some(Value::Bool(false)) => "declared optional: the generated call always sends one (`{}` by default)",
            _ => "required left unset: treated as required",
        };
        body.insert("required".into(), Value::Bool(true));
        changes.edit(&Spot::new(format!("operation {}", key.label())).child("request body"), note);
    });
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn optional_and_unset_bodies_become_required_and_are_told_apart() {
        let changes = check(
            run,
            "paths:\n  /top-up:\n    post:\n      operationId: topUp\n      requestBody: {required: false, content: {}}\n  /keys:\n    post:\n      operationId: create\n      requestBody: {content: {}}\n",
            "paths:\n  /top-up:\n    post:\n      operationId: topUp\n      requestBody: {required: true, content: {}}\n  /keys:\n    post:\n      operationId: create\n      requestBody: {required: true, content: {}}\n",
        );
        assert_eq!(
            lines(&changes),
            [
                "operation create › request body: required left unset: treated as required",
                "operation topUp › request body: declared optional: the generated call always sends one (`{}` by default)",
            ]
        );
    }
}

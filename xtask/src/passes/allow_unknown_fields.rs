//! Removes `additionalProperties: false`, so generated types accept fields they do not know.
//!
//! Quirk: Venice marks most response objects `additionalProperties: false` (the API key
//! list, the key it creates, the rate-limit log). typify turns that into
//! `#[serde(deny_unknown_fields)]`, and the first field the server adds after a release
//! would make every such response fail to decode in every deployed client. A client must
//! tolerate growth; the server, not the client, validates requests.

use serde_json::Value;

use super::Changes;
use crate::walk::for_each_schema;

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_schema(spec, &mut |spot, schema| {
        let Some(map) = schema.as_object_mut() else { return };
        if map.get("additionalProperties") == Some(&Value::Bool(false)) {
            map.remove("additionalProperties");
            changes.edit(spot, "unknown fields tolerated");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn closed_object_is_opened() {
        let changes = check(
            run,
            "components:\n  schemas:\n    Key:\n      type: object\n      additionalProperties: false\n      properties:\n        limits: {type: object, additionalProperties: false}\n        tags: {type: object, additionalProperties: {type: string}}\n",
            "components:\n  schemas:\n    Key:\n      type: object\n      properties:\n        limits: {type: object}\n        tags: {type: object, additionalProperties: {type: string}}\n",
        );
        assert_eq!(
            lines(&changes),
            ["schema Key › limits: unknown fields tolerated", "schema Key: unknown fields tolerated"]
        );
    }
}

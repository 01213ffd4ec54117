//! Makes an `anyOf` of objects told apart by a one-value property a `oneOf`, so it becomes a
//! real Rust enum.
//!
//! Quirk: Venice writes the chat messages as `anyOf` of five objects, each with a required
//! `role` whose `enum` holds one value (`user`, `assistant`, `tool`, `system`, `developer`).
//! `anyOf` allows several branches to match at once, so typify makes it a struct of five
//! optional flattened parts (`subtype_0: Option<UserMessage>`, ...) that callers fill with
//! `..Default::default()` and that decodes a message into every part it fits. Branches with
//! distinct values of one required property cannot both match: the union is in fact a
//! `oneOf`, and typify then makes it an enum tagged by that property
//! (`#[serde(tag = "role")]`, variants `User`, `Assistant`, ...).
//!
//! Only inline object branches count (typify reads a tagged enum from them, not through a
//! `$ref`); each must have the property, require it, and give it one string value of its own.

use serde_json::Value;

use super::Changes;
use crate::walk::for_each_schema;

/// Marks the tag property of each branch, so that later passes leave it where typify sees
/// it (behind a shared `$ref` it would no longer read the union as tagged).
pub(crate) const TAG: &str = "x-venice-rs-union-tag";

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_schema(spec, &mut |spot, schema| {
        let Some(map) = schema.as_object_mut() else { return };
        let key = if map.contains_key("anyOf") { "anyOf" } else { "oneOf" };
        let Some(branches) = map.get(key).and_then(Value::as_array) else { return };
        let Some(tag) = discriminator(branches) else { return };
        let mut branches = map.remove(key).unwrap_or_default();
        for branch in branches.as_array_mut().into_iter().flatten() {
            if let Some(property) = branch.pointer_mut(&format!("/properties/{}", crate::walk::escape_pointer(&tag))) {
                property.as_object_mut().map(|p| p.insert(TAG.into(), Value::Bool(true)));
            }
        }
        map.insert("oneOf".into(), branches);
        if key == "anyOf" {
            changes.edit(spot, format!("anyOf told apart by `{tag}`: oneOf"));
        }
    });
}

/// The property whose one value tells every branch apart, if there is one (the first in name
/// order when several do).
fn discriminator(branches: &[Value]) -> Option<String> {
    if branches.len() < 2 {
        return None;
    }
    let first = branches[0].get("properties")?.as_object()?;
    first
        .keys()
        .find(|name| {
            let values: Option<Vec<&str>> = branches.iter().map(|branch| tag_value(branch, name)).collect();
            values.is_some_and(|values| {
                let mut distinct = values.clone();
                distinct.sort_unstable();
                distinct.dedup();
                distinct.len() == values.len()
            })
        })
        .cloned()
}

/// The single string value `branch` gives its required property `name`.
fn tag_value<'a>(branch: &'a Value, name: &str) -> Option<&'a str> {
    let object = branch.as_object()?;
    if object.contains_key("$ref") {
        return None;
    }
    let required = object.get("required")?.as_array()?;
    if !required.iter().any(|r| r.as_str() == Some(name)) {
        return None;
    }
    let property = object.get("properties")?.get(name)?;
    if let Some(value) = property.get("const").and_then(Value::as_str) {
        return Some(value);
    }
    match property.get("enum")?.as_array()?.as_slice() {
        [Value::String(value)] => Some(value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    const MESSAGE: &str = r#"
components:
  schemas:
    Message:
      anyOf:
        - type: object
          required: [role, content]
          properties:
            role: {type: string, enum: [user]}
            content: {type: string}
        - type: object
          required: [role]
          properties:
            role: {type: string, enum: [assistant]}
"#;

    #[test]
    fn branches_with_one_role_each_become_a_one_of_with_their_tag_marked() {
        let expected = MESSAGE
            .replace("anyOf:", "oneOf:")
            .replace("enum: [user]}", "enum: [user], x-venice-rs-union-tag: true}")
            .replace("enum: [assistant]}", "enum: [assistant], x-venice-rs-union-tag: true}");
        let changes = check(run, MESSAGE, &expected);
        assert_eq!(lines(&changes), ["schema Message: anyOf told apart by `role`: oneOf"]);
    }

    #[test]
    fn a_branch_without_the_property_required_keeps_the_any_of() {
        let input = MESSAGE.replace("          required: [role]\n", "");
        assert!(check(run, &input, &input).edits.is_empty());
    }

    #[test]
    fn a_property_with_several_values_or_a_repeated_value_tells_nothing_apart() {
        let several = MESSAGE.replace("enum: [assistant]", "enum: [assistant, tool]");
        assert!(check(run, &several, &several).edits.is_empty());
        let repeated = MESSAGE.replace("enum: [assistant]", "enum: [user]");
        assert!(check(run, &repeated, &repeated).edits.is_empty());
    }

    #[test]
    fn a_referenced_branch_keeps_the_any_of() {
        let input = "components:\n  schemas:\n    A: {anyOf: [{$ref: '#/components/schemas/B'}, {$ref: '#/components/schemas/C'}]}\n";
        assert!(check(run, input, input).edits.is_empty());
    }
}

//! Makes an `anyOf` whose branches cannot match the same value a `oneOf`, so it becomes a Rust
//! enum; string-enum branches are joined into one, and one catch-all object branch is kept
//! last.
//!
//! Quirk: Venice's Responses API writes its tool definitions as `anyOf` of seven objects: six
//! tell themselves apart by a one-value `type` (`function`, `web_search`, …) and the seventh,
//! "Generic Tool", takes any `type`; and its `tool_choice` as `anyOf` of three one-value
//! string enums (`auto`, `none`, `required`) and an object. `discriminated_unions` cannot
//! read a tag from either (the generic branch has no value of its own; strings have no
//! properties), so typify made each a struct of optional flattened parts (`subtype_0` …
//! `subtype_6`) built with `..Default::default()`. The branches exclude each other (different
//! JSON types, disjoint string values, distinct one-value properties), except that the
//! catch-all also fits what the others fit: tried last, as an untagged enum tries its
//! variants in order, it only takes what no other branch reads. So the union is a `oneOf`
//! (the string enums joined into one enum branch first, the catch-all moved last), and typify
//! makes an enum of it.

use serde_json::{Map, Value};

use super::Changes;
use crate::walk::for_each_schema;

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_schema(spec, &mut |spot, schema| {
        let Some(map) = schema.as_object_mut() else { return };
        let Some(branches) = map.get("anyOf").and_then(Value::as_array) else { return };
        let Some(union) = exclusive(branches) else { return };
        let count = branches.len();
        map.remove("anyOf");
        map.insert("oneOf".into(), Value::Array(union));
        changes.edit(spot, format!("anyOf of {count} branches that exclude each other: oneOf"));
    });
}

/// The branches as a `oneOf`, when they exclude each other: string enums joined into one
/// branch, a catch-all object moved last. `None` when two branches may read the same value.
fn exclusive(branches: &[Value]) -> Option<Vec<Value>> {
    if branches.len() < 2 || branches.iter().any(|b| b.get("$ref").is_some() || b.get("nullable").is_some()) {
        return None;
    }
    let mut strings: Vec<Value> = Vec::new();
    let mut objects: Vec<&Value> = Vec::new();
    let mut others: Vec<&Value> = Vec::new();
    for branch in branches {
        match json_type(branch)? {
            "string" => {
                let values = branch.get("enum")?.as_array()?;
                if !values.iter().all(Value::is_string) {
                    return None;
                }
                for value in values {
                    if strings.contains(value) {
                        return None;
                    }
                    strings.push(value.clone());
                }
            }
            "object" => objects.push(branch),
            _ => others.push(branch),
        }
    }
    // Other JSON types exclude strings and objects; two of one type could overlap.
    let mut types: Vec<&str> = others.iter().filter_map(|b| json_type(b)).collect();
    types.sort_unstable();
    if types.windows(2).any(|pair| pair[0] == pair[1]) {
        return None;
    }
    let (tagged, catch_all) = split_objects(&objects)?;
    if strings.is_empty() && others.is_empty() && catch_all.is_none() {
        // Objects alone, all tagged: `discriminated_unions` makes that a tagged enum.
        return None;
    }
    let mut union = Vec::new();
    if !strings.is_empty() {
        let mut joined = Map::new();
        joined.insert("type".into(), "string".into());
        joined.insert("enum".into(), Value::Array(strings));
        union.push(Value::Object(joined));
    }
    union.extend(tagged.into_iter().cloned());
    union.extend(others.into_iter().cloned());
    union.extend(catch_all.cloned());
    // String enums alone are `merge_enum_unions`' business.
    (union.len() >= 2).then_some(union)
}

/// The object branches told apart by one property with one string value each, and at most
/// one catch-all (the same property required, any string); `None` when they may overlap.
fn split_objects<'a>(objects: &[&'a Value]) -> Option<(Vec<&'a Value>, Option<&'a Value>)> {
    if objects.len() < 2 {
        return Some((objects.to_vec(), None));
    }
    let names: Vec<&String> =
        objects.iter().filter_map(|o| o.get("properties")?.as_object()).flat_map(|p| p.keys()).collect();
    for name in names {
        let mut values = Vec::new();
        let mut tagged = Vec::new();
        let mut catch_all = None;
        let mut fits = true;
        for object in objects {
            match tag(object, name) {
                Some(Tag::Value(value)) if !values.contains(&value) => {
                    values.push(value);
                    tagged.push(*object);
                }
                Some(Tag::Any) if catch_all.is_none() => catch_all = Some(*object),
                _ => {
                    fits = false;
                    break;
                }
            }
        }
        if fits && !tagged.is_empty() {
            return Some((tagged, catch_all));
        }
    }
    None
}

enum Tag<'a> {
    Value(&'a str),
    Any,
}

/// What `object` requires of its property `name`: one string value, or any string.
fn tag<'a>(object: &'a Value, name: &str) -> Option<Tag<'a>> {
    let required = object.get("required")?.as_array()?;
    if !required.iter().any(|r| r.as_str() == Some(name)) {
        return None;
    }
    let property = object.get("properties")?.get(name)?;
    if let Some(value) = property.get("const").and_then(Value::as_str) {
        return Some(Tag::Value(value));
    }
    match property.get("enum").and_then(Value::as_array).map(Vec::as_slice) {
        Some([Value::String(value)]) => Some(Tag::Value(value)),
        Some(_) => None,
        None if property.get("type").and_then(Value::as_str) == Some("string") => Some(Tag::Any),
        None => None,
    }
}

/// The JSON type a branch states (`object` when it has properties and no type).
fn json_type(branch: &Value) -> Option<&str> {
    match branch.get("type").and_then(Value::as_str) {
        Some(kind) => Some(kind),
        None if branch.get("properties").is_some() => Some("object"),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    const TOOLS: &str = r#"
components:
  schemas:
    Tool:
      anyOf:
        - type: object
          title: Generic Tool
          required: [type]
          properties:
            type: {type: string}
        - type: object
          title: Function Tool
          required: [type, name]
          properties:
            type: {type: string, enum: [function]}
            name: {type: string}
        - type: object
          title: Web Search Tool
          required: [type]
          properties:
            type: {type: string, enum: [web_search]}
"#;

    #[test]
    fn tagged_objects_and_a_catch_all_become_a_one_of_with_the_catch_all_last() {
        let expected = r#"
components:
  schemas:
    Tool:
      oneOf:
        - type: object
          title: Function Tool
          required: [type, name]
          properties:
            type: {type: string, enum: [function]}
            name: {type: string}
        - type: object
          title: Web Search Tool
          required: [type]
          properties:
            type: {type: string, enum: [web_search]}
        - type: object
          title: Generic Tool
          required: [type]
          properties:
            type: {type: string}
"#;
        let changes = check(run, TOOLS, expected);
        assert_eq!(lines(&changes), ["schema Tool: anyOf of 3 branches that exclude each other: oneOf"]);
    }

    #[test]
    fn string_values_and_an_object_become_a_one_of_with_the_strings_joined() {
        let input = r#"
components:
  schemas:
    Choice:
      anyOf:
        - {type: string, enum: [auto]}
        - {type: string, enum: [none]}
        - type: object
          required: [type]
          properties:
            type: {type: string, enum: [function]}
"#;
        let expected = r#"
components:
  schemas:
    Choice:
      oneOf:
        - {type: string, enum: [auto, none]}
        - type: object
          required: [type]
          properties:
            type: {type: string, enum: [function]}
"#;
        check(run, input, expected);
    }

    #[test]
    fn two_catch_alls_or_a_repeated_value_may_overlap_and_stay_any_of() {
        let two = TOOLS.replace("enum: [web_search]", "minLength: 1");
        assert!(check(run, &two, &two).edits.is_empty());
        let repeated = TOOLS.replace("enum: [web_search]", "enum: [function]");
        assert!(check(run, &repeated, &repeated).edits.is_empty());
    }

    #[test]
    fn a_repeated_string_value_or_a_free_string_stays_any_of() {
        let repeated =
            "components:\n  schemas:\n    A: {anyOf: [{type: string, enum: [a]}, {type: string, enum: [a]}]}\n";
        assert!(check(run, repeated, repeated).edits.is_empty());
        let free = "components:\n  schemas:\n    A: {anyOf: [{type: string}, {type: object, properties: {}}]}\n";
        assert!(check(run, free, free).edits.is_empty());
    }

    #[test]
    fn tagged_objects_alone_are_left_to_discriminated_unions() {
        let tagged =
            TOOLS.replace("            type: {type: string}\n", "            type: {type: string, enum: [other]}\n");
        assert!(check(run, &tagged, &tagged).edits.is_empty());
    }
}

//! Reports the Rust names that enum values which are not identifiers will get.
//!
//! Quirk: Venice's enums hold values such as `-1`, `1 gen`, `16:9`, `1024x1024` and the
//! empty string. typify invents names for them (`minus1`, `X1Gen`, `X169`, `X`; the first is not even upper camel case). The spec
//! is not changed; the report lists each such value with its name, so a reviewer sees in
//! the PR how a new value will read before users do.

use serde_json::Value;

use super::Changes;
use super::naming::{is_identifier_like, variant_names};
use crate::walk::for_each_schema;

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_schema(spec, &mut |spot, schema| {
        let Some(values) = schema.get("enum").and_then(Value::as_array) else { return };
        let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        if strings.len() != values.len() || strings.iter().all(|v| is_identifier_like(v)) {
            return;
        }
        let names = variant_names(&strings);
        let shown: Vec<String> = strings
            .iter()
            .zip(&names)
            .filter(|(value, _)| !is_identifier_like(value))
            .map(|(value, name)| format!("{value:?} -> {name}"))
            .collect();
        changes.edit(spot, format!("variant names: {}", shown.join(", ")));
    });
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn non_identifier_values_are_listed_with_their_names_and_the_spec_is_unchanged() {
        let input = "components:\n  schemas:\n    Duration: {type: string, enum: ['-1', '1 gen', auto]}\n";
        let changes = check(run, input, input);
        assert_eq!(lines(&changes), [r#"schema Duration: variant names: "-1" -> minus1, "1 gen" -> X1Gen"#]);
    }
}

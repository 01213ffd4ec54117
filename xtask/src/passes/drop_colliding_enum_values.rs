//! Drops enum values whose Rust variant name would repeat an earlier value's.
//!
//! Quirk: Venice's video `duration` enum lists both `auto` and `Auto`. typify names both
//! `Auto`, fails to make them distinct and panics ("Failed to make unique variant names").
//! The later spelling is dropped: the values are request inputs, and the server accepts
//! the one kept, so nothing a caller can express is lost. Each drop is reported.

use serde_json::Value;

use super::Changes;
use super::naming::{all_distinct, variant_names};
use crate::walk::for_each_schema;

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_schema(spec, &mut |spot, schema| {
        let Some(values) = schema.get_mut("enum").and_then(Value::as_array_mut) else { return };
        let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        if strings.len() != values.len() || all_distinct(&variant_names(&strings)) {
            return;
        }
        let mut kept: Vec<Value> = Vec::new();
        let mut dropped = Vec::new();
        for value in values.iter() {
            let mut candidate: Vec<&str> = kept.iter().filter_map(Value::as_str).collect();
            candidate.extend(value.as_str());
            if all_distinct(&variant_names(&candidate)) {
                kept.push(value.clone());
            } else {
                dropped.push(value.as_str().unwrap_or_default().to_string());
            }
        }
        *values = kept;
        changes.edit(spot, format!("dropped {dropped:?}: same Rust name as an earlier value"));
    });
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn later_case_twin_is_dropped() {
        let changes = check(
            run,
            "components:\n  schemas:\n    Duration: {type: string, enum: ['5s', auto, Auto, '-1']}\n",
            "components:\n  schemas:\n    Duration: {type: string, enum: ['5s', auto, '-1']}\n",
        );
        assert_eq!(lines(&changes), [r#"schema Duration: dropped ["Auto"]: same Rust name as an earlier value"#]);
    }

    #[test]
    fn distinct_names_are_left_alone() {
        let input = "components:\n  schemas:\n    Size: {type: string, enum: ['1024x1024', '16:9', a_b]}\n";
        assert!(check(run, input, input).edits.is_empty());
    }
}

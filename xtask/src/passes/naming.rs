//! The Rust names typify gives enum values, reproduced so passes can predict collisions
//! and the report can show how non-identifier values will read.

use heck::ToPascalCase;
use unicode_ident::{is_xid_continue, is_xid_start};

/// The variant names typify derives for `values`, in order: a first, plain attempt, and
/// when that collides a second one that spells elided characters as `X`.
pub(crate) fn variant_names(values: &[&str]) -> Vec<String> {
    let plain: Vec<String> = values.iter().map(|v| sanitize(v)).collect();
    if all_distinct(&plain) {
        return plain;
    }
    values.iter().map(|v| sanitize(&v.replace(|c: char| c == '_' || !is_xid_continue(c), "X"))).collect()
}

/// Whether every name in `names` is different.
pub(crate) fn all_distinct(names: &[String]) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    names.iter().all(|n| seen.insert(n))
}

fn sanitize(input: &str) -> String {
    let out = match input {
        // typify spells these two literally, without recasing them.
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => input.replace('\'', "").replace(|c: char| !is_xid_continue(c), "-").to_pascal_case(),
    };
    match out.chars().next() {
        None => "X".to_string(),
        Some(c) if is_xid_start(c) => out,
        Some(_) => format!("X{out}"),
    }
}

/// Whether `value` is already a plain identifier, so its variant name is unsurprising.
pub(crate) fn is_identifier_like(value: &str) -> bool {
    let mut chars = value.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_typify_for_awkward_values() {
        assert_eq!(
            variant_names(&["-1", "1 gen", "1s", "", "16:9", "chat.completion"]),
            ["minus1", "X1Gen", "X1s", "X", "X169", "ChatCompletion"]
        );
    }

    #[test]
    fn case_twins_collide_even_on_the_second_attempt() {
        let names = variant_names(&["auto", "Auto"]);
        assert!(!all_distinct(&names));
    }
}

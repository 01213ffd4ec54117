//! Runs one pass over a YAML fragment and compares with the expected YAML.

use super::Changes;
use serde_json::Value;

pub(crate) fn yaml(text: &str) -> Value {
    crate::spec::parse_yaml(text).expect("fixture YAML parses")
}

/// Runs `pass` on `input`, asserts the result equals `expected`, returns the log.
pub(crate) fn check(pass: fn(&mut Value, &mut Changes), input: &str, expected: &str) -> Changes {
    let mut spec = yaml(input);
    let mut changes = Changes::default();
    pass(&mut spec, &mut changes);
    let expected = yaml(expected);
    assert_eq!(
        spec,
        expected,
        "\n--- got ---\n{}\n--- expected ---\n{}",
        serde_yaml_ng::to_string(&spec).unwrap(),
        serde_yaml_ng::to_string(&expected).unwrap()
    );
    changes
}

/// The changes' spots and notes as `spot: note` lines.
pub(crate) fn lines(changes: &Changes) -> Vec<String> {
    changes.edits.iter().map(|(spot, what)| format!("{spot}: {what}")).collect()
}

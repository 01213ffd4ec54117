//! Gives every operation the cargo feature it is compiled under (`x-venice-feature`), from
//! its first tag, and reports which tag maps to which feature.
//!
//! Quirk: a feature is a name users write in their `Cargo.toml`, a tag is a label Venice may
//! rename at any time (`Responses (Alpha)` will lose its suffix one day). Deriving the one from
//! the other alone would let an upstream rename silently rename a feature and break every
//! user naming it.
//!
//! Decision: a tag our spec declares (top-level `tags`) with `x-venice-rs-feature: NAME` maps
//! to `NAME`: that pin is the only place to change a feature's name, and `spec sync` keeps it
//! for as long as the tag exists. A tag without a pin gets a feature by the rule of
//! [`crate::features::feature_of_tag`]: the kebab case of its name before any parenthesis
//! (`API Keys` -> `api-keys`, `Responses (Alpha)` -> `responses`); an operation without tags
//! gets `untagged`. The report says which rule each tag went by. A new or renamed tag upstream
//! thus comes with an unpinned feature, which `regen` refuses until `venice-api-gen` declares
//! it, and which the workspace test `every_tag_that_gives_a_feature_pins_it` refuses until the
//! tag is pinned (to the old feature, for a rename).

use std::collections::BTreeMap;

use serde_json::Value;

use super::Changes;
use crate::features::{UNTAGGED, feature_of_tag};
use crate::walk::{Spot, for_each_operation};

/// The feature of each operation, read by [`crate::features`].
pub(crate) const EXTENSION: &str = "x-venice-feature";

/// Our spec's pin of a tag's feature, on the tag's entry in the top-level `tags` list.
pub const PIN: &str = "x-venice-rs-feature";

/// The feature of each tag our spec pins, by tag name.
pub fn pinned_features(spec: &Value) -> BTreeMap<String, String> {
    let tags = spec.get("tags").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    tags.iter()
        .filter_map(|tag| Some((tag.get("name")?.as_str()?.to_owned(), tag.get(PIN)?.as_str()?.to_owned())))
        .collect()
}

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    let pinned = pinned_features(spec);
    // Tag -> (feature, how it was found), once per tag, in name order.
    let mut mapping: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut untagged = Vec::new();
    for_each_operation(spec, |key, operation| {
        let tag = operation.get("tags").and_then(Value::as_array).and_then(|t| t.first()).and_then(Value::as_str);
        let feature = match tag {
            None => {
                untagged.push(key.label());
                UNTAGGED.to_owned()
            }
            Some(tag) => {
                let (feature, _) = mapping.entry(tag.to_owned()).or_insert_with(|| match pinned.get(tag) {
                    Some(feature) => (feature.clone(), format!("pinned by {PIN}")),
                    None => (feature_of_tag(tag), "by rule: kebab case of the name before any parenthesis".to_owned()),
                });
                feature.clone()
            }
        };
        operation.insert(EXTENSION.into(), Value::String(feature));
    });
    for (tag, (feature, how)) in mapping {
        changes.edit(&Spot::new(format!("tag {tag}")), format!("feature `{feature}` ({how})"));
    }
    for operation in untagged {
        changes.edit(&Spot::new(format!("operation {operation}")), format!("feature `{UNTAGGED}` (no tag)"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn a_pinned_tag_gives_its_pinned_feature() {
        let changes = check(
            run,
            "tags: [{name: Keys, x-venice-rs-feature: api-keys}]\npaths:\n  /k:\n    get: {operationId: getK, tags: [Keys]}\n",
            "tags: [{name: Keys, x-venice-rs-feature: api-keys}]\npaths:\n  /k:\n    get: {operationId: getK, tags: [Keys], x-venice-feature: api-keys}\n",
        );
        assert_eq!(lines(&changes), ["tag Keys: feature `api-keys` (pinned by x-venice-rs-feature)"]);
    }

    #[test]
    fn an_unpinned_tag_gets_a_feature_by_the_rule() {
        let changes = check(
            run,
            "paths:\n  /r:\n    post: {operationId: createR, tags: ['Responses (Alpha)', Chat]}\n",
            "paths:\n  /r:\n    post: {operationId: createR, tags: ['Responses (Alpha)', Chat], x-venice-feature: responses}\n",
        );
        assert_eq!(
            lines(&changes),
            ["tag Responses (Alpha): feature `responses` (by rule: kebab case of the name before any parenthesis)"]
        );
    }

    #[test]
    fn an_operation_without_tags_is_untagged() {
        let changes = check(
            run,
            "paths:\n  /x:\n    get: {operationId: getX}\n",
            "paths:\n  /x:\n    get: {operationId: getX, x-venice-feature: untagged}\n",
        );
        assert_eq!(lines(&changes), ["operation getX: feature `untagged` (no tag)"]);
    }

    #[test]
    fn a_renamed_tag_keeps_its_feature_only_through_a_pin() {
        let spec = "tags: [{name: Keys (Beta), x-venice-rs-feature: api-keys}]\npaths:\n  /k:\n    get: {operationId: getK, tags: [Keys (Beta)]}\n";
        let expected = "tags: [{name: Keys (Beta), x-venice-rs-feature: api-keys}]\npaths:\n  /k:\n    get: {operationId: getK, tags: [Keys (Beta)], x-venice-feature: api-keys}\n";
        check(run, spec, expected);
    }
}

//! Emits once, under one name, string enums that hold the same values.
//!
//! Quirk: Venice repeats a value set where one place gives it a `default` and another does
//! not, or where one is a query parameter and the other a field: the model type of
//! `GET /models/traits` and `GET /models/compatibility_mapping` (a query parameter defaulting
//! to `text`) and the `type` of every model in `GET /models` hold the same nine values, and
//! chat's and the Responses API's `enable_web_search` the same three. Sharing in the spec
//! (`share_repeated_shapes`) only joins identical shapes, so each became a type of its own,
//! one of them named after an unrelated operation (`ListModelCompatibilityMappingType` for
//! the traits filter). A value read from one could not be passed to the other.
//!
//! Enums with the same two or more values (variant names and wire spellings, in any order)
//! whose names end in the same word (typify names an enum after its field: `…Type`,
//! `…EnableWebSearch`, `…Effort`; the same values under another word, such as a search
//! context size and an image quality, both `low`/`medium`/`high`, mean different things)
//! and that read alike (all open or all closed: `open_enums` runs first) become one, under
//! the shortest of their names. The others, and their impls, are removed, and every path that
//! named them names the one kept. An open enum and a closed one stay apart even with the same
//! values: the closed one is only sent, and refuses a value it does not know before sending
//! (a model suffix checked against `enable_web_search` relies on it), while the open one
//! keeps what a newer server sends (the model list's `type` and the traits filter are such a
//! pair). One-value enums are the tags of their own types (`object: "list"`) and stay apart.

use std::collections::BTreeMap;

use syn::visit_mut::VisitMut;

use super::variant_names::Renamer;
use super::{Roles, type_spot};
use crate::passes::Changes;

/// An enum's values: `(variant, wire spelling)` in name order, and whether it keeps unknown
/// values (`Unknown(String)`); `None` for an enum that is not a plain string enum.
fn values_of(item: &syn::ItemEnum) -> Option<(Vec<(String, String)>, bool)> {
    let mut values = Vec::new();
    let mut open = false;
    for variant in &item.variants {
        match &variant.fields {
            syn::Fields::Unit => values.push((variant.ident.to_string(), wire_name(variant)?)),
            syn::Fields::Unnamed(_) if variant.ident == "Unknown" => open = true,
            _ => return None,
        }
    }
    values.sort();
    (values.len() >= 2).then_some((values, open))
}

/// What enums must share to be one: their values, whether they are open, the last word of
/// their names.
type Likeness = (Vec<(String, String)>, bool, String);

/// The last word of a Pascal-case name (`ModelResponseType` -> `Type`).
fn last_word(name: &str) -> &str {
    let start = name.char_indices().rev().find(|(_, c)| c.is_ascii_uppercase()).map_or(0, |(i, _)| i);
    &name[start..]
}

/// The `#[serde(rename = "…")]` of a unit variant.
fn wire_name(variant: &syn::Variant) -> Option<String> {
    variant.attrs.iter().filter(|attr| attr.path().is_ident("serde")).find_map(|attr| {
        let mut name = None;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                name = Some(meta.value()?.parse::<syn::LitStr>()?.value());
            }
            Ok(())
        });
        name
    })
}

pub(super) fn run(file: &mut syn::File, _roles: &Roles, changes: &mut Changes) {
    // Enums that may be one: the same values, openness and last word of the name.
    let mut groups: BTreeMap<Likeness, Vec<(String, bool)>> = BTreeMap::new();
    for item in super::items::module(file, "types") {
        if let syn::Item::Enum(item) = item
            && let Some((values, open)) = values_of(item)
        {
            let name = item.ident.to_string();
            groups.entry((values, open, last_word(&name).to_owned())).or_default().push((name, open));
        }
    }
    // Old name to the kept name; and the definitions removed (all but one per group).
    let mut merged: BTreeMap<String, String> = BTreeMap::new();
    let mut removed: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for mut members in groups.into_values().filter(|members| members.len() > 1) {
        members.sort_by(|(a, _), (b, _)| a.len().cmp(&b.len()).then(a.cmp(b)));
        let kept = members[0].0.clone();
        // The definition kept: an open one if any, else the one already named `kept`.
        let definition = members.iter().find(|(_, open)| *open).map_or(kept.clone(), |(name, _)| name.clone());
        for (name, _) in &members {
            if *name != definition {
                removed.insert(name.clone());
            }
            if *name != kept {
                changes.edit(&type_spot(name), format!("emitted as {kept}, which holds the same values"));
                merged.insert(name.clone(), kept.clone());
            }
        }
    }
    if merged.is_empty() {
        return;
    }
    if let Some(items) = super::items::module_mut(file, "types") {
        items.retain(|item| match item {
            syn::Item::Enum(_) | syn::Item::Impl(_) => {
                super::items::owner(item).is_none_or(|owner| !removed.contains(&owner))
            }
            _ => true,
        });
    }
    // As `std_names` renames: bare inside the types module and its builders, through
    // `types::`/`super::` everywhere else.
    let mut bare = Renamer { variants: BTreeMap::new(), types: merged.clone(), qualified_only: false };
    let mut qualified = Renamer { variants: BTreeMap::new(), types: merged, qualified_only: true };
    for item in &mut file.items {
        match item {
            syn::Item::Mod(module) if module.ident == "types" => {
                for inner in module.content.iter_mut().flat_map(|(_, items)| items.iter_mut()) {
                    match inner {
                        syn::Item::Mod(nested) if nested.ident != "builder" => qualified.visit_item_mut(inner),
                        _ => bare.visit_item_mut(inner),
                    }
                }
            }
            _ => qualified.visit_item_mut(item),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{has, lines, rewritten, roles};
    use super::*;

    const TYPES: &str = r#"
        pub mod types {
            pub enum ListThingsType {
                #[serde(rename = "text")]
                Text,
                #[serde(rename = "image")]
                Image,
            }
            impl ::std::default::Default for ListThingsType {
                fn default() -> Self { ListThingsType::Text }
            }
            pub enum ThingType {
                #[serde(rename = "image")]
                Image,
                #[serde(rename = "text")]
                Text,
                Unknown(::std::string::String),
            }
            impl ::std::fmt::Display for ThingType {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { Ok(()) }
            }
            pub struct Thing { pub type_: ThingType }
            pub struct ListThingsQuery { pub type_: Option<ListThingsType> }
            pub mod builder {
                pub struct ListThingsQuery { type_: Result<Option<super::ListThingsType>, String> }
            }
        }
        pub mod builder {
            pub struct ListThings { type_: Result<Option<types::ListThingsType>, String> }
        }
    "#;

    #[test]
    fn enums_with_the_same_values_are_emitted_once_under_the_shortest_name() {
        let open = TYPES.replace(
            "                Image,\n            }\n            impl ::std::default::Default",
            "                Image,\n                Unknown(::std::string::String),\n            }\n            impl ::std::default::Default",
        );
        assert_ne!(open, TYPES);
        let (source, changes) = rewritten(run, &open, roles(&[], &[]));
        assert!(!source.contains("enum ListThingsType"), "{source}");
        assert!(!source.contains("for ListThingsType"), "its impls go with it: {source}");
        assert!(has(&source, "pub struct ListThingsQuery { pub type_: Option<ThingType>, }"), "{source}");
        assert!(has(&source, "type_: Result<Option<super::ThingType>, String>"), "{source}");
        assert!(has(&source, "type_: Result<Option<types::ThingType>, String>"), "{source}");
        assert!(has(&source, "impl ::std::fmt::Display for ThingType"), "{source}");
        assert_eq!(lines(&changes), ["type ListThingsType: emitted as ThingType, which holds the same values"]);
    }

    #[test]
    fn closed_enums_with_the_same_values_are_emitted_once_too() {
        let closed = TYPES.replace("                Unknown(::std::string::String),\n", "");
        assert_ne!(closed, TYPES);
        let (source, changes) = rewritten(run, &closed, roles(&[], &[]));
        assert!(source.contains("enum ThingType") && !source.contains("enum ListThingsType"), "{source}");
        assert_eq!(changes.edits.len(), 1);
    }

    #[test]
    fn an_open_and_a_closed_enum_with_the_same_values_stay_apart() {
        let (source, changes) = rewritten(run, TYPES, roles(&[], &[]));
        assert!(source.contains("enum ListThingsType") && source.contains("enum ThingType"), "{source}");
        assert!(changes.edits.is_empty());
    }

    #[test]
    fn the_same_values_under_another_word_stay_apart() {
        let other = TYPES.replace("ListThingsType", "ListThingsSize");
        let (source, changes) = rewritten(run, &other, roles(&[], &[]));
        assert!(source.contains("enum ListThingsSize") && source.contains("enum ThingType"), "{source}");
        assert!(changes.edits.is_empty());
        assert_eq!(last_word("ModelResponseType"), "Type");
        assert_eq!(last_word("EnableWebSearch"), "Search");
    }

    #[test]
    fn one_value_enums_are_tags_and_stay_apart() {
        let tags = "pub mod types { pub enum AObject { #[serde(rename = \"list\")] List } pub enum BObject { #[serde(rename = \"list\")] List } }";
        let (_, changes) = rewritten(run, tags, roles(&[], &[]));
        assert!(changes.edits.is_empty());
    }

    #[test]
    fn enums_whose_values_differ_stay_apart() {
        let other = TYPES.replacen(
            r#"rename = "image")]
                Image,
                #[serde(rename = "text")]"#,
            r#"rename = "video")]
                Image,
                #[serde(rename = "text")]"#,
            1,
        );
        let (source, changes) = rewritten(run, &other, roles(&[], &[]));
        assert!(source.contains("enum ListThingsType") && source.contains("enum ThingType"), "{source}");
        assert!(changes.edits.is_empty());
    }
}

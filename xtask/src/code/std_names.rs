//! Renames generated types that would shadow a standard one (`types::String`,
//! `types::Duration`, `types::Error`).
//!
//! Quirk: typify names a type after its schema's `title` when it has one, and Venice titles
//! the string branch of a union `String` and a video length enum ends up shared as `Duration`.
//! A `use venice_api::types::*` then shadows `std::string::String` and `std::time::Duration`,
//! and readers mistake one for the other. Such a type takes the name of the first type (in
//! name order) that holds it in front of its own (`CreateEmbeddingRequestSchemaInputString`,
//! `QueueVideoRequestDuration`), unless that name is taken too.

use std::collections::BTreeMap;

use syn::visit_mut::VisitMut;

use super::variant_names::Renamer;
use super::{Roles, type_spot};
use crate::passes::Changes;

/// Names of the standard library, the prelude and serde_json that a generated type must not
/// take.
const STANDARD: &[&str] = &["Box", "Duration", "Error", "HashMap", "Map", "Option", "Result", "String", "Value", "Vec"];

pub(super) fn run(file: &mut syn::File, _roles: &Roles, changes: &mut Changes) {
    let type_names = super::items::type_names(file);
    // Holders by their definitions alone: an impl's `type Error = …` names no type `Error`.
    let holders: BTreeMap<String, std::collections::BTreeSet<String>> = super::items::module(file, "types")
        .iter()
        .filter(|item| matches!(item, syn::Item::Struct(_) | syn::Item::Enum(_)))
        .filter_map(|item| Some((super::items::owner(item)?, super::items::references(item, &type_names))))
        .collect();
    let mut renames = BTreeMap::new();
    for name in type_names.iter().filter(|n| STANDARD.contains(&n.as_str())) {
        let holder = holders.iter().find(|(from, to)| *from != name && to.contains(name)).map(|(from, _)| from);
        let Some(holder) = holder else { continue };
        let new = format!("{holder}{name}");
        if type_names.contains(&new) {
            continue;
        }
        changes.edit(&type_spot(name), format!("renamed {new}: it would shadow the standard {name}"));
        renames.insert(name.clone(), new);
    }
    if renames.is_empty() {
        return;
    }
    // The types module's own items and its `builder` module (whose builder structs take the
    // names of the types they build) name the type bare; everything else (the `defaults` and
    // `error` modules, the client) reaches it as `types::X` or `super::X`.
    let mut bare = Renamer { variants: BTreeMap::new(), types: renames.clone(), qualified_only: false };
    let mut qualified = Renamer { variants: BTreeMap::new(), types: renames, qualified_only: true };
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

    #[test]
    fn a_type_named_string_takes_its_holders_name_and_std_paths_stay() {
        let types = r#"
            pub mod types {
                #[serde(untagged)]
                pub enum Input { String(String), Array(::std::vec::Vec<::std::string::String>) }
                pub struct String(::std::string::String);
                impl ::std::convert::From<String> for ::std::string::String { fn from(value: String) -> Self { value.0 } }
            }
        "#;
        let (source, changes) = rewritten(run, types, roles(&[], &[]));
        assert!(
            has(&source, "pub enum Input { String(InputString), Array(::std::vec::Vec<::std::string::String>), }"),
            "{source}"
        );
        assert!(has(&source, "pub struct InputString(::std::string::String);"), "{source}");
        assert!(has(&source, "impl ::std::convert::From<InputString> for ::std::string::String"), "{source}");
        assert_eq!(lines(&changes), ["type String: renamed InputString: it would shadow the standard String"]);
    }
}

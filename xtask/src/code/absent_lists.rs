//! Reads a required list or map that an answer leaves out (or sends as `null`) as empty.
//!
//! Quirk: the published spec marks answer fields required that real answers omit: the seed
//! page's mint answer lacks `modelPrivacy`, which the spec later made required, and a server
//! that has nothing to list may leave the list out or send `null`. A required `Vec` or map
//! has a natural empty value, and an answer that leaves it out means just that; failing the
//! whole call helps nobody. Such fields of answers read absence and `null` as empty. Other
//! required fields (strings, numbers) have no such value and stay required here; the
//! `documented_answers` spec pass relaxes those a documented answer omits.

use super::{Roles, answer_fields, field_name, outer_type, serde_words, type_spot};
use crate::passes::Changes;

/// The outer types that have a natural empty value.
const COLLECTIONS: &[&str] = &["Vec", "HashMap", "BTreeMap", "Map"];

pub(super) fn run(file: &mut syn::File, roles: &Roles, changes: &mut Changes) {
    let Some(items) = super::items::module_mut(file, "types") else { return };
    for (owner, field) in answer_fields(items, roles) {
        if !outer_type(&field.ty).is_some_and(|t| COLLECTIONS.contains(&t.as_str())) {
            continue;
        }
        if serde_words(&field.attrs)
            .iter()
            .any(|(word, _)| matches!(word.as_str(), "default" | "deserialize_with" | "with"))
        {
            continue;
        }
        field.attrs.push(syn::parse_quote!(#[serde(default, deserialize_with = "crate::tolerant::null_as_default")]));
        changes
            .edit(&type_spot(&owner).child(field_name(field)), "required list or map: absent or null reads as empty");
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{has, lines, rewritten, roles};
    use super::*;

    #[test]
    fn a_required_answer_list_reads_absence_as_empty() {
        let types = r#"
            pub mod types {
                pub struct Models {
                    pub data: ::std::vec::Vec<::std::string::String>,
                    pub object: ::std::string::String,
                    #[serde(default)]
                    pub tags: ::std::vec::Vec<::std::string::String>,
                }
                pub struct Body { pub messages: ::std::vec::Vec<::std::string::String> }
            }
        "#;
        let (source, changes) = rewritten(run, types, roles(&["Models"], &["Body"]));
        assert!(
            has(&source, "#[serde(default, deserialize_with = \"crate::tolerant::null_as_default\")]\n    pub data"),
            "{source}"
        );
        assert_eq!(source.matches("null_as_default").count(), 1, "{source}");
        assert_eq!(lines(&changes), ["type Models › data: required list or map: absent or null reads as empty"]);
    }
}

//! Reads `null` in an optional field of an answer as the field left out.
//!
//! Quirk: typify gives an optional list, map, boolean or defaulted number a plain type with
//! `#[serde(default)]` (`Vec<T>`, `bool`), which reads a missing field as empty or as the
//! spec's default, but fails on `null`: `invalid type: null, expected a sequence`. Venice's
//! JavaScript backend sends `null` for absent lists routinely (`choices`, `traits`, `voices`,
//! `supported_formats`, `regionRestrictions`, `duration_options`, `offline`), and one such
//! field failed the whole answer. In answers, those fields read `null` as absent: the type's
//! default (`crate::tolerant::null_as_default`), or, where the spec gives its own default,
//! that one (a generated `null_or_*` function beside the type). `Option` fields already read
//! `null` as `None`; requests are not read, so they are left alone.

use quote::format_ident;

use super::{Roles, answer_fields, field_name, outer_type, serde_words, type_spot};
use crate::passes::Changes;

pub(super) fn run(file: &mut syn::File, roles: &Roles, changes: &mut Changes) {
    let Some(items) = super::items::module_mut(file, "types") else { return };
    let mut readers: Vec<syn::Item> = Vec::new();
    for (owner, field) in answer_fields(items, roles) {
        if outer_type(&field.ty).as_deref() == Some("Option") {
            continue;
        }
        let words = serde_words(&field.attrs);
        if words.iter().any(|(word, _)| matches!(word.as_str(), "deserialize_with" | "with")) {
            continue;
        }
        let Some((_, default)) = words.iter().find(|(word, _)| word == "default") else { continue };
        let name = field_name(field);
        let reader = match default {
            None => "crate::tolerant::null_as_default".to_owned(),
            Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(path), .. })) => {
                let function = format_ident!("null_or_{}_{}", snake(&owner), name.trim_start_matches("r#"));
                let default: syn::Path = path.parse().expect("typify writes a path");
                let ty = &field.ty;
                readers.push(syn::parse_quote! {
                    fn #function<'de, D>(deserializer: D) -> ::std::result::Result<#ty, D::Error>
                    where
                        D: ::serde::Deserializer<'de>,
                    {
                        let value: ::std::option::Option<#ty> = ::serde::Deserialize::deserialize(deserializer)?;
                        Ok(value.unwrap_or_else(#default))
                    }
                });
                function.to_string()
            }
            Some(_) => continue,
        };
        field.attrs.push(syn::parse_quote!(#[serde(deserialize_with = #reader)]));
        changes.edit(&type_spot(&owner).child(&name), "null reads as absent");
    }
    items.extend(readers);
}

/// `Type::Variant` as `type_variant`, for a function name.
fn snake(owner: &str) -> String {
    heck::ToSnakeCase::to_snake_case(owner.replace("::", "_").as_str())
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{has, lines, rewritten, roles};
    use super::*;

    const TYPES: &str = r#"
        pub mod types {
            pub struct Model {
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub traits: ::std::vec::Vec<::std::string::String>,
                #[serde(default = "defaults::default_bool::<true>")]
                pub offline: bool,
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub name: ::std::option::Option<::std::string::String>,
                pub id: ::std::string::String,
            }
            #[serde(tag = "type")]
            pub enum Item {
                Message {
                    #[serde(default)]
                    parts: ::std::vec::Vec<::std::string::String>,
                },
            }
            pub struct Query {
                #[serde(default)]
                pub flags: ::std::vec::Vec<::std::string::String>,
            }
        }
    "#;

    #[test]
    fn a_defaulted_answer_field_reads_null_as_its_default() {
        let (source, changes) = rewritten(run, TYPES, roles(&["Model", "Item"], &["Query"]));
        assert!(
            has(&source, "#[serde(deserialize_with = \"crate::tolerant::null_as_default\")]\n    pub traits"),
            "{source}"
        );
        assert!(
            has(&source, "#[serde(deserialize_with = \"null_or_model_offline\")]\n    pub offline: bool"),
            "{source}"
        );
        assert!(has(&source, "fn null_or_model_offline<'de, D>("), "{source}");
        assert!(has(&source, "Ok(value.unwrap_or_else(defaults::default_bool::<true>))"), "{source}");
        assert_eq!(
            lines(&changes),
            [
                "type Model › traits: null reads as absent",
                "type Model › offline: null reads as absent",
                "type Item::Message › parts: null reads as absent",
            ]
        );
    }

    #[test]
    fn options_required_fields_and_requests_are_left_alone() {
        let (source, _) = rewritten(run, TYPES, roles(&["Model"], &["Query"]));
        assert_eq!(source.matches("deserialize_with").count(), 2, "{source}");
    }
}

//! Gives every union an answer can hold a variant that keeps what it does not recognise.
//!
//! Quirk: typify turns `oneOf`/`anyOf` into enums that fail on anything their variants do
//! not describe. In an answer that breaks the whole call when the server grows:
//! - a tagged union (`#[serde(tag = "type")]`, the Responses API's output items) fails on a new
//!   `type` (a new kind of output item);
//! - an untagged union fails on a shape none of its variants has (a new content form);
//! - an externally tagged one, typify's reading of "an object with exactly one of these keys"
//!   (`POST /images/generations` data items: `{b64_json}` or `{url}`), fails on any key beside
//!   the one that tags it, such as the `revised_prompt` OpenAI sends with each image.
//!
//! Each gains a last variant `Unknown(serde_json::Value)` (untagged, so it serializes back as
//! it came) that holds an answer no other variant reads. The externally tagged ones are read
//! by a generated `Deserialize` that picks the first key naming a variant and ignores the
//! others, as every other generated type ignores fields it does not know. Unions only
//! requests use stay as typify made them.

use quote::quote;

use super::open_enums::{implements, show_unknown};
use super::{Roles, drop_derives, serde_words, type_spot, unknown_variant_name};
use crate::passes::Changes;

/// How a union is tagged, as its serde attributes say.
#[derive(Debug, PartialEq, Eq)]
enum Tagging {
    /// `#[serde(tag = …)]`, with or without `content`.
    Tagged,
    /// `#[serde(untagged)]`.
    Untagged,
    /// Neither: the variant is the only key of an object (or the string, for unit variants).
    External,
}

pub(super) fn run(file: &mut syn::File, roles: &Roles, changes: &mut Changes) {
    let Some(items) = super::items::module_mut(file, "types") else { return };
    let mut readers: Vec<syn::Item> = Vec::new();
    let mut opened: Vec<(syn::Ident, syn::Ident)> = Vec::new();
    for item in items.iter_mut() {
        let syn::Item::Enum(union) = item else { continue };
        let name = union.ident.to_string();
        // String enums are `open_enums`' (which leaves them without the derived reader).
        if !roles.answers.contains(&name) || super::open_enums::is_string_enum(union) || !derives_deserialize(union) {
            continue;
        }
        let unknown = unknown_variant_name(&union.variants);
        let tagging = tagging(union);
        if tagging == Tagging::External {
            let Some(reader) = external_reader(union, &unknown) else {
                changes.edit(&type_spot(&name), "left strict: a variant with named fields has no key-based reading");
                continue;
            };
            readers.push(reader);
            drop_derives(&mut union.attrs, &["Deserialize"]);
        }
        // serde_json::Value is neither Copy nor ordered.
        drop_derives(&mut union.attrs, &["Copy", "Ord", "PartialOrd", "Hash"]);
        union.variants.push(match tagging {
            Tagging::Untagged => syn::parse_quote! {
                /// An answer none of the other variants reads, kept as the server sent it.
                #unknown(::serde_json::Value)
            },
            Tagging::Tagged | Tagging::External => syn::parse_quote! {
                /// An answer none of the other variants reads, kept as the server sent it.
                #[serde(untagged)]
                #unknown(::serde_json::Value)
            },
        });
        let how = match tagging {
            Tagging::Tagged => "unknown tags",
            Tagging::Untagged => "unknown shapes",
            Tagging::External => "extra keys ignored; unknown keys",
        };
        changes.edit(&type_spot(&name), format!("opened: {how} kept as {unknown}(serde_json::Value)"));
        opened.push((union.ident.clone(), unknown));
    }
    for item in items.iter_mut() {
        if let syn::Item::Impl(block) = item
            && let Some((_, unknown)) = opened.iter().find(|(name, _)| implements(block, "Display", name))
        {
            show_unknown(block, unknown);
        }
    }
    items.extend(readers);
}

fn derives_deserialize(union: &syn::ItemEnum) -> bool {
    union
        .attrs
        .iter()
        .flat_map(super::derives)
        .any(|path| path.segments.last().is_some_and(|s| s.ident == "Deserialize"))
}

fn tagging(union: &syn::ItemEnum) -> Tagging {
    let words = serde_words(&union.attrs);
    if words.iter().any(|(word, _)| word == "untagged") {
        Tagging::Untagged
    } else if words.iter().any(|(word, _)| word == "tag") {
        Tagging::Tagged
    } else {
        Tagging::External
    }
}

/// The wire name of a variant: its `#[serde(rename)]`, else its Rust name.
fn wire_name(variant: &syn::Variant) -> String {
    serde_words(&variant.attrs)
        .into_iter()
        .find_map(|(word, value)| match (word.as_str(), value) {
            ("rename", Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }))) => Some(text.value()),
            _ => None,
        })
        .unwrap_or_else(|| variant.ident.to_string())
}

/// A `Deserialize` for an externally tagged union that reads a unit variant from its string
/// and a newtype variant from the first key of an object that names one, ignoring other
/// keys; anything else becomes `unknown`. `None` when a variant has named fields.
fn external_reader(union: &syn::ItemEnum, unknown: &syn::Ident) -> Option<syn::Item> {
    let name = &union.ident;
    let mut words = Vec::new();
    let mut keys = Vec::new();
    for variant in &union.variants {
        let ident = &variant.ident;
        let wire = wire_name(variant);
        match &variant.fields {
            syn::Fields::Unit => words.push(quote!(#wire => return Ok(Self::#ident),)),
            syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1 => keys.push(quote! {
                if let Some(inner) = map.get(#wire) {
                    return ::serde_json::from_value(inner.clone()).map(Self::#ident).map_err(::serde::de::Error::custom);
                }
            }),
            _ => return None,
        }
    }
    let tokens = quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                match &value {
                    ::serde_json::Value::String(text) => match text.as_str() {
                        #(#words)*
                        _ => {}
                    },
                    ::serde_json::Value::Object(map) => {
                        #(#keys)*
                    }
                    _ => {}
                }
                Ok(Self::#unknown(value))
            }
        }
    };
    Some(syn::parse2(tokens).expect("the impl is valid Rust"))
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{has, lines, rewritten, roles};
    use super::*;

    const TYPES: &str = r#"
        pub mod types {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
            pub enum ImageData {
                #[serde(rename = "b64_json")]
                B64Json(::std::string::String),
                #[serde(rename = "url")]
                Url(::std::string::String),
            }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
            #[serde(tag = "type")]
            pub enum OutputItem {
                #[serde(rename = "message")]
                Message { id: ::std::string::String },
            }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
            #[serde(untagged)]
            pub enum Content {
                Text(::std::string::String),
            }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
            #[serde(untagged)]
            pub enum Stop {
                Text(::std::string::String),
            }
        }
    "#;

    const KEPT: &str = "/// An answer none of the other variants reads, kept as the server sent it.";

    #[test]
    fn a_tagged_union_keeps_unknown_tags() {
        let (source, _) = rewritten(run, TYPES, roles(&["OutputItem"], &[]));
        let expected = format!(
            "Message {{ id: ::std::string::String }}, {KEPT} #[serde(untagged)] Unknown(::serde_json::Value), }}"
        );
        assert!(has(&source, &expected), "{source}");
    }

    #[test]
    fn an_untagged_union_keeps_unknown_shapes_last() {
        let (source, _) = rewritten(run, TYPES, roles(&["Content"], &[]));
        let expected =
            format!("pub enum Content {{ Text(::std::string::String), {KEPT} Unknown(::serde_json::Value), }}");
        assert!(has(&source, &expected), "{source}");
    }

    #[test]
    fn an_externally_tagged_union_is_read_by_its_first_known_key() {
        let (source, changes) = rewritten(run, TYPES, roles(&["ImageData"], &[]));
        assert!(has(&source, "#[derive(::serde::Serialize, Clone, Debug, PartialEq)]\npub enum ImageData"), "{source}");
        assert!(has(&source, "impl<'de> ::serde::Deserialize<'de> for ImageData"), "{source}");
        assert!(has(&source, r#"if let Some(inner) = map.get("b64_json")"#), "{source}");
        assert_eq!(
            lines(&changes),
            ["type ImageData: opened: extra keys ignored; unknown keys kept as Unknown(serde_json::Value)"]
        );
    }

    #[test]
    fn request_only_unions_are_left_as_typify_made_them() {
        let (source, changes) = rewritten(run, TYPES, roles(&["Content"], &["Stop"]));
        assert!(has(&source, "pub enum Stop { Text(::std::string::String), }"), "{source}");
        assert_eq!(changes.edits.len(), 1);
    }
}

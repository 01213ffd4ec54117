//! Gives every string enum an answer can hold a variant that keeps values it does not know.
//!
//! Quirk: typify makes each `enum` of strings a closed Rust enum whose derived `Deserialize`
//! refuses any other value. Venice adds values all the time (a model `type`, a
//! `finish_reason` such as `content_filter`, a job `status`, a currency, a key type), and one
//! new value anywhere in an answer made the whole call fail to decode: one new model on the
//! server broke model listing for every deployed client.
//!
//! Such an enum gains `Unknown(String)` (another name if the spec has an `unknown` value), read
//! by a `Deserialize` impl that tries the type's own strict `FromStr` and keeps anything else
//! as sent; `Unknown` serializes back to the same string, and `Display` shows it. `FromStr`
//! stays strict, so a misspelt value in code is still an error. The enum loses `Copy`.
//!
//! Enums only requests use stay closed: the caller writes them, and a closed enum refuses a
//! typo before anything is sent. An enum used on both sides is open: a value read from one
//! answer must be sendable back (list keys, then update one with the type it had), and a
//! caller who writes `Unknown("…")` by hand has asked for exactly that string.

use quote::quote;

use super::{Roles, drop_derives, serde_words, type_spot, unknown_variant_name};
use crate::passes::Changes;

pub(super) fn run(file: &mut syn::File, roles: &Roles, changes: &mut Changes) {
    let Some(items) = super::items::module_mut(file, "types") else { return };
    let mut opened: Vec<(syn::Ident, syn::Ident)> = Vec::new();
    for item in items.iter_mut() {
        let syn::Item::Enum(enumeration) = item else { continue };
        let name = enumeration.ident.to_string();
        if !roles.answers.contains(&name) || !is_string_enum(enumeration) {
            continue;
        }
        let unknown = unknown_variant_name(&enumeration.variants);
        drop_derives(&mut enumeration.attrs, &["Copy", "Deserialize"]);
        enumeration.variants.push(syn::parse_quote! {
            /// A value this version of the client does not know, kept as the server sent it.
            #[serde(untagged)]
            #unknown(::std::string::String)
        });
        let sides = if roles.requests.contains(&name) { "answers and requests" } else { "answers" };
        changes.edit(&type_spot(&name), format!("opened ({sides}): unknown values kept as {unknown}(String)"));
        opened.push((enumeration.ident.clone(), unknown));
    }
    for item in items.iter_mut() {
        if let syn::Item::Impl(block) = item
            && let Some((_, unknown)) = opened.iter().find(|(name, _)| implements(block, "Display", name))
        {
            show_unknown(block, unknown);
        }
    }
    let mut rewritten = Vec::with_capacity(items.len() + opened.len());
    for item in items.drain(..) {
        let after = match &item {
            syn::Item::Enum(e) => opened.iter().find(|(name, _)| *name == e.ident),
            _ => None,
        }
        .map(|(name, unknown)| deserialize_impl(name, unknown));
        rewritten.push(item);
        rewritten.extend(after);
    }
    *items = rewritten;
}

/// An enum typify made of strings: only unit variants, tagged externally (no `untagged`/`tag`).
pub(super) fn is_string_enum(enumeration: &syn::ItemEnum) -> bool {
    !enumeration.variants.is_empty()
        && enumeration.variants.iter().all(|v| matches!(v.fields, syn::Fields::Unit))
        && !serde_words(&enumeration.attrs)
            .iter()
            .any(|(word, _)| matches!(word.as_str(), "untagged" | "tag" | "content"))
}

/// Whether `block` is `impl <…>::<trait_name> for <name>`.
pub(super) fn implements(block: &syn::ItemImpl, trait_name: &str, name: &syn::Ident) -> bool {
    let for_name = matches!(block.self_ty.as_ref(), syn::Type::Path(p) if p.path.is_ident(name));
    let trait_matches = block
        .trait_
        .as_ref()
        .and_then(|(_, path, _)| path.segments.last())
        .is_some_and(|segment| segment.ident == trait_name);
    for_name && trait_matches
}

/// Makes `Display`'s `match *self { … }` also show an unknown value as it was sent.
pub(super) fn show_unknown(block: &mut syn::ItemImpl, unknown: &syn::Ident) {
    for member in &mut block.items {
        let syn::ImplItem::Fn(function) = member else { continue };
        for statement in &mut function.block.stmts {
            if let syn::Stmt::Expr(syn::Expr::Match(matching), _) = statement {
                *matching.expr = syn::parse_quote!(self);
                matching.arms.push(syn::parse_quote!(Self::#unknown(value) => ::std::fmt::Display::fmt(value, f),));
            }
        }
    }
}

fn deserialize_impl(name: &syn::Ident, unknown: &syn::Ident) -> syn::Item {
    let tokens = quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                crate::tolerant::string_enum(deserializer, Self::#unknown)
            }
        }
    };
    syn::parse2(tokens).expect("the impl is valid Rust")
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{has, rewritten, roles};
    use super::*;

    const TYPES: &str = r#"
        pub mod types {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, Eq, Hash, PartialEq)]
            pub enum FinishReason {
                #[serde(rename = "stop")]
                Stop,
                #[serde(rename = "length")]
                Length,
            }
            impl ::std::fmt::Display for FinishReason {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match *self {
                        Self::Stop => f.write_str("stop"),
                        Self::Length => f.write_str("length"),
                    }
                }
            }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, PartialEq)]
            pub enum SortOrder {
                #[serde(rename = "asc")]
                Asc,
            }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
            #[serde(untagged)]
            pub enum Content {
                Text(::std::string::String),
            }
        }
    "#;

    #[test]
    fn an_answer_enum_keeps_unknown_values_and_loses_copy() {
        let (source, changes) = rewritten(run, TYPES, roles(&["FinishReason", "Content"], &["SortOrder"]));
        assert!(
            has(&source, "#[derive(::serde::Serialize, Clone, Debug, Eq, Hash, PartialEq)]\npub enum FinishReason"),
            "{source}"
        );
        assert!(has(&source, "#[serde(untagged)]\n        Unknown(::std::string::String),"), "{source}");
        assert!(has(&source, "crate::tolerant::string_enum(deserializer, Self::Unknown)"), "{source}");
        assert!(has(&source, "match self {"), "{source}");
        assert!(has(&source, "Self::Unknown(value) => ::std::fmt::Display::fmt(value, f),"), "{source}");
        assert_eq!(
            super::super::fixture::lines(&changes),
            ["type FinishReason: opened (answers): unknown values kept as Unknown(String)"]
        );
    }

    #[test]
    fn a_request_only_enum_stays_closed() {
        let (source, _) = rewritten(run, TYPES, roles(&["FinishReason"], &["SortOrder"]));
        assert!(has(&source, r#"pub enum SortOrder { #[serde(rename = "asc")] Asc, }"#), "{source}");
        assert!(has(
            &source,
            "#[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, PartialEq)]\npub enum SortOrder"
        ));
    }

    #[test]
    fn an_enum_used_on_both_sides_is_open_and_says_so() {
        let (_, changes) = rewritten(run, TYPES, roles(&["FinishReason"], &["FinishReason"]));
        assert_eq!(
            super::super::fixture::lines(&changes),
            ["type FinishReason: opened (answers and requests): unknown values kept as Unknown(String)"]
        );
    }

    #[test]
    fn unions_are_not_string_enums() {
        let (source, changes) = rewritten(run, TYPES, roles(&["Content"], &[]));
        assert!(changes.edits.is_empty());
        assert!(!has(&source, "string_enum"));
    }

    #[test]
    fn a_spec_value_named_unknown_moves_the_variant_aside() {
        let types = TYPES.replace("Length,", "Length,\n#[serde(rename = \"unknown\")]\nUnknown,");
        let (source, _) = rewritten(run, &types, roles(&["FinishReason"], &[]));
        assert!(has(&source, "UnknownValue(::std::string::String)"), "{source}");
    }
}

//! Names the variants of an untagged union after what tells them apart, instead of
//! `Variant0`, `Variant1`.
//!
//! Quirk: typify names the variants of an untagged union after their branches' titles, and
//! falls back to `Variant0`, `Variant1`... when one branch has none. The chat tool definitions
//! are such a union (`{type: web_search | x_search}` or `{function, ...}`), so callers wrote
//! `ToolCall::Variant1 { function: ToolCallVariant1Function { .. }, .. }`. A struct variant is
//! named after the field only it requires (`Function`); when that field is a generic one such
//! as `type`, after the values its enum allows (`WebSearchOrXSearch`). A newtype variant is
//! named after its type, unless that type is itself positional. The types typify named after
//! the variant (`ToolCallVariant1Function`) follow (`ToolCallFunction`). A union is renamed
//! only when every variant gets a name of its own; otherwise it is left as it was.

use std::collections::BTreeMap;

use heck::ToPascalCase;
use syn::visit_mut::VisitMut;

use super::{Roles, outer_type, serde_words, type_spot};
use crate::passes::Changes;

/// Field names too generic to name a variant by themselves.
const GENERIC: &[&str] = &["type", "type_", "kind", "object"];

pub(super) fn run(file: &mut syn::File, _roles: &Roles, changes: &mut Changes) {
    let enum_values = unit_variants(file);
    let mut variant_renames: BTreeMap<(String, String), String> = BTreeMap::new();
    // `EnumVariantN` prefix -> (enum, new variant name).
    let mut type_renames: BTreeMap<String, (String, String)> = BTreeMap::new();
    for item in super::items::module(file, "types") {
        let syn::Item::Enum(union) = item else { continue };
        if !serde_words(&union.attrs).iter().any(|(word, _)| word == "untagged") {
            continue;
        }
        let positional: Vec<&syn::Variant> =
            union.variants.iter().filter(|v| is_positional(&v.ident.to_string())).collect();
        if positional.is_empty() {
            continue;
        }
        let names: Option<Vec<String>> = positional.iter().map(|v| derived_name(union, v, &enum_values)).collect();
        let Some(names) = names else { continue };
        let mut all: Vec<String> = union
            .variants
            .iter()
            .filter(|v| !is_positional(&v.ident.to_string()))
            .map(|v| v.ident.to_string())
            .collect();
        all.extend(names.iter().cloned());
        let mut distinct = all.clone();
        distinct.sort();
        distinct.dedup();
        if distinct.len() != all.len() {
            continue;
        }
        let enum_name = union.ident.to_string();
        for (variant, name) in positional.iter().zip(&names) {
            let old = variant.ident.to_string();
            changes.edit(&type_spot(&enum_name), format!("variant {old} named {name}"));
            type_renames.insert(format!("{enum_name}{old}"), (enum_name.clone(), name.clone()));
            variant_renames.insert((enum_name.clone(), old), name.clone());
        }
    }
    if variant_renames.is_empty() {
        return;
    }
    let type_names = super::items::type_names(file);
    let types: BTreeMap<String, String> = type_names
        .iter()
        .filter_map(|name| {
            let (old, (enum_name, variant)) = type_renames.iter().find(|(old, _)| name.starts_with(old.as_str()))?;
            // `ToolCallVariant1Function`, the type of the field `function` of the variant now
            // named `Function`, becomes `ToolCallFunction`, not `ToolCallFunctionFunction`.
            let rest = &name[old.len()..];
            let new = if rest.starts_with(variant.as_str()) {
                format!("{enum_name}{rest}")
            } else {
                format!("{enum_name}{variant}{rest}")
            };
            Some((name.clone(), new))
        })
        .filter(|(_, new)| !type_names.contains(new))
        .collect();
    Renamer { variants: variant_renames, types, qualified_only: false }.visit_file_mut(file);
}

fn is_positional(name: &str) -> bool {
    name.strip_prefix("Variant").is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// For each unit-only enum, its variant names.
fn unit_variants(file: &syn::File) -> BTreeMap<String, Vec<String>> {
    super::items::module(file, "types")
        .iter()
        .filter_map(|item| match item {
            syn::Item::Enum(e) if e.variants.iter().all(|v| matches!(v.fields, syn::Fields::Unit)) => {
                Some((e.ident.to_string(), e.variants.iter().map(|v| v.ident.to_string()).collect()))
            }
            _ => None,
        })
        .collect()
}

/// A field that must be there: not an `Option`, and without a serde default.
fn is_required(field: &syn::Field) -> bool {
    outer_type(&field.ty).as_deref() != Some("Option")
        && !serde_words(&field.attrs).iter().any(|(word, _)| word == "default")
}

fn derived_name(
    union: &syn::ItemEnum,
    variant: &syn::Variant,
    enum_values: &BTreeMap<String, Vec<String>>,
) -> Option<String> {
    match &variant.fields {
        syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
            let inner = outer_type(&fields.unnamed[0].ty)?;
            let own = union.ident.to_string();
            (!inner.starts_with(&own) && !is_positional(&inner)).then_some(inner)
        }
        syn::Fields::Named(fields) => {
            let unique: Vec<&syn::Field> = fields
                .named
                .iter()
                .filter(|field| is_required(field))
                .filter(|field| {
                    union.variants.iter().filter(|other| other.ident != variant.ident).all(|other| {
                        match &other.fields {
                            syn::Fields::Named(theirs) => {
                                !theirs.named.iter().any(|f| f.ident == field.ident && is_required(f))
                            }
                            _ => true,
                        }
                    })
                })
                .collect();
            let field = unique.first()?;
            let name = field.ident.as_ref()?.to_string();
            if !GENERIC.contains(&name.as_str()) {
                return Some(name.trim_start_matches("r#").to_pascal_case());
            }
            let values = enum_values.get(&outer_type(&field.ty)?)?;
            (!values.is_empty() && values.len() <= 3).then(|| values.join("Or"))
        }
        _ => None,
    }
}

/// Renames variants (`Enum::Old` in paths, and the variant itself) and local types everywhere,
/// their doc comments included; absolute paths (`::std::string::String`) are left alone.
pub(super) struct Renamer {
    /// `(enum, old variant)` to the new variant name.
    pub(super) variants: BTreeMap<(String, String), String>,
    /// Old type name to new.
    pub(super) types: BTreeMap<String, String>,
    /// Rename a type only where a path names it through `types::`, `super::` or `builder::`: outside the
    /// `types` module's own items a bare `String` is the standard one.
    pub(super) qualified_only: bool,
}

impl Renamer {
    fn variant(&self, owner: &str, name: &str) -> Option<syn::Ident> {
        let new = self.variants.get(&(owner.to_string(), name.to_string()))?;
        Some(syn::Ident::new(new, proc_macro2::Span::call_site()))
    }
}

impl VisitMut for Renamer {
    fn visit_item_enum_mut(&mut self, node: &mut syn::ItemEnum) {
        let owner = node.ident.to_string();
        self.rename_item(&mut node.ident);
        for variant in node.variants.iter_mut() {
            if let Some(new) = self.variant(&owner, &variant.ident.to_string()) {
                variant.ident = new;
            }
        }
        syn::visit_mut::visit_item_enum_mut(self, node);
    }

    fn visit_item_impl_mut(&mut self, node: &mut syn::ItemImpl) {
        // `Self::Variant1` inside `impl ... for Enum`.
        let owner = match node.self_ty.as_ref() {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        if let Some(owner) = owner {
            let mut selfs = SelfVariants { renamer: self, owner };
            for member in node.items.iter_mut() {
                selfs.visit_impl_item_mut(member);
            }
        }
        syn::visit_mut::visit_item_impl_mut(self, node);
    }

    fn visit_path_mut(&mut self, node: &mut syn::Path) {
        let local = super::items::is_local(node);
        let count = node.segments.len();
        for i in 0..count {
            if !local {
                if let syn::PathArguments::AngleBracketed(arguments) = &mut node.segments[i].arguments {
                    syn::visit_mut::visit_angle_bracketed_generic_arguments_mut(self, arguments);
                }
                continue;
            }
            let name = node.segments[i].ident.to_string();
            if i + 1 < count {
                let next = node.segments[i + 1].ident.to_string();
                if let Some(new) = self.variant(&name, &next) {
                    node.segments[i + 1].ident = new;
                }
            }
            // A type is the first segment of a path or comes after `types::`/`super::`; a
            // later segment (`D::Error`, `Self::Error`) is something else of the same name.
            let qualified =
                i > 0 && matches!(node.segments[i - 1].ident.to_string().as_str(), "types" | "super" | "builder");
            let names_type = qualified || (i == 0 && !self.qualified_only);
            if let Some(new) = self.types.get(&name).filter(|_| names_type) {
                node.segments[i].ident = syn::Ident::new(new, node.segments[i].ident.span());
            }
            if let syn::PathArguments::AngleBracketed(arguments) = &mut node.segments[i].arguments {
                syn::visit_mut::visit_angle_bracketed_generic_arguments_mut(self, arguments);
            }
        }
    }

    fn visit_item_struct_mut(&mut self, node: &mut syn::ItemStruct) {
        self.rename_item(&mut node.ident);
        syn::visit_mut::visit_item_struct_mut(self, node);
    }

    fn visit_attribute_mut(&mut self, node: &mut syn::Attribute) {
        if let syn::Meta::NameValue(doc) = &mut node.meta
            && doc.path.is_ident("doc")
            && let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) = &mut doc.value
        {
            let mut value = text.value();
            for (old, new) in &self.types {
                value = value.replace(&format!("`{old}`"), &format!("`{new}`"));
            }
            *text = syn::LitStr::new(&value, text.span());
        }
    }
}

impl Renamer {
    fn rename_item(&self, ident: &mut syn::Ident) {
        if let Some(new) = self.types.get(&ident.to_string()) {
            *ident = syn::Ident::new(new, ident.span());
        }
    }
}

struct SelfVariants<'a> {
    renamer: &'a Renamer,
    owner: String,
}

impl VisitMut for SelfVariants<'_> {
    fn visit_path_mut(&mut self, node: &mut syn::Path) {
        if node.segments.len() == 2 && node.segments[0].ident == "Self" {
            let name = node.segments[1].ident.to_string();
            if let Some(new) = self.renamer.variant(&self.owner, &name) {
                node.segments[1].ident = new;
            }
        }
        syn::visit_mut::visit_path_mut(self, node);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{has, lines, rewritten, roles};
    use super::*;

    const TYPES: &str = r#"
        pub mod types {
            #[serde(untagged)]
            pub enum ToolCall {
                Variant0 { #[serde(rename = "type")] type_: ToolCallVariant0Type },
                Variant1 {
                    function: ToolCallVariant1Function,
                    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                    type_: ::std::option::Option<::std::string::String>,
                },
            }
            pub enum ToolCallVariant0Type { WebSearch, XSearch }
            pub struct ToolCallVariant1Function { pub name: ::std::string::String }
            impl ::std::convert::From<ToolCallVariant1Function> for ToolCall {
                fn from(value: ToolCallVariant1Function) -> Self { Self::Variant1 { function: value, type_: None } }
            }
            #[serde(untagged)]
            pub enum Pricing {
                Variant0 { input: f64, output: f64 },
                Variant1 { input: f64 },
            }
        }
    "#;

    #[test]
    fn variants_are_named_after_what_only_they_require_and_their_types_follow() {
        let (source, changes) = rewritten(run, TYPES, roles(&[], &["ToolCall"]));
        assert!(
            has(&source, "WebSearchOrXSearch { #[serde(rename = \"type\")] type_: ToolCallWebSearchOrXSearchType, }"),
            "{source}"
        );
        assert!(has(&source, "Function { function: ToolCallFunction,"), "{source}");
        assert!(has(&source, "pub struct ToolCallFunction {"), "{source}");
        assert!(has(&source, "Self::Function { function: value, type_: None, }"), "{source}");
        assert_eq!(
            lines(&changes),
            [
                "type ToolCall: variant Variant0 named WebSearchOrXSearch",
                "type ToolCall: variant Variant1 named Function"
            ]
        );
    }

    #[test]
    fn a_union_with_a_variant_that_cannot_be_named_is_left_alone() {
        let (source, _) = rewritten(run, TYPES, roles(&[], &[]));
        assert!(has(&source, "Variant0 { input: f64, output: f64 }, Variant1 { input: f64 },"), "{source}");
    }
}

//! Passes over the generated Rust code: what the spec cannot tell typify.
//!
//! The spec passes ([`crate::passes`]) mend the spec so progenitor generates the right
//! shapes. Some behaviour is not a shape: OpenAPI has no word for "an answer's enum may gain
//! values", and typify reads every enum, union and defaulted field strictly, on both sides of
//! the wire. These passes run on progenitor's syntax tree, after it and before the feature
//! gating, and change how the types that *answers* reach are read: what the caller sends stays
//! as strict as typify made it, so a misspelt value is still refused before sending.
//!
//! Which types answers reach comes from the code itself ([`Roles`]): the success and error
//! types of every operation's `send`, the JSON shapes kept for raw-bytes answers, and every
//! type those name. Each pass logs its edits in the same [`Changes`] form the spec passes use,
//! so the normalization report lists them (owner `type X`).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::passes::{Changes, Report, pascal};

mod absent_lists;
#[cfg(test)]
mod fixture;
pub mod items;
mod null_answers;
mod open_enums;
mod open_unions;
mod std_names;
mod variant_names;

/// One pass over the generated code.
#[derive(Clone, Copy)]
pub struct CodePass {
    /// The pass's name, as shown in the report.
    pub name: &'static str,
    /// Rewrites the generated file, logging what it changed.
    pub run: fn(&mut syn::File, &Roles, &mut Changes),
}

/// A code pass named after its module (and so its file).
macro_rules! code_pass {
    ($module:ident) => {
        CodePass { name: stringify!($module), run: $module::run }
    };
}

/// The code passes, in the order they run.
pub const CODE_PIPELINE: &[CodePass] = &[
    code_pass!(variant_names),
    code_pass!(std_names),
    code_pass!(open_enums),
    code_pass!(open_unions),
    code_pass!(null_answers),
    code_pass!(absent_lists),
];

/// Which generated types the answers of the API reach, and which its requests reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles {
    /// Types an answer (success or error, JSON form of a raw answer) can hold.
    pub answers: BTreeSet<String>,
    /// Types a request (body, query, path or header parameter) can hold.
    pub requests: BTreeSet<String>,
}

impl Roles {
    /// The roles of the types of `file`, generated from the normalized `document`.
    pub fn of(file: &syn::File, document: &Value) -> Self {
        let type_names = items::type_names(file);
        let edges = items::edges(items::module(file, "types"), &type_names);
        let mut answer_roots: BTreeSet<String> =
            json_shapes(document).into_iter().filter(|n| type_names.contains(n)).collect();
        let mut request_roots = BTreeSet::new();
        for item in items::module(file, "builder") {
            match item {
                syn::Item::Struct(builder) => {
                    for field in &builder.fields {
                        request_roots.extend(items::type_references(&field.ty, &type_names));
                    }
                }
                syn::Item::Impl(block) => {
                    for member in &block.items {
                        if let syn::ImplItem::Fn(send) = member
                            && send.sig.ident == "send"
                            && let syn::ReturnType::Type(_, ty) = &send.sig.output
                        {
                            answer_roots.extend(items::type_references(ty, &type_names));
                        }
                    }
                }
                _ => {}
            }
        }
        Roles { answers: items::closure(answer_roots, &edges), requests: items::closure(request_roots, &edges) }
    }
}

/// The Rust names of the schemas the pipeline keeps as the JSON form of raw-bytes answers.
fn json_shapes(document: &Value) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut doc = document.clone();
    crate::walk::for_each_operation(&mut doc, |_, operation| {
        for response in operation.get("responses").and_then(Value::as_object).into_iter().flat_map(|r| r.values()) {
            let reference = response.get(crate::passes::JSON_SHAPE).and_then(|s| s.get("$ref")).and_then(Value::as_str);
            if let Some(name) = reference.and_then(|r| r.strip_prefix("#/components/schemas/")) {
                names.insert(pascal(name));
            }
        }
    });
    names
}

/// Runs every pass of [`CODE_PIPELINE`] over `file`, adding their logs to `report`.
pub fn rewrite(file: &mut syn::File, document: &Value, report: &mut Report) {
    for pass in CODE_PIPELINE {
        // Read afresh: a pass may rename types.
        let roles = Roles::of(file, document);
        let mut changes = Changes::default();
        (pass.run)(file, &roles, &mut changes);
        report.passes.push((pass.name, changes));
    }
}

// ---- helpers shared by several passes ----

/// The spot of a generated type in the report.
fn type_spot(name: &impl ToString) -> crate::walk::Spot {
    crate::walk::Spot::new(format!("type {}", name.to_string()))
}

/// The paths a `#[derive(...)]` attribute lists; empty for other attributes.
fn derives(attr: &syn::Attribute) -> Vec<syn::Path> {
    if !attr.path().is_ident("derive") {
        return Vec::new();
    }
    attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        .map(|list| list.into_iter().collect())
        .unwrap_or_default()
}

/// Removes the derives whose last segment is one of `names` (`Copy`, `Deserialize`).
fn drop_derives(attrs: &mut [syn::Attribute], names: &[&str]) {
    for attr in attrs.iter_mut() {
        let listed = derives(attr);
        if listed.is_empty() {
            continue;
        }
        let kept: Vec<&syn::Path> = listed
            .iter()
            .filter(|path| !path.segments.last().is_some_and(|s| names.iter().any(|n| s.ident == n)))
            .collect();
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
}

/// The words of the `#[serde(...)]` attributes in `attrs` (`untagged`, `tag`, `default`...),
/// each with its value when it has one.
fn serde_words(attrs: &[syn::Attribute]) -> Vec<(String, Option<syn::Expr>)> {
    let mut words = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            let name = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
            let value = if meta.input.peek(syn::Token![=]) { Some(meta.value()?.parse::<syn::Expr>()?) } else { None };
            words.push((name, value));
            Ok(())
        });
    }
    words
}

/// A name for the variant that keeps unknown values: `Unknown`, unless the enum already has
/// a variant of that name.
fn unknown_variant_name(variants: &syn::punctuated::Punctuated<syn::Variant, syn::Token![,]>) -> syn::Ident {
    let taken = |name: &str| variants.iter().any(|v| v.ident == name);
    let name = ["Unknown", "UnknownValue", "Unrecognized"].into_iter().find(|n| !taken(n)).unwrap_or("Unknown");
    syn::Ident::new(name, proc_macro2::Span::call_site())
}

/// The named fields of the structs and enum variants answers reach, with the name of the type
/// each belongs to (`Type` or `Type::Variant`).
fn answer_fields<'a>(items: &'a mut [syn::Item], roles: &Roles) -> Vec<(String, &'a mut syn::Field)> {
    let mut fields = Vec::new();
    for item in items.iter_mut() {
        match item {
            syn::Item::Struct(s) if roles.answers.contains(&s.ident.to_string()) => {
                let owner = s.ident.to_string();
                if let syn::Fields::Named(named) = &mut s.fields {
                    fields.extend(named.named.iter_mut().map(|f| (owner.clone(), f)));
                }
            }
            syn::Item::Enum(e) if roles.answers.contains(&e.ident.to_string()) => {
                let owner = e.ident.to_string();
                for variant in e.variants.iter_mut() {
                    let owner = format!("{owner}::{}", variant.ident);
                    if let syn::Fields::Named(named) = &mut variant.fields {
                        fields.extend(named.named.iter_mut().map(|f| (owner.clone(), f)));
                    }
                }
            }
            _ => {}
        }
    }
    fields
}

/// The last segment of a type path (`Option`, `Vec`, `HashMap`), if the type is a path.
fn outer_type(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The field's name as the report shows it.
fn field_name(field: &syn::Field) -> String {
    field.ident.as_ref().map(ToString::to_string).unwrap_or_default()
}

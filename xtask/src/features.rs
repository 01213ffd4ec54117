//! Cargo features for the generated code: one per API tag, so that a user of one resource
//! compiles only its operations and the types they can reach.
//!
//! progenitor writes every operation and type into one file. This step runs on its syntax
//! tree: each operation method and its request builder get `#[cfg(feature = "<tag>")]`,
//! where `<tag>` is the feature of the operation's first tag: the one our spec pins on the tag
//! (`x-venice-rs-feature`, see the `tag_features` pass), else the tag in kebab case
//! (`API Keys` -> `api-keys`, `Responses (Alpha)` -> `responses`); each type gets the features of every operation that
//! reaches it, directly or through other types (the spec's own references count too, for
//! operations the generated client lacks); each impl or helper gets the features of the types
//! it names. A type no operation reaches is compiled with `full` only.

use std::collections::{BTreeMap, BTreeSet};

use crate::code::items::{attrs_mut, edges, owner, references, type_names};
use crate::walk::for_each_operation;
use heck::ToKebabCase;
use quote::quote;
use serde_json::Value;

/// The feature an operation with first tag `tag` belongs to.
pub fn feature_of_tag(tag: &str) -> String {
    let name = tag.split('(').next().unwrap_or(tag).trim();
    let feature = name.to_kebab_case();
    if feature.is_empty() { UNTAGGED.to_owned() } else { feature }
}

/// The feature of operations without tags.
pub const UNTAGGED: &str = "untagged";

/// The feature of `operation`: the one the `tag_features` pass gave it (a tag's pin in our
/// spec, else [`feature_of_tag`] of its first tag), or, on a spec that did not go through the
/// passes, the rule applied to its first tag.
fn feature_of_operation(operation: &serde_json::Map<String, Value>) -> String {
    if let Some(feature) = operation.get(crate::passes::FEATURE).and_then(Value::as_str) {
        return feature.to_owned();
    }
    let tag = operation.get("tags").and_then(Value::as_array).and_then(|t| t.first()).and_then(Value::as_str);
    tag.map_or_else(|| UNTAGGED.to_owned(), feature_of_tag)
}

/// The feature of each operation, by the snake-case id progenitor gives its method.
pub fn operation_features(document: &Value) -> BTreeMap<String, String> {
    let mut doc = document.clone();
    let mut features = BTreeMap::new();
    for_each_operation(&mut doc, |key, operation| {
        features.insert(heck::ToSnakeCase::to_snake_case(key.label().as_str()), feature_of_operation(operation));
    });
    features
}

/// The features of the operations whose spec names each component schema, by the Rust name
/// typify gives it. It covers what the generated code alone cannot show: the operations the
/// pipeline excluded (kept under `x-venice-excluded`) and the JSON shapes of answers that the
/// generated calls return as raw bytes (`x-venice-json-shape`), which no generated call names.
pub fn schema_features(document: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut features: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let excluded = document.get(crate::passes::EXCLUDED).cloned().unwrap_or(Value::Null);
    for mut source in [document.clone(), serde_json::json!({ "paths": excluded })] {
        for_each_operation(&mut source, |_, operation| {
            let feature = feature_of_operation(operation);
            let mut names = BTreeSet::new();
            collect_schema_refs(&Value::Object(operation.clone()), &mut names);
            for name in names {
                features.entry(heck::ToPascalCase::to_pascal_case(name.as_str())).or_default().insert(feature.clone());
            }
        });
    }
    features
}

fn collect_schema_refs(value: &Value, names: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) =
                map.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                names.insert(name.to_owned());
            }
            map.values().for_each(|v| collect_schema_refs(v, names));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_schema_refs(v, names)),
        _ => {}
    }
}

/// Adds the `cfg` attributes to `file`; returns the features the attributes name.
/// `schema_features` seeds the types the spec ties to operations (see [`schema_features`]).
pub fn gate(
    file: &mut syn::File,
    operation_features: &BTreeMap<String, String>,
    schema_features: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeSet<String> {
    let type_names = type_names(file);
    let op_builders = operation_builders(file, operation_features);
    let reach = reachability(file, &type_names, &op_builders, schema_features);

    for item in &mut file.items {
        match item {
            syn::Item::Impl(block) if is_inherent_client_impl(block) => {
                for member in &mut block.items {
                    if let syn::ImplItem::Fn(method) = member
                        && let Some(feature) = operation_features.get(&method.sig.ident.to_string())
                    {
                        method.attrs.push(cfg_attribute(&[BTreeSet::from([feature.clone()])]));
                    }
                }
            }
            syn::Item::Mod(module) if module.ident == "builder" => {
                for inner in module_items(module) {
                    if let Some(feature) = owner(inner).and_then(|o| op_builders.get(&o)) {
                        attrs_mut(inner).push(cfg_attribute(&[BTreeSet::from([feature.clone()])]));
                    }
                }
            }
            syn::Item::Mod(module) if module.ident == "types" => gate_types(module, &type_names, &reach),
            _ => {}
        }
    }
    operation_features.values().cloned().collect()
}

fn gate_types(module: &mut syn::ItemMod, type_names: &BTreeSet<String>, reach: &BTreeMap<String, BTreeSet<String>>) {
    for item in module_items(module) {
        if let syn::Item::Mod(nested) = item {
            if nested.ident != "error" {
                gate_types(nested, type_names, reach);
            }
            continue;
        }
        let needs: Vec<BTreeSet<String>> = match item {
            syn::Item::Struct(_) | syn::Item::Enum(_) | syn::Item::Type(_) => {
                owner(item).and_then(|o| reach.get(&o)).filter(|f| !f.is_empty()).cloned().into_iter().collect()
            }
            _ => references(item, type_names)
                .iter()
                .filter_map(|name| reach.get(name))
                .filter(|f| !f.is_empty())
                .cloned()
                .collect(),
        };
        let needs = minimal(needs);
        if !needs.is_empty() {
            attrs_mut(item).push(cfg_attribute(&needs));
        }
    }
}

/// Drops each set that contains another: `any(small)` already implies `any(big)`.
fn minimal(mut sets: Vec<BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    sets.sort_by_key(BTreeSet::len);
    sets.dedup();
    let mut kept: Vec<BTreeSet<String>> = Vec::new();
    for set in sets {
        if !kept.iter().any(|k| k.is_subset(&set)) {
            kept.push(set);
        }
    }
    kept
}

/// `#[cfg(...)]` requiring one feature of each set.
fn cfg_attribute(needs: &[BTreeSet<String>]) -> syn::Attribute {
    let any = |set: &BTreeSet<String>| {
        let features: Vec<_> = set.iter().map(|f| quote!(feature = #f)).collect();
        if features.len() == 1 { features[0].clone() } else { quote!(any(#(#features),*)) }
    };
    let terms: Vec<_> = needs.iter().map(any).collect();
    let predicate = if terms.len() == 1 { terms[0].clone() } else { quote!(all(#(#terms),*)) };
    syn::parse_quote!(#[cfg(#predicate)])
}

/// For each generated type, the features of the operations that reach it.
fn reachability(
    file: &syn::File,
    type_names: &BTreeSet<String>,
    op_builders: &BTreeMap<String, String>,
    schema_features: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut reach: BTreeMap<String, BTreeSet<String>> = schema_features
        .iter()
        .filter(|(name, _)| type_names.contains(*name))
        .map(|(n, f)| (n.clone(), f.clone()))
        .collect();
    for inner in crate::code::items::module(file, "builder") {
        if let Some(feature) = owner(inner).and_then(|o| op_builders.get(&o)) {
            for name in references(inner, type_names) {
                reach.entry(name).or_default().insert(feature.clone());
            }
        }
    }
    let edges = edges(crate::code::items::module(file, "types"), type_names);
    propagate(&mut reach, &edges);
    // A schema no operation names (and what only it names) is compiled with `full` alone: it
    // is part of the API's description, not of any call.
    for name in type_names {
        let features = reach.entry(name.clone()).or_default();
        if features.is_empty() {
            features.insert(FULL.to_owned());
        }
    }
    propagate(&mut reach, &edges);
    reach
}

/// The feature that turns on every tag, and gates what belongs to none.
pub const FULL: &str = "full";

/// Adds to each type the features of the types that name it, until nothing changes (the
/// graph is small: hundreds of types).
fn propagate(reach: &mut BTreeMap<String, BTreeSet<String>>, edges: &BTreeMap<String, BTreeSet<String>>) {
    loop {
        let mut changed = false;
        for (from, targets) in edges {
            let Some(features) = reach.get(from).cloned() else { continue };
            for target in targets {
                let entry = reach.entry(target.clone()).or_default();
                let before = entry.len();
                entry.extend(features.iter().cloned());
                changed |= entry.len() != before;
            }
        }
        if !changed {
            return;
        }
    }
}

/// Each operation's request builder struct, with the operation's feature.
fn operation_builders(file: &syn::File, operation_features: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut builders = BTreeMap::new();
    for item in &file.items {
        let syn::Item::Impl(block) = item else { continue };
        if !is_inherent_client_impl(block) {
            continue;
        }
        for member in &block.items {
            let syn::ImplItem::Fn(method) = member else { continue };
            let Some(feature) = operation_features.get(&method.sig.ident.to_string()) else { continue };
            if let syn::ReturnType::Type(_, ty) = &method.sig.output
                && let syn::Type::Path(path) = ty.as_ref()
                && let Some(last) = path.path.segments.last()
            {
                builders.insert(last.ident.to_string(), feature.clone());
            }
        }
    }
    builders
}

fn is_inherent_client_impl(block: &syn::ItemImpl) -> bool {
    block.trait_.is_none() && matches!(block.self_ty.as_ref(), syn::Type::Path(p) if p.path.is_ident("Client"))
}

fn module_items(module: &mut syn::ItemMod) -> impl Iterator<Item = &mut syn::Item> {
    module.content.iter_mut().flat_map(|(_, items)| items.iter_mut())
}

/// The features `Cargo.toml` at `manifest` declares, read from its `[features]` table.
pub fn declared_features(manifest: &str) -> BTreeSet<String> {
    let mut in_features = false;
    let mut declared = BTreeSet::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_features = line == "[features]";
        } else if in_features && let Some((name, _)) = line.split_once('=') {
            let name = name.trim().trim_matches('"');
            if !name.is_empty() && !name.starts_with('#') {
                declared.insert(name.to_owned());
            }
        }
    }
    declared
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
        pub mod types {
            pub struct Shared { pub x: i64 }
            pub struct Common { pub y: i64 }
            pub struct ChatBody { pub shared: Shared, pub common: Common }
            pub struct KeyBody { pub shared: Shared, pub inner: KeyInner, pub common: Common }
            pub struct KeyInner(String);
            pub struct Orphan { pub shared: Shared }
            pub struct Excluded { pub inner: ExcludedInner }
            pub struct ExcludedInner(i64);
            pub struct String(::std::string::String);
            impl From<KeyInner> for ::std::string::String { fn from(v: KeyInner) -> Self { v.0 } }
            impl From<KeyInner> for String { fn from(v: KeyInner) -> Self { v.0 } }
            impl ::std::fmt::Debug for ChatBody { fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { Ok(()) } }
            pub mod builder {
                pub struct KeyBody { shared: Result<super::Shared, String> }
            }
            pub mod defaults {
                pub(super) fn key_inner() -> super::KeyInner { super::KeyInner(String::new()) }
                pub(super) fn plain() -> i64 { 1 }
            }
            pub mod error { pub struct ConversionError; }
        }
        pub struct Client;
        impl Client {
            pub fn chat(&self) -> builder::Chat<'_> { todo!() }
            pub fn create_key(&self) -> builder::CreateKey<'_> { todo!() }
        }
        pub mod builder {
            pub struct Chat<'a> { body: types::ChatBody, c: &'a () }
            pub struct CreateKey<'a> { body: types::builder::KeyBody, c: &'a () }
            impl<'a> CreateKey<'a> { fn send(self) {} }
        }
    "#;

    fn gated() -> String {
        let mut file: syn::File = syn::parse_str(FILE).unwrap();
        let features =
            BTreeMap::from([("chat".to_owned(), "chat".to_owned()), ("create_key".to_owned(), "api-keys".to_owned())]);
        gate(&mut file, &features, &BTreeMap::from([("Excluded".to_owned(), BTreeSet::from(["audio".to_owned()]))]));
        prettyplease::unparse(&file)
    }

    fn attribute_before(source: &str, item: &str) -> String {
        let at = source.find(item).unwrap_or_else(|| panic!("{item} not in {source}"));
        source[..at].trim_end().lines().last().unwrap().trim().to_owned()
    }

    #[test]
    fn tags_become_kebab_case_features() {
        assert_eq!(feature_of_tag("API Keys"), "api-keys");
        assert_eq!(feature_of_tag("Responses (Alpha)"), "responses");
        assert_eq!(feature_of_tag("Crypto RPC"), "crypto-rpc");
        assert_eq!(feature_of_tag("x402"), "x402");
    }

    #[test]
    fn operations_and_their_builders_get_their_feature() {
        let source = gated();
        assert_eq!(attribute_before(&source, "pub fn chat("), r#"#[cfg(feature = "chat")]"#);
        assert_eq!(attribute_before(&source, "pub struct CreateKey<"), r#"#[cfg(feature = "api-keys")]"#);
        assert_eq!(attribute_before(&source, "impl<'a> CreateKey<'a>"), r#"#[cfg(feature = "api-keys")]"#);
    }

    #[test]
    fn a_type_reached_by_two_features_needs_either() {
        assert_eq!(
            attribute_before(&gated(), "pub struct Common"),
            r#"#[cfg(any(feature = "api-keys", feature = "chat"))]"#
        );
    }

    #[test]
    fn what_an_unreached_type_names_is_also_compiled_with_full() {
        assert_eq!(
            attribute_before(&gated(), "pub struct Shared"),
            r#"#[cfg(any(feature = "api-keys", feature = "chat", feature = "full"))]"#
        );
    }

    #[test]
    fn types_reached_through_other_types_inherit_their_features() {
        let source = gated();
        assert_eq!(attribute_before(&source, "pub struct KeyInner"), r#"#[cfg(feature = "api-keys")]"#);
        assert_eq!(attribute_before(&source, "impl From<KeyInner> for String"), r#"#[cfg(feature = "api-keys")]"#);
        assert_eq!(attribute_before(&source, "pub(super) fn key_inner"), r#"#[cfg(feature = "api-keys")]"#);
    }

    #[test]
    fn a_generated_type_named_like_a_standard_one_is_not_confused_with_it() {
        let source = gated();
        assert_eq!(
            attribute_before(&source, "impl From<KeyInner> for ::std::string::String"),
            r#"#[cfg(feature = "api-keys")]"#
        );
        assert_eq!(attribute_before(&source, "pub struct KeyInner"), r#"#[cfg(feature = "api-keys")]"#);
    }

    #[test]
    fn types_the_spec_ties_to_an_excluded_operation_get_its_feature() {
        let source = gated();
        assert_eq!(attribute_before(&source, "pub struct Excluded "), r#"#[cfg(feature = "audio")]"#);
        assert_eq!(attribute_before(&source, "pub struct ExcludedInner"), r#"#[cfg(feature = "audio")]"#);
    }

    #[test]
    fn schema_features_come_from_every_operation_including_excluded_ones() {
        let document = serde_json::json!({
            "paths": {"/a": {"get": {"operationId": "getA", "tags": ["Chat"],
                "responses": {"200": {"x-venice-json-shape": {"$ref": "#/components/schemas/GetAResponse"}}}}}},
            "x-venice-excluded": {"/b": {"post": {"operationId": "postB", "tags": ["Audio"],
                "requestBody": {"content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/BRequest"}}}}}}},
        });
        let features = schema_features(&document);
        assert_eq!(features["GetAResponse"], BTreeSet::from(["chat".to_owned()]));
        assert_eq!(features["BRequest"], BTreeSet::from(["audio".to_owned()]));
    }

    #[test]
    fn impls_follow_the_type_they_are_for() {
        assert_eq!(attribute_before(&gated(), "impl ::std::fmt::Debug for ChatBody"), r#"#[cfg(feature = "chat")]"#);
    }

    #[test]
    fn unreached_types_need_full_and_plain_helpers_stay_ungated() {
        let source = gated();
        assert_eq!(attribute_before(&source, "pub struct Orphan"), r#"#[cfg(feature = "full")]"#);
        assert!(!attribute_before(&source, "pub(super) fn plain").starts_with("#[cfg"));
        assert!(!attribute_before(&source, "pub struct ConversionError").starts_with("#[cfg"));
    }

    #[test]
    fn declared_features_are_read_from_the_features_table() {
        let manifest = "[package]\nname = \"x\"\n[features]\ndefault = [\"full\"]\napi-keys = []\n\"chat\" = []\n[dependencies]\nserde = \"1\"\n";
        assert_eq!(declared_features(manifest), BTreeSet::from(["default".into(), "api-keys".into(), "chat".into()]));
    }
}

//! The answer table: for each operation whose success answer is JSON, the generated type it
//! decodes into, as a function the workspace tests call by operation id.
//!
//! Why generated: the tests that try every answer against what a newer server may send
//! (unknown fields, unknown enum values, optional fields absent or `null`) must cover a new
//! operation the day the spec gains it, without anyone writing a line for it. The table
//! is read off the finished client (so it names the types as the code passes left them),
//! plus the JSON shapes the pipeline keeps for answers that the generated call returns as
//! raw bytes (`x-venice-json-shape`).

use std::collections::{BTreeMap, BTreeSet};

use quote::{format_ident, quote};
use serde_json::Value;
use syn::{ImplItem, Item, Type};

use crate::walk::for_each_operation;

/// One row: the operation, its feature, and the type its JSON answer decodes into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The spec's operationId.
    pub operation_id: String,
    /// The cargo feature the operation's types are gated by.
    pub feature: String,
    /// The name of the answer's type in the generated `types` module.
    pub type_name: String,
}

/// The rows of the table, in operationId order, read off `file` (the finished client) and
/// `document` (the normalized spec).
pub fn answers(file: &syn::File, document: &Value, features: &BTreeMap<String, String>) -> Vec<Answer> {
    let type_names = generated_type_names(file);
    let ok_types = ok_types(file);
    let mut rows = BTreeMap::new();
    let mut doc = document.clone();
    for_each_operation(&mut doc, |key, operation| {
        let operation_id = key.label();
        let id = heck::ToSnakeCase::to_snake_case(operation_id.as_str());
        let shape = operation
            .get("responses")
            .and_then(|r| r.get("200"))
            .and_then(|r| r.get(crate::passes::JSON_SHAPE))
            .and_then(|s| s.get("$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .map(crate::passes::pascal);
        let type_name = match ok_types.get(&id) {
            Some(Some(name)) => Some(name.clone()),
            _ => shape,
        };
        let Some(type_name) = type_name.filter(|name| type_names.contains(name)) else { return };
        let feature = features.get(&id).cloned().unwrap_or_else(|| crate::features::UNTAGGED.to_owned());
        rows.insert(operation_id.clone(), Answer { operation_id, feature, type_name });
    });
    rows.into_values().collect()
}

/// The source of `answers.rs`: `decode_and_encode(operation_id, body)` and the list of
/// operation ids it knows.
pub fn table(rows: &[Answer]) -> proc_macro2::TokenStream {
    let arms = rows.iter().map(|row| {
        let (id, feature, ty) = (&row.operation_id, &row.feature, format_ident!("{}", row.type_name));
        quote! {
            #[cfg(feature = #feature)]
            #id => Some(through::<crate::types::#ty>(body)),
        }
    });
    let ids = rows.iter().map(|row| &row.operation_id);
    quote! {
        //! The generated type each operation's JSON success answer decodes into, reachable by
        //! operation id, for tests that try every answer without naming each operation.

        /// Every operation with a JSON success answer, by operationId, whichever features are on.
        pub const OPERATIONS_WITH_JSON_ANSWERS: &[&str] = &[#(#ids),*];

        /// Decodes `body` as the success answer of `operation_id` with its generated type and
        /// writes the value back as JSON; `None` when the operation has no JSON answer or its
        /// feature is off.
        #[allow(unused_variables, reason = "`body` is unused when every feature is off")]
        pub fn decode_and_encode(
            operation_id: &str,
            body: &[u8],
        ) -> ::std::option::Option<::std::result::Result<::serde_json::Value, ::serde_json::Error>> {
            #[allow(dead_code, reason = "unused when every feature is off")]
            fn through<T: ::serde::de::DeserializeOwned + ::serde::Serialize>(
                body: &[u8],
            ) -> ::std::result::Result<::serde_json::Value, ::serde_json::Error> {
                let decoded: T = ::serde_json::from_slice(body)?;
                ::serde_json::to_value(&decoded)
            }
            match operation_id {
                #(#arms)*
                _ => None,
            }
        }
    }
}

/// The names of the items of the generated `types` module.
fn generated_type_names(file: &syn::File) -> BTreeSet<String> {
    let Some(items) = file.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    }) else {
        return BTreeSet::new();
    };
    items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => Some(s.ident.to_string()),
            Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// For each builder's `send`, keyed by the snake-case operation id, the answer's type name
/// when it is a generated type (`ResponseValue<types::X>`), `None` when it is something else
/// (raw bytes, a bare map).
fn ok_types(file: &syn::File) -> BTreeMap<String, Option<String>> {
    let Some(items) = file.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    }) else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    for item in items {
        let Item::Impl(block) = item else { continue };
        let Type::Path(self_ty) = block.self_ty.as_ref() else { continue };
        let Some(builder) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else { continue };
        for item in &block.items {
            let ImplItem::Fn(f) = item else { continue };
            if f.sig.ident != "send" {
                continue;
            }
            let syn::ReturnType::Type(_, ty) = &f.sig.output else { continue };
            out.insert(heck::ToSnakeCase::to_snake_case(builder.as_str()), generated_ok_type(ty));
        }
    }
    out
}

/// `X` from `Result<ResponseValue<types::X>, Error<E>>`.
fn generated_ok_type(ty: &Type) -> Option<String> {
    let response_value = first_generic(ty)?;
    let Type::Path(inner) = first_generic(response_value)? else { return None };
    let segments: Vec<String> = inner.path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segments.as_slice() {
        [module, name] if module == "types" => Some(name.clone()),
        _ => None,
    }
}

fn first_generic(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let syn::PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else { return None };
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> syn::File {
        syn::parse_quote! {
            pub mod types {
                pub struct KeyList {}
                pub struct ImageAnswer {}
            }
            pub mod builder {
                pub struct ListKeys<'a> { client: &'a super::Client }
                impl<'a> ListKeys<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::KeyList>, Error<types::Oops>> { todo!() }
                }
                pub struct GenerateImage<'a> { client: &'a super::Client }
                impl<'a> GenerateImage<'a> {
                    pub async fn send(self) -> Result<ResponseValue<ByteStream>, Error<()>> { todo!() }
                }
                pub struct GetSignature<'a> { client: &'a super::Client }
                impl<'a> GetSignature<'a> {
                    pub async fn send(self) -> Result<ResponseValue<serde_json::Map<String, serde_json::Value>>, Error<()>> { todo!() }
                }
            }
        }
    }

    fn document() -> Value {
        serde_json::json!({"paths": {
            "/keys": {"get": {"operationId": "listKeys"}},
            "/image": {"post": {"operationId": "generateImage", "responses": {"200": {
                "x-venice-json-shape": {"$ref": "#/components/schemas/ImageAnswer"}}}}},
            "/signature": {"get": {"operationId": "getSignature"}},
        }})
    }

    #[test]
    fn a_generated_answer_type_and_a_kept_json_shape_are_listed_with_their_feature() {
        let features = BTreeMap::from([
            ("list_keys".to_owned(), "api-keys".to_owned()),
            ("generate_image".to_owned(), "image".to_owned()),
        ]);
        let rows = answers(&client(), &document(), &features);
        let row = |id: &str, feature: &str, ty: &str| Answer {
            operation_id: id.to_owned(),
            feature: feature.to_owned(),
            type_name: ty.to_owned(),
        };
        assert_eq!(rows, [row("generateImage", "image", "ImageAnswer"), row("listKeys", "api-keys", "KeyList")]);
    }

    #[test]
    fn an_answer_without_a_generated_type_is_left_out() {
        let rows = answers(&client(), &document(), &BTreeMap::new());
        assert!(rows.iter().all(|r| r.operation_id != "getSignature"), "{rows:?}");
    }

    #[test]
    fn the_table_gates_each_arm_by_its_feature() {
        let rows =
            [Answer { operation_id: "listKeys".into(), feature: "api-keys".into(), type_name: "KeyList".into() }];
        let text = table(&rows).to_string();
        assert!(
            text.contains(
                r#"# [cfg (feature = "api-keys")] "listKeys" => Some (through :: < crate :: types :: KeyList >"#
            ),
            "{text}"
        );
    }
}

//! A stable text listing of the generated public API, read from the generated code itself.
//!
//! The snapshot tests pin this listing, so a reviewer sees in a PR what a spec update
//! changed for users: each operation (method, path, Rust method, parameters, body, success
//! and error types) and each type (fields or variants, with their Rust types and wire
//! names). It is derived with `syn`, so it describes what was generated, not what the spec
//! meant to say.

use std::fmt::Write as _;

use quote::ToTokens;
use syn::{Attribute, Expr, Fields, ImplItem, Item, Lit, Meta, Type};

use crate::error::{Error, Result};

/// The listing of the generated source `source` (the contents of `generated.rs`).
pub fn describe(source: &str) -> Result<String> {
    let file = syn::parse_file(source).map_err(|e| Error::new(format!("generated code does not parse: {e}")))?;
    let builders = module_items(&file.items, "builder");
    let mut out = String::from("# operations\n");
    for method in client_methods(&file.items) {
        describe_operation(&mut out, method, builders);
    }
    out.push_str("\n# types\n");
    for item in module_items(&file.items, "types") {
        describe_type(&mut out, item);
    }
    Ok(out)
}

fn module_items<'a>(items: &'a [Item], name: &str) -> &'a [Item] {
    items
        .iter()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items.as_slice()),
            _ => None,
        })
        .unwrap_or(&[])
}

fn client_methods(items: &[Item]) -> impl Iterator<Item = &syn::ImplItemFn> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Impl(block) if block.trait_.is_none() && type_text(&block.self_ty) == "Client" => Some(block),
            _ => None,
        })
        .flat_map(|block| block.items.iter())
        .filter_map(|item| match item {
            ImplItem::Fn(f) if doc_text(&f.attrs).contains("Sends a `") => Some(f),
            _ => None,
        })
}

fn describe_operation(out: &mut String, method: &syn::ImplItemFn, builders: &[Item]) {
    let doc = doc_text(&method.attrs);
    let route = doc
        .split("Sends a `")
        .nth(1)
        .and_then(|rest| {
            let (verb, rest) = rest.split_once("` request to `")?;
            let (path, _) = rest.split_once('`')?;
            Some(format!("{verb} {path}"))
        })
        .unwrap_or_else(|| "?".to_string());
    let name = method.sig.ident.to_string();
    let _ = writeln!(out, "{name}: {route}");
    let builder_name = match &method.sig.output {
        syn::ReturnType::Type(_, ty) => last_segment(ty),
        syn::ReturnType::Default => String::new(),
    };
    let Some((fields, send)) = builder(builders, &builder_name) else {
        let _ = writeln!(out, "  (no builder {builder_name})");
        return;
    };
    let send_code = send.map(|f| f.block.to_token_stream().to_string()).unwrap_or_default();
    for field in fields.iter().filter(|f| f.ident.as_ref().is_some_and(|i| i != "client")) {
        let field_name = field.ident.as_ref().map(ToString::to_string).unwrap_or_default();
        let ty = result_ok_type(&field.ty);
        let role = if field_name == "body" {
            "body"
        } else if route.contains(&format!("{{{field_name}}}")) {
            "path"
        } else if send_code.contains("QueryParam :: new") && send_code.contains(&format!("& {field_name})")) {
            "query"
        } else {
            "header"
        };
        let _ = writeln!(out, "  {role} {field_name}: {ty}");
    }
    if let Some(syn::ReturnType::Type(_, ty)) = send.map(|f| &f.sig.output) {
        let (ok, err) = result_types(ty);
        let _ = writeln!(out, "  ok: {ok}\n  error: {err}");
    }
}

fn builder<'a>(builders: &'a [Item], name: &str) -> Option<(Vec<&'a syn::Field>, Option<&'a syn::ImplItemFn>)> {
    let fields = builders.iter().find_map(|item| match item {
        Item::Struct(s) if s.ident == name => Some(s.fields.iter().collect::<Vec<_>>()),
        _ => None,
    })?;
    let send = builders
        .iter()
        .filter_map(|item| match item {
            Item::Impl(block) if last_segment(&block.self_ty) == name => Some(block),
            _ => None,
        })
        .flat_map(|block| block.items.iter())
        .find_map(|item| match item {
            ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
            _ => None,
        });
    Some((fields, send))
}

fn describe_type(out: &mut String, item: &Item) {
    match item {
        Item::Struct(s) => {
            let attributes = serde_flags(&s.attrs);
            match &s.fields {
                Fields::Named(named) => {
                    let _ = writeln!(out, "struct {}{attributes}", s.ident);
                    for field in &named.named {
                        let name = field.ident.as_ref().map(ToString::to_string).unwrap_or_default();
                        let wire = serde_rename(&field.attrs).map(|r| format!(" (as {r:?})")).unwrap_or_default();
                        let _ = writeln!(out, "  {name}: {}{wire}", type_text(&field.ty));
                    }
                }
                Fields::Unnamed(unnamed) => {
                    let inner: Vec<String> = unnamed.unnamed.iter().map(|f| type_text(&f.ty)).collect();
                    let _ = writeln!(out, "struct {}({}){attributes}", s.ident, inner.join(", "));
                }
                Fields::Unit => {
                    let _ = writeln!(out, "struct {}{attributes}", s.ident);
                }
            }
        }
        Item::Enum(e) => {
            let _ = writeln!(out, "enum {}{}", e.ident, serde_flags(&e.attrs));
            for variant in &e.variants {
                let payload = match &variant.fields {
                    Fields::Unnamed(f) => {
                        format!("({})", f.unnamed.iter().map(|f| type_text(&f.ty)).collect::<Vec<_>>().join(", "))
                    }
                    Fields::Named(f) => format!(
                        " {{ {} }}",
                        f.named
                            .iter()
                            .map(|f| format!(
                                "{}: {}",
                                f.ident.as_ref().map(ToString::to_string).unwrap_or_default(),
                                type_text(&f.ty)
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Fields::Unit => String::new(),
                };
                let wire = serde_rename(&variant.attrs).map(|r| format!(" = {r:?}")).unwrap_or_default();
                let _ = writeln!(out, "  {}{payload}{wire}", variant.ident);
            }
        }
        Item::Type(alias) => {
            let _ = writeln!(out, "type {} = {}", alias.ident, type_text(&alias.ty));
        }
        _ => {}
    }
}

fn doc_text(attrs: &[Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(lit) => match &lit.lit {
                    Lit::Str(s) => Some(s.value()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `#[serde(rename = "x")]` on a field or variant.
fn serde_rename(attrs: &[Attribute]) -> Option<String> {
    let mut rename = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename
}

/// Container-level serde flags that change the wire form: `untagged`, `transparent`.
fn serde_flags(attrs: &[Attribute]) -> String {
    let mut flags = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            for flag in ["untagged", "transparent", "deny_unknown_fields"] {
                if meta.path.is_ident(flag) {
                    flags.push(flag);
                }
            }
            if meta.input.peek(syn::Token![=]) {
                let _: Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    if flags.is_empty() { String::new() } else { format!(" [{}]", flags.join(", ")) }
}

fn last_segment(ty: &Type) -> String {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default(),
        _ => String::new(),
    }
}

/// `T` from the builder field type `Result<T, String>`.
fn result_ok_type(ty: &Type) -> String {
    generic_args(ty).first().map_or_else(|| type_text(ty), |t| type_text(t))
}

/// `(T, E)` from `Result<ResponseValue<T>, Error<E>>`.
fn result_types(ty: &Type) -> (String, String) {
    let args = generic_args(ty);
    let inner = |i: usize| args.get(i).map(|t| result_ok_type(t)).unwrap_or_default();
    (inner(0), inner(1))
}

fn generic_args(ty: &Type) -> Vec<&Type> {
    let Type::Path(p) = ty else { return Vec::new() };
    let Some(last) = p.path.segments.last() else { return Vec::new() };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return Vec::new() };
    args.args
        .iter()
        .filter_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// A type as short, stable text: `Option<Vec<String>>`, `types::CreateApiKeyBody` as
/// `CreateApiKeyBody`.
fn type_text(ty: &Type) -> String {
    let raw: String = ty.to_token_stream().to_string().chars().filter(|c| !c.is_whitespace()).collect();
    let mut text = raw.replace(',', ", ");
    for (long, short) in [
        ("::std::option::", ""),
        ("::std::string::", ""),
        ("::std::vec::", ""),
        ("::std::collections::", ""),
        ("::serde_json::", "serde_json::"),
        ("::chrono::", "chrono::"),
        ("super::", ""),
        ("types::", ""),
    ] {
        text = text.replace(long, short);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_an_operation_and_its_types() {
        let source = r#"
            pub mod types {
                #[derive(Deserialize)]
                pub struct KeyList {
                    #[serde(rename = "apiKeys")]
                    pub api_keys: ::std::vec::Vec<::std::string::String>,
                }
                #[serde(untagged)]
                pub enum KeyError { Standard(StandardError), }
                pub enum Period { #[serde(rename = "EPOCH")] Epoch, }
            }
            impl Client {
                #[doc = "List keys\n\nSends a `GET` request to `/api_keys`"]
                pub fn list_keys(&self) -> builder::ListKeys<'_> { builder::ListKeys::new(self) }
            }
            pub mod builder {
                pub struct ListKeys<'a> { client: &'a super::Client, limit: Result<Option<u32>, String> }
                impl<'a> ListKeys<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::KeyList>, Error<types::KeyError>> {
                        let r = client.get(url).query(&progenitor_client::QueryParam::new("limit", &limit));
                    }
                }
            }
        "#;
        assert_eq!(
            describe(source).unwrap(),
            "\
# operations
list_keys: GET /api_keys
  query limit: Option<u32>
  ok: KeyList
  error: KeyError

# types
struct KeyList
  api_keys: Vec<String> (as \"apiKeys\")
enum KeyError [untagged]
  Standard(StandardError)
enum Period
  Epoch = \"EPOCH\"
"
        );
    }
}

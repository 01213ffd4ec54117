//! The generated `DeclaredHeaders` (`venice-api-gen/src/headers.rs`): one field per response
//! header any operation of the spec declares, typed by the header's schema, and a constant
//! per header name, so that the facade reads headers by generated names and a header the
//! spec drops stops compiling where it is read.
//!
//! Reading is lenient by design: a header the server leaves out, or sends in a shape its
//! schema does not allow, is `None` (the helpers in `venice-api-gen/src/declared.rs`).

use std::collections::BTreeMap;

use heck::{ToShoutySnakeCase, ToSnakeCase};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::operation_table::declared_headers;
use crate::walk::for_each_operation;

/// How a header's value is read, from its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `type: boolean`, or a string whose only allowed value is `"true"` (a flag).
    Flag,
    /// `type: integer`.
    Integer,
    /// `type: number`.
    Number,
    /// `type: string, format: date-time`.
    DateTime,
    /// Any other string.
    Text,
}

fn kind_of(schema: &Value) -> Kind {
    let enum_values = schema.get("enum").and_then(Value::as_array);
    let only_true = enum_values.is_some_and(|values| !values.is_empty() && values.iter().all(|v| v == "true"));
    match (schema.get("type").and_then(Value::as_str), schema.get("format").and_then(Value::as_str)) {
        (Some("boolean"), _) => Kind::Flag,
        (Some("string"), _) if only_true => Kind::Flag,
        (Some("integer"), _) => Kind::Integer,
        (Some("number"), _) => Kind::Number,
        (Some("string"), Some("date-time")) => Kind::DateTime,
        _ => Kind::Text,
    }
}

/// One header: its first spelling, schema, description and the operations declaring it.
struct Header {
    name: String,
    kind: Kind,
    description: Option<String>,
    operations: Vec<String>,
}

/// The tokens of `headers.rs`.
pub(crate) fn declared_headers_file(document: &Value) -> proc_macro2::TokenStream {
    let mut headers: BTreeMap<String, Header> = BTreeMap::new();
    let mut doc = document.clone();
    for_each_operation(&mut doc, |key, operation| {
        for (name, schema, description) in declared_headers(document, operation) {
            let header = headers.entry(name.to_snake_case()).or_insert_with(|| Header {
                name: name.clone(),
                kind: kind_of(&schema),
                description: None,
                operations: Vec::new(),
            });
            if header.description.is_none() {
                header.description = description;
            }
            header.operations.push(key.label());
        }
    });
    let mut fields = Vec::new();
    let mut reads = Vec::new();
    let mut names = Vec::new();
    for (field, header) in &headers {
        let field = format_ident!("{}", identifier(field));
        let constant = format_ident!("{}", identifier(&header.name.to_shouty_snake_case()));
        let name = &header.name;
        let mut operations = header.operations.clone();
        operations.dedup();
        let said = header.description.as_deref().map(|d| format!(" {}\n\n", d.trim())).unwrap_or_default();
        let doc = format!(
            "{said} `{name}`; declared by {}.",
            operations.iter().map(|op| format!("`{op}`")).collect::<Vec<_>>().join(", ")
        );
        let (ty, read) = match header.kind {
            Kind::Flag => (quote!(Option<bool>), quote!(crate::declared::flag)),
            Kind::Integer => (quote!(Option<i64>), quote!(crate::declared::integer)),
            Kind::Number => (quote!(Option<f64>), quote!(crate::declared::number)),
            Kind::DateTime => (quote!(Option<chrono::DateTime<chrono::Utc>>), quote!(crate::declared::date_time)),
            Kind::Text => (quote!(Option<String>), quote!(crate::declared::text)),
        };
        fields.push(quote! { #[doc = #doc] pub #field: #ty, });
        reads.push(quote! { #field: #read(headers, names::#constant), });
        let name_doc = format!(" `{name}`.");
        names.push(quote! { #[doc = #name_doc] pub const #constant: &str = #name; });
    }
    quote! {
        /// The response headers the spec declares, read from one answer's headers. Which
        /// operation's answers carry which header is in each field's documentation and in
        /// [`Operation::response_headers`](crate::operation::Operation::response_headers). A header
        /// that is absent, or that does not parse as its declared type, is `None`.
        #[derive(Debug, Clone, Default, PartialEq)]
        #[non_exhaustive]
        pub struct DeclaredHeaders {
            #(#fields)*
        }

        impl DeclaredHeaders {
            /// Reads every declared header from `headers`; never fails.
            pub fn from_headers(headers: &reqwest::header::HeaderMap) -> Self {
                Self { #(#reads)* }
            }
        }

        /// The name of each declared response header, as the spec spells it.
        pub mod names {
            #(#names)*
        }
    }
}

/// `name` if it is a plain Rust identifier, otherwise `name` made one (`2fa` -> `h_2fa`,
/// `type` -> `type_header`).
fn identifier(name: &str) -> String {
    let name = if name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        name.to_string()
    } else {
        format!("h_{name}")
    };
    if syn::parse_str::<syn::Ident>(&name).is_ok() { name } else { format!("{name}_header") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn header_names_that_are_no_identifiers_are_made_ones() {
        assert_eq!(identifier("x_left"), "x_left");
        assert_eq!(identifier("2fa"), "h_2fa");
        assert_eq!(identifier("type"), "type_header");
    }

    #[test]
    fn header_kinds_follow_their_schemas() {
        assert_eq!(kind_of(&json!({ "type": "boolean" })), Kind::Flag);
        assert_eq!(kind_of(&json!({ "type": "string", "enum": ["true"] })), Kind::Flag);
        assert_eq!(kind_of(&json!({ "type": "string", "enum": ["gzip", "br"] })), Kind::Text);
        assert_eq!(kind_of(&json!({ "type": "integer" })), Kind::Integer);
        assert_eq!(kind_of(&json!({ "type": "number" })), Kind::Number);
        assert_eq!(kind_of(&json!({ "type": "string", "format": "date-time" })), Kind::DateTime);
        assert_eq!(kind_of(&json!({})), Kind::Text);
    }

    #[test]
    fn one_field_per_header_whatever_its_case_naming_every_operation_declaring_it() {
        let document = json!({ "paths": {
            "/a": { "get": { "operationId": "getA", "responses": { "200": { "headers": {
                "X-Left": { "schema": { "type": "number" } } } } } } },
            "/b": { "get": { "operationId": "getB", "responses": { "200": { "headers": {
                "x-left": { "schema": { "type": "number" } } } } } } },
        }});
        let text = declared_headers_file(&document).to_string();
        assert_eq!(text.matches("pub x_left").count(), 1, "{text}");
        assert!(text.contains("`getA`, `getB`"), "{text}");
        assert!(text.contains("crate :: declared :: number"), "{text}");
    }
}

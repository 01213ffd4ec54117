//! The generated operation table (`venice-api-gen/src/operations.rs`): per operation what
//! progenitor does not carry into the client (method, path, who authenticates how, whether it
//! creates something, which headers its answers declare), as one constant per operation that
//! the facade names instead of typing a path or an id.
//!
//! Credentials come from `components.securitySchemes`, never from a scheme's name: any
//! `type: http, scheme: bearer` scheme is the API key; an `apiKey` scheme sent in a header is
//! a sign-in header (Venice's wallet sign-in), and an operation that lists it as an
//! alternative to the key says so in `sign_in_header`.

use std::collections::BTreeMap;

use heck::{ToShoutySnakeCase, ToSnakeCase};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::passes;
use crate::walk::{METHODS, for_each_operation};

/// The table's tokens and the number of operations the generated client has.
pub(crate) struct OperationTable {
    pub(crate) tokens: proc_macro2::TokenStream,
    pub(crate) count: usize,
}

/// How a security scheme authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Credential {
    /// `Authorization: Bearer <key>`: the API key.
    Bearer,
    /// A header of its own carrying a signed sign-in (`in: header` of an `apiKey` scheme).
    SignInHeader(String),
    /// Anything else (OAuth, cookies): no credential this client sends.
    Other,
}

/// What an operation's `security` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Security {
    /// Whether a requirement names a bearer scheme.
    pub(crate) bearer: bool,
    /// Whether an empty requirement (`{}`) lets the call go without any credential.
    pub(crate) anonymous: bool,
    /// The header of a sign-in scheme a requirement names, if one does.
    pub(crate) sign_in_header: Option<String>,
}

/// The security schemes of `document` by name.
fn schemes(document: &Value) -> BTreeMap<String, Credential> {
    let Some(schemes) = document.pointer("/components/securitySchemes").and_then(Value::as_object) else {
        return BTreeMap::new();
    };
    schemes
        .iter()
        .map(|(name, scheme)| {
            let field = |key: &str| scheme.get(key).and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
            let credential = match (field("type").as_str(), field("scheme").as_str(), field("in").as_str()) {
                ("http", "bearer", _) => Credential::Bearer,
                ("apikey", _, "header") => match scheme.get("name").and_then(Value::as_str) {
                    Some(header) => Credential::SignInHeader(header.to_string()),
                    None => Credential::Other,
                },
                _ => Credential::Other,
            };
            (name.clone(), credential)
        })
        .collect()
}

/// Reads a security requirement list against the document's schemes. `owner` names the spot
/// for the error a requirement naming an undefined scheme gives.
pub(crate) fn security_of(document: &Value, security: Option<&Value>, owner: &str) -> Result<Security> {
    let schemes = schemes(document);
    let mut found = Security { bearer: false, anonymous: false, sign_in_header: None };
    let Some(requirements) = security.and_then(Value::as_array) else { return Ok(found) };
    for requirement in requirements {
        let Some(requirement) = requirement.as_object() else { continue };
        if requirement.is_empty() {
            found.anonymous = true;
        }
        for name in requirement.keys() {
            match schemes.get(name) {
                Some(Credential::Bearer) => found.bearer = true,
                Some(Credential::SignInHeader(header)) => found.sign_in_header = Some(header.clone()),
                Some(Credential::Other) => {}
                None => {
                    return Err(Error::new(format!(
                        "{owner}: security names the scheme {name:?}, which components.securitySchemes does not define"
                    )));
                }
            }
        }
    }
    Ok(found)
}

/// The name, as the spec spells it, of an operation's `Idempotency-Key` header parameter.
fn idempotency_header(document: &Value, operation: &serde_json::Map<String, Value>) -> Option<String> {
    let parameters = operation.get("parameters").and_then(Value::as_array)?;
    parameters.iter().map(|p| resolve(document, p)).find_map(|p| {
        let name = p.get("name").and_then(Value::as_str)?;
        let in_header = p.get("in").and_then(Value::as_str) == Some("header");
        (in_header && name.eq_ignore_ascii_case("idempotency-key")).then(|| name.to_string())
    })
}

/// `value`, or what its `$ref` points to within `document` (one level).
pub(crate) fn resolve<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => document.pointer(pointer).unwrap_or(value),
        None => value,
    }
}

/// The response headers `operation` declares, each `(name, schema, description)`, over all
/// its statuses, first spelling first.
pub(crate) fn declared_headers(
    document: &Value,
    operation: &serde_json::Map<String, Value>,
) -> Vec<(String, Value, Option<String>)> {
    let mut found: Vec<(String, Value, Option<String>)> = Vec::new();
    let Some(responses) = operation.get("responses").and_then(Value::as_object) else { return found };
    for response in responses.values() {
        let response = resolve(document, response);
        let Some(headers) = response.get("headers").and_then(Value::as_object) else { continue };
        for (name, header) in headers {
            let header = resolve(document, header);
            if found.iter().any(|(known, _, _)| known.eq_ignore_ascii_case(name)) {
                continue;
            }
            let schema = header.get("schema").map(|s| resolve(document, s).clone()).unwrap_or(Value::Null);
            let description = header.get("description").and_then(Value::as_str).map(str::to_string);
            found.push((name.clone(), schema, description));
        }
    }
    found
}

/// The `OPERATIONS` table and one constant per operation.
pub(crate) fn operation_table(document: &Value) -> Result<OperationTable> {
    let default_security = document.get("security").cloned();
    let mut rows = Vec::new();
    let mut failure = None;
    let excluded = document.get(passes::EXCLUDED).cloned().unwrap_or(Value::Null);
    for (mut source, generated) in [(document.clone(), true), (serde_json::json!({ "paths": excluded }), false)] {
        for_each_operation(&mut source, |key, operation| {
            let operation_id = key.label();
            let id = operation_id.to_snake_case();
            let constant = format_ident!("{}", constant_name(&operation_id));
            let method = key.method.to_uppercase();
            let path = &key.path;
            let security = operation.get("security").cloned().or_else(|| default_security.clone());
            let security = match security_of(document, security.as_ref(), &format!("operation {operation_id}")) {
                Ok(security) => security,
                Err(error) => {
                    failure.get_or_insert(error);
                    return;
                }
            };
            let auth = match (security.bearer, security.anonymous) {
                (false, _) => quote!(Auth::None),
                (true, true) => quote!(Auth::Optional),
                (true, false) => quote!(Auth::Required),
            };
            let sign_in_header = option(security.sign_in_header.as_deref());
            let idempotency_key_header = option(idempotency_header(document, operation).as_deref());
            let headers: Vec<String> = declared_headers(document, operation).into_iter().map(|(n, _, _)| n).collect();
            let creates_resource = operation.get(passes::CREATES_RESOURCE) == Some(&Value::Bool(true));
            let streams = answers_raw_bytes(operation);
            let doc = format!(" `{method} {path}` (`{operation_id}`).");
            let order = METHODS.iter().position(|m| *m == key.method).unwrap_or(METHODS.len());
            let item = quote! {
                #[doc = #doc]
                pub const #constant: Operation = Operation {
                    id: #id,
                    operation_id: #operation_id,
                    method: #method,
                    path: #path,
                    auth: #auth,
                    sign_in_header: #sign_in_header,
                    idempotency_key_header: #idempotency_key_header,
                    response_headers: &[#(#headers),*],
                    creates_resource: #creates_resource,
                    streams: #streams,
                    generated: #generated,
                };
            };
            rows.push((key.path.clone(), order, generated, constant, item));
        });
    }
    if let Some(error) = failure {
        return Err(error);
    }
    let mut seen = BTreeMap::new();
    for (path, _, _, constant, _) in &rows {
        if let Some(first) = seen.insert(constant.to_string(), path.clone()) {
            return Err(Error::new(format!(
                "paths {first} and {path}: two operationIds give the same constant {constant}; rename one"
            )));
        }
    }
    rows.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let count = rows.iter().filter(|(_, _, generated, _, _)| *generated).count();
    let names = rows.iter().map(|(_, _, _, constant, _)| constant.clone()).collect::<Vec<_>>();
    let items = rows.into_iter().map(|(_, _, _, _, item)| item);
    let tokens = quote! {
        use crate::operation::{Auth, Operation};

        /// Every operation of the spec, in path order, including those the generated client
        /// does not have (`generated: false`), which the facade sends itself.
        pub const OPERATIONS: &[Operation] = &[ #(#names),* ];

        #(#items)*
    };
    Ok(OperationTable { tokens, count })
}

/// The constant of an operation: its id in SHOUTY_SNAKE_CASE, made an identifier when it is
/// not one (`123start` -> `OP_123START`, `__` -> `OP_`).
fn constant_name(operation_id: &str) -> String {
    let name = operation_id.to_shouty_snake_case();
    let name = if name.starts_with(|c: char| c.is_ascii_alphabetic()) { name } else { format!("OP_{name}") };
    if syn::parse_str::<syn::Ident>(&name).is_ok() { name } else { format!("{name}_OP") }
}

fn option(value: Option<&str>) -> proc_macro2::TokenStream {
    match value {
        Some(text) => quote!(Some(#text)),
        None => quote!(None),
    }
}

/// Whether a success answer of `operation` comes in a media type other than JSON (a file,
/// audio, CSV): the generated call hands such a body over as a stream of bytes.
fn answers_raw_bytes(operation: &serde_json::Map<String, Value>) -> bool {
    let Some(responses) = operation.get("responses").and_then(Value::as_object) else { return false };
    responses.iter().any(|(status, response)| {
        passes::is_success_status(status)
            && response
                .get("content")
                .and_then(Value::as_object)
                .is_some_and(|content| content.keys().any(|media| !passes::is_json_media_type(media)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document() -> Value {
        json!({
            "components": { "securitySchemes": {
                "Key": { "type": "http", "scheme": "bearer" },
                "wallet": { "type": "apiKey", "in": "header", "name": "X-Wallet-Sign-In" },
                "cookie": { "type": "apiKey", "in": "cookie", "name": "session" },
            }},
        })
    }

    #[test]
    fn operation_ids_that_make_no_identifier_still_give_a_constant() {
        assert_eq!(constant_name("getApiKeys"), "GET_API_KEYS");
        assert_eq!(constant_name("123start"), "OP_123START");
        assert_eq!(constant_name("__"), "OP_");
        for id in ["123start", "__", "Self", "a-b c"] {
            assert!(syn::parse_str::<syn::Ident>(&constant_name(id)).is_ok(), "{id}");
        }
    }

    #[test]
    fn two_operations_with_the_same_constant_are_an_error_naming_both_paths() {
        let mut doc = document();
        doc["paths"] = json!({
            "/a": { "get": { "operationId": "get_a", "responses": {} } },
            "/b": { "get": { "operationId": "getA", "responses": {} } },
        });
        let error = operation_table(&doc).err().expect("a collision is an error").to_string();
        assert!(error.contains("/a") && error.contains("/b") && error.contains("GET_A"), "{error}");
    }

    #[test]
    fn any_bearer_scheme_is_the_key_whatever_its_name() {
        let security = security_of(&document(), Some(&json!([{ "Key": [] }])), "op").unwrap();
        assert!(security.bearer && !security.anonymous && security.sign_in_header.is_none());
    }

    #[test]
    fn a_header_scheme_offered_beside_the_key_is_a_sign_in_alternative() {
        let security = security_of(&document(), Some(&json!([{ "Key": [] }, { "wallet": [] }])), "op").unwrap();
        assert!(security.bearer);
        assert_eq!(security.sign_in_header.as_deref(), Some("X-Wallet-Sign-In"));
    }

    #[test]
    fn an_empty_requirement_makes_credentials_optional() {
        let security = security_of(&document(), Some(&json!([{}, { "Key": [] }])), "op").unwrap();
        assert!(security.bearer && security.anonymous);
    }

    #[test]
    fn a_scheme_sent_in_a_cookie_is_no_credential_of_ours() {
        let security = security_of(&document(), Some(&json!([{ "cookie": [] }])), "op").unwrap();
        assert!(!security.bearer && security.sign_in_header.is_none());
    }

    #[test]
    fn an_undefined_scheme_is_an_error_naming_the_operation_and_the_scheme() {
        let error = security_of(&document(), Some(&json!([{ "bearerauth": [] }])), "operation listThings").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("operation listThings") && message.contains("bearerauth"), "{message}");
    }

    #[test]
    fn declared_headers_are_gathered_over_statuses_and_refs_once_each() {
        let mut doc = document();
        doc["components"]["headers"] = json!({ "Left": { "schema": { "type": "number" }, "description": "d" } });
        let operation = json!({ "responses": {
            "200": { "headers": { "X-Left": { "$ref": "#/components/headers/Left" }, "X-Id": { "schema": { "type": "string" } } } },
            "429": { "headers": { "x-left": { "schema": { "type": "string" } } } },
        }});
        let found = declared_headers(&doc, operation.as_object().unwrap());
        assert_eq!(found.len(), 2, "{found:?}");
        let left = found.iter().find(|(n, _, _)| n == "X-Left").expect("the 200's spelling is kept");
        assert_eq!(left.1, json!({ "type": "number" }));
        assert_eq!(left.2.as_deref(), Some("d"));
        assert!(found.iter().any(|(n, _, _)| n == "X-Id"));
    }
}

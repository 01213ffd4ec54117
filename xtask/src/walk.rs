//! Visiting the operations and schemas of a spec tree, with a readable name for each spot.

use std::fmt;

use serde_json::{Map, Value};

/// The HTTP methods an OpenAPI path item can hold, in the order progenitor knows them.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Escapes a key for use in a JSON pointer.
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Turns a JSON pointer into the dotted form used in messages: `paths./api_keys.get.responses`.
pub fn pointer_to_display(pointer: &str) -> String {
    if pointer.is_empty() {
        return "(document root)".to_string();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

/// Where an operation lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationKey {
    /// Lower-case HTTP method.
    pub method: String,
    /// Path template, e.g. `/api_keys/{id}`.
    pub path: String,
    /// `operationId`, when the spec gives one.
    pub id: Option<String>,
}

impl OperationKey {
    /// The operationId, or `METHOD /path` when there is none.
    pub fn label(&self) -> String {
        match &self.id {
            Some(id) => id.clone(),
            None => format!("{} {}", self.method.to_uppercase(), self.path),
        }
    }
}

/// Calls `f` on every operation, in path then method order.
pub fn for_each_operation(doc: &mut Value, mut f: impl FnMut(&OperationKey, &mut Map<String, Value>)) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for method in METHODS {
            if let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) {
                let key = OperationKey {
                    method: method.to_string(),
                    path: path.clone(),
                    id: operation.get("operationId").and_then(Value::as_str).map(str::to_string),
                };
                f(&key, operation);
            }
        }
    }
}

/// A place in the spec, as shown in reports: the operation or named schema that owns it,
/// and the way down from there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Spot {
    /// `operation createApiKey` or `schema StandardError`.
    pub owner: String,
    /// Steps below the owner (`request body`, `consumptionLimit`, `[]`...).
    pub trail: Vec<String>,
    /// Whether the last step is a property name (the schema is an object's field).
    pub is_property: bool,
}

impl Spot {
    /// A spot at the top of `owner`.
    pub fn new(owner: impl Into<String>) -> Self {
        Self { owner: owner.into(), trail: Vec::new(), is_property: false }
    }

    /// The spot one step further down.
    pub fn child(&self, step: impl Into<String>) -> Self {
        let mut trail = self.trail.clone();
        trail.push(step.into());
        Self { owner: self.owner.clone(), trail, is_property: false }
    }

    /// The spot of the property `name` of the object here.
    pub fn property(&self, name: &str) -> Self {
        Self { is_property: true, ..self.child(name) }
    }

    /// The property name, when this spot is an object's field.
    pub fn property_name(&self) -> Option<&str> {
        self.trail.last().filter(|_| self.is_property).map(String::as_str)
    }
}

impl fmt::Display for Spot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.owner)?;
        for step in &self.trail {
            write!(f, " › {step}")?;
        }
        Ok(())
    }
}

/// Calls `f` on every schema of the document, children before their parents, with its spot.
///
/// Covers component schemas, parameters, request bodies, responses and response headers
/// (both inline in operations and under `components`), and inside a schema its properties,
/// items, map values, `allOf`/`anyOf`/`oneOf` branches and `not`.
pub fn for_each_schema(doc: &mut Value, f: &mut dyn FnMut(&Spot, &mut Value)) {
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
            for (name, schema) in schemas.iter_mut() {
                visit_schema(&Spot::new(format!("schema {name}")), schema, f);
            }
        }
        if let Some(parameters) = components.get_mut("parameters").and_then(Value::as_object_mut) {
            for (name, parameter) in parameters.iter_mut() {
                visit_parameter(&Spot::new(format!("parameter {name}")), parameter, f);
            }
        }
        if let Some(bodies) = components.get_mut("requestBodies").and_then(Value::as_object_mut) {
            for (name, body) in bodies.iter_mut() {
                visit_content(&Spot::new(format!("request body {name}")), body, f);
            }
        }
        if let Some(responses) = components.get_mut("responses").and_then(Value::as_object_mut) {
            for (name, response) in responses.iter_mut() {
                visit_response(&Spot::new(format!("response {name}")), response, f);
            }
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        if let Some(parameters) = item.get_mut("parameters").and_then(Value::as_array_mut) {
            let owner = Spot::new(format!("path {path}"));
            for parameter in parameters {
                visit_parameter(&owner, parameter, f);
            }
        }
        for method in METHODS {
            let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) else { continue };
            let label = OperationKey {
                method: method.to_string(),
                path: path.clone(),
                id: operation.get("operationId").and_then(Value::as_str).map(str::to_string),
            }
            .label();
            let owner = Spot::new(format!("operation {label}"));
            if let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_array_mut) {
                for parameter in parameters {
                    visit_parameter(&owner, parameter, f);
                }
            }
            if let Some(body) = operation.get_mut("requestBody") {
                visit_content(&owner.child("request body"), body, f);
            }
            if let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) {
                for (status, response) in responses.iter_mut() {
                    visit_response(&owner.child(format!("response {status}")), response, f);
                }
            }
        }
    }
}

fn visit_parameter(owner: &Spot, parameter: &mut Value, f: &mut dyn FnMut(&Spot, &mut Value)) {
    let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?").to_string();
    if let Some(schema) = parameter.get_mut("schema") {
        visit_schema(&owner.child(format!("parameter {name}")), schema, f);
    }
}

fn visit_response(spot: &Spot, response: &mut Value, f: &mut dyn FnMut(&Spot, &mut Value)) {
    if let Some(headers) = response.get_mut("headers").and_then(Value::as_object_mut) {
        for (name, header) in headers.iter_mut() {
            if let Some(schema) = header.get_mut("schema") {
                visit_schema(&spot.child(format!("header {name}")), schema, f);
            }
        }
    }
    visit_content(spot, response, f);
}

fn visit_content(spot: &Spot, holder: &mut Value, f: &mut dyn FnMut(&Spot, &mut Value)) {
    let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) else { return };
    let several = content.len() > 1;
    for (media_type, media) in content.iter_mut() {
        if let Some(schema) = media.get_mut("schema") {
            let spot = if several { spot.child(media_type.clone()) } else { spot.clone() };
            visit_schema(&spot, schema, f);
        }
    }
}

fn visit_schema(spot: &Spot, schema: &mut Value, f: &mut dyn FnMut(&Spot, &mut Value)) {
    if let Some(map) = schema.as_object_mut() {
        if let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) {
            for (name, property) in properties.iter_mut() {
                visit_schema(&spot.property(name), property, f);
            }
        }
        if let Some(items) = map.get_mut("items") {
            visit_schema(&spot.child("[]"), items, f);
        }
        if let Some(values) = map.get_mut("additionalProperties").filter(|v| v.is_object()) {
            visit_schema(&spot.child("{*}"), values, f);
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(branches) = map.get_mut(key).and_then(Value::as_array_mut) {
                for (i, branch) in branches.iter_mut().enumerate() {
                    visit_schema(&spot.child(format!("{key}[{i}]")), branch, f);
                }
            }
        }
        if let Some(not) = map.get_mut("not") {
            visit_schema(&spot.child("not"), not, f);
        }
    }
    f(spot, schema);
}

/// Which side of the wire a spot is on: the request of an operation (its body and
/// parameters), one of its answers, or neither (a component schema, seen on its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A request body or a parameter.
    Request,
    /// A response body or response header.
    Answer,
    /// Not below an operation.
    Neither,
}

impl Spot {
    /// The side of the wire this spot is on.
    pub fn side(&self) -> Side {
        if !self.owner.starts_with("operation ") && !self.owner.starts_with("path ") {
            return Side::Neither;
        }
        match self.trail.first().map(String::as_str) {
            Some(step) if step == "request body" || step.starts_with("parameter ") => Side::Request,
            Some(step) if step.starts_with("response ") => Side::Answer,
            _ => Side::Neither,
        }
    }
}

/// The component schemas (by name) that spots on `side` reach, directly or through other
/// component schemas.
pub fn components_reached(doc: &mut Value, side: Side) -> std::collections::BTreeSet<String> {
    let mut reached = std::collections::BTreeSet::new();
    let mut pending = Vec::new();
    let mut links: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for_each_schema(doc, &mut |spot, schema| {
        let Some(target) = schema_ref(schema) else { return };
        if spot.side() == side {
            pending.push(target);
        } else if let Some(name) = spot.owner.strip_prefix("schema ") {
            links.entry(name.to_string()).or_default().push(target);
        }
    });
    while let Some(name) = pending.pop() {
        if reached.insert(name.clone()) {
            pending.extend(links.get(&name).into_iter().flatten().cloned());
        }
    }
    reached
}

/// The component schema a `$ref` names.
pub fn schema_ref(schema: &Value) -> Option<String> {
    let target = schema.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/")?;
    Some(target.replace("~1", "/").replace("~0", "~"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn components_are_reached_through_requests_and_through_each_other() {
        let mut doc = json!({"paths": {"/k": {"post": {"operationId": "make",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}},
            "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}}}}}}},
            "components": {"schemas": {"Body": {"properties": {"limits": {"$ref": "#/components/schemas/Limits"}}},
                "Limits": {"type": "object"}, "Answer": {"type": "object"}}}});
        let mut names = |side| components_reached(&mut doc, side).into_iter().collect::<Vec<_>>();
        assert_eq!(names(Side::Request), ["Body", "Limits"]);
        assert_eq!(names(Side::Answer), ["Answer"]);
    }

    #[test]
    fn pointer_display_unescapes_slashes() {
        assert_eq!(pointer_to_display("/paths/~1api_keys~1{id}/get"), "paths./api_keys/{id}.get");
    }

    #[test]
    fn schemas_are_visited_children_first_with_readable_spots() {
        let mut doc = json!({"paths": {"/k": {"post": {"operationId": "make",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object",
                "properties": {"limit": {"anyOf": [{"type": "number"}]}}}}}}}}}});
        let mut seen = Vec::new();
        for_each_schema(&mut doc, &mut |spot, _| seen.push(spot.to_string()));
        assert_eq!(
            seen,
            [
                "operation make › request body › limit › anyOf[0]",
                "operation make › request body › limit",
                "operation make › request body",
            ]
        );
    }
}

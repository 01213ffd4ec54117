//! Seeded random mutations of an OpenAPI document, and the check that an error names a
//! real spot of it: the machinery of the generator's mutation tests.
//!
//! [`mutate`] applies one mutation of a [`Kind`] to a JSON tree, chosen by a seed, and says
//! what it did; the same seed on the same document always gives the same mutation, so a
//! failure reproduces from the seed and kind printed with it. [`names_a_spot`] decides
//! whether an error message of `cargo xtask regen` points at a place that exists (or at a
//! missing key under a place that exists).
//!
//! Used in process by `tests/tests/generator_mutations.rs` and through the binary by
//! `xtask/tests/cli.rs`, which includes this file with `#[path]`: it needs only `std`,
//! `serde_json` and `fastrand`.

use serde_json::{Value, json};

/// What a mutation does to the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Deletes a random key anywhere in the tree.
    DeleteKey,
    /// Replaces a random value with one of another JSON type.
    WrongType,
    /// Points a random `$ref` at something that does not exist (or outside the document).
    DanglingRef,
    /// Points a random `$ref` at something that exists but is not what a `$ref` there
    /// must name (the whole document, `info`, the schemas map, a response...).
    MisdirectedRef,
    /// Makes two or three component schemas refer to each other in a ring, through a bare
    /// `$ref`, `allOf`, `anyOf`, `oneOf`, a property, `items` or `additionalProperties`.
    RefCycle,
    /// Makes a schema refer to itself, through the same links as [`Kind::RefCycle`].
    SelfRef,
    /// Leaves `paths` without any operation.
    EmptyPaths,
    /// Gives an operation the operationId of another (verbatim, or differently cased).
    DuplicateOperationId,
    /// Gives a schema an `enum` of mixed JSON types, an empty one, or one with duplicates.
    MixedEnum,
    /// Lists a property in `required` that the schema does not have.
    RequiredAbsent,
    /// Gives a schema an `anyOf`, `oneOf` or `allOf` of nothing.
    EmptyComposition,
    /// Sets a schema's `type` to something that is not an OpenAPI 3.0 type.
    UnknownSchemaType,
    /// Breaks the match between a path template and its path parameters.
    PathParameterMismatch,
    /// Renames an operation, schema (with its `$ref`s) or property to a name that is hard
    /// to turn into Rust: a keyword, a digit first, punctuation, nothing, a clash.
    AwkwardName,
    /// Renames a response status to something that is not a status, or adds one.
    BadStatusCode,
    /// Wraps a schema in many levels of arrays and objects.
    DeepNesting,
}

impl Kind {
    /// Every kind, in the order the tests cycle through them.
    pub const ALL: [Kind; 16] = [
        Kind::DeleteKey,
        Kind::WrongType,
        Kind::DanglingRef,
        Kind::MisdirectedRef,
        Kind::RefCycle,
        Kind::SelfRef,
        Kind::EmptyPaths,
        Kind::DuplicateOperationId,
        Kind::MixedEnum,
        Kind::RequiredAbsent,
        Kind::EmptyComposition,
        Kind::UnknownSchemaType,
        Kind::PathParameterMismatch,
        Kind::AwkwardName,
        Kind::BadStatusCode,
        Kind::DeepNesting,
    ];
}

/// One mutation: how to reproduce it and what it did.
#[derive(Clone, Debug)]
pub struct Mutation {
    /// The seed that chose it.
    pub seed: u64,
    /// Its kind.
    pub kind: Kind,
    /// What it changed, with JSON pointers.
    pub description: String,
    /// A text an error caused by this mutation must contain, when the mutation makes one
    /// error certain (the target of a dangling `$ref`).
    pub expect: Option<String>,
}

impl std::fmt::Display for Mutation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "seed {:#x}, {:?}: {}", self.seed, self.kind, self.description)
    }
}

/// Applies one mutation of `kind`, chosen by `seed`, to `doc`. Returns `None` (leaving
/// `doc` as it was) when the document has nothing that kind can change.
pub fn mutate(doc: &mut Value, kind: Kind, seed: u64) -> Option<Mutation> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut expect = None;
    let description = match kind {
        Kind::DeleteKey => delete_key(doc, &mut rng),
        Kind::WrongType => wrong_type(doc, &mut rng),
        Kind::DanglingRef => dangling_ref(doc, &mut rng, &mut expect),
        Kind::MisdirectedRef => misdirected_ref(doc, &mut rng),
        Kind::RefCycle => {
            let len = 2 + rng.usize(0..2);
            ring(doc, &mut rng, len)
        }
        Kind::SelfRef => ring(doc, &mut rng, 1),
        Kind::EmptyPaths => empty_paths(doc, &mut rng),
        Kind::DuplicateOperationId => duplicate_operation_id(doc, &mut rng),
        Kind::MixedEnum => mixed_enum(doc, &mut rng),
        Kind::RequiredAbsent => required_absent(doc, &mut rng),
        Kind::EmptyComposition => empty_composition(doc, &mut rng),
        Kind::UnknownSchemaType => unknown_schema_type(doc, &mut rng),
        Kind::PathParameterMismatch => path_parameter_mismatch(doc, &mut rng),
        Kind::AwkwardName => awkward_name(doc, &mut rng),
        Kind::BadStatusCode => bad_status_code(doc, &mut rng),
        Kind::DeepNesting => deep_nesting(doc, &mut rng),
    }?;
    Some(Mutation { seed, kind, description, expect })
}

// ---- finding places ----

/// Escapes a key for a JSON pointer.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Every value below the root, as JSON pointers, in document order.
fn all_pointers(doc: &Value) -> Vec<String> {
    fn walk(value: &Value, pointer: &mut String, out: &mut Vec<String>) {
        let children: Vec<(String, &Value)> = match value {
            Value::Object(map) => map.iter().map(|(k, v)| (escape(k), v)).collect(),
            Value::Array(items) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
            _ => return,
        };
        for (step, child) in children {
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&step);
            out.push(pointer.clone());
            walk(child, pointer, out);
            pointer.truncate(len);
        }
    }
    let mut out = Vec::new();
    walk(doc, &mut String::new(), &mut out);
    out
}

/// Splits a pointer into its parent and last (unescaped) key.
fn split_last(pointer: &str) -> (&str, String) {
    let at = pointer.rfind('/').unwrap_or(0);
    (&pointer[..at], pointer[at + 1..].replace("~1", "/").replace("~0", "~"))
}

/// Pointers of every schema in the document: component schemas, parameter, body, response
/// and header schemas, and inside schemas their properties, items, map values, branches
/// and `not`.
fn schema_pointers(doc: &Value) -> Vec<String> {
    fn schema(value: &Value, pointer: String, out: &mut Vec<String>) {
        let Some(map) = value.as_object() else { return };
        out.push(pointer.clone());
        for (name, child) in map.get("properties").and_then(Value::as_object).into_iter().flatten() {
            schema(child, format!("{pointer}/properties/{}", escape(name)), out);
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(child) = map.get(key) {
                schema(child, format!("{pointer}/{key}"), out);
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for (i, child) in map.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
                schema(child, format!("{pointer}/{key}/{i}"), out);
            }
        }
    }
    fn holders(value: &Value, pointer: &str, out: &mut Vec<String>) {
        // Anything that holds a `schema` key: parameters, media types, headers.
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let at = format!("{pointer}/{}", escape(key));
                    if key == "schema" {
                        schema(child, at, out);
                    } else if key != "components" || !pointer.is_empty() {
                        holders(child, &at, out);
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    holders(child, &format!("{pointer}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (name, child) in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten() {
        schema(child, format!("/components/schemas/{}", escape(name)), &mut out);
    }
    if let Some(paths) = doc.get("paths") {
        holders(paths, "/paths", &mut out);
    }
    for key in ["parameters", "requestBodies", "responses", "headers"] {
        if let Some(part) = doc.pointer(&format!("/components/{key}")) {
            holders(part, &format!("/components/{key}"), &mut out);
        }
    }
    out
}

/// `(pointer, path, method)` of every operation.
fn operations(doc: &Value) -> Vec<(String, String, String)> {
    const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    let mut out = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for method in METHODS {
            if item.get(method).is_some_and(Value::is_object) {
                out.push((format!("/paths/{}/{method}", escape(path)), path.clone(), method.to_string()));
            }
        }
    }
    out
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() { None } else { Some(&items[rng.usize(0..items.len())]) }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 60 {
        format!("{}…", &text[..text.char_indices().nth(57).map_or(text.len(), |(i, _)| i)])
    } else {
        text
    }
}

// ---- the kinds ----

fn delete_key(doc: &mut Value, rng: &mut fastrand::Rng) -> Option<String> {
    let pointers: Vec<String> =
        all_pointers(doc).into_iter().filter(|p| doc.pointer(split_last(p).0).is_some_and(Value::is_object)).collect();
    let pointer = pick(rng, &pointers)?.clone();
    let (parent, key) = split_last(&pointer);
    let removed = doc.pointer_mut(parent)?.as_object_mut()?.remove(&key)?;
    Some(format!("deleted {pointer} (was {})", short(&removed)))
}

fn wrong_type(doc: &mut Value, rng: &mut fastrand::Rng) -> Option<String> {
    let pointers = all_pointers(doc);
    let pointer = pick(rng, &pointers)?.clone();
    let slot = doc.pointer_mut(&pointer)?;
    let old = type_name(slot);
    let candidates: Vec<Value> = [
        json!("mutant"),
        json!(""),
        json!(42),
        json!(-1.5),
        json!(true),
        json!(false),
        json!([]),
        json!(["mutant", 7]),
        json!({}),
        json!({"mutant": 1}),
        Value::Null,
    ]
    .into_iter()
    .filter(|v| type_name(v) != old)
    .collect();
    let new = pick(rng, &candidates)?.clone();
    let before = short(slot);
    *slot = new;
    Some(format!("replaced {pointer} ({before}) with {}", short(slot)))
}

fn ref_pointers(doc: &Value) -> Vec<String> {
    all_pointers(doc)
        .into_iter()
        .filter(|p| p.ends_with("/$ref") && doc.pointer(p).is_some_and(Value::is_string))
        .collect()
}

fn dangling_ref(doc: &mut Value, rng: &mut fastrand::Rng, expect: &mut Option<String>) -> Option<String> {
    let refs = ref_pointers(doc);
    let pointer = pick(rng, &refs)?.clone();
    let old = doc.pointer(&pointer)?.as_str()?.to_string();
    let target = match rng.usize(0..7) {
        0 => "#/components/schemas/MutantMissing".to_string(),
        1 => format!("{old}Gone"),
        2 => format!("{old}/properties/mutant"),
        3 => "#/components/responses/MutantMissing".to_string(),
        4 => "#/nowhere/at/all".to_string(),
        5 => "#/".to_string(),
        _ => format!("other.yaml{old}"),
    };
    *doc.pointer_mut(&pointer)? = json!(target);
    *expect = Some(format!("'{target}'"));
    Some(format!("pointed {pointer} ({old}) at {target}"))
}

fn misdirected_ref(doc: &mut Value, rng: &mut fastrand::Rng) -> Option<String> {
    let refs = ref_pointers(doc);
    let pointer = pick(rng, &refs)?.clone();
    let old = doc.pointer(&pointer)?.as_str()?.to_string();
    let mut targets =
        vec!["#".to_string(), "#/info".to_string(), "#/paths".to_string(), "#/components/schemas".to_string()];
    for (kind, holder) in [("schemas", "/components/schemas"), ("responses", "/components/responses")] {
        if let Some(name) = doc.pointer(holder).and_then(Value::as_object).and_then(|m| m.keys().next()) {
            targets.push(format!("#/components/{kind}/{}", escape(name)));
        }
    }
    if let Some((op, _, _)) = operations(doc).first() {
        targets.push(format!("#{op}"));
        targets.push(format!("#{op}/responses"));
    }
    let schemas = schema_pointers(doc);
    if let Some(inside) = pick(rng, &schemas) {
        targets.push(format!("#{inside}"));
    }
    let target = pick(rng, &targets)?.clone();
    *doc.pointer_mut(&pointer)? = json!(target);
    Some(format!("pointed {pointer} ({old}) at {target}"))
}

/// A schema whose only link to another is `link` (the ways a schema can refer to one).
fn link(rng: &mut fastrand::Rng, target: &str) -> (Value, &'static str) {
    let to = json!({"$ref": format!("#/components/schemas/{}", escape(target))});
    match rng.usize(0..9) {
        0 => (to, "a bare $ref"),
        1 => (json!({"allOf": [to]}), "a one-branch allOf"),
        2 => (json!({"allOf": [to, {"type": "object", "properties": {"mutant": {"type": "string"}}}]}), "allOf"),
        3 => (json!({"anyOf": [to, {"type": "string"}]}), "anyOf"),
        4 => (json!({"oneOf": [to, {"type": "integer"}]}), "oneOf"),
        5 => (json!({"type": "object", "required": ["next"], "properties": {"next": to}}), "a required property"),
        6 => (json!({"type": "object", "properties": {"next": to}}), "an optional property"),
        7 => (json!({"type": "array", "items": to}), "items"),
        _ => (json!({"type": "object", "additionalProperties": to}), "additionalProperties"),
    }
}

/// Makes `len` component schemas (existing ones when there are enough, new ones otherwise)
/// refer to each other in a ring; `len` 1 is a schema that refers to itself.
fn ring(doc: &mut Value, rng: &mut fastrand::Rng, len: usize) -> Option<String> {
    let root = doc.as_object_mut()?;
    let components = root.entry("components").or_insert_with(|| json!({}));
    let schemas = components.as_object_mut()?.entry("schemas").or_insert_with(|| json!({}));
    let schemas = schemas.as_object_mut()?;
    let mut names: Vec<String> = schemas.keys().cloned().collect();
    rng.shuffle(&mut names);
    names.truncate(len);
    while names.len() < len {
        names.push(format!("MutantRing{}", names.len()));
    }
    let mut steps = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let next = &names[(i + 1) % len];
        let (linked, how) = link(rng, next);
        // Either replace the schema by the link, or add the link to what the schema has.
        let existing = schemas.get_mut(name).and_then(Value::as_object_mut);
        let merged = match existing {
            Some(map) if rng.bool() && linked.get("properties").is_some() && map.contains_key("properties") => {
                let property = format!("mutant{}", rng.u32(..));
                let target = linked["properties"]["next"].clone();
                if let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) {
                    properties.insert(property.clone(), target);
                }
                if linked.get("required").is_some() {
                    match map.get_mut("required").and_then(Value::as_array_mut) {
                        Some(required) => required.push(json!(property)),
                        None => {
                            map.insert("required".into(), json!([property]));
                        }
                    }
                }
                format!("{name} gains property {property} to {next} through {how}")
            }
            _ => {
                schemas.insert(name.clone(), linked);
                format!("{name} becomes {how} to {next}")
            }
        };
        steps.push(merged);
    }
    Some(steps.join("; "))
}

fn empty_paths(doc: &mut Value, rng: &mut fastrand::Rng) -> Option<String> {
    let paths = doc.get_mut("paths")?.as_object_mut()?;
    Some(match rng.usize(0..3) {
        0 => {
            paths.clear();
            "emptied paths".to_string()
        }
        1 => {
            for item in paths.values_mut() {
                *item = json!({});
            }
            "emptied every path item".to_string()
        }
        _ => {
            for item in paths.values_mut() {
                if let Some(item) = item.as_object_mut() {
                    item.retain(|k, _| k == "parameters" || k == "summary" || k == "description");
                }
            }
            "removed every operation, keeping path-level parameters".to_string()
        }
    })
}

fn duplicate_operation_id(doc: &mut Value, rng: &mut fastrand::Rng) -> Option<String> {
    let ops = operations(doc);
    let with_id: Vec<&(String, String, String)> =
        ops.iter().filter(|(p, _, _)| doc.pointer(&format!("{p}/operationId")).is_some_and(Value::is_string)).collect();
    let (source, _, _) = *pick(rng, &with_id)?;
    let others: Vec<&String> = ops.iter().map(|(p, _, _)| p).filter(|p| *p != source).collect();
    let target = (*pick(rng, &others)?).clone();
    let id = doc.pointer(&format!("{source}/operationId"))?.as_str()?.to_string();
    let copy = match rng.usize(0..3) {
        0 => id.clone(),
        1 => to_snake(&id),
        _ => {
            let mut chars = id.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    };
    doc.pointer_mut(&target)?.as_object_mut()?.insert("operationId".into(), json!(copy));
    Some(format!("set {target}/operationId to {copy:?}, like {source}'s {id:?}"))
}

fn to_snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_uppercase() {
            if !out.is_empty() {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn mixed_enum(doc: &mut Value, rng: &mut fastrand::Rng) -> Option<String> {
    let schemas = schema_pointers(doc);
    // Prefer schemas that already are enums: that is where the enum code paths are.
    let enums: Vec<String> = schemas.iter().filter(|p| doc.pointer(&format!("{p}/enum")).is_some()).cloned().collect();
    let pointer = if !enums.is_empty() && rng.bool() { pick(rng, &enums)? } else { pick(rng, &schemas)? }.clone();
    let values = match rng.usize(0..5) {
        0 => json!([]),
        1 => json!(["same", "same"]),
        2 => json!(["a-b", "a_b", "A B", "", "🦀"]),
        3 => json!([null]),
        _ => {
            let mut pool =
                vec![json!("mutant"), json!(1), json!(2.5), json!(true), Value::Null, json!(["x"]), json!({"k": "v"})];
            rng.shuffle(&mut pool);
            pool.truncate(2 + rng.usize(0..4));
            Value::Array(pool)
        }
    };
    let map = doc.pointer_mut(&pointer)?.as_object_mut()?;
    map.insert("enum".into(), values.clone());
    Some(format!("set {pointer}/enum to {}", short(&values)))
}

fn required_absent(doc: &mut Value, rng: &mut fastrand::Rng) -> Option<String> {
    let schemas = schema_pointers(doc);
    let objects: Vec<String> =
        schemas.iter().filter(|p| doc.pointer(&format!("{p}/properties")).is_some()).cloned().collect();
    let pointer =
        if !objects.is_empty() && rng.usize(0..4) > 0 { pick(rng, &objects)? } else { pick(rng, &schemas)? }.clone();
    let map = doc.pointer_mut(&pointer)?.as_object_mut()?;
    let name = ["mutantAbsent", "type", "", "a-b"][rng.usize(0..4)];
    match map.get_mut("required").and_then(Value::as_array_mut) {
        Some(required) => required.push(json!(name)),
        None => {
            map.insert("required".into(), json!([name]));
        }
    }
    Some(format!("added {name:?} to {pointer}/required"))
}

fn empty_composition(doc: &mut Value, rng: &mut fastrand::Rng) -> Option<String> {
    let schemas = schema_pointers(doc);
    let pointer = pick(rng, &schemas)?.clone();
    let key = ["anyOf", "oneOf", "allOf"][rng.usize(0..3)];
    let map = doc.pointer_mut(&pointer)?.as_object_mut()?;
    let alone = rng.bool();
    if alone {
        map.clear();
    }
    map.insert(key.into(), json!([]));
    Some(format!("{} {pointer}/{key} to []", if alone { "replaced the schema by" } else { "set" }))
}

fn unknown_schema_type(doc: &mut Value, rng: &mut fastrand::Rng) -> Option<String> {
    let schemas = schema_pointers(doc);
    let pointer = pick(rng, &schemas)?.clone();
    let value = [json!("strnig"), json!(["string", "null"]), json!("null"), json!(""), json!("file"), json!("Object")]
        [rng.usize(0..6)]
    .clone();
    doc.pointer_mut(&pointer)?.as_object_mut()?.insert("type".into(), value.clone());
    Some(format!("set {pointer}/type to {value}"))
}

fn path_parameter_mismatch(doc: &mut Value, rng: &mut fastrand::Rng) -> Option<String> {
    let ops = operations(doc);
    let (op, path, _) = pick(rng, &ops)?.clone();
    let has_parameters =
        doc.pointer(&format!("{op}/parameters")).and_then(Value::as_array).is_some_and(|p| !p.is_empty());
    // Only the changes this operation allows: a path to rename needs a template, a
    // parameter to change needs parameters.
    let mut changes = vec![1, 2];
    if path.contains('{') {
        changes.push(0);
    }
    if has_parameters {
        changes.extend([3, 4]);
    }
    match *pick(rng, &changes)? {
        0 => {
            // Rename the path, so its template names a parameter nobody declares.
            let renamed = path.replacen('{', "{mutant", 1);
            let paths = doc.get_mut("paths")?.as_object_mut()?;
            let item = paths.remove(&path)?;
            paths.insert(renamed.clone(), item);
            Some(format!("renamed path {path} to {renamed}"))
        }
        1 => {
            let parameters = doc.pointer_mut(&op)?.as_object_mut()?.entry("parameters").or_insert_with(|| json!([]));
            parameters.as_array_mut()?.push(json!({"name": "mutantId", "in": "path", "required": true,
                "schema": {"type": "string"}}));
            Some(format!("added path parameter mutantId, absent from {path}, to {op}"))
        }
        2 => {
            let parameters = doc.pointer_mut(&op)?.as_object_mut()?.entry("parameters").or_insert_with(|| json!([]));
            let parameters = parameters.as_array_mut()?;
            let copy = parameters
                .first()
                .cloned()
                .unwrap_or(json!({"name": "dup", "in": "query", "schema": {"type": "string"}}));
            parameters.push(copy.clone());
            parameters.push(copy);
            Some(format!("declared the first parameter of {op} three times"))
        }
        3 => {
            let parameters = doc.pointer_mut(&op)?.as_object_mut()?.get_mut("parameters")?.as_array_mut()?;
            let i = rng.usize(0..parameters.len().max(1));
            let parameter = parameters.get_mut(i)?.as_object_mut()?;
            let place = ["query", "path", "cookie", "header", "body", "formData"][rng.usize(0..6)];
            parameter.insert("in".into(), json!(place));
            Some(format!("set {op}/parameters/{i}/in to {place:?}"))
        }
        _ => {
            let parameters = doc.pointer_mut(&op)?.as_object_mut()?.get_mut("parameters")?.as_array_mut()?;
            let i = rng.usize(0..parameters.len().max(1));
            let parameter = parameters.get_mut(i)?.as_object_mut()?;
            parameter.insert("required".into(), json!(false));
            Some(format!("set {op}/parameters/{i}/required to false"))
        }
    }
}

const AWKWARD: [&str; 14] = [
    "",
    "type",
    "self",
    "Self",
    "fn",
    "123start",
    "a b-c!",
    "ünïcödé",
    "__",
    "Client",
    "Result",
    "Option",
    "types",
    "r#type",
];

fn awkward_name(doc: &mut Value, rng: &mut fastrand::Rng) -> Option<String> {
    let name = AWKWARD[rng.usize(0..AWKWARD.len())];
    match rng.usize(0..3) {
        0 => {
            let ops = operations(doc);
            let (op, _, _) = pick(rng, &ops)?;
            doc.pointer_mut(op)?.as_object_mut()?.insert("operationId".into(), json!(name));
            Some(format!("set {op}/operationId to {name:?}"))
        }
        1 => {
            let schemas = doc.pointer("/components/schemas")?.as_object()?;
            let names: Vec<String> = schemas.keys().cloned().collect();
            let old = pick(rng, &names)?.clone();
            if schemas.contains_key(name) {
                return None;
            }
            let schema = doc.pointer_mut("/components/schemas")?.as_object_mut()?.remove(&old)?;
            doc.pointer_mut("/components/schemas")?.as_object_mut()?.insert(name.to_string(), schema);
            let from = format!("#/components/schemas/{}", escape(&old));
            let to = format!("#/components/schemas/{}", escape(name));
            for pointer in ref_pointers(doc) {
                let slot = doc.pointer_mut(&pointer)?;
                if slot.as_str() == Some(from.as_str()) {
                    *slot = json!(to);
                }
            }
            Some(format!("renamed schema {old} to {name:?}, with its $refs"))
        }
        _ => {
            let schemas = schema_pointers(doc);
            let objects: Vec<String> = schemas
                .into_iter()
                .filter(|p| {
                    doc.pointer(&format!("{p}/properties")).and_then(Value::as_object).is_some_and(|m| !m.is_empty())
                })
                .collect();
            let pointer = pick(rng, &objects)?.clone();
            let properties = doc.pointer_mut(&format!("{pointer}/properties"))?.as_object_mut()?;
            let keys: Vec<String> = properties.keys().cloned().collect();
            let old = pick(rng, &keys)?.clone();
            // Half the time keep the old property and add a clashing twin instead.
            let new = if rng.bool() { name.to_string() } else { to_snake(&old).replace('_', "-") + "_" };
            let value = if rng.bool() { properties.remove(&old)? } else { properties.get(&old)?.clone() };
            properties.insert(new.clone(), value);
            Some(format!("property {old} of {pointer} gets a twin or new name {new:?}"))
        }
    }
}

fn bad_status_code(doc: &mut Value, rng: &mut fastrand::Rng) -> Option<String> {
    let ops = operations(doc);
    let (op, _, _) = pick(rng, &ops)?.clone();
    let responses = doc.pointer_mut(&format!("{op}/responses"))?.as_object_mut()?;
    let statuses: Vec<String> = responses.keys().cloned().collect();
    let code = ["abc", "2XX", "600", "default", "200 ", "", "099", "1e2"][rng.usize(0..8)];
    if rng.bool() && !statuses.is_empty() {
        let old = pick(rng, &statuses)?.clone();
        let response = responses.remove(&old)?;
        responses.insert(code.to_string(), response);
        Some(format!("renamed {op}/responses/{old} to {code:?}"))
    } else {
        responses.insert(code.to_string(), json!({"description": "mutant",
            "content": {"application/json": {"schema": {"type": "object", "properties": {"mutant": {"type": "integer"}}}}}}));
        Some(format!("added response {code:?} to {op}"))
    }
}

fn deep_nesting(doc: &mut Value, rng: &mut fastrand::Rng) -> Option<String> {
    let schemas = schema_pointers(doc);
    let pointer = pick(rng, &schemas)?.clone();
    let depth = 10 + rng.usize(0..50);
    let slot = doc.pointer_mut(&pointer)?;
    let mut schema = slot.take();
    for level in 0..depth {
        schema = match level % 3 {
            0 => json!({"type": "array", "items": schema}),
            1 => json!({"type": "object", "properties": {"inner": schema}}),
            _ => json!({"allOf": [schema]}),
        };
    }
    *slot = schema;
    Some(format!("wrapped {pointer} in {depth} levels of arrays, objects and allOf"))
}

// ---- checking that an error names a spot ----

/// Whether `message` (an error of `cargo xtask regen`, without the `error: ` prefix) names
/// a spot of one of `docs`: it must start, after the spec's name, with either a dotted path
/// (`paths./x.get.responses`, `components.schemas.X.properties.y`, `openapi`) that exists
/// in a document, or whose last step is a key missing under a place that exists; or with
/// `operation ID (METHOD /path)` naming an operation of a document; or, for a file, with
/// `invalid YAML at line N`. Returns why not.
pub fn names_a_spot(message: &str, display_path: &str, docs: &[&Value]) -> Result<(), String> {
    let mut rest = message.strip_prefix(display_path).unwrap_or(message);
    rest = rest.strip_prefix(" after normalization (a pass left the spec broken)").unwrap_or(rest);
    rest = rest.strip_prefix(": ").unwrap_or(rest);
    if let Some(operation) = rest.strip_prefix("operation ") {
        // `operation ID (METHOD /path): why`; the label may itself be `METHOD /path`.
        let open = operation.find(" (").ok_or("an operation without its route")?;
        let close = operation[open..].find("): ").ok_or("an operation without its route")? + open;
        let route = &operation[open + 2..close];
        let (method, path) = route.split_once(' ').ok_or("a route without a method")?;
        let pointer = format!("/paths/{}/{}", escape(path), method.to_lowercase());
        return if docs.iter().any(|d| d.pointer(&pointer).is_some()) {
            Ok(())
        } else {
            Err(format!("it names {route}, which is not an operation of the document"))
        };
    }
    let spot = rest.split(": ").next().unwrap_or_default();
    if spot == "(document root)" || spot.starts_with("invalid YAML at line ") {
        return Ok(());
    }
    if spot.is_empty() || spot.contains(' ') && !spot.starts_with("paths.") {
        return Err(format!("{spot:?} is not a path in the document"));
    }
    let segments: Vec<&str> = spot.split('.').collect();
    if docs.iter().any(|d| located(d, &segments)) {
        Ok(())
    } else {
        Err(format!("{spot:?} is not a path in the document, nor a missing key under one"))
    }
}

/// Whether `segments`, joined with dots, lead to a value below `value` or to a missing key
/// of an object below it (keys may themselves contain dots: all groupings are tried).
fn located(value: &Value, segments: &[&str]) -> bool {
    if segments.is_empty() {
        return true;
    }
    match value {
        Value::Object(map) => {
            (1..=segments.len())
                .any(|n| map.get(&segments[..n].join(".")).is_some_and(|child| located(child, &segments[n..])))
                || segments.len() == 1 && !map.contains_key(segments[0])
        }
        Value::Array(items) => segments[0]
            .parse::<usize>()
            .ok()
            .and_then(|i| items.get(i))
            .is_some_and(|child| located(child, &segments[1..])),
        _ => false,
    }
}

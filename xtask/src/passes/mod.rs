//! The normalization pipeline: small passes that each mend one quirk of real-world specs
//! so that progenitor can generate a client from them.
//!
//! Every pass is a plain function over the spec tree. It records each change it makes in a
//! [`Changes`] log, so the report can say which operations and schemas each pass touched,
//! and an operation a pass has to give up on is *excluded* with its reason, never dropped
//! silently. Passes run in [`PIPELINE`] order; later passes may rely on earlier ones (the
//! enum passes expect null placeholders to be gone already).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::walk::Spot;

mod allow_unknown_fields;
mod bare_json_media;
pub(crate) mod discriminated_unions;
mod documented_answers;
mod drop_colliding_enum_values;
mod enum_variant_names;
mod exclude_multipart_operations;
mod exclusive_unions;
mod file_placeholders;
#[cfg(test)]
pub(crate) mod fixture;
mod mark_creating_operations;
mod merge_enum_unions;
mod merge_string_unions;
mod naming;
mod null_placeholders;
mod null_types;
mod operation_ids;
mod optional_request_bodies;
mod prefer_json_request_body;
mod query_parameter_shapes;
mod request_defaults;
mod share_repeated_shapes;
mod success_media_types;
mod success_responses;
pub mod tag_features;
mod unify_error_responses;

pub(crate) use exclude_multipart_operations::EXCLUDED;
pub(crate) use mark_creating_operations::EXTENSION as CREATES_RESOURCE;
pub(crate) use success_media_types::JSON_SHAPE;
pub(crate) use tag_features::EXTENSION as FEATURE;

/// One normalization pass.
#[derive(Clone, Copy)]
pub struct Pass {
    /// The pass's name, as shown in the report.
    pub name: &'static str,
    /// Rewrites the spec, logging what it changed.
    pub run: fn(&mut Value, &mut Changes),
}

/// A pass named after its module (and so its file): the report and the source agree.
macro_rules! pass {
    ($module:ident) => {
        Pass { name: stringify!($module), run: $module::run }
    };
}

/// The passes in the order they run.
pub const PIPELINE: &[Pass] = &[
    pass!(operation_ids),
    pass!(tag_features),
    pass!(mark_creating_operations),
    pass!(null_types),
    pass!(null_placeholders),
    pass!(file_placeholders),
    pass!(discriminated_unions),
    pass!(merge_enum_unions),
    pass!(merge_string_unions),
    pass!(exclusive_unions),
    pass!(drop_colliding_enum_values),
    pass!(query_parameter_shapes),
    pass!(exclude_multipart_operations),
    pass!(prefer_json_request_body),
    pass!(optional_request_bodies),
    pass!(bare_json_media),
    pass!(success_media_types),
    pass!(success_responses),
    pass!(unify_error_responses),
    pass!(documented_answers),
    pass!(allow_unknown_fields),
    pass!(share_repeated_shapes),
    pass!(request_defaults),
    pass!(enum_variant_names),
];

/// What one pass did: each change with its spot, and the operations it excluded.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// `(spot, what changed)`, in the order the pass made them.
    pub edits: Vec<(Spot, String)>,
    /// Operations removed from the spec, with the reason.
    pub exclusions: Vec<Exclusion>,
}

impl Changes {
    /// Logs one change at `spot`.
    pub fn edit(&mut self, spot: &Spot, what: impl Into<String>) {
        self.edits.push((spot.clone(), what.into()));
    }
}

/// An operation the generated client does not have, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    /// operationId (or `METHOD /path`).
    pub operation: String,
    /// `METHOD /path`.
    pub route: String,
    /// Why progenitor cannot express it, and what covers it instead.
    pub reason: String,
}

/// The outcome of the whole pipeline.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Per pass, in pipeline order.
    pub passes: Vec<(&'static str, Changes)>,
}

impl Report {
    /// Number of changes made by all passes.
    pub fn change_count(&self) -> usize {
        self.passes.iter().map(|(_, c)| c.edits.len()).sum()
    }

    /// All excluded operations, in the order they were excluded.
    pub fn exclusions(&self) -> impl Iterator<Item = &Exclusion> {
        self.passes.iter().flat_map(|(_, c)| c.exclusions.iter())
    }

    /// The report as reviewable text: per pass, the operations and schemas it touched with
    /// how many changes each, then the excluded operations.
    pub fn render(&self, detail: Detail) -> String {
        let mut out = String::new();
        for (name, changes) in &self.passes {
            if changes.edits.is_empty() && changes.exclusions.is_empty() {
                let _ = writeln!(out, "{name}: no change");
                continue;
            }
            let mut owners: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for (spot, what) in &changes.edits {
                let below = spot.trail.join(" › ");
                let line = if below.is_empty() { what.clone() } else { format!("{below}: {what}") };
                owners.entry(spot.owner.as_str()).or_default().push(line);
            }
            let mut headline = Vec::new();
            if !changes.edits.is_empty() {
                headline.push(format!("{} change(s) in {} place(s)", changes.edits.len(), owners.len()));
            }
            if !changes.exclusions.is_empty() {
                headline.push(format!("{} operation(s) excluded", changes.exclusions.len()));
            }
            let _ = writeln!(out, "{name}: {}", headline.join(", "));
            for (owner, lines) in owners {
                match detail {
                    Detail::Full => {
                        let _ = writeln!(out, "  {owner}");
                        for line in lines {
                            let _ = writeln!(out, "    {line}");
                        }
                    }
                    Detail::Summary => {
                        let _ = writeln!(out, "  {owner} ({})", lines.len());
                    }
                }
            }
            for exclusion in &changes.exclusions {
                let _ = writeln!(out, "  excluded {} ({}): {}", exclusion.operation, exclusion.route, exclusion.reason);
            }
        }
        out
    }
}

/// How much of each pass's log [`Report::render`] shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every change.
    Full,
    /// Only the owners touched and their change counts.
    Summary,
}

/// Runs every pass of [`PIPELINE`] over `spec`.
pub fn normalize(spec: &mut Value) -> Report {
    let mut report = Report::default();
    for pass in PIPELINE {
        let mut changes = Changes::default();
        (pass.run)(spec, &mut changes);
        report.passes.push((pass.name, changes));
    }
    report
}

// ---- helpers shared by several passes ----

/// `application/json` or a JSON variant such as `application/json; charset=utf-8`.
pub(crate) fn is_json_media_type(media_type: &str) -> bool {
    media_type == "application/json" || media_type.starts_with("application/json;")
}

/// Whether a response status is a success (`2xx`, `2XX`, or a 101 upgrade).
pub(crate) fn is_success_status(status: &str) -> bool {
    status.starts_with('2') || status == "101"
}

/// The documentation keys a schema may carry that say nothing about its shape.
pub(crate) const DOC_KEYS: [&str; 6] = ["description", "title", "example", "deprecated", "default", "externalDocs"];

/// Pascal-case form of an operationId, as progenitor builds type names from it.
pub(crate) fn pascal(name: &str) -> String {
    use heck::ToPascalCase;
    name.to_pascal_case()
}

/// Moves inline schemas into `components.schemas` under names passes choose, so a type
/// keeps a stable name when its inline position goes away.
pub(crate) struct Hoister {
    taken: std::collections::BTreeSet<String>,
    pending: Vec<(String, Value)>,
}

impl Hoister {
    pub(crate) fn new(spec: &Value) -> Self {
        let taken = spec
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|s| s.keys().cloned().collect())
            .unwrap_or_default();
        Self { taken, pending: Vec::new() }
    }

    /// A `$ref` to `schema` under `name` (or `name` plus a number when taken). A schema
    /// that already is a `$ref` is returned as it is.
    pub(crate) fn hoist(&mut self, name: &str, schema: Value) -> Value {
        if schema.get("$ref").is_some() {
            return schema;
        }
        let mut unique = name.to_string();
        let mut n = 2;
        while self.taken.contains(&unique) {
            unique = format!("{name}{n}");
            n += 1;
        }
        self.taken.insert(unique.clone());
        self.pending.push((unique.clone(), schema));
        serde_json::json!({ "$ref": format!("#/components/schemas/{unique}") })
    }

    /// Writes the hoisted schemas into the spec.
    pub(crate) fn finish(self, spec: &mut Value) {
        if self.pending.is_empty() {
            return;
        }
        let Some(root) = spec.as_object_mut() else { return };
        let components = root.entry("components").or_insert_with(|| Value::Object(Default::default()));
        let Some(components) = components.as_object_mut() else { return };
        let schemas = components.entry("schemas").or_insert_with(|| Value::Object(Default::default()));
        if let Some(schemas) = schemas.as_object_mut() {
            schemas.extend(self.pending);
        }
    }
}

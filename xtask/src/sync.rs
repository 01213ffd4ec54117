//! `cargo xtask spec sync PUBLISHED`: our spec takes the published document's facts and
//! keeps our words.
//!
//! The result is the published tree with every prose string (`summary`, `description`,
//! `title`) taken out and ours put back wherever the same item exists in our spec; string
//! examples survive only when they read as data (no spaces: ids, enum values), because a
//! published example sentence is prose too. Our own extensions (`x-venice-rs-*`) stay where
//! their item still exists, and operations and component schemas we added
//! (`x-venice-rs-added: true`) are kept whole, as is any field so marked where its object
//! still exists, and so are our declarations of the tags the
//! result's operations use that the published `tags` list leaves out. Items matched by
//! position in the tree: an object key, a parameter by `name` and `in`, a tag by `name`,
//! other list items by index.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::regen::display_path;
use crate::spec;
use crate::walk::escape_pointer;

/// Keys whose string value is prose: never copied from the published document.
const PROSE: [&str; 3] = ["summary", "description", "title"];
/// Prefix of the extensions that are ours.
const OURS: &str = "x-venice-rs-";
/// The extension marking an item Venice does not publish.
const ADDED: &str = "x-venice-rs-added";
/// Maps whose keys are names (of fields, paths, schemas, codes, media types), not keywords.
const NAME_MAPS: [&str; 14] = [
    "properties",
    "paths",
    "schemas",
    "responses",
    "content",
    "headers",
    "securitySchemes",
    "requestBodies",
    "examples",
    "links",
    "callbacks",
    "variables",
    "mapping",
    "encoding",
];
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// What a sync changed, and what a maintainer has to write.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Operations (`METHOD path`) the published document has and ours lacked.
    pub operations_added: Vec<String>,
    /// Operations of ours the published document no longer has.
    pub operations_removed: Vec<String>,
    /// Component schemas present in both whose facts differ.
    pub schemas_changed: Vec<String>,
    /// Items (pointers) the published document describes and we do not yet.
    pub need_description: Vec<String>,
    /// Items (pointers) of ours that had prose and no longer exist.
    pub removed: Vec<String>,
}

impl SyncReport {
    /// The summary line and the list, as printed by `cargo xtask spec sync`.
    pub fn render(&self, changed: bool) -> String {
        let mut out = format!(
            "spec sync: {} operations added, {} removed, {} schemas changed; {} items need a description, {} described items removed{}",
            self.operations_added.len(),
            self.operations_removed.len(),
            self.schemas_changed.len(),
            self.need_description.len(),
            self.removed.len(),
            if changed { "" } else { " (already in sync)" }
        );
        let mut list = |label: &str, items: &[String]| {
            for item in items {
                out.push_str(&format!("\n  {label} {item}"));
            }
        };
        list("added operation", &self.operations_added);
        list("removed operation", &self.operations_removed);
        list("changed schema", &self.schemas_changed);
        list("needs a description:", &self.need_description);
        list("removed:", &self.removed);
        out
    }
}

/// Our spec `ours` with the facts of `published`; both must pass [`spec::check_document`].
pub fn sync(ours: &Value, published: &Value) -> (Value, SyncReport) {
    let mut report = SyncReport::default();
    let mut result = merge(published, Some(ours), "", false, &mut report);
    keep_info(&mut result, ours, published);
    keep_added(&mut result, ours);
    keep_added_members(&mut result, ours);
    keep_used_tags(&mut result, ours);
    operation_changes(ours, &result, &mut report);
    schema_changes(ours, &result, &mut report);
    removed_prose(ours, &result, "", false, &mut report);
    (result, report)
}

/// `info` is ours (title, description, contact) except `version`, a fact.
fn keep_info(result: &mut Value, ours: &Value, published: &Value) {
    let Some(mut info) = ours.get("info").cloned() else { return };
    if let (Some(info), Some(version)) = (info.as_object_mut(), published.pointer("/info/version")) {
        info.insert("version".into(), version.clone());
    }
    if let Some(root) = result.as_object_mut() {
        root.insert("info".into(), info);
    }
}

/// Operations and component schemas of ours marked [`ADDED`] stay, whole.
fn keep_added(result: &mut Value, ours: &Value) {
    let added = |v: &Value| v.get(ADDED).and_then(Value::as_bool) == Some(true);
    if let Some(paths) = ours.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                let Some(op) = item.get(method).filter(|op| added(op)) else { continue };
                let Some(root) = result.as_object_mut() else { return };
                let paths = root.entry("paths").or_insert_with(|| Value::Object(Map::new()));
                if let Some(paths) = paths.as_object_mut() {
                    let entry = paths.entry(path.clone()).or_insert_with(|| Value::Object(Map::new()));
                    if let Some(entry) = entry.as_object_mut() {
                        entry.insert(method.to_string(), op.clone());
                    }
                }
            }
        }
    }
    if let Some(schemas) = ours.pointer("/components/schemas").and_then(Value::as_object) {
        for (name, schema) in schemas.iter().filter(|(_, s)| added(s)) {
            if let Some(target) = result.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
                target.insert(name.clone(), schema.clone());
            }
        }
    }
}

/// Any other member of an object of ours marked [`ADDED`] (a field Venice sends and
/// documents in its reference pages but leaves out of the published document) stays, whole,
/// wherever the object holding it still exists in the result.
fn keep_added_members(result: &mut Value, ours: &Value) {
    let (Some(result), Some(ours)) = (result.as_object_mut(), ours.as_object()) else { return };
    for (key, value) in ours {
        match result.get_mut(key) {
            Some(next) => keep_added_members(next, value),
            None if value.get(ADDED).and_then(Value::as_bool) == Some(true) => {
                result.insert(key.clone(), value.clone());
            }
            None => {}
        }
    }
}

/// Tags of ours that an operation of the result still names but the published top-level
/// `tags` list does not declare (it declares only some of the tags its operations use) stay
/// declared, after the published ones, with our words and extensions (such as the pinned
/// `x-venice-rs-feature`).
fn keep_used_tags(result: &mut Value, ours: &Value) {
    let Some(our_tags) = ours.get("tags").and_then(Value::as_array) else { return };
    let mut used = BTreeSet::new();
    if let Some(paths) = result.get("paths").and_then(Value::as_object) {
        for item in paths.values() {
            for method in METHODS {
                let tags = item.get(method).and_then(|op| op.get("tags")).and_then(Value::as_array);
                used.extend(tags.into_iter().flatten().filter_map(Value::as_str).map(str::to_owned));
            }
        }
    }
    let Some(root) = result.as_object_mut() else { return };
    let declared = root.entry("tags").or_insert_with(|| Value::Array(Vec::new()));
    let Some(declared) = declared.as_array_mut() else { return };
    for tag in our_tags {
        let Some(name) = tag.get("name").and_then(Value::as_str) else { continue };
        let known = declared.iter().any(|t| t.get("name").and_then(Value::as_str) == Some(name));
        if used.contains(name) && !known {
            declared.push(tag.clone());
        }
    }
}

/// The published node `theirs` with our words and extensions from `ours` (the same item in
/// our spec, if any). `names` says the node's keys are names, not keywords.
fn merge(theirs: &Value, ours: Option<&Value>, pointer: &str, names: bool, report: &mut SyncReport) -> Value {
    match theirs {
        Value::Object(map) => {
            let ours_map = ours.and_then(Value::as_object);
            let mut out = Map::new();
            let mut published_prose = false;
            for (key, value) in map {
                let child = format!("{pointer}/{}", escape_pointer(key));
                if !names && PROSE.contains(&key.as_str()) && value.is_string() {
                    published_prose = true;
                    continue;
                }
                if !names && key.starts_with(OURS) {
                    continue;
                }
                if !names && (key == "example") {
                    if let Some(kept) = data_example(value) {
                        out.insert(key.clone(), kept);
                    }
                    continue;
                }
                let child_names = !names && NAME_MAPS.contains(&key.as_str())
                    // `properties` of a schema named `properties` is still a schema.
                    && value.is_object();
                let merged = merge(value, ours_map.and_then(|m| m.get(key)), &child, child_names, report);
                out.insert(key.clone(), merged);
            }
            if !names {
                let mut ours_prose = false;
                if let Some(ours_map) = ours_map {
                    for (key, value) in ours_map {
                        let ours_word = PROSE.contains(&key.as_str()) && value.is_string();
                        if ours_word || key.starts_with(OURS) {
                            ours_prose |= ours_word;
                            out.insert(key.clone(), value.clone());
                        }
                    }
                }
                if published_prose && !ours_prose {
                    report.need_description.push(crate::walk::pointer_to_display(pointer));
                    // OpenAPI 3.0 requires a response's description: an empty one, to write.
                    if pointer.rsplit('/').nth(1) == Some("responses") && map.contains_key("description") {
                        out.insert("description".into(), Value::String(String::new()));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let ours_items = ours.and_then(Value::as_array);
            Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let matched = ours_items.and_then(|o| same_item(o, item, i));
                        merge(item, matched, &format!("{pointer}/{i}"), false, report)
                    })
                    .collect(),
            )
        }
        // A string list item (an enum value) or any scalar is a fact.
        other => other.clone(),
    }
}

/// The item of `ours` that `item` (at index `i` of the published list) is: a parameter by
/// `name` and `in`, a tag by `name`, anything else by position.
fn same_item<'a>(ours: &'a [Value], item: &Value, i: usize) -> Option<&'a Value> {
    if let Some(name) = item.get("name") {
        return ours.iter().find(|o| o.get("name") == Some(name) && o.get("in") == item.get("in"));
    }
    ours.get(i)
}

/// A published example, if it is data: numbers, booleans, strings without spaces (ids,
/// enum values), and lists or maps of those. A sentence is prose and is dropped.
fn data_example(value: &Value) -> Option<Value> {
    match value {
        Value::String(s) if s.contains(char::is_whitespace) => None,
        Value::Array(items) => items.iter().map(data_example).collect::<Option<Vec<_>>>().map(Value::Array),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| data_example(v).map(|v| (k.clone(), v)))
            .collect::<Option<Map<_, _>>>()
            .map(Value::Object),
        other => Some(other.clone()),
    }
}

fn operations(doc: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS.iter().filter(|m| item.get(**m).is_some()) {
                out.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    out
}

fn operation_changes(ours: &Value, result: &Value, report: &mut SyncReport) {
    let (before, after) = (operations(ours), operations(result));
    report.operations_added = after.difference(&before).cloned().collect();
    report.operations_removed = before.difference(&after).cloned().collect();
}

/// A node without its prose and our extensions: the facts only.
fn facts(value: &Value, names: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, v)| names || !((PROSE.contains(&k.as_str()) && v.is_string()) || k.starts_with(OURS)))
                .map(|(k, v)| (k.clone(), facts(v, !names && NAME_MAPS.contains(&k.as_str()) && v.is_object())))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| facts(v, false)).collect()),
        other => other.clone(),
    }
}

fn schema_changes(ours: &Value, result: &Value, report: &mut SyncReport) {
    let (Some(before), Some(after)) = (
        ours.pointer("/components/schemas").and_then(Value::as_object),
        result.pointer("/components/schemas").and_then(Value::as_object),
    ) else {
        return;
    };
    for (name, schema) in after {
        match before.get(name) {
            Some(old) if facts(old, false) != facts(schema, false) => report.schemas_changed.push(name.clone()),
            None => report.schemas_changed.push(format!("{name} (new)")),
            _ => {}
        }
    }
    for name in before.keys().filter(|n| !after.contains_key(*n)) {
        report.schemas_changed.push(format!("{name} (removed)"));
    }
}

/// Items of ours that carried prose and are gone from the result.
fn removed_prose(ours: &Value, result: &Value, pointer: &str, names: bool, report: &mut SyncReport) {
    match ours {
        Value::Object(map) => {
            for (key, value) in map {
                if !names && (PROSE.contains(&key.as_str()) || key.starts_with(OURS)) {
                    continue;
                }
                let child = format!("{pointer}/{}", escape_pointer(key));
                let child_names = !names && NAME_MAPS.contains(&key.as_str()) && value.is_object();
                match result.get(key) {
                    Some(next) => removed_prose(value, next, &child, child_names, report),
                    None if has_prose(value) => report.removed.push(crate::walk::pointer_to_display(&child)),
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            let theirs = result.as_array().map(Vec::as_slice).unwrap_or(&[]);
            for (i, item) in items.iter().enumerate() {
                let matched = same_item(theirs, item, i);
                match matched {
                    Some(next) => removed_prose(item, next, &format!("{pointer}/{i}"), false, report),
                    None if has_prose(item) => {
                        report.removed.push(crate::walk::pointer_to_display(&format!("{pointer}/{i}")))
                    }
                    None => {}
                }
            }
        }
        _ => {}
    }
}

/// Whether `value` or anything inside it carries prose of ours.
fn has_prose(value: &Value) -> bool {
    match value {
        Value::Object(m) => PROSE.iter().any(|k| m.get(*k).is_some_and(Value::is_string)) || m.values().any(has_prose),
        Value::Array(items) => items.iter().any(has_prose),
        _ => false,
    }
}

/// What `spec sync` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Our spec (rewritten unless `check`).
    pub ours: std::path::PathBuf,
    /// The published document.
    pub published: std::path::PathBuf,
    /// Fail when ours is behind instead of writing.
    pub check: bool,
    /// Write the result here instead of over `ours` (a dry run).
    pub out: Option<std::path::PathBuf>,
}

/// Runs `spec sync`: the summary line and list on success; an error naming the spot when
/// either document is not a usable OpenAPI 3.0 document, or (with `check`) when ours is behind.
pub fn run(options: &Options) -> Result<String> {
    let started = std::time::Instant::now();
    let ours = read_checked(&options.ours)?;
    let published = read_checked(&options.published)?;
    let (result, report) = sync(&ours, &published);
    let changed = result != ours;
    let rendered = report.render(changed);
    if options.check {
        return if changed {
            Err(Error::new(format!(
                "{} is behind {}\n{rendered}",
                display_path(&options.ours),
                display_path(&options.published)
            )))
        } else {
            Ok(rendered)
        };
    }
    // The result must itself be a document regen accepts before it replaces ours.
    spec::check_document(&result).map_err(|e| e.context("the synced spec"))?;
    let target = options.out.as_deref().unwrap_or(&options.ours);
    if changed || options.out.is_some() {
        write_atomically(target, &to_yaml(&result)?)?;
    }
    Ok(format!("{rendered}\n  ({:.2}s)", started.elapsed().as_secs_f64()))
}

fn read_checked(path: &Path) -> Result<Value> {
    let display = display_path(path);
    Ok(spec::read(path, &display)?.document)
}

/// The YAML text of `doc`, with a line saying how it was made.
pub fn to_yaml(doc: &Value) -> Result<String> {
    let text = serde_yaml_ng::to_string(doc).map_err(|e| Error::new(format!("cannot write YAML: {e}")))?;
    Ok(text)
}

/// Writes `text` to a temporary file beside `path`, then renames it over `path`, so a
/// failure never leaves a half-written spec.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let temporary = path.with_extension("yaml.sync-tmp");
    std::fs::write(&temporary, text)
        .map_err(|e| Error::new(format!("cannot write {}: {e}", display_path(&temporary))))?;
    std::fs::rename(&temporary, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        Error::new(format!("cannot replace {}: {e}", display_path(path)))
    })
}

//! An API changelog computed from two [`surface`](crate::surface) listings: each operation
//! and type added, removed or changed, classified as breaking or additive, and the semver
//! bump it implies for `venice-api-gen` (and `venice-api`, which re-exports its types).
//!
//! A type is on the request side when an operation's body or parameters reach it, on the
//! answer side when its success or error type does; a type on both sides is judged by the
//! stricter rule. Answer enums are open (the generated string enums keep an unknown value),
//! so a new enum value is additive.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// One entry of the changelog.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Whether existing user code may stop compiling or working.
    pub breaking: bool,
    /// What changed, e.g. `operation get_keys removed`.
    pub what: String,
}

#[derive(Debug, Default)]
struct Surface {
    /// Operation name -> its lines (route, parameters, body, ok, error).
    operations: BTreeMap<String, Vec<String>>,
    /// Type header (`struct X`, `enum X [untagged]`) keyed by type name -> member lines.
    types: BTreeMap<String, (String, Vec<String>)>,
}

fn parse(text: &str) -> Surface {
    let mut surface = Surface::default();
    let mut in_types = false;
    let mut current: Option<String> = None;
    for line in text.lines() {
        match line {
            "# operations" | "" => continue,
            "# types" => {
                in_types = true;
                current = None;
                continue;
            }
            _ => {}
        }
        if let Some(member) = line.strip_prefix("  ") {
            let Some(name) = &current else { continue };
            if in_types {
                if let Some(entry) = surface.types.get_mut(name) {
                    entry.1.push(member.to_string());
                }
            } else if let Some(entry) = surface.operations.get_mut(name) {
                entry.push(member.to_string());
            }
        } else if in_types {
            let mut words = line.split_whitespace();
            let _kind = words.next();
            let name: String =
                words.next().unwrap_or_default().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            surface.types.insert(name.clone(), (line.to_string(), Vec::new()));
            current = Some(name);
        } else {
            let (name, route) = line.split_once(": ").unwrap_or((line, ""));
            surface.operations.insert(name.to_string(), vec![format!("route {route}")]);
            current = Some(name.to_string());
        }
    }
    surface
}

/// Identifiers in a type text, e.g. `Option<Vec<Foo>>` -> `Option`, `Vec`, `Foo`.
fn idents(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty())
}

/// The types reachable from `roots` through field and variant types.
fn reach(surface: &Surface, roots: BTreeSet<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = roots.into_iter().collect();
    while let Some(name) = stack.pop() {
        let Some((header, members)) = surface.types.get(&name) else { continue };
        if !seen.insert(name) {
            continue;
        }
        for text in members.iter().chain(std::iter::once(header)) {
            let ty =
                text.split_once(": ").map(|(_, t)| t).or_else(|| text.split_once('(').map(|(_, t)| t)).unwrap_or("");
            stack.extend(idents(ty).filter(|w| surface.types.contains_key(*w)).map(str::to_string));
        }
    }
    seen
}

fn sides(surface: &Surface) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut request = BTreeSet::new();
    let mut answer = BTreeSet::new();
    for lines in surface.operations.values() {
        for line in lines {
            let Some((head, ty)) = line.split_once(": ") else { continue };
            let target = if head == "ok" || head == "error" { &mut answer } else { &mut request };
            target.extend(idents(ty).filter(|w| surface.types.contains_key(*w)).map(str::to_string));
        }
    }
    (reach(surface, request), reach(surface, answer))
}

fn is_optional(ty: &str) -> bool {
    ty.starts_with("Option<")
}

fn strip_option(ty: &str) -> &str {
    ty.strip_prefix("Option<").and_then(|t| t.strip_suffix('>')).unwrap_or(ty)
}

/// Member name -> its text after the name (`field: Type`, `Variant = "wire"`).
fn members(lines: &[String]) -> BTreeMap<String, String> {
    lines
        .iter()
        .map(|line| {
            let end = line.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(line.len());
            (line[..end].to_string(), line[end..].trim_start_matches(':').trim().to_string())
        })
        .collect()
}

/// The changes from surface `old` to surface `new`, sorted, breaking first.
pub fn compare(old: &str, new: &str) -> Vec<Change> {
    let (old, new) = (parse(old), parse(new));
    let (old_request, old_answer) = sides(&old);
    let (new_request, new_answer) = sides(&new);
    let mut changes = BTreeSet::new();
    let mut add = |breaking: bool, what: String| {
        changes.insert(Change { breaking, what });
    };
    for (name, lines) in &old.operations {
        let Some(next) = new.operations.get(name) else {
            add(true, format!("operation {name} removed"));
            continue;
        };
        let (before, after) = (members(lines), members(next));
        for (member, text) in &before {
            match after.get(member) {
                None => add(true, format!("operation {name}: {member} removed")),
                Some(t) if t != text => add(true, format!("operation {name}: {member} changed from `{text}` to `{t}`")),
                _ => {}
            }
        }
        for (member, text) in after.iter().filter(|(m, _)| !before.contains_key(*m)) {
            let optional = text.split_once(": ").is_some_and(|(_, t)| is_optional(t));
            add(!optional, format!("operation {name}: {member} added ({text})"));
        }
    }
    for name in new.operations.keys().filter(|n| !old.operations.contains_key(*n)) {
        add(false, format!("operation {name} added"));
    }
    for (name, (header, lines)) in &old.types {
        let Some((next_header, next_lines)) = new.types.get(name) else {
            add(true, format!("type {name} removed"));
            continue;
        };
        let request = old_request.contains(name) || new_request.contains(name);
        let answer = old_answer.contains(name) || new_answer.contains(name);
        if header != next_header {
            add(true, format!("type {name} changed from `{header}` to `{next_header}`"));
            continue;
        }
        let is_enum = header.starts_with("enum ");
        let (before, after) = (members(lines), members(next_lines));
        for (member, text) in &before {
            let Some(next) = after.get(member) else {
                let kind = if is_enum { "value" } else { "field" };
                add(true, format!("type {name}: {kind} {member} removed"));
                continue;
            };
            if next == text {
                continue;
            }
            let same_inner = strip_option(text) == strip_option(next);
            let became_optional = same_inner && !is_optional(text) && is_optional(next);
            let became_required = same_inner && is_optional(text) && !is_optional(next);
            let what = if became_optional {
                format!("type {name}: field {member} became optional")
            } else if became_required {
                format!("type {name}: field {member} became required")
            } else {
                format!("type {name}: {member} changed from `{text}` to `{next}`")
            };
            // Loosening a request field breaks nobody who only sends; everything else does.
            add(!(became_optional && request && !answer), what);
        }
        for (member, text) in after.iter().filter(|(m, _)| !before.contains_key(*m)) {
            if is_enum {
                add(false, format!("type {name}: value {member} added"));
            } else {
                let breaking = request && !is_optional(text) && !text.starts_with("Vec<");
                add(breaking, format!("type {name}: field {member} added ({text})"));
            }
        }
    }
    for name in new.types.keys().filter(|n| !old.types.contains_key(*n)) {
        add(false, format!("type {name} added"));
    }
    let mut changes: Vec<Change> = changes.into_iter().collect();
    changes.sort_by(|a, b| b.breaking.cmp(&a.breaking).then(a.what.cmp(&b.what)));
    changes
}

/// The bump `changes` imply for a crate at `version` (`major.minor.patch`): below 1.0 a
/// breaking change bumps the minor number and an additive one the patch number.
pub fn bump(changes: &[Change], version: &str) -> &'static str {
    let pre_one = version.starts_with("0.");
    match (changes.iter().any(|c| c.breaking), changes.is_empty(), pre_one) {
        (_, true, _) => "none",
        (true, _, true) => "minor (breaking, below 1.0)",
        (true, _, false) => "major (breaking)",
        (false, _, true) => "patch (additive, below 1.0)",
        (false, _, false) => "minor (additive)",
    }
}

/// The changelog as printed by `regen` and `cargo xtask diff`.
pub fn render(changes: &[Change], version: &str) -> String {
    let breaking = changes.iter().filter(|c| c.breaking).count();
    let needs = match bump(changes, version) {
        "none" => "no bump".to_owned(),
        bump => format!("a {bump} bump"),
    };
    let mut out = format!(
        "changelog: {breaking} breaking, {} additive; venice-api-gen {version} (and venice-api) needs {needs}",
        changes.len() - breaking,
    );
    for change in changes {
        let _ = write!(out, "\n  {} {}", if change.breaking { "breaking:" } else { "additive:" }, change.what);
    }
    out
}

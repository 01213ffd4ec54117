//! The API changelog: one synthetic surface pair per kind of change, and `cargo xtask diff`
//! on two spec files.

use std::process::Command;

use xtask::changelog::{Change, compare};

const OLD: &str = "# operations
get_thing: GET /things/{id}
  path id: String
  ok: Thing
  error: StandardError
create_thing: POST /things
  body body: builder::NewThing
  ok: Thing
  error: StandardError

# types
struct NewThing
  name: String
  note: Option<String>
struct Thing
  color: Color
  name: String
  size: i64
enum Color
  Red = \"red\"
  Blue = \"blue\"
";

fn changes(new: &str) -> Vec<Change> {
    compare(OLD, new)
}

fn only(new: &str) -> Change {
    let changes = changes(new);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    changes.into_iter().next().unwrap()
}

#[test]
fn the_same_surface_has_no_changes() {
    assert!(changes(OLD).is_empty());
}

#[test]
fn a_removed_operation_is_breaking() {
    let new = OLD.replace("get_thing: GET /things/{id}\n  path id: String\n  ok: Thing\n  error: StandardError\n", "");
    let change = only(&new);
    assert!(change.breaking);
    assert_eq!(change.what, "operation get_thing removed");
}

#[test]
fn a_new_operation_is_additive() {
    let new = OLD.replace("\n# types", "list_things: GET /things\n  ok: Thing\n  error: StandardError\n\n# types");
    let change = only(&new);
    assert!(!change.breaking);
    assert_eq!(change.what, "operation list_things added");
}

#[test]
fn a_removed_field_is_breaking() {
    let change = only(&OLD.replace("  size: i64\n", ""));
    assert!(change.breaking, "{}", change.what);
}

#[test]
fn a_changed_field_type_is_breaking() {
    let change = only(&OLD.replace("  size: i64\n", "  size: f64\n"));
    assert!(change.breaking, "{}", change.what);
}

#[test]
fn a_request_field_that_became_required_is_breaking() {
    let change = only(&OLD.replace("  note: Option<String>\n", "  note: String\n"));
    assert!(change.breaking);
    assert_eq!(change.what, "type NewThing: field note became required");
}

#[test]
fn a_request_field_that_became_optional_is_additive() {
    let change = only(&OLD.replace("struct NewThing\n  name: String", "struct NewThing\n  name: Option<String>"));
    assert!(!change.breaking, "{}", change.what);
}

#[test]
fn a_response_field_that_became_optional_is_breaking() {
    let change = only(&OLD.replace("  size: i64\n", "  size: Option<i64>\n"));
    assert!(change.breaking);
    assert_eq!(change.what, "type Thing: field size became optional");
}

#[test]
fn a_new_optional_request_field_is_additive() {
    let change = only(&OLD.replace("  note: Option<String>\n", "  note: Option<String>\n  tag: Option<String>\n"));
    assert!(!change.breaking, "{}", change.what);
}

#[test]
fn a_new_required_request_field_is_breaking() {
    let change = only(&OLD.replace("  note: Option<String>\n", "  note: Option<String>\n  tag: String\n"));
    assert!(change.breaking, "{}", change.what);
}

#[test]
fn a_new_response_field_is_additive() {
    let change = only(&OLD.replace("  size: i64\n", "  size: i64\n  weight: i64\n"));
    assert!(!change.breaking, "{}", change.what);
}

#[test]
fn a_removed_enum_value_is_breaking() {
    let change = only(&OLD.replace("  Blue = \"blue\"\n", ""));
    assert!(change.breaking);
    assert_eq!(change.what, "type Color: value Blue removed");
}

#[test]
fn a_new_enum_value_is_additive_because_answer_enums_are_open() {
    let change = only(&OLD.replace("  Blue = \"blue\"\n", "  Blue = \"blue\"\n  Green = \"green\"\n"));
    assert!(!change.breaking);
    assert_eq!(change.what, "type Color: value Green added");
}

#[test]
fn breaking_changes_below_1_0_bump_the_minor_version() {
    let changes = changes(&OLD.replace("  size: i64\n", ""));
    assert_eq!(xtask::changelog::bump(&changes, "0.1.0"), "minor (breaking, below 1.0)");
}

#[test]
fn additive_changes_below_1_0_bump_the_patch_version() {
    let changes = changes(&OLD.replace("  size: i64\n", "  size: i64\n  weight: i64\n"));
    assert_eq!(xtask::changelog::bump(&changes, "0.1.0"), "patch (additive, below 1.0)");
}

const SPEC: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /things/{id}:\n    get:\n      operationId: getThing\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}\ncomponents:\n  schemas:\n    Thing: {type: object, required: [name], properties: {name: {type: string}}}\n";

#[test]
fn diff_of_two_spec_files_prints_the_changelog() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.yaml");
    let new = dir.path().join("new.yaml");
    std::fs::write(&old, SPEC).unwrap();
    std::fs::write(&new, SPEC.replace("required: [name], ", "")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["diff", old.to_str().unwrap(), new.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.starts_with("changelog: 1 breaking, 0 additive;"), "{stdout}");
    assert!(stdout.contains("breaking: type Thing: field name became optional"), "{stdout}");
}

#[test]
fn an_unchanged_surface_needs_no_bump() {
    assert_eq!(
        xtask::changelog::render(&[], "0.1.0"),
        "changelog: 0 breaking, 0 additive; venice-api-gen 0.1.0 (and venice-api) needs no bump"
    );
}

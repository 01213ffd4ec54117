//! `cargo xtask regen` on broken input: exit code 1, a message naming the spot, no panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

// The seeded spec mutations of the in-process mutation tests
// (`tests/tests/generator_mutations.rs`), shared so this file can run a few through the binary.
#[allow(dead_code)]
#[path = "../../tests/src/mutate.rs"]
mod mutate;

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).env("RUST_BACKTRACE", "1").output().expect("xtask runs")
}

fn regen(spec: &Path, out: &Path, check: bool) -> Output {
    let mut args = vec!["regen", "--spec", spec.to_str().unwrap(), "--out", out.to_str().unwrap()];
    if check {
        args.push("--check");
    }
    xtask(&args)
}

/// Asserts a clean failure: exit code 1, no panic or backtrace, and stderr naming `spot`.
fn assert_fails_naming(output: &Output, spot: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(!stderr.contains("thread '") && !stderr.contains("stack backtrace"), "a panic escaped: {stderr}");
    assert!(stderr.contains(spot), "stderr does not name {spot:?}: {stderr}");
}

fn write_spec(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("spec.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn published() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/venice-openapi/swagger.yaml");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            eprintln!("SKIPPED: {} is absent (only beside a checkout that has ../shared)", path.display());
            None
        }
    }
}

const MINIMAL: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /things/{id}:\n    get:\n      operationId: getThing\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}\ncomponents:\n  schemas:\n    Thing: {type: object, properties: {name: {type: string}}}\n";

#[test]
fn missing_spec_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let output = regen(&dir.path().join("nope.yaml"), dir.path(), false);
    assert_fails_naming(&output, "nope.yaml");
}

#[test]
fn invalid_yaml_is_reported_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(dir.path(), "openapi: 3.0.3\npaths:\n  /a: [unclosed\n");
    assert_fails_naming(&regen(&spec, dir.path(), false), "invalid YAML at line");
}

#[test]
fn dangling_ref_is_reported_where_it_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(dir.path(), &MINIMAL.replace("schemas/Thing'", "schemas/Gone'"));
    assert_fails_naming(
        &regen(&spec, dir.path(), false),
        "paths./things/{id}.get.responses.200.content.application/json.schema: dangling $ref '#/components/schemas/Gone'",
    );
}

#[test]
fn empty_paths_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(dir.path(), "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert_fails_naming(&regen(&spec, dir.path(), false), "paths: the spec has no operations");
}

#[test]
fn a_value_of_the_wrong_type_names_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(dir.path(), &MINIMAL.replace("required: true", "required: maybe"));
    assert_fails_naming(
        &regen(&spec, dir.path(), false),
        "paths./things/{id}.get.parameters.0.required: does not fit the OpenAPI 3.0 schema: invalid type: string \"maybe\", expected a boolean",
    );
}

#[test]
fn a_progenitor_panic_becomes_an_error_naming_the_operation() {
    // Path parameters must be required; progenitor asserts it instead of reporting it.
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(dir.path(), &MINIMAL.replace("required: true", "required: false"));
    let output = regen(&spec, dir.path(), false);
    assert_fails_naming(&output, "operation getThing (GET /things/{id}): progenitor panicked");
}

#[test]
fn a_good_spec_generates_and_check_then_passes() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(dir.path(), MINIMAL);
    let out = dir.path().join("out");
    let written = regen(&spec, &out, false);
    assert!(written.status.success(), "{}", String::from_utf8_lossy(&written.stderr));
    let summary = String::from_utf8_lossy(&written.stdout);
    assert!(summary.starts_with("regen: 1 operations, "), "{summary}");
    assert!(summary.contains("0 operations excluded"), "{summary}");
    assert!(regen(&spec, &out, true).status.success());
}

#[test]
fn check_reports_drift_with_a_diff_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(dir.path(), MINIMAL);
    let out = dir.path().join("out");
    assert!(regen(&spec, &out, false).status.success());
    let generated = out.join("generated.rs");
    let edited = std::fs::read_to_string(&generated).unwrap().replace("pub name:", "pub renamed:");
    std::fs::write(&generated, edited).unwrap();

    let output = regen(&spec, &out, true);

    assert_fails_naming(&output, "generated.rs differs from what the spec generates");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("-        pub renamed:") && stderr.contains("+        pub name:"), "{stderr}");
}

#[test]
fn check_reports_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(dir.path(), MINIMAL);
    assert_fails_naming(&regen(&spec, &dir.path().join("empty"), true), "operations.rs is missing");
}

#[test]
fn unknown_argument_is_a_usage_error() {
    let output = xtask(&["regen", "--frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown argument '--frobnicate'"));
}

#[test]
fn published_spec_with_a_schema_removed_names_where_it_was_used() {
    let Some(text) = published() else { return };
    let mut doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    doc["components"]["schemas"].as_mapping_mut().unwrap().remove("ChatCompletionRequest");
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(dir.path(), &serde_yaml_ng::to_string(&doc).unwrap());
    assert_fails_naming(&regen(&spec, dir.path(), false), "dangling $ref '#/components/schemas/ChatCompletionRequest'");
}

#[test]
fn published_spec_cut_off_inside_a_schema_names_the_spot() {
    let Some(text) = published() else { return };
    // Keep everything up to the middle of the first component schema's properties.
    let cut = text.find("  schemas:\n").map(|at| at + text[at..].find("properties:").unwrap() + 12).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(dir.path(), &text[..cut]);
    let output = regen(&spec, dir.path(), false);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("thread '"), "{stderr}");
    assert!(stderr.contains("paths") || stderr.contains("components"), "names no spot: {stderr}");
}

/// A few seeded mutations of our spec, one per kind that reaches a different stage (the
/// structural checks, the OpenAPI schema, progenitor, the recursion of its type generator),
/// through the binary: each exits 0, or 1 with a message naming a spot of the mutated spec;
/// never 101 (a panic) or a signal (a stack overflow aborts).
#[test]
fn mutated_specs_exit_0_or_1_naming_the_spot_never_a_panic() {
    use mutate::Kind;
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/venice.yaml");
    let original = xtask::spec::parse_yaml(&std::fs::read_to_string(own).unwrap()).unwrap();
    // The first three are always refused; the others may generate.
    let kinds = [
        Kind::DanglingRef,
        Kind::DuplicateOperationId,
        Kind::EmptyPaths,
        Kind::SelfRef,
        Kind::WrongType,
        Kind::EmptyComposition,
        Kind::MixedEnum,
        Kind::DeepNesting,
        Kind::MisdirectedRef,
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, kind) in kinds.into_iter().enumerate() {
        let mut document = original.clone();
        let mutation = mutate::mutate(&mut document, kind, 0xc11_0000 + i as u64).expect("something to mutate");
        let spec = write_spec(dir.path(), &serde_yaml_ng::to_string(&document).unwrap());
        let output = regen(&spec, &dir.path().join("out"), false);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked") && !stderr.contains("stack backtrace"), "{mutation}: {stderr}");
        eprintln!("{mutation}: exit code {:?}", output.status.code());
        match output.status.code() {
            Some(0) if i >= 3 => {}
            Some(1) => {
                let message = stderr.trim().strip_prefix("error: ").unwrap_or_else(|| panic!("{mutation}: {stderr}"));
                let display = xtask::regen::display_path(&spec);
                let located = mutate::names_a_spot(message, &display, &[&document]).or_else(|why| {
                    // A message may name a schema a normalization pass introduced.
                    let mut normalized = document.clone();
                    xtask::passes::normalize(&mut normalized);
                    mutate::names_a_spot(message, &display, &[&normalized]).map_err(|_| why)
                });
                if let Err(why) = located {
                    panic!("{mutation}: {message}\nnames no spot: {why}");
                }
            }
            other => panic!("{mutation}: exit code {other:?}, stderr: {stderr}"),
        }
    }
}

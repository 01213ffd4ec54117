//! The documented update routine on a synthetic evolution: `spec sync` -> descriptions ->
//! `regen` (with its changelog) -> `regen --check`, each step exiting as the README says.
//! The first test generates into a scratch directory from a small spec; the second runs the
//! routine on our own spec and builds the facade on the result.

use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("xtask runs")
}

const OURS: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\ntags: [{name: things, description: Our things.}]\npaths:\n  /things/{id}:\n    get:\n      operationId: getThing\n      tags: [things]\n      summary: Reads a thing.\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}\n  /old:\n    get:\n      operationId: getOld\n      tags: [things]\n      responses:\n        '200': {description: ok}\ncomponents:\n  schemas:\n    Thing: {type: object, required: [name], properties: {name: {type: string}, color: {type: string, enum: [red]}}}\n";

/// An operation added (under a new tag), one removed, a field renamed, an enum value added.
fn published() -> String {
    OURS.replace(
        "  /old:\n    get:\n      operationId: getOld\n      tags: [things]\n      responses:\n        '200': {description: ok}\n",
        "  /new:\n    get:\n      operationId: getNew\n      tags: [widgets]\n      summary: An upstream sentence.\n      responses:\n        '200': {description: ok}\n",
    )
    .replace("required: [name], properties: {name:", "required: [label], properties: {label:")
    .replace("enum: [red]", "enum: [red, blue]")
}

#[test]
fn the_update_routine_exits_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("venice.yaml");
    let upstream = dir.path().join("published.yaml");
    let out = dir.path().join("gen");
    std::fs::write(&ours, OURS).unwrap();
    std::fs::write(&upstream, published()).unwrap();
    let (ours_s, upstream_s, out_s) = (ours.to_str().unwrap(), upstream.to_str().unwrap(), out.to_str().unwrap());

    let first = xtask(&["regen", "--spec", ours_s, "--out", out_s]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));

    let behind = xtask(&["spec", "sync", upstream_s, "--spec", ours_s, "--check"]);
    assert_eq!(behind.status.code(), Some(1), "--check exits 1 while ours is behind");

    let sync = xtask(&["spec", "sync", upstream_s, "--spec", ours_s]);
    let listed = String::from_utf8_lossy(&sync.stdout);
    assert!(sync.status.success(), "{}", String::from_utf8_lossy(&sync.stderr));
    assert!(listed.contains("needs a description: paths./new.get"), "{listed}");

    let regen = xtask(&["regen", "--spec", ours_s, "--out", out_s]);
    let printed = String::from_utf8_lossy(&regen.stdout);
    assert!(regen.status.success(), "{}", String::from_utf8_lossy(&regen.stderr));
    assert!(printed.contains("changelog: "), "{printed}");
    assert!(printed.contains("breaking: operation get_old removed"), "{printed}");
    assert!(printed.contains("additive: operation get_new added"), "{printed}");

    let check = xtask(&["regen", "--spec", ours_s, "--out", out_s, "--check"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    assert!(xtask(&["spec", "sync", upstream_s, "--spec", ours_s, "--check"]).status.success());
}

/// The workspace this test belongs to.
fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    xtask::scratch::copy_tree(from, to).unwrap_or_else(|e| panic!("copying {}: {e}", from.display()));
}

/// A workspace of `venice-api-gen` and the `venice-api` facade as they are, with our spec, in
/// `target/update-routine/workspace`.
fn scratch_workspace() -> std::path::PathBuf {
    let root = root();
    let scratch = root.join("target/update-routine/workspace");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(scratch.join("openapi")).unwrap();
    let manifest: String = std::fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with("xtask = ") && !line.starts_with("default-members"))
        .map(|line| {
            if line.starts_with("members = ") {
                r#"members = ["venice-api-gen", "venice-api"]"#.to_owned()
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(scratch.join("Cargo.toml"), manifest).unwrap();
    for part in ["Cargo.lock", "openapi/venice.yaml", "venice-api-gen"] {
        copy_tree(&root.join(part), &scratch.join(part));
    }
    // The facade's library, and what its manifest names (examples, benches) to be valid.
    for part in ["Cargo.toml", "src", "examples", "benches"] {
        copy_tree(&root.join("venice-api").join(part), &scratch.join("venice-api").join(part));
    }
    scratch
}

/// `value` without our extensions (`x-venice-rs-*`), as Venice would publish it.
fn without_our_extensions(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|key, _| !key.starts_with("x-venice-rs-"));
            map.values_mut().for_each(without_our_extensions);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(without_our_extensions),
        _ => {}
    }
}

/// Our spec as Venice might publish it next: an operation added under a new tag, a response
/// field the facade does not read renamed, an enum value added, and none of our extensions
/// or added operations.
fn evolved(ours: &serde_json::Value) -> serde_json::Value {
    let mut published = ours.clone();
    let paths = published["paths"].as_object_mut().unwrap();
    paths.retain(|_, item| !item.as_object().unwrap().values().any(|op| op.get("x-venice-rs-added").is_some()));
    paths.insert(
        "/widgets".into(),
        serde_json::json!({"get": {"operationId": "listWidgets", "tags": ["Widgets"],
            "summary": "An upstream sentence about the widgets of this account.",
            "responses": {"200": {"description": "Upstream words.", "content": {"application/json":
                {"schema": {"type": "object", "properties": {"count": {"type": "integer"}}}}}}}}}),
    );
    let balance = &mut published["components"]["schemas"]["BillingBalanceResponse"];
    let field = balance["properties"].as_object_mut().unwrap().remove("diemEpochAllocation").unwrap();
    balance["properties"]["diemAllocation"] = field;
    for name in balance["required"].as_array_mut().unwrap() {
        if name == "diemEpochAllocation" {
            *name = "diemAllocation".into();
        }
    }
    published["components"]["schemas"]["GenerateImageRequest"]["properties"]["format"]["enum"]
        .as_array_mut()
        .unwrap()
        .push("avif".into());
    without_our_extensions(&mut published);
    published
}

/// The routine on our own spec, down to the facade: sync, regen (refused until the new tag's
/// feature is declared), regen, and `cargo check` of `venice-api` with every feature. The
/// check shares the published-spec test's target directory (and its flags), whose
/// dependencies that test has built: it recompiles the two crates only (about 30 s on two
/// cores). Without that directory (no `../shared`, so the published-spec tests skipped) the
/// check is skipped, saying so: cold, it would cost over 3 minutes.
#[test]
fn after_an_evolution_of_our_spec_the_routine_leaves_a_facade_that_builds() {
    let scratch = scratch_workspace();
    let ours = scratch.join("openapi/venice.yaml");
    let upstream = scratch.join("published.json");
    let out = scratch.join("venice-api-gen/src");
    let document = xtask::spec::parse_yaml(&std::fs::read_to_string(&ours).unwrap()).unwrap();
    std::fs::write(&upstream, serde_json::to_string(&evolved(&document)).unwrap()).unwrap();
    let (ours_s, upstream_s, out_s) = (ours.to_str().unwrap(), upstream.to_str().unwrap(), out.to_str().unwrap());

    let sync = xtask(&["spec", "sync", upstream_s, "--spec", ours_s]);
    assert!(sync.status.success(), "{}", String::from_utf8_lossy(&sync.stderr));
    assert!(String::from_utf8_lossy(&sync.stdout).contains("needs a description: paths./widgets.get"));

    let refused = xtask(&["regen", "--spec", ours_s, "--out", out_s]);
    assert_eq!(refused.status.code(), Some(1), "a new tag's feature must be declared first");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("`widgets`"));

    let manifest = scratch.join("venice-api-gen/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let declared = text.replacen("full = [\n", "full = [\n    \"widgets\",\n", 1).replacen(
        "x402 = []",
        "x402 = []\nwidgets = []",
        1,
    );
    std::fs::write(&manifest, declared).unwrap();
    let regen = xtask(&["regen", "--spec", ours_s, "--out", out_s]);
    let printed = String::from_utf8_lossy(&regen.stdout);
    assert!(regen.status.success(), "{}", String::from_utf8_lossy(&regen.stderr));
    assert!(printed.contains("additive: operation list_widgets added"), "{printed}");
    assert!(
        printed.contains("breaking: type BillingBalanceResponse: field diem_epoch_allocation removed"),
        "{printed}"
    );

    let shared_target = root().join("target/published-spec/target");
    if !shared_target.is_dir() {
        // Cold, the check builds every dependency of the facade: over 3 minutes on two cores.
        eprintln!(
            "SKIPPED the facade build: {} is absent (the published-spec tests build it when \
             ../shared is there; this check reuses its dependencies)",
            shared_target.display()
        );
        return;
    }
    let check = Command::new(env!("CARGO"))
        .args([
            "check",
            "--offline",
            "--package",
            "venice-api",
            "--all-features",
            "--quiet",
            "--message-format",
            "short",
        ])
        .env("CARGO_TARGET_DIR", &shared_target)
        .env("RUSTFLAGS", "-D warnings")
        .current_dir(&scratch)
        .output()
        .unwrap();
    assert!(check.status.success(), "the facade no longer builds:\n{}", String::from_utf8_lossy(&check.stderr));
}

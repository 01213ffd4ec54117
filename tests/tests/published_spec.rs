//! The generator survives the spec Venice publishes: regenerating from it gives a crate
//! that compiles and holds every operation progenitor can express, and the operations it
//! leaves out are exactly the ones the report names.
//!
//! The scratch workspace lives in `target/published-spec/` and has its own target
//! directory there (a build inside `cargo test` cannot share the outer one's lock).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use venice_tests::{published_spec, workspace_root};
use xtask::{generate, spec, surface};

/// Hand-written crates copied into the scratch workspace beside the regenerated one.
const HAND_WRITTEN_CRATES: &[&str] = &[];

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A workspace with the workspace's own manifest and lock file, `venice-api-gen` regenerated
/// from `output`, and the hand-written crates as they are.
fn scratch_workspace(output: &generate::Output) -> PathBuf {
    let root = workspace_root();
    let scratch = root.join("target/published-spec/workspace");
    let _ = std::fs::remove_dir_all(&scratch);
    let mut members = vec!["venice-api-gen"];
    members.extend(HAND_WRITTEN_CRATES);
    let manifest: String = std::fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with("xtask = ") && !line.starts_with("default-members"))
        .map(|line| if line.starts_with("members = ") { format!("members = {members:?}") } else { line.to_string() })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::create_dir_all(&scratch).unwrap();
    std::fs::write(scratch.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock")).unwrap();
    for member in &members {
        copy_tree(&root.join(member), &scratch.join(member));
    }
    let generated_dir = scratch.join("venice-api-gen/src");
    for (name, text) in &output.files {
        std::fs::write(generated_dir.join(name), text).unwrap();
    }
    scratch
}

#[test]
fn published_spec_regenerates_into_a_crate_that_compiles() {
    let Some(path) = published_spec("published_spec_regenerates_into_a_crate_that_compiles") else { return };
    let spec = spec::read(&path, "../shared/venice-openapi/swagger.yaml").unwrap();
    let output = generate::generate(&spec).unwrap();

    let scratch = scratch_workspace(&output);
    let result = Command::new(env!("CARGO"))
        .args(["check", "--offline", "--workspace", "--quiet", "--message-format", "short"])
        .env("CARGO_TARGET_DIR", workspace_root().join("target/published-spec/target"))
        .env("RUSTFLAGS", "-D warnings")
        .current_dir(&scratch)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "the regenerated crate does not compile:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );

    let published_ids = operation_ids(&spec.document);
    let source = &output.files.iter().find(|(n, _)| n == "generated.rs").unwrap().1;
    let generated: BTreeSet<String> = surface::describe(source)
        .unwrap()
        .lines()
        .take_while(|l| !l.starts_with("# types"))
        .filter(|l| !l.starts_with(' ') && l.contains(": "))
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect();
    let excluded: BTreeSet<String> = output.report.exclusions().map(|e| heck_snake(&e.operation)).collect();
    let missing: BTreeSet<String> =
        published_ids.iter().map(|id| heck_snake(id)).filter(|id| !generated.contains(id)).collect();
    assert_eq!(missing, excluded, "operations missing from the crate must be exactly the excluded ones");
    assert_eq!(generated.len() + excluded.len(), published_ids.len());
}

/// operationIds of the published document, with the one it lacks derived as the pass does.
fn operation_ids(document: &serde_json::Value) -> Vec<String> {
    let mut doc = document.clone();
    let report = xtask::passes::normalize(&mut doc);
    let mut ids = Vec::new();
    xtask::walk::for_each_operation(&mut doc, |key, _| ids.push(key.label()));
    ids.extend(report.exclusions().map(|e| e.operation.clone()));
    ids
}

fn heck_snake(id: &str) -> String {
    let mut out = String::new();
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

//! The generator survives the spec Venice publishes: regenerating from it gives a crate
//! that compiles and holds every operation progenitor can express, the operations it
//! leaves out are exactly the ones the report names, and the hand-written facade still
//! compiles on top of it.
//!
//! The scratch workspace lives in `target/published-spec/` and has its own target
//! directory there (a build inside `cargo test` cannot share the outer one's lock).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use venice_tests::{published_spec, workspace_root};
use xtask::{generate, spec, surface};

/// Hand-written crates built on the regenerated one, each with the parts of it copied into
/// the scratch workspace: its library, plus the examples and benches its manifest names in
/// `[[example]]`/`[[bench]]` sections (copied so the manifest is valid; only the library is
/// built). Its tests are not copied, so it must not name them in `[[test]]` sections.
const HAND_WRITTEN_CRATES: &[(&str, &[&str])] = &[("venice-api", &["Cargo.toml", "src", "examples", "benches"])];

/// Copies the file or directory `from` to `to`.
fn copy_tree(from: &Path, to: &Path) {
    xtask::scratch::copy_tree(from, to).unwrap_or_else(|e| panic!("copying {}: {e}", from.display()));
}

/// A workspace with the workspace's own manifest and lock file, `venice-api-gen` regenerated
/// from `output`, and the hand-written crates as they are.
fn scratch_workspace(output: &generate::Output) -> PathBuf {
    let root = workspace_root();
    let scratch = root.join("target/published-spec/workspace");
    let _ = std::fs::remove_dir_all(&scratch);
    let mut members = vec!["venice-api-gen"];
    members.extend(HAND_WRITTEN_CRATES.iter().map(|(name, _)| *name));
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
    copy_tree(&root.join("venice-api-gen"), &scratch.join("venice-api-gen"));
    for (name, parts) in HAND_WRITTEN_CRATES {
        std::fs::create_dir_all(scratch.join(name)).unwrap();
        for part in *parts {
            copy_tree(&root.join(name).join(part), &scratch.join(name).join(part));
        }
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
    let mut spec = spec::read(&path, "../shared/venice-openapi/swagger.yaml").unwrap();
    let added = add_our_own_operations(&mut spec.document);
    assert!(!added.is_empty(), "our spec marks no operation x-venice-rs-added: is the mark still read?");
    let output = generate::generate(&spec).unwrap();

    let scratch = scratch_workspace(&output);
    let result = check(&scratch, "venice-api-gen", &["--all-features"]);
    assert!(
        result.status.success(),
        "the regenerated crate does not compile:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );

    let published_ids = operation_ids(&spec.document);
    // The operations added above are generated too; they are counted as the document's own.
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

    for (name, _) in HAND_WRITTEN_CRATES {
        // Every feature: a resource module left out of the default set must still compile
        // against what the published document generates.
        let result = check(&scratch, name, &["--all-features"]);
        assert!(
            result.status.success(),
            "{name} does not compile on the crate regenerated from the published spec:\n{}",
            String::from_utf8_lossy(&result.stderr)
        );
    }
}

/// `cargo check` of `package` in the scratch workspace with `extra` arguments, warnings denied.
fn check(scratch: &Path, package: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .args(["check", "--offline", "--package", package, "--quiet", "--message-format", "short"])
        .args(extra)
        .env("CARGO_TARGET_DIR", workspace_root().join("target/published-spec/target"))
        .env("RUSTFLAGS", "-D warnings")
        .current_dir(scratch)
        .output()
        .unwrap()
}

/// Copies into `published` the operations our spec marks `x-venice-rs-added` (Venice serves
/// and documents them, but leaves them out of the published document), as a sync keeps them;
/// without them the resources built on them (TEE attestation) would have nothing to compile
/// against. Returns the paths copied.
fn add_our_own_operations(published: &mut serde_json::Value) -> Vec<String> {
    let ours = spec::read(&workspace_root().join("openapi/venice.yaml"), "openapi/venice.yaml").unwrap();
    let mut added = Vec::new();
    for (path, item) in ours.document["paths"].as_object().unwrap() {
        let marked = item.as_object().unwrap().values().any(|op| op["x-venice-rs-added"] == serde_json::json!(true));
        if marked && published["paths"].get(path).is_none() {
            published["paths"][path] = item.clone();
            added.push(path.clone());
        }
    }
    added
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

/// Every run of eight words (lower case, punctuation dropped) of the prose in `doc`: its
/// `summary`, `description` and `title` strings.
fn eight_word_runs(doc: &serde_json::Value, out: &mut BTreeSet<String>) {
    match doc {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match value {
                    serde_json::Value::String(text) if ["summary", "description", "title"].contains(&key.as_str()) => {
                        let words: Vec<String> = text
                            .split(|c: char| !c.is_alphanumeric())
                            .filter(|w| !w.is_empty())
                            .map(str::to_lowercase)
                            .collect();
                        out.extend(words.windows(8).map(|run| run.join(" ")));
                    }
                    _ => eight_word_runs(value, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| eight_word_runs(item, out)),
        _ => {}
    }
}

#[test]
fn our_spec_shares_no_eight_word_run_with_the_published_prose() {
    let Some(path) = published_spec("our_spec_shares_no_eight_word_run_with_the_published_prose") else { return };
    let published = spec::read(&path, "../shared/venice-openapi/swagger.yaml").unwrap();
    let ours = spec::read(&workspace_root().join("openapi/venice.yaml"), "openapi/venice.yaml").unwrap();
    let (mut theirs, mut mine) = (BTreeSet::new(), BTreeSet::new());
    eight_word_runs(&published.document, &mut theirs);
    eight_word_runs(&ours.document, &mut mine);
    assert!(!theirs.is_empty(), "the published document has prose to compare with");
    let copied: Vec<&String> = mine.intersection(&theirs).collect();
    assert!(copied.is_empty(), "our spec repeats published prose: {copied:?}");
}

//! Two checkouts sharing one `CARGO_TARGET_DIR`: `cargo xtask regen` in the second writes the
//! second's files and never the first's.
//!
//! With a shared target directory cargo builds xtask once: the two checkouts' units hash
//! alike (a path package is hashed by its path inside the workspace), so the second checkout
//! runs the binary the first one built. That binary must find its workspace at run time.
//!
//! The first test runs one shared binary (this build's, copied into a shared target
//! directory) as `cargo run` runs it in each checkout (working directory and run-time
//! `CARGO_MANIFEST_DIR` of that checkout). The second, ignored because it builds xtask from
//! scratch in a target directory of its own (minutes on two cores), drives real `cargo xtask
//! regen` in both checkouts:
//! `cargo test -p xtask --test checkouts -- --ignored`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace this test belongs to.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Copies the file or directory `from` to `to`, skipping `target` directories.
fn copy_tree(from: &Path, to: &Path) {
    xtask::scratch::copy_tree(from, to).unwrap_or_else(|e| panic!("copying {}: {e}", from.display()));
}

/// A checkout holding what `regen` reads and writes (the workspace manifest, the spec, the
/// generated crate) and, with `sources`, what cargo needs to build xtask in it; its spec says
/// `info.version: VERSION`, so that each checkout generates distinct files.
fn checkout(dir: &Path, version: &str, sources: bool) -> PathBuf {
    let root = root();
    std::fs::create_dir_all(dir.join("openapi")).unwrap();
    let manifest: String = std::fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with("default-members"))
        .map(|line| if line.starts_with("members = ") { r#"members = ["xtask"]"#.to_owned() } else { line.to_owned() })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    let mut spec =
        xtask::spec::parse_yaml(&std::fs::read_to_string(root.join("openapi/venice.yaml")).unwrap()).unwrap();
    spec["info"]["version"] = version.into();
    std::fs::write(dir.join("openapi/venice.yaml"), serde_json::to_string(&spec).unwrap()).unwrap();
    copy_tree(&root.join("venice-api-gen"), &dir.join("venice-api-gen"));
    if sources {
        for part in ["Cargo.lock", ".cargo", "xtask"] {
            copy_tree(&root.join(part), &dir.join(part));
        }
    } else {
        std::fs::create_dir_all(dir.join("xtask")).unwrap();
    }
    dir.to_path_buf()
}

fn generated(checkout: &Path) -> String {
    std::fs::read_to_string(checkout.join("venice-api-gen/src/generated.rs")).unwrap()
}

fn assert_success(output: &Output) {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn one_shared_binary_run_in_the_second_checkout_writes_only_the_second_checkouts_files() {
    let scratch = tempfile::tempdir().unwrap();
    let first = checkout(&scratch.path().join("first"), "1.0.0-first", false);
    let second = checkout(&scratch.path().join("second"), "2.0.0-second", false);
    let shared_target = scratch.path().join("shared-target/debug");
    std::fs::create_dir_all(&shared_target).unwrap();
    let binary = shared_target.join("xtask");
    std::fs::copy(env!("CARGO_BIN_EXE_xtask"), &binary).unwrap();
    // What `cargo xtask regen` does in a checkout once the shared binary is fresh.
    let run_in = |checkout: &Path| {
        Command::new(&binary)
            .arg("regen")
            .current_dir(checkout)
            .env("CARGO_MANIFEST_DIR", checkout.join("xtask"))
            .output()
            .unwrap()
    };

    assert_success(&run_in(&first));
    let first_before = generated(&first);
    assert!(first_before.contains("// spec info.version: 1.0.0-first"));

    assert_success(&run_in(&second));
    assert!(
        generated(&second).contains("// spec info.version: 2.0.0-second"),
        "the second checkout's files are written"
    );
    assert_eq!(generated(&first), first_before, "the first checkout's files are untouched");
}

#[test]
#[ignore = "builds xtask from scratch in its own target directory (minutes); run with --ignored"]
fn cargo_xtask_regen_in_the_second_checkout_writes_only_the_second_checkouts_files() {
    let root = root();
    let scratch = root.join("target/two-checkouts");
    let _ = std::fs::remove_dir_all(scratch.join("first"));
    let _ = std::fs::remove_dir_all(scratch.join("second"));
    let first = checkout(&scratch.join("first"), "1.0.0-first", true);
    let second = checkout(&scratch.join("second"), "2.0.0-second", true);
    let cargo_xtask_regen = |checkout: &Path| {
        Command::new(env!("CARGO"))
            .args(["xtask", "regen"])
            .current_dir(checkout)
            .env("CARGO_TARGET_DIR", scratch.join("target"))
            .env_remove("CARGO_MANIFEST_DIR")
            .output()
            .unwrap()
    };

    assert_success(&cargo_xtask_regen(&first));
    let first_before = generated(&first);
    assert!(first_before.contains("// spec info.version: 1.0.0-first"));

    assert_success(&cargo_xtask_regen(&second));
    assert!(
        generated(&second).contains("// spec info.version: 2.0.0-second"),
        "the second checkout's files are written"
    );
    assert_eq!(generated(&first), first_before, "the first checkout's files are untouched");
}

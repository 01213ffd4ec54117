//! Support for the workspace-level tests in `tests/tests/`: where things are.

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The project's own spec.
pub fn own_spec() -> PathBuf {
    workspace_root().join("openapi/venice.yaml")
}

/// The spec Venice publishes, when `../shared` sits beside the project. When it does not,
/// prints why the calling test has nothing to check and returns `None`.
pub fn published_spec(test: &str) -> Option<PathBuf> {
    let path = workspace_root().join("../shared/venice-openapi/swagger.yaml");
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED {test}: {} is absent (it exists only beside a project checkout that has ../shared)",
            path.display()
        );
        None
    }
}

/// A file of `tests/fixtures/`.
pub fn fixture(relative: &str) -> String {
    let path = workspace_root().join("tests/fixtures").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

pub mod mutate;

//! Scratch copies of parts of a workspace, for the tests that build or regenerate one
//! elsewhere (the published-spec check, the update routine, two checkouts).

use std::path::Path;

/// Copies the file or directory `from` to `to` (creating `to`'s parents), leaving out
/// `target` directories (build output, never part of a checkout).
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_file() {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, to)?;
        return Ok(());
    }
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_name() != "target" {
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_is_copied_without_its_target_directories() {
        let from = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(from.path().join("src/target")).unwrap();
        std::fs::create_dir_all(from.path().join("target")).unwrap();
        std::fs::write(from.path().join("src/lib.rs"), "// lib").unwrap();
        std::fs::write(from.path().join("target/out"), "built").unwrap();
        let to = tempfile::tempdir().unwrap();

        copy_tree(from.path(), &to.path().join("copy")).unwrap();

        assert_eq!(std::fs::read_to_string(to.path().join("copy/src/lib.rs")).unwrap(), "// lib");
        assert!(!to.path().join("copy/target").exists());
        assert!(!to.path().join("copy/src/target").exists());
    }
}

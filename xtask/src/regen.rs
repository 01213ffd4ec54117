//! `cargo xtask regen`: write the generated crate, or check that it is up to date.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::generate::{self, HEADER_PREFIX, Output};
use crate::spec;

/// The workspace root of the checkout this run works on, found at run time.
///
/// Not `env!("CARGO_MANIFEST_DIR")`: that is fixed when xtask is compiled, and with a
/// target directory shared by two checkouts, `cargo xtask regen` in the second reused the
/// first's binary and overwrote the first checkout's generated files.
pub fn workspace_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    root_from(std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from), &cwd)
}

/// The workspace root given the run-time `CARGO_MANIFEST_DIR` (set by `cargo run` and
/// `cargo test` to the xtask crate's directory, so its parent) or, without it (the binary
/// run directly), the nearest ancestor of `cwd` whose `Cargo.toml` declares `[workspace]`,
/// else `cwd` itself.
pub fn root_from(manifest_dir: Option<PathBuf>, cwd: &Path) -> PathBuf {
    if let Some(root) = manifest_dir.as_deref().and_then(Path::parent) {
        return root.to_path_buf();
    }
    cwd.ancestors()
        .find(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml"))
                .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
        })
        .unwrap_or(cwd)
        .to_path_buf()
}

/// Default spec, relative to the workspace root.
pub const DEFAULT_SPEC: &str = "openapi/venice.yaml";
/// Default output directory, relative to the workspace root.
pub const DEFAULT_OUT: &str = "venice-api-gen/src";

/// What `regen` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The spec to read.
    pub spec: PathBuf,
    /// The directory the generated files go to.
    pub out: PathBuf,
    /// Compare instead of writing.
    pub check: bool,
}

/// Runs `regen` and returns the one-line summary (plus one line per excluded operation).
pub fn run(options: &Options) -> Result<String> {
    let started = Instant::now();
    let display = display_path(&options.spec);
    let spec = spec::read(&options.spec, &display)?;
    let output = generate::generate(&spec)?;
    check_declared_features(&output, &options.out)?;
    let changelog = changelog_against_checked_in(&output, &options.out)?;
    if options.check {
        check(&output, &options.out)?;
    } else {
        write(&output, &options.out)?;
    }
    let summary = summary(&output, &options.out, options.check, started.elapsed().as_secs_f64());
    Ok(match changelog {
        Some(changelog) => format!("{summary}\n{changelog}"),
        None => summary,
    })
}

/// The generated `generated.rs` of `output`.
pub fn generated_source(output: &Output) -> &str {
    output.files.iter().find(|(name, _)| name == "generated.rs").map(|(_, text)| text.as_str()).unwrap_or("")
}

/// The workspace's release version (`version` under `[workspace.package]`), for the bump.
pub fn workspace_version() -> String {
    let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap_or_default();
    manifest
        .lines()
        .find_map(|line| line.strip_prefix("version = \""))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("0.0.0")
        .to_string()
}

/// The API changelog from the checked-in `generated.rs` in `out` to `output`; `None` when
/// nothing is checked in yet or the surface is unchanged.
fn changelog_against_checked_in(output: &Output, out: &Path) -> Result<Option<String>> {
    let Ok(old) = std::fs::read_to_string(out.join("generated.rs")) else { return Ok(None) };
    let changes = crate::changelog::compare(
        &crate::surface::describe(&old)?,
        &crate::surface::describe(generated_source(output))?,
    );
    if changes.is_empty() {
        return Ok(None);
    }
    Ok(Some(crate::changelog::render(&changes, &workspace_version())))
}

/// `cargo xtask diff OLD NEW`: the API changelog between the code two specs generate.
pub fn diff(old: &Path, new: &Path) -> Result<String> {
    let surface_of = |path: &Path| -> Result<String> {
        let spec = spec::read(path, &display_path(path))?;
        let output = generate::generate(&spec)?;
        crate::surface::describe(generated_source(&output))
    };
    let changes = crate::changelog::compare(&surface_of(old)?, &surface_of(new)?);
    Ok(crate::changelog::render(&changes, &workspace_version()))
}

fn summary(output: &Output, out: &Path, check: bool, seconds: f64) -> String {
    let excluded: Vec<String> = output
        .report
        .exclusions()
        .map(|e| format!("\n  excluded {} ({}): {}", e.operation, e.route, e.reason))
        .collect();
    format!(
        "regen{}: {} operations, {} types, {} normalizations, {} operations excluded, {} lines {} {} in {seconds:.2}s{}",
        if check { " --check" } else { "" },
        output.operations,
        output.types,
        output.report.change_count(),
        excluded.len(),
        output.lines(),
        if check { "match" } else { "written to" },
        display_path(out),
        excluded.concat()
    )
}

/// The generated code names one cargo feature per tag; the crate's hand-written manifest
/// (beside the output directory) must declare each, or the crate would not build.
fn check_declared_features(output: &Output, out: &Path) -> Result<()> {
    let manifest = out.parent().map(|dir| dir.join("Cargo.toml")).filter(|m| m.is_file());
    let Some(manifest) = manifest else { return Ok(()) };
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", display_path(&manifest))))?;
    let declared = crate::features::declared_features(&text);
    let missing: Vec<&str> = output.features.iter().filter(|f| !declared.contains(*f)).map(String::as_str).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::new(format!(
        "{} lacks the features {} that the spec's tags give the generated code; add each under [features] \
         (as `name = []`, and to `full`)",
        display_path(&manifest),
        missing.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
    )))
}

/// `path` relative to the workspace root when it is inside it, as written in headers.
pub fn display_path(path: &Path) -> String {
    let root = workspace_root();
    let absolute =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    let clean = absolute.canonicalize().unwrap_or(absolute);
    let root = root.canonicalize().unwrap_or(root);
    match clean.strip_prefix(&root) {
        Ok(inside) => inside.to_string_lossy().replace('\\', "/"),
        Err(_) => match root.parent().and_then(|parent| clean.strip_prefix(parent).ok()) {
            Some(beside) => format!("../{}", beside.to_string_lossy().replace('\\', "/")),
            None => clean.to_string_lossy().into_owned(),
        },
    }
}

/// Generated files already in `out`: those whose first line carries the generated header.
fn existing_generated(out: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(out) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .filter(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.starts_with(HEADER_PREFIX)))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn write(output: &Output, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::new(format!("cannot create {}: {e}", out.display())))?;
    for (name, text) in &output.files {
        let path = out.join(name);
        if std::fs::read_to_string(&path).is_ok_and(|old| old == *text) {
            continue;
        }
        std::fs::write(&path, text).map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
    }
    for stale in existing_generated(out) {
        if !output.files.iter().any(|(name, _)| *name == stale) {
            let path = out.join(&stale);
            std::fs::remove_file(&path).map_err(|e| Error::new(format!("cannot remove {}: {e}", path.display())))?;
        }
    }
    Ok(())
}

fn check(output: &Output, out: &Path) -> Result<()> {
    let mut problems = Vec::new();
    for (name, text) in &output.files {
        let path = out.join(name);
        match std::fs::read_to_string(&path) {
            Ok(old) if old == *text => {}
            Ok(old) => problems.push(format!(
                "{} differs from what the spec generates:\n{}",
                path.display(),
                short_diff(&old, text)
            )),
            Err(_) => problems.push(format!("{} is missing", path.display())),
        }
    }
    for stale in existing_generated(out) {
        if !output.files.iter().any(|(name, _)| *name == stale) {
            problems.push(format!("{} is generated but the spec no longer produces it", out.join(stale).display()));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "generated code is out of date; run `cargo xtask regen` and commit the result\n{}",
            problems.join("\n")
        )))
    }
}

/// A unified diff of at most 40 lines, checked-in code first.
fn short_diff(old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff.unified_diff().context_radius(2).header("checked in", "generated").to_string();
    let lines: Vec<&str> = text.lines().collect();
    let mut shown = lines.iter().take(40).copied().collect::<Vec<_>>().join("\n");
    if lines.len() > 40 {
        shown.push_str(&format!("\n... ({} more diff lines)", lines.len() - 40));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_parent_of_the_run_time_manifest_dir() {
        let second_checkout = Path::new("/elsewhere/second-checkout");
        let root = root_from(Some(second_checkout.join("xtask")), Path::new("/first-checkout"));
        assert_eq!(root, second_checkout);
    }

    #[test]
    fn without_cargo_the_root_is_the_nearest_workspace_above_the_current_directory() {
        let checkout = tempfile::tempdir().unwrap();
        std::fs::write(checkout.path().join("Cargo.toml"), "[workspace]\nmembers = [\"xtask\"]\n").unwrap();
        let inside = checkout.path().join("xtask").join("src");
        std::fs::create_dir_all(&inside).unwrap();
        std::fs::write(checkout.path().join("xtask").join("Cargo.toml"), "[package]\nname = \"xtask\"\n").unwrap();
        assert_eq!(root_from(None, &inside), checkout.path());
    }

    #[test]
    fn two_checkouts_sharing_one_binary_each_find_their_own_root() {
        let first = tempfile::tempdir().unwrap();
        let second = tempfile::tempdir().unwrap();
        for checkout in [&first, &second] {
            std::fs::write(checkout.path().join("Cargo.toml"), "[workspace]\n").unwrap();
        }
        assert_eq!(root_from(None, second.path()), second.path());
        assert_eq!(root_from(Some(second.path().join("xtask")), first.path()), second.path());
    }
}

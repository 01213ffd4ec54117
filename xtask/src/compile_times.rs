//! `cargo xtask compile-times`: how long `venice-api` takes to compile, per feature set,
//! against `async-openai` with its `full` feature, built in the same run on the same machine.
//!
//! What is timed is each SDK's own crates, with their third-party dependencies already
//! built: `venice-api-gen` + `venice-api` on one side, `async-openai` (plus an empty probe
//! crate that depends on it) on the other. Both SDKs sit on the same kind of stack (reqwest,
//! rustls, tokio, serde), which a user compiles once whichever SDK they pick; what differs,
//! and what a user pays again on every clean build of their project, is the SDK itself.
//! Each build runs in its own target directory under `target/compile-times/`, so the
//! workspace's own `target/` is never cleaned, and without incremental compilation, as cargo
//! builds any dependency. Runs are repeated and the fastest kept.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::regen::workspace_root;

/// The async-openai release measured against, pinned so runs compare like with like.
pub const ASYNC_OPENAI: &str = "0.43.0";

/// The feature sets of `venice-api` that are measured, by label.
pub const FEATURE_SETS: &[(&str, Option<&str>)] =
    &[("full", Some("full")), ("default", None), ("api-keys only", Some("api-keys"))];

/// One measured build.
#[derive(Debug, Clone)]
pub struct Timing {
    /// What was built.
    pub label: String,
    /// The fastest of the runs.
    pub best: Duration,
}

/// Measures every feature set and async-openai, `runs` times each; returns the report.
pub fn run(runs: usize) -> Result<String> {
    let root = workspace_root();
    let scratch = root.join("target/compile-times");
    let ours = scratch.join("venice");
    let mut timings = Vec::new();
    for (label, features) in FEATURE_SETS {
        let mut args = vec!["build", "--quiet", "--package", "venice-api"];
        if let Some(features) = features {
            args.extend(["--no-default-features", "--features", features]);
        }
        // Warm the dependencies once, then time the two crates of ours from clean.
        cargo(&root, &ours, &args)?;
        let best = best_of(runs, || {
            cargo(&root, &ours, &["clean", "--quiet", "--package", "venice-api", "--package", "venice-api-gen"])?;
            timed(|| cargo(&root, &ours, &args))
        })?;
        timings.push(Timing { label: format!("venice-api ({label})"), best });
    }
    let probe = async_openai_probe(&scratch)?;
    let theirs = scratch.join("async-openai-target");
    cargo(&probe, &theirs, &["build", "--quiet"])?;
    let best = best_of(runs, || {
        cargo(&probe, &theirs, &["clean", "--quiet", "--package", "async-openai", "--package", "async-openai-probe"])?;
        timed(|| cargo(&probe, &theirs, &["build", "--quiet"]))
    })?;
    let baseline = Timing { label: format!("async-openai {ASYNC_OPENAI} (full)"), best };
    Ok(report(&timings, &baseline, generated_lines(&root)))
}

fn report(timings: &[Timing], baseline: &Timing, generated_lines: usize) -> String {
    let mut out = format!(
        "clean debug build of each SDK's own crates (dependencies prebuilt), fastest run\n\
         venice-api-gen/src: {generated_lines} generated lines\n\n"
    );
    for timing in timings.iter().chain(std::iter::once(baseline)) {
        let ratio = timing.best.as_secs_f64() / baseline.best.as_secs_f64();
        out +=
            &format!("{:<34} {:>7.2} s   {:>5.2}x async-openai full\n", timing.label, timing.best.as_secs_f64(), ratio);
    }
    out
}

fn generated_lines(root: &Path) -> usize {
    ["generated.rs", "operations.rs"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(root.join("venice-api-gen/src").join(f)).ok())
        .map(|text| text.lines().count())
        .sum()
}

/// A crate that depends on async-openai with `full`, in its own workspace.
fn async_openai_probe(scratch: &Path) -> Result<PathBuf> {
    let probe = scratch.join("async-openai-probe");
    std::fs::create_dir_all(probe.join("src")).map_err(|e| Error::new(format!("{}: {e}", probe.display())))?;
    let manifest = format!(
        "[package]\nname = \"async-openai-probe\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nasync-openai = {{ version = \"={ASYNC_OPENAI}\", features = [\"full\"] }}\n\n[workspace]\n"
    );
    std::fs::write(probe.join("Cargo.toml"), manifest).map_err(|e| Error::new(e.to_string()))?;
    std::fs::write(probe.join("src/lib.rs"), "pub use async_openai;\n").map_err(|e| Error::new(e.to_string()))?;
    Ok(probe)
}

fn cargo(dir: &Path, target_dir: &Path, args: &[&str]) -> Result<()> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        // A user builds an SDK as a dependency, which cargo never compiles incrementally;
        // workspace members would be, and the incremental cache slows a clean build.
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS")
        .status()
        .map_err(|e| Error::new(format!("cannot run cargo: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::new(format!("`cargo {}` in {} failed ({status})", args.join(" "), dir.display())))
    }
}

fn timed(f: impl FnOnce() -> Result<()>) -> Result<Duration> {
    let started = Instant::now();
    f()?;
    Ok(started.elapsed())
}

fn best_of(runs: usize, mut f: impl FnMut() -> Result<Duration>) -> Result<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..runs.max(1) {
        best = best.min(f()?);
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_gives_each_ratio_against_async_openai() {
        let timings = vec![
            Timing { label: "venice-api (full)".into(), best: Duration::from_secs(10) },
            Timing { label: "venice-api (api-keys only)".into(), best: Duration::from_secs(2) },
        ];
        let baseline = Timing { label: "async-openai".into(), best: Duration::from_secs(40) };
        let text = report(&timings, &baseline, 123);
        assert!(text.contains("123 generated lines"));
        assert!(text.lines().any(|l| l.starts_with("venice-api (full)") && l.contains("0.25x")), "{text}");
        assert!(text.lines().any(|l| l.starts_with("venice-api (api-keys only)") && l.contains("0.05x")), "{text}");
        assert!(text.lines().any(|l| l.starts_with("async-openai") && l.contains("1.00x")), "{text}");
    }
}

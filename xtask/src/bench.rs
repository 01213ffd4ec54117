//! `cargo xtask bench`: runs venice-api's benchmarks and prints each figure as a ratio
//! against its baseline, all measured in the same run on the same machine.
//!
//! - `overhead` (criterion): list API keys and a chat completion through venice-api, bare
//!   reqwest + serde_json and async-openai (and venice-api through a `with_options` view);
//!   chunks per second of a long streamed chat.
//! - `download`: a large binary answer streamed to a sink; throughput and peak memory.
//! - `e2ee` (criterion): a 1,000-chunk answer through an end-to-end encrypted session against
//!   the same answer streamed plain, per chunk; and a 100 kB prompt sent encrypted and plain.
//! - `instructions`: chat completions under callgrind, instructions per request for each client
//!   (steadier than times on a loaded machine); skipped when valgrind is absent.
//! - regeneration: `cargo xtask regen --check` on the checked-in spec, warm, fastest of three.
//! - with `--compile-times`, the clean-build ratios of [`compile_times`](crate::compile_times).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::regen::workspace_root;

/// A target the figure is held to.
struct Target {
    figure: String,
    value: f64,
    goal: String,
    met: bool,
}

/// Runs the benchmarks and returns the table of ratios.
pub fn run(with_compile_times: bool) -> Result<String> {
    let root = workspace_root();
    cargo(
        &root,
        &["bench", "--package", "venice-api", "--features", "full", "--bench", "overhead", "--", "--noplot"],
        &[],
    )?;
    cargo(
        &root,
        &["bench", "--package", "venice-api", "--features", "full", "--bench", "e2ee", "--", "--noplot"],
        &[],
    )?;
    let download =
        cargo_output(&root, &["bench", "--package", "venice-api", "--features", "full", "--bench", "download"])?;
    let regen = regen_seconds(&root)?;
    let instructions = instructions_per_request(&root)?;

    let criterion = root.join("target/criterion");
    let mean = |group: &str, client: &str| mean_seconds(&criterion.join(group).join("client").join(client));
    let mut targets = Vec::new();
    let mut lines = Vec::new();

    for group in ["list_api_keys", "chat_completion"] {
        let ours = mean(group, "venice-api")?;
        let bare = mean(group, "reqwest")?;
        let with_options = mean(group, "venice-api+options")?;
        lines.push(format!(
            "{group}: venice-api {:.1} µs (with request options {:.1} µs), reqwest {:.1} µs",
            ours * 1e6,
            with_options * 1e6,
            bare * 1e6
        ));
        targets.push(ratio_at_most(format!("{group} venice-api / reqwest"), ours / bare, 1.05));
        targets.push(ratio_at_most(format!("{group} venice-api with options / reqwest"), with_options / bare, 1.05));
        if group == "chat_completion" {
            let openai = mean(group, "async-openai")?;
            lines.push(format!("{group}: async-openai {:.1} µs", openai * 1e6));
            targets.push(ratio_at_most(format!("{group} venice-api / async-openai"), ours / openai, 1.0));
        }
    }
    match &instructions {
        Some(per_request) => {
            let of = |client: &str| per_request.iter().find(|(c, _)| c == client).map_or(f64::NAN, |(_, n)| *n);
            let (ours, bare, openai) = (of("venice-api"), of("reqwest"), of("async-openai"));
            let (with_options, keys, keys_with_options, keys_bare) =
                (of("venice-api+options"), of("keys:venice-api"), of("keys:venice-api+options"), of("keys:reqwest"));
            lines.push(format!(
                "chat_completion instructions per request (callgrind): venice-api {ours:.0} (with request options {with_options:.0}), reqwest {bare:.0}, async-openai {openai:.0}"
            ));
            lines.push(format!(
                "list_api_keys instructions per request (callgrind): venice-api {keys:.0} (with request options {keys_with_options:.0}), reqwest {keys_bare:.0}"
            ));
            targets.push(ratio_at_most(
                "list_api_keys instructions venice-api / reqwest".into(),
                keys / keys_bare,
                1.05,
            ));
            targets.push(ratio_at_most("chat_completion instructions venice-api / reqwest".into(), ours / bare, 1.05));
            targets.push(ratio_at_most(
                "chat_completion instructions venice-api / async-openai".into(),
                ours / openai,
                1.0,
            ));
        }
        None => lines.push("chat_completion instructions: valgrind is not installed, not measured".into()),
    }
    let ours = mean("chat_stream", "venice-api")?;
    let openai = mean("chat_stream", "async-openai")?;
    lines.push(format!("chat_stream: venice-api {:.2} ms, async-openai {:.2} ms per stream", ours * 1e3, openai * 1e3));
    targets.push(Target {
        figure: "chat_stream chunks/s venice-api / async-openai".into(),
        value: openai / ours,
        goal: ">= 1.00".into(),
        met: openai / ours >= 1.0,
    });

    // The E2EE answer: the same 1,000 content chunks (and a usage chunk) as the plain stream.
    const E2EE_CHUNKS: f64 = 1_001.0;
    let plain = mean("e2ee_stream", "plain")?;
    let e2ee = mean("e2ee_stream", "e2ee")?;
    let one_key = mean("e2ee_stream", "e2ee-one-sender-key")?;
    lines.push(format!(
        "e2ee_stream per chunk: plain {:.2} µs, e2ee {:.2} µs, e2ee with one sender key {:.2} µs",
        plain / E2EE_CHUNKS * 1e6,
        e2ee / E2EE_CHUNKS * 1e6,
        one_key / E2EE_CHUNKS * 1e6
    ));
    targets.push(ratio_at_most("e2ee_stream per chunk e2ee / plain".into(), e2ee / plain, 1.5));
    targets.push(Target {
        figure: "e2ee_stream per chunk, one sender key / plain".into(),
        value: one_key / plain,
        goal: "reported".into(),
        met: true,
    });
    let plain = mean("e2ee_prompt", "plain")?;
    let e2ee = mean("e2ee_prompt", "e2ee")?;
    lines.push(format!(
        "e2ee_prompt 100 kB: plain {:.1} µs, e2ee {:.1} µs (encryption and the doubled body: +{:.1} µs)",
        plain * 1e6,
        e2ee * 1e6,
        (e2ee - plain) * 1e6
    ));
    targets.push(Target {
        figure: "e2ee_prompt 100 kB e2ee / plain".into(),
        value: e2ee / plain,
        goal: "reported".into(),
        met: true,
    });

    let downloads = parse_downloads(&download);
    if let (Some(ours), Some(bare)) =
        (downloads.iter().find(|d| d.0 == "venice-api"), downloads.iter().find(|d| d.0 == "reqwest"))
    {
        lines.push(format!(
            "download {} MiB: venice-api {:.0} MiB/s (peak RSS +{:.1} MiB), reqwest {:.0} MiB/s (+{:.1} MiB)",
            ours.1 / (1 << 20),
            ours.2,
            ours.3 as f64 / f64::from(1 << 20),
            bare.2,
            bare.3 as f64 / f64::from(1 << 20)
        ));
        targets.push(Target {
            figure: "download peak RSS growth (MiB)".into(),
            value: ours.3 as f64 / f64::from(1 << 20),
            goal: "< 32".into(),
            met: ours.3 < 32 << 20,
        });
        targets.push(Target {
            figure: "download throughput venice-api / reqwest".into(),
            value: ours.2 / bare.2,
            goal: "reported".into(),
            met: true,
        });
    } else {
        return Err(Error::new(format!("the download bench printed no figures:\n{download}")));
    }
    targets.push(Target {
        figure: "cargo xtask regen --check, warm (s)".into(),
        value: regen.as_secs_f64(),
        goal: "<= 1.00".into(),
        met: regen <= Duration::from_secs(1),
    });

    let mut out = lines.join("\n") + "\n\n";
    for target in &targets {
        out += &format!(
            "{:<52} {:>8.3}   target {:<9} {}\n",
            target.figure,
            target.value,
            target.goal,
            if target.met { "met" } else { "MISSED" }
        );
    }
    if with_compile_times {
        out += "\n";
        out += &crate::compile_times::run(1)?;
    }
    Ok(out)
}

fn ratio_at_most(figure: String, value: f64, limit: f64) -> Target {
    Target { figure, value, goal: format!("<= {limit:.2}"), met: value <= limit }
}

/// Criterion's mean estimate for one benchmark, in seconds.
fn mean_seconds(dir: &Path) -> Result<f64> {
    let path = dir.join("new/estimates.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    let estimates: Value = serde_json::from_str(&text).map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    estimates
        .pointer("/mean/point_estimate")
        .and_then(Value::as_f64)
        .map(|ns| ns / 1e9)
        .ok_or_else(|| Error::new(format!("{}: no mean estimate", path.display())))
}

/// `(client, bytes, MiB/s, peak RSS growth)` per `download` line of the download bench.
fn parse_downloads(output: &str) -> Vec<(String, u64, f64, u64)> {
    output
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                ["download", client, bytes, _seconds, rate, growth] => {
                    Some(((*client).to_owned(), bytes.parse().ok()?, rate.parse().ok()?, growth.parse().ok()?))
                }
                _ => None,
            }
        })
        .collect()
}

/// Requests whose instructions are counted, beyond a first run that pays for start-up.
const COUNTED_REQUESTS: u64 = 100;

/// Instructions per request (chat completions; `keys:` clients list API keys) for each client
/// of the `instructions` bench, from two
/// callgrind runs (20 and 20 + [`COUNTED_REQUESTS`] requests) whose difference leaves out
/// start-up; `None` when valgrind is not installed.
fn instructions_per_request(root: &Path) -> Result<Option<Vec<(String, f64)>>> {
    if Command::new("valgrind").arg("--version").output().is_err() {
        return Ok(None);
    }
    let built = cargo_output(
        root,
        &[
            "bench",
            "--package",
            "venice-api",
            "--features",
            "full",
            "--bench",
            "instructions",
            "--no-run",
            "--message-format",
            "json",
        ],
    )?;
    let executable = built
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message.pointer("/target/name").and_then(Value::as_str) == Some("instructions"))
        .find_map(|message| message.get("executable").and_then(Value::as_str).map(str::to_owned))
        .ok_or_else(|| Error::new("cargo built no `instructions` bench executable"))?;
    let scratch = std::env::temp_dir().join(format!("venice-rs-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| Error::new(format!("{}: {e}", scratch.display())))?;
    let mut figures = Vec::new();
    for client in [
        "venice-api",
        "venice-api+options",
        "reqwest",
        "async-openai",
        "keys:venice-api",
        "keys:venice-api+options",
        "keys:reqwest",
    ] {
        let mut totals = Vec::new();
        for requests in [20, 20 + COUNTED_REQUESTS] {
            let out = scratch.join(format!("{client}.{requests}"));
            let status = Command::new("valgrind")
                .args(["--tool=callgrind", "--quiet"])
                .arg(format!("--callgrind-out-file={}", out.display()))
                .args([executable.as_str(), client, &requests.to_string()])
                .status()
                .map_err(|e| Error::new(format!("cannot run valgrind: {e}")))?;
            if !status.success() {
                return Err(Error::new(format!("callgrind of {client} failed ({status})")));
            }
            let text = std::fs::read_to_string(&out).map_err(|e| Error::new(format!("{}: {e}", out.display())))?;
            totals.push(callgrind_total(&text).ok_or_else(|| Error::new(format!("{}: no summary", out.display())))?);
        }
        figures.push((client.to_owned(), totals[1].saturating_sub(totals[0]) as f64 / COUNTED_REQUESTS as f64));
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(Some(figures))
}

/// The instruction total of a callgrind output file (its `summary:` line).
fn callgrind_total(text: &str) -> Option<u64> {
    text.lines().find_map(|line| line.strip_prefix("summary:")).and_then(|n| n.trim().parse().ok())
}

/// The fastest of three warm `cargo xtask regen --check` runs, process start included.
fn regen_seconds(root: &Path) -> Result<Duration> {
    cargo(root, &["xtask", "regen", "--check"], &[])?;
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        cargo(root, &["xtask", "regen", "--check"], &[])?;
        best = best.min(started.elapsed());
    }
    Ok(best)
}

fn cargo(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .status()
        .map_err(|e| Error::new(format!("cannot run cargo: {e}")))?;
    if status.success() { Ok(()) } else { Err(Error::new(format!("`cargo {}` failed ({status})", args.join(" ")))) }
}

fn cargo_output(dir: &Path, args: &[&str]) -> Result<String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(dir)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| Error::new(format!("cannot run cargo: {e}")))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(Error::new(format!("`cargo {}` failed ({})", args.join(" "), output.status)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_lines_are_read_and_other_output_ignored() {
        let output = "running\ndownload venice-api 1073741824 1.500 682.7 5242880\ndownload reqwest 1073741824 1.400 731.4 4194304\n";
        let downloads = parse_downloads(output);
        assert_eq!(downloads.len(), 2);
        assert_eq!(downloads[0], ("venice-api".to_owned(), 1_073_741_824, 682.7, 5_242_880));
    }

    #[test]
    fn the_callgrind_total_is_its_summary_line() {
        let text = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 36933607\ntotals: 36933607\n";
        assert_eq!(callgrind_total(text), Some(36_933_607));
        assert_eq!(callgrind_total("events: Ir\n"), None);
    }

    #[test]
    fn a_ratio_above_its_limit_is_missed() {
        assert!(!ratio_at_most("x".into(), 1.06, 1.05).met);
        assert!(ratio_at_most("x".into(), 1.05, 1.05).met);
    }
}

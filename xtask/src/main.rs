//! `cargo xtask <task>`; see `cargo xtask help`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use xtask::regen::{self, DEFAULT_OUT, DEFAULT_SPEC, Options};

const USAGE: &str = "\
usage: cargo xtask regen [--spec PATH] [--out DIR] [--check]
       cargo xtask spec sync PUBLISHED [--spec PATH] [--out PATH] [--check]
       cargo xtask diff OLD NEW
       cargo xtask compile-times [--runs N]
       cargo xtask bench [--compile-times]

  regen          normalize the spec, generate the client with progenitor, write it
  --spec         the OpenAPI document to read (default: openapi/venice.yaml)
  --out          where the generated files go (default: venice-api-gen/src)
  --check        generate in memory and fail if the files in --out differ
                 (regen also prints the API changelog against the checked-in code)
  spec sync      give our spec (--spec, default openapi/venice.yaml) the facts of the
                 published document PUBLISHED, keeping our words; lists the items that
                 need a description; --out writes the result elsewhere (dry run);
                 --check fails with the list when our spec is behind, writing nothing
  diff           the API changelog (breaking/additive, semver bump) between two specs
  compile-times  time a clean build of venice-api per feature set against async-openai
                 (full), in the same run; --runs N keeps the fastest of N (default 1)
  bench          run venice-api's benchmarks against bare reqwest and async-openai and
                 print each figure as a ratio; --compile-times adds the compile-time ratios";

/// A task and its arguments.
enum Task {
    Regen(Options),
    Sync(xtask::sync::Options),
    Diff { old: PathBuf, new: PathBuf },
    CompileTimes { runs: usize },
    Bench { compile_times: bool },
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Ok(Some(task)) => match run(task) {
            Ok(summary) => {
                // A closed pipe (`| head`) is not worth a panic.
                let _ = writeln!(std::io::stdout(), "{summary}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
        Ok(None) => {
            let _ = writeln!(std::io::stdout(), "{USAGE}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(task: Task) -> xtask::Result<String> {
    match task {
        Task::Regen(options) => regen::run(&options),
        Task::Sync(options) => xtask::sync::run(&options),
        Task::Diff { old, new } => regen::diff(&old, &new),
        Task::CompileTimes { runs } => xtask::compile_times::run(runs),
        Task::Bench { compile_times } => xtask::bench::run(compile_times),
    }
}

fn parse(args: &[String]) -> Result<Option<Task>, String> {
    let Some((task, rest)) = args.split_first() else { return Ok(None) };
    match task.as_str() {
        "help" | "--help" | "-h" => return Ok(None),
        "regen" => {}
        "compile-times" => return parse_compile_times(rest),
        "spec" => return parse_sync(rest),
        "diff" => {
            return match rest {
                [old, new] => Ok(Some(Task::Diff { old: PathBuf::from(old), new: PathBuf::from(new) })),
                _ => Err("diff needs two spec files: OLD NEW".to_string()),
            };
        }
        "bench" => {
            return match rest.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                [] => Ok(Some(Task::Bench { compile_times: false })),
                ["--compile-times"] => Ok(Some(Task::Bench { compile_times: true })),
                ["--help" | "-h"] => Ok(None),
                other => Err(format!("unknown argument '{}'", other.join(" "))),
            };
        }
        other => return Err(format!("unknown task '{other}'")),
    }
    let root = regen::workspace_root();
    let mut options = Options { spec: root.join(DEFAULT_SPEC), out: root.join(DEFAULT_OUT), check: false };
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--check" => options.check = true,
            "--spec" => options.spec = PathBuf::from(rest.next().ok_or("--spec needs a path")?),
            "--out" => options.out = PathBuf::from(rest.next().ok_or("--out needs a directory")?),
            "--help" | "-h" => return Ok(None),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok(Some(Task::Regen(options)))
}

fn parse_compile_times(args: &[String]) -> Result<Option<Task>, String> {
    let mut runs = 1;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                let value = args.next().ok_or("--runs needs a number")?;
                runs = value.parse().map_err(|_| format!("--runs needs a number, not '{value}'"))?;
            }
            "--help" | "-h" => return Ok(None),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok(Some(Task::CompileTimes { runs }))
}

fn parse_sync(args: &[String]) -> Result<Option<Task>, String> {
    let Some((sub, args)) = args.split_first() else { return Err("spec needs a subcommand: sync".into()) };
    if sub != "sync" {
        return Err(format!("unknown spec subcommand '{sub}'"));
    }
    let root = regen::workspace_root();
    let mut options =
        xtask::sync::Options { ours: root.join(DEFAULT_SPEC), published: PathBuf::new(), check: false, out: None };
    let mut published = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => options.check = true,
            "--spec" => options.ours = PathBuf::from(args.next().ok_or("--spec needs a path")?),
            "--out" => options.out = Some(PathBuf::from(args.next().ok_or("--out needs a path")?)),
            "--help" | "-h" => return Ok(None),
            other if other.starts_with("--") => return Err(format!("unknown argument '{other}'")),
            other if published.is_none() => published = Some(PathBuf::from(other)),
            other => return Err(format!("unexpected argument '{other}'")),
        }
    }
    options.published = published.ok_or("spec sync needs the published document's path")?;
    Ok(Some(Task::Sync(options)))
}

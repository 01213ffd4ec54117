//! Mutation tests of the generator: hundreds of seeded random mutations of our spec and of
//! the one Venice publishes (deleted keys, values of the wrong type, dangling and misdirected
//! `$ref`s, reference rings, empty `paths`, duplicate operationIds, odd enums, names and
//! status codes...; see [`Kind`]) are each run through the whole generator in memory
//! ([`spec::from_document`] then [`generate::generate`], what `cargo xtask regen` runs
//! before writing files). Each must either generate, or fail with an error naming a spot
//! that exists in the document (see [`mutate::names_a_spot`]); a panic fails the test.
//!
//! Every mutation has its own seed, printed with it, so a failure reproduces:
//! `MUTATION_SEED=0x… cargo test -p venice-tests --test generator_mutations` runs the
//! mutation of that seed alone (name the test to run only its spec), and `MUTATION_COUNT=n`
//! runs `n` mutations in each test instead of the usual number; `MUTATION_VERBOSE=1` prints
//! every mutation with what the generator made of it. While a mutation runs,
//! `target/generator-mutations/<test>-<thread>.txt` names it, in case the process dies in a way no
//! test can catch (a stack overflow aborts).
//!
//! A mutation the generator accepts costs a whole generation (a quarter to half a second
//! each in the dev profile, whose generator crates are optimised), and the run is shared
//! among a thread per core. The default run does [`OWN_DEFAULT`] mutations of
//! `openapi/venice.yaml` and, when `../shared` exists, [`PUBLISHED_DEFAULT_PER_KIND`] of
//! every kind of the published spec (under a minute in all); the ignored tests
//! `published_spec_survives_240_mutations` and `own_spec_survives_240_more_mutations` go
//! wider, with other seeds (`cargo test -p venice-tests --test generator_mutations --
//! --ignored`, a few minutes).

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Once;
use std::time::{Duration, Instant};

use serde_json::Value;
use venice_tests::mutate::{self, Kind, Mutation};
use venice_tests::{own_spec, published_spec, workspace_root};
use xtask::{generate, spec};

/// The name mutated documents are given in messages.
const DISPLAY: &str = "mutant.yaml";

thread_local! {
    /// Set while this thread runs a mutation: panics are then recorded, not printed.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The last panic recorded on this thread while quiet, with its location.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs, once, a panic hook that records panics of threads running a mutation instead
/// of printing them, and leaves every other panic (a failing assertion) to the usual hook.
fn install_quiet_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET.with(|q| q.get()) {
                let payload = info.payload();
                let text = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "(no message)".to_string());
                let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{text}{at}")));
            } else {
                previous(info);
            }
        }));
    });
}

/// What the generator did with one mutated document.
enum Outcome {
    Generated,
    Refused(String),
    Panicked(String),
}

/// Runs the generator on `document` as `cargo xtask regen` does, catching any panic.
fn run_generator(document: Value) -> Outcome {
    install_quiet_panic_hook();
    LAST_PANIC.with(|p| p.borrow_mut().take());
    QUIET.with(|q| q.set(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        spec::from_document(document, DISPLAY).and_then(|spec| generate::generate(&spec))
    }));
    QUIET.with(|q| q.set(false));
    match outcome {
        Ok(Ok(_)) => Outcome::Generated,
        Ok(Err(error)) => Outcome::Refused(error.to_string()),
        // A panic on the generator's own thread reaches this one without the hook.
        Err(payload) => Outcome::Panicked(LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| {
            let text = payload.downcast_ref::<String>().cloned();
            text.or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
        })),
    }
}

/// The document after the normalization passes, where a message may name a hoisted schema.
fn normalized(document: &Value) -> Option<Value> {
    QUIET.with(|q| q.set(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let mut doc = document.clone();
        xtask::passes::normalize(&mut doc);
        doc
    }));
    QUIET.with(|q| q.set(false));
    outcome.ok()
}

/// Tallies of one run (or of one worker's share of it).
#[derive(Default)]
struct Tally {
    generated: usize,
    refused: usize,
    /// `(seed, what went wrong)`.
    failures: Vec<(u64, String)>,
    slowest: Option<(Duration, String)>,
    per_kind: Vec<(Kind, usize)>,
}

impl Tally {
    fn new() -> Self {
        Self { per_kind: Kind::ALL.iter().map(|k| (*k, 0)).collect(), ..Self::default() }
    }

    fn add(&mut self, other: Tally) {
        self.generated += other.generated;
        self.refused += other.refused;
        self.failures.extend(other.failures);
        if other.slowest.as_ref().is_some_and(|(t, _)| self.slowest.as_ref().is_none_or(|(mine, _)| t > mine)) {
            self.slowest = other.slowest;
        }
        for (kind, n) in other.per_kind {
            if let Some(entry) = self.per_kind.iter_mut().find(|(k, _)| *k == kind) {
                entry.1 += n;
            }
        }
    }
}

/// What a run reads from the environment.
struct Settings {
    only: Option<u64>,
    count: Option<u64>,
    verbose: bool,
}

impl Settings {
    fn from_env() -> Self {
        let only = std::env::var("MUTATION_SEED").ok().and_then(|s| {
            let s = s.trim();
            s.strip_prefix("0x").map_or_else(|| s.parse().ok(), |hex| u64::from_str_radix(hex, 16).ok())
        });
        let count = std::env::var("MUTATION_COUNT").ok().and_then(|n| n.parse().ok());
        Self { only, count, verbose: std::env::var_os("MUTATION_VERBOSE").is_some() }
    }
}

/// Runs `count` mutations of the spec at `path`, cycling through every kind, the `i`-th
/// with seed `base + i` (or only the mutation `MUTATION_SEED` names), shared among a
/// worker thread per core. Panics listing every mutation that made the generator panic or
/// fail without naming a spot.
fn mutation_run(test: &str, path: &Path, base: u64, count: u64) {
    let text = std::fs::read_to_string(path).unwrap();
    let original = spec::parse_yaml(&text).unwrap();
    let settings = Settings::from_env();
    let count = settings.count.unwrap_or(count);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4) as u64;
    let trace_dir = workspace_root().join("target/generator-mutations");
    let _ = std::fs::create_dir_all(&trace_dir);

    let started = Instant::now();
    let mut tally = Tally::new();
    std::thread::scope(|scope| {
        let shares: Vec<_> = (0..workers)
            .map(|worker| {
                let (original, settings) = (&original, &settings);
                let trace = trace_dir.join(format!("{test}-{worker}.txt"));
                scope.spawn(move || {
                    let seeds = (worker..count).step_by(workers as usize).map(|i| (i, base + i));
                    let share = run_share(original, seeds, settings, &trace);
                    let _ = std::fs::remove_file(&trace);
                    share
                })
            })
            .collect();
        for share in shares {
            tally.add(share.join().expect("a worker of the mutation run"));
        }
    });
    tally.failures.sort();
    let ran: usize = tally.per_kind.iter().map(|(_, n)| n).sum();
    println!(
        "{test}: {ran} mutations of {} in {:.1}s on {workers} threads: {} generated, {} refused naming the spot, \
         {} failures; slowest {}",
        path.display(),
        started.elapsed().as_secs_f64(),
        tally.generated,
        tally.refused,
        tally.failures.len(),
        tally.slowest.map(|(t, m)| format!("{:.2}s ({m})", t.as_secs_f64())).unwrap_or_default()
    );
    if settings.only.is_none() {
        let missing: Vec<String> =
            tally.per_kind.iter().filter(|(_, n)| *n == 0).map(|(k, _)| format!("{k:?}")).collect();
        assert!(missing.is_empty(), "{test}: kinds never exercised: {}", missing.join(", "));
    }
    let failures: Vec<String> = tally.failures.into_iter().map(|(_, failure)| failure).collect();
    assert!(
        failures.is_empty(),
        "{test}: {} of {ran} mutations broke the generator (rerun one with MUTATION_SEED=<seed>):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Runs the mutations `(index, seed)` one after the other; `trace` names the one running.
fn run_share(original: &Value, seeds: impl Iterator<Item = (u64, u64)>, settings: &Settings, trace: &Path) -> Tally {
    let mut tally = Tally::new();
    for (i, seed) in seeds {
        if settings.only.is_some_and(|s| s != seed) {
            continue;
        }
        let kind = Kind::ALL[(i % Kind::ALL.len() as u64) as usize];
        let mut document = original.clone();
        // A kind with nothing to change in this document moves on to the next seeds.
        let Some(mutation) = (0..8).find_map(|retry| mutate::mutate(&mut document, kind, seed + retry * 1_000_003))
        else {
            tally.failures.push((seed, format!("seed {seed:#x}, {kind:?}: found nothing to mutate")));
            continue;
        };
        let _ = std::fs::write(trace, format!("{mutation}\n"));
        let one = Instant::now();
        let outcome = run_generator(document.clone());
        let took = one.elapsed();
        if tally.slowest.as_ref().is_none_or(|(t, _)| took > *t) {
            tally.slowest = Some((took, mutation.to_string()));
        }
        if let Some(entry) = tally.per_kind.iter_mut().find(|(k, _)| *k == kind) {
            entry.1 += 1;
        }
        if settings.verbose {
            match &outcome {
                Outcome::Generated => println!("{mutation}\n    generated"),
                Outcome::Refused(message) => println!("{mutation}\n    refused: {message}"),
                Outcome::Panicked(message) => println!("{mutation}\n    PANICKED: {message}"),
            }
        }
        match outcome {
            Outcome::Generated => tally.generated += 1,
            Outcome::Refused(message) => {
                tally.refused += 1;
                if let Some(problem) = check_message(&message, &document, &mutation) {
                    tally.failures.push((seed, format!("{mutation}\n    error: {message}\n    but {problem}")));
                }
            }
            Outcome::Panicked(message) => {
                tally.failures.push((seed, format!("{mutation}\n    PANICKED: {message}")));
            }
        }
    }
    tally
}

/// Why `message` is not an acceptable error for `mutation` of `document`, if it is not.
fn check_message(message: &str, document: &Value, mutation: &Mutation) -> Option<String> {
    if let Some(expected) = &mutation.expect
        && !message.contains(expected.as_str())
    {
        return Some(format!("it does not mention {expected}"));
    }
    let located = mutate::names_a_spot(message, DISPLAY, &[document]);
    match located {
        Ok(()) => None,
        Err(first) => match normalized(document) {
            Some(after) if mutate::names_a_spot(message, DISPLAY, &[&after]).is_ok() => None,
            _ => Some(format!("it names no spot: {first}")),
        },
    }
}

/// Mutations of our spec in the default run.
const OWN_DEFAULT: u64 = 200;
/// Mutations per kind of the published spec in the default run.
const PUBLISHED_DEFAULT_PER_KIND: u64 = 2;

#[test]
fn own_spec_survives_200_mutations() {
    mutation_run("own_spec_survives_200_mutations", &own_spec(), 0x0057_0000, OWN_DEFAULT);
}

#[test]
fn published_spec_survives_every_kind_of_mutation() {
    let test = "published_spec_survives_every_kind_of_mutation";
    let Some(path) = published_spec(test) else { return };
    mutation_run(test, &path, 0x0b15_0000, PUBLISHED_DEFAULT_PER_KIND * Kind::ALL.len() as u64);
}

#[test]
#[ignore = "minutes: run with `cargo test -p venice-tests --test generator_mutations -- --ignored`"]
fn published_spec_survives_240_mutations() {
    let test = "published_spec_survives_240_mutations";
    let Some(path) = published_spec(test) else { return };
    mutation_run(test, &path, 0x1000_0000, 240);
}

#[test]
#[ignore = "minutes: run with `cargo test -p venice-tests --test generator_mutations -- --ignored`"]
fn own_spec_survives_240_more_mutations() {
    mutation_run("own_spec_survives_240_more_mutations", &own_spec(), 0x2000_0000, 240);
}

#[test]
fn names_a_spot_accepts_real_spots_only() {
    let doc = serde_json::json!({"paths": {"/a/{id}": {"get": {"responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": {"v1.Thing": {"type": "object"}}}});
    let ok = |m: &str| mutate::names_a_spot(m, DISPLAY, &[&doc]);
    ok("mutant.yaml: paths./a/{id}.get.responses.200: bad").unwrap();
    ok("mutant.yaml: components.schemas.v1.Thing.type: bad").unwrap();
    ok("mutant.yaml: components.schemas.v1.Thing.required: missing").unwrap();
    ok("mutant.yaml: operation getA (GET /a/{id}): progenitor panicked").unwrap();
    ok("mutant.yaml: openapi: missing version field").unwrap();
    ok("mutant.yaml: components.schemas.Gone.type: bad").unwrap_err();
    ok("mutant.yaml: operation getA (POST /a/{id}): bad").unwrap_err();
    ok("progenitor failed on the component schemas: bad").unwrap_err();
}

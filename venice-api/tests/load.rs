//! Many concurrent calls through one shared `Client` against a loopback server that fails 5%
//! of them with a 503 (deterministically: the first attempt of every 20th key id): every call
//! must succeed after its retry, and once the client is dropped no connection, task or memory
//! may be left behind.
//!
//! The quick variant runs with `cargo test -p venice-api`; the heavy one with
//! `cargo test -p venice-api --test load -- --ignored --nocapture`.

#![cfg(feature = "api-keys")]

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::API_KEY;
use common::scripted::{Reply, ScriptedServer};
use serde_json::json;
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;
use venice_api::Client;

/// What one round of load gave.
#[derive(Debug)]
struct Round {
    requests: usize,
    failures: usize,
    /// Requests the server saw beyond one per call.
    retries: usize,
    /// Connections the client opened.
    connections: usize,
    wall: Duration,
    /// Connections open and tasks alive once every call had returned, the client still alive:
    /// the pooled connections and their tasks (so the counts below measure something).
    open_pooled: usize,
    tasks_pooled: usize,
    /// How long the connections and tasks took to go once the client was dropped.
    settle: Duration,
    /// Connections still open on the server once the client was dropped.
    open_after: usize,
    /// Tasks alive in the runtime once the client was dropped.
    tasks_after: usize,
}

/// The resident set size of this process, in KiB.
fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4
}

/// The tests measure the whole process (RSS), so they run one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// `requests` calls, at most `concurrency` at a time, through one client; then the client is
/// dropped and the round waits (up to 10 s) for its connections and tasks to go away.
fn round(runtime: &Runtime, requests: usize, concurrency: usize) -> Round {
    // Each call asks for its own key id, so that the server can fail the first attempt of every
    // 20th call and let its retry through, whatever order the attempts arrive in.
    let body = common::fixture("getApiKeyById");
    let failed_once = Mutex::new(HashSet::new());
    let server = ScriptedServer::start_counting(move |request, _| {
        let id: usize = request.path.rsplit('-').next().and_then(|n| n.parse().ok()).expect("a numbered key id");
        if id % 20 == 19 && failed_once.lock().unwrap().insert(id) {
            Reply::json(503, &json!({"error": "injected failure"}))
        } else {
            Reply::json(200, &body)
        }
    });
    let baseline_tasks = runtime.metrics().num_alive_tasks();
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(server.base_url())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();

    let started = Instant::now();
    // A hang fails the test instead of blocking CI.
    let limit = Duration::from_secs(30 + requests as u64 / 200);
    let calls = async {
        let permits = Arc::new(Semaphore::new(concurrency));
        let mut calls = tokio::task::JoinSet::new();
        for n in 0..requests {
            let permit = permits.clone().acquire_owned().await.unwrap();
            let client = client.clone();
            calls.spawn(async move {
                let result = client.api_keys().get(&format!("key-{n}")).await;
                drop(permit);
                result.map(|key| key.status())
            });
        }
        let mut failures = 0;
        while let Some(joined) = calls.join_next().await {
            match joined.expect("no call panics") {
                Ok(200) => {}
                other => {
                    failures += 1;
                    eprintln!("failed call: {other:?}");
                }
            }
        }
        failures
    };
    let failures = runtime.block_on(async { tokio::time::timeout(limit, calls).await.expect("the load hung") });
    let wall = started.elapsed();
    let open_pooled = server.open_connections();
    let tasks_pooled = runtime.metrics().num_alive_tasks() - baseline_tasks;
    drop(client);

    // Give the connection tasks time to see their pool gone and close.
    let settled = Instant::now();
    while (server.open_connections() > 0 || runtime.metrics().num_alive_tasks() > baseline_tasks)
        && settled.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    Round {
        requests,
        failures,
        retries: server.served() - requests,
        connections: server.accepted(),
        wall,
        open_pooled,
        tasks_pooled,
        settle: settled.elapsed(),
        open_after: server.open_connections(),
        tasks_after: runtime.metrics().num_alive_tasks() - baseline_tasks,
    }
}

fn check(round: &Round, concurrency: usize) {
    assert_eq!(round.failures, 0, "{round:?}");
    assert_eq!(round.retries, round.requests / 20, "one retry per injected 503: {round:?}");
    // A connection is back in the pool a moment after its call returns, so a few more than
    // `concurrency` may be opened (and a retry may open one); far more would mean connections
    // are not reused.
    assert!(round.connections <= (round.requests + round.retries).min(2 * concurrency), "{round:?}");
    assert!(round.open_pooled > 0 && round.tasks_pooled > 0, "the pool kept nothing to measure: {round:?}");
    assert!(round.settle < Duration::from_secs(10), "the pool took too long to close: {round:?}");
    assert_eq!(round.open_after, 0, "connections left open after the client was dropped: {round:?}");
    assert_eq!(round.tasks_after, 0, "tasks left alive after the client was dropped: {round:?}");
}

#[test]
fn a_thousand_concurrent_calls_through_one_client_all_succeed_and_leave_nothing_behind() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let runtime = runtime();
    let rss_before = rss_kib();

    // Two rounds: the first brings the allocator and the runtime up to their working size, the
    // second shows whether anything grows from one round to the next.
    let first = round(&runtime, 1000, 1000);
    let rss_first = rss_kib();
    let second = round(&runtime, 1000, 1000);
    let rss_second = rss_kib();

    println!("round 1: {first:?}");
    println!("round 2: {second:?}");
    println!("RSS: {rss_before} KiB before, {rss_first} KiB after round 1, {rss_second} KiB after round 2");
    check(&first, 1000);
    check(&second, 1000);
    assert!(first.wall + second.wall < Duration::from_secs(20), "too slow: {first:?} {second:?}");
    assert!(rss_first - rss_before.min(rss_first) < 256 * 1024, "a round took over 256 MiB");
    assert!(
        rss_second.saturating_sub(rss_first) < 32 * 1024,
        "RSS grew by {} KiB from one round to the next",
        rss_second - rss_first
    );
}

/// 20,000 calls, 1,000 at a time. Run with
/// `cargo test -p venice-api --test load -- --ignored --nocapture` (about a minute in debug).
#[test]
#[ignore = "heavy: 20,000 calls; run with --ignored"]
fn twenty_thousand_calls_through_one_client_all_succeed_and_leave_nothing_behind() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let runtime = runtime();
    let rss_before = rss_kib();

    let heavy = round(&runtime, 20_000, 1000);
    let rss_after = rss_kib();

    println!("heavy: {heavy:?}");
    println!("RSS: {rss_before} KiB before, {rss_after} KiB after");
    check(&heavy, 1000);
    assert!(rss_after - rss_before.min(rss_after) < 512 * 1024, "the run took over 512 MiB");
}

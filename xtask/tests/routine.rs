//! The documented update routine on a synthetic evolution: `spec sync` -> descriptions ->
//! `regen` (with its changelog) -> `regen --check`, each step exiting as the README says.
//! It generates into a scratch directory and does not build the facade, to stay cheap.

use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("xtask runs")
}

const OURS: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\ntags: [{name: things, description: Our things.}]\npaths:\n  /things/{id}:\n    get:\n      operationId: getThing\n      tags: [things]\n      summary: Reads a thing.\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}\n  /old:\n    get:\n      operationId: getOld\n      tags: [things]\n      responses:\n        '200': {description: ok}\ncomponents:\n  schemas:\n    Thing: {type: object, required: [name], properties: {name: {type: string}, color: {type: string, enum: [red]}}}\n";

/// An operation added (under a new tag), one removed, a field renamed, an enum value added.
fn published() -> String {
    OURS.replace(
        "  /old:\n    get:\n      operationId: getOld\n      tags: [things]\n      responses:\n        '200': {description: ok}\n",
        "  /new:\n    get:\n      operationId: getNew\n      tags: [widgets]\n      summary: An upstream sentence.\n      responses:\n        '200': {description: ok}\n",
    )
    .replace("required: [name], properties: {name:", "required: [label], properties: {label:")
    .replace("enum: [red]", "enum: [red, blue]")
}

#[test]
fn the_update_routine_exits_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("venice.yaml");
    let upstream = dir.path().join("published.yaml");
    let out = dir.path().join("gen");
    std::fs::write(&ours, OURS).unwrap();
    std::fs::write(&upstream, published()).unwrap();
    let (ours_s, upstream_s, out_s) = (ours.to_str().unwrap(), upstream.to_str().unwrap(), out.to_str().unwrap());

    let first = xtask(&["regen", "--spec", ours_s, "--out", out_s]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));

    let behind = xtask(&["spec", "sync", upstream_s, "--spec", ours_s, "--check"]);
    assert_eq!(behind.status.code(), Some(1), "--check exits 1 while ours is behind");

    let sync = xtask(&["spec", "sync", upstream_s, "--spec", ours_s]);
    let listed = String::from_utf8_lossy(&sync.stdout);
    assert!(sync.status.success(), "{}", String::from_utf8_lossy(&sync.stderr));
    assert!(listed.contains("needs a description: paths./new.get"), "{listed}");

    let regen = xtask(&["regen", "--spec", ours_s, "--out", out_s]);
    let printed = String::from_utf8_lossy(&regen.stdout);
    assert!(regen.status.success(), "{}", String::from_utf8_lossy(&regen.stderr));
    assert!(printed.contains("changelog: "), "{printed}");
    assert!(printed.contains("breaking: operation get_old removed"), "{printed}");
    assert!(printed.contains("additive: operation get_new added"), "{printed}");

    let check = xtask(&["regen", "--spec", ours_s, "--out", out_s, "--check"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    assert!(xtask(&["spec", "sync", upstream_s, "--spec", ours_s, "--check"]).status.success());
}

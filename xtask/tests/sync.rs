//! `cargo xtask spec sync`: our spec takes the published facts and keeps our words.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("xtask runs")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn sync(ours: &Path, published: &Path, check: bool) -> Output {
    let mut args = vec!["spec", "sync", published.to_str().unwrap(), "--spec", ours.to_str().unwrap()];
    if check {
        args.push("--check");
    }
    xtask(&args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read(path: &Path) -> Value {
    xtask::spec::parse_yaml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Ours: two operations, a `Thing` with a `name` and a `color` enum, and an operation
/// Venice does not publish.
const OURS: &str = r#"openapi: 3.0.3
info: {title: Our title, version: '1'}
paths:
  /things:
    get:
      operationId: listThings
      summary: Lists our things in our words.
      responses:
        '200': {description: Our list answer, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
  /gone:
    get:
      operationId: getGone
      summary: Our words for an operation that goes away.
      responses:
        '200': {description: ok}
  /ours-only:
    get:
      operationId: getOursOnly
      x-venice-rs-added: true
      summary: Documented in a guide, not in the published document.
      responses:
        '200': {description: ok}
components:
  schemas:
    Thing:
      type: object
      description: A thing, as we put it.
      x-venice-rs-documented-answers: [a]
      required: [name]
      properties:
        name: {type: string, description: The name we describe.}
        color: {type: string, enum: [red, blue], description: Our color words.}
"#;

/// Published: `getGone` removed, `createThing` added, `name` renamed `title_text`, enum
/// value `green` added, and every description rewritten upstream.
const PUBLISHED: &str = r#"openapi: 3.0.0
info: {title: Published title, version: '2'}
paths:
  /things:
    get:
      operationId: listThings
      summary: Upstream sentence that lists all the things you own today.
      responses:
        '200': {description: Upstream answer sentence that must never be copied here, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
    post:
      operationId: createThing
      summary: Upstream sentence that creates a brand new thing for you now.
      responses:
        '200': {description: ok}
components:
  schemas:
    Thing:
      type: object
      description: Upstream sentence describing what a thing is in great detail.
      required: [title_text]
      properties:
        title_text: {type: string, description: Upstream sentence about the renamed field of a thing., example: Some example sentence with spaces}
        color: {type: string, enum: [red, blue, green], description: Upstream sentence about the color of a thing here., example: green}
"#;

fn fixture() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ours = write(dir.path(), "ours.yaml", OURS);
    let published = write(dir.path(), "published.yaml", PUBLISHED);
    (dir, ours, published)
}

#[test]
fn sync_takes_the_published_facts() {
    let (_dir, ours, published) = fixture();
    let output = sync(&ours, &published, false);
    assert!(output.status.success(), "{}", stderr(&output));
    let doc = read(&ours);
    assert!(doc.pointer("/paths/~1things/post").is_some(), "added operation");
    assert!(doc.pointer("/paths/~1gone").is_none(), "removed operation");
    assert!(doc.pointer("/components/schemas/Thing/properties/title_text").is_some(), "renamed field");
    assert!(doc.pointer("/components/schemas/Thing/properties/name").is_none(), "old field name");
    assert_eq!(doc.pointer("/components/schemas/Thing/required").unwrap(), &serde_json::json!(["title_text"]));
    assert_eq!(
        doc.pointer("/components/schemas/Thing/properties/color/enum").unwrap(),
        &serde_json::json!(["red", "blue", "green"])
    );
    assert_eq!(doc.pointer("/info/version").unwrap(), "2");
}

#[test]
fn sync_keeps_our_words_extensions_and_added_operations() {
    let (_dir, ours, published) = fixture();
    assert!(sync(&ours, &published, false).status.success());
    let doc = read(&ours);
    assert_eq!(doc.pointer("/paths/~1things/get/summary").unwrap(), "Lists our things in our words.");
    assert_eq!(doc.pointer("/components/schemas/Thing/description").unwrap(), "A thing, as we put it.");
    assert_eq!(doc.pointer("/components/schemas/Thing/properties/color/description").unwrap(), "Our color words.");
    assert!(doc.pointer("/components/schemas/Thing/x-venice-rs-documented-answers").is_some());
    assert!(doc.pointer("/paths/~1ours-only/get/x-venice-rs-added").is_some());
    assert_eq!(doc.pointer("/info/title").unwrap(), "Our title");
}

#[test]
fn sync_keeps_data_examples_and_drops_prose_examples() {
    let (_dir, ours, published) = fixture();
    assert!(sync(&ours, &published, false).status.success());
    let doc = read(&ours);
    assert_eq!(doc.pointer("/components/schemas/Thing/properties/color/example").unwrap(), "green");
    assert!(doc.pointer("/components/schemas/Thing/properties/title_text/example").is_none());
}

#[test]
fn sync_lists_what_changed_and_what_needs_a_description() {
    let (_dir, ours, published) = fixture();
    let output = sync(&ours, &published, false);
    let text = stdout(&output);
    assert!(
        text.starts_with("spec sync: 1 operations added, 1 removed, 1 schemas changed; 3 items need a description"),
        "{text}"
    );
    assert!(text.contains("added operation POST /things"), "{text}");
    assert!(text.contains("removed operation GET /gone"), "{text}");
    assert!(text.contains("changed schema Thing"), "{text}");
    assert!(text.contains("needs a description: paths./things.post"), "{text}");
    assert!(text.contains("needs a description: components.schemas.Thing.properties.title_text"), "{text}");
    assert!(text.contains("removed: paths./gone"), "{text}");
    assert!(text.contains("removed: components.schemas.Thing.properties.name"), "{text}");
}

/// Every run of eight words of a published prose string.
fn eight_word_runs(doc: &Value, out: &mut Vec<String>) {
    match doc {
        Value::Object(map) => {
            for (key, value) in map {
                if let (true, Value::String(text)) =
                    (["summary", "description", "title", "example"].contains(&key.as_str()), value)
                {
                    let words: Vec<&str> = text.split_whitespace().collect();
                    out.extend(words.windows(8.min(words.len().max(1))).filter(|w| w.len() >= 4).map(|w| w.join(" ")));
                }
                eight_word_runs(value, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| eight_word_runs(v, out)),
        _ => {}
    }
}

#[test]
fn no_published_sentence_reaches_our_spec() {
    let (_dir, ours, published) = fixture();
    assert!(sync(&ours, &published, false).status.success());
    let text = std::fs::read_to_string(&ours).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    let mut runs = Vec::new();
    eight_word_runs(&read(&published), &mut runs);
    assert!(!runs.is_empty());
    for run in runs {
        assert!(!text.contains(&run), "published words copied: {run}");
    }
}

#[test]
fn a_second_sync_changes_nothing() {
    let (_dir, ours, published) = fixture();
    assert!(sync(&ours, &published, false).status.success());
    let first = std::fs::read(&ours).unwrap();
    let output = sync(&ours, &published, false);
    assert!(output.status.success());
    assert!(stdout(&output).contains("(already in sync)"), "{}", stdout(&output));
    assert_eq!(std::fs::read(&ours).unwrap(), first);
    assert!(sync(&ours, &published, true).status.success(), "--check passes after a sync");
}

#[test]
fn check_fails_with_the_list_and_writes_nothing() {
    let (_dir, ours, published) = fixture();
    let output = sync(&ours, &published, true);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("added operation POST /things"), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&ours).unwrap(), OURS);
}

fn assert_rejected(published_text: &str, spot: &str) {
    let (dir, ours, _) = fixture();
    let published = write(dir.path(), "bad.yaml", published_text);
    let output = sync(&ours, &published, false);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains(spot), "stderr does not name {spot:?}: {}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"));
    assert_eq!(std::fs::read_to_string(&ours).unwrap(), OURS, "our spec untouched");
}

#[test]
fn a_swagger_2_document_is_rejected() {
    assert_rejected("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n", "bad.yaml");
}

#[test]
fn a_dangling_ref_is_rejected_naming_it() {
    assert_rejected(&PUBLISHED.replace("#/components/schemas/Thing'", "#/components/schemas/Nope'"), "Nope");
}

#[test]
fn a_duplicate_operation_id_is_rejected_naming_it() {
    assert_rejected(&PUBLISHED.replace("operationId: createThing", "operationId: listThings"), "listThings");
}

#[test]
fn tags_our_operations_use_stay_declared_when_the_published_list_omits_them() {
    let ours = serde_json::json!({
        "tags": [
            {"name": "Things", "description": "Our things.", "x-venice-rs-feature": "things"},
            {"name": "Gone", "description": "No operation uses this tag any more."},
        ],
        "paths": {"/a": {"get": {"operationId": "a", "tags": ["Things"], "responses": {}}}},
    });
    let published = serde_json::json!({
        "tags": [{"name": "Widgets", "description": "Upstream words."}],
        "paths": {"/a": {"get": {"operationId": "a", "tags": ["Things"], "responses": {}}}},
    });
    let (result, _) = xtask::sync::sync(&ours, &published);
    assert_eq!(
        result["tags"],
        serde_json::json!([
            {"name": "Widgets"},
            {"name": "Things", "description": "Our things.", "x-venice-rs-feature": "things"},
        ])
    );
}

#[test]
fn a_field_of_ours_marked_added_stays_while_its_object_exists() {
    let issues = serde_json::json!({"type": "array", "description": "Ours.", "x-venice-rs-added": true});
    let ours = serde_json::json!({"components": {"schemas": {
        "DetailedError": {"type": "object", "properties": {"error": {"type": "string"}, "issues": issues}},
        "Gone": {"type": "object", "properties": {"extra": {"type": "string", "x-venice-rs-added": true}}},
    }}});
    let published = serde_json::json!({"components": {"schemas": {
        "DetailedError": {"type": "object", "properties": {"error": {"type": "string"}}},
    }}});
    let (result, _) = xtask::sync::sync(&ours, &published);
    assert_eq!(result.pointer("/components/schemas/DetailedError/properties/issues"), Some(&issues));
    assert!(result.pointer("/components/schemas/Gone").is_none(), "an object Venice removed takes its fields along");
}

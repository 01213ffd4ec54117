//! The generated public surface and the normalization report, pinned as snapshots.
//! A spec change shows up here as a reviewable diff (`cargo insta review`).

use venice_tests::{own_spec, published_spec, workspace_root};
use xtask::passes::Detail;
use xtask::{changelog, generate, regen, spec, surface};

fn generate_from(path: &std::path::Path, display: &str) -> generate::Output {
    let spec = spec::read(path, display).expect("spec reads");
    generate::generate(&spec).expect("spec generates")
}

fn file<'a>(output: &'a generate::Output, name: &str) -> &'a str {
    &output.files.iter().find(|(n, _)| n == name).expect("generated file").1
}

#[test]
fn generated_surface_of_the_checked_in_crate() {
    let source = std::fs::read_to_string(workspace_root().join("venice-api-gen/src/generated.rs")).unwrap();
    insta::assert_snapshot!("generated_surface", surface::describe(&source).unwrap());
}

#[test]
fn api_changelog_since_the_baseline_surface() {
    // tests/api-baseline/surface.txt is the surface of the last release (see its README): a
    // PR that changes the generated code shows here what that means for users.
    let baseline = std::fs::read_to_string(workspace_root().join("tests/api-baseline/surface.txt")).unwrap();
    let source = std::fs::read_to_string(workspace_root().join("venice-api-gen/src/generated.rs")).unwrap();
    let changes = changelog::compare(&baseline, &surface::describe(&source).unwrap());
    insta::assert_snapshot!("api_changelog", changelog::render(&changes, &regen::workspace_version()));
}

#[test]
fn operation_table_of_the_checked_in_crate() {
    let table: Vec<String> = venice_api_gen::operations::OPERATIONS
        .iter()
        .map(|op| {
            let creates = if op.creates_resource { " creates-resource" } else { "" };
            let sent_by = if op.generated { "" } else { " facade-only" };
            format!("{} {} {} ({}) auth={:?}{creates}{sent_by}", op.method, op.path, op.id, op.operation_id, op.auth)
        })
        .collect();
    insta::assert_snapshot!("operation_table", table.join("\n"));
}

#[test]
fn normalization_report_of_our_spec() {
    let output = generate_from(&own_spec(), "openapi/venice.yaml");
    insta::assert_snapshot!("report_own_spec", output.report.render(Detail::Full));
}

#[test]
fn normalization_report_of_the_published_spec() {
    let Some(path) = published_spec("normalization_report_of_the_published_spec") else { return };
    let output = generate_from(&path, "../shared/venice-openapi/swagger.yaml");
    insta::assert_snapshot!("report_published_spec", output.report.render(Detail::Full));
}

#[test]
fn regenerating_the_unchanged_spec_reproduces_the_checked_in_files() {
    let output = generate_from(&own_spec(), "openapi/venice.yaml");
    for (name, text) in &output.files {
        let checked_in = std::fs::read_to_string(workspace_root().join("venice-api-gen/src").join(name)).unwrap();
        assert!(checked_in == *text, "{name} differs from a fresh generation: run `cargo xtask regen`");
    }
}

#[test]
fn yaml_map_order_does_not_change_the_generated_code() {
    let text = std::fs::read_to_string(own_spec()).unwrap();
    let mut yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    reverse_maps(&mut yaml);
    let reordered = serde_yaml_ng::to_string(&yaml).unwrap();
    assert_ne!(reordered, text);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("venice.yaml");
    std::fs::write(&path, reordered).unwrap();

    let original = generate_from(&own_spec(), "openapi/venice.yaml");
    let shuffled = generate_from(&path, "openapi/venice.yaml");
    for ((name, a), (_, b)) in original.files.iter().zip(&shuffled.files) {
        assert_eq!(without_hash_line(a), without_hash_line(b), "{name} depends on YAML map order");
    }
}

fn reverse_maps(value: &mut serde_yaml_ng::Value) {
    match value {
        serde_yaml_ng::Value::Mapping(map) => {
            let mut entries: Vec<_> = std::mem::take(map).into_iter().collect();
            entries.reverse();
            for (key, mut item) in entries {
                reverse_maps(&mut item);
                map.insert(key, item);
            }
        }
        serde_yaml_ng::Value::Sequence(items) => items.iter_mut().for_each(reverse_maps),
        _ => {}
    }
}

/// The header's SHA-256 line names the input bytes, which reordering changes on purpose.
fn without_hash_line(text: &str) -> String {
    text.lines().filter(|l| !l.starts_with("// spec sha256:")).collect::<Vec<_>>().join("\n")
}

#[test]
fn a_spec_change_changes_the_surface() {
    let text = std::fs::read_to_string(own_spec()).unwrap();
    let anchor = "      description: Error body carrying a single message.\n      properties:\n";
    let changed = text.replacen(anchor, &format!("{anchor}        nickname:\n          type: string\n"), 1);
    assert_ne!(changed, text, "the edit must apply to the spec");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("venice.yaml");
    std::fs::write(&path, changed).unwrap();

    let before = generate_from(&own_spec(), "openapi/venice.yaml");
    let after = generate_from(&path, "openapi/venice.yaml");
    let before = surface::describe(file(&before, "generated.rs")).unwrap();
    let after = surface::describe(file(&after, "generated.rs")).unwrap();
    assert_ne!(before, after);
    assert!(after.contains("nickname: Option<String>"), "{after}");
}

#[test]
fn every_generated_file_starts_with_the_generated_header() {
    let output = generate_from(&own_spec(), "openapi/venice.yaml");
    for (name, text) in &output.files {
        let first = text.lines().next().unwrap_or_default();
        assert_eq!(first, "// @generated by cargo xtask regen from openapi/venice.yaml; do not edit", "{name}");
        assert!(text.contains("// spec info.version: 20260821.193530"), "{name}");
        assert!(text.lines().nth(2).is_some_and(|l| l.starts_with("// spec sha256: ") && l.len() == 16 + 64), "{name}");
    }
}

#[test]
fn every_tag_that_gives_a_feature_pins_it() {
    // A feature is a name users write; a tag is Venice's label. A new or renamed tag must be
    // pinned in openapi/venice.yaml (`x-venice-rs-feature`, the old name for a rename).
    let document = spec::read(&own_spec(), "openapi/venice.yaml").unwrap().document;
    let pinned = xtask::passes::tag_features::pinned_features(&document);
    let mut unpinned = std::collections::BTreeSet::new();
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let tag = operation.get("tags").and_then(|t| t.get(0)).and_then(|t| t.as_str());
            if let Some(tag) = tag.filter(|tag| !pinned.contains_key(*tag)) {
                unpinned.insert(tag.to_owned());
            }
        }
    }
    assert!(unpinned.is_empty(), "tags without x-venice-rs-feature in openapi/venice.yaml: {unpinned:?}");
}

#[test]
fn venice_api_gen_declares_exactly_the_features_the_spec_gives() {
    let output = generate_from(&own_spec(), "openapi/venice.yaml");
    let manifest = std::fs::read_to_string(workspace_root().join("venice-api-gen/Cargo.toml")).unwrap();
    let umbrella = |name: &String| name != "default" && name != "full";
    let declared: Vec<String> = xtask::features::declared_features(&manifest).into_iter().filter(umbrella).collect();
    let given: Vec<String> = output.features.iter().filter(|f| umbrella(f)).cloned().collect();
    assert_eq!(
        declared, given,
        "a feature appeared or vanished: pin the tag's feature, or change the manifest on purpose"
    );
}

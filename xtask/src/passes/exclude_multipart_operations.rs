//! Excludes operations whose request body can only be sent as `multipart/form-data`.
//!
//! Quirk: Venice's audio transcription, voice cloning and text-parser uploads accept only
//! multipart bodies, which progenitor refuses ("unexpected or unhandled format"). The
//! operation is moved out of `paths` into the document's `x-venice-excluded` map (same shape
//! as `paths`, which progenitor ignores but the operation table still lists) and reported as
//! excluded with its reason; the facade sends it with reqwest's multipart support. Operations that also
//! accept JSON are kept (`prefer_json_request_body` picks the JSON form).

use serde_json::Value;

use super::{Changes, Exclusion, is_json_media_type};
use crate::walk::METHODS;

/// Where excluded operations go, keyed like `paths`.
pub(crate) const EXCLUDED: &str = "x-venice-excluded";

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    let mut removed: Vec<(String, &str, Value)> = Vec::new();
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for method in METHODS {
            let Some(operation) = item.get(method) else { continue };
            let Some(content) = operation.pointer("/requestBody/content").and_then(Value::as_object) else {
                continue;
            };
            let multipart = content.keys().any(|m| m.starts_with("multipart/"));
            let has_json = content.keys().any(|m| is_json_media_type(m));
            if !multipart || has_json {
                continue;
            }
            let label = operation
                .get("operationId")
                .and_then(Value::as_str)
                .map_or_else(|| format!("{} {path}", method.to_uppercase()), str::to_string);
            changes.exclusions.push(Exclusion {
                operation: label,
                route: format!("{} {path}", method.to_uppercase()),
                reason: "request body is multipart/form-data only, which progenitor cannot send; the facade builds it"
                    .into(),
            });
            if let Some(operation) = item.remove(method) {
                removed.push((path.clone(), method, operation));
            }
        }
    }
    paths.retain(|_, item| item.as_object().is_none_or(|i| METHODS.iter().any(|m| i.contains_key(*m))));
    if removed.is_empty() {
        return;
    }
    let Some(document) = spec.as_object_mut() else { return };
    let excluded = document.entry(EXCLUDED).or_insert_with(|| Value::Object(Default::default()));
    for (path, method, operation) in removed {
        if let Some(excluded) = excluded.as_object_mut() {
            let item = excluded.entry(path).or_insert_with(|| Value::Object(Default::default()));
            if let Some(item) = item.as_object_mut() {
                item.insert(method.to_string(), operation);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::check;
    use super::*;

    #[test]
    fn multipart_only_operation_is_excluded_with_its_reason() {
        let changes = check(
            run,
            r#"
paths:
  /audio/transcriptions:
    post:
      operationId: createTranscription
      requestBody: {content: {multipart/form-data: {schema: {type: object}}}}
  /image/edit:
    post:
      operationId: editImage
      requestBody: {content: {application/json: {schema: {type: object}}, multipart/form-data: {schema: {type: object}}}}
"#,
            r#"
paths:
  /image/edit:
    post:
      operationId: editImage
      requestBody: {content: {application/json: {schema: {type: object}}, multipart/form-data: {schema: {type: object}}}}
x-venice-excluded:
  /audio/transcriptions:
    post:
      operationId: createTranscription
      requestBody: {content: {multipart/form-data: {schema: {type: object}}}}
"#,
        );
        assert_eq!(changes.exclusions.len(), 1);
        assert_eq!(changes.exclusions[0].operation, "createTranscription");
        assert_eq!(changes.exclusions[0].route, "POST /audio/transcriptions");
    }
}

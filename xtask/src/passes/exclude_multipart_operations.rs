//! Excludes operations whose request body can only be sent as `multipart/form-data`.
//!
//! Quirk: Venice's audio transcription, voice cloning and text-parser uploads accept only
//! multipart bodies, which progenitor refuses ("unexpected or unhandled format"). The
//! operation is removed from the spec handed to progenitor and listed as excluded with its
//! reason; the facade sends it with reqwest's multipart support. Operations that also
//! accept JSON are kept (`prefer_json_request_body` picks the JSON form).

use serde_json::Value;

use super::{Changes, Exclusion, is_json_media_type};
use crate::walk::METHODS;

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
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
            item.remove(method);
        }
    }
    paths.retain(|_, item| item.as_object().is_none_or(|i| METHODS.iter().any(|m| i.contains_key(*m))));
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
"#,
        );
        assert_eq!(changes.exclusions.len(), 1);
        assert_eq!(changes.exclusions[0].operation, "createTranscription");
        assert_eq!(changes.exclusions[0].route, "POST /audio/transcriptions");
    }
}

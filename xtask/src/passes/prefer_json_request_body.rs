//! Keeps only the JSON form of a request body offered in several media types.
//!
//! Quirk: Venice's image upscale, edit, multi-edit and background removal accept the same
//! request as JSON (images as base64 or URLs) or as `multipart/form-data`; progenitor hits a
//! `todo!("more media types than expected")` on any body with two media types. The JSON
//! form says everything the multipart one does, so the generated call sends JSON and the
//! facade offers file uploads through multipart by hand.

use serde_json::Value;

use super::{Changes, is_json_media_type};
use crate::walk::{Spot, for_each_operation};

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_operation(spec, |key, operation| {
        let Some(content) = operation.get_mut("requestBody").and_then(|b| b.get_mut("content")) else { return };
        let Some(media) = content.as_object_mut() else { return };
        if media.len() < 2 {
            return;
        }
        let Some(json) = media.keys().find(|m| is_json_media_type(m)).cloned() else { return };
        let dropped: Vec<String> = media.keys().filter(|m| **m != json).cloned().collect();
        media.retain(|m, _| *m == json);
        changes.edit(
            &Spot::new(format!("operation {}", key.label())).child("request body"),
            format!("kept {json}, left {} to the facade", dropped.join(", ")),
        );
    });
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn json_form_is_kept_and_the_others_are_reported() {
        let changes = check(
            run,
            "paths:\n  /image/edit:\n    post:\n      operationId: editImage\n      requestBody: {content: {multipart/form-data: {schema: {type: object}}, application/json: {schema: {type: object}}}}\n",
            "paths:\n  /image/edit:\n    post:\n      operationId: editImage\n      requestBody: {content: {application/json: {schema: {type: object}}}}\n",
        );
        assert_eq!(
            lines(&changes),
            ["operation editImage › request body: kept application/json, left multipart/form-data to the facade"]
        );
    }
}

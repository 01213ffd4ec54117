//! Gives an operation with several success responses one success type.
//!
//! Quirk: progenitor asserts that all 2xx responses of an operation share one type. APIs
//! often answer `200` with a body and `202`/`204` with another or none. When the 2xx
//! bodies are all JSON, they become one `oneOf` schema named `<Operation>Success`; when
//! they mix JSON, other media and no body, every 2xx becomes raw bytes (JSON shapes kept in
//! `components.schemas`), so no success ever turns into an error at run time.

use serde_json::{Value, json};

use super::{Changes, Hoister, is_json_media_type, is_success_status, pascal};
use crate::walk::{Spot, for_each_operation};

#[derive(PartialEq)]
enum Kind {
    Json(Value),
    Raw,
    Empty,
}

fn kind(response: &Value) -> Kind {
    match response.get("content").and_then(Value::as_object) {
        None => Kind::Empty,
        Some(content) if content.is_empty() => Kind::Empty,
        Some(content) => match content.iter().find(|(m, _)| is_json_media_type(m)) {
            Some((_, media)) => Kind::Json(media.get("schema").cloned().unwrap_or_default()),
            None => Kind::Raw,
        },
    }
}

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    let mut hoister = Hoister::new(spec);
    for_each_operation(spec, |key, operation| {
        let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { return };
        let successes: Vec<String> = responses.keys().filter(|s| is_success_status(s)).cloned().collect();
        let kinds: Vec<Kind> = successes.iter().map(|s| kind(&responses[s])).collect();
        if kinds.windows(2).all(|w| w[0] == w[1]) {
            return;
        }
        let spot = Spot::new(format!("operation {}", key.label()));
        let all_json = kinds.iter().all(|k| matches!(k, Kind::Json(_)));
        if all_json {
            let mut branches: Vec<Value> = Vec::new();
            for k in &kinds {
                if let Kind::Json(schema) = k
                    && !branches.contains(schema)
                {
                    branches.push(schema.clone());
                }
            }
            let reference = hoister.hoist(&format!("{}Success", pascal(&key.label())), json!({ "oneOf": branches }));
            for status in &successes {
                responses[status]["content"] = json!({ "application/json": { "schema": reference.clone() } });
            }
            changes.edit(&spot, format!("{} JSON success bodies united in one oneOf", successes.len()));
        } else {
            for (status, k) in successes.iter().zip(kinds) {
                let raw = json!({ "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } });
                match k {
                    Kind::Raw => {}
                    Kind::Json(schema) => {
                        hoister.hoist(&format!("{}Response{status}", pascal(&key.label())), schema);
                        responses[status]["content"] = raw;
                    }
                    Kind::Empty => responses[status]["content"] = raw,
                }
            }
            changes.edit(&spot, format!("success responses {} mix bodies: all raw bytes", successes.join(", ")));
        }
    });
    hoister.finish(spec);
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn differing_json_successes_become_one_union() {
        let changes = check(
            run,
            r#"
paths:
  /jobs:
    post:
      operationId: queueJob
      responses:
        '200': {description: done, content: {application/json: {schema: {$ref: '#/components/schemas/Done'}}}}
        '202': {description: queued, content: {application/json: {schema: {$ref: '#/components/schemas/Queued'}}}}
        '400': {description: bad}
"#,
            r#"
paths:
  /jobs:
    post:
      operationId: queueJob
      responses:
        '200': {description: done, content: {application/json: {schema: {$ref: '#/components/schemas/QueueJobSuccess'}}}}
        '202': {description: queued, content: {application/json: {schema: {$ref: '#/components/schemas/QueueJobSuccess'}}}}
        '400': {description: bad}
components:
  schemas:
    QueueJobSuccess:
      oneOf: [{$ref: '#/components/schemas/Done'}, {$ref: '#/components/schemas/Queued'}]
"#,
        );
        assert_eq!(lines(&changes), ["operation queueJob: 2 JSON success bodies united in one oneOf"]);
    }

    #[test]
    fn json_next_to_no_body_makes_every_success_raw() {
        check(
            run,
            r#"
paths:
  /k:
    delete:
      operationId: removeKey
      responses:
        '200': {description: removed, content: {application/json: {schema: {type: object}}}}
        '204': {description: nothing}
"#,
            r#"
paths:
  /k:
    delete:
      operationId: removeKey
      responses:
        '200': {description: removed, content: {application/octet-stream: {schema: {type: string, format: binary}}}}
        '204': {description: nothing, content: {application/octet-stream: {schema: {type: string, format: binary}}}}
components:
  schemas:
    RemoveKeyResponse200: {type: object}
"#,
        );
    }
}

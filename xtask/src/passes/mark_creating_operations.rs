//! Marks every POST, PUT and PATCH as creating (`x-venice-creates-resource`) unless our spec
//! says it is safe to repeat (`x-venice-rs-idempotent: true`).
//!
//! Quirk: the published spec does not say which calls create a key, a paid job or a payment,
//! or bill; OpenAPI has no word for it. The facade's retry policy needs to know, because
//! repeating such a call after a 5xx or a timeout can create a second one (a duplicate API
//! key, a second paid video) or bill twice. So the rule fails closed: a new POST upstream is
//! creating (retried only where the server cannot have acted: a refused connection, a 429)
//! until someone marks it idempotent in `openapi/venice.yaml`, the only place to change it.
//!
//! Decision: a call is safe to repeat when a repeat neither creates anything lasting nor bills
//! again. Inference calls (chat completions, responses, embeddings, images, speech, search,
//! scrape) bill per call, so they stay creating; quotes, retrieving a queued job, marking it
//! complete, updating a key's settings and the crypto RPC proxy (whose every call carries an
//! idempotency key the server deduplicates on) are marked idempotent. GET, DELETE and the other methods are never creating. The report lists every
//! operation with its class.

use serde_json::Value;

use super::Changes;
use crate::walk::{Spot, for_each_operation};

/// The extension the operation table reads.
pub(crate) const EXTENSION: &str = "x-venice-creates-resource";

/// Our spec's mark on an operation whose repeat neither creates nor bills again.
pub(crate) const IDEMPOTENT: &str = "x-venice-rs-idempotent";

/// The methods whose calls may create or bill.
const WRITING_METHODS: &[&str] = &["post", "put", "patch"];

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_operation(spec, |key, operation| {
        if !WRITING_METHODS.contains(&key.method.as_str()) {
            return;
        }
        let idempotent = operation.get(IDEMPOTENT) == Some(&Value::Bool(true));
        operation.insert(EXTENSION.into(), Value::Bool(!idempotent));
        let class = if idempotent {
            format!("safe to repeat ({IDEMPOTENT})")
        } else {
            format!("creating: {} not marked {IDEMPOTENT}", key.method.to_uppercase())
        };
        changes.edit(&Spot::new(format!("operation {}", key.label())), class);
    });
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn an_unmarked_post_is_creating() {
        let changes = check(
            run,
            "paths:\n  /api_keys:\n    post: {operationId: createApiKey}\n    get: {operationId: getApiKeys}\n",
            "paths:\n  /api_keys:\n    post: {operationId: createApiKey, x-venice-creates-resource: true}\n    get: {operationId: getApiKeys}\n",
        );
        assert_eq!(lines(&changes), ["operation createApiKey: creating: POST not marked x-venice-rs-idempotent"]);
    }

    #[test]
    fn a_post_marked_idempotent_is_safe_to_repeat() {
        let changes = check(
            run,
            "paths:\n  /video/quote:\n    post: {operationId: quoteVideo, x-venice-rs-idempotent: true}\n",
            "paths:\n  /video/quote:\n    post: {operationId: quoteVideo, x-venice-rs-idempotent: true, x-venice-creates-resource: false}\n",
        );
        assert_eq!(lines(&changes), ["operation quoteVideo: safe to repeat (x-venice-rs-idempotent)"]);
    }

    #[test]
    fn put_and_patch_are_creating_like_post() {
        let input = "paths:\n  /a:\n    put: {operationId: putA}\n    patch: {operationId: patchA}\n    delete: {operationId: deleteA}\n";
        let output = "paths:\n  /a:\n    put: {operationId: putA, x-venice-creates-resource: true}\n    patch: {operationId: patchA, x-venice-creates-resource: true}\n    delete: {operationId: deleteA}\n";
        assert_eq!(check(run, input, output).edits.len(), 2);
    }
}

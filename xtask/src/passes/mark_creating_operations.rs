//! Marks the operations that create something lasting with `x-venice-creates-resource`.
//!
//! Quirk: the published spec does not say which calls create a key, a paid job or a
//! payment; it is not something OpenAPI has a word for. The facade's retry policy needs to
//! know, because repeating such a call after a 5xx or a timeout can create a second one: a
//! duplicate API key or a second paid video. Our own spec marks them; this pass adds the
//! mark to a spec dropped in from Venice, so that regenerating from it keeps the policy safe.
//! An operation already marked (either way) is left as it is.

use serde_json::Value;

use super::Changes;
use crate::walk::{Spot, for_each_operation};

/// The extension the operation table reads.
pub(crate) const EXTENSION: &str = "x-venice-creates-resource";

/// Venice operations whose success leaves something behind that a retry would duplicate.
const CREATING_OPERATIONS: &[&str] =
    &["createApiKey", "postApiKeyGenerateWeb3Key", "queueVideo", "queueAudio", "topUpX402Balance", "createClonedVoice"];

pub(super) fn run(spec: &mut Value, changes: &mut Changes) {
    for_each_operation(spec, |key, operation| {
        let Some(id) = key.id.as_deref() else { return };
        if CREATING_OPERATIONS.contains(&id) && !operation.contains_key(EXTENSION) {
            operation.insert(EXTENSION.into(), Value::Bool(true));
            changes.edit(&Spot::new(format!("operation {id}")), "marked as creating a lasting resource");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, lines};
    use super::*;

    #[test]
    fn a_known_creating_operation_is_marked() {
        let changes = check(
            run,
            "paths:\n  /api_keys:\n    post: {operationId: createApiKey}\n    get: {operationId: getApiKeys}\n",
            "paths:\n  /api_keys:\n    post: {operationId: createApiKey, x-venice-creates-resource: true}\n    get: {operationId: getApiKeys}\n",
        );
        assert_eq!(lines(&changes), ["operation createApiKey: marked as creating a lasting resource"]);
    }

    #[test]
    fn an_existing_mark_is_kept_as_it_is() {
        let input = "paths:\n  /video/queue:\n    post: {operationId: queueVideo, x-venice-creates-resource: false}\n";
        assert!(check(run, input, input).edits.is_empty());
    }
}

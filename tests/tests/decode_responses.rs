//! Compiling is not enough: a realistic body for each operation must decode through the
//! generated types and serialize back without losing anything.

use serde_json::Value;
use venice_api_gen::types;
use venice_tests::fixture;

/// Drops `null` members, which optional fields legitimately omit on the way back, and
/// compares numbers by value (`10` read into an `f64` is written back as `10.0`).
fn comparable(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, comparable(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(comparable).collect()),
        Value::Number(n) => n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number),
        other => other,
    }
}

fn round_trips<T: serde::de::DeserializeOwned + serde::Serialize>(operation_id: &str) {
    let text = fixture(&format!("responses/{operation_id}.json"));
    let original: Value = serde_json::from_str(&text).unwrap();
    let decoded: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{operation_id}: {e}"));
    let encoded = serde_json::to_value(&decoded).unwrap();
    assert_eq!(comparable(encoded), comparable(original), "{operation_id} lost data on the way through");
}

macro_rules! response_decoding {
    ($($test:ident: $operation_id:literal => $ty:ty,)*) => {
        $(
            #[test]
            fn $test() {
                round_trips::<$ty>($operation_id);
            }
        )*
        const COVERED: &[&str] = &[$($operation_id),*];
    };
}

response_decoding! {
    get_api_keys_response_decodes: "getApiKeys" => types::GetApiKeysResponse,
    create_api_key_response_decodes: "createApiKey" => types::CreateApiKeyResponse,
    update_api_key_response_decodes: "updateApiKey" => types::UpdateApiKeyResponse,
    delete_api_key_response_decodes: "deleteApiKey" => types::DeleteApiKeyResponse,
    get_api_key_by_id_response_decodes: "getApiKeyById" => types::GetApiKeyByIdResponse,
    get_api_key_rate_limits_response_decodes: "getApiKeyRateLimits" => types::GetApiKeyRateLimitsResponse,
    get_api_key_rate_limit_logs_response_decodes: "getApiKeyRateLimitLogs" => types::GetApiKeyRateLimitLogsResponse,
    get_api_key_generate_web3_key_response_decodes: "getApiKeyGenerateWeb3Key" => types::GetApiKeyGenerateWeb3KeyResponse,
    post_api_key_generate_web3_key_response_decodes: "postApiKeyGenerateWeb3Key" => types::PostApiKeyGenerateWeb3KeyResponse,
}

#[test]
fn every_generated_operation_has_a_decoding_test() {
    let mut generated: Vec<&str> = venice_api_gen::operations::OPERATIONS.iter().map(|op| op.operation_id).collect();
    let mut covered = COVERED.to_vec();
    generated.sort_unstable();
    covered.sort_unstable();
    assert_eq!(covered, generated);
}

#[test]
fn a_response_with_a_field_the_spec_does_not_know_still_decodes() {
    let mut body: Value = serde_json::from_str(&fixture("responses/createApiKey.json")).unwrap();
    body["data"]["addedInAFutureRelease"] = Value::from(1);
    body["alsoNew"] = Value::from("x");
    serde_json::from_value::<types::CreateApiKeyResponse>(body).unwrap();
}

#[test]
fn a_nullable_consumption_limit_decodes_as_none() {
    let body = serde_json::json!({"usd": null, "diem": 10});
    let limits: types::ConsumptionLimit = serde_json::from_value(body).unwrap();
    assert_eq!((limits.usd, limits.diem), (None, Some(10.0)));
}

#[test]
fn a_detailed_validation_error_keeps_its_details() {
    let error: types::CreateApiKeyError = serde_json::from_str(&fixture("errors/detailed.json")).unwrap();
    let types::CreateApiKeyError::DetailedError(detailed) = error else { panic!("decoded as {error:?}") };
    assert!(!detailed.details.is_empty() && !detailed.error.is_empty());
}

#[test]
fn a_plain_error_decodes_into_the_unified_error_type() {
    let error: types::CreateApiKeyError = serde_json::from_str(&fixture("errors/standard.json")).unwrap();
    let message = match error {
        types::CreateApiKeyError::DetailedError(e) => e.error,
        types::CreateApiKeyError::StandardError(e) => e.error,
    };
    assert!(!message.is_empty());
}

#[test]
fn an_openai_style_error_is_not_a_venice_error_shape() {
    // The facade reads this shape itself; the generated union must not half-accept it.
    let decoded = serde_json::from_str::<types::CreateApiKeyError>(&fixture("errors/openai_style.json"));
    assert!(decoded.is_err());
}

#[test]
fn one_api_key_type_serves_every_operation() {
    // The shared-shape pass makes the value read from one call usable in the next.
    let listed: types::GetApiKeysResponse = serde_json::from_str(&fixture("responses/getApiKeys.json")).unwrap();
    let kind: types::ApiKeyType = listed.data[0].api_key_type;
    let body = types::PostApiKeyGenerateWeb3KeyBody::builder()
        .api_key_type(kind)
        .address("0x45B73055F3aDcC4577Bb709db10B19d11b5c94eE")
        .signature("0x00")
        .token("t");
    let body: types::PostApiKeyGenerateWeb3KeyBody = body.try_into().unwrap();
    assert_eq!(body.api_key_type, kind);
}

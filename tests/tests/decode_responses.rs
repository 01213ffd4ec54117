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

/// The success media types the spec gives `operation_id`'s 200 response.
fn success_media_types(operation_id: &str) -> Vec<String> {
    let text = std::fs::read_to_string(venice_tests::own_spec()).unwrap();
    let spec: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    for item in spec["paths"].as_mapping().unwrap().values() {
        for operation in item.as_mapping().unwrap().values() {
            if operation["operationId"].as_str() == Some(operation_id) {
                let content = &operation["responses"]["200"]["content"];
                return content
                    .as_mapping()
                    .map(|c| c.keys().filter_map(|k| k.as_str().map(String::from)).collect())
                    .unwrap_or_default();
            }
        }
    }
    panic!("{operation_id} is not in the spec");
}

fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.starts_with("application/json;")
}

/// Four kinds of operations, each listed by operationId; together they must name every
/// generated operation:
/// - `json`: the success body decodes into the generated response type;
/// - `json_or_raw`: the success body is JSON *or* a file, so the generated call returns raw
///   bytes; its JSON form is checked against the shape the pipeline keeps for it;
/// - `error_only`: the operation documents no success at all; its only answer is checked
///   against the generated error type;
/// - `binary`: the success body is a file only, so there is no JSON to check; each entry
///   says why, and a test checks against the spec that no JSON success body was skipped.
macro_rules! response_decoding {
    (
        json { $($test:ident: $operation_id:literal => $ty:ty,)* }
        json_or_raw { $($raw_test:ident: $raw_operation_id:literal => $raw_ty:ty,)* }
        error_only { $($error_test:ident: $error_operation_id:literal => $error_ty:ty,)* }
        binary { $($binary_operation_id:literal: $reason:literal,)* }
    ) => {
        $(
            #[test]
            fn $test() {
                round_trips::<$ty>($operation_id);
            }
        )*
        $(
            #[test]
            fn $raw_test() {
                let media = success_media_types($raw_operation_id);
                assert!(media.iter().any(|m| is_json(m)) && media.iter().any(|m| !is_json(m)), "{media:?}");
                round_trips::<$raw_ty>($raw_operation_id);
            }
        )*
        $(
            #[test]
            fn $error_test() {
                assert!(success_media_types($error_operation_id).is_empty());
                round_trips::<$error_ty>($error_operation_id);
            }
        )*
        const BINARY: &[(&str, &str)] = &[$(($binary_operation_id, $reason)),*];
        const COVERED: &[&str] = &[$($operation_id,)* $($raw_operation_id,)* $($error_operation_id,)* $($binary_operation_id),*];
    };
}

response_decoding! {
    json {
        get_api_keys_response_decodes: "getApiKeys" => types::GetApiKeysResponse,
        create_api_key_response_decodes: "createApiKey" => types::CreateApiKeyResponse,
        update_api_key_response_decodes: "updateApiKey" => types::UpdateApiKeyResponse,
        delete_api_key_response_decodes: "deleteApiKey" => types::DeleteApiKeyResponse,
        get_api_key_by_id_response_decodes: "getApiKeyById" => types::GetApiKeyByIdResponse,
        get_api_key_rate_limits_response_decodes: "getApiKeyRateLimits" => types::GetApiKeyRateLimitsResponse,
        get_api_key_rate_limit_logs_response_decodes: "getApiKeyRateLimitLogs" => types::GetApiKeyRateLimitLogsResponse,
        get_api_key_generate_web3_key_response_decodes: "getApiKeyGenerateWeb3Key" => types::GetApiKeyGenerateWeb3KeyResponse,
        post_api_key_generate_web3_key_response_decodes: "postApiKeyGenerateWeb3Key" => types::PostApiKeyGenerateWeb3KeyResponse,
        create_chat_completion_response_decodes: "createChatCompletion" => types::CreateChatCompletionResponse,
        create_response_response_decodes: "createResponse" => types::ResponsesApiResponse,
        simple_generate_image_response_decodes: "simpleGenerateImage" => types::SimpleGenerateImageResponse,
        get_image_styles_response_decodes: "getImageStyles" => types::GetImageStylesResponse,
        list_models_response_decodes: "listModels" => types::ListModelsResponse,
        list_model_traits_response_decodes: "listModelTraits" => types::ListModelTraitsResponse,
        list_model_compatibility_mapping_response_decodes: "listModelCompatibilityMapping" => types::ListModelCompatibilityMappingResponse,
        list_characters_response_decodes: "listCharacters" => types::ListCharactersResponse,
        get_character_by_slug_response_decodes: "getCharacterBySlug" => types::GetCharacterBySlugResponse,
        get_character_reviews_response_decodes: "getCharacterReviews" => types::GetCharacterReviewsResponse,
        create_embedding_response_decodes: "createEmbedding" => types::CreateEmbeddingResponse,
        complete_video_response_decodes: "completeVideo" => types::CompleteVideoResponse,
        queue_video_response_decodes: "queueVideo" => types::QueueVideoResponse,
        quote_video_response_decodes: "quoteVideo" => types::QuoteVideoResponse,
        complete_audio_response_decodes: "completeAudio" => types::CompleteAudioResponse,
        queue_audio_response_decodes: "queueAudio" => types::QueueAudioResponse,
        quote_audio_response_decodes: "quoteAudio" => types::QuoteAudioResponse,
        get_billing_balance_response_decodes: "getBillingBalance" => types::GetBillingBalanceResponse,
        get_billing_usage_analytics_response_decodes: "getBillingUsageAnalytics" => types::GetBillingUsageAnalyticsResponse,
        list_crypto_rpc_networks_response_decodes: "listCryptoRpcNetworks" => types::ListCryptoRpcNetworksResponse,
        crypto_rpc_proxy_response_decodes: "cryptoRpcProxy" => types::CryptoRpcProxyResponse,
        get_x402_balance_response_decodes: "getX402Balance" => types::GetX402BalanceResponse,
        top_up_x402_balance_response_decodes: "topUpX402Balance" => types::TopUpX402BalanceResponse,
        get_x402_transactions_response_decodes: "getX402Transactions" => types::GetX402TransactionsResponse,
        web_scrape_response_decodes: "webScrape" => types::WebScrapeResponse,
        web_search_response_decodes: "webSearch" => types::WebSearchResponse,
        get_tee_attestation_response_decodes: "getTeeAttestation" => types::GetTeeAttestationResponse,
        // Venice documents no fields of the signature record: the generated call keeps it whole.
        get_tee_signature_response_decodes: "getTeeSignature" => serde_json::Map<String, Value>,
    }
    json_or_raw {
        generate_image_json_form_decodes: "generateImage" => types::GenerateImageResponse,
        retrieve_video_json_form_decodes: "retrieveVideo" => types::RetrieveVideoResponse,
        retrieve_audio_json_form_decodes: "retrieveAudio" => types::RetrieveAudioResponse,
        create_video_transcription_json_form_decodes: "createVideoTranscription" => types::CreateVideoTranscriptionResponse,
        get_billing_usage_history_json_form_decodes: "getBillingUsageHistory" => types::GetBillingUsageHistoryResponse,
    }
    error_only {
        get_billing_usage_answer_decodes: "getBillingUsage" => types::StandardError,
    }
    binary {
        "createSpeech": "answers with audio bytes (aac, flac, mpeg, opus, pcm or wav)",
        "upscaleImage": "answers with a PNG",
        "editImage": "answers with a PNG, JPEG or WebP image",
        "multiEditImage": "answers with a PNG, JPEG or WebP image",
        "backgroundRemoveImage": "answers with a PNG",
    }
}

#[test]
fn binary_only_operations_really_have_no_json_success_body() {
    for (operation_id, reason) in BINARY {
        let media = success_media_types(operation_id);
        assert!(!media.is_empty() && media.iter().all(|m| !is_json(m)), "{operation_id} ({reason}): {media:?}");
    }
}

#[test]
fn every_generated_operation_has_a_decoding_test() {
    let mut generated: Vec<&str> =
        venice_api_gen::operations::OPERATIONS.iter().filter(|op| op.generated).map(|op| op.operation_id).collect();
    let mut covered = COVERED.to_vec();
    generated.sort_unstable();
    covered.sort_unstable();
    assert_eq!(covered, generated);
}

#[test]
fn every_response_fixture_belongs_to_a_covered_operation() {
    let dir = venice_tests::workspace_root().join("tests/fixtures/responses");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let operation_id = name.strip_suffix(".json").unwrap_or(&name);
        assert!(COVERED.contains(&operation_id), "fixture {name} names no covered operation");
        assert!(!BINARY.iter().any(|(id, _)| *id == operation_id), "fixture {name} belongs to a binary-only operation");
    }
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
        types::CreateApiKeyError::Unknown(other) => panic!("the documented shape read as unknown: {other}"),
    };
    assert!(!message.is_empty());
}

#[test]
fn an_openai_style_error_is_kept_whole_as_an_unknown_shape() {
    // The facade reads this shape itself; the generated union must not half-accept it as one
    // of Venice's shapes, nor drop it.
    let body: serde_json::Value = serde_json::from_str(&fixture("errors/openai_style.json")).unwrap();
    let decoded: types::CreateApiKeyError = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(decoded, types::CreateApiKeyError::Unknown(body));
}

#[test]
fn one_api_key_type_serves_every_operation() {
    // The shared-shape pass makes the value read from one call usable in the next.
    let listed: types::GetApiKeysResponse = serde_json::from_str(&fixture("responses/getApiKeys.json")).unwrap();
    let kind: types::ApiKeyType = listed.data[0].api_key_type.clone();
    let body = types::PostApiKeyGenerateWeb3KeyBody::builder()
        .api_key_type(kind.clone())
        .address("0x45B73055F3aDcC4577Bb709db10B19d11b5c94eE")
        .signature("0x00")
        .token("t");
    let body: types::PostApiKeyGenerateWeb3KeyBody = body.try_into().unwrap();
    assert_eq!(body.api_key_type, kind);
}

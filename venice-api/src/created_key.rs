//! A key Venice has just created or minted, read so that its secret reaches the caller.
//!
//! Creating a key (`POST /api_keys`) and minting one with a wallet both answer with the new
//! key's secret, once. A client that fails to read that answer has lost the only copy while
//! the key lives on at Venice. So the facade does not hand out the generated response type
//! for these calls (its derived `Debug` prints the secret, and one field of an unexpected
//! shape fails the whole answer) but [`CreatedApiKey`], read from the answer's JSON by this
//! module: only the id and the secret must be there; every other field is read when it can
//! be, and kept as sent in [`CreatedApiKey::fields`] either way.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use venice_api_gen::types::{ApiKeyType, ConsumptionLimit, LimitPeriod, ModelPrivacy};

use crate::error::{Error, RawBody, Result};
use crate::response::Response;

/// The answer's field holding the key, and the key's fields read here. The names are those
/// of the generated response types (a test checks them against their serialized form).
const DATA: &str = "data";
const SECRET: &str = "apiKey";
const ID: &str = "id";
const API_KEY_TYPE: &str = "apiKeyType";
const DESCRIPTION: &str = "description";
const EXPIRES_AT: &str = "expiresAt";
const CONSUMPTION_LIMIT: &str = "consumptionLimit";
const LIMIT_PERIOD: &str = "limitPeriod";
const MODEL_PRIVACY: &str = "modelPrivacy";

/// A key Venice has just created ([`ApiKeys::create`](crate::api_keys::ApiKeys::create)) or
/// minted for a wallet ([`MintWithWallet::send`](crate::web3::MintWithWallet::send)).
///
/// The secret is shown in this answer only: keep it now. It never prints (`Debug` shows
/// `[REDACTED]`); [`ExposeSecret::expose_secret`] reads it.
///
/// Only [`id`](Self::id) and [`api_key`](Self::api_key) must be in the answer. Each other
/// field is `None` when Venice left it out or sent it in a shape this version cannot read;
/// [`fields`](Self::fields) has all of them as sent either way.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CreatedApiKey {
    /// The key's id, for managing it later (`api_keys().get`, `update`, `delete`).
    pub id: String,
    /// The key itself, to send as the bearer token.
    pub api_key: SecretString,
    /// Admin or inference.
    pub api_key_type: Option<ApiKeyType>,
    /// The key's label.
    pub description: Option<String>,
    /// When the key stops working; `None` when it never expires (or the date was unreadable:
    /// see `fields["expiresAt"]`).
    pub expires_at: Option<DateTime<Utc>>,
    /// The spending caps.
    pub consumption_limit: Option<ConsumptionLimit>,
    /// The window the caps are counted over.
    pub limit_period: Option<LimitPeriod>,
    /// The privacy tier the models called with the key must meet.
    pub model_privacy: Option<ModelPrivacy>,
    /// Every field of the key that Venice sent, as sent, except the secret.
    pub fields: Map<String, Value>,
}

impl CreatedApiKey {
    /// The key in an answer `{"data": {…}}`, if it holds a text secret and an id.
    fn from_answer(mut answer: Value) -> Option<Self> {
        let Value::Object(mut fields) = answer.get_mut(DATA)?.take() else { return None };
        let id = match fields.get(ID)? {
            Value::String(id) if !id.trim().is_empty() => id.clone(),
            Value::Number(id) => id.to_string(),
            _ => return None,
        };
        let api_key = match fields.remove(SECRET)? {
            Value::String(secret) if !secret.is_empty() => SecretString::from(secret),
            _ => return None,
        };
        let expires_at = fields
            .get(EXPIRES_AT)
            .and_then(Value::as_str)
            .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
            .map(|at| at.with_timezone(&Utc));
        Some(CreatedApiKey {
            id,
            api_key,
            api_key_type: read(&fields, API_KEY_TYPE),
            description: read(&fields, DESCRIPTION),
            expires_at,
            consumption_limit: read(&fields, CONSUMPTION_LIMIT),
            limit_period: read(&fields, LIMIT_PERIOD),
            model_privacy: read(&fields, MODEL_PRIVACY),
            fields,
        })
    }
}

/// Field `name` of `fields` as a `T`, when it is there and reads as one.
fn read<T: DeserializeOwned>(fields: &Map<String, Value>, name: &str) -> Option<T> {
    fields.get(name).filter(|value| !value.is_null()).and_then(|value| T::deserialize(value).ok())
}

/// The created key of a create or mint call's `outcome`: from its decoded answer, or, when the
/// answer did not decode as the generated type, from the raw body the error kept.
///
/// An answer from which not even the id and the secret can be read stays an error, with the
/// whole body behind [`Error::raw_body`].
pub(crate) fn created_key<T: serde::Serialize>(outcome: Result<Response<T>>) -> Result<Response<CreatedApiKey>> {
    match outcome {
        Ok(response) => {
            let (head, body) = response.split();
            let answer = serde_json::to_value(&body).unwrap_or(Value::Null);
            match CreatedApiKey::from_answer(answer) {
                Some(key) => Ok(head.map(|()| key)),
                None => {
                    let body = serde_json::to_vec(&body).unwrap_or_default();
                    let reason = "the answer holds no key id and secret";
                    let error = Error::decode(Some(head.status()), reason, &body);
                    Err(error.keeping_raw_body(RawBody::new(&body, head)))
                }
            }
        }
        Err(error) => {
            let recovered = error.raw_body().and_then(|raw| {
                let key = CreatedApiKey::from_answer(serde_json::from_slice(raw.expose_secret()).ok()?)?;
                Some(raw.head().clone().map(|()| key))
            });
            recovered.ok_or(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use venice_api_gen::types::{CreateApiKeyResponse, PostApiKeyGenerateWeb3KeyResponse};

    use super::*;

    fn fixture(operation_id: &str) -> Value {
        let path = format!("{}/../tests/fixtures/responses/{operation_id}.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    #[test]
    fn the_field_names_read_are_those_of_the_generated_answers() {
        let create: CreateApiKeyResponse = serde_json::from_value(fixture("createApiKey")).unwrap();
        let mint: PostApiKeyGenerateWeb3KeyResponse =
            serde_json::from_value(fixture("postApiKeyGenerateWeb3Key")).unwrap();
        for answer in [serde_json::to_value(create).unwrap(), serde_json::to_value(mint).unwrap()] {
            let data = answer[DATA].as_object().expect("a data object");
            for name in
                [SECRET, ID, API_KEY_TYPE, DESCRIPTION, EXPIRES_AT, CONSUMPTION_LIMIT, LIMIT_PERIOD, MODEL_PRIVACY]
            {
                assert!(data.contains_key(name), "{name} is not a field of {answer}");
            }
        }
    }

    #[test]
    fn every_field_of_the_documented_answer_is_read() {
        let key = CreatedApiKey::from_answer(fixture("createApiKey")).unwrap();
        assert_eq!(key.id, "e28e82dc-9df2-4b47-b726-d0a222ef2ab5");
        assert_eq!(key.api_key.expose_secret(), "OlyY6PXofO18OF7AeVtqR8cHdz8M7vCfdocGLRp6mGquaJ");
        assert_eq!(key.api_key_type, Some(ApiKeyType::Admin));
        assert_eq!(key.description.as_deref(), Some("Example API Key"));
        assert_eq!(key.expires_at.unwrap().to_rfc3339(), "2026-10-01T12:00:00+00:00");
        assert_eq!(key.consumption_limit.unwrap().usd, Some(50.0));
        assert_eq!(key.limit_period, Some(LimitPeriod::Month));
        assert_eq!(key.model_privacy, Some(ModelPrivacy::All));
        assert_eq!(key.fields["modelPrivacy"], "ALL");
        assert!(!key.fields.contains_key(SECRET), "the secret is not repeated in the fields");
    }

    #[test]
    fn a_field_of_an_unknown_shape_is_none_and_an_unknown_value_is_kept_as_sent() {
        let mut answer = fixture("createApiKey");
        answer["data"]["limitPeriod"] = json!("FORTNIGHT");
        answer["data"]["consumptionLimit"] = json!("lots");
        answer["data"]["expiresAt"] = json!("next tuesday");
        let key = CreatedApiKey::from_answer(answer).unwrap();
        assert_eq!(
            (key.limit_period, key.consumption_limit, key.expires_at),
            (Some(LimitPeriod::Unknown("FORTNIGHT".to_owned())), None, None)
        );
        assert_eq!(key.fields["limitPeriod"], "FORTNIGHT");
        assert_eq!(key.fields["expiresAt"], "next tuesday");
    }

    #[test]
    fn the_seed_pages_answer_without_model_privacy_is_read() {
        let answer = json!({"data": {
            "apiKey": "<string>", "apiKeyType": "ADMIN", "consumptionLimit": {"usd": 50, "diem": 10, "vcu": 30},
            "limitPeriod": "MONTH", "expiresAt": "2023-10-01T12:00:00.000Z",
            "id": "e28e82dc-9df2-4b47-b726-d0a222ef2ab5", "description": "Example API Key"
        }, "success": true});
        let key = CreatedApiKey::from_answer(answer).unwrap();
        assert_eq!(key.api_key.expose_secret(), "<string>");
        assert_eq!(key.model_privacy, None);
    }

    #[test]
    fn an_answer_without_a_text_secret_or_an_id_is_not_a_created_key() {
        for broken in
            [json!({"data": {"id": "k"}}), json!({"data": {"apiKey": "s"}}), json!({"data": {"apiKey": 5, "id": "k"}})]
        {
            assert!(CreatedApiKey::from_answer(broken.clone()).is_none(), "{broken}");
        }
        assert!(CreatedApiKey::from_answer(json!({"apiKey": "s", "id": "k"})).is_none(), "the key is under data");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = CreatedApiKey::from_answer(fixture("createApiKey")).unwrap();
        let text = format!("{key:?} {key:#?}");
        assert!(!text.contains("OlyY6PXofO18"), "{text}");
        assert!(text.contains("e28e82dc-9df2-4b47-b726-d0a222ef2ab5"), "{text}");
    }
}

//! Paying a top-up on Base: which offered payment to take, what the wallet signs for it, the
//! x402 v2 `PaymentPayload` that carries the signature, and the settlement receipt.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::{Map, Value, json};
use zeroize::Zeroizing;

use super::usdc::{Usdc, parse_base_units};
use crate::defaults::{BASE_USDC, SIWX_CHAIN_ID, TOP_UP_CLOCK_SKEW, TOP_UP_MAX_VALIDITY};
use crate::error::{Error, PaymentOption, PaymentRequirements, Result};
use crate::web3::{Address, Eip712Domain, Signature, TransferWithAuthorization, TypedData};

/// The one payment scheme this client makes: a fixed amount, authorized once.
const EXACT: &str = "exact";

/// Why an x402 payment was refused before the wallet was asked to sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaymentError {
    /// Venice offered no payment this client can make: USDC on Base (`eip155:8453`), scheme
    /// `exact`.
    #[error("x402: no USDC payment on Base was offered (offered: {})", offered_list(.offered))]
    NoUsableOption {
        /// What was offered instead, one `scheme network asset` per option.
        offered: Vec<String>,
    },
    /// The amount is below the least the offer accepts.
    #[error("x402: {amount} USDC is below the minimum payment of {minimum} USDC")]
    BelowMinimum {
        /// The amount asked for.
        amount: Usdc,
        /// The least the offer accepts.
        minimum: Usdc,
    },
    /// An automatic top-up would go past the budget the client was given
    /// ([`AutoTopUp`](super::AutoTopUp)); nothing was bought.
    #[error("x402: the automatic top-up budget of {budget} USDC is spent ({spent} USDC so far)")]
    BudgetExhausted {
        /// The budget of all automatic top-ups together.
        budget: Usdc,
        /// What they have bought so far.
        spent: Usdc,
    },
}

fn offered_list(offered: &[String]) -> String {
    if offered.is_empty() { "nothing".to_owned() } else { offered.join(", ") }
}

/// The network Base USDC options name: CAIP-2 `eip155:<chain id>`.
fn base_network() -> String {
    format!("eip155:{SIWX_CHAIN_ID}")
}

/// The Base USDC option among `requirements`, the first if several.
pub(crate) fn base_usdc_option(requirements: &PaymentRequirements) -> Result<&PaymentOption> {
    let network = base_network();
    let usdc: Address = BASE_USDC.parse().expect("a valid address");
    requirements
        .accepts
        .iter()
        .find(|option| {
            option.scheme == EXACT
                && option.network == network
                && option.asset.trim().parse::<Address>().is_ok_and(|asset| asset == usdc)
        })
        .ok_or_else(|| {
            let offered = requirements
                .accepts
                .iter()
                .map(|option| format!("{} {} {}", option.scheme, option.network, option.asset))
                .collect();
            Error::Payment(PaymentError::NoUsableOption { offered })
        })
}

/// What a Base USDC option asks for, read and checked before anything is signed.
#[derive(Debug)]
pub(crate) struct Terms {
    pub(crate) minimum: Usdc,
    pub(crate) pay_to: Address,
    pub(crate) domain: Eip712Domain,
    /// How long the authorization may stay valid, in seconds.
    pub(crate) validity: u64,
}

impl Terms {
    /// The terms of `option`, or a [`Error::Decode`] naming what a usable option lacks.
    pub(crate) fn read(option: &PaymentOption) -> Result<Self> {
        let unusable = |reason: &str| {
            Error::decode(
                Some(402),
                format!("the Base USDC option of the top-up requirements {reason}"),
                serde_json::to_string(option).unwrap_or_default().as_bytes(),
            )
        };
        let minimum =
            parse_base_units(&option.amount).ok_or_else(|| unusable("has an amount that is not base units"))?;
        let pay_to: Address = option.pay_to.trim().parse().map_err(|_| unusable("pays to no EVM address"))?;
        let text = |key: &str| option.extra.get(key).and_then(Value::as_str).map(str::to_owned);
        let (Some(name), Some(version)) = (text("name"), text("version")) else {
            return Err(unusable("names no EIP-712 domain (`extra.name`, `extra.version`)"));
        };
        let verifying_contract = option.asset.trim().parse().map_err(|_| unusable("names no token contract"))?;
        let validity = match option.max_timeout().map(|t| t.as_secs()) {
            Some(0) | None => return Err(unusable("gives no time to settle (`maxTimeoutSeconds`)")),
            Some(seconds) => seconds.min(TOP_UP_MAX_VALIDITY.as_secs()),
        };
        let domain = Eip712Domain { name, version, chain_id: SIWX_CHAIN_ID, verifying_contract };
        Ok(Self { minimum, pay_to, domain, validity })
    }

    /// The transfer of `amount` from `from` these terms ask for, valid from a little before
    /// now (the server's clock may lag behind) until `validity` seconds from now.
    pub(crate) fn authorization(&self, from: Address, amount: Usdc, nonce: [u8; 32]) -> TransferWithAuthorization {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        TransferWithAuthorization {
            from,
            to: self.pay_to,
            value: amount.base_units(),
            valid_after: now.saturating_sub(TOP_UP_CLOCK_SKEW.as_secs().min(self.validity)),
            valid_before: now.saturating_add(self.validity),
            nonce,
        }
    }

    /// The typed data the wallet signs for `authorization`.
    pub(crate) fn typed_data(&self, authorization: TransferWithAuthorization) -> TypedData {
        TypedData::transfer_with_authorization(self.domain.clone(), authorization)
    }
}

/// The `PAYMENT-SIGNATURE` header: base64 of the x402 v2 `PaymentPayload` for `accepted`,
/// with the signed `authorization`. Numbers are decimal strings, the nonce 0x-hex.
pub(crate) fn payment_header(
    requirements: &PaymentRequirements,
    accepted: &PaymentOption,
    authorization: &TransferWithAuthorization,
    signature: &Signature,
) -> Zeroizing<String> {
    let mut payload = Map::new();
    payload.insert("x402Version".to_owned(), json!(2));
    if let Some(resource) = &requirements.resource {
        payload.insert("resource".to_owned(), as_offered(serde_json::to_value(resource)));
    }
    payload.insert("accepted".to_owned(), accepted_json(accepted));
    payload.insert(
        "payload".to_owned(),
        json!({
            "signature": signature,
            "authorization": {
                "from": authorization.from,
                "to": authorization.to,
                "value": authorization.value.to_string(),
                "validAfter": authorization.valid_after.to_string(),
                "validBefore": authorization.valid_before.to_string(),
                "nonce": format!("0x{}", hex::encode(authorization.nonce)),
            },
        }),
    );
    let json = Zeroizing::new(serde_json::to_vec(&Value::Object(payload)).expect("plain JSON"));
    Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(json.as_slice()))
}

/// The option as it was offered: the server may compare it field for field with its own.
fn accepted_json(option: &PaymentOption) -> Value {
    let mut value = as_offered(serde_json::to_value(option));
    if option.extra.is_empty()
        && let Value::Object(fields) = &mut value
    {
        fields.remove("extra");
    }
    value
}

/// A decoded part of the requirements, serialized back without the nulls that stand for
/// fields the server left out.
fn as_offered(value: serde_json::Result<Value>) -> Value {
    let mut value = value.unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut value {
        fields.retain(|_, field| !field.is_null());
    }
    value
}

/// The settlement receipt of a top-up, from the base64 JSON of its `PAYMENT-RESPONSE` header.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct PaymentReceipt {
    /// Whether the payment settled.
    #[serde(default)]
    pub success: Option<bool>,
    /// The network it settled on (`eip155:8453`).
    #[serde(default)]
    pub network: Option<String>,
    /// The wallet that paid.
    #[serde(default)]
    pub payer: Option<String>,
    /// The settling transaction's hash.
    #[serde(default)]
    pub transaction: Option<String>,
    /// Any other field.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl PaymentReceipt {
    /// The receipt a `PAYMENT-RESPONSE` header value carries; `None` when it is not base64
    /// (standard or URL-safe) of a JSON object of that shape: a receipt that cannot be read
    /// is as good as absent, never an error of a payment that was made.
    pub(crate) fn decode(value: &[u8]) -> Option<Self> {
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
        let text = std::str::from_utf8(value).ok()?.trim();
        let json = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD].iter().find_map(|e| e.decode(text).ok())?;
        serde_json::from_slice(&json).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(value: Value) -> PaymentOption {
        serde_json::from_value(value).unwrap()
    }

    fn base(amount: &str) -> Value {
        json!({
            "scheme": "exact", "network": "eip155:8453", "amount": amount, "asset": BASE_USDC,
            "payTo": "0x45b73055f3adcc4577bb709db10b19d11b5c94ee", "maxTimeoutSeconds": 300,
            "extra": {"name": "USD Coin", "version": "2"}
        })
    }

    fn requirements(accepts: Vec<Value>) -> PaymentRequirements {
        serde_json::from_value(json!({"x402Version": 2, "accepts": accepts})).unwrap()
    }

    fn decode_error(result: Result<Terms>) -> String {
        match result {
            Err(Error::Decode { status: Some(402), reason, .. }) => reason,
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn the_base_option_is_picked_after_a_solana_one() {
        let solana = json!({"scheme": "exact", "network": "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", "amount": "5000000",
            "asset": "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "payTo": "8qUL23aSj7mDWdoLMXGHFvnVCT9wd7jXcysiekroADEL",
            "maxTimeoutSeconds": 300, "extra": {"feePayer": "BFK9TLC3edb13K6v4YyH3DwPb5DSUpkWvb7XnqCL9b4F"}});
        let requirements = requirements(vec![solana, base("5000000")]);
        assert_eq!(base_usdc_option(&requirements).unwrap().network, "eip155:8453");
    }

    #[test]
    fn only_solana_is_refused_naming_what_was_offered() {
        let solana = json!({"scheme": "exact", "network": "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", "amount": "5000000",
            "asset": "EPjF", "payTo": "8qUL", "maxTimeoutSeconds": 300});
        match base_usdc_option(&requirements(vec![solana])) {
            Err(Error::Payment(PaymentError::NoUsableOption { offered })) => {
                assert_eq!(offered, ["exact solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp EPjF"]);
            }
            other => panic!("expected no usable option, got {other:?}"),
        }
    }

    #[test]
    fn another_token_or_scheme_on_base_is_not_usdc_on_base() {
        let mut other_token = base("5000000");
        other_token["asset"] = json!("0x4200000000000000000000000000000000000006");
        let mut other_scheme = base("5000000");
        other_scheme["scheme"] = json!("upto");
        let error = base_usdc_option(&requirements(vec![other_token, other_scheme])).unwrap_err();
        assert!(matches!(error, Error::Payment(PaymentError::NoUsableOption { ref offered }) if offered.len() == 2));
    }

    #[test]
    fn the_terms_are_read_exactly() {
        let terms = Terms::read(&option(base("340282366920938463463374607431768211455"))).unwrap();
        assert_eq!(terms.minimum, Usdc::from_base_units(u128::MAX));
        assert_eq!(terms.domain.name, "USD Coin");
        assert_eq!(terms.domain.chain_id, 8453);
        assert_eq!(terms.validity, 300);
    }

    #[test]
    fn unusable_terms_are_refused_naming_the_problem() {
        assert!(decode_error(Terms::read(&option(base("5e6")))).contains("amount"));
        let mut no_domain = base("5000000");
        no_domain["extra"] = json!({});
        assert!(decode_error(Terms::read(&option(no_domain))).contains("EIP-712"));
        let mut no_time = base("5000000");
        no_time["maxTimeoutSeconds"] = json!(0);
        assert!(decode_error(Terms::read(&option(no_time))).contains("maxTimeoutSeconds"));
        let mut solana_receiver = base("5000000");
        solana_receiver["payTo"] = json!("8qUL23aSj7mDWdoLMXGHFvnVCT9wd7jXcysiekroADEL");
        assert!(decode_error(Terms::read(&option(solana_receiver))).contains("EVM address"));
    }

    #[test]
    fn the_authorization_is_valid_now_and_for_at_most_the_offered_time() {
        let mut long = base("5000000");
        long["maxTimeoutSeconds"] = json!(u64::MAX);
        for (option, validity) in [(option(base("5000000")), 300), (option(long), TOP_UP_MAX_VALIDITY.as_secs())] {
            let terms = Terms::read(&option).unwrap();
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
            let authorization = terms.authorization(Address::default(), Usdc::dollars(5), [7; 32]);
            assert!(authorization.valid_after < now && authorization.valid_after + TOP_UP_CLOCK_SKEW.as_secs() >= now);
            assert!(authorization.valid_before >= now + validity && authorization.valid_before <= now + validity + 2);
            assert_eq!(authorization.value, 5_000_000);
        }
    }

    #[test]
    fn the_accepted_option_goes_back_as_offered() {
        let offered = base("5000000");
        assert_eq!(accepted_json(&option(offered.clone())), offered);
        let bare =
            json!({"scheme": "exact", "network": "eip155:8453", "amount": "1", "asset": BASE_USDC, "payTo": "0x45b7"});
        assert_eq!(accepted_json(&option(bare.clone())), bare);
    }

    #[test]
    fn a_receipt_is_decoded_tolerantly() {
        let encode = |json: &str| base64::engine::general_purpose::STANDARD.encode(json);
        let receipt = PaymentReceipt::decode(
            encode(r#"{"success":true,"network":"eip155:8453","payer":"0xf39F","transaction":"0xfeed","extra":1}"#)
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(receipt.success, Some(true));
        assert_eq!(receipt.transaction.as_deref(), Some("0xfeed"));
        assert_eq!(receipt.other["extra"], 1);
        assert_eq!(PaymentReceipt::decode(encode(r#"{"transaction":"0xfeed"}"#).as_bytes()).unwrap().success, None);
        assert_eq!(PaymentReceipt::decode(b"%%%"), None);
        assert_eq!(PaymentReceipt::decode(encode("[1,2]").as_bytes()), None);
        assert_eq!(PaymentReceipt::decode(encode(r#"{"success":"yes"}"#).as_bytes()), None);
        assert_eq!(PaymentReceipt::decode(&[0xff, 0xfe]), None);
    }
}

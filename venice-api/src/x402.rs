//! x402 wallet balances, top-ups and transactions: `client.x402()`.
//!
//! x402 lets a wallet pay for calls with prepaid USDC credit instead of an API key. None of
//! these calls sends the client's API key:
//!
//! - [`X402::top_up_requirements`] asks what a top-up may be paid with (Venice answers 402
//!   with the accepted payments; this returns them), and [`X402::top_up`] sends a payment
//!   signed for one of them (`PAYMENT-SIGNATURE`).
//! - [`X402::balance`] and [`X402::transactions`] need the wallet's sign-in (`SIGN-IN-WITH-X`:
//!   base64 of the signed JSON payload that the `siwx` scheme of the API describes), made by
//!   the caller's wallet tooling and passed as is.
//!
//! Wallet addresses are checked before sending: an EVM address must be `0x` and 40 hex
//! digits (with a valid EIP-55 checksum when mixed case, see [`Address`]); a Solana address
//! 32 to 44 base58 characters.

use base64::Engine as _;
use serde_json::{Map, Value};
use venice_api_gen::types::{GetX402BalanceResponse, GetX402TransactionsResponse, TopUpX402BalanceResponse};

use crate::client::Client;
use crate::error::{Error, PaymentRequired, PaymentRequirements, Result};
use crate::response::{self, Response};
use crate::web3::Address;

/// The most transactions one page may hold.
const MAX_PAGE: u8 = 100;

/// x402 wallet balances, top-ups and transactions.
#[derive(Debug, Clone, Copy)]
pub struct X402<'c> {
    client: &'c Client,
}

impl<'c> X402<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// The prepaid credit of `wallet_address`, for a caller signed in (`sign_in_with_x`) with
    /// that same wallet.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client, sign_in: &str) -> venice_api::Result<()> {
    /// let balance = client.x402().balance("0x45b73055f3adcc4577bb709db10b19d11b5c94ee", sign_in).await?;
    /// println!("{} USD of credit", balance.data.balance_usd);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn balance(
        &self,
        wallet_address: &str,
        sign_in_with_x: &str,
    ) -> Result<Response<GetX402BalanceResponse>> {
        let wallet_address = checked_wallet(wallet_address)?;
        let sign_in = checked_sign_in(sign_in_with_x)?;
        let call = self.client.raw().get_x402_balance().wallet_address(wallet_address.as_str()).sign_in_with_x(sign_in);
        response::decode(call.send()).await
    }

    /// One page of the credit history of `wallet_address`, newest first, for a caller signed
    /// in with that same wallet; `data.pagination.has_more` says whether another page follows.
    pub async fn transactions(
        &self,
        wallet_address: &str,
        sign_in_with_x: &str,
        page: TransactionsPage,
    ) -> Result<Response<GetX402TransactionsResponse>> {
        let wallet_address = checked_wallet(wallet_address)?;
        let sign_in = checked_sign_in(sign_in_with_x)?;
        let mut call =
            self.client.raw().get_x402_transactions().wallet_address(wallet_address.as_str()).sign_in_with_x(sign_in);
        if let Some(limit) = page.limit {
            if !(1..=MAX_PAGE).contains(&limit) {
                return Err(Error::invalid("limit", format!("{limit}; between 1 and {MAX_PAGE}")));
            }
            call = call.limit(u64::from(limit));
        }
        if let Some(offset) = page.offset {
            call = call.offset(offset);
        }
        response::decode(call.send()).await
    }

    /// The payments a top-up accepts (network, token, amount, receiving wallet), which a
    /// wallet signs one of for [`top_up`](Self::top_up). Venice gives them as a 402 answer;
    /// this returns them, and any other answer as an error.
    pub async fn top_up_requirements(&self) -> Result<PaymentRequirements> {
        let call = self.client.raw().top_up_x402_balance().body(Map::new());
        match response::decode(call.send()).await {
            Err(Error::Api(mut api)) if api.status == 402 => match api.payment_required.take() {
                Some(PaymentRequired::Requirements(requirements)) => Ok(*requirements),
                other => {
                    api.payment_required = other;
                    Err(Error::Api(api))
                }
            },
            Err(error) => Err(error),
            Ok(answer) => Err(Error::decode(
                Some(answer.status()),
                "a top-up without a payment was accepted instead of answering with its requirements",
                b"",
            )),
        }
    }

    /// Adds credit with `payment_signature`, the base64 signed x402 payment (`PAYMENT-SIGNATURE`)
    /// for one of the [`top_up_requirements`](Self::top_up_requirements). The answer carries
    /// Venice's settlement receipt when it sends one.
    ///
    /// Settles a payment, so it is retried only when Venice cannot have acted on it (the
    /// connection was never made, or a 429).
    pub async fn top_up(&self, payment_signature: &str) -> Result<Response<TopUp>> {
        let signature = payment_signature.trim();
        if signature.is_empty() {
            return Err(Error::invalid("payment_signature", "must not be empty"));
        }
        let call = self.client.raw().top_up_x402_balance().payment_signature(signature).body(Map::new());
        let mut receipt = None;
        let answer = response::decode(async {
            let result = call.send().await;
            if let Ok(value) = &result {
                receipt = value.headers().get("payment-response").map(|v| decode_receipt(v.as_bytes()));
            }
            result
        })
        .await?;
        Ok(answer.map(|body| TopUp { body, receipt: receipt.flatten() }))
    }
}

/// Which page of [`X402::transactions`] to fetch; Venice's defaults (50 from the newest)
/// when left as is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransactionsPage {
    limit: Option<u8>,
    offset: Option<u64>,
}

impl TransactionsPage {
    /// The first page, of Venice's default size.
    pub fn new() -> Self {
        Self::default()
    }

    /// At most `limit` transactions (1 to 100).
    pub fn limit(mut self, limit: u8) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Skip the `offset` newest transactions.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }
}

/// A completed top-up.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TopUp {
    /// What Venice credited.
    pub body: TopUpX402BalanceResponse,
    /// The x402 settlement receipt of the `PAYMENT-RESPONSE` header, decoded from base64
    /// JSON; `None` when absent or unreadable.
    pub receipt: Option<Value>,
}

fn decode_receipt(value: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(value).ok()?.trim();
    let json = base64::engine::general_purpose::STANDARD.decode(text).ok()?;
    serde_json::from_slice(&json).ok()
}

/// `address`, trimmed, once known to be an EVM or Solana address.
fn checked_wallet(address: &str) -> Result<String> {
    const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let address = address.trim();
    if address.starts_with("0x") {
        address.parse::<Address>().map_err(|e| Error::invalid("wallet_address", e.to_string()))?;
    } else if !((32..=44).contains(&address.len()) && address.bytes().all(|b| BASE58.contains(&b))) {
        return Err(Error::invalid(
            "wallet_address",
            "neither an EVM address (0x and 40 hex digits) nor a Solana one (32 to 44 base58 characters)",
        ));
    }
    Ok(address.to_owned())
}

fn checked_sign_in(sign_in: &str) -> Result<String> {
    let sign_in = sign_in.trim();
    if sign_in.is_empty() {
        return Err(Error::invalid("sign_in_with_x", "must not be empty"));
    }
    if reqwest::header::HeaderValue::from_str(sign_in).is_err() {
        return Err(Error::invalid("sign_in_with_x", "has characters a header cannot carry"));
    }
    Ok(sign_in.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::error::refused;

    #[test]
    fn evm_and_solana_addresses_are_accepted() {
        checked_wallet("0x45b73055f3adcc4577bb709db10b19d11b5c94ee").unwrap();
        checked_wallet("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266").unwrap();
        checked_wallet("9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin").unwrap();
    }

    #[test]
    fn malformed_addresses_are_refused() {
        assert_eq!(refused(checked_wallet("0x45b7")), "wallet_address");
        assert_eq!(refused(checked_wallet("0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266")), "wallet_address");
        assert_eq!(refused(checked_wallet("not-a-wallet")), "wallet_address");
        assert_eq!(refused(checked_wallet("0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl")), "wallet_address");
    }

    #[test]
    fn an_empty_sign_in_is_refused() {
        assert_eq!(refused(checked_sign_in("  ")), "sign_in_with_x");
    }

    #[test]
    fn a_receipt_is_decoded_from_base64_json() {
        let header = base64::engine::general_purpose::STANDARD.encode(r#"{"success":true,"transaction":"0xabc"}"#);
        assert_eq!(decode_receipt(header.as_bytes()).unwrap()["transaction"], "0xabc");
        assert_eq!(decode_receipt(b"%%%"), None);
    }
}

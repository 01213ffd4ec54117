//! x402 wallet balances, top-ups and transactions: `client.x402()`.
//!
//! x402 lets a wallet pay for calls with prepaid USDC credit instead of an API key. These
//! calls use the client's wallet ([`ClientBuilder::wallet`](crate::ClientBuilder::wallet))
//! and never send the client's API key:
//!
//! - [`X402::balance`] and [`X402::transactions`]: the wallet's credit and its history, each
//!   call signed in afresh (`SIGN-IN-WITH-X`, see [`SignInWithX`](crate::web3::SignInWithX)).
//! - [`X402::top_up`]: buys credit with USDC on Base, the wallet signing an EIP-3009 transfer
//!   authorization for exactly the amount asked; [`X402::top_up_requirements`] only asks what
//!   a top-up accepts.
//!
//! [`Client::balance_remaining`] keeps the last credit these calls reported.
//!
//! ```no_run
//! use venice_api::{Client, web3::LocalSigner, x402::Usdc};
//!
//! # async fn demo() -> venice_api::Result<()> {
//! let wallet = LocalSigner::from_hex(&std::env::var("AGENT_PRIVATE_KEY").unwrap_or_default())?;
//! let client = Client::builder().wallet(wallet).build()?;
//! if !client.x402().balance().await?.data.can_consume {
//!     let top_up = client.x402().top_up(Usdc::dollars(10)).await?;
//!     println!("credited {} USD, {} USD left", top_up.data.amount_credited, top_up.data.new_balance);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! A wallet this client cannot hold (a Solana one) can still use the generated calls with a
//! sign-in made elsewhere: `client.call(|raw| raw.get_x402_balance().wallet_address(..)
//! .sign_in_with_x(..).send())`.

mod auto_top_up;
mod payment;
mod usdc;

use serde_json::Map;
use venice_api_gen::types::{GetX402BalanceResponse, GetX402TransactionsResponse, TopUpX402BalanceResponseData};

pub use auto_top_up::AutoTopUp;
pub(crate) use auto_top_up::AutoTopUpState;
pub use payment::{PaymentError, PaymentReceipt};
pub use usdc::{ParseUsdcError, Usdc};

use crate::client::Client;
use crate::error::{Error, PaymentRequired, PaymentRequirements, Result};
use crate::response::{self, Response};
use crate::web3::{SignerError, random_bytes};
use payment::Terms;

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

    /// The prepaid credit of the client's wallet. Also kept as
    /// [`Client::balance_remaining`].
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// let balance = client.x402().balance().await?;
    /// println!("{} USD of credit", balance.data.balance_usd);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn balance(&self) -> Result<Response<GetX402BalanceResponse>> {
        let sign_in = self.client.sign_in_with_x("x402().balance").await?;
        let wallet_address = sign_in.address().to_string();
        let call = self
            .client
            .raw()
            .get_x402_balance()
            .wallet_address(wallet_address.as_str())
            .sign_in_with_x(sign_in.expose_header_value());
        // The transport keeps any `X-Balance-Remaining`; the body's figure is the newest.
        let answer = response::decode(call.send()).await?;
        self.client.wallet_balance().record(answer.data.balance_usd);
        Ok(answer)
    }

    /// One page of the credit history of the client's wallet, newest first;
    /// `data.pagination.has_more` says whether another page follows.
    pub async fn transactions(&self, page: TransactionsPage) -> Result<Response<GetX402TransactionsResponse>> {
        if let Some(limit) = page.limit
            && !(1..=MAX_PAGE).contains(&limit)
        {
            return Err(Error::invalid("limit", format!("{limit}; between 1 and {MAX_PAGE}")));
        }
        let sign_in = self.client.sign_in_with_x("x402().transactions").await?;
        let wallet_address = sign_in.address().to_string();
        let mut call = self
            .client
            .raw()
            .get_x402_transactions()
            .wallet_address(wallet_address.as_str())
            .sign_in_with_x(sign_in.expose_header_value());
        if let Some(limit) = page.limit {
            call = call.limit(u64::from(limit));
        }
        if let Some(offset) = page.offset {
            call = call.offset(offset);
        }
        let answer = response::decode(call.send()).await?;
        self.client.wallet_balance().record(answer.data.current_balance);
        Ok(answer)
    }

    /// The payments a top-up accepts (network, token, least amount, receiving wallet). Venice
    /// gives them as a 402 answer; this returns them, and any other answer as an error. Needs
    /// no wallet.
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

    /// Buys `amount` of credit with the wallet's USDC on Base.
    ///
    /// Asks for the [`top_up_requirements`](Self::top_up_requirements), takes the USDC on
    /// Base offer (scheme `exact`, network `eip155:8453`, USDC's contract), checks `amount`
    /// against its minimum, and only then has the wallet sign an EIP-3009
    /// `TransferWithAuthorization` of exactly `amount` to the offer's receiver (EIP-712,
    /// with a random nonce, valid for the time the offer allows to settle, at most an hour),
    /// which goes to Venice as an x402 v2 payment (`PAYMENT-SIGNATURE`). The answer has what
    /// was credited, the new balance (also kept as [`Client::balance_remaining`]) and the
    /// settlement receipt when Venice sends a readable one.
    ///
    /// Refused before anything is signed: a zero `amount` ([`Error::InvalidArgument`]), a
    /// client without a wallet ([`Error::Config`]), an offer without USDC on Base or an
    /// amount below its minimum ([`Error::Payment`]), an offer that cannot be paid as written
    /// ([`Error::Decode`]). A wallet that cannot sign EIP-712 fails with
    /// [`SignerError::Unsupported`]. The payment is retried only when Venice cannot have
    /// acted on it (no connection, or a 429), and then with the same authorization, which can
    /// settle once at most.
    pub async fn top_up(&self, amount: Usdc) -> Result<Response<TopUp>> {
        if amount.is_zero() {
            return Err(Error::invalid("amount", "must be more than zero"));
        }
        let wallet = self.client.require_wallet("x402().top_up")?;
        let requirements = self.top_up_requirements().await?;
        let option = payment::base_usdc_option(&requirements)?;
        let terms = Terms::read(option)?;
        if amount < terms.minimum {
            return Err(PaymentError::BelowMinimum { amount, minimum: terms.minimum }.into());
        }

        let from = wallet.address();
        let authorization = terms.authorization(from, amount, random_bytes::<32>()?);
        let typed = terms.typed_data(authorization);
        let signature = wallet.sign_typed_data(&typed).await?;
        if signature.recover_address_from_prehash(&typed.signing_hash())? != from {
            return Err(
                SignerError::InvalidSignature("the wallet's EIP-712 signature is not by its own address").into()
            );
        }
        let header = payment::payment_header(&requirements, option, &authorization, &signature);

        let call = self.client.raw().top_up_x402_balance().payment_signature(header.as_str()).body(Map::new());
        let answer = response::decode(call.send()).await?;
        let receipt = answer
            .headers()
            .get(venice_api_gen::headers::names::PAYMENT_RESPONSE)
            .and_then(|value| PaymentReceipt::decode(value.as_bytes()));
        self.client.wallet_balance().record(answer.data.new_balance);
        Ok(answer.map(|body| TopUp { data: body.data, receipt }))
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
    /// What Venice credited (USD), the balance after it (USD), the payment's id and the wallet.
    pub data: TopUpX402BalanceResponseData,
    /// The settlement receipt of the `PAYMENT-RESPONSE` header; `None` when absent or
    /// unreadable.
    pub receipt: Option<PaymentReceipt>,
}

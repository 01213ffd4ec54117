//! An agent that pays for Venice with its wallet alone: no account, no API key.
//!
//! ```sh
//! AGENT_PRIVATE_KEY=0x... cargo run -p venice-api --features x402 --example wallet_agent
//! AGENT_PRIVATE_KEY=0x... cargo run -p venice-api --features x402 --example wallet_agent -- --top-up 10
//! ```
//!
//! `AGENT_PRIVATE_KEY` is the wallet's private key (64 hex characters, `0x` optional); it
//! signs locally and is never sent. The agent checks its prepaid credit (signing in with
//! `SIGN-IN-WITH-X`); with `--top-up USD` it buys that much credit with the wallet's USDC on
//! Base (it signs an EIP-3009 transfer authorization for exactly that amount; Venice's
//! minimum is $5). Then it asks a model a question, paying from the credit (each request
//! signed in afresh; should the credit run out mid-way, the client tops up the same amount
//! once more, never past twice that amount in all), and prints the credit left.
//! `VENICE_BASE_URL` sends the requests elsewhere (a proxy, a mock server).

use venice_api::chat::{ChatRequest, reply_text};
use venice_api::web3::LocalSigner;
use venice_api::x402::{AutoTopUp, PaymentError, Usdc};
use venice_api::{Client, Error};
use zeroize::Zeroizing;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let top_up = top_up_amount()?;
    // Wiped from memory when dropped; the signer keeps its own copy, wiped the same way.
    let private_key = Zeroizing::new(
        std::env::var("AGENT_PRIVATE_KEY").map_err(|_| "AGENT_PRIVATE_KEY must hold the wallet's private key")?,
    );
    let mut builder = Client::builder().wallet(LocalSigner::from_hex(&private_key)?);
    if let Some(amount) = top_up {
        // Bounded: one more top-up of the same amount at most, whatever the calls find.
        let budget = Usdc::from_base_units(amount.base_units().saturating_mul(2));
        builder = builder.auto_top_up(AutoTopUp::new(amount, budget));
    }
    if let Ok(base_url) = std::env::var("VENICE_BASE_URL") {
        builder = builder.base_url(base_url);
    }
    let client = builder.build()?;
    let wallet = client.wallet_address().expect("built with a wallet");

    let balance = client.x402().balance().await?;
    println!(
        "wallet {wallet}: {:.6} USD of credit{}",
        balance.data.balance_usd,
        if balance.data.can_consume { "" } else { " (not enough to make paid calls)" }
    );

    if let Some(amount) = top_up {
        println!("topping up {amount} USD with USDC on Base");
        match client.x402().top_up(amount).await {
            Ok(done) => {
                println!("credited {:.6} USD (payment {})", done.data.amount_credited, done.data.payment_id);
                if let Some(transaction) = done.receipt.as_ref().and_then(|r| r.transaction.as_deref()) {
                    println!("settled in transaction {transaction}");
                }
            }
            Err(Error::Payment(PaymentError::BelowMinimum { minimum, .. })) => {
                return Err(format!("Venice takes top-ups of at least {minimum} USD").into());
            }
            Err(error) => return Err(error.into()),
        }
    }

    let question = ChatRequest::new("venice-uncensored").user("In one sentence: what is x402?");
    let answer = client.chat().create(question).await?;
    println!("{}", reply_text(&answer).unwrap_or_default());

    match client.balance_remaining() {
        Some(usd) => println!("credit left: {usd:.6} USD"),
        None => println!("credit left: unknown"),
    }
    Ok(())
}

/// The amount of `--top-up USD`, if asked for.
fn top_up_amount() -> Result<Option<Usdc>, Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next(), args.next()) {
        (None, _, _) => Ok(None),
        (Some("--top-up"), Some(amount), None) => {
            Ok(Some(amount.parse().map_err(|e| format!("--top-up {amount}: {e}"))?))
        }
        _ => Err("usage: wallet_agent [--top-up USD]".into()),
    }
}

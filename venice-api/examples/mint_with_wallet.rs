//! Mints an inference key with an Ethereum wallet that holds staked VVV: no API key needed.
//!
//! ```sh
//! AGENT_PRIVATE_KEY=0x... cargo run -p venice-api --example mint_with_wallet
//! ```
//!
//! `AGENT_PRIVATE_KEY` is the wallet's private key (64 hex characters, `0x` optional). The
//! flow fetches a token from Venice, signs it with the wallet (EIP-191 `personal_sign`, done
//! locally: the private key is never sent), and posts the signature back. `VENICE_BASE_URL`
//! sends the requests elsewhere (a proxy, a mock server).
//!
//! The answer holds the new key's secret, shown this once: a real agent would keep it in its
//! secret store. This one prints only its last characters.

use venice_api::types::{ApiKeyType, LimitPeriod};
use venice_api::web3::LocalSigner;
use venice_api::{Client, Error, ExposeSecret as _, WalletRejection};
use zeroize::Zeroizing;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Wiped from memory when dropped; the signer keeps its own copy, wiped the same way.
    let private_key = Zeroizing::new(
        std::env::var("AGENT_PRIVATE_KEY").map_err(|_| "AGENT_PRIVATE_KEY must hold the wallet's private key")?,
    );
    let wallet = LocalSigner::from_hex(&private_key)?;

    // Minting needs no API key, so the client is built without one. Calls that need a key
    // would fail before sending.
    let mut builder = Client::builder().without_api_key();
    if let Ok(base_url) = std::env::var("VENICE_BASE_URL") {
        builder = builder.base_url(base_url);
    }
    let client = builder.build()?;

    println!("minting a key for wallet {}", wallet.address());
    let minted = client
        .api_keys()
        .mint_with_wallet(&wallet, ApiKeyType::Inference)
        .description("venice-rs agent")
        .consumption_limit_diem(25.5)
        .limit_period(LimitPeriod::Lifetime)
        .send()
        .await;

    let minted = match minted {
        Ok(minted) => minted,
        Err(err) => return Err(explain(err)),
    };
    // Only the id and the secret are sure to be there; the rest is read when it can be.
    let key = &*minted;
    let kind = key.api_key_type.as_ref().map_or("(unstated)".to_owned(), ToString::to_string);
    println!("minted {kind} key {}", key.id);
    println!("  secret:      …{} (shown once; store it now)", last_chars(key.api_key.expose_secret(), 4));
    println!("  description: {}", key.description.as_deref().unwrap_or("(none)"));
    let diem = key
        .consumption_limit
        .as_ref()
        .and_then(|limit| limit.diem)
        .map_or("none".to_owned(), |diem| format!("{diem} Diem"));
    let period = key.limit_period.as_ref().map_or("(unstated)".to_owned(), ToString::to_string);
    println!("  limit:       {diem} per {period}");
    Ok(())
}

/// The last `n` characters of `secret`, and never more than half of it.
fn last_chars(secret: &str, n: usize) -> String {
    let count = secret.chars().count();
    secret.chars().skip(count - n.min(count / 2)).collect()
}

/// Explains a refusal of the wallet flow; anything else is returned as it is.
fn explain(err: Error) -> Box<dyn std::error::Error> {
    // An expired (or altered) token is refreshed once, and a signature Venice could not verify
    // is sent again with backoff, by the flow itself: what comes back here is final.
    match err.wallet_rejection() {
        Some(WalletRejection::NotStaked) => eprintln!("the wallet has no staked VVV; stake some first"),
        Some(WalletRejection::SignatureMismatch) => {
            eprintln!("the signature does not match the address: does the signer sign with this key?")
        }
        Some(WalletRejection::TokenExpired) => eprintln!("the token expired again; is the clock right?"),
        Some(rejection) => eprintln!("Venice refused the wallet proof: {rejection}"),
        None if err.is_rate_limited() => eprintln!("rate limited; try again later"),
        None => {
            if let Error::Signer(signer) = &err {
                eprintln!("the wallet could not sign: {signer}");
            }
        }
    }
    err.into()
}

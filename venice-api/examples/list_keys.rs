//! Lists the API keys of the account: id, type, the last characters of the secret (Venice
//! never returns a key's secret after creating it), description and spending caps.
//!
//! ```sh
//! VENICE_API_KEY=... cargo run -p venice-api --example list_keys
//! ```
//!
//! Needs an admin key. `VENICE_BASE_URL` sends the requests elsewhere (a proxy, a mock server).

use venice_api::{ApiErrorKind, Client, Error};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // VENICE_API_KEY (required) and VENICE_BASE_URL (optional) from the environment.
    let client = Client::from_env()?;

    let keys = match client.api_keys().list().await {
        Ok(keys) => keys,
        Err(err) => return Err(explain(&client, err)),
    };

    println!("{} key(s) at {}", keys.data.len(), client.base_url());
    for key in &keys.data {
        let caps = &key.consumption_limits;
        println!(
            "{}  {:<9}  …{}  {:<24}  limit {} (usd {}, diem {}), last used {}",
            key.id,
            key.api_key_type.to_string(),
            key.last6_chars,
            key.description.as_deref().unwrap_or("(no description)"),
            key.limit_period,
            caps.usd.map_or("none".to_owned(), |v| v.to_string()),
            caps.diem.map_or("none".to_owned(), |v| v.to_string()),
            key.last_used_at.as_deref().unwrap_or("never"),
        );
    }

    // Every response carries the rate-limit headers of its answer, and a request id.
    let limits = keys.rate_limits();
    if let (Some(remaining), Some(limit)) = (limits.remaining_requests, limits.limit_requests) {
        println!("{remaining} of {limit} requests left in this window");
    }
    if let Some(id) = keys.request_id() {
        println!("request id {id}");
    }
    Ok(())
}

/// Turns the common failures into a hint; anything else is returned as it is.
fn explain(client: &Client, err: Error) -> Box<dyn std::error::Error> {
    if err.is_rate_limited() {
        // The client already waited and retried as far as its policy allows (see
        // `venice_api::retry`); the reset time tells when to try again.
        let reset = err.api().and_then(|api| api.rate_limits.reset_requests);
        eprintln!("rate limited; the window resets at {reset:?} (Unix seconds)");
    } else if let Some(api) = err.api() {
        match api.kind {
            ApiErrorKind::Unauthorized => eprintln!("the key in VENICE_API_KEY was refused"),
            ApiErrorKind::Forbidden => eprintln!("listing keys needs an admin key, not an inference key"),
            _ => eprintln!("Venice refused the call (request id {:?})", err.request_id()),
        }
    } else if let Error::Timeout { .. } | Error::Transport { .. } = err {
        eprintln!("no answer from {}; is VENICE_BASE_URL right?", client.base_url());
    }
    err.into()
}

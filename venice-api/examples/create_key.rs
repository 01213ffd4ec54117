//! Creates an inference key capped at $5 a month that expires in 30 days.
//!
//! ```sh
//! VENICE_API_KEY=... cargo run -p venice-api --example create_key -- "my batch job"
//! ```
//!
//! The first argument is the key's description (default "venice-rs example"). Needs an admin
//! key. `VENICE_BASE_URL` sends the request elsewhere (a proxy, a mock server).
//!
//! The answer holds the new key's secret, and it is the only time Venice shows it: a real
//! program would hand it straight to a secret store. This one prints only its last characters.

use chrono::{Duration, Utc};
use venice_api::api_keys::CreateApiKey;
use venice_api::types::LimitPeriod;
use venice_api::{ApiErrorKind, Client, Error, ExposeSecret as _};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let description = std::env::args().nth(1).unwrap_or_else(|| "venice-rs example".to_owned());

    // VENICE_API_KEY (required) and VENICE_BASE_URL (optional) from the environment.
    let client = Client::from_env()?;

    // The builder checks its arguments (description length, caps, expiry in the future)
    // before anything is sent.
    let request = CreateApiKey::inference(description)
        .consumption_limit_usd(5.0)
        .limit_period(LimitPeriod::Month)
        .expires_at(Utc::now() + Duration::days(30));

    let created = match client.api_keys().create(request).await {
        Ok(created) => created,
        Err(err) => return Err(explain(err)),
    };

    // Only the id and the secret are sure to be there; the rest is read when it can be.
    let key = &*created;
    let kind = key.api_key_type.as_ref().map_or("(unstated)".to_owned(), ToString::to_string);
    println!("created {kind} key {}", key.id);
    println!("  secret:      …{} (shown once; store it now)", last_chars(key.api_key.expose_secret(), 4));
    println!("  description: {}", key.description.as_deref().unwrap_or("(none)"));
    let usd =
        key.consumption_limit.as_ref().and_then(|limit| limit.usd).map_or("none".to_owned(), |usd| format!("${usd}"));
    let period = key.limit_period.as_ref().map_or("(unstated)".to_owned(), ToString::to_string);
    println!("  limit:       {usd} per {period}");
    println!("  expires:     {}", key.expires_at.map_or("never".to_owned(), |at| at.to_rfc3339()));
    if let Some(remaining) = created.rate_limits().remaining_requests {
        println!("{remaining} requests left in this rate-limit window");
    }
    Ok(())
}

/// The last `n` characters of `secret`, and never more than half of it.
fn last_chars(secret: &str, n: usize) -> String {
    let count = secret.chars().count();
    secret.chars().skip(count - n.min(count / 2)).collect()
}

/// Turns the common failures into a hint; anything else is returned as it is.
fn explain(err: Error) -> Box<dyn std::error::Error> {
    match &err {
        // Refused before sending: nothing reached the server.
        Error::InvalidArgument { argument, reason, .. } => eprintln!("fix `{argument}`: {reason}"),
        // Creating a key is not retried after a timeout or a 5xx, since the key may exist by
        // now: look before trying again, or you may end up with two.
        Error::Timeout { .. } => eprintln!("no answer in time; run the list_keys example before trying again"),
        // The key exists, but not even its id and secret could be read from the answer: the
        // whole answer is kept in the error (never printed), for a person to look at.
        _ if err.raw_body().is_some() => {
            eprintln!("the key was created but the answer could not be read; `Error::raw_body` holds it")
        }
        Error::Api(api) if api.kind == ApiErrorKind::Server => {
            eprintln!("server error; run the list_keys example before trying again")
        }
        // 429 is retried (the server cannot have acted); this is what is left after that.
        _ if err.is_rate_limited() => eprintln!("rate limited; try again later"),
        Error::Api(api) if api.kind == ApiErrorKind::Forbidden => eprintln!("creating keys needs an admin key"),
        Error::Api(api) if api.kind == ApiErrorKind::BadRequest => {
            eprintln!("Venice refused the request: {} {:?}", api.message, api.details)
        }
        _ => {}
    }
    err.into()
}

//! Asks for an answer shaped like a Rust type and reads it back as that type: no JSON Schema
//! written by hand.
//!
//! ```sh
//! VENICE_API_KEY=... cargo run -p venice-api --example structured_output -- "Lisbon"
//! ```
//!
//! `VENICE_BASE_URL` sends the request elsewhere (a proxy, a mock server).

use schemars::JsonSchema;
use serde::Deserialize;
use venice_api::chat::ChatRequest;
use venice_api::structured::ParseOutput;
use venice_api::{Client, Error};

/// What the model is asked to fill in.
#[derive(Debug, Deserialize, JsonSchema)]
struct CityFacts {
    /// The city's name, as usually written in English.
    name: String,
    /// The country it is in.
    country: String,
    /// Inhabitants of the city proper, when the model knows.
    population: Option<u64>,
    /// Three things visitors go to see.
    sights: Vec<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let city = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let city = if city.is_empty() { "Lisbon".to_owned() } else { city };
    let client = Client::from_env()?;

    let request = ChatRequest::new("venice-uncensored").user(format!("Facts about {city}.")).output::<CityFacts>();
    let completion = client.chat().create(request).await?;
    match completion.parse::<CityFacts>() {
        Ok(facts) => {
            let population = facts.population.map_or_else(|| "unknown".to_owned(), |n| n.to_string());
            println!("{}, {} (population {population})", facts.name, facts.country);
            for sight in &facts.sights {
                println!("- {sight}");
            }
        }
        // The raw text is kept, to show or log when the model strays from the schema.
        Err(error) => {
            eprintln!("not the shape asked for: {error}");
            return Err(Error::from(error).into());
        }
    }
    Ok(())
}

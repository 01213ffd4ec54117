//! A weather agent: two typed tools, and the loop that runs them until the model answers.
//!
//! ```sh
//! VENICE_API_KEY=... cargo run -p venice-api --example tools_agent -- "Should I take an umbrella in Lisbon or Porto?"
//! ```
//!
//! `VENICE_BASE_URL` sends the requests elsewhere (a proxy, a mock server).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use venice_api::Client;
use venice_api::chat::ChatRequest;
use venice_api::tools::{RunEnd, RunLimits, Tool};

/// The arguments of `get_weather`; the doc comments become the schema's descriptions.
#[derive(Deserialize, JsonSchema)]
struct WeatherQuery {
    /// The city, such as "Lisbon".
    city: String,
    /// The unit of the temperature; Celsius when left out.
    unit: Option<Unit>,
}

#[derive(Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Unit {
    Celsius,
    Fahrenheit,
}

#[derive(Serialize)]
struct Weather {
    city: String,
    temperature: f64,
    rain_chance: f64,
}

/// The arguments of `get_time`.
#[derive(Deserialize, JsonSchema)]
struct TimeQuery {
    /// An IANA time zone, such as "Europe/Lisbon".
    zone: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let question = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let question = if question.is_empty() { "Should I take an umbrella in Lisbon today?".to_owned() } else { question };
    let client = Client::from_env()?;

    let weather = Tool::new("get_weather", "Current weather of a city", |query: WeatherQuery| async move {
        // A real agent would call a weather service here.
        let celsius = if query.city.eq_ignore_ascii_case("porto") { 15.0 } else { 19.0 };
        let temperature = match query.unit.unwrap_or(Unit::Celsius) {
            Unit::Celsius => celsius,
            Unit::Fahrenheit => celsius * 9.0 / 5.0 + 32.0,
        };
        Ok::<_, String>(Weather { city: query.city, temperature, rain_chance: 0.3 })
    });
    let time = Tool::new("get_time", "Current local time in a time zone", |query: TimeQuery| async move {
        if query.zone.contains('/') { Ok(format!("14:05 in {}", query.zone)) } else { Err("not an IANA time zone") }
    });

    let request = ChatRequest::new("venice-uncensored").system("Use the tools; answer briefly.").user(question);
    let run = client.chat().run_tools(request, &[weather, time], RunLimits::steps(5)).await?;

    for call in &run.calls {
        eprintln!("step {}: {}({}) -> {:?}", call.step, call.name, call.arguments, call.result);
    }
    match run.end {
        RunEnd::Answered => println!("{}", run.text().unwrap_or_default()),
        RunEnd::StepLimit => eprintln!("no answer after {} steps", run.steps),
    }
    Ok(())
}

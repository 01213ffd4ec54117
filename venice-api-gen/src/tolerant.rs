//! How the generated types read answers a newer server may send: the helpers that the code
//! passes of `cargo xtask regen` (`xtask/src/code/`) make generated `Deserialize` impls and
//! field attributes call.
//!
//! A server that gains a model type, a finish reason or an output kind, or that writes `null`
//! where it used to leave a list out, must not make every deployed client fail the whole call.
//! So an answer's enums keep a value they do not know (`Unknown`), and `null` reads as a
//! field left out. Requests are not read with these: what the caller sends stays checked.

use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// Reads a string enum of an answer: a value the type knows becomes its variant (through the
/// type's strict `FromStr`), any other string becomes `unknown(value)`.
pub fn string_enum<'de, D, T>(deserializer: D, unknown: fn(String) -> T) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
{
    struct Text<T> {
        unknown: fn(String) -> T,
        value: PhantomData<fn() -> T>,
    }

    impl<T: FromStr> Visitor<'_> for Text<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
            Ok(value.parse().unwrap_or_else(|_| (self.unknown)(value.to_owned())))
        }

        fn visit_string<E: de::Error>(self, value: String) -> Result<T, E> {
            match value.parse() {
                Ok(known) => Ok(known),
                Err(_) => Ok((self.unknown)(value)),
            }
        }
    }

    deserializer.deserialize_str(Text { unknown, value: PhantomData })
}

/// Reads an optional field of an answer whose absence means its type's default (an empty
/// list, `false`): `null` means the same.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Reason {
        Stop,
        Unknown(String),
    }

    impl FromStr for Reason {
        type Err = ();
        fn from_str(value: &str) -> Result<Self, ()> {
            if value == "stop" { Ok(Reason::Stop) } else { Err(()) }
        }
    }

    fn reason(json: &str) -> Result<Reason, serde_json::Error> {
        string_enum(&mut serde_json::Deserializer::from_str(json), Reason::Unknown)
    }

    #[test]
    fn a_known_value_reads_as_its_variant() {
        assert_eq!(reason(r#""stop""#).unwrap(), Reason::Stop);
    }

    #[test]
    fn an_unknown_value_is_kept_as_sent() {
        assert_eq!(reason(r#""content_filter""#).unwrap(), Reason::Unknown("content_filter".into()));
        assert_eq!(reason(r#""with \"escapes\"""#).unwrap(), Reason::Unknown("with \"escapes\"".into()));
    }

    #[test]
    fn a_value_that_is_not_a_string_is_still_refused() {
        assert!(reason("1").is_err());
        assert!(reason("null").is_err());
    }

    #[test]
    fn null_reads_as_the_default() {
        let list: Vec<u8> = null_as_default(&mut serde_json::Deserializer::from_str("null")).unwrap();
        assert!(list.is_empty());
        let list: Vec<u8> = null_as_default(&mut serde_json::Deserializer::from_str("[1]")).unwrap();
        assert_eq!(list, [1]);
    }
}

//! How the generated [`DeclaredHeaders`](crate::headers::DeclaredHeaders) reads one header:
//! leniently, so that a value in a shape its schema does not allow is `None`, never an error
//! (a proxy or a newer server may send anything).

use reqwest::header::HeaderMap;

/// Longest header value read; a longer one (hostile or broken) is `None`.
const MAX_VALUE_BYTES: usize = 8 * 1024;

fn value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let value = headers.get(name)?;
    if value.len() > MAX_VALUE_BYTES {
        return None;
    }
    let text = value.to_str().ok()?.trim();
    (!text.is_empty()).then_some(text)
}

pub(crate) fn text(headers: &HeaderMap, name: &str) -> Option<String> {
    value(headers, name).map(str::to_owned)
}

pub(crate) fn flag(headers: &HeaderMap, name: &str) -> Option<bool> {
    let text = value(headers, name)?;
    if text.eq_ignore_ascii_case("true") || text == "1" {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") || text == "0" {
        Some(false)
    } else {
        None
    }
}

pub(crate) fn integer(headers: &HeaderMap, name: &str) -> Option<i64> {
    value(headers, name)?.parse().ok()
}

pub(crate) fn number(headers: &HeaderMap, name: &str) -> Option<f64> {
    value(headers, name)?.parse::<f64>().ok().filter(|n| n.is_finite())
}

pub(crate) fn date_time(headers: &HeaderMap, name: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = value(headers, name)?;
    chrono::DateTime::parse_from_rfc3339(text)
        .or_else(|_| chrono::DateTime::parse_from_rfc2822(text))
        .ok()
        .map(|at| at.with_timezone(&chrono::Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(value: &'static [u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-h", HeaderValue::from_bytes(value).unwrap());
        headers
    }

    #[test]
    fn a_value_that_does_not_parse_is_absent() {
        assert_eq!(number(&headers(b"lots"), "x-h"), None);
        assert_eq!(number(&headers(b"NaN"), "x-h"), None);
        assert_eq!(integer(&headers(b"1.5"), "x-h"), None);
        assert_eq!(flag(&headers(b"maybe"), "x-h"), None);
        assert_eq!(date_time(&headers(b"tomorrow"), "x-h"), None);
        assert_eq!(text(&headers(b"\xff\xfe"), "x-h"), None);
        assert_eq!(text(&headers(b"   "), "x-h"), None);
    }

    #[test]
    fn values_are_read_as_their_schema_says() {
        assert_eq!(number(&headers(b" 12.50 "), "X-H"), Some(12.5));
        assert_eq!(integer(&headers(b"42"), "x-h"), Some(42));
        assert_eq!(flag(&headers(b"TRUE"), "x-h"), Some(true));
        assert_eq!(date_time(&headers(b"2026-03-01T00:00:00Z"), "x-h").map(|t| t.timestamp()), Some(1_772_323_200));
    }

    #[test]
    fn an_oversized_value_is_absent() {
        let mut map = HeaderMap::new();
        map.insert("x-h", HeaderValue::from_str(&"1".repeat(MAX_VALUE_BYTES + 1)).unwrap());
        assert_eq!(text(&map, "x-h"), None);
    }
}

//! Each Augment call sends the request the spec describes and decodes the answer.

#![cfg(feature = "augment")]

mod common;

use common::{client, ok_fixture, received};
use serde_json::json;
use venice_api::augment::{Document, WebSearch};
use venice_api::types::WebSearchRequestSearchProvider;
use venice_api::{ApiErrorKind, Error};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const BEARER: &str = "Bearer vk-test-5f1c9a0e4b7d2c8a";

fn api(error: &Error) -> &venice_api::ApiError {
    error.api().unwrap_or_else(|| panic!("expected an API error, got {error:?}"))
}

/// The parts of a multipart body: (headers, content) per part, split on the boundary that
/// the request's content type names.
fn multipart_parts(request: &Request) -> Vec<(String, Vec<u8>)> {
    let content_type = request.headers.get("content-type").unwrap().to_str().unwrap();
    let boundary = content_type.split("boundary=").nth(1).expect("a multipart boundary");
    let delimiter = format!("--{boundary}");
    let body = &request.body;
    let mut parts = Vec::new();
    let mut rest: &[u8] = body;
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let end = find(rest, delimiter.as_bytes()).unwrap_or(rest.len());
        let part = &rest[2..end - 2]; // drop the CRLF after the delimiter and before the next
        let split = find(part, b"\r\n\r\n").unwrap();
        parts.push((String::from_utf8(part[..split].to_vec()).unwrap(), part[split + 4..].to_vec()));
    }
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[tokio::test]
async fn parse_document_uploads_the_file_as_multipart_and_decodes_the_text() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/augment/text-parser"))
        .and(header("authorization", BEARER))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"text": "Hello, parser.", "tokens": 4})))
        .expect(1)
        .mount(&server)
        .await;

    let document = Document::new("notes.txt", b"Hello, parser.".to_vec());
    let parsed = client(&server).augment().parse_document(document).await.unwrap();

    assert_eq!(parsed.text, "Hello, parser.");
    assert_eq!(parsed.tokens, 4.0);
    let request = &received(&server).await[0];
    assert!(request.headers.get("content-type").unwrap().to_str().unwrap().starts_with("multipart/form-data"));
    let parts = multipart_parts(request);
    assert_eq!(parts.len(), 2);
    let (file_headers, file) = &parts[0];
    assert!(file_headers.contains(r#"name="file"; filename="notes.txt""#), "{file_headers}");
    assert!(file_headers.to_ascii_lowercase().contains("content-type: text/plain"), "{file_headers}");
    assert_eq!(file, b"Hello, parser.");
    let (format_headers, format) = &parts[1];
    assert!(format_headers.contains(r#"name="response_format""#), "{format_headers}");
    assert_eq!(format, b"json");
}

#[tokio::test]
async fn parse_document_text_asks_for_plain_text_and_returns_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/augment/text-parser"))
        .respond_with(
            ResponseTemplate::new(200).insert_header("content-type", "text/plain").set_body_string("Page 1\n\nPage 2"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let document = Document::new("report.pdf", b"%PDF-1.7 ...".to_vec());
    let text = client(&server).augment().parse_document_text(document).await.unwrap();

    assert_eq!(text.body(), "Page 1\n\nPage 2");
    let parts = multipart_parts(&received(&server).await[0]);
    assert!(parts[0].0.to_ascii_lowercase().contains("content-type: application/pdf"), "{}", parts[0].0);
    assert_eq!(parts[1].1, b"text");
}

#[tokio::test]
async fn parse_document_of_an_unreadable_file_is_a_bad_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/augment/text-parser"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "Unsupported file type"})))
        .mount(&server)
        .await;

    let error =
        client(&server).augment().parse_document(Document::new("image.png", vec![0x89, b'P'])).await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::BadRequest);
    assert_eq!(api(&error).message, "Unsupported file type");
}

#[tokio::test]
async fn an_empty_document_is_refused_before_sending() {
    let server = MockServer::start().await;

    let error = client(&server).augment().parse_document(Document::new("empty.pdf", Vec::new())).await.unwrap_err();

    assert!(matches!(error, Error::InvalidArgument { argument: "document", .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn scrape_sends_the_url_and_decodes_the_markdown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/augment/scrape"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({"url": "https://example.org/post"})))
        .respond_with(ok_fixture("webScrape"))
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server).augment().scrape("https://example.org/post").await.unwrap();

    assert_eq!(page.content, "# A post\n\nSome text.");
}

#[tokio::test]
async fn scrape_of_a_blocked_site_is_forbidden() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/augment/scrape"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": "This site blocks scraping"})))
        .mount(&server)
        .await;

    let error = client(&server).augment().scrape("https://example.org/").await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::Forbidden);
    assert_eq!(api(&error).message, "This site blocks scraping");
}

#[tokio::test]
async fn scrape_refuses_a_non_http_url_before_sending() {
    let server = MockServer::start().await;

    let error = client(&server).augment().scrape("file:///etc/passwd").await.unwrap_err();

    assert!(matches!(error, Error::InvalidArgument { argument: "url", .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn search_sends_the_query_limit_and_provider_and_decodes_the_results() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/augment/search"))
        .and(header("authorization", BEARER))
        .and(body_json(json!({"query": "rust async runtimes", "limit": 5, "search_provider": "google"})))
        .respond_with(ok_fixture("webSearch"))
        .expect(1)
        .mount(&server)
        .await;

    let search = WebSearch::new("rust async runtimes").limit(5).provider(WebSearchRequestSearchProvider::Google);
    let found = client(&server).augment().search(search).await.unwrap();

    assert_eq!(found.results[0].title, "Async in Rust");
    assert_eq!(found.results[0].date, "2025-11-02");
}

#[tokio::test]
async fn search_out_of_balance_is_payment_required() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/augment/search"))
        .respond_with(ResponseTemplate::new(402).set_body_json(json!({"error": "Insufficient balance"})))
        .mount(&server)
        .await;

    let error = client(&server).augment().search(WebSearch::new("q")).await.unwrap_err();

    assert_eq!(api(&error).kind, ApiErrorKind::PaymentRequired);
    assert_eq!(api(&error).message, "Insufficient balance");
    assert_eq!(error.payment_requirements(), None);
}

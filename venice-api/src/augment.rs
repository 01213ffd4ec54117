//! Document parsing, web scraping and web search: `client.augment()`.
//!
//! Their answers feed a model's context: the text of a document
//! ([`parse_document`](Augment::parse_document)), a web page as Markdown
//! ([`scrape`](Augment::scrape)), search results ([`search`](Augment::search)). Each call is
//! paid; an account out of balance gets a 402 ([`ApiErrorKind::PaymentRequired`](crate::ApiErrorKind::PaymentRequired)).

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use venice_api_gen::types::{
    WebScrapeResponse, WebSearchRequest, WebSearchRequestSearchProvider, WebSearchResponse, builder,
};

use venice_api_gen::operations;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::response::{self, Response};

/// The text of a document (the answer of [`Augment::parse_document`]). Defined here, after
/// the spec: the operation's body is a multipart form, so the generated client leaves the
/// operation, and with it this answer's type, to the facade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ParsedDocument {
    /// The extracted text.
    pub text: String,
    /// How many tokens the text counts.
    pub tokens: f64,
}

/// The most characters a search query may have.
const MAX_QUERY_CHARS: usize = 400;

/// The most results a search may return.
const MAX_RESULTS: u8 = 20;

/// Document parsing, web scraping and web search. Every call needs an API key.
#[derive(Debug, Clone, Copy)]
pub struct Augment<'c> {
    client: &'c Client,
}

impl<'c> Augment<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// The text of `document` (PDF, DOCX, PPTX, XLSX or plain text) and its token count.
    /// Venice reads it in memory and keeps nothing.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::augment::Document;
    ///
    /// let pdf = tokio::fs::read("report.pdf").await?;
    /// let parsed = client.augment().parse_document(Document::new("report.pdf", pdf)).await?;
    /// println!("{} tokens: {}", parsed.tokens, &parsed.text[..parsed.text.len().min(200)]);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn parse_document(&self, document: Document) -> Result<Response<ParsedDocument>> {
        self.client.require_credentials("augment().parse_document", &operations::CREATE_TEXT_PARSER)?;
        let answer = self.send_document(document, "json").await?;
        response::json(answer).await
    }

    /// The text of `document` alone, as plain text (no token count).
    pub async fn parse_document_text(&self, document: Document) -> Result<Response<String>> {
        self.client.require_credentials("augment().parse_document_text", &operations::CREATE_TEXT_PARSER)?;
        let answer = self.send_document(document, "text").await?;
        response::text(answer).await
    }

    /// `POST /augment/text-parser` as a multipart form, built afresh for each attempt.
    async fn send_document(&self, document: Document, response_format: &'static str) -> Result<reqwest::Response> {
        let Document { file_name, bytes, mime_type } = document.checked()?;
        self.client
            .send_built(&operations::CREATE_TEXT_PARSER, |request_builder| {
                let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(file_name.clone());
                // `checked` made sure the media type parses.
                let part = match part.mime_str(&mime_type) {
                    Ok(part) => part,
                    Err(_) => reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(file_name.clone()),
                };
                let form = reqwest::multipart::Form::new().part("file", part).text("response_format", response_format);
                request_builder.multipart(form)
            })
            .await
    }

    /// The public page at `url` (http or https) as Markdown. Sites known to keep bots out
    /// are refused at once.
    pub async fn scrape(&self, url: &str) -> Result<Response<WebScrapeResponse>> {
        self.client.require_credentials("augment().scrape", &operations::WEB_SCRAPE)?;
        let url = reqwest::Url::parse(url.trim()).map_err(|e| Error::invalid("url", e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::invalid("url", format!("{} is not an http(s) URL", url.scheme())));
        }
        let body = builder::WebScrapeRequest::default().url(url.to_string());
        response::decode(self.client.raw().web_scrape().body(body).send()).await
    }

    /// Runs a web search: titles, links, snippets and dates.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::augment::WebSearch;
    ///
    /// let found = client.augment().search(WebSearch::new("rust async runtimes").limit(5)).await?;
    /// for result in &found.results {
    ///     println!("{} <{}>", result.title, result.url);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn search(&self, search: WebSearch) -> Result<Response<WebSearchResponse>> {
        self.client.require_credentials("augment().search", &operations::WEB_SEARCH)?;
        let body = search.into_body()?;
        response::decode(self.client.raw().web_search().body(body).send()).await
    }
}

/// A document for [`Augment::parse_document`]: its bytes and file name, from which the media
/// type is guessed unless given.
#[derive(Debug, Clone)]
pub struct Document {
    file_name: String,
    bytes: Bytes,
    mime_type: String,
}

impl Document {
    /// The document `file_name` (such as `report.pdf`) holding `bytes`.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        let file_name = file_name.into();
        let mime_type = guess_mime_type(&file_name).to_owned();
        Self { file_name, bytes: bytes.into(), mime_type }
    }

    /// The media type to send instead of the one guessed from the file name.
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = mime_type.into();
        self
    }

    fn checked(self) -> Result<Self> {
        if self.file_name.trim().is_empty() {
            return Err(Error::invalid("file_name", "must not be empty"));
        }
        if self.bytes.is_empty() {
            return Err(Error::invalid("document", "is empty"));
        }
        if reqwest::multipart::Part::bytes(Vec::new()).mime_str(&self.mime_type).is_err() {
            return Err(Error::invalid("mime_type", format!("{:?} is not a media type", self.mime_type)));
        }
        Ok(self)
    }
}

/// The media type of the formats Venice reads, from the file name's extension.
fn guess_mime_type(file_name: &str) -> &'static str {
    let extension = file_name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "txt" | "text" | "md" | "csv" => "text/plain",
        _ => "application/octet-stream",
    }
}

/// A web search for [`Augment::search`], checked before anything is sent.
#[derive(Debug, Clone)]
pub struct WebSearch {
    query: String,
    limit: Option<u8>,
    provider: Option<WebSearchRequestSearchProvider>,
}

impl WebSearch {
    /// A search for `query` (1 to 400 characters), with Venice's defaults: Brave, 10 results.
    pub fn new(query: impl Into<String>) -> Self {
        Self { query: query.into(), limit: None, provider: None }
    }

    /// At most `limit` results (1 to 20).
    pub fn limit(mut self, limit: u8) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The search engine (Brave unless set).
    pub fn provider(mut self, provider: WebSearchRequestSearchProvider) -> Self {
        self.provider = Some(provider);
        self
    }

    fn into_body(self) -> Result<WebSearchRequest> {
        let query = self.query.trim();
        let chars = query.chars().count();
        if chars == 0 {
            return Err(Error::invalid("query", "must not be empty"));
        }
        if chars > MAX_QUERY_CHARS {
            return Err(Error::invalid("query", format!("{chars} characters; at most {MAX_QUERY_CHARS}")));
        }
        let mut body = builder::WebSearchRequest::default().query(query.to_owned()).search_provider(self.provider);
        if let Some(limit) = self.limit {
            if !(1..=MAX_RESULTS).contains(&limit) {
                return Err(Error::invalid("limit", format!("{limit}; between 1 and {MAX_RESULTS}")));
            }
            body = body.limit(std::num::NonZeroU64::new(u64::from(limit)).expect("checked to be at least 1"));
        }
        body.try_into()
            .map_err(|e: venice_api_gen::types::error::ConversionError| Error::invalid("search", e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::error::refused;

    #[test]
    fn an_empty_or_overlong_query_is_refused() {
        assert_eq!(refused(WebSearch::new("  ").into_body()), "query");
        assert_eq!(refused(WebSearch::new("q".repeat(401)).into_body()), "query");
    }

    #[test]
    fn a_limit_outside_1_to_20_is_refused() {
        assert_eq!(refused(WebSearch::new("q").limit(0).into_body()), "limit");
        assert_eq!(refused(WebSearch::new("q").limit(21).into_body()), "limit");
    }

    #[test]
    fn an_empty_document_is_refused() {
        assert_eq!(refused(Document::new("a.pdf", Vec::new()).checked()), "document");
        assert_eq!(refused(Document::new(" ", vec![1]).checked()), "file_name");
        assert_eq!(refused(Document::new("a.pdf", vec![1]).mime_type("not a type").checked()), "mime_type");
    }

    #[test]
    fn media_types_are_guessed_from_the_extension() {
        assert_eq!(guess_mime_type("Report.PDF"), "application/pdf");
        assert_eq!(guess_mime_type("notes.txt"), "text/plain");
        assert_eq!(guess_mime_type("blob"), "application/octet-stream");
    }
}

//! Public characters and their reviews: `client.characters()`.
//!
//! Venice marks these calls as a preview: the shapes may change.

use std::num::NonZeroU64;

use venice_api_gen::types::{
    self, GetCharacterBySlugResponse, GetCharacterReviewsResponse, ListCharactersResponse, ListCharactersSortBy,
    ListCharactersSortOrder,
};

use venice_api_gen::operations;

use crate::client::Client;
use crate::error::{Error, Result, non_empty};
use crate::response::{self, Response};

/// The most characters (and reviews) one page may hold.
const MAX_PAGE_SIZE: u64 = 100;
/// The most values a list filter (tags, categories, model IDs) may have.
const MAX_FILTER_VALUES: usize = 20;

/// Public characters and their reviews.
#[derive(Debug, Clone, Copy)]
pub struct Characters<'c> {
    client: &'c Client,
}

impl<'c> Characters<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// The public characters `query` selects, one page of them.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// use venice_api::characters::CharacterQuery;
    /// use venice_api::types::ListCharactersSortBy;
    ///
    /// let query = CharacterQuery::new().search("chess").tag("teacher").adult(false).sort_by(ListCharactersSortBy::HighestRating).limit(10);
    /// for character in &client.characters().list(query).await?.data {
    ///     println!("{} ({})", character.name, character.slug);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list(&self, query: CharacterQuery) -> Result<Response<ListCharactersResponse>> {
        self.client.require_credentials("characters().list", &operations::LIST_CHARACTERS)?;
        let q = query.checked()?;
        let call = self.client.raw().list_characters();
        let call = set(call, (!q.categories.is_empty()).then_some(q.categories), |c, v| c.categories(v));
        let call = set(call, (!q.tags.is_empty()).then_some(q.tags), |c, v| c.tags(v));
        let call = set(call, (!q.model_ids.is_empty()).then_some(q.model_ids), |c, v| c.model_id(v));
        let call = set(call, q.search, |c, v| c.search(v));
        let call = set(call, q.adult, |c, v| c.is_adult(flag::<types::ListCharactersIsAdult>(v)));
        let call = set(call, q.pro, |c, v| c.is_pro(flag::<types::ListCharactersIsPro>(v)));
        let call = set(call, q.web_enabled, |c, v| c.is_web_enabled(flag::<types::ListCharactersIsWebEnabled>(v)));
        let call = set(call, q.limit, |c, v| c.limit(v));
        let call = set(call, q.offset, |c, v| c.offset(v));
        let call = set(call, q.sort_by, |c, v| c.sort_by(v));
        let call = set(call, q.sort_order, |c, v| c.sort_order(v));
        response::decode(call.send()).await
    }

    /// The public character with slug `slug`.
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// let character = client.characters().get("coach-mira").await?;
    /// println!("{}: {:?}", character.data.name, character.data.description);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, slug: &str) -> Result<Response<GetCharacterBySlugResponse>> {
        self.client.require_credentials("characters().get", &operations::GET_CHARACTER_BY_SLUG)?;
        let slug = non_empty("slug", slug)?;
        response::decode(self.client.raw().get_character_by_slug().slug(slug).send()).await
    }

    /// The first page of reviews of the character with slug `slug`, with its rating summary,
    /// as many per page as Venice gives by default.
    pub async fn reviews(&self, slug: &str) -> Result<Response<GetCharacterReviewsResponse>> {
        self.client.require_credentials("characters().reviews", &operations::GET_CHARACTER_REVIEWS)?;
        let slug = non_empty("slug", slug)?;
        response::decode(self.client.raw().get_character_reviews().slug(slug).send()).await
    }

    /// Page `page` (from 1) of the reviews of the character with slug `slug`, `page_size`
    /// reviews a page (1 to 100).
    ///
    /// ```no_run
    /// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
    /// let reviews = client.characters().reviews_page("coach-mira", 2, 50).await?;
    /// println!("page {} of {}", reviews.pagination.page, reviews.pagination.total_pages);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn reviews_page(
        &self,
        slug: &str,
        page: u64,
        page_size: u64,
    ) -> Result<Response<GetCharacterReviewsResponse>> {
        self.client.require_credentials("characters().reviews_page", &operations::GET_CHARACTER_REVIEWS)?;
        let slug = non_empty("slug", slug)?;
        let page = NonZeroU64::new(page).ok_or_else(|| Error::invalid("page", "pages count from 1"))?;
        let page_size = page_size_of("page_size", page_size)?;
        let call = self.client.raw().get_character_reviews().slug(slug).page(page).page_size(page_size);
        response::decode(call.send()).await
    }
}

/// Which characters [`Characters::list`] returns, and in what order; every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct CharacterQuery {
    categories: Vec<String>,
    tags: Vec<String>,
    model_ids: Vec<String>,
    search: Option<String>,
    adult: Option<bool>,
    pro: Option<bool>,
    web_enabled: Option<bool>,
    limit: Option<u64>,
    offset: Option<u64>,
    sort_by: Option<ListCharactersSortBy>,
    sort_order: Option<ListCharactersSortOrder>,
}

impl CharacterQuery {
    /// Every public character, in Venice's default order.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only characters whose names, descriptions or tags contain `text` (`#tag` works too; at
    /// most 200 characters).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Only characters with this tag; call again for more (at most 20).
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Only characters in this category; call again for more (at most 20).
    pub fn category(mut self, category: impl Into<String>) -> Self {
        self.categories.push(category.into());
        self
    }

    /// Only characters using this model; call again for more (at most 20).
    pub fn model_id(mut self, model_id: impl Into<String>) -> Self {
        self.model_ids.push(model_id.into());
        self
    }

    /// Only characters with (`true`) or without (`false`) adult content.
    pub fn adult(mut self, adult: bool) -> Self {
        self.adult = Some(adult);
        self
    }

    /// Only characters that do (`true`) or do not (`false`) use Pro models.
    pub fn pro(mut self, pro: bool) -> Self {
        self.pro = Some(pro);
        self
    }

    /// Only characters that are (`true`) or are not (`false`) enabled for the web.
    pub fn web_enabled(mut self, web_enabled: bool) -> Self {
        self.web_enabled = Some(web_enabled);
        self
    }

    /// At most this many characters (1 to 100; Venice's default is 50).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Skips this many characters, for paging.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// The order of the results.
    pub fn sort_by(mut self, sort_by: ListCharactersSortBy) -> Self {
        self.sort_by = Some(sort_by);
        self
    }

    /// The direction of the order (descending when not set).
    pub fn sort_order(mut self, sort_order: ListCharactersSortOrder) -> Self {
        self.sort_order = Some(sort_order);
        self
    }

    fn checked(self) -> Result<CheckedQuery> {
        let categories = filter_values("categories", self.categories, 100)?;
        let tags = filter_values("tags", self.tags, 100)?;
        let model_ids = filter_values("model_id", self.model_ids, 200)?;
        let search = self
            .search
            .map(|text| {
                text.parse::<types::ListCharactersSearch>().map_err(|e| Error::invalid("search", e.to_string()))
            })
            .transpose()?;
        let limit = self.limit.map(|limit| page_size_of("limit", limit)).transpose()?;
        Ok(CheckedQuery {
            categories: categories
                .into_iter()
                .map(types::ListCharactersCategoriesItem::try_from)
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| Error::invalid("categories", e.to_string()))?,
            tags: tags
                .into_iter()
                .map(types::ListCharactersTagsItem::try_from)
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| Error::invalid("tags", e.to_string()))?,
            model_ids: model_ids
                .into_iter()
                .map(types::ListCharactersModelIdItem::try_from)
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| Error::invalid("model_id", e.to_string()))?,
            search,
            adult: self.adult,
            pro: self.pro,
            web_enabled: self.web_enabled,
            limit,
            offset: self.offset,
            sort_by: self.sort_by,
            sort_order: self.sort_order,
        })
    }
}

/// A [`CharacterQuery`] in the types the generated call takes.
struct CheckedQuery {
    categories: Vec<types::ListCharactersCategoriesItem>,
    tags: Vec<types::ListCharactersTagsItem>,
    model_ids: Vec<types::ListCharactersModelIdItem>,
    search: Option<types::ListCharactersSearch>,
    adult: Option<bool>,
    pro: Option<bool>,
    web_enabled: Option<bool>,
    limit: Option<NonZeroU64>,
    offset: Option<u64>,
    sort_by: Option<ListCharactersSortBy>,
    sort_order: Option<ListCharactersSortOrder>,
}

/// `builder` with `value` set by `setter`, or as it is when there is no value.
fn set<B, T>(builder: B, value: Option<T>, setter: impl FnOnce(B, T) -> B) -> B {
    match value {
        Some(value) => setter(builder, value),
        None => builder,
    }
}

/// The spec's boolean query flags are the strings `"true"` and `"false"`.
fn flag<T: std::str::FromStr>(value: bool) -> T
where
    T::Err: std::fmt::Debug,
{
    value.to_string().parse().expect("the flag enums take \"true\" and \"false\"")
}

fn filter_values(argument: &'static str, values: Vec<String>, max_chars: usize) -> Result<Vec<String>> {
    if values.len() > MAX_FILTER_VALUES {
        return Err(Error::invalid(argument, format!("{} values; at most {MAX_FILTER_VALUES}", values.len())));
    }
    values
        .into_iter()
        .map(|value| {
            let value = value.trim().to_owned();
            match value.chars().count() {
                0 => Err(Error::invalid(argument, "a value is empty")),
                n if n > max_chars => {
                    Err(Error::invalid(argument, format!("a value has {n} characters; at most {max_chars}")))
                }
                _ => Ok(value),
            }
        })
        .collect()
}

fn page_size_of(argument: &'static str, size: u64) -> Result<NonZeroU64> {
    NonZeroU64::new(size)
        .filter(|size| size.get() <= MAX_PAGE_SIZE)
        .ok_or_else(|| Error::invalid(argument, format!("{size} is not between 1 and {MAX_PAGE_SIZE}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(query: CharacterQuery) -> &'static str {
        crate::error::refused(query.checked().map(|_| "a query"))
    }

    #[test]
    fn out_of_range_filters_are_refused() {
        assert_eq!(refused(CharacterQuery::new().limit(0)), "limit");
        assert_eq!(refused(CharacterQuery::new().limit(101)), "limit");
        assert_eq!(refused(CharacterQuery::new().search("x".repeat(201))), "search");
        assert_eq!(refused(CharacterQuery::new().tag(" ")), "tags");
        assert_eq!(refused(CharacterQuery::new().category("c".repeat(101))), "categories");
        let many = (0..21).fold(CharacterQuery::new(), |q, i| q.model_id(format!("m{i}")));
        assert_eq!(refused(many), "model_id");
    }

    #[test]
    fn boolean_flags_become_the_spec_strings() {
        assert_eq!(flag::<types::ListCharactersIsAdult>(true), types::ListCharactersIsAdult::True);
        assert_eq!(flag::<types::ListCharactersIsPro>(false), types::ListCharactersIsPro::False);
    }
}

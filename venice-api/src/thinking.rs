//! A reasoning model's thinking apart from its answer: models send it either in
//! `reasoning_content` or as a `<think>…</think>` block at the start of the text.
//!
//! ```
//! use venice_api::thinking::split_thinking;
//!
//! let split = split_thinking("<think>The user wants a greeting.</think>\nHello!");
//! assert_eq!(split.reasoning, Some("The user wants a greeting."));
//! assert_eq!(split.answer, "Hello!");
//! ```

use venice_api_gen::types::{CreateChatCompletionResponse, CreateChatCompletionResponseChoicesItemMessage};

use crate::chat::{StreamedMessage, reply_text};

/// A text split into the model's thinking and its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The thinking of a leading `<think>` block, trimmed; `None` when there is none.
    pub reasoning: Option<&'a str>,
    /// The rest of the text, trimmed at its start.
    pub answer: &'a str,
}

/// Splits a leading `<think>…</think>` block off `text`. A block that is not closed (the
/// answer cut off while thinking) is all thinking.
pub fn split_thinking(text: &str) -> Split<'_> {
    let Some(rest) = text.trim_start().strip_prefix("<think>") else {
        return Split { reasoning: None, answer: text };
    };
    match rest.find("</think>") {
        Some(end) => Split { reasoning: Some(rest[..end].trim()), answer: rest[end + "</think>".len()..].trim_start() },
        None => Split { reasoning: Some(rest.trim()), answer: "" },
    }
}

/// The reasoning of the first choice of a completion: its `reasoning_content`, or else the
/// `<think>` block its text starts with.
pub fn reasoning_text(completion: &CreateChatCompletionResponse) -> Option<String> {
    if let Some(CreateChatCompletionResponseChoicesItemMessage::Assistant {
        reasoning_content: Some(reasoning), ..
    }) = completion.choices.first().map(|choice| &choice.message)
    {
        return Some(reasoning.clone());
    }
    split_thinking(&reply_text(completion)?).reasoning.map(str::to_owned)
}

/// The text of the first choice of a completion without the `<think>` block it may start
/// with.
///
/// ```no_run
/// # async fn demo(client: venice_api::Client) -> venice_api::Result<()> {
/// use venice_api::chat::ChatRequest;
/// use venice_api::thinking::{answer_text, reasoning_text};
///
/// let completion = client.chat().create(ChatRequest::new("qwen3-235b").user("2 + 2?")).await?;
/// println!("thought: {:?}", reasoning_text(&completion));
/// println!("answer: {}", answer_text(&completion).unwrap_or_default());
/// # Ok(())
/// # }
/// ```
pub fn answer_text(completion: &CreateChatCompletionResponse) -> Option<String> {
    reply_text(completion).map(|text| split_thinking(&text).answer.to_owned())
}

impl StreamedMessage {
    /// The streamed reasoning: `reasoning_content` when the stream sent it, or else the
    /// `<think>` block the text starts with.
    pub fn reasoning(&self) -> Option<&str> {
        self.reasoning_content.as_deref().or_else(|| split_thinking(&self.content).reasoning)
    }

    /// The streamed text without the `<think>` block it may start with.
    pub fn answer(&self) -> &str {
        split_thinking(&self.content).answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_without_a_think_block_is_all_answer() {
        assert_eq!(split_thinking("Hello"), Split { reasoning: None, answer: "Hello" });
    }

    #[test]
    fn an_unclosed_think_block_is_all_reasoning() {
        assert_eq!(split_thinking("<think>still going"), Split { reasoning: Some("still going"), answer: "" });
    }

    #[test]
    fn a_streamed_message_prefers_its_reasoning_content() {
        let mut message = StreamedMessage::new();
        message.content = "<think>a</think>b".to_owned();
        assert_eq!((message.reasoning(), message.answer()), (Some("a"), "b"));
        message.reasoning_content = Some("r".to_owned());
        assert_eq!(message.reasoning(), Some("r"));
    }
}

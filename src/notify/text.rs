//! Text of a notification for each target format: a cut markdown body made plain, and the
//! escaping of each chat's markup, so nothing a contributor writes becomes a mention
//! (`@everyone`, `<!channel>`, `@room`), a link, markup or a mail header where it is sent.

use crate::site::Markdown;
use crate::text::{LinkKind, link_kind, markdown_options};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use std::collections::BTreeMap;

/// Plain text of an update body: paragraphs apart, list items as `- `, links as `text (address)`
/// (cairn links made absolute; addresses that could run dropped), no markup, no control
/// characters but line breaks.
pub fn plain_text(body: &Markdown, links: &BTreeMap<String, String>, base: &str) -> String {
    let mut out = String::new();
    let mut link: Option<String> = None;
    for event in Parser::new_ext(body.as_str(), markdown_options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => {
                trim_spaces(&mut out);
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str("- ");
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = match links.get(dest_url.as_ref()) {
                    Some(path) => Some(format!("{base}/{path}")),
                    None if link_kind(&dest_url) == LinkKind::Unsafe => None,
                    None => Some(dest_url.to_string()),
                };
            }
            Event::End(TagEnd::Link) => {
                if let Some(url) = link.take().filter(|u| !out.ends_with(u.as_str())) {
                    out.push_str(&format!(" ({url})"));
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::BlockQuote(_)) => {
                trim_spaces(&mut out);
                out.push_str("\n\n");
            }
            Event::End(TagEnd::List(_)) => {
                trim_spaces(&mut out);
                out.push_str("\n\n");
            }
            _ => {}
        }
    }
    let cleaned: String = out.chars().filter(|c| *c == '\n' || !c.is_control()).collect();
    let mut text = String::new();
    for para in cleaned.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(para);
    }
    text
}

fn trim_spaces(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
}

/// One line of text: control characters and line breaks become spaces (subjects, titles).
pub fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// Slack mrkdwn: `&`, `<` and `>` are the only characters Slack asks to escape; without `<`,
/// no `<!channel>`, `<@U123>` or `<url|text>` can be written.
pub fn slack(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Discord markdown: every markdown character backslash-escaped, and a zero-width space after
/// each `@` so `@everyone` and `@here` read as text even where `allowed_mentions` is ignored.
pub fn discord(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '<' | '#' | '-' | '[' | ']' | '(' | ')' | ':' => {
                out.push('\\');
                out.push(c);
            }
            '@' => out.push_str("@\u{200B}"),
            c => out.push(c),
        }
    }
    out
}

/// Telegram's HTML parse mode: `&`, `<`, `>` as entities (all it accepts).
pub fn telegram_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Matrix: the plain body with `@room` broken by a zero-width space (the legacy push rule
/// matches it in the body); the HTML body is escaped with [`crate::text::escape_markup`].
pub fn matrix_plain(text: &str) -> String {
    text.replace("@room", "@\u{200B}room")
}

/// Cuts `text` to at most `max` characters, with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_mention_survives_any_format() {
        let evil = "Hi <!channel> @everyone <@123> [x](https://evil) *b* @room </b>";
        assert!(!slack(evil).contains("<!channel>") && !slack(evil).contains("<@123>"));
        let d = discord(evil);
        assert!(!d.contains("@everyone") && !d.contains("<@123>") && d.contains("\\*b\\*"), "{d}");
        assert!(!telegram_html(evil).contains("</b>"));
        assert!(!matrix_plain(evil).contains("@room"));
        assert_eq!(one_line("a\r\nBcc: x@y"), "a  Bcc: x@y");
    }
}

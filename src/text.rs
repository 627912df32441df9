//! Small text rules shared by every stage: how heading ids and slugs are made, so the anchors that
//! `site` checks are exactly the ones `render` writes.

use std::collections::HashMap;

/// Lowercase ASCII letters and digits; every other run of characters becomes one `-`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// RFC 3339 in UTC with a `Z`, seconds precision.
pub fn iso(t: crate::model::Timestamp) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Escapes text for HTML and XML 1.0, in element content and attribute values alike. Characters
/// XML 1.0 cannot hold at all (C0 controls other than tab and line breaks, U+FFFE, U+FFFF) are
/// dropped: one of them in a title would make a whole feed unreadable.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether `text` is a valid id or slug: lowercase ASCII letters, digits and dashes.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// What a link destination written in markdown is allowed to become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// `http:`, `https:`, `mailto:`, a path or an anchor (with no scheme), or `@/…`: rendered as a link.
    Safe,
    /// Any other scheme (`javascript:`, `vbscript:`, `data:`, `file:`, …): rendered as plain text.
    Unsafe,
}

/// Classifies a link destination (entities already decoded by the markdown parser) the way a
/// browser reads it: leading spaces and control characters are skipped and tabs and line breaks
/// inside the scheme ignored, so `\tjava\nscript:` is seen as `javascript:`.
pub fn link_kind(dest: &str) -> LinkKind {
    let trimmed = dest.trim_start_matches(|c: char| c <= ' ' || c.is_whitespace());
    let mut scheme = String::new();
    for c in trimmed.chars() {
        match c {
            '\t' | '\n' | '\r' => continue,
            ':' => {
                let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                    && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
                if !valid {
                    // A colon after something that is not a scheme (`@/a.md`, `a/b:c`) is part of a path.
                    return LinkKind::Safe;
                }
                return match scheme.to_ascii_lowercase().as_str() {
                    "http" | "https" | "mailto" => LinkKind::Safe,
                    _ => LinkKind::Unsafe,
                };
            }
            '/' | '?' | '#' => return LinkKind::Safe,
            c => scheme.push(c),
        }
    }
    LinkKind::Safe
}

/// Whether `url` is an absolute web address that can go into a link, a feed or a calendar as it
/// is: `http://` or `https://`, no spaces, control characters, quotes or angle brackets.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
}

/// `text` with control characters (escape sequences, carriage returns, bells…) made visible as
/// `\u{…}`, for printing user text to a terminal. Tabs and line feeds stay.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| if unsafe_char(c) { format!("\\u{{{:x}}}", c as u32) } else { c.to_string() })
        .collect::<String>()
        .into()
}

/// Whether `c` reads as a colon: `:` and the characters of other scripts drawn like it.
fn is_colon_like(c: char) -> bool {
    matches!(
        c,
        ':' | '\u{02D0}'
            | '\u{02D1}'
            | '\u{02F8}'
            | '\u{0589}'
            | '\u{05C3}'
            | '\u{0703}'
            | '\u{0704}'
            | '\u{0F14}'
            | '\u{16EC}'
            | '\u{1804}'
            | '\u{2236}'
            | '\u{205A}'
            | '\u{A4FD}'
            | '\u{A789}'
            | '\u{FE13}'
            | '\u{FE30}'
            | '\u{FE55}'
            | '\u{FF1A}'
    )
}

/// Every place in `text` that a reader could take for an audience-block marker: a run of three
/// or more colon-like characters, as its byte offset and whether it is three plain `:` (a run of
/// lookalikes reads as a marker but is not one). A run right after a backslash is escaped text.
pub fn marker_runs(text: &str) -> Vec<(usize, bool)> {
    let mut out = Vec::new();
    let mut run: Option<(usize, usize, bool)> = None; // start, length in chars, all ASCII
    let mut prev = None;
    let mut before_run = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), '\n'))) {
        if i < text.len() && is_colon_like(c) {
            match run.as_mut() {
                Some((_, n, ascii)) => {
                    *n += 1;
                    *ascii &= c == ':';
                }
                None => {
                    run = Some((i, 1, c == ':'));
                    before_run = prev;
                }
            }
        } else if let Some((start, n, _)) = run.take() {
            if n >= 3 && before_run != Some('\\') {
                // A plain marker is `:::` at the start of the run, even when more colons follow.
                let ascii = text[start..].starts_with(":::");
                out.push((start, ascii));
            }
        }
        prev = Some(c);
    }
    out
}

/// Whether plain text (a title, a summary, a name: text that is never cut into blocks) holds
/// something that reads as an audience-block marker.
pub fn has_marker_run(text: &str) -> bool {
    text.contains(":::") || !text.is_ascii() && !marker_runs(text).is_empty()
}

/// Hands out heading ids for one document: the slug of the text, with `-1`, `-2`, … appended
/// when the same id comes again.
#[derive(Default)]
pub struct HeadingIds {
    seen: HashMap<String, usize>,
}

impl HeadingIds {
    pub fn next(&mut self, text: &str) -> String {
        let base = match slugify(text) {
            s if s.is_empty() => "section".to_string(),
            s => s,
        };
        let count = self.seen.entry(base.clone()).or_insert(0);
        let id = if *count == 0 { base.clone() } else { format!("{base}-{count}") };
        *count += 1;
        id
    }
}

/// 1-based line and column of a byte offset in `text`, for positions inside a body.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count();
    let col = before.rfind('\n').map_or(before.chars().count(), |nl| before[nl + 1..].chars().count());
    (line + 1, col + 1)
}

/// The markdown dialect of every document: CommonMark plus the GFM extensions.
pub fn markdown_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options;
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_repeated_ids() {
        assert_eq!(slugify("2. Halt at height!"), "2-halt-at-height");
        assert_eq!(slugify("  Root cause  "), "root-cause");
        let mut ids = HeadingIds::default();
        assert_eq!(ids.next("Steps"), "steps");
        assert_eq!(ids.next("Steps"), "steps-1");
        assert_eq!(ids.next("???"), "section");
    }

    #[test]
    fn only_web_and_mail_links_are_safe() {
        for safe in [
            "https://x.org",
            "HTTP://x",
            "mailto:a@b.c",
            "/a",
            "a/b",
            "#x",
            "@/runbooks/a.md",
            "a.md#b",
            "a/b:c",
            "//cdn.example",
        ] {
            assert_eq!(link_kind(safe), LinkKind::Safe, "{safe}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            " \u{1}javascript:x",
            "java\tscript:x",
            "vbscript:x",
            "data:text/html,x",
            "file:///etc",
        ] {
            assert_eq!(link_kind(bad), LinkKind::Unsafe, "{bad}");
        }
    }

    #[test]
    fn terminal_text_has_no_escape_sequences() {
        assert_eq!(terminal_safe("a\u{1b}[31mred\r"), "a\\u{1b}[31mred\\u{d}");
        assert_eq!(terminal_safe("plain\ttext\n"), "plain\ttext\n");
    }

    #[test]
    fn line_and_column_of_offsets() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}

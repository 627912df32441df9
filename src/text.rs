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
    fn line_and_column_of_offsets() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}

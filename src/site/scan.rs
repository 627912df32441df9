//! A quick pass over a document's visible markdown: its headings (the anchors others may link
//! to) and its outgoing links, with their offsets for diagnostics.

use crate::text::{HeadingIds, markdown_options};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub id: String,
}

#[derive(Debug, Clone)]
pub struct LinkRef {
    pub dest: String,
    /// Byte offset of the link in the body.
    pub offset: usize,
    /// Where the link is in the file, when it is not in the body (status update texts).
    pub pos: Option<crate::diagnostics::Pos>,
}

pub fn scan(body: &str) -> (Vec<Heading>, Vec<LinkRef>) {
    let mut headings = Vec::new();
    let mut links = Vec::new();
    let mut ids = HeadingIds::default();
    let mut current: Option<(u8, String)> = None;
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => current = Some((level as u8, String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = current.take() {
                    let id = ids.next(&text);
                    headings.push(Heading { level, text: text.trim().to_string(), id });
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                links.push(LinkRef { dest: dest_url.to_string(), offset: range.start, pos: None })
            }
            _ => {}
        }
    }
    (headings, links)
}

/// Links inside the text of visible status updates, positioned in the file.
pub fn update_links<S>(updates: &[crate::model::StatusUpdate<S>], locations: &crate::model::Locations) -> Vec<LinkRef> {
    let mut out = Vec::new();
    for u in updates {
        let start = locations.value(&format!("updates.{}.body", u.index));
        let block = u.body.contains('\n');
        for mut link in scan(&u.body).1 {
            let (line, col) = crate::text::line_col(&u.body, link.offset);
            link.pos = Some(if block {
                crate::diagnostics::Pos::new(start.line + line, start.column + col + 1)
            } else {
                crate::diagnostics::Pos::new(start.line, start.column + col - 1)
            });
            out.push(link);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_headings_and_links() {
        let (h, l) = scan("# Top\n\n## Halt at `height`\n\nSee [x](@/runbooks/a.md#b).\n");
        assert_eq!(h[1].id, "halt-at-height");
        assert_eq!(h[1].text, "Halt at height");
        assert_eq!(l[0].dest, "@/runbooks/a.md#b");
        assert_eq!(l[0].offset, 32);
    }
}

//! A quick pass over a document's visible markdown: its headings (the anchors others may link
//! to) and its outgoing links and images, each with its position in the file for diagnostics.

use super::Markdown;
use crate::diagnostics::Pos;
use crate::model::TextOrigin;
use crate::text::{HeadingIds, LinkKind, link_kind, markdown_options};
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
    pub pos: Pos,
    /// An image rather than a link.
    pub image: bool,
}

/// Turns byte offsets of a text, met in increasing order, into 0-based lines and columns.
struct Cursor<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    line_start: usize,
}

impl Cursor<'_> {
    fn at(&mut self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            (self.offset, self.line, self.line_start) = (0, 0, 0);
        }
        for (i, b) in self.text.as_bytes()[self.offset..offset].iter().enumerate() {
            if *b == b'\n' {
                self.line += 1;
                self.line_start = self.offset + i + 1;
            }
        }
        self.offset = offset;
        let column = self.text.get(self.line_start..offset).map_or(0, |s| s.chars().count());
        (self.line, column)
    }
}

/// The headings and links of `body`, positioned by `origin`.
pub fn scan(body: &Markdown, origin: TextOrigin) -> (Vec<Heading>, Vec<LinkRef>) {
    let text = body.as_str();
    let mut headings = Vec::new();
    let mut links = Vec::new();
    let mut ids = HeadingIds::default();
    let mut current: Option<(u8, String)> = None;
    let mut cursor = Cursor { text, offset: 0, line: 0, line_start: 0 };
    for (event, range) in Parser::new_ext(text, markdown_options()).into_offset_iter() {
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
                let (line, column) = cursor.at(range.start);
                let pos = origin.pos(body.written_line(line), column);
                links.push(LinkRef { dest: dest_url.to_string(), pos, image: false })
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let (line, column) = cursor.at(range.start);
                let pos = origin.pos(body.written_line(line), column);
                links.push(LinkRef { dest: dest_url.to_string(), pos, image: true })
            }
            _ => {}
        }
    }
    (headings, links)
}

/// Whether a link's destination is rendered as a link (see [`crate::text::link_kind`]).
pub fn is_unsafe(link: &LinkRef) -> bool {
    link_kind(&link.dest) == LinkKind::Unsafe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_headings_and_links() {
        let md = Markdown::trusted("# Top\n\n## Halt at `height`\n\nSee [x](@/runbooks/a.md#b).\n");
        let (h, l) = scan(&md, TextOrigin::Lines { line: 10, column: 0 });
        assert_eq!(h[1].id, "halt-at-height");
        assert_eq!(h[1].text, "Halt at height");
        assert_eq!(l[0].dest, "@/runbooks/a.md#b");
        assert_eq!(l[0].pos, Pos::new(14, 5));
    }
}

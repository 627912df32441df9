//! Markdown → HTML for one document: heading ids with anchor links and a table of contents,
//! GFM alerts as admonitions, highlighted code with copy buttons, resolved document links, and
//! raw HTML escaped unless the repo is trusted.

use super::highlight::{escape, highlight};
use crate::text::{HeadingIds, markdown_options};
use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd, html};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
}

/// How links and HTML are treated while rendering one document.
pub struct MarkdownOptions<'a> {
    /// Link destinations as written → site path of the target.
    pub links: &'a BTreeMap<String, String>,
    /// Relative prefix from the page to the site root.
    pub root: &'a str,
    pub raw_html: bool,
}

fn admonition(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

pub fn render(markdown: &str, opts: &MarkdownOptions<'_>) -> Rendered {
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut toc = Vec::new();
    let mut ids = HeadingIds::default();
    let mut heading: Option<(u8, Vec<Event<'_>>, String)> = None;
    let mut code: Option<(String, String)> = None;
    for event in Parser::new_ext(markdown, markdown_options()) {
        if let Some((_, text)) = code.as_mut() {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, text) = code.take().unwrap_or_default();
                    events.push(Event::Html(code_block(&text, &lang).into()));
                }
                _ => {}
            }
            continue;
        }
        let event = match event {
            Event::Html(h) | Event::InlineHtml(h) if !opts.raw_html => Event::Text(h),
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest_url = match opts.links.get(dest_url.as_ref()) {
                    Some(path) => CowStr::from(format!("{}{}", opts.root, path)),
                    None => dest_url,
                };
                Event::Start(Tag::Link { link_type, dest_url, title, id })
            }
            other => other,
        };
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level as u8, Vec::new(), String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, inner, text)) = heading.take() {
                    let id = ids.next(&text);
                    let mut inner_html = String::new();
                    html::push_html(&mut inner_html, inner.into_iter());
                    if (2..=4).contains(&level) {
                        toc.push(TocEntry { level, id: id.clone(), title: text.trim().to_string() });
                    }
                    events.push(Event::Html(
                        format!(
                            "<h{level} id=\"{id}\">{inner_html} <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a></h{level}>\n"
                        )
                        .into(),
                    ));
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split([' ', ',', '{']).next().unwrap_or("").to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, title) = admonition(kind);
                events.push(Event::Html(
                    format!("<aside class=\"admonition admonition-{class}\" role=\"note\"><p class=\"admonition-title\">{title}</p>\n").into(),
                ));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => events.push(Event::Html("</aside>\n".into())),
            Event::Start(Tag::Table(_)) => {
                events.push(Event::Html("<div class=\"table-wrap\">".into()));
                events.push(event);
            }
            Event::End(TagEnd::Table) => {
                events.push(event);
                events.push(Event::Html("</div>\n".into()));
            }
            e => match heading.as_mut() {
                Some((_, inner, text)) => {
                    if let Event::Text(t) | Event::Code(t) = &e {
                        text.push_str(t);
                    }
                    inner.push(e);
                }
                None => events.push(e),
            },
        }
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    Rendered { html: out, toc }
}

fn code_block(code: &str, lang: &str) -> String {
    let body = if lang.is_empty() { escape(code) } else { highlight(code, lang) };
    let class = if lang.is_empty() { String::new() } else { format!(" class=\"language-{}\"", escape(lang)) };
    format!(
        "<div class=\"code-block\"><button class=\"copy\" type=\"button\" hidden>Copy</button><pre class=\"code\"><code{class}>{body}</code></pre></div>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_plain(md: &str) -> Rendered {
        let links = BTreeMap::from([("@/a.md#b".to_string(), "a/#b".to_string())]);
        render(md, &MarkdownOptions { links: &links, root: "../", raw_html: false })
    }

    #[test]
    fn headings_get_ids_anchors_and_toc() {
        let r = render_plain("## Halt at `height`\n\ntext\n");
        assert!(r.html.contains("<h2 id=\"halt-at-height\">Halt at <code>height</code> <a class=\"anchor\""));
        assert_eq!(r.toc[0].id, "halt-at-height");
    }

    #[test]
    fn alerts_code_links_and_raw_html() {
        let r = render_plain("> [!WARNING]\n> Careful\n\n```bash\necho hi\n```\n\n[x](@/a.md#b) <script>x</script>\n");
        assert!(r.html.contains("admonition-warning"));
        assert!(r.html.contains("class=\"language-bash\""));
        assert!(r.html.contains("href=\"../a/#b\""));
        assert!(r.html.contains("&lt;script&gt;"));
    }
}

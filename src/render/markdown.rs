//! Markdown → HTML for one document: heading ids with anchor links and a table of contents,
//! GFM alerts as admonitions, highlighted code with copy buttons, resolved document links, and
//! raw HTML escaped unless the repo is trusted. Only markdown already cut to an audience
//! ([`Markdown`]) can be rendered, and a link or image to anything but a web, mail or relative
//! address is rendered as its text alone, so nothing a contributor writes can run.

use super::highlight::{escape, highlight};
use crate::site::Markdown;
use crate::text::{HeadingIds, LinkKind, link_kind, markdown_options};
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
    /// Whether the HTML holds `root` (a link to another page): otherwise it reads the same from
    /// any page, and a listing can reuse it.
    pub uses_root: bool,
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

pub fn render(markdown: &Markdown, opts: &MarkdownOptions<'_>) -> Rendered {
    let markdown = markdown.as_str();
    let mut events: Vec<Event<'_>> = Vec::new();
    // Links and images whose address could run (a `javascript:` link): their tags are dropped and
    // their text kept. Links do not nest, nor do images, so one flag each is enough.
    let (mut dropped_link, mut dropped_image) = (false, false);
    let mut toc = Vec::new();
    let mut ids = HeadingIds::default();
    let mut heading: Option<(u8, Vec<Event<'_>>, String)> = None;
    let mut code: Option<(String, String)> = None;
    let mut link_depth = 0usize;
    let mut uses_root = false;
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
            Event::Start(Tag::Link { ref dest_url, .. }) if link_kind(dest_url) == LinkKind::Unsafe => {
                dropped_link = true;
                continue;
            }
            Event::End(TagEnd::Link) if dropped_link => {
                dropped_link = false;
                continue;
            }
            Event::Start(Tag::Image { ref dest_url, .. }) if link_kind(dest_url) == LinkKind::Unsafe => {
                dropped_image = true;
                continue;
            }
            Event::End(TagEnd::Image) if dropped_image => {
                dropped_image = false;
                continue;
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest_url = match opts.links.get(dest_url.as_ref()) {
                    Some(path) => {
                        uses_root = true;
                        CowStr::from(format!("{}{}", opts.root, path))
                    }
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
            Event::Text(t) if link_depth == 0 && heading.is_none() && has_url(&t) => autolink(&t, &mut events),
            Event::Start(Tag::Link { .. }) => {
                link_depth += 1;
                push(&mut heading, &mut events, event);
            }
            Event::End(TagEnd::Link) => {
                link_depth = link_depth.saturating_sub(1);
                push(&mut heading, &mut events, event);
            }
            // A task-list box is read-only; its name says what it is (an unnamed form field is
            // an accessibility error).
            Event::TaskListMarker(done) => {
                let checked = if done { " checked" } else { "" };
                let marker = format!("<input type=\"checkbox\" disabled aria-label=\"Checklist step\"{checked}> ");
                push(&mut heading, &mut events, Event::InlineHtml(marker.into()));
            }
            e => push(&mut heading, &mut events, e),
        }
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    Rendered { html: out, toc, uses_root }
}

/// Adds an event to the heading being collected, or to the document.
fn push<'a>(heading: &mut Option<(u8, Vec<Event<'a>>, String)>, events: &mut Vec<Event<'a>>, e: Event<'a>) {
    match heading.as_mut() {
        Some((_, inner, text)) => {
            if let Event::Text(t) | Event::Code(t) = &e {
                text.push_str(t);
            }
            inner.push(e);
        }
        None => events.push(e),
    }
}

fn has_url(text: &str) -> bool {
    text.contains("https://") || text.contains("http://") || text.contains("www.")
}

/// GFM's extended autolinks: bare `https://…`, `http://…` and `www.…` in text become links;
/// trailing punctuation and an unbalanced closing parenthesis stay outside.
fn autolink<'a>(text: &str, events: &mut Vec<Event<'a>>) {
    let mut rest = text;
    while let Some(start) = ["https://", "http://", "www."]
        .iter()
        .filter_map(|p| rest.find(p))
        .filter(|&i| i == 0 || !rest[..i].ends_with(|c: char| c.is_alphanumeric() || c == '/' || c == '.'))
        .min()
    {
        let candidate = &rest[start..];
        let mut end = candidate.find(|c: char| c.is_whitespace() || c == '<').unwrap_or(candidate.len());
        loop {
            let url = &candidate[..end];
            if url.ends_with(['.', ',', ':', ';', '!', '?', '"', '\'', '*', '_', '~'])
                || (url.ends_with(')') && url.matches(')').count() > url.matches('(').count())
            {
                end -= 1;
            } else {
                break;
            }
        }
        let url = &candidate[..end];
        if !url.contains('.') || url.ends_with("://") {
            events.push(Event::Text(CowStr::from(rest[..start + end.max(1)].to_string())));
            rest = &rest[start + end.max(1)..];
            continue;
        }
        if start > 0 {
            events.push(Event::Text(CowStr::from(rest[..start].to_string())));
        }
        let href = if url.starts_with("www.") { format!("http://{url}") } else { url.to_string() };
        let tag = Tag::Link {
            link_type: pulldown_cmark::LinkType::Autolink,
            dest_url: href.into(),
            title: "".into(),
            id: "".into(),
        };
        events.push(Event::Start(tag));
        events.push(Event::Text(CowStr::from(url.to_string())));
        events.push(Event::End(TagEnd::Link));
        rest = &candidate[end..];
    }
    if !rest.is_empty() {
        events.push(Event::Text(CowStr::from(rest.to_string())));
    }
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
        render(&Markdown::trusted(md), &MarkdownOptions { links: &links, root: "../", raw_html: false })
    }

    #[test]
    fn links_that_could_run_are_text() {
        let r = render_plain(
            "[a](javascript:alert(1)) [b](JAVASCRIPT:x) [c](&#106;avascript:x) <javascript:x> [d][r] ![e](javascript:x) \
             [f](vbscript:x) [g](data:text/html,x) [ok](https://x.org)\n\n[r]: javascript:x\n",
        );
        assert_eq!(r.html, "<p>a b c javascript:x d e f g <a href=\"https://x.org\">ok</a></p>\n");
    }

    #[test]
    fn headings_get_ids_anchors_and_toc() {
        let r = render_plain("## Halt at `height`\n\ntext\n");
        assert!(r.html.contains("<h2 id=\"halt-at-height\">Halt at <code>height</code> <a class=\"anchor\""));
        assert_eq!(r.toc[0].id, "halt-at-height");
    }

    #[test]
    fn bare_urls_become_links() {
        let r = render_plain(
            "See https://explorer.example.org/block/1, or www.example.org. Not `https://x.org` nor [a](https://b.org).\n",
        );
        assert!(
            r.html.contains(
                "<a href=\"https://explorer.example.org/block/1\">https://explorer.example.org/block/1</a>, or"
            )
        );
        assert!(r.html.contains("<a href=\"http://www.example.org\">www.example.org</a>. Not"));
        assert!(r.html.contains("<code>https://x.org</code>"));
        assert_eq!(r.html.matches("<a ").count(), 3);
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

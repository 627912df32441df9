//! Atom 1.0 and RSS 2.0 feeds of incident updates, site-wide (`feeds/incidents.*`) and per component
//! (`feeds/components/<id>.*`): one entry per visible update, newest first.

use super::OutputFile;
use super::sitemap::xml_escape;
use crate::site::{ResolvedIncident, Site};
use crate::view::{iso, markdown_html};
use std::fmt::Write;
use time::format_description::well_known::Rfc2822;

/// Entries per feed; older updates stay on the incident pages.
const FEED_LIMIT: usize = 100;

struct Entry {
    id: String,
    title: String,
    link: String,
    at: crate::model::Timestamp,
    html: String,
}

fn entries<'a>(site: &Site, incidents: impl Iterator<Item = &'a ResolvedIncident>) -> Vec<Entry> {
    let base = &site.config.base_url;
    let root = format!("{base}/");
    let mut out: Vec<Entry> = incidents
        .flat_map(|inc| {
            let doc = site.doc(inc.doc);
            inc.updates.iter().map(move |u| (doc, u))
        })
        .map(|(doc, u)| Entry {
            id: format!("{base}/{}#update-{}", doc.path, u.id),
            title: format!("{}: {}", site.config.messages.text(u.status.message_key()), doc.title),
            link: format!("{base}/{}#update-{}", doc.path, u.id),
            at: u.at,
            html: markdown_html(site, doc, &u.body, &root).0,
        })
        .collect();
    out.sort_by(|a, b| b.at.cmp(&a.at).then(a.id.cmp(&b.id)));
    out.truncate(FEED_LIMIT);
    out
}

fn rfc2822(t: crate::model::Timestamp) -> String {
    t.to_offset(time::UtcOffset::UTC).format(&Rfc2822).unwrap_or_default()
}

fn atom(site: &Site, title: &str, self_path: &str, entries: &[Entry]) -> String {
    let base = &site.config.base_url;
    let updated = entries.first().map_or(site.now, |e| e.at);
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        xml_escape(&site.config.messages.lang)
    );
    let _ = writeln!(x, "  <id>{}</id>", xml_escape(&format!("{base}/{self_path}")));
    let _ = writeln!(x, "  <title>{}</title>", xml_escape(title));
    let _ = writeln!(x, "  <updated>{}</updated>", iso(updated));
    let _ = writeln!(x, "  <link rel=\"self\" href=\"{}\"/>", xml_escape(&format!("{base}/{self_path}")));
    let _ = writeln!(x, "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", xml_escape(&format!("{base}/")));
    let _ = writeln!(x, "  <author><name>{}</name></author>", xml_escape(&site.config.title));
    let _ = writeln!(x, "  <generator>cairn</generator>");
    for e in entries {
        x.push_str("  <entry>\n");
        let _ = writeln!(x, "    <id>{}</id>", xml_escape(&e.id));
        let _ = writeln!(x, "    <title>{}</title>", xml_escape(&e.title));
        let _ = writeln!(x, "    <updated>{}</updated>", iso(e.at));
        let _ = writeln!(x, "    <published>{}</published>", iso(e.at));
        let _ = writeln!(x, "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", xml_escape(&e.link));
        let _ = writeln!(x, "    <content type=\"html\">{}</content>", xml_escape(&e.html));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

fn rss(site: &Site, title: &str, self_path: &str, entries: &[Entry]) -> String {
    let base = &site.config.base_url;
    let updated = entries.first().map_or(site.now, |e| e.at);
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n",
    );
    let _ = writeln!(x, "  <title>{}</title>", xml_escape(title));
    let _ = writeln!(x, "  <link>{}</link>", xml_escape(&format!("{base}/")));
    let description =
        site.config.description.clone().unwrap_or_else(|| {
            site.config.messages.format("feeds.updates_from", None, &[("site", &site.config.title)])
        });
    let _ = writeln!(x, "  <description>{}</description>", xml_escape(&description));
    let _ = writeln!(
        x,
        "  <atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
        xml_escape(&format!("{base}/{self_path}"))
    );
    let _ = writeln!(x, "  <language>{}</language>", xml_escape(&site.config.messages.lang));
    let _ = writeln!(x, "  <lastBuildDate>{}</lastBuildDate>", rfc2822(updated));
    let _ = writeln!(x, "  <generator>cairn</generator>");
    for e in entries {
        x.push_str("  <item>\n");
        let _ = writeln!(x, "    <title>{}</title>", xml_escape(&e.title));
        let _ = writeln!(x, "    <link>{}</link>", xml_escape(&e.link));
        let _ = writeln!(x, "    <guid isPermaLink=\"false\">{}</guid>", xml_escape(&e.id));
        let _ = writeln!(x, "    <pubDate>{}</pubDate>", rfc2822(e.at));
        let _ = writeln!(x, "    <description>{}</description>", xml_escape(&e.html));
        x.push_str("  </item>\n");
    }
    x.push_str("</channel>\n</rss>\n");
    x
}

fn pair(site: &Site, title: &str, stem: &str, entries: &[Entry]) -> [OutputFile; 2] {
    let atom_path = format!("{stem}.atom");
    let rss_path = format!("{stem}.rss");
    [
        OutputFile::new(atom_path.clone(), atom(site, title, &atom_path, entries).into_bytes()),
        OutputFile::new(rss_path.clone(), rss(site, title, &rss_path, entries).into_bytes()),
    ]
}

/// The site-wide feeds and one pair per visible component.
pub fn files(site: &Site) -> Vec<OutputFile> {
    let all = entries(site, site.incidents.iter());
    let mut out = pair(
        site,
        &site.config.messages.format("feeds.incidents", None, &[("site", &site.config.title)]),
        "feeds/incidents",
        &all,
    )
    .to_vec();
    for (id, c) in site.components.iter().enumerate() {
        let list = entries(site, site.incidents.iter().filter(|i| i.components.contains(&id)));
        let title = format!("{}: {}", site.config.title, c.name);
        out.extend(pair(site, &title, &format!("feeds/components/{}", c.id), &list));
    }
    out
}

//! `sitemap.xml` and `robots.txt`. Only the public site invites crawlers; the others ask them to
//! stay away, in case one is ever served where a crawler can reach it.

use super::OutputFile;
use crate::model::Kind;
use crate::site::Site;
use crate::view::iso;
use std::collections::HashMap;
use std::fmt::Write;

pub fn sitemap(site: &Site) -> OutputFile {
    let base = &site.config.base_url;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut paths: Vec<(String, Option<String>)> = vec![(String::new(), None)];
    for kind in [Kind::Incident, Kind::Postmortem, Kind::Runbook, Kind::Matrix, Kind::Maintenance] {
        if site.count(kind) > 0 {
            paths.push((format!("{}/", kind.as_str()), None));
        }
    }
    if crate::site::metrics::metrics_page(site) {
        paths.push(("metrics/".into(), None));
    }
    let lastmods: HashMap<usize, String> =
        site.incidents.iter().filter_map(|i| i.updates.last().map(|u| (i.doc, iso(u.at)))).collect();
    for (id, doc) in site.docs.iter().enumerate().filter(|(_, d)| !d.path.is_empty()) {
        paths.push((doc.path.clone(), lastmods.get(&id).cloned()));
    }
    paths.sort();
    paths.dedup();
    for (path, lastmod) in paths {
        let _ = write!(xml, "  <url><loc>{}</loc>", xml_escape(&format!("{base}/{path}")));
        if let Some(l) = lastmod {
            let _ = write!(xml, "<lastmod>{l}</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    OutputFile::new("sitemap.xml".into(), xml.into_bytes())
}

pub fn robots(site: &Site) -> OutputFile {
    let text = if site.is_public() {
        format!("User-agent: *\nAllow: /\nSitemap: {}/sitemap.xml\n", site.config.base_url)
    } else {
        "User-agent: *\nDisallow: /\n".to_string()
    };
    OutputFile::new("robots.txt".into(), text.into_bytes())
}

/// Escaping for the XML outputs (feeds, sitemap, badges, the widget): see `escape_markup`.
pub use crate::text::escape_markup as xml_escape;

#[cfg(test)]
mod tests {
    #[test]
    fn xml_text_is_escaped_and_stays_well_formed() {
        assert_eq!(super::xml_escape("a<b>&\"c'\u{1}\u{1b}\u{FFFF}d"), "a&lt;b&gt;&amp;&quot;c&#39;d");
    }
}

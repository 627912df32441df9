//! Redirects for old addresses (`aliases:`): a small HTML page at each old path that sends the
//! reader, and search engines (`rel=canonical`), to the document's page. Static hosts serve
//! these without configuration. Only documents the audience sees get them (the Site holds only
//! those), and the alias paths were checked in `validate` (plain paths, no clash with a page).

use super::OutputFile;
use crate::site::Site;

pub fn files(site: &Site) -> Vec<OutputFile> {
    let mut out = Vec::new();
    for doc in site.docs.iter().filter(|d| d.has_page()) {
        for alias in &doc.aliases {
            let depth = alias.matches('/').count();
            let target = format!("{}{}", "../".repeat(depth), doc.path);
            let target = if target.is_empty() { "./".to_string() } else { target };
            let canonical = format!("{}/{}", site.config.base_url.trim_end_matches('/'), doc.path);
            let title = crate::text::escape_markup(&doc.title);
            let html = format!(
                "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\n<title>{title}</title>\n\
                 <meta name=\"robots\" content=\"noindex\">\n<link rel=\"canonical\" href=\"{canonical}\">\n\
                 <meta http-equiv=\"refresh\" content=\"0; url={target}\">\n</head>\n<body><p>{moved} \
                 <a href=\"{target}\">{title}</a>.</p></body></html>\n",
                lang = crate::text::escape_markup(&site.config.messages.lang),
                moved = crate::text::escape_markup(&site.config.messages.text("redirect.moved")),
                canonical = crate::text::escape_markup(&canonical),
                target = crate::text::escape_markup(&target),
            );
            out.push(OutputFile::new(alias.clone(), html.into_bytes()));
        }
    }
    out
}

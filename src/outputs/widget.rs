//! The embeddable status widget: `widget/index.html`, a tiny self-contained page for an iframe
//! (overall status and open incidents), and `widget/widget.js`, which swaps a plain link for it.

use super::OutputFile;
use super::sitemap::xml_escape;
use crate::site::Site;
use std::fmt::Write;

const SCRIPT: &str = include_str!("widget.js");

/// The widget's stylesheet, a file of its own so the page's Content-Security-Policy can forbid
/// inline styles and scripts.
const STYLE: &str = "body{margin:0;font:14px/1.4 system-ui,sans-serif;color:#1b1f24;background:#fff}
a{color:inherit}.w{padding:10px 12px;border-left:6px solid var(--c)}
.none{--c:#2e7d32}.maintenance{--c:#1565c0}.minor{--c:#b26a00}.major{--c:#d84315}.critical{--c:#c62828}
.label{font-weight:600;margin:0}ul{margin:6px 0 0;padding-left:18px}.more{margin:6px 0 0;font-size:12px}
@media (prefers-color-scheme:dark){body{color:#e6e8eb;background:#16181c}}
";

fn page(site: &Site) -> String {
    let base = &site.config.base_url;
    let title = xml_escape(&site.config.title);
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'; base-uri 'none'\">\n\
<meta name=\"color-scheme\" content=\"light dark\">\n\
<meta name=\"robots\" content=\"noindex\">\n<title>{title} status</title>\n<link rel=\"stylesheet\" href=\"widget.css\">\n</head>\n<body>\n\
<div class=\"w {indicator}\" data-indicator=\"{indicator}\">\n<p class=\"label\">{label}</p>\n",
        indicator = site.overall.as_str(),
        label = xml_escape(site.overall.label()),
    );
    let open: Vec<_> = site.incidents.iter().filter(|i| i.is_open).collect();
    if !open.is_empty() {
        html.push_str("<ul>\n");
        for inc in open {
            let doc = site.doc(inc.doc);
            let _ = writeln!(
                html,
                "<li><a href=\"{}\" target=\"_top\">{}</a> ({})</li>",
                xml_escape(&format!("{base}/{}", doc.path)),
                xml_escape(&doc.title),
                inc.status.label()
            );
        }
        html.push_str("</ul>\n");
    }
    let _ = write!(
        html,
        "<p class=\"more\"><a href=\"{}/\" target=\"_top\">Full status page of {title}</a></p>\n</div>\n</body>\n</html>\n",
        xml_escape(base)
    );
    html
}

pub fn files(site: &Site) -> Vec<OutputFile> {
    vec![
        OutputFile::new("widget/index.html".into(), page(site).into_bytes()),
        OutputFile::new("widget/widget.js".into(), SCRIPT.as_bytes().to_vec()),
        OutputFile::new("widget/widget.css".into(), STYLE.as_bytes().to_vec()),
    ]
}

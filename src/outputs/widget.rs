//! The embeddable status widget: `widget/index.html`, a tiny self-contained page for an iframe
//! (overall status, open incidents, when it was built), and `widget/widget.js`, which swaps a
//! plain link for it. The host page picks the scheme (`data-theme="light|dark|auto"` on the link,
//! passed as `#theme=` and read by `widget/theme.js`, or `?theme=` without JavaScript in the
//! frame: `auto` follows the reader's system) and the frame tells the host its height.

use super::OutputFile;
use super::sitemap::xml_escape;
use crate::site::Site;
use std::fmt::Write;

const SCRIPT: &str = include_str!("widget.js");

/// The script inside the frame: applies the scheme the host asked for and reports the frame's
/// height to the host (a file of its own: the page's Content-Security-Policy forbids inline
/// scripts).
const FRAME_SCRIPT: &str = r#"(function () {
  "use strict";
  var m = /[#&?]theme=(light|dark|auto)/.exec(location.hash + location.search);
  var theme = m ? m[1] : "auto";
  document.documentElement.setAttribute("data-theme", theme);
  function report() {
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (window.parent !== window) window.parent.postMessage({ cairnWidget: true, height: h }, "*");
  }
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  report();
})();
"#;

/// The widget's stylesheet, a file of its own so the page's Content-Security-Policy can forbid
/// inline styles and scripts. `data-theme` on the root picks the scheme; `auto` (the default)
/// follows the reader's system. Every text colour reads at 4.5:1 or more on its background.
const STYLE: &str = ":root{color-scheme:light;--fg:#1b1f24;--muted:#4b5563;--bg:#fff;--line:#d0d5dd}
:root[data-theme=dark]{color-scheme:dark;--fg:#e6e8eb;--muted:#a9b1bd;--bg:#16181c;--line:#343a46}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]):not([data-theme=dark]){color-scheme:dark;--fg:#e6e8eb;--muted:#a9b1bd;--bg:#16181c;--line:#343a46}}
html,body{margin:0;background:var(--bg)}body{font:14px/1.45 system-ui,sans-serif;color:var(--fg)}
a{color:inherit}.w{padding:10px 12px;border:1px solid var(--line);border-left:6px solid var(--c);border-radius:6px}
.none{--c:#2e7d32}.maintenance{--c:#1565c0}.minor{--c:#b26a00}.major{--c:#d84315}.critical{--c:#c62828}
.label{font-size:15px;font-weight:650;margin:0}ul{margin:6px 0 0;padding-left:18px}.more{margin:6px 0 0;font-size:12px;color:var(--muted)}
";

/// The widget's title: the site's title, with the language's word for status added only when it
/// does not say so.
pub fn widget_title(site_title: &str, m: &crate::i18n::Messages) -> String {
    let status = m.text("nav.status").to_lowercase();
    if site_title.to_lowercase().contains(&status) {
        site_title.to_string()
    } else {
        m.format("widget.title", None, &[("title", site_title)])
    }
}

fn page(site: &Site) -> String {
    let base = &site.config.base_url;
    let m = &site.config.messages;
    let title = xml_escape(&widget_title(&site.config.title, m));
    let built = crate::view::time_view(m, site.now);
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\" data-theme=\"auto\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'; script-src 'self'; base-uri 'none'\">\n\
<meta name=\"color-scheme\" content=\"light dark\">\n\
<meta name=\"robots\" content=\"noindex\">\n<title>{title}</title>\n<link rel=\"stylesheet\" href=\"widget.css\">\n\
<script src=\"theme.js\"></script>\n</head>\n<body>\n\
<main class=\"w {indicator}\" data-indicator=\"{indicator}\">\n<h1 class=\"label\">{label}</h1>\n",
        lang = xml_escape(&m.lang),
        indicator = site.overall.as_str(),
        label = xml_escape(&m.text(site.overall.message_key())),
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
                xml_escape(&m.text(inc.status.message_key()))
            );
        }
        html.push_str("</ul>\n");
    }
    let _ = write!(
        html,
        "<p class=\"more\">{} <time datetime=\"{}\">{}</time> · <a href=\"{}/\" target=\"_top\">{title}</a></p>\n</main>\n</body>\n</html>\n",
        xml_escape(&m.text("widget.as_of")),
        built.iso,
        xml_escape(&built.display),
        xml_escape(base)
    );
    html
}

pub fn files(site: &Site) -> Vec<OutputFile> {
    vec![
        OutputFile::new("widget/index.html".into(), page(site).into_bytes()),
        OutputFile::new("widget/widget.js".into(), SCRIPT.as_bytes().to_vec()),
        OutputFile::new("widget/widget.css".into(), STYLE.as_bytes().to_vec()),
        OutputFile::new("widget/theme.js".into(), FRAME_SCRIPT.as_bytes().to_vec()),
    ]
}

#[cfg(test)]
mod tests {
    use super::widget_title;

    #[test]
    fn the_title_says_status_once() {
        let en = crate::i18n::Messages::english();
        assert_eq!(widget_title("Example Network Status", &en), "Example Network Status");
        assert_eq!(widget_title("Example Network", &en), "Example Network status");
    }
}

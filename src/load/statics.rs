//! What `static/` may hold. Its files are published as they are, on the site's own origin, where
//! the pages' Content-Security-Policy lets same-origin scripts run: so a static file may neither
//! take the place of a file of the theme (`static/assets/cairn.js` would replace the script
//! every page loads) nor be a document or script a browser runs (`.html`, `.htm`, `.xhtml`,
//! `.js`, `.mjs`, and an SVG that could hold a script). The theme's own scripts stay the only
//! ones a browser runs; a site's scripts belong in the theme (`themes/<name>/` or `templates/`),
//! where review sees them as code.
//!
//! SVG is an image format used for logos and diagrams, so it is not refused whole: an SVG is
//! refused when it holds anything that can run or hide a script: a `<script` or
//! `<foreignObject` element, an `on…=` event-handler attribute, a `javascript:` URL, a
//! character reference (`&#…;`, which can spell `javascript:` in an attribute) or a DTD (`<!`
//! entity declarations can too). The check is over-cautious by design (it looks at the bytes,
//! case-insensitively, not at a parsed document), so a plain drawing passes and nothing that
//! could run slips through a parser's reading that differs from a browser's.

use super::inputs;
use crate::diagnostics::{Diagnostic, Pos, display_path};
use std::path::Path;

/// Extensions of files a browser runs as a document or a script.
const SCRIPT_CAPABLE: [&str; 5] = ["html", "htm", "xhtml", "js", "mjs"];

/// Every problem of the files of `static/` below `root`, for a site using `theme`.
pub fn problems(root: &Path, theme: &str) -> Vec<Diagnostic> {
    let theme_files = theme_outputs(root, theme);
    let dir = root.join("static");
    let mut out = Vec::new();
    for entry in inputs::walk_below(root, Path::new("static")).files {
        let Ok(rel) = entry.path().strip_prefix(&dir) else { continue };
        let output = display_path(rel);
        let file = Path::new("static").join(rel);
        let shown = display_path(&file);
        if let Some((_, from)) = theme_files.iter().find(|(path, _)| *path == output) {
            out.push(
                Diagnostic::error(
                    &file,
                    Pos::START,
                    "path-conflict",
                    format!("`{shown}` would replace `{output}` of the theme ({from})"),
                )
                .with_help(
                    "rename or remove the static file; to change the theme's files, override them in \
                     `themes/<name>/static/`, where review sees them as code",
                ),
            );
            continue;
        }
        let extension = rel.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        let why = if SCRIPT_CAPABLE.contains(&extension.as_str()) {
            Some(format!("a `.{extension}` file is a page or script that browsers run"))
        } else if extension == "svg" {
            match inputs::read_file(entry.path(), super::limits::MAX_FILE_BYTES) {
                Ok(bytes) => svg_risk(&bytes).map(|what| format!("this SVG holds {what}, which can run a script")),
                // Unreadable or too large: reported when it is copied.
                Err(_) => None,
            }
        } else {
            None
        };
        if let Some(why) = why {
            out.push(
                Diagnostic::error(
                    &file,
                    Pos::START,
                    "script-in-static",
                    format!("`{shown}` is published as is, and {why}"),
                )
                .with_help(
                    "static files may not run in the browser: the theme's scripts are the only ones a page \
                         runs. Put a site's scripts and pages in the theme (`themes/<name>/` or `templates/`), \
                         where review sees them as code; for an SVG, remove the script, event handlers, \
                         `javascript:` links, character references and DTD, or use a PNG",
                ),
            );
        }
    }
    out
}

/// The files the theme puts in the output (`assets/…`) with where each comes from: the default
/// theme's own files and the highlight stylesheets, or a theme's `static/` folder.
fn theme_outputs(root: &Path, theme: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = ["syntax-light.css", "syntax-dark.css"]
        .iter()
        .map(|name| (format!("assets/{name}"), "made by cairn for code highlighting".to_string()))
        .collect();
    if theme == "default" {
        for (name, _) in crate::render::templates::THEME_STATIC {
            out.push((format!("assets/{name}"), format!("the default theme's `{name}`")));
        }
    }
    if inputs::is_plain(Path::new(theme)) && Path::new(theme).components().count() == 1 {
        let rel_dir = Path::new("themes").join(theme).join("static");
        let dir = root.join(&rel_dir);
        for entry in inputs::walk_below(root, &rel_dir).files {
            if let Ok(rel) = entry.path().strip_prefix(&dir) {
                out.push((format!("assets/{}", display_path(rel)), format!("`{}`", display_path(&rel_dir.join(rel)))));
            }
        }
    }
    out
}

/// What in an SVG could run or hide a script, if anything (see the module comment).
fn svg_risk(bytes: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    if text.contains("<script") {
        return Some("a `<script>` element");
    }
    if text.contains("<foreignobject") {
        return Some("a `<foreignObject>` element");
    }
    if text.contains("javascript:") {
        return Some("a `javascript:` URL");
    }
    if text.contains("&#") {
        return Some("a character reference (`&#…;`)");
    }
    if text.contains("<!") && !text.split("<!").skip(1).all(|rest| rest.starts_with("--")) {
        return Some("a DTD (`<!DOCTYPE` or `<!ENTITY`)");
    }
    // An attribute named `on…`: whitespace (or `/`), `on`, letters, optional spaces, `=`.
    let b = text.as_bytes();
    for (i, _) in text.match_indices("on") {
        let before = i.checked_sub(1).map(|j| b[j]);
        if !before.is_some_and(|c| c.is_ascii_whitespace() || c == b'/') {
            continue;
        }
        let rest = &b[i + 2..];
        let letters = rest.iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b':').count();
        let after = rest[letters..].iter().find(|c| !c.is_ascii_whitespace());
        if letters > 0 && after == Some(&b'=') {
            return Some("an event-handler attribute (`on…=`)");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::svg_risk;

    #[test]
    fn drawings_pass_and_scripts_do_not() {
        let plain = br#"<?xml version="1.0"?><!-- logo --><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><path d="M0 0h1" fill="none" stroke-width="1"/><text font-family="sans">one, done</text></svg>"#;
        assert_eq!(svg_risk(plain), None);
        for bad in [
            &b"<svg><script>alert(1)</script></svg>"[..],
            b"<svg><SCRIPT href='x.js'/></svg>",
            b"<svg onload=\"alert(1)\"/>",
            b"<svg><rect\nONclick = 'x'/></svg>",
            b"<svg><a href=\"javascript:alert(1)\"><text>x</text></a></svg>",
            b"<svg><a href=\"&#106;avascript:alert(1)\"/></svg>",
            b"<!DOCTYPE svg [<!ENTITY x \"javascript\">]><svg/>",
            b"<svg><foreignObject><iframe/></foreignObject></svg>",
        ] {
            assert!(svg_risk(bad).is_some(), "{}", String::from_utf8_lossy(bad));
        }
    }
}

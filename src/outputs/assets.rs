//! Static assets: the theme's CSS and JS, the generated highlight stylesheets, and the site's own
//! `static/` folder copied as is.

use super::OutputFile;
use crate::diagnostics::{Diagnostic, Pos, display_path};
use crate::render::{highlight, templates::THEME_STATIC};
use crate::site::Site;
use std::path::Path;

pub fn files(site: &Site, root: &Path) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let mut out: Vec<OutputFile> = Vec::new();
    let mut problems = Vec::new();
    if site.config.theme == "default" {
        for (name, text) in THEME_STATIC {
            out.push(OutputFile::new(format!("assets/{name}"), text.as_bytes().to_vec()));
        }
    }
    let (light, dark) = highlight::stylesheets();
    out.push(OutputFile::new("assets/syntax-light.css".into(), light.into_bytes()));
    out.push(OutputFile::new("assets/syntax-dark.css".into(), dark.into_bytes()));
    let dirs = [(root.join("themes").join(&site.config.theme).join("static"), "assets/"), (root.join("static"), "")];
    for (dir, prefix) in dirs {
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(&dir) else {
                continue;
            };
            let path = format!("{prefix}{}", display_path(rel));
            match std::fs::read(entry.path()) {
                Ok(bytes) => {
                    out.retain(|f| f.path != path);
                    out.push(OutputFile::new(path, bytes));
                }
                Err(e) => problems.push(Diagnostic::error(
                    entry.path().strip_prefix(root).unwrap_or(entry.path()),
                    Pos::START,
                    "unreadable",
                    format!("cannot read static file: {e}"),
                )),
            }
        }
    }
    (out, problems)
}

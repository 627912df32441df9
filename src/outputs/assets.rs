//! Static assets: the theme's CSS and JS, the generated highlight stylesheets, and the site's own
//! `static/` folder copied as is.

use super::OutputFile;
use crate::diagnostics::{Diagnostic, Pos, display_path};
use crate::load::inputs;
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
    // Found and read through `load::inputs`: nothing behind a link is published (the loader
    // warns about each link).
    let theme = std::path::PathBuf::from("themes").join(&site.config.theme).join("static");
    let mut dirs = vec![(Path::new("static").to_path_buf(), "")];
    if inputs::is_plain(Path::new(&site.config.theme)) && Path::new(&site.config.theme).components().count() == 1 {
        dirs.insert(0, (theme, "assets/"));
    }
    for (rel_dir, prefix) in dirs {
        let dir = root.join(&rel_dir);
        for entry in inputs::walk_below(root, &rel_dir).files {
            let Ok(rel) = entry.path().strip_prefix(&dir) else {
                continue;
            };
            let path = format!("{prefix}{}", display_path(rel));
            match inputs::read_file(entry.path(), u64::MAX) {
                Ok(bytes) => {
                    out.retain(|f| f.path != path);
                    out.push(OutputFile::new(path, bytes));
                }
                Err(e) => problems.push(
                    Diagnostic::error(
                        entry.path().strip_prefix(root).unwrap_or(entry.path()),
                        Pos::START,
                        "unreadable",
                        format!("cannot read static file: {e}"),
                    )
                    .with_help("static files are copied as they are; check that the file can be read"),
                ),
            }
        }
    }
    (out, problems)
}

//! Stage 4, outputs: every artefact of a site, each family a function of the resolved `Site`.
//! Outputs are returned as files in memory, sorted by path, for `output` to write atomically.

mod assets;
mod pages;
mod search;
pub mod searchable;
mod sitemap;
mod stamp;
mod views;

use crate::diagnostics::Diagnostic;
use crate::render::Renderer;
use crate::site::Site;
use std::path::Path;

/// One file of the built site: a `/`-separated path relative to the output root, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(path: String, bytes: Vec<u8>) -> OutputFile {
        OutputFile { path, bytes }
    }
}

/// Every file of `site`. `root` is the repo root (for theme overrides and `static/`);
/// `progress` is called once per document page rendered.
pub fn build_all(site: &Site, root: &Path, progress: &(dyn Fn() + Sync)) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let renderer = match Renderer::new(root, site) {
        Ok(r) => r,
        Err(problems) => return (Vec::new(), problems),
    };
    let (mut files, mut problems) = pages::render_all(site, &renderer, progress);
    let (asset_files, asset_problems) = assets::files(site, root);
    files.extend(asset_files);
    problems.extend(asset_problems);
    files.push(sitemap::sitemap(site));
    files.push(sitemap::robots(site));
    files.push(stamp::stamp(site));
    files.extend(search::files(site, &renderer).unwrap_or_else(|d| {
        problems.push(d);
        Vec::new()
    }));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let duplicates: Vec<String> =
        files.windows(2).filter(|w| w[0].path == w[1].path).map(|w| w[0].path.clone()).collect();
    for path in duplicates {
        problems.push(
            Diagnostic::error(
                Path::new("static"),
                crate::diagnostics::Pos::START,
                "path-conflict",
                format!("two outputs would be written to `{path}`"),
            )
            .with_help("rename the page or static file so each output path is unique"),
        );
    }
    (files, problems)
}

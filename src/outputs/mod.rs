//! Stage 4, outputs: every artefact of a site, each family a function of the resolved `Site`.
//! Document pages are streamed to the staging directory; every other output is returned, sorted by path.

mod assets;
mod badges;
mod calendar;
mod feeds;
mod history;
mod knowledge;
mod metrics;
mod pages;
mod search;
pub mod searchable;
mod sitemap;
mod stamp;
mod statusapi;
mod views;
mod widget;

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

/// Where streamed outputs go: the staging directory, in a build. A failure comes back as a
/// diagnostic naming the file.
pub type Sink<'a> = dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync + 'a;

/// Every file of `site`. `root` is the repo root (for theme overrides and `static/`);
/// `progress` is called once per document page rendered. Document pages are streamed to `sink`;
/// every other output is returned, sorted by path.
pub fn build_all(
    site: &Site,
    root: &Path,
    progress: &(dyn Fn() + Sync),
    sink: &Sink<'_>,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let renderer = match Renderer::new(root, site) {
        Ok(r) => r,
        Err(problems) => return (Vec::new(), problems),
    };
    let (mut files, mut problems) = pages::render_all(site, &renderer, progress, sink);
    let (asset_files, asset_problems) = assets::files(site, root);
    files.extend(asset_files);
    problems.extend(asset_problems);
    let (kb_files, kb_problems) = knowledge::files(site, &renderer);
    files.extend(kb_files);
    problems.extend(kb_problems);
    let (metric_files, metric_problems) = metrics::files(site, &renderer);
    files.extend(metric_files);
    problems.extend(metric_problems);
    files.push(sitemap::sitemap(site));
    files.push(sitemap::robots(site));
    files.push(stamp::stamp(site));
    files.extend(statusapi::files(site));
    files.extend(feeds::files(site));
    files.push(calendar::file(site));
    files.extend(badges::files(site));
    files.extend(widget::files(site));
    files.extend(search::files(site, &renderer).unwrap_or_else(|d| {
        problems.push(d);
        Vec::new()
    }));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let pages: std::collections::HashSet<String> =
        site.docs.iter().filter(|d| d.has_page()).map(|d| format!("{}index.html", d.path)).collect();
    let duplicates: Vec<String> = files
        .windows(2)
        .filter(|w| w[0].path == w[1].path)
        .map(|w| w[0].path.clone())
        .chain(files.iter().filter(|f| pages.contains(&f.path)).map(|f| f.path.clone()))
        .collect();
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

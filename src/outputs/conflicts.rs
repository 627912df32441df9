//! Two sources whose outputs would land on one path: each conflict names every source file
//! involved, so that the writer of a page learns which other file took its place. Documents are
//! compared among themselves (`content/foo.md` and `content/Foo.md`, `über.md` and `uber.md`)
//! and with the pages cairn makes at fixed places (`content/search.md` and the search page),
//! from the `Site` alone, so `cairn check` finds them for every audience without rendering;
//! the build finds every other conflict when the second file is emitted.

use crate::diagnostics::{Diagnostic, Pos, display_path};
use crate::site::Site;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Pages cairn makes at fixed paths in every build (the incident history, search, the widget).
/// Pages made only for some sites (a section's listing when it has documents) are found by the
/// build.
const OWN_PAGES: [&str; 3] = ["incidents/index.html", "search/index.html", "widget/index.html"];

/// Output path of each document page → the source files of the documents written there.
pub fn page_sources(site: &Site) -> BTreeMap<String, Vec<PathBuf>> {
    let mut out: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for doc in site.docs.iter().filter(|d| d.has_page()) {
        out.entry(format!("{}index.html", doc.path)).or_default().push(doc.source.clone());
    }
    for sources in out.values_mut() {
        sources.sort();
    }
    out
}

/// Every conflict a build of `site` would meet between its documents' pages, or between one
/// and a page cairn makes itself.
pub fn of_pages(site: &Site) -> Vec<Diagnostic> {
    let mut plain: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    // Documents of a section are at `<kind>/<id>/`: two of them on one path share an id, which
    // `duplicate-id` reports already. Plain pages are where addresses fold together.
    for doc in site.docs.iter().filter(|d| d.has_page() && d.kind == crate::model::Kind::Page) {
        plain.entry(format!("{}index.html", doc.path)).or_default().push(doc.source.clone());
    }
    plain
        .into_iter()
        .map(|(path, mut sources)| {
            sources.sort();
            (path, sources)
        })
        .filter(|(path, sources)| sources.len() > 1 || OWN_PAGES.contains(&path.as_str()))
        .map(|(path, sources)| diagnostic(&path, &sources))
        .collect()
}

/// The error for `sources` (source files below the root, at least one) written to `path`; with
/// only one source, the other output is one cairn makes.
pub fn diagnostic(path: &str, sources: &[PathBuf]) -> Diagnostic {
    let Some((first, others)) = sources.split_first() else {
        return Diagnostic::error(
            Path::new("content"),
            Pos::START,
            "path-conflict",
            format!("two outputs would be written to `{path}`"),
        )
        .with_help("rename the page or static file so each output path is unique");
    };
    let named = |p: &PathBuf| format!("`{}`", display_path(p));
    let message = if others.is_empty() {
        format!("{} would be written to `{path}`, where cairn writes a file of its own", named(first))
    } else {
        let others: Vec<String> = others.iter().map(|p| format!("`{}:1:1`", display_path(p))).collect();
        format!("{} and {} would both be written to `{path}`", named(first), others.join(" and "))
    };
    Diagnostic::error(first, Pos::START, "path-conflict", message).with_help(
        "rename one of the files so each output path is unique (page URLs ignore case and accents, so \
         `Foo.md`, `foo.md`, `über.md` and `uber.md` make the same URL)",
    )
}

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
    for doc in &site.docs {
        for alias in &doc.aliases {
            out.entry(alias.clone()).or_default().push(doc.source.clone());
        }
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

/// The paths written so far, and every folder they make: a file may not take the name of a
/// folder another output needs (an alias `/build.json/` would turn the build stamp into a
/// folder holding a redirect), nor a folder the name of a file.
#[derive(Default)]
pub struct Taken {
    files: std::collections::HashSet<String>,
    folders: std::collections::HashSet<String>,
}

impl Taken {
    /// How many files were taken.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Takes `path`; when something already holds it (as a file or a folder), the path that
    /// holds it.
    pub fn take(&mut self, path: &str) -> Result<(), String> {
        if self.files.contains(path) || self.folders.contains(path) {
            return Err(path.to_string());
        }
        let folders: Vec<&str> = path.match_indices('/').map(|(i, _)| &path[..i]).collect();
        if let Some(file) = folders.iter().find(|f| self.files.contains(**f)) {
            return Err(file.to_string());
        }
        self.files.insert(path.to_string());
        self.folders.extend(folders.into_iter().map(str::to_string));
        Ok(())
    }
}

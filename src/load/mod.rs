//! Stage 1, load: walk the repo, split front matter, parse YAML into typed documents with source
//! positions, and collect every problem on the way. serde_yaml is used only inside this module.

mod config;
mod documents;
pub mod edit;
mod fields;
mod yaml;

pub use fields::{parse_date, parse_span, parse_time, time_help};

use crate::diagnostics::{Diagnostic, Pos, sort_and_dedup};
use crate::model::{Kind, Sources};
use documents::Loaded;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Source files already read (by the build fingerprint), by path as walked from the root:
/// `load_from` parses these bytes instead of reading each document a second time, and so
/// parses exactly the bytes that were fingerprinted. Files not in it are read from disk.
#[derive(Default)]
pub struct Snapshot(HashMap<PathBuf, Vec<u8>>);

impl Snapshot {
    fn take(&mut self, path: &Path) -> Option<Vec<u8>> {
        self.0.remove(path)
    }
}

impl FromIterator<(PathBuf, Vec<u8>)> for Snapshot {
    fn from_iter<I: IntoIterator<Item = (PathBuf, Vec<u8>)>>(files: I) -> Snapshot {
        Snapshot(files.into_iter().collect())
    }
}

/// The kind of a file below `content/`, from its folder and extension; `None` for files that are
/// not documents (`components.yaml` is read separately).
fn classify(rel: &str) -> Option<Kind> {
    let (folder, rest) = rel.split_once('/').unwrap_or(("", rel));
    let is_md = rel.ends_with(".md");
    match folder {
        "incidents" if is_md => Some(Kind::Incident),
        "postmortems" if is_md => Some(Kind::Postmortem),
        "runbooks" if is_md => Some(Kind::Runbook),
        "maintenance" if is_md => Some(Kind::Maintenance),
        "matrices" if rest.ends_with(".yaml") || rest.ends_with(".yml") => Some(Kind::Matrix),
        _ if is_md => Some(Kind::Page),
        _ => None,
    }
}

/// Reads only `cairn.yaml` (for decisions made before a full load); problems are ignored here and
/// reported by the full load.
pub fn config_only(root: &Path) -> crate::model::Config {
    config::load_config(root, &mut Vec::new())
}

/// Loads everything below `root`. Always returns a model (possibly partial) and all problems.
pub fn load(root: &Path) -> (Sources, Vec<Diagnostic>) {
    load_from(root, Snapshot::default())
}

/// [`load`], taking the documents' bytes from `snapshot` where it has them.
pub fn load_from(root: &Path, mut snapshot: Snapshot) -> (Sources, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let config = config::load_config(root, &mut problems);
    let components = config::load_components(root, &config, &mut problems);
    let content = root.join("content");
    let mut files: Vec<(String, Kind, Option<Vec<u8>>)> = Vec::new();
    if content.is_dir() {
        for entry in walkdir::WalkDir::new(&content).sort_by_file_name().into_iter().filter_map(Result::ok) {
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(&content) else {
                continue;
            };
            let rel = crate::diagnostics::display_path(rel);
            if rel == "components.yaml" || rel.split('/').any(|part| part.starts_with('.')) {
                continue;
            }
            match classify(&rel) {
                Some(kind) => {
                    let bytes = snapshot.take(entry.path());
                    files.push((rel, kind, bytes));
                }
                None => problems.push(
                    Diagnostic::warning(
                        &Path::new("content").join(&rel),
                        Pos::START,
                        "ignored-file",
                        "this file is not a document and is not published",
                    )
                    .with_help("put images and other files to publish as they are in `static/`"),
                ),
            }
        }
    } else {
        problems.push(
            Diagnostic::error(Path::new("content"), Pos::START, "missing-content", "there is no `content/` folder")
                .with_help("documents live in content/incidents, content/runbooks, … (see `cairn init`)"),
        );
    }
    drop(snapshot);
    let loaded: Vec<(Option<Loaded>, Vec<Diagnostic>, String, Kind)> = files
        .into_par_iter()
        .map(|(rel, kind, bytes)| {
            let mut p = Vec::new();
            let doc = documents::load_document(root, &rel, kind, bytes, &config.audiences, &mut p);
            (doc, p, rel, kind)
        })
        .collect();
    let mut sources = Sources {
        root: root.to_path_buf(),
        config,
        components,
        incidents: Vec::new(),
        postmortems: Vec::new(),
        runbooks: Vec::new(),
        matrices: Vec::new(),
        maintenance: Vec::new(),
        pages: Vec::new(),
        unloaded: Vec::new(),
    };
    for (doc, mut p, rel, kind) in loaded {
        problems.append(&mut p);
        match doc {
            Some(Loaded::Incident(d)) => sources.incidents.push(d),
            Some(Loaded::Postmortem(d)) => sources.postmortems.push(d),
            Some(Loaded::Runbook(d)) => sources.runbooks.push(d),
            Some(Loaded::Matrix(d)) => sources.matrices.push(d),
            Some(Loaded::Maintenance(d)) => sources.maintenance.push(d),
            Some(Loaded::Page(d)) => sources.pages.push(d),
            None => {
                let stem = rel.rsplit('/').next().unwrap_or(&rel);
                let slug = stem.rsplit_once('.').map_or(stem, |(s, _)| s).to_string();
                sources.unloaded.push((kind, slug, rel));
            }
        }
    }
    sort_and_dedup(&mut problems);
    (sources, problems)
}

//! Stage 1, load: walk the repo, split front matter, parse YAML into typed documents with source
//! positions, and collect every problem on the way. serde_yaml is used only inside this module.

mod config;
mod disclosure;
mod documents;
pub mod edit;
mod emit;
mod fields;
pub mod inputs;
pub mod limits;
mod names;
mod notify;
mod scan;
mod statics;
mod yaml;

pub use documents::Loaded;
pub use fields::{parse_date, parse_span, parse_time, time_help};
pub use notify::parse_duration;

use crate::diagnostics::{Diagnostic, Pos, sort_and_dedup};
use crate::model::{Audiences, Kind, Sources};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The input files of a repo as a walk found them, each with its bytes when they were read (by
/// the build fingerprint), in walk order: `load_from` takes its list of documents and their
/// bytes from here instead of walking and reading again, and so parses exactly the bytes that
/// were fingerprinted. Without a snapshot, `load_from` walks and reads itself.
#[derive(Default)]
pub struct Snapshot(Option<Vec<(PathBuf, Option<Vec<u8>>)>>);

impl Snapshot {
    /// A snapshot of these files, in the order of [`files_sorted`].
    pub fn of(files: Vec<(PathBuf, Option<Vec<u8>>)>) -> Snapshot {
        Snapshot(Some(files))
    }

    /// The documents of the repo at `root` as they are on disk, but for the one at `rel` (below
    /// the root, e.g. `content/incidents/x.md`), whose bytes are `bytes`, whether or not it
    /// exists yet: the repo as it would be once that file is written.
    pub fn with_file(root: &Path, rel: &Path, bytes: Vec<u8>) -> Snapshot {
        let content = root.join("content");
        let target = root.join(rel);
        let mut files: Vec<(PathBuf, Option<Vec<u8>>)> = inputs::walk_below(root, Path::new("content"))
            .files
            .into_iter()
            .map(walkdir::DirEntry::into_path)
            .filter(|path| *path != target)
            .map(|path| (path, None))
            .collect();
        files.push((target, Some(bytes)));
        files.sort_by_cached_key(|(path, _)| inputs::sort_key(path.strip_prefix(&content).unwrap_or(path)));
        Snapshot(Some(files))
    }

    /// The files below `dir`, in order, handed over; `None` without a snapshot.
    fn take_under(&mut self, dir: &Path) -> Option<Vec<(PathBuf, Option<Vec<u8>>)>> {
        let files = self.0.take()?;
        Some(files.into_iter().filter(|(path, _)| path.starts_with(dir)).collect())
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

/// The regular files below `dir` (or `dir` itself, when it is a file), in the order of a walk
/// that takes the names of each folder sorted; nothing below a symbolic link, `dir` included
/// (the build fingerprint reads exactly what a build may read).
pub fn files_sorted(dir: &Path) -> Vec<walkdir::DirEntry> {
    inputs::walk(dir).files
}

/// Loads everything below `root`. Always returns a model (possibly partial) and all problems.
pub fn load(root: &Path) -> (Sources, Vec<Diagnostic>) {
    load_from(root, Snapshot::default())
}

/// The documents among the files `listed` below `content`, and the problems of the others (names
/// that make no id, files that are not documents).
fn documents_of(content: &Path, listed: Vec<(PathBuf, Option<Vec<u8>>)>) -> (Vec<documents::File>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for (path, bytes) in listed {
        let Ok(rel) = path.strip_prefix(content) else {
            continue;
        };
        let rel = match names::content_path(rel) {
            names::Named::Hidden => continue,
            names::Named::Refused(d) => {
                problems.push(d);
                continue;
            }
            names::Named::Usable(rel) => rel,
        };
        if rel == "components.yaml" {
            continue;
        }
        match classify(&rel) {
            Some(kind) => match names::document_id(&rel) {
                Ok(slug) => files.push(documents::File { path, rel, slug, kind, bytes }),
                Err(d) => problems.push(d),
            },
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
    (files, problems)
}

/// Every document among `listed`, loaded in parallel: each with its problems and its file.
type LoadedFiles = (Vec<(Option<Loaded>, Vec<Diagnostic>, documents::File)>, Vec<Diagnostic>);

fn load_listed(content: &Path, listed: Vec<(PathBuf, Option<Vec<u8>>)>, audiences: &Audiences) -> LoadedFiles {
    let (files, problems) = documents_of(content, listed);
    let loaded = files
        .into_par_iter()
        .map(|mut file| {
            let mut p = Vec::new();
            let doc = documents::load_document(&mut file, audiences, &mut p);
            (doc, p, file)
        })
        .collect();
    (loaded, problems)
}

/// The document at `rel` (below `content/`) as it was at an old revision, whose bytes are
/// `bytes`: read by the same loader as the current files. `None` when the path names no document
/// or the file does not load (its problems are those of an old revision, not reported).
pub fn document_at(rel: &str, bytes: Vec<u8>, audiences: &Audiences) -> Option<Loaded> {
    let names::Named::Usable(rel) = names::content_path(Path::new(rel)) else { return None };
    let kind = classify(&rel)?;
    let slug = names::document_id(&rel).ok()?;
    let path = Path::new("content").join(&rel);
    let mut file = documents::File { path, rel, slug, kind, bytes: Some(bytes) };
    documents::load_document(&mut file, audiences, &mut Vec::new())
}

/// The document at `rel` (below `content/`) with `bytes`, read by the same loader as a build,
/// with the problems the loader found in it (`None` when it does not load).
pub fn document_checked(rel: &str, bytes: Vec<u8>, audiences: &Audiences) -> (Option<Loaded>, Vec<Diagnostic>) {
    let names::Named::Usable(rel) = names::content_path(Path::new(rel)) else { return (None, Vec::new()) };
    let (Some(kind), Ok(slug)) = (classify(&rel), names::document_id(&rel)) else { return (None, Vec::new()) };
    let path = Path::new("content").join(&rel);
    let mut file = documents::File { path, rel, slug, kind, bytes: Some(bytes) };
    let mut problems = Vec::new();
    let loaded = documents::load_document(&mut file, audiences, &mut problems);
    (loaded, problems)
}

/// `content/components.yaml` as it was at an old revision, read by the same loader; problems are
/// not reported (they are those of an old revision).
pub fn components_at(bytes: Vec<u8>, config: &crate::model::Config) -> crate::model::Components {
    let text = String::from_utf8(bytes).unwrap_or_default();
    config::components_from(text, config, &mut Vec::new())
}

/// [`load`], taking the documents' bytes from `snapshot` where it has them.
pub fn load_from(root: &Path, mut snapshot: Snapshot) -> (Sources, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut config = config::load_config(root, &mut problems);
    let (messages, more) = crate::i18n::load(root, &config.theme, &config.language, config.locations.value("language"));
    config.messages = messages;
    problems.extend(more);
    let components = config::load_components(root, &config, &mut problems);
    let content = root.join("content");
    let content_rel = Path::new("content");
    let is_dir = std::fs::symlink_metadata(&content).is_ok_and(|m| m.is_dir());
    let audiences = &config.audiences;
    // With a snapshot, `content/` is walked only for its links, beside the loading.
    let (listing, (loaded, more)) = match snapshot.take_under(&content).filter(|_| is_dir) {
        Some(listed) => {
            rayon::join(|| inputs::walk_below(root, content_rel), || load_listed(&content, listed, audiences))
        }
        None => {
            let mut listing = inputs::walk_below(root, content_rel);
            let listed = std::mem::take(&mut listing.files).into_iter().map(|e| (e.into_path(), None)).collect();
            let loaded = load_listed(&content, listed, audiences);
            (listing, loaded)
        }
    };
    problems.extend(more);
    problems.extend(inputs::link_warnings(root, &config.theme, &listing.links));
    problems.extend(statics::problems(root, &config.theme));
    if !is_dir {
        let linked = listing.links.iter().any(|l| l == content_rel);
        let message = if linked {
            "`content` is a symbolic link, which cairn does not follow: there is no `content/` folder"
        } else {
            "there is no `content/` folder"
        };
        problems.push(
            Diagnostic::error(content_rel, Pos::START, "missing-content", message)
                .with_help("documents live in content/incidents, content/runbooks, … (see `cairn init`)"),
        );
    }
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
        notified: notify::load_state(root, &mut problems),
    };
    for (doc, mut p, file) in loaded {
        problems.append(&mut p);
        match doc {
            Some(Loaded::Incident(d)) => sources.incidents.push(d),
            Some(Loaded::Postmortem(d)) => sources.postmortems.push(d),
            Some(Loaded::Runbook(d)) => sources.runbooks.push(d),
            Some(Loaded::Matrix(d)) => sources.matrices.push(d),
            Some(Loaded::Maintenance(d)) => sources.maintenance.push(d),
            Some(Loaded::Page(d)) => sources.pages.push(d),
            None => sources.unloaded.push((file.kind, file.slug, file.rel)),
        }
    }
    sort_and_dedup(&mut problems);
    (sources, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_come_in_the_order_of_a_walk_of_sorted_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let names =
            ["a/x.md", "a/y/z.md", "a-b.md", "a.b/c.md", "b.md", "B.md", "a0/q.md", "ä.md", "a/x-y.md", "a/x/w.md"];
        for name in names {
            let path = tmp.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, name).unwrap();
        }
        let walked: Vec<_> = walkdir::WalkDir::new(tmp.path())
            .sort_by_file_name()
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(walkdir::DirEntry::into_path)
            .collect();
        let sorted: Vec<_> = files_sorted(tmp.path()).into_iter().map(walkdir::DirEntry::into_path).collect();
        assert_eq!(sorted.len(), names.len());
        assert_eq!(sorted, walked);
        let file = tmp.path().join("b.md");
        assert_eq!(files_sorted(&file).into_iter().map(walkdir::DirEntry::into_path).collect::<Vec<_>>(), vec![file]);
    }
}

//! The served site and its incremental rebuilds. The site is kept in a folder of its own
//! (`.cairn/serve/<audience>/`), holding exactly the files `cairn build` would write; each
//! rebuild loads and resolves the repo again, compares the new Site with the last good one
//! (`outputs::deps`) and remakes only the outputs whose inputs changed, writing only the files
//! whose bytes changed, each replaced whole (written aside, then renamed over the old one) so a
//! request never reads half a file. A rebuild that fails leaves the last good site in place.

use crate::diagnostics::{Diagnostic, Pos, sort_and_dedup};
use crate::model::Config;
use crate::model::Timestamp;
use crate::outputs::deps::{self, Signatures};
use crate::outputs::{OutputFile, Selection, Terms};
use crate::pipeline::{BuildError, BuildOptions};
use crate::render::Renderer;
use crate::render::templates::Versions;
use crate::site::{DocId, Site};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// What a rebuild is asked to take into account, from the files that changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// `cairn.yaml` changed (or the first build): every output is remade.
    pub config: bool,
    /// Something below `static/` or a theme's `static/` changed: the static files are copied again.
    pub assets: bool,
    /// Any other input changed (content, templates): what changed is found by comparing Sites.
    pub inputs: bool,
    /// The inputs the watch saw change (below the root, `/`-separated), for the quick pass;
    /// not a complete list when events were lost (then `config` is set).
    pub files: std::collections::BTreeSet<String>,
}

impl Changes {
    pub fn everything() -> Changes {
        Changes { config: true, assets: true, inputs: true, files: Default::default() }
    }

    pub fn any(&self) -> bool {
        self.config || self.assets || self.inputs
    }
}

/// What one rebuild did.
#[derive(Debug, Clone, Default)]
pub struct Rebuilt {
    /// The first build of the session.
    pub first: bool,
    /// Pages of documents remade.
    pub pages: usize,
    /// Whether the outputs made from the whole site (home, listings, feeds, search…) were remade.
    pub rest: bool,
    /// Files whose bytes changed, and files removed.
    pub written: usize,
    pub removed: usize,
    /// Paths (below the site root) of the files written or removed.
    pub paths: Vec<String>,
    pub warnings: Vec<Diagnostic>,
    pub seconds: f64,
    /// How long each stage took (`cairn serve --timings`).
    pub timings: Vec<crate::timings::Stage>,
}

/// The last good build: what the next rebuild compares itself with.
struct Last {
    signatures: Signatures,
    versions: Versions,
    /// Paths made by outputs other than documents' pages (they come and go with the site).
    rest_paths: HashSet<String>,
}

/// The site being served, kept on disk in `dir`.
pub struct Served {
    opts: BuildOptions,
    dir: PathBuf,
    /// Where files are written before they are renamed into `dir` (same file system).
    scratch: PathBuf,
    /// Every file in `dir`, with the XXH3-128 hash of its bytes; `None` for files found there
    /// from an earlier session, not yet compared.
    files: Mutex<HashMap<String, Option<u128>>>,
    last: Option<Last>,
    /// The Site of the last good build (patched by the quick pass until the next build); none
    /// while a rebuild runs or after one failed.
    site: Option<Site>,
    /// What the last good build rendered with, and its configuration.
    renderer: Option<Renderer>,
    config: Option<Config>,
    /// The files the last good build warned about (a quick pass cannot tell their warnings).
    warned: HashSet<String>,
    /// The last rebuild failed: the inputs are not those of the site served.
    broken: bool,
    /// What the quick pass replaced (path, old bytes; `None`: no file), put back if the
    /// rebuild after it fails.
    backup: Vec<(String, Option<Vec<u8>>)>,
}

/// The search index of a Site, made on another thread after the pages are out.
pub struct IndexJob {
    pub of: crate::search::IndexOf,
    pub docs: Vec<crate::outputs::searchable::SearchDoc>,
    pub words: Vec<String>,
}

/// Why a rebuild failed: its problems, and the paths of the quick pass's pages put back.
pub type Failed = (Vec<Diagnostic>, Vec<String>);

/// At most this many edited documents are patched by a quick pass (more is a bulk change: a
/// checkout, a search and replace).
const QUICK_FILES: usize = 8;

impl Served {
    /// A served site for `opts` (root, audience, now, base URL) kept in `dir`, reusing what an
    /// earlier session left there: unchanged files are not written again.
    pub fn new(opts: BuildOptions, dir: PathBuf) -> io::Result<Served> {
        std::fs::create_dir_all(&dir)?;
        let scratch = dir.with_file_name(format!(
            ".{}.scratch",
            dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        ));
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch)?;
        let mut files = HashMap::new();
        for entry in walkdir::WalkDir::new(&dir).min_depth(1) {
            let entry = entry.map_err(io::Error::other)?;
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(&dir).map_err(io::Error::other)?;
                files.insert(crate::diagnostics::display_path(rel), None);
            } else if !entry.file_type().is_dir() {
                std::fs::remove_file(entry.path())?;
            }
        }
        Ok(Served {
            opts,
            dir,
            scratch,
            files: Mutex::new(files),
            last: None,
            site: None,
            renderer: None,
            config: None,
            warned: HashSet::new(),
            broken: false,
            backup: Vec::new(),
        })
    }

    /// The folder the site is served from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn root(&self) -> &Path {
        &self.opts.root
    }

    /// The served site's "now": `cairn serve` fixes it when it starts (`--now`, else the clock).
    pub fn now(&self) -> Timestamp {
        self.opts.now.unwrap_or_else(Timestamp::now_utc)
    }

    /// The Site of the last good build.
    pub fn site(&self) -> Option<&Site> {
        self.site.as_ref()
    }

    /// The quick pass, run before the rebuild after `changes` so that what the writer looks at
    /// changes at once: when only the bodies of documents changed and [`patched_body`] proves
    /// each of them is all that changed, their pages; when only page templates changed, the
    /// pages open in a browser (`open`: their paths, as the pages gave them). Each page is the
    /// one the rebuild makes, byte for byte; anything the pass cannot prove sends the edit to
    /// the rebuild alone (`None`). The rebuild that follows makes everything else, and puts
    /// back what the pass wrote if it fails.
    ///
    /// [`patched_body`]: crate::site::patch::patched_body
    pub fn quick(&mut self, changes: &Changes, open: &[String]) -> Option<Rebuilt> {
        if changes.config || changes.assets || changes.files.is_empty() || self.broken || self.last.is_none() {
            return None;
        }
        let started = Instant::now();
        let clock = crate::timings::Clock::new(started);
        let mut site = self.site.take()?;
        let made = clock.time("quick pass", || self.quick_pages(&mut site, changes, open));
        self.site = Some(site);
        let files = made?;
        let mut paths = Vec::new();
        for file in files {
            match self.differs(&file.path, &file.bytes) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(_) => return None,
            }
            let old = std::fs::read(self.dir.join(&file.path)).ok();
            if !self.backup.iter().any(|(p, _)| *p == file.path) {
                self.backup.push((file.path.clone(), old));
            }
            if self.put(&file.path, &file.bytes).is_err() {
                return None;
            }
            paths.push(file.path);
        }
        paths.sort();
        Some(Rebuilt {
            pages: paths.len(),
            written: paths.len(),
            paths,
            seconds: started.elapsed().as_secs_f64(),
            timings: clock.stages(),
            ..Rebuilt::default()
        })
    }

    /// The pages of the quick pass, with `site` patched; `None` when it does not apply.
    fn quick_pages(&self, site: &mut Site, changes: &Changes, open: &[String]) -> Option<Vec<OutputFile>> {
        let is_template = |f: &str| {
            let parts: Vec<&str> = f.split('/').collect();
            let in_templates = parts.first() == Some(&"templates")
                || (parts.first() == Some(&"themes") && parts.get(2) == Some(&"templates"));
            in_templates && f.ends_with(".html") && !parts.contains(&"i18n")
        };
        let is_document = |f: &str| f.starts_with("content/") && f.ends_with(".md");
        let templates = changes.files.iter().all(|f| is_template(f));
        let documents = changes.files.iter().all(|f| is_document(f));
        let fresh;
        let (renderer, pages): (&Renderer, BTreeSet<DocId>) = if documents {
            if changes.files.len() > QUICK_FILES {
                return None;
            }
            let config = self.config.as_ref()?;
            let mut patches = Vec::new();
            for file in &changes.files {
                if self.warned.contains(file) {
                    return None;
                }
                let rel = file.strip_prefix("content/")?;
                let bytes =
                    crate::load::inputs::read(&self.opts.root, Path::new(file), crate::load::limits::MAX_FILE_BYTES)
                        .ok()?;
                let (loaded, problems) = crate::load::document_checked(rel, bytes, &config.audiences);
                let loaded = loaded.filter(|_| problems.is_empty())?;
                let id = site.docs.iter().position(|d| d.source == loaded.meta().source)?;
                patches.push((id, crate::site::patch::patched_body(site, id, &loaded, config)?));
            }
            let mut pages = BTreeSet::new();
            for (id, body) in patches {
                site.docs[id].body = body;
                pages.insert(id);
            }
            (self.renderer.as_ref()?, pages)
        } else if templates {
            let globals = crate::view::globals(site);
            fresh = Renderer::new(
                &self.opts.root,
                &site.config.theme,
                site.config.theme_pos,
                &globals,
                site.config.messages.clone(),
            )
            .ok()?;
            let pages = open
                .iter()
                .filter_map(|page| {
                    let path = page.strip_prefix('/')?;
                    site.docs.iter().position(|d| d.path == path)
                })
                .collect();
            (&fresh, pages)
        } else {
            return None;
        };
        let pages: BTreeSet<DocId> = pages.into_iter().filter(|id| site.docs[*id].has_page()).collect();
        if pages.is_empty() {
            return None;
        }
        let made: Mutex<Vec<OutputFile>> = Mutex::new(Vec::new());
        let sink = |file: OutputFile| -> Result<(), Diagnostic> {
            if let Ok(mut made) = made.lock() {
                made.push(file);
            }
            Ok(())
        };
        let selection = Selection { pages: Some(pages), rest: false };
        let clock = crate::timings::Clock::new(Instant::now());
        let (_, problems) = crate::outputs::build_selected(
            site,
            &self.opts.root,
            renderer,
            &selection,
            &[],
            &Terms::of(&[]),
            &|| {},
            &sink,
            &clock,
        );
        if !problems.is_empty() {
            return None;
        }
        made.into_inner().ok()
    }

    /// Rebuilds after `changes`. On success the served folder holds what a full build of the
    /// repo as it is now writes, byte for byte; on failure it is left as it was before the
    /// quick pass (see [`Served::quick`]) and the problems (errors and warnings) are returned,
    /// with the paths the quick pass had written and were put back. The search index job is
    /// returned when what search sees may have changed.
    pub fn rebuild(&mut self, changes: &Changes) -> Result<(Rebuilt, Option<IndexJob>), Failed> {
        let backup = std::mem::take(&mut self.backup);
        match self.rebuild_all(changes) {
            Ok(done) => {
                self.broken = false;
                Ok(done)
            }
            Err(problems) => {
                self.broken = true;
                let mut restored = Vec::new();
                for (path, old) in backup {
                    let put = match &old {
                        Some(bytes) => self.put(&path, bytes).map(|_| ()),
                        None => self.remove(&path).map(|_| ()),
                    };
                    if put.is_ok() {
                        restored.push(path);
                    }
                }
                Err((problems, restored))
            }
        }
    }

    fn rebuild_all(&mut self, changes: &Changes) -> Result<(Rebuilt, Option<IndexJob>), Vec<Diagnostic>> {
        let first = self.last.is_none();
        let started = Instant::now();
        let clock = crate::timings::Clock::new(started);
        // The last Site is only the quick pass's (done by now): freed before the new one is
        // made, on another thread (10,000 documents take a while to free), so that a rebuild
        // never holds two. A failed rebuild leaves none, and no quick pass runs until the fix.
        if let Some(old) = self.site.take() {
            rayon::spawn(move || drop(old));
        }
        let resolved = clock.time("load, resolve", || crate::pipeline::resolve_site(&self.opts));
        let (site, mut problems) = resolved.map_err(|e| match e {
            BuildError::Invalid(p) => p,
            BuildError::Usage(m) | BuildError::Io(m) => {
                vec![Diagnostic::error(Path::new("cairn.yaml"), Pos::START, "serve", m)]
            }
        })?;
        if problems.iter().any(Diagnostic::is_error) {
            sort_and_dedup(&mut problems);
            return Err(problems);
        }
        let globals = crate::view::globals(&site);
        let renderer = clock.time("templates", || {
            Renderer::new(
                &self.opts.root,
                &site.config.theme,
                site.config.theme_pos,
                &globals,
                site.config.messages.clone(),
            )
        })?;
        let signatures = clock.time("signatures", || Signatures::of(&site));
        // A static file may now stand where a page is made: only a full build sees the clash.
        let selection = match &self.last {
            Some(last) if !changes.config && !changes.assets => {
                deps::changed(&last.signatures, &signatures, &last.versions, renderer.versions())
            }
            _ => Selection::all(),
        };
        let (docs, terms) = if selection.rest {
            clock.time("search text", || {
                let docs = crate::outputs::searchable::documents(&site);
                let terms = Terms::of(&docs);
                (docs, terms)
            })
        } else {
            (Vec::new(), Terms::of(&[]))
        };
        let made: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
        // Files whose bytes changed wait in memory until every output was made without error:
        // a page that fails to render must not leave half a new site beside half the old one.
        // With no good site yet there is nothing to keep, and they are written at once.
        let direct = self.last.is_none();
        let pending: Mutex<Vec<OutputFile>> = Mutex::new(Vec::new());
        let changed: Mutex<Vec<String>> = Mutex::new(Vec::new());
        let dir = self.dir.clone();
        let write_problem = move |path: &str, e: io::Error| {
            Diagnostic::error(&dir.join(path), Pos::START, "write-failed", e.to_string())
                .with_help("check the permissions and free space of the folder .cairn/serve")
        };
        let sink = |file: OutputFile| -> Result<(), Diagnostic> {
            let failed = |e: io::Error| write_problem(&file.path, e);
            made.lock().map_err(poisoned).map_err(failed)?.insert(file.path.clone());
            if direct {
                if self.put(&file.path, &file.bytes).map_err(failed)? {
                    changed.lock().map_err(poisoned).map_err(failed)?.push(file.path.clone());
                }
            } else if self.differs(&file.path, &file.bytes).map_err(failed)? {
                pending.lock().map_err(poisoned).map_err(failed)?.push(file);
            }
            Ok(())
        };
        let (_, render_problems) = crate::outputs::build_selected(
            &site,
            &self.opts.root,
            &renderer,
            &selection,
            &docs,
            &terms,
            &|| {},
            &sink,
            &clock,
        );
        problems.extend(render_problems);
        sort_and_dedup(&mut problems);
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }
        let pending = pending.into_inner().unwrap_or_default();
        clock.time("write", || {
            use rayon::prelude::*;
            pending.par_iter().try_for_each(|file| {
                let failed = |e: io::Error| vec![write_problem(&file.path, e)];
                if self.put(&file.path, &file.bytes).map_err(failed)? {
                    changed.lock().map_err(poisoned).map_err(failed)?.push(file.path.clone());
                }
                Ok::<(), Vec<Diagnostic>>(())
            })
        })?;
        drop(pending);
        let made = made.into_inner().unwrap_or_default();
        let mut paths = changed.into_inner().unwrap_or_default();
        let written = paths.len();
        // What is no longer made: after a full build, anything not made; after the outputs of
        // the whole site, the paths they made last time and not this time.
        let page_paths: HashSet<String> =
            site.docs.iter().filter(|d| d.has_page()).map(|d| format!("{}index.html", d.path)).collect();
        let stale: Vec<String> = if selection == Selection::all() {
            self.known().into_iter().filter(|p| !made.contains(p)).collect()
        } else if selection.rest {
            self.last
                .as_ref()
                .map(|l| {
                    l.rest_paths.iter().filter(|p| !made.contains(*p) && !page_paths.contains(*p)).cloned().collect()
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let mut removed = 0;
        for path in stale {
            if self.remove(&path).map_err(|e| vec![write_problem(&path, e)])? {
                removed += 1;
                paths.push(path);
            }
        }
        let rest_paths = match (&self.last, selection.rest) {
            (_, true) => made.iter().filter(|p| !page_paths.contains(*p)).cloned().collect(),
            (Some(last), false) => last.rest_paths.clone(),
            (None, false) => HashSet::new(),
        };
        self.last = Some(Last { signatures, versions: renderer.versions().clone(), rest_paths });
        let pages = selection.pages.as_ref().map_or(page_paths.len(), |p| p.len());
        let job = selection.rest.then(|| IndexJob {
            of: crate::search::IndexOf::of(&site),
            docs,
            words: terms.words().map(str::to_string).collect(),
        });
        self.site = Some(site);
        self.renderer = Some(renderer);
        self.config = Some(crate::load::config_only(&self.opts.root));
        self.warned = problems.iter().map(|d| d.file.clone()).collect();
        paths.sort();
        Ok((
            Rebuilt {
                first,
                pages,
                rest: selection.rest,
                written,
                removed,
                paths,
                warnings: problems,
                seconds: started.elapsed().as_secs_f64(),
                timings: clock.stages(),
            },
            job,
        ))
    }

    /// Whether `bytes` differ from the file at `path` (a file of an earlier session is read).
    fn differs(&self, path: &str, bytes: &[u8]) -> io::Result<bool> {
        let hash = xxhash_rust::xxh3::xxh3_128(bytes);
        let known = self.files.lock().map_err(poisoned)?.get(path).copied();
        Ok(match known {
            Some(Some(known)) => known != hash,
            Some(None) => !std::fs::read(self.dir.join(path)).is_ok_and(|old| old == bytes),
            None => true,
        })
    }

    /// Puts one file of the site, replacing the old one whole, unless it has these bytes
    /// already. Returns whether it wrote.
    fn put(&self, path: &str, bytes: &[u8]) -> io::Result<bool> {
        crate::write::check_path(path)?;
        let hash = xxhash_rust::xxh3::xxh3_128(bytes);
        let target = self.dir.join(path);
        let known = self.files.lock().map_err(poisoned)?.get(path).copied();
        match known {
            Some(Some(known)) if known == hash => return Ok(false),
            Some(None) if std::fs::read(&target).is_ok_and(|old| old == bytes) => {
                self.files.lock().map_err(poisoned)?.insert(path.to_string(), Some(hash));
                return Ok(false);
            }
            _ => {}
        }
        static SCRATCH: AtomicUsize = AtomicUsize::new(0);
        let aside = self.scratch.join(SCRATCH.fetch_add(1, Ordering::Relaxed).to_string());
        std::fs::write(&aside, bytes)?;
        if let Some(parent) = target.parent() {
            make_dirs(&self.dir, parent)?;
        }
        if std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_dir()) {
            std::fs::remove_dir_all(&target)?;
        }
        std::fs::rename(&aside, &target)?;
        self.files.lock().map_err(poisoned)?.insert(path.to_string(), Some(hash));
        Ok(true)
    }

    /// The paths of every file in the served folder.
    fn known(&self) -> Vec<String> {
        self.files.lock().map(|f| f.keys().cloned().collect()).unwrap_or_default()
    }

    fn remove(&mut self, path: &str) -> io::Result<bool> {
        crate::write::check_path(path)?;
        self.files.lock().map_err(poisoned)?.remove(path);
        let target = self.dir.join(path);
        match std::fs::remove_file(&target) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        }
        // Folders left empty go too, as a build would not make them.
        let mut parent = target.parent();
        while let Some(dir) = parent.filter(|d| *d != self.dir && d.starts_with(&self.dir)) {
            if std::fs::remove_dir(dir).is_err() {
                break;
            }
            parent = dir.parent();
        }
        Ok(true)
    }
}

fn poisoned<T>(_: T) -> io::Error {
    io::Error::other("poisoned")
}

/// Makes the folder `dir` (inside `base`) and its parents, removing files of an earlier site that
/// stand where a folder is now wanted.
fn make_dirs(base: &Path, dir: &Path) -> io::Result<()> {
    match std::fs::create_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if matches!(e.kind(), io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory) => {
            let rel = dir.strip_prefix(base).map_err(io::Error::other)?;
            let mut at = base.to_path_buf();
            for part in rel.components() {
                at.push(part);
                if std::fs::symlink_metadata(&at).is_ok_and(|m| !m.is_dir()) {
                    std::fs::remove_file(&at)?;
                }
            }
            std::fs::create_dir_all(dir)
        }
        Err(e) => Err(e),
    }
}

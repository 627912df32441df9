//! Writing a built site: one build at a time per output, into a staging folder of its own,
//! swapped whole into place. The output is locked for the whole build ([`OutputLock`]); the new
//! site is written into `.<name>.staging-<pid>-<random>` beside it and swapped in only when all
//! of it was written, in one step where the system allows ([`swap`]), so a failed or killed
//! build leaves the previous output whole. The output before that is kept as `.<name>.prev` and
//! reused as the next staging folder: only files that changed are written and only files that
//! are gone are deleted, because creating and deleting thousands of files is what costs most on
//! real file systems. Paths are checked before anything is written ([`check_path`]), the output
//! is checked against the inputs before anything moves ([`place`]), and what was left is
//! described precisely enough to prove later that it is still there ([`manifest`]).

mod lock;
pub mod manifest;
pub mod place;
pub mod state;
mod swap;

pub use lock::OutputLock;
pub use manifest::Manifest;

use crate::outputs::OutputFile;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What writing a site did, for the build summary and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// A finished write: what it did, and the manifest of the output it left.
#[derive(Debug)]
pub struct Written {
    pub stats: WriteStats,
    pub manifest: Manifest,
}

/// `.<name>.<suffix>` beside `target`.
pub fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
    target.with_file_name(format!(".{name}.{suffix}"))
}

/// Checks that `path` is made only of normal components joined by `/`: not empty, no empty
/// component, no `.` or `..`, not absolute, no backslash, NUL or drive prefix (`C:`). Such a
/// path joined below a folder always names something inside that folder.
pub fn check_path(path: &str) -> io::Result<()> {
    let why = if path.is_empty() {
        Some("it is empty")
    } else if path.starts_with('/') {
        Some("it is absolute")
    } else if path.contains('\\') {
        Some("it contains a backslash")
    } else if path.contains('\0') {
        Some("it contains a NUL byte")
    } else if path.split('/').any(|c| c.is_empty()) {
        Some("it has an empty component")
    } else if path.split('/').any(|c| c == "." || c == "..") {
        Some("it has a `.` or `..` component")
    } else if path
        .split('/')
        .next()
        .is_some_and(|c| c.len() >= 2 && c.as_bytes()[0].is_ascii_alphabetic() && c.as_bytes()[1] == b':')
    {
        Some("it starts with a drive prefix")
    } else if !Path::new(path).components().all(|c| matches!(c, std::path::Component::Normal(_))) {
        Some("it is not a plain relative path on this system")
    } else {
        None
    };
    match why {
        None => Ok(()),
        Some(why) => Err(io::Error::new(io::ErrorKind::InvalidInput, format!("refusing to write `{path}`: {why}"))),
    }
}

/// A staging folder being filled, under the output's lock. Files can be put from several
/// threads; `finish` removes what was not put and swaps the folder into place.
///
/// Invariant: everything written is below `dir`, which no other process writes (its name is
/// this process's, and builds of the same output take turns at the lock).
pub struct Staging<'l> {
    lock: &'l OutputLock,
    dir: PathBuf,
    existing_files: HashSet<String>,
    existing_dirs: BTreeSet<String>,
    made_dirs: Mutex<HashSet<String>>,
    /// Every file put, with the XXH3-128 hash of its bytes (for the manifest).
    put: Mutex<HashMap<String, u128>>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    /// Whether the folder was swapped into place; if not when dropped (a failed build), it
    /// goes back to being `.<name>.prev`.
    swapped: bool,
}

impl<'l> Staging<'l> {
    /// Prepares a staging folder of this process beside the locked output. Its base is the
    /// output before the current one (`.<name>.prev`, see [`tidy`]), else a new empty folder.
    /// Anything in the base that is neither a file nor a folder is removed: a link could lead a
    /// write outside.
    pub fn begin(lock: &'l OutputLock) -> io::Result<Staging<'l>> {
        let target = lock.target();
        tidy(lock)?;
        let prev = sibling(target, "prev");
        let dir = sibling(target, &format!("staging-{}-{:016x}", std::process::id(), RandomState::new().hash_one(0u8)));
        if std::fs::symlink_metadata(&prev).is_ok_and(|m| m.is_dir()) {
            std::fs::rename(&prev, &dir)?;
        } else {
            swap::remove_all(&prev)?;
            std::fs::create_dir(&dir)?;
        }
        let mut existing_dirs = BTreeSet::new();
        let mut existing_files = HashSet::new();
        for entry in walkdir::WalkDir::new(&dir).min_depth(1) {
            let entry = entry.map_err(io::Error::other)?;
            let rel = crate::diagnostics::display_path(entry.path().strip_prefix(&dir).map_err(io::Error::other)?);
            if entry.file_type().is_dir() {
                existing_dirs.insert(rel);
            } else if entry.file_type().is_file() {
                existing_files.insert(rel);
            } else {
                std::fs::remove_file(entry.path())?;
            }
        }
        Ok(Staging {
            lock,
            dir,
            existing_files,
            existing_dirs,
            made_dirs: Mutex::new(HashSet::new()),
            put: Mutex::new(HashMap::new()),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            swapped: false,
        })
    }

    /// Puts one file (a `/`-separated path below the site root, see [`check_path`]), writing it
    /// only if it differs.
    pub fn put(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        check_path(path)?;
        let hash = xxhash_rust::xxh3::xxh3_128(bytes);
        self.put.lock().map_err(poisoned)?.insert(path.to_string(), hash);
        let file = self.dir.join(path);
        if self.existing_files.contains(path) {
            if std::fs::read(&file).is_ok_and(|old| old == bytes) {
                self.unchanged.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
        } else if let Some((parent, _)) = path.rsplit_once('/')
            && !self.existing_dirs.contains(parent)
        {
            // Not under the lock: creating directories is most of a fresh build's kernel time,
            // and `create_dir_all` is safe when two threads race to make the same one.
            if !self.made(parent)? {
                self.make_dir(parent)?;
                self.mark_made(parent)?;
            }
        }
        if std::fs::symlink_metadata(&file).is_ok_and(|m| m.is_dir()) {
            // A folder of the previous output where this build puts a file.
            std::fs::remove_dir_all(&file)?;
        }
        std::fs::write(&file, bytes)?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Creates the folders of the files to come (`incidents/x/` for `incidents/x/index.html`),
    /// so that `put` finds them made. Creating a folder is file-system work that the cores
    /// otherwise do between pages, taking turns at the lock of the parent folder. Safe to run
    /// while files are being put: each folder is recorded as soon as it is made, and a folder
    /// that `put` made first is skipped.
    pub fn make_dirs<'a>(&self, dirs: impl Iterator<Item = &'a str>) -> io::Result<()> {
        for dir in dirs.map(|d| d.trim_end_matches('/')).filter(|d| !d.is_empty()) {
            check_path(dir)?;
            if self.existing_dirs.contains(dir) || self.made(dir)? {
                continue;
            }
            self.make_dir(dir)?;
            self.mark_made(dir)?;
        }
        Ok(())
    }

    /// Creates a folder and its parents, first removing files of the previous output that stand
    /// where a folder is now wanted.
    fn make_dir(&self, dir: &str) -> io::Result<()> {
        let full = self.dir.join(dir);
        match std::fs::create_dir_all(&full) {
            Ok(()) => Ok(()),
            Err(e) if matches!(e.kind(), io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory) => {
                let mut ancestor = String::new();
                for part in dir.split('/') {
                    if !ancestor.is_empty() {
                        ancestor.push('/');
                    }
                    ancestor.push_str(part);
                    let path = self.dir.join(&ancestor);
                    if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
                        ignore_gone(std::fs::remove_file(&path))?;
                    }
                }
                std::fs::create_dir_all(&full)
            }
            Err(e) => Err(e),
        }
    }

    fn made(&self, dir: &str) -> io::Result<bool> {
        Ok(self.made_dirs.lock().map_err(poisoned)?.contains(dir))
    }

    fn mark_made(&self, dir: &str) -> io::Result<()> {
        self.made_dirs.lock().map_err(poisoned)?.insert(dir.to_string());
        Ok(())
    }

    /// Removes what the build did not put, swaps the folder into place (the previous output
    /// becomes `.<name>.prev`) and returns the manifest of the output it left. An error means
    /// the previous output is still in place.
    pub fn finish(mut self) -> io::Result<Written> {
        let put: BTreeMap<String, u128> = std::mem::take(self.put.get_mut().map_err(poisoned)?).into_iter().collect();
        let mut removed = 0;
        for stale in self.existing_files.iter().filter(|f| !put.contains_key(*f)) {
            // A stale file may have made way for a folder already.
            let path = self.dir.join(stale);
            if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) && ignore_gone(std::fs::remove_file(&path))?
            {
                removed += 1;
            }
        }
        let wanted_dirs: BTreeSet<String> =
            put.keys().flat_map(|p| p.match_indices('/').map(move |(i, _)| p[..i].to_string())).collect();
        let made = std::mem::take(self.made_dirs.get_mut().map_err(poisoned)?);
        let mut stale_dirs: BTreeSet<&String> = self.existing_dirs.iter().chain(&made).collect();
        stale_dirs.retain(|d| !wanted_dirs.contains(*d));
        // Deepest first, so emptied parents can go too.
        for stale in stale_dirs.into_iter().rev() {
            let path = self.dir.join(stale);
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
                std::fs::remove_dir(&path)?;
            }
        }
        let target = self.lock.target();
        let mark = self.lock.mark()?;
        swap::swap(&self.dir, target, &sibling(target, "prev"))?;
        self.swapped = true;
        // The new output is in place. If it cannot be stamped (something changed it already),
        // the empty manifest proves nothing and the next build will not be skipped.
        let manifest = Manifest::of(target, &put, &wanted_dirs, mark).unwrap_or_default();
        Ok(Written {
            stats: WriteStats { written: *self.written.get_mut(), unchanged: *self.unchanged.get_mut(), removed },
            manifest,
        })
    }
}

impl Drop for Staging<'_> {
    /// A build that fails after `begin` leaves no staging folder behind: the folder, which holds
    /// the previous output partly rewritten, becomes `.<name>.prev` again (else the next build
    /// clears it, see [`tidy`]).
    fn drop(&mut self) {
        let prev = sibling(self.lock.target(), "prev");
        if !self.swapped && std::fs::symlink_metadata(&prev).is_err() {
            let _ = std::fs::rename(&self.dir, prev);
        }
    }
}

/// Clears what killed builds left beside the locked output: their staging folders
/// (`.<name>.staging-*`). When there is no `.<name>.prev`, one of them becomes it, as the base
/// of the next build (it holds the previous output, partly rewritten: the next build compares
/// every file it puts).
pub fn tidy(lock: &OutputLock) -> io::Result<()> {
    let target = lock.target();
    let mut leftovers = leftovers(target)?;
    let prev = sibling(target, "prev");
    if !leftovers.is_empty() && !std::fs::symlink_metadata(&prev).is_ok_and(|m| m.is_dir()) {
        swap::remove_all(&prev)?;
        if let Some(base) = leftovers.pop() {
            std::fs::rename(base, &prev)?;
        }
    }
    for leftover in leftovers {
        swap::remove_all(&leftover)?;
    }
    Ok(())
}

/// Staging folders beside `target` left by builds that were killed (`.<name>.staging-*`).
/// Only meaningful under the output's lock, when no live build has one.
fn leftovers(target: &Path) -> io::Result<Vec<PathBuf>> {
    let prefix = sibling(target, "staging-");
    let (Some(parent), Some(prefix)) = (prefix.parent(), prefix.file_name()) else { return Ok(Vec::new()) };
    let prefix = prefix.to_string_lossy().into_owned();
    let mut found: Vec<PathBuf> = std::fs::read_dir(parent)?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect();
    found.sort();
    Ok(found)
}

/// The error of a lock poisoned by a panic on another thread.
fn poisoned<T>(_: T) -> io::Error {
    io::Error::other("poisoned")
}

/// `Ok(true)` when removed, `Ok(false)` when it was already gone (or its folder was replaced).
fn ignore_gone(result: io::Result<()>) -> io::Result<bool> {
    match result {
        Ok(()) => Ok(true),
        Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Writes `files` as the whole content of `target` under its lock, then swaps it into place.
pub fn write_site(target: &Path, files: &[OutputFile]) -> io::Result<Written> {
    let lock = OutputLock::acquire(target, &|_| {})?;
    let staging = Staging::begin(&lock)?;
    for f in files {
        staging.put(&f.path, &f.bytes)?;
    }
    staging.finish()
}

#[cfg(test)]
mod tests;

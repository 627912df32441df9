//! Writing a built site atomically and cheaply. The new site is written into a staging directory
//! beside the target and swapped in only when all of it was written, so a failed or killed build
//! leaves the previous output whole. The output before that is kept as `.<name>.prev` and reused
//! as the next staging directory: only files that changed are written and only files that are
//! gone are deleted, because creating and deleting thousands of files is what costs most on
//! real file systems.

use crate::outputs::OutputFile;
use std::collections::{BTreeSet, HashSet};
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

/// `.<name>.<suffix>` beside `target`.
pub fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
    target.with_file_name(format!(".{name}.{suffix}"))
}

/// A staging directory being filled. Files can be put from several threads; `finish` removes
/// what was not put and swaps the directory into place.
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    existing_files: HashSet<String>,
    existing_dirs: BTreeSet<String>,
    made_dirs: Mutex<HashSet<String>>,
    put: Mutex<HashSet<String>>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
}

impl Staging {
    /// Prepares the staging directory beside `target`: a leftover of a killed build or the
    /// output before the current one, reused as it is, else a new empty directory.
    pub fn begin(target: &Path) -> io::Result<Staging> {
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let dir = sibling(target, "staging");
        let prev = sibling(target, "prev");
        if !dir.exists() {
            if prev.exists() {
                std::fs::rename(&prev, &dir)?;
            } else {
                std::fs::create_dir_all(&dir)?;
            }
        }
        let mut existing_dirs = BTreeSet::new();
        let mut existing_files = HashSet::new();
        for entry in walkdir::WalkDir::new(&dir).min_depth(1) {
            let entry = entry.map_err(io::Error::other)?;
            let rel = crate::diagnostics::display_path(entry.path().strip_prefix(&dir).map_err(io::Error::other)?);
            if entry.file_type().is_dir() {
                existing_dirs.insert(rel);
            } else {
                existing_files.insert(rel);
            }
        }
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            existing_files,
            existing_dirs,
            made_dirs: Mutex::new(HashSet::new()),
            put: Mutex::new(HashSet::new()),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
        })
    }

    /// Puts one file (a `/`-separated path below the site root), writing it only if it differs.
    pub fn put(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        self.put.lock().map_err(|_| io::Error::other("poisoned"))?.insert(path.to_string());
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
                std::fs::create_dir_all(self.dir.join(parent))?;
                self.mark_made(parent)?;
            }
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
            if self.existing_dirs.contains(dir) || self.made(dir)? {
                continue;
            }
            std::fs::create_dir_all(self.dir.join(dir))?;
            self.mark_made(dir)?;
        }
        Ok(())
    }

    fn made(&self, dir: &str) -> io::Result<bool> {
        Ok(self.made_dirs.lock().map_err(|_| io::Error::other("poisoned"))?.contains(dir))
    }

    fn mark_made(&self, dir: &str) -> io::Result<()> {
        self.made_dirs.lock().map_err(|_| io::Error::other("poisoned"))?.insert(dir.to_string());
        Ok(())
    }

    /// Removes what the build did not put, then swaps the directory into place.
    pub fn finish(self) -> io::Result<WriteStats> {
        let put = self.put.into_inner().map_err(|_| io::Error::other("poisoned"))?;
        let mut removed = 0;
        for stale in self.existing_files.iter().filter(|f| !put.contains(*f)) {
            std::fs::remove_file(self.dir.join(stale))?;
            removed += 1;
        }
        let wanted_dirs: HashSet<&str> =
            put.iter().flat_map(|p| p.match_indices('/').map(move |(i, _)| &p[..i])).collect();
        // Deepest first, so emptied parents can go too.
        for stale in self.existing_dirs.iter().rev().filter(|d| !wanted_dirs.contains(d.as_str())) {
            std::fs::remove_dir(self.dir.join(stale))?;
        }
        let prev = sibling(&self.target, "prev");
        if prev.exists() {
            std::fs::remove_dir_all(&prev)?;
        }
        if self.target.exists() {
            std::fs::rename(&self.target, &prev)?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            // Put the previous output back before reporting.
            if prev.exists() {
                let _ = std::fs::rename(&prev, &self.target);
            }
            return Err(e);
        }
        Ok(WriteStats { written: self.written.into_inner(), unchanged: self.unchanged.into_inner(), removed })
    }
}

/// Writes `files` as the whole content of `target`, then swaps it into place.
pub fn write_site(target: &Path, files: &[OutputFile]) -> io::Result<WriteStats> {
    let staging = Staging::begin(target)?;
    for f in files {
        staging.put(&f.path, &f.bytes)?;
    }
    staging.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, bytes: &[u8]) -> OutputFile {
        OutputFile::new(path.into(), bytes.to_vec())
    }

    #[test]
    fn replaces_the_whole_tree_touching_only_changes() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        write_site(&target, &[file("a/index.html", b"1"), file("keep.txt", b"k")]).unwrap();
        let second = write_site(&target, &[file("b/c.txt", b"2"), file("keep.txt", b"k")]).unwrap();
        assert_eq!(second, WriteStats { written: 2, unchanged: 0, removed: 0 }, "first staging is a fresh dir");
        let third = write_site(&target, &[file("b/c.txt", b"3"), file("keep.txt", b"k")]).unwrap();
        assert_eq!(third, WriteStats { written: 1, unchanged: 1, removed: 1 });
        assert!(!target.join("a").exists());
        assert_eq!(std::fs::read(target.join("b/c.txt")).unwrap(), b"3");
        let mut names: Vec<_> =
            std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(names, vec![".public.prev", "public"]);
    }
}

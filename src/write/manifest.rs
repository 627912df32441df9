//! What a build left in its output, precisely enough to prove later that the output is still
//! exactly that: every folder and file with a change-evident stamp, and a content hash for the
//! few whose stamp cannot prove it alone.
//!
//! The stamp is the inode, the length and the change time (`ctime`, in nanoseconds) on unix.
//! The kernel sets `ctime` to the current time on every change of a file's bytes or
//! attributes, and no system call sets it to a chosen value (unlike `mtime`, which `touch -d`
//! and `cp -p` set), so an edited file always shows a new stamp, even with the same length and
//! its `mtime` put back; a file replaced by another shows another inode; a file added to or
//! removed from a folder changes the folder's stamp. Checking a manifest is one `lstat` per
//! entry, where hashing the output reads all of it (10,000 pages: 12,900 files and 10,200
//! folders, 184 MB; the figures are in the README).
//!
//! Change times are coarse (one clock tick, or a second on some file systems): a change made in
//! the same tick as the build's last write of a file could keep the stamp. As git does for its
//! index ("racily clean" entries), the writer takes a mark on the same file system just before
//! the swap ([`super::OutputLock::mark`]); an entry whose change time is not before the mark
//! is *racy* and is checked by content (files: an XXH3-128 hash of the bytes the build meant
//! to write; folders: the names they hold). Off unix there is no `ctime`: every entry is racy.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::Metadata;
use std::path::Path;

/// A change-evident stamp of one file or folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub len: u64,
    pub inode: u64,
    /// Change time in nanoseconds since the epoch (`mtime` off unix, where entries are racy).
    pub changed: i64,
}

impl Stamp {
    #[cfg(unix)]
    pub fn of(meta: &Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        let changed = meta.ctime().saturating_mul(1_000_000_000).saturating_add(meta.ctime_nsec());
        Stamp { len: meta.len(), inode: meta.ino(), changed }
    }

    #[cfg(not(unix))]
    pub fn of(meta: &Metadata) -> Stamp {
        let changed = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
        Stamp { len: meta.len(), inode: 0, changed }
    }
}

/// One entry: `(path, length, inode, change time, hash)`. The path is `/`-separated below the
/// output; a folder's ends with `/` and the output itself is `/`. A folder's length is 0. The
/// hash (hex XXH3-128 of the bytes for a file, `dir` for a folder) is present exactly when the
/// entry is racy, i.e. must be checked by content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry(String, u64, u64, i64, Option<String>);

/// Every folder and file of an output as a build left it, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest(Vec<Entry>);

impl Manifest {
    /// Stamps the output `target` holding `files` (path → hash of the bytes written) in
    /// `dirs`, with `mark` taken before it was swapped into place. Fails when an entry is
    /// missing: then something changed it already and the build must not be recorded.
    pub fn of(
        target: &Path,
        files: &BTreeMap<String, u128>,
        dirs: &BTreeSet<String>,
        mark: i64,
    ) -> std::io::Result<Manifest> {
        let wanted: Vec<(String, Option<u128>)> = std::iter::once(("/".to_string(), None))
            .chain(dirs.iter().map(|d| (format!("{d}/"), None)))
            .chain(files.iter().map(|(f, h)| (f.clone(), Some(*h))))
            .collect();
        let mut entries = wanted
            .into_par_iter()
            .map(|(path, hash)| {
                let stamp = Stamp::of(&std::fs::symlink_metadata(target.join(path.trim_end_matches('/')))?);
                let racy = !cfg!(unix) || stamp.changed >= mark;
                let check = racy.then(|| hash.map_or_else(|| "dir".to_string(), |h| format!("{h:032x}")));
                let len = if hash.is_some() { stamp.len } else { 0 };
                Ok(Entry(path, len, stamp.inode, stamp.changed, check))
            })
            .collect::<std::io::Result<Vec<Entry>>>()?;
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Manifest(entries))
    }

    /// How many entries are checked by content.
    pub fn racy(&self) -> usize {
        self.0.iter().filter(|e| e.4.is_some()).count()
    }

    /// Whether `target` holds exactly what this manifest describes: no entry missing, changed
    /// or of another kind, and (through the folders' stamps and names) nothing added.
    pub fn matches(&self, target: &Path) -> bool {
        if self.0.is_empty() {
            return false;
        }
        let children = self.children_of_racy_folders();
        self.0.par_iter().all(|Entry(path, len, inode, changed, check)| {
            let full = target.join(path.trim_end_matches('/'));
            let Ok(meta) = std::fs::symlink_metadata(&full) else { return false };
            let is_dir = path.ends_with('/');
            let stamp = Stamp::of(&meta);
            let kind_ok = if is_dir { meta.is_dir() } else { meta.is_file() };
            let stamp_ok = stamp.inode == *inode && stamp.changed == *changed && (is_dir || stamp.len == *len);
            if !kind_ok || !stamp_ok {
                return false;
            }
            match check.as_deref() {
                None => true,
                Some("dir") => names(&full).is_some_and(|n| children.get(path.as_str()).is_some_and(|c| *c == n)),
                Some(hash) => hash_file(&full).is_some_and(|h| format!("{h:032x}") == hash),
            }
        })
    }

    /// The names each racy folder holds, by the folder's path (`/` for the output itself).
    fn children_of_racy_folders(&self) -> BTreeMap<&str, BTreeSet<String>> {
        let mut out: BTreeMap<&str, BTreeSet<String>> =
            self.0.iter().filter(|e| e.4.as_deref() == Some("dir")).map(|e| (e.0.as_str(), BTreeSet::new())).collect();
        for Entry(path, ..) in &self.0 {
            if path == "/" {
                continue;
            }
            let trimmed = path.trim_end_matches('/');
            let (parent, name) = match trimmed.rsplit_once('/') {
                Some((parent, name)) => (&path[..parent.len() + 1], name),
                None => ("/", trimmed),
            };
            if let Some(names) = out.get_mut(parent) {
                names.insert(name.to_string());
            }
        }
        out
    }
}

/// The names in a folder.
fn names(dir: &Path) -> Option<BTreeSet<String>> {
    std::fs::read_dir(dir).ok()?.map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned())).collect()
}

/// XXH3-128 of a file's bytes.
fn hash_file(path: &Path) -> Option<u128> {
    std::fs::read(path).ok().map(|b| xxhash_rust::xxh3::xxh3_128(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use xxhash_rust::xxh3::xxh3_128;

    fn changed(path: &Path) -> i64 {
        Stamp::of(&std::fs::symlink_metadata(path).unwrap()).changed
    }

    /// Waits until a file changed now gets a change time after `t` (one clock tick, or a
    /// second on a coarse file system), and returns that time.
    fn after(probe: &Path, t: i64) -> i64 {
        loop {
            std::fs::write(probe, b"").unwrap();
            let now = changed(probe);
            if now > t {
                return now;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Writes `tree/a.txt` and `tree/d/b.txt` below `tmp` and their manifest: with every
    /// entry racy, or with the mark after the writes, none racy, and changes made only after
    /// the mark.
    fn tree(tmp: &Path, racy: bool) -> (std::path::PathBuf, Manifest) {
        let root = tmp.join("tree");
        std::fs::create_dir_all(root.join("d")).unwrap();
        std::fs::write(root.join("a.txt"), b"aaa").unwrap();
        std::fs::write(root.join("d/b.txt"), b"bbb").unwrap();
        let files =
            BTreeMap::from([("a.txt".to_string(), xxh3_128(b"aaa")), ("d/b.txt".to_string(), xxh3_128(b"bbb"))]);
        let dirs = BTreeSet::from(["d".to_string()]);
        let probe = tmp.join("probe");
        let mark = if racy {
            i64::MIN
        } else {
            let last = ["", "d", "a.txt", "d/b.txt"].iter().map(|p| changed(&root.join(p))).max().unwrap();
            let mark = after(&probe, last);
            after(&probe, mark);
            mark
        };
        (root.clone(), Manifest::of(&root, &files, &dirs, mark).unwrap())
    }

    #[test]
    fn any_change_to_the_tree_is_seen() {
        type Change = fn(&Path);
        let changes: [(&str, Change); 6] = [
            ("edit, same length", |r| std::fs::write(r.join("d/b.txt"), b"BBB").unwrap()),
            ("delete", |r| std::fs::remove_file(r.join("a.txt")).unwrap()),
            ("add", |r| std::fs::write(r.join("d/c.txt"), b"c").unwrap()),
            ("add a folder", |r| std::fs::create_dir(r.join("e")).unwrap()),
            ("replace a file by a folder", |r| {
                std::fs::remove_file(r.join("a.txt")).unwrap();
                std::fs::create_dir(r.join("a.txt")).unwrap();
            }),
            ("replace by another file", |r| {
                std::fs::write(r.join("new"), b"aaa").unwrap();
                std::fs::rename(r.join("new"), r.join("a.txt")).unwrap();
            }),
        ];
        // Racy entries are checked by content, the others by stamp: both must see every change.
        for racy in [true, false] {
            for (what, change) in changes {
                let tmp = tempfile::tempdir().unwrap();
                let (root, manifest) = tree(tmp.path(), racy);
                assert_eq!(manifest.racy(), if racy || !cfg!(unix) { 4 } else { 0 });
                assert!(manifest.matches(&root), "{what}: an untouched tree must match");
                change(&root);
                assert!(!manifest.matches(&root), "{what} was not seen (racy: {racy})");
            }
        }
    }

    #[test]
    fn a_manifest_reads_back_as_written() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, manifest) = tree(tmp.path(), false);
        let back: Manifest = serde_json::from_str(&serde_json::to_string(&manifest).unwrap()).unwrap();
        assert_eq!(back, manifest);
        assert!(back.matches(&root));
    }

    #[test]
    fn an_empty_manifest_proves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(!Manifest::default().matches(tmp.path()));
    }
}

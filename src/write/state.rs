//! cairn's own folder below the root, `.cairn/` (build records in `builds/`, search indexes in
//! `index/`): every folder of it is a real folder inside the repository, never a symbolic link.
//!
//! The repository is written by contributors: a committed `.cairn -> /elsewhere` or
//! `.cairn/index -> /elsewhere` would otherwise have cairn write, rename and delete folders
//! wherever the link points (the index writer moves the old index aside and removes it). Each
//! component is checked with `symlink_metadata` and created with `create_dir` (which does not
//! follow a link at the last component) before anything below it is touched; a link or a file
//! in the way is refused with an error that names the path and says to remove it.

use std::io;
use std::path::{Path, PathBuf};

/// The name of cairn's folder below the root.
pub const STATE: &str = ".cairn";

/// `root/.cairn/<parts…>`, each folder created when missing; an error when any of them (the
/// root excluded, which is the operator's) is a symbolic link or not a folder.
pub fn dir(root: &Path, parts: &[&str]) -> io::Result<PathBuf> {
    walk(root, parts, true).map(|found| found.unwrap_or_else(|| root.join(STATE)))
}

/// `root/.cairn/<parts…>` when every folder of it exists and is a real folder; `None` when one is
/// missing; an error when one is a symbolic link or not a folder. Creates nothing.
pub fn existing(root: &Path, parts: &[&str]) -> io::Result<Option<PathBuf>> {
    walk(root, parts, false)
}

fn walk(root: &Path, parts: &[&str], create: bool) -> io::Result<Option<PathBuf>> {
    let mut path = root.to_path_buf();
    for part in std::iter::once(STATE).chain(parts.iter().copied()) {
        path.push(part);
        if real_dir(&path)? {
            continue;
        }
        if !create {
            return Ok(None);
        }
        match std::fs::create_dir(&path) {
            Ok(()) => {}
            // Made meanwhile by another build: check what is there now.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                if !real_dir(&path)? {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Some(path))
}

/// Whether `path` is a real folder (`false` when missing); an error when it is a link or
/// anything but a folder.
pub fn real_dir(path: &Path) -> io::Result<bool> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(refused(path, "a symbolic link")),
        Ok(meta) if !meta.is_dir() => Err(refused(path, "not a folder")),
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// The error for a path of cairn's own folder that is not a real folder.
fn refused(path: &Path, what: &str) -> io::Error {
    let target = std::fs::read_link(path).map(|t| format!(" to {}", t.display())).unwrap_or_default();
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "refusing to use {}: it is {what}{target}; cairn keeps its build records and search index only in \
             real folders inside the repository, and never writes or deletes through a link. Remove the symlink \
             (`rm {}`) and build again; cairn recreates the folder",
            path.display(),
            path.display()
        ),
    )
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn folders_are_made_and_links_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("kb");
        std::fs::create_dir(&root).unwrap();
        assert_eq!(existing(&root, &["index"]).unwrap(), None);
        assert_eq!(dir(&root, &["index"]).unwrap(), root.join(".cairn/index"));
        assert!(root.join(".cairn/index").is_dir());
        let outside = tmp.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        symlink(&outside, root.join(".cairn/builds")).unwrap();
        let refused = dir(&root, &["builds"]).unwrap_err();
        assert!(refused.to_string().contains("Remove the symlink"), "{refused}");
        assert!(existing(&root, &["builds"]).is_err());
        std::fs::remove_dir_all(root.join(".cairn")).unwrap();
        symlink(&outside, root.join(".cairn")).unwrap();
        assert!(dir(&root, &["index"]).is_err());
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "nothing made through the link");
    }
}

//! Writing a built site: every file goes into a staging directory beside the target, which is
//! swapped into place only when all of it was written. A failed or killed build leaves the
//! previous output whole.

use crate::outputs::OutputFile;
use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
    target.with_file_name(format!(".{name}.{suffix}"))
}

/// Writes `files` to `target` atomically (as far as the file system allows: two renames).
pub fn write_site(target: &Path, files: &[OutputFile]) -> io::Result<()> {
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let staging = sibling(target, &format!("staging-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    let result = write_tree(&staging, files);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    let old = sibling(target, "old");
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    if target.exists() {
        std::fs::rename(target, &old)?;
    }
    if let Err(e) = std::fs::rename(&staging, target) {
        // Put the previous output back before reporting.
        if old.exists() {
            let _ = std::fs::rename(&old, target);
        }
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    Ok(())
}

/// Creates each directory once (metadata calls are slow on some file systems), then the files.
fn write_tree(dir: &Path, files: &[OutputFile]) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let dirs: BTreeSet<&str> = files.iter().filter_map(|f| f.path.rsplit_once('/').map(|(d, _)| d)).collect();
    for d in dirs {
        std::fs::create_dir_all(dir.join(d))?;
    }
    for f in files {
        std::fs::write(dir.join(&f.path), &f.bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_tree() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        write_site(&target, &[OutputFile::new("a/index.html".into(), b"1".to_vec())]).unwrap();
        write_site(&target, &[OutputFile::new("b.txt".into(), b"2".to_vec())]).unwrap();
        assert!(!target.join("a").exists());
        assert_eq!(std::fs::read(target.join("b.txt")).unwrap(), b"2");
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }
}

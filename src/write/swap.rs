//! Putting a finished staging folder in the place of the output in one step, so that the
//! output path always names a whole tree: the previous one or the new one, never none.
//!
//! On Linux this is `renameat2(RENAME_EXCHANGE)`: the two folders trade names atomically, and the
//! previous output, now under the staging name, becomes `.<name>.prev`. Where exchanging is not
//! available (other systems, or a Linux file system that answers `EINVAL`, such as some network
//! and FUSE file systems) the fallback is two renames, output to `.<name>.prev` then staging to
//! output, with the previous output put back if the second fails: there the output is missing
//! for the moment between the two renames (a web server may answer 404 meanwhile) but never
//! mixed. A first build, with no previous output, is one plain rename.

use std::io;
use std::path::Path;

/// Swaps `staging` into the place of `target` and keeps what was there as `prev` (replacing an
/// older `prev`). Returns whether the swap was one atomic step.
pub fn swap(staging: &Path, target: &Path, prev: &Path) -> io::Result<bool> {
    if std::fs::symlink_metadata(prev).is_ok() {
        remove_all(prev)?;
    }
    if std::fs::symlink_metadata(target).is_err() {
        std::fs::rename(staging, target)?;
        return Ok(true);
    }
    match exchange(staging, target) {
        Ok(()) => {
            // The new output is in place: what follows cannot undo that. The previous output is
            // now at the staging name; if it cannot be renamed (or the build is killed first) it
            // stays there, and the next build clears it or reuses it as its base.
            let _ = std::fs::rename(staging, prev);
            Ok(true)
        }
        Err(e) if unsupported(&e) => {
            std::fs::rename(target, prev)?;
            if let Err(e) = std::fs::rename(staging, target) {
                let _ = std::fs::rename(prev, target);
                return Err(e);
            }
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Removes a file, link or folder tree.
pub fn remove_all(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether an exchange failed only because the system or file system cannot do it.
fn unsupported(e: &io::Error) -> bool {
    #[cfg(target_os = "linux")]
    let refused = matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP));
    #[cfg(not(target_os = "linux"))]
    let refused = false;
    refused || e.kind() == io::ErrorKind::Unsupported
}

/// Exchanges the names of two existing paths atomically.
#[cfg(all(target_os = "linux", any(target_env = "gnu", target_env = "musl")))]
pub fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c =
        |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e));
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both pointers are to NUL-terminated strings that outlive the call; the call
    // reads them only.
    let result =
        unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if result == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// Exchanges the names of two existing paths atomically: not available here.
#[cfg(not(all(target_os = "linux", any(target_env = "gnu", target_env = "musl"))))]
pub fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "no atomic exchange of paths on this system"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(path: &Path, name: &str) {
        std::fs::create_dir_all(path).unwrap();
        std::fs::write(path.join(name), name).unwrap();
    }

    #[test]
    fn the_new_tree_takes_the_place_and_the_old_one_is_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let (staging, target, prev) = (tmp.path().join("s"), tmp.path().join("t"), tmp.path().join("p"));
        dir_with(&staging, "first");
        assert!(swap(&staging, &target, &prev).unwrap(), "a first build is one rename");
        dir_with(&staging, "second");
        dir_with(&prev, "older");
        let atomic = swap(&staging, &target, &prev).unwrap();
        assert_eq!(atomic, cfg!(target_os = "linux"));
        assert!(target.join("second").is_file() && prev.join("first").is_file());
        assert!(!staging.exists() && !prev.join("older").exists());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn exchange_trades_two_names() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        dir_with(&a, "in-a");
        dir_with(&b, "in-b");
        exchange(&a, &b).unwrap();
        assert!(a.join("in-b").is_file() && b.join("in-a").is_file());
        let missing = exchange(&a, &tmp.path().join("none")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }
}

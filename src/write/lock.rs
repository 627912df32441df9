//! One build at a time per output: an exclusive lock on `.<name>.lock` beside the output, held
//! from before the skip check until the record of the build is stored.
//!
//! `File::lock` is `flock(LOCK_EX)` on unix and `LockFileEx` on Windows: the kernel releases it
//! when the holder exits, however it exits (SIGKILL included), so there is never a stale lock
//! to break by hand, unlike a lock made by creating a file exclusively. POSIX record locks
//! (`fcntl`) were not chosen: a process loses them when it closes *any* descriptor of the file.
//! The lock file is never deleted: deleting it would let a waiter lock a file no longer at the
//! path while a newcomer locks a new one.
//!
//! The lock file is opened without following a link (`O_NOFOLLOW`, and `O_CLOEXEC` so no child
//! inherits it) and used only when it is a regular file with one name: the pid is written into
//! it, and a `.public.lock` committed as a link to another file, or a hard link to one, would
//! have that file truncated.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The exclusive right to write one output. Held until dropped.
///
/// Invariant: while an `OutputLock` for a target exists in one process, no other process
/// holds one for the same target (the same path after canonicalization).
#[derive(Debug)]
pub struct OutputLock {
    file: File,
    target: PathBuf,
}

impl OutputLock {
    /// Takes the lock of `target`, creating its parent folders and the lock file if needed.
    /// When another build holds it, calls `waiting` once with that build's process id (when
    /// it could be read) and then waits for it.
    pub fn acquire(target: &Path, waiting: &dyn Fn(Option<u32>)) -> io::Result<OutputLock> {
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let path = super::sibling(target, "lock");
        let mut file = open(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                waiting(holder(&mut file));
                file.lock()?;
            }
            Err(TryLockError::Error(e)) => return Err(e),
        }
        // The holder's pid, for the message of the builds that wait for it.
        file.set_len(0)?;
        file.seek(SeekFrom::Start(0))?;
        writeln!(file, "{}", std::process::id())?;
        Ok(OutputLock { file, target: target.to_path_buf() })
    }

    /// The output this lock is for.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Sets the lock file's change time to now and returns it, in nanoseconds since the epoch
    /// as the file system records it. A file of the output whose change time is earlier was
    /// last changed before this call (see `manifest`). The lock file is in the output's parent,
    /// so on the same file system, with the same clock and timestamp granularity.
    pub fn mark(&self) -> io::Result<i64> {
        self.file.set_times(std::fs::FileTimes::new().set_modified(std::time::SystemTime::now()))?;
        Ok(super::manifest::Stamp::of(&self.file.metadata()?).changed)
    }
}

/// Opens (creating when missing) the lock file at `path`, refusing a link and anything but a
/// regular file with one name.
fn open(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW | libc::O_CLOEXEC);
    let refused = |what: &str| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "refusing to use the lock file {}: it is {what}; cairn writes its process id into it. Remove it \
                 (`rm {}`) and build again",
                path.display(),
                path.display()
            ),
        )
    };
    let file = match options.open(path) {
        Ok(file) => file,
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(refused("a symbolic link")),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(refused("not a regular file"));
    }
    #[cfg(unix)]
    {
        if std::os::unix::fs::MetadataExt::nlink(&meta) > 1 {
            return Err(refused("a file with other names (a hard link)"));
        }
    }
    Ok(file)
}

/// The pid the holder wrote into the lock file, if it did yet.
fn holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_second_lock_waits_and_names_the_holder() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("site");
        let first = OutputLock::acquire(&target, &|_| panic!("nobody holds it yet")).unwrap();
        // Another open file description of the same file cannot take the lock meanwhile.
        let other = OpenOptions::new().read(true).write(true).open(tmp.path().join(".site.lock")).unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        let waited = std::thread::scope(|s| {
            let waiter = s.spawn(|| {
                let seen = Cell::new(None);
                let lock = OutputLock::acquire(&target, &|pid| seen.set(Some(pid))).unwrap();
                drop(lock);
                seen.get()
            });
            std::thread::sleep(std::time::Duration::from_millis(100));
            drop(first);
            waiter.join().unwrap()
        });
        assert_eq!(waited, Some(Some(std::process::id())));
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_lock_file_is_refused_and_left_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, tmp.path().join(".site.lock")).unwrap();
        let refused = OutputLock::acquire(&tmp.path().join("site"), &|_| {}).unwrap_err();
        assert!(refused.to_string().contains("symbolic link"), "{refused}");
        std::fs::remove_file(tmp.path().join(".site.lock")).unwrap();
        std::fs::hard_link(&victim, tmp.path().join(".site.lock")).unwrap();
        assert!(OutputLock::acquire(&tmp.path().join("site"), &|_| {}).is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    }

    #[test]
    fn mark_is_not_earlier_than_a_file_changed_before_it() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("site");
        let lock = OutputLock::acquire(&target, &|_| {}).unwrap();
        let file = tmp.path().join("before");
        std::fs::write(&file, b"x").unwrap();
        let before = super::super::manifest::Stamp::of(&std::fs::symlink_metadata(&file).unwrap()).changed;
        assert!(lock.mark().unwrap() >= before);
    }
}

//! Watching the inputs (`cairn.yaml`, `content/`, `templates/`, `themes/`, `static/`, and the
//! branch tips of `.git`, which a commit moves) with `notify`, and turning bursts of events into one batch of [`Changes`]: a batch ends when no
//! event came for [`QUIET`] (an editor's save is a burst: temp file, rename over, attribute
//! change), or at the latest after [`MAX_WAIT`] under a storm of events. Hidden files, editor
//! backups and swap files are no inputs (the loader skips them) and start no rebuild.

use super::rebuild::Changes;
use notify::{Event, RecursiveMode, Watcher};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long a batch waits for more events after the last one.
pub const QUIET: Duration = Duration::from_millis(15);
/// The longest a batch waits under a steady stream of events.
pub const MAX_WAIT: Duration = Duration::from_millis(500);

/// The input folders, watched recursively.
const FOLDERS: [&str; 4] = ["content", "templates", "themes", "static"];

/// A running watch of one repo's inputs.
pub struct Watch {
    root: PathBuf,
    watcher: notify::RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
    watched: Vec<PathBuf>,
}

impl Watch {
    /// Starts watching the inputs of the repo at `root` (canonical).
    pub fn start(root: &Path) -> notify::Result<Watch> {
        let (tx, events) = channel();
        let watcher = notify::recommended_watcher(move |event| {
            let _ = tx.send(event);
        })?;
        let mut watch = Watch { root: root.to_path_buf(), watcher, events, watched: Vec::new() };
        // The root itself, not recursively: `cairn.yaml`, and input folders made later.
        watch.watcher.watch(root, RecursiveMode::NonRecursive)?;
        // A commit changes what pages say of their history and the build's stamp: the branch
        // tips and HEAD are watched (not the objects), when the repo has a `.git` folder.
        let git = root.join(".git");
        if std::fs::symlink_metadata(&git).is_ok_and(|m| m.is_dir()) {
            let _ = watch.watcher.watch(&git, RecursiveMode::NonRecursive);
            let _ = watch.watcher.watch(&git.join("refs").join("heads"), RecursiveMode::Recursive);
        }
        watch.watch_folders();
        Ok(watch)
    }

    /// Watches the input folders that exist and are not watched yet (a folder that is a link is
    /// not: the loader does not follow it).
    fn watch_folders(&mut self) {
        for name in FOLDERS {
            let dir = self.root.join(name);
            let is_dir = std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir());
            if is_dir && !self.watched.contains(&dir) && self.watcher.watch(&dir, RecursiveMode::Recursive).is_ok() {
                self.watched.push(dir);
            } else if !is_dir {
                self.watched.retain(|d| *d != dir);
            }
        }
    }

    /// Waits for the next batch of changes to the inputs; `None` when the watch ended.
    pub fn next_batch(&mut self) -> Option<Changes> {
        let mut changes = Changes::default();
        // The first event of a batch that matters.
        while !changes.any() {
            let event = self.events.recv().ok()?;
            self.note(event, &mut changes);
        }
        let started = Instant::now();
        let mut last = Instant::now();
        loop {
            let wait = QUIET.saturating_sub(last.elapsed()).min(MAX_WAIT.saturating_sub(started.elapsed()));
            if wait.is_zero() {
                break;
            }
            match self.events.recv_timeout(wait) {
                Ok(event) => {
                    if self.note(event, &mut changes) {
                        last = Instant::now();
                    }
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        self.watch_folders();
        Some(changes)
    }

    /// Adds what `event` changed to `changes`; whether it concerned an input.
    fn note(&mut self, event: notify::Result<Event>, changes: &mut Changes) -> bool {
        let Ok(event) = event else {
            // Events were lost (the kernel's queue overflowed): assume anything changed.
            *changes = Changes::everything();
            return true;
        };
        if event.need_rescan() {
            *changes = Changes::everything();
            return true;
        }
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return false;
        }
        let mut relevant = false;
        for path in &event.paths {
            if let Some(change) = classify(&self.root, path) {
                changes.config |= change.config;
                changes.assets |= change.assets;
                changes.inputs |= change.inputs;
                if let Ok(rel) = path.strip_prefix(&self.root) {
                    changes.files.insert(crate::diagnostics::display_path(rel));
                }
                relevant = true;
            }
        }
        relevant
    }
}

/// What a change to `path` means, or `None` when it is no input.
pub fn classify(root: &Path, path: &Path) -> Option<Changes> {
    let rel = path.strip_prefix(root).ok()?;
    let names: Vec<&str> = rel
        .components()
        .map(|c| match c {
            Component::Normal(n) => n.to_str(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let (first, last) = (*names.first()?, *names.last()?);
    if first == ".git" {
        // HEAD moved, or a branch tip (loose or packed): a commit, a checkout, a reset.
        let moved = matches!(names[1..], ["HEAD"] | ["packed-refs"])
            || (names.get(1..3) == Some(&["refs", "heads"][..]) && names.len() > 3 && !last.ends_with(".lock"));
        return moved.then(|| Changes { inputs: true, ..Changes::default() });
    }
    if is_scratch(last) && names.len() > 1 {
        return None;
    }
    match first {
        "cairn.yaml" if names.len() == 1 => Some(Changes { config: true, ..Changes::default() }),
        "static" => Some(Changes { assets: true, ..Changes::default() }),
        // themes/<name>/static/… is copied; themes/<name>/templates/… is rendered with.
        "themes" if names.get(2) == Some(&"static") => Some(Changes { assets: true, ..Changes::default() }),
        "themes" | "content" | "templates" => Some(Changes { inputs: true, ..Changes::default() }),
        _ => None,
    }
}

/// Whether a file name is an editor's or a tool's scratch file rather than an input: hidden
/// (`.x.md.swp`, `.#x.md`, `.goutputstream-…`), a backup (`x.md~`), Emacs autosave (`#x.md#`),
/// Vim's write test (`4913`), or a temporary file.
pub fn is_scratch(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload", ".kate-swp"].iter().any(|ext| name.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_told_apart() {
        let root = Path::new("/repo");
        let c = |p: &str| classify(root, &root.join(p));
        assert_eq!(c("cairn.yaml"), Some(Changes { config: true, ..Changes::default() }));
        assert_eq!(c("content/incidents/x.md"), Some(Changes { inputs: true, ..Changes::default() }));
        assert_eq!(c("templates/incident.html"), Some(Changes { inputs: true, ..Changes::default() }));
        assert_eq!(c("themes/dark/templates/base.html"), Some(Changes { inputs: true, ..Changes::default() }));
        assert_eq!(c("themes/dark/static/x.css"), Some(Changes { assets: true, ..Changes::default() }));
        assert_eq!(c("static/logo.svg"), Some(Changes { assets: true, ..Changes::default() }));
        for not_input in [
            "public/index.html",
            ".cairn/serve/public/index.html",
            ".git/index",
            "content/incidents/.x.md.swp",
            "content/incidents/x.md~",
            "content/incidents/4913",
            "content/incidents/#x.md#",
            "README.md",
            ".git/index",
        ] {
            assert_eq!(c(not_input), None, "{not_input}");
        }
        assert_eq!(classify(root, Path::new("/elsewhere/cairn.yaml")), None);
        for commit in [".git/HEAD", ".git/packed-refs", ".git/refs/heads/main", ".git/refs/heads/team/fix"] {
            assert_eq!(c(commit), Some(Changes { inputs: true, ..Changes::default() }), "{commit}");
        }
        for not_commit in [".git/refs/heads/main.lock", ".git/HEAD.lock", ".git/objects/ab/cdef", ".git/index"] {
            assert_eq!(c(not_commit), None, "{not_commit}");
        }
    }
}

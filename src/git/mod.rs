//! Git history, read by driving the `git` command: one walk of the commit graph for the history
//! of every input file (cached by commit id), the blobs of old revisions, the state of the
//! working tree, and the input tree of any revision read from the object database.
//!
//! Nothing here knows about audiences: this module hands raw history to `site`, which reads old
//! revisions through the same loader and block cutter as current ones.

mod history;
mod log;
mod objects;
mod source;

pub use history::{Change, Commit, History, PathRevision};
pub use objects::{Blobs, export_tree};
pub use source::{Read, Source};

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The inputs of a build below its root, as git pathspecs (the build cache reads the same).
pub const INPUTS: [&str; 6] = crate::cache::INPUTS;

/// A git repository holding a site's root, as far as a build needs it.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The site's root (where `git` runs).
    root: PathBuf,
    /// Path of the root below the top of the work tree (`""` at the top, else `docs/kb/`).
    prefix: String,
    /// The commit at HEAD; `None` in a repository without commits.
    pub head: Option<String>,
    /// Whether the clone is shallow: history stops at its grafted commits.
    pub shallow: bool,
    /// Whether the repository has no work tree.
    pub bare: bool,
}

/// Why a build has no history: said once, as a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// The `git` program is not installed (or not on PATH).
    NoGit,
    /// The root is not inside a git repository.
    NotARepo,
    /// git refused the repository or failed: its message.
    Failed(String),
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Missing::NoGit => write!(f, "the `git` program was not found"),
            Missing::NotARepo => write!(f, "the site is not in a git repository"),
            Missing::Failed(why) => write!(f, "git failed: {why}"),
        }
    }
}

/// A `git` command run in `root`, with settings that could change its output pinned: no pager,
/// no signature checks in logs, paths printed as they are, no optional index refresh (a build
/// never writes to the repository), no prompt.
pub(crate) fn git(root: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(root)
        .args(["-c", "core.quotepath=off", "-c", "log.showSignature=false", "-c", "color.ui=false"])
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_PAGER", "cat")
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    cmd
}

/// Runs a git command to its end: its standard output, or why it failed.
pub(crate) fn output(cmd: &mut Command) -> Result<Vec<u8>, Missing> {
    let out = cmd.stderr(Stdio::piped()).stdout(Stdio::piped()).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound { Missing::NoGit } else { Missing::Failed(e.to_string()) }
    })?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("not a git repository") {
        return Err(Missing::NotARepo);
    }
    let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("exited with an error").trim();
    let first = first.strip_prefix("fatal: ").unwrap_or(first);
    Err(Missing::Failed(crate::text::terminal_safe(first).chars().take(300).collect()))
}

impl Repo {
    /// The repository holding `root`, or why there is none.
    pub fn open(root: &Path) -> Result<Repo, Missing> {
        let out =
            output(git(root).args(["rev-parse", "--is-bare-repository", "--is-shallow-repository", "--show-prefix"]))?;
        let text = String::from_utf8_lossy(&out);
        let mut lines = text.lines();
        let bare = lines.next() == Some("true");
        let shallow = lines.next() == Some("true");
        let prefix = lines.next().unwrap_or("").to_string();
        let head = output(git(root).args(["rev-parse", "--verify", "-q", "HEAD^{commit}"]))
            .ok()
            .map(|o| String::from_utf8_lossy(&o).trim().to_string())
            .filter(|h| !h.is_empty());
        Ok(Repo { root: root.to_path_buf(), prefix, head, shallow, bare })
    }

    /// The commit id `rev` names (a branch, a tag, an id, `HEAD~3`), or why it names none.
    pub fn resolve(&self, rev: &str) -> Result<String, String> {
        if rev.starts_with('-') {
            return Err(format!("`{rev}` is not a revision"));
        }
        let out = output(
            git(&self.root).args(["rev-parse", "--verify", "-q", "--end-of-options"]).arg(format!("{rev}^{{commit}}")),
        )
        .map_err(|_| format!("`{}` names no commit of this repository", crate::text::terminal_safe(rev)))?;
        Ok(String::from_utf8_lossy(&out).trim().to_string())
    }

    /// The inputs as pathspecs relative to the root, `:(top)` anchored so they mean the same
    /// wherever git runs.
    fn pathspecs(&self) -> Vec<String> {
        INPUTS.iter().map(|i| format!(":(top,literal){}{i}", self.prefix)).collect()
    }

    /// A path git printed (relative to the top of the work tree) as a path below the root, or
    /// `None` outside the root.
    fn below_root(&self, path: &str) -> Option<String> {
        path.strip_prefix(self.prefix.as_str()).map(str::to_string)
    }

    /// Whether the working tree's inputs differ from HEAD (changed, added, deleted, untracked or
    /// ignored files: the build reads them all), and which of them, relative to the root. A bare repository is
    /// never dirty.
    pub fn dirty_inputs(&self) -> Result<Vec<String>, Missing> {
        if self.bare {
            return Ok(Vec::new());
        }
        let out = output(
            git(&self.root)
                // Ignored files too: the build reads every file below its inputs, ignored or not.
                .args([
                    "status",
                    "--porcelain=v1",
                    "-z",
                    "--no-renames",
                    "--untracked-files=all",
                    "--ignored=traditional",
                ])
                .arg("--")
                .args(self.pathspecs()),
        )?;
        let mut paths: Vec<String> = out
            .split(|b| *b == 0)
            .filter(|e| e.len() > 3)
            .filter_map(|e| self.below_root(&String::from_utf8_lossy(&e[3..])))
            .collect();
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// The history of the inputs reachable from `tip`, from one walk of the commit graph; the
    /// walk is kept in `cache` (a folder) by commit id, and a later walk from a descendant only
    /// reads the commits since.
    pub fn history(&self, tip: &str, cache: Option<&Path>) -> Result<History, Missing> {
        let raw = log::walk(self, tip, cache)?;
        let mut history = History::from_log(&raw, |p| self.below_root(p));
        // Replayed in one order, the branches of a merge can leave a file the merge removed.
        let at_tip: std::collections::HashSet<String> = self.tree(tip)?.into_iter().map(|(_, _, p)| p).collect();
        history.keep_tip(&at_tip);
        Ok(history)
    }

    /// The commits of the first-parent line from `tip` that touched an input, newest first,
    /// with their changes against their first parent: `count` of them after the first `skip`.
    pub fn first_parent_line(&self, tip: &str, skip: usize, count: usize) -> Result<Vec<Commit>, Missing> {
        let raw = log::first_parent(self, tip, skip, count)?;
        Ok(History::from_log(&raw, |p| self.below_root(p)).commits)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

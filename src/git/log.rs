//! The one walk of the commit graph: `git log --first-parent --raw -M` over the inputs, from a
//! tip commit, newest first. Only the first-parent line counts: it is what the branch built from
//! held, one state after another, and a merge is one change (all it brought in, against its
//! first parent). The commits of a merged branch are drafts, never states of the published
//! line: a branch commit that dropped a `:::internal` fence and a later one that restored it
//! are not two revisions of a public page. The raw output is kept by the id of its tip; a walk
//! from a tip whose first-parent line passes through a kept tip reads only the commits since
//! (`git log tip ^kept`) and puts them in front.

use super::{Missing, Repo, git, output};
use std::path::Path;

/// Separates commits in the walk's output (ASCII record separator).
pub(super) const RECORD: u8 = 0x1e;

/// How a commit is printed: id, parents, committer time, author name and e-mail (with the
/// repository's `.mailmap` applied), subject; each ended by NUL.
const FORMAT: &str = "--format=%x1e%H%x00%P%x00%ct%x00%aN%x00%aE%x00%s";

/// The walk's output for the commits reachable from `tip` but not from `exclude`.
fn run(repo: &Repo, tip: &str, exclude: Option<&str>) -> Result<Vec<u8>, Missing> {
    let mut cmd = git(&repo.root);
    cmd.args(["log", "--first-parent", "--diff-merges=first-parent", "--raw", "-z", "-M", "--no-abbrev"])
        .args(["--no-color", "--no-notes", FORMAT])
        .arg(tip);
    if let Some(old) = exclude {
        cmd.arg(format!("^{old}"));
    }
    cmd.arg("--").args(repo.pathspecs());
    output(&mut cmd)
}

/// The commits of the first-parent line from `tip` that touched an input, newest first, each
/// with its changes against its first parent (for a merge: all it brought in), leaving out the
/// first `skip` and reading at most `count`. Following this line, and not commit times, is what
/// tells which commit's tree a build's inputs equal: a branch's commits are older than the
/// merge that brings them in.
pub(super) fn first_parent(repo: &Repo, tip: &str, skip: usize, count: usize) -> Result<Vec<u8>, Missing> {
    let mut cmd = git(&repo.root);
    cmd.args(["log", "--first-parent", "--diff-merges=first-parent", "--raw", "-z", "-M", "--no-abbrev"])
        .args(["--no-color", "--no-notes", FORMAT])
        .arg(format!("--skip={skip}"))
        .arg(format!("--max-count={count}"))
        .arg(tip)
        .arg("--")
        .args(repo.pathspecs());
    output(&mut cmd)
}

/// The file a walk from `tip` is kept in (`.fp`: of the first-parent line).
fn kept(cache: &Path, tip: &str) -> std::path::PathBuf {
    cache.join(format!("{tip}.fp.log"))
}

/// Whether `old` is on the first-parent line from `tip` (reachable is not enough: a commit of a
/// merged branch is reachable, and its line is not the tip's).
fn on_the_line(repo: &Repo, old: &str, tip: &str) -> bool {
    output(git(&repo.root).args(["rev-list", "--first-parent", tip]))
        .is_ok_and(|ids| ids.split(|b| *b == b'\n').any(|id| id == old.as_bytes()))
}

/// The raw walk from `tip`: from the cache when it was walked before, else from git (only the
/// commits since a kept ancestor of `tip`, when there is one).
pub(super) fn walk(repo: &Repo, tip: &str, cache: Option<&Path>) -> Result<Vec<u8>, Missing> {
    let Some(cache) = cache else { return run(repo, tip, None) };
    if let Ok(bytes) = std::fs::read(kept(cache, tip)) {
        return Ok(bytes);
    }
    let ancestor = std::fs::read_dir(cache)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".fp.log").map(str::to_string))
        .filter(|id| id.len() >= 40 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        .find(|id| on_the_line(repo, id, tip));
    let bytes = match ancestor {
        Some(old) => match std::fs::read(kept(cache, &old)) {
            Ok(older) => {
                let mut newer = run(repo, tip, Some(&old))?;
                newer.extend_from_slice(&older);
                newer
            }
            Err(_) => run(repo, tip, None)?,
        },
        None => run(repo, tip, None)?,
    };
    store(cache, tip, &bytes);
    Ok(bytes)
}

/// Keeps the walk from `tip`, replacing the walks kept before (one is enough to start from).
/// Failing to keep it only costs a longer walk next time.
fn store(cache: &Path, tip: &str, bytes: &[u8]) {
    if std::fs::create_dir_all(cache).is_err() {
        return;
    }
    let temp = cache.join(format!(".{}.tmp", std::process::id()));
    if std::fs::write(&temp, bytes).is_ok() && std::fs::rename(&temp, kept(cache, tip)).is_ok() {
        for entry in std::fs::read_dir(cache).into_iter().flatten().flatten() {
            let name = entry.file_name();
            if name.to_str().is_some_and(|n| n.ends_with(".log") && n != format!("{tip}.fp.log")) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    } else {
        let _ = std::fs::remove_file(&temp);
    }
}

//! What the comms commands (`new`, `update`) share: checking an edited file with the same rules
//! as `check` before anything is written, then writing it and saying what changed.

use super::{EXIT_PROBLEMS, Format, report};
use crate::diagnostics::Diagnostic;
use crate::model::Timestamp;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Everything of a repo that `check` reads.
const REPO_PARTS: [&str; 4] = ["cairn.yaml", "content", "templates", "themes"];

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.map_err(std::io::Error::other)?;
        let rel = entry.path().strip_prefix(from).map_err(std::io::Error::other)?;
        let target = if rel.as_os_str().is_empty() { to.to_path_buf() } else { to.join(rel) };
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)?;
        } else if entry.file_type().is_file() {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Problems of the repo at `root` once `rel` holds `text`, found on a scratch copy of the repo.
fn problems_with(root: &Path, rel: &str, text: &str, now: Timestamp) -> std::io::Result<Vec<Diagnostic>> {
    let scratch = std::env::temp_dir().join(format!("cairn-edit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let result = (|| {
        for part in REPO_PARTS {
            let from = root.join(part);
            if from.exists() {
                copy_tree(&from, &scratch.join(part))?;
            }
        }
        let target = scratch.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, text)?;
        Ok(crate::pipeline::check(&scratch, now))
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// Writes `text` to `rel` below `root` if the repo is then still valid as far as that file is
/// concerned; otherwise prints the problems and writes nothing.
pub fn write_checked(root: &Path, rel: &str, text: &str, now: Timestamp) -> Result<PathBuf, ExitCode> {
    let problems = problems_with(root, rel, text, now).map_err(|e| {
        eprintln!("error: cannot check the edit on a scratch copy of the repo: {e}");
        ExitCode::from(EXIT_PROBLEMS)
    })?;
    let own: Vec<Diagnostic> = problems.into_iter().filter(|d| d.file == rel && d.is_error()).collect();
    if !own.is_empty() {
        let _ = report::print(&own, Format::Human, &mut std::io::stderr().lock());
        eprintln!("Refused: the edit would make {rel} invalid. Nothing was written.");
        return Err(ExitCode::from(EXIT_PROBLEMS));
    }
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            eprintln!("error: cannot create {}: {e}", parent.display());
            ExitCode::from(EXIT_PROBLEMS)
        })?;
    }
    std::fs::write(&path, text).map_err(|e| {
        eprintln!("error: cannot write {}: {e}", path.display());
        ExitCode::from(EXIT_PROBLEMS)
    })?;
    Ok(path)
}

/// Refuses with a message and exit code 1.
pub fn refuse(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("Refused: {message}. Nothing was written.");
    ExitCode::from(EXIT_PROBLEMS)
}

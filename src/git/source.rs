//! The repository as one build reads it: which commit it builds from (HEAD, or `--rev`), the
//! history up to there, the blobs of the documents' revisions and the uncommitted inputs; and
//! what is missing, said once as a warning.

use super::{History, Missing, Repo};
use crate::diagnostics::{Diagnostic, Pos};
use std::path::Path;

/// Where a build's history comes from.
pub struct Source {
    /// The repository, when there is one with commits.
    pub repo: Option<Repo>,
    /// The commit built from: HEAD, or the commit `--rev` names.
    pub tip: Option<String>,
    /// Whether the build reads the inputs of `tip` from the object database (`--rev`).
    pub at_rev: bool,
    /// Why there is no history, or why it is cut short.
    pub missing: Option<Missing>,
}

/// What a build read from git.
pub struct Read {
    pub history: History,
    /// Inputs that differ from the commit built from, below the root (none with `--rev`).
    pub dirty: Vec<String>,
}

impl Source {
    /// The repository holding `root`, built at `rev` when given. A `rev` that names no commit,
    /// or one given outside a repository, is an error (the request is wrong); no repository,
    /// no `git` or no commit otherwise is history missing, not an error.
    pub fn open(root: &Path, rev: Option<&str>) -> Result<Source, String> {
        let repo = Repo::open(root);
        match (repo, rev) {
            (Ok(repo), Some(rev)) => {
                let tip = repo.resolve(rev)?;
                Ok(Source { repo: Some(repo), tip: Some(tip), at_rev: true, missing: None })
            }
            (Err(why), Some(_)) => Err(format!("--rev reads the inputs from git, but {why}")),
            (Ok(repo), None) => {
                let tip = repo.head.clone();
                let missing = tip.is_none().then(|| Missing::Failed("the repository has no commit yet".into()));
                Ok(Source { repo: Some(repo), tip, at_rev: false, missing })
            }
            (Err(why), None) => Ok(Source { repo: None, tip: None, at_rev: false, missing: Some(why) }),
        }
    }

    /// What identifies the history for the build cache: the commit built from (the working tree's
    /// inputs are fingerprinted apart). Two builds with the same commit and the same inputs read
    /// the same history and find the same changes uncommitted.
    pub fn key(&self) -> String {
        match &self.tip {
            Some(tip) => format!("git {tip}{}", if self.at_rev { " rev" } else { "" }),
            None => "no git".into(),
        }
    }

    /// The history up to the commit built from (one walk, kept in `cache`), and the uncommitted
    /// inputs; `None` when there is
    /// none (`missing` says why).
    pub fn read(&mut self, cache: &Path) -> Option<Read> {
        let (repo, tip) = (self.repo.as_ref()?, self.tip.as_deref()?);
        let result = (|| {
            let history = repo.history(tip, Some(cache))?;
            let dirty = if self.at_rev { Vec::new() } else { repo.dirty_inputs()? };
            Ok::<_, Missing>(Read { history, dirty })
        })();
        match result {
            Ok(read) => Some(read),
            Err(why) => {
                self.missing = Some(why);
                None
            }
        }
    }

    /// The warning a build gives once about history it lacks: none, or cut short by a shallow
    /// clone.
    pub fn warning(&self) -> Option<Diagnostic> {
        let (file, message, help) = match (&self.missing, &self.repo) {
            (Some(Missing::NoGit), _) => (
                ".",
                "no page history: the `git` program was not found".to_string(),
                "install git to show when each page changed, its history and the amendment log".to_string(),
            ),
            (Some(Missing::NotARepo), _) => (
                ".",
                "no page history: the site is not in a git repository".to_string(),
                "keep the knowledge base in git (`git init`, then commit) to show when each page changed".to_string(),
            ),
            (Some(Missing::Failed(why)), _) => (
                ".git",
                format!("no page history: {why}"),
                if why.contains("dubious ownership") {
                    "the repository belongs to another user: `git config --global --add safe.directory <path>` trusts it"
                        .to_string()
                } else {
                    "pages are built without their history".to_string()
                },
            ),
            (None, Some(repo)) if repo.shallow => (
                ".git",
                "page history is cut short: this is a shallow clone, so pages created before its oldest commit \
                 show that commit as their creation and amendments before it are not listed"
                    .to_string(),
                "fetch the whole history (`git fetch --unshallow`, or `fetch-depth: 0` in CI) for exact page histories"
                    .to_string(),
            ),
            _ => return None,
        };
        Some(Diagnostic::warning(Path::new(file), Pos::START, "history-missing", message).with_help(help))
    }
}

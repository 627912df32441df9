//! Documents the public once saw and sees no more: narrowed to a more trusted audience, put back
//! under embargo or into draft, or deleted. `api/disclosures.json` lists them with the hashes of
//! the public renderings they had, so a published text cannot leave the record without a trace.
//!
//! Everything here comes from renderings for the public audience (see [`super::revisions`]): the
//! title and hashes are of text the public saw, and the withdrawal is the first revision the
//! public no longer sees, so later edits of the hidden document change nothing here.

use super::revisions::{GitInput, Rendering, component_names, rendering_of};
use super::{Revision, Site};
use crate::model::{Config, Timestamp};
use rayon::prelude::*;

/// A document the public saw and no longer sees.
#[derive(Debug, Clone)]
pub struct Withdrawn {
    /// The source file below the root, where it was last seen (`content/incidents/x.md`).
    pub source: String,
    /// The title of its last public rendering.
    pub title: String,
    /// The public revisions, oldest first (no author, no message).
    pub revisions: Vec<Revision>,
    /// The commit that withdrew it, and its time; `None` when withdrawn by uncommitted changes,
    /// or removed by a merge.
    pub commit: Option<String>,
    pub time: Option<Timestamp>,
    /// Whether the file is gone from the repository (else it is still there, hidden).
    pub deleted: bool,
}

/// The withdrawn documents of a public `site`, by source path.
pub fn find(site: &Site, config: &Config, git: &GitInput<'_>) -> Vec<Withdrawn> {
    let shown: std::collections::HashSet<String> =
        site.docs.iter().map(|d| crate::diagnostics::display_path(&d.source)).collect();
    let present = git.history.files.iter().filter(|(path, _)| !shown.contains(*path)).map(|(p, r)| (p, r, false));
    let gone = git.history.gone.iter().map(|(p, r)| (p, r, true));
    let names = component_names(site);
    let mut out: Vec<Withdrawn> = present
        .chain(gone)
        .filter(|(path, _, _)| path.starts_with("content/") && path.as_str() != "content/components.yaml")
        .collect::<Vec<_>>()
        .into_par_iter()
        .filter_map(|(path, revisions, deleted)| {
            let rel = path.strip_prefix("content/")?;
            let mut seen: Vec<Revision> = Vec::new();
            let mut last: Option<Rendering> = None;
            let mut withdrawn: Option<&crate::git::Commit> = None;
            for r in revisions {
                let commit = &git.history.commits[r.commit];
                let blob = git.history.blob(*r);
                let rendering = if blob.bytes().all(|b| b == b'0') {
                    None
                } else {
                    rendering_of(git, rel, blob, config, 0, site.now, &names)?
                };
                match rendering {
                    Some(rendering) => {
                        withdrawn = None;
                        let hash = rendering.sha256();
                        if last.as_ref().is_none_or(|l| l.sha256() != hash) {
                            let amends = last.as_ref().is_some_and(|l| rendering.amends(l));
                            seen.push(Revision {
                                commit: Some(commit.id.clone()),
                                time: Timestamp::from_unix_timestamp(commit.time).ok(),
                                author: None,
                                subject: None,
                                sha256: hash,
                                text: String::new(),
                                amends,
                            });
                            last = Some(rendering);
                        }
                    }
                    None if last.is_some() && withdrawn.is_none() => withdrawn = Some(commit),
                    None => {}
                }
            }
            let title = last?.parts().first().map(|(_, t)| t.trim_start_matches("# ").trim().to_string())?;
            Some(Withdrawn {
                source: path.clone(),
                title,
                revisions: seen,
                commit: withdrawn.map(|c| c.id.clone()),
                time: withdrawn.and_then(|c| Timestamp::from_unix_timestamp(c.time).ok()),
                deleted,
            })
        })
        .collect();
    out.sort_by(|a, b| a.source.cmp(&b.source).then(a.time.cmp(&b.time)));
    out
}

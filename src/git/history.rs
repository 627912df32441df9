//! The walk's output parsed: every commit that touched an input, and for every input file at the
//! tip its revisions, oldest first, following renames.

use super::log::RECORD;
use std::collections::HashMap;

/// One file changed by a commit, paths relative to the site's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `A`dded, `M`odified, `D`eleted, `R`enamed, `C`opied or `T`ype changed.
    pub status: u8,
    /// The path before (for a rename or copy: the old path; else the path).
    pub old_path: Option<String>,
    pub path: String,
    /// The blob before and after (all zeros when there is none).
    pub old_blob: String,
    pub blob: String,
    /// The file is a regular file after the change (not a link or submodule).
    pub regular: bool,
}

/// A commit that touched an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub id: String,
    pub parents: Vec<String>,
    /// Committer time, in seconds since the epoch.
    pub time: i64,
    pub author: String,
    pub email: String,
    pub subject: String,
    /// Inputs only, below the root.
    pub changes: Vec<Change>,
}

/// One revision of a file: the commit (an index into `History::commits`) and the file's blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathRevision {
    pub commit: usize,
    /// Index of the change in that commit's `changes`.
    pub change: usize,
}

/// The history of the inputs reachable from one tip.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Newest first (children before parents).
    pub commits: Vec<Commit>,
    /// For each file present at the tip (path below the root), its revisions oldest first,
    /// across renames (once [`History::keep_tip`] ran; `Repo::history` runs it).
    pub files: HashMap<String, Vec<PathRevision>>,
    /// Files deleted before the tip (path at deletion), their revisions oldest first, the last
    /// one the deletion (no blob), in the order they were deleted.
    pub gone: Vec<(String, Vec<PathRevision>)>,
}

const NO_BLOB: &str = "0000000000000000000000000000000000000000";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Parses the raw entries after a commit's header: `:mode mode blob blob STATUS\0path\0[path\0]`.
fn changes(mut rest: &[u8], below_root: &dyn Fn(&str) -> Option<String>) -> Vec<Change> {
    let mut out = Vec::new();
    let mut fields = || -> Option<&[u8]> {
        let end = rest.iter().position(|b| *b == 0)?;
        let field = &rest[..end];
        rest = &rest[end + 1..];
        Some(field)
    };
    while let Some(meta) = fields() {
        let meta = text(meta);
        let meta = meta.trim_start_matches('\n');
        let Some(meta) = meta.strip_prefix(':') else { continue };
        let parts: Vec<&str> = meta.split(' ').collect();
        if parts.len() < 5 {
            break;
        }
        let status = parts[4].bytes().next().unwrap_or(b'M');
        let Some(first) = fields() else { break };
        let (old_path, path) = if matches!(status, b'R' | b'C') {
            let Some(second) = fields() else { break };
            (Some(text(first)), text(second))
        } else {
            (None, text(first))
        };
        // Only what lies below the root: a rename from outside it is an addition inside it.
        let Some(path) = below_root(&path) else {
            if status == b'R'
                && let Some(old) = old_path.as_deref().and_then(below_root)
            {
                out.push(Change {
                    status: b'D',
                    old_path: None,
                    path: old,
                    old_blob: parts[2].to_string(),
                    blob: NO_BLOB.into(),
                    regular: false,
                });
            }
            continue;
        };
        let old_path = old_path.as_deref().and_then(below_root);
        let status = if matches!(status, b'R' | b'C') && old_path.is_none() { b'A' } else { status };
        out.push(Change {
            status,
            old_path,
            path,
            old_blob: parts[2].to_string(),
            blob: parts[3].to_string(),
            regular: parts[1].starts_with("100"),
        });
    }
    out
}

impl History {
    /// The history in the raw walk `raw` (newest first), keeping the paths `below_root` maps.
    pub fn from_log(raw: &[u8], below_root: impl Fn(&str) -> Option<String>) -> History {
        let mut commits = Vec::new();
        for record in raw.split(|b| *b == RECORD).filter(|r| !r.is_empty()) {
            let mut parts = record.splitn(7, |b| *b == 0);
            let (Some(id), Some(parents), Some(time), Some(author), Some(email), Some(subject)) =
                (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let rest = parts.next().unwrap_or_default();
            commits.push(Commit {
                id: text(id),
                parents: text(parents).split_whitespace().map(str::to_string).collect(),
                time: text(time).trim().parse().unwrap_or(0),
                author: text(author),
                email: text(email),
                subject: text(subject),
                changes: changes(rest, &below_root),
            });
        }
        let (files, gone) = follow(&commits);
        History { commits, files, gone }
    }

    /// The blob of a revision.
    pub fn blob(&self, r: PathRevision) -> &str {
        &self.commits[r.commit].changes[r.change].blob
    }

    /// Keeps in `files` only the files at the tip (`at_tip`); the others join `gone`, with no
    /// deletion as their last revision when no commit of the walk deleted them (a merge did).
    pub fn keep_tip(&mut self, at_tip: &std::collections::HashSet<String>) {
        let mut removed: Vec<(String, Vec<PathRevision>)> =
            self.files.iter().filter(|(p, _)| !at_tip.contains(*p)).map(|(p, r)| (p.clone(), r.clone())).collect();
        removed.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, _) in &removed {
            self.files.remove(path);
        }
        self.gone.extend(removed);
    }

    /// The change a revision made.
    pub fn change(&self, r: PathRevision) -> &Change {
        &self.commits[r.commit].changes[r.change]
    }
}

/// Revisions of every file by path, oldest first.
type Files = HashMap<String, Vec<PathRevision>>;

/// Every file's revisions, oldest first, following renames: the commits are replayed from the
/// oldest, and a rename carries the file's revisions to its new path. Files deleted on the way
/// come second, each with its deletion as its last revision.
fn follow(commits: &[Commit]) -> (Files, Vec<(String, Vec<PathRevision>)>) {
    let mut files: Files = HashMap::new();
    let mut gone = Vec::new();
    for (c, commit) in commits.iter().enumerate().rev() {
        for (i, change) in commit.changes.iter().enumerate() {
            let revision = PathRevision { commit: c, change: i };
            match change.status {
                b'D' => {
                    if let Some(mut revisions) = files.remove(&change.path) {
                        revisions.push(revision);
                        gone.push((change.path.clone(), revisions));
                    }
                }
                b'R' => {
                    let mut revisions = change.old_path.as_ref().and_then(|p| files.remove(p)).unwrap_or_default();
                    revisions.push(revision);
                    files.insert(change.path.clone(), revisions);
                }
                b'A' | b'C' => {
                    files.insert(change.path.clone(), vec![revision]);
                }
                // A change on a branch replayed after a deletion on another: the same file.
                _ => match files.get_mut(&change.path) {
                    Some(revisions) => revisions.push(revision),
                    None => {
                        let mut revisions = gone
                            .iter()
                            .rposition(|(p, _)| *p == change.path)
                            .map(|i| gone.remove(i).1)
                            .unwrap_or_default();
                        revisions.retain(|r| commits[r.commit].changes[r.change].status != b'D');
                        revisions.push(revision);
                        files.insert(change.path.clone(), revisions);
                    }
                },
            }
        }
    }
    (files, gone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_carry_the_history_and_paths_outside_the_root_are_dropped() {
        let blob = |c: char| c.to_string().repeat(40);
        let raw = format!(
            "\x1e{c3}\0{c2}\x001300\0B\0b@x\0third\0\n:100644 100644 {b2} {b3} R090\0kb/content/a.md\0kb/content/b.md\0\
             :100644 100644 {b1} {b1} M\0src/x.rs\0\
             \x1e{c2}\0{c1}\x001200\0A\0a@x\0second\0\n:100644 100644 {b1} {b2} M\0kb/content/a.md\0\
             \x1e{c1}\0\x001100\0A\0a@x\0first\0\n:000000 100644 {z} {b1} A\0kb/content/a.md\0",
            c1 = blob('1'),
            c2 = blob('2'),
            c3 = blob('3'),
            b1 = blob('a'),
            b2 = blob('b'),
            b3 = blob('c'),
            z = NO_BLOB
        );
        let h = History::from_log(raw.as_bytes(), |p| p.strip_prefix("kb/").map(str::to_string));
        assert_eq!(h.commits.len(), 3);
        assert_eq!(h.commits[0].changes.len(), 1, "src/x.rs is outside the root");
        assert_eq!(h.commits[0].subject, "third");
        assert_eq!(h.commits[2].time, 1100);
        let b = &h.files["content/b.md"];
        assert_eq!(b.iter().map(|r| h.blob(*r)).collect::<Vec<_>>(), [blob('a'), blob('b'), blob('c')]);
        assert!(!h.files.contains_key("content/a.md"));
    }
}

//! What an audience sees of a document at each revision git recorded. An old revision is read by
//! the same loader as the current files and cut by the same block cutter, through the same
//! `prepare` and `updates` as `resolve`, into a [`Rendering`]: canonical text of what the page
//! shows (title, summary, public facts, the body and the visible updates, cut). Histories,
//! amendments and hashes are computed from renderings only, never from raw files, so no hidden
//! word of any revision can reach a less trusted build, and a hidden edit is no revision there.

use super::resolve::{UpdateContext, prepare, updates};
use super::{DocHistory, Markdown, Revision, Site};
use crate::git;
use crate::load::Loaded;
use crate::model::{Config, PostmortemStatus, Sources, Timestamp};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

/// What an audience sees of one document at one revision: named parts of canonical text, in
/// page order. Its text is their concatenation; its hash is the SHA-256 of that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendering {
    parts: Vec<(String, String)>,
}

/// Parts whose change is progress, not an amendment (a post-mortem moving from review to
/// published).
const PROGRESS: &str = "status";

impl Rendering {
    pub(super) fn from_parts(parts: Vec<(String, String)>) -> Rendering {
        Rendering { parts }
    }

    pub(super) fn parts(&self) -> &[(String, String)] {
        &self.parts
    }

    /// Whether what `audience` sees of `bytes` may depend on the build's time: only the least
    /// trusted audience waits for embargoes.
    pub fn timed(bytes: &[u8], audience: usize) -> bool {
        audience == 0 && bytes.windows(13).any(|w| w == b"embargo_until")
    }

    pub fn text(&self) -> String {
        self.parts.iter().map(|(_, t)| t.as_str()).collect()
    }

    /// Lowercase hex SHA-256 of [`Rendering::text`].
    pub fn sha256(&self) -> String {
        let mut h = Sha256::new();
        for (_, t) in &self.parts {
            h.update(t.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Whether this rendering changes or removes something `earlier` showed: adding a status
    /// update, a fact or text after the end of the body is not an amendment; changing or removing
    /// any of them is.
    pub fn amends(&self, earlier: &Rendering) -> bool {
        earlier.parts.iter().filter(|(k, _)| k != PROGRESS).any(|(k, t)| {
            let now = self.parts.iter().find(|(key, _)| key == k).map(|(_, now)| now);
            match now {
                None => true,
                // Text added after the body's end (an embargoed section now shown) is an addition.
                Some(now) if k == "body" => !now.starts_with(t.trim_end()),
                Some(now) => now != t,
            }
        })
    }
}

fn iso(t: Timestamp) -> String {
    crate::text::iso(t)
}

/// Builds the canonical text of a document from what the audience sees of it.
struct Builder {
    parts: Vec<(String, String)>,
}

impl Builder {
    fn new(title: &str, summary: Option<&str>) -> Builder {
        let mut parts = vec![("title".to_string(), format!("# {}\n", title.trim()))];
        if let Some(s) = summary.filter(|s| !s.trim().is_empty()) {
            parts.push(("summary".into(), format!("\n{}\n", s.trim())));
        }
        Builder { parts }
    }

    fn fact(&mut self, name: &str, value: Option<String>) {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            let blank = if self.parts.iter().any(|(k, _)| k.starts_with("fact:") || k == PROGRESS) { "" } else { "\n" };
            let key = if name == PROGRESS { PROGRESS.to_string() } else { format!("fact:{name}") };
            self.parts.push((key, format!("{blank}{name}: {v}\n")));
        }
    }

    fn body(&mut self, body: &Markdown) {
        if !body.is_empty() {
            self.parts.push(("body".into(), format!("\n{}\n", body.as_str().trim_matches('\n').trim_end())));
        }
    }

    fn update(&mut self, id: &str, at: Timestamp, status: &str, body: &Markdown) {
        let text = body.as_str().trim_matches('\n').trim_end();
        let sep = if text.is_empty() { "" } else { "\n" };
        self.parts.push((format!("update:{id}"), format!("\n## Update {} · {status}{sep}{text}\n", iso(at))));
    }

    fn done(self) -> Rendering {
        Rendering { parts: self.parts }
    }
}

/// How the facts name components: the names of those the audience sees, in the order written.
pub type ComponentNames<'a> = dyn Fn(&str) -> Option<String> + Sync + 'a;

fn names(ids: &[String], components: &ComponentNames<'_>) -> Option<String> {
    let names: Vec<String> = ids.iter().filter_map(|c| components(c)).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// What `audience` sees at `now` of a loaded document: `None` when it may not see it.
pub fn render(
    loaded: Loaded,
    config: &Config,
    audience: usize,
    now: Timestamp,
    components: &ComponentNames<'_>,
) -> Option<Rendering> {
    let most = config.audiences.most_trusted();
    // A rendering is the text of the updates; which components they name is not part of it.
    let no_components = std::collections::HashMap::new();
    // The updates the audience sees, each with its id, time, status and text.
    macro_rules! updates {
        ($b:expr, $d:expr, $p:expr) => {{
            let cx = UpdateContext {
                file: &$d.meta.source,
                visibility: $p.visibility,
                config,
                audience,
                now,
                components: &no_components,
            };
            for u in updates($d.updates, &cx, &mut Vec::new()) {
                $b.update(&u.id, u.at, u.status.label(), &u.body);
            }
        }};
    }
    macro_rules! cut {
        ($meta:expr, $hidden:expr) => {{
            let prepared = prepare(&mut $meta, config, audience, now, $hidden)?;
            (Builder::new(&$meta.title, $meta.summary.as_deref()), prepared)
        }};
    }
    let rendering = match loaded {
        Loaded::Incident(mut d) => {
            let (mut b, p) = cut!(d.meta, false);
            b.fact("impact", Some(d.impact.label().to_string()));
            b.fact("components", names(&d.components, components));
            b.fact("started", Some(iso(d.started_at)));
            b.fact("resolved", d.resolved_at.map(iso));
            b.body(&p.body);
            updates!(b, d, p);
            b.done()
        }
        Loaded::Postmortem(mut d) => {
            let (mut b, p) = cut!(d.meta, d.status == PostmortemStatus::Draft && audience != most);
            b.fact(PROGRESS, Some(d.status.label().to_string()));
            b.fact("published", d.published_at.map(iso));
            b.body(&p.body);
            b.done()
        }
        Loaded::Maintenance(mut d) => {
            let (mut b, p) = cut!(d.meta, false);
            b.fact(PROGRESS, Some(d.status.label().to_string()));
            b.fact("components", names(&d.components, components));
            b.fact("scheduled", Some(format!("{} to {}", iso(d.scheduled_for), iso(d.scheduled_until))));
            b.body(&p.body);
            updates!(b, d, p);
            b.done()
        }
        Loaded::Runbook(mut d) => {
            let (mut b, p) = cut!(d.meta, false);
            b.fact("owners", (!d.owners.is_empty()).then(|| d.owners.join(", ")));
            b.fact("components", names(&d.components, components));
            b.body(&p.body);
            b.done()
        }
        Loaded::Matrix(mut d) => {
            let (mut b, p) = cut!(d.meta, false);
            b.body(&p.body);
            for row in &d.rows {
                let mut line = format!("{}: {}", row.id, row.incident);
                for (label, value) in [
                    ("decides", row.responsible.clone()),
                    ("approvals", (!row.approvals.is_empty()).then(|| row.approvals.join(", "))),
                    ("respond within", row.respond_within.as_ref().map(|s| s.text.clone())),
                    ("disclose within", row.disclose_within.as_ref().map(|s| s.text.clone())),
                    ("notify", (!row.notify.is_empty()).then(|| row.notify.join(", "))),
                    ("runbooks", (!row.runbooks.is_empty()).then(|| row.runbooks.join(", "))),
                ] {
                    if let Some(v) = value {
                        line.push_str(&format!(" · {label} {v}"));
                    }
                }
                b.fact(&format!("row {}", row.id), Some(line));
            }
            b.done()
        }
        Loaded::Page(mut d) => {
            let (mut b, p) = cut!(d.meta, false);
            b.body(&p.body);
            b.done()
        }
    };
    Some(rendering)
}

/// What `audience` sees at `now` of the file at `rel` (below `content/`) with `bytes`.
pub fn render_bytes(
    rel: &str,
    bytes: Vec<u8>,
    config: &Config,
    audience: usize,
    now: Timestamp,
    components: &ComponentNames<'_>,
) -> Option<Rendering> {
    render(crate::load::document_at(rel, bytes, &config.audiences)?, config, audience, now, components)
}

/// The raw history a build reads: every commit that touched an input, the blobs of the
/// revisions not rendered before, the renderings kept from earlier builds, and the inputs
/// changed in the working tree.
pub struct GitInput<'a> {
    pub history: &'a git::History,
    pub blobs: &'a git::Blobs,
    pub kept: &'a super::renderings::Renderings,
    /// Inputs that differ from HEAD in the working tree, below the root.
    pub dirty: &'a [String],
    /// The bytes of dirty documents as they are now, by path below the root.
    pub current: &'a std::collections::HashMap<String, Vec<u8>>,
}

/// The blobs a build of `audience` at `now` must read: those of the documents' revisions whose
/// rendering was not kept.
pub fn wanted_blobs<'h>(
    history: &'h git::History,
    kept: &super::renderings::Renderings,
    audience: usize,
    now: Timestamp,
) -> Vec<&'h str> {
    let t = now.unix_timestamp();
    // Deleted files matter to the public build alone, whose disclosures list what it withdrew.
    let gone = history.gone.iter().filter(|_| audience == 0).map(|(path, revisions)| (path, revisions));
    let mut wanted: Vec<&str> = history
        .files
        .iter()
        .chain(gone)
        .filter_map(|(path, revisions)| Some((path.strip_prefix("content/")?, revisions)))
        .flat_map(|(rel, revisions)| revisions.iter().map(move |r| (rel, history.blob(*r))))
        .filter(|(_, blob)| blob.bytes().any(|b| b != b'0'))
        .filter(|(rel, blob)| !kept.has(&super::renderings::Renderings::key(blob, rel, audience), t))
        .map(|(_, blob)| blob)
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    wanted
}

/// The names of the components `audience` sees, by id, as `config` and the current components
/// file define them.
pub(super) fn component_names(site: &Site) -> impl Fn(&str) -> Option<String> + Sync + '_ {
    move |id: &str| site.components.iter().find(|c| c.id == id).map(|c| c.name.clone())
}

/// What `audience` sees at `now` of the document at `rel` in `blob` (`None` inside: nothing),
/// kept from an earlier build or rendered and kept; `None` when the blob could not be read.
pub(super) fn rendering_of(
    git: &GitInput<'_>,
    rel: &str,
    blob: &str,
    config: &Config,
    audience: usize,
    now: Timestamp,
    names: &ComponentNames<'_>,
) -> Option<Option<Rendering>> {
    let t = now.unix_timestamp();
    let key = super::renderings::Renderings::key(blob, rel, audience);
    if let Some(kept) = git.kept.get(&key, t) {
        return Some(kept);
    }
    let bytes = git.blobs.get(blob)?;
    let made = render_bytes(rel, bytes.clone(), config, audience, now, names);
    git.kept.put(key, Rendering::timed(bytes, audience), t, made.clone());
    Some(made)
}

/// Attaches to every document of `site` its history as the site's audience sees it: for the
/// most trusted audience every commit that touched the file; for the others only the commits
/// that changed what they see, evaluated at the site's `now` (so an embargo lifting is not a
/// revision), with no author and no message.
pub fn attach(site: &mut Site, config: &Config, git: &GitInput<'_>) {
    let audience = site.audience;
    let most = site.most_trusted;
    let public_repo = config.repo_public;
    let now = site.now;
    let histories: Vec<Option<DocHistory>> = {
        let names = component_names(site);
        site.docs
            .par_iter()
            .map(|doc| {
                let path = crate::diagnostics::display_path(&doc.source);
                let revisions = git.history.files.get(&path).map_or(&[][..], Vec::as_slice);
                let rel = doc.rel.as_str();
                let mut out: Vec<Revision> = Vec::new();
                let mut last: Option<Rendering> = None;
                let mut seen = |rendering: Rendering, commit: Option<&git::Commit>, out: &mut Vec<Revision>| {
                    let hash = rendering.sha256();
                    if !most && last.as_ref().is_some_and(|l| l.sha256() == hash) {
                        return;
                    }
                    let amends = !most && last.as_ref().is_some_and(|l| rendering.amends(l));
                    out.push(Revision {
                        commit: commit.map(|c| c.id.clone()),
                        time: commit.and_then(|c| Timestamp::from_unix_timestamp(c.time).ok()),
                        author: commit.filter(|_| most || public_repo).map(|c| c.author.clone()),
                        subject: commit.filter(|_| most).map(|c| c.subject.clone()),
                        sha256: hash,
                        text: rendering.text(),
                        amends,
                    });
                    last = Some(rendering);
                };
                for r in revisions {
                    let Some(rendering) = rendering_of(git, rel, git.history.blob(*r), config, audience, now, &names)
                    else {
                        continue;
                    };
                    if let Some(rendering) = rendering {
                        seen(rendering, Some(&git.history.commits[r.commit]), &mut out);
                    }
                }
                if git.dirty.contains(&path)
                    && let Some(bytes) = git.current.get(&path)
                    && let Some(rendering) = render_bytes(rel, bytes.clone(), config, audience, now, &names)
                {
                    seen(rendering, None, &mut out);
                }
                // Texts are shown on history pages (most trusted build) and amendment logs only.
                if !most && !out.iter().any(|r| r.amends) {
                    for r in &mut out {
                        r.text = String::new();
                    }
                }
                (!out.is_empty()).then_some(DocHistory { revisions: out })
            })
            .collect()
    };
    for (doc, history) in site.docs.iter_mut().zip(histories) {
        doc.history = history;
    }
    if site.is_public() {
        site.withdrawn = super::withdrawn::find(site, config, git);
    }
}

/// The newest commit of the first-parent line from `tip` that changed what `audience` sees, each
/// commit judged at its own time against its first parent: a change to any input that is not a
/// document (the configuration, templates, static files) counts; a document, or the components
/// file, counts when what the audience sees of it changed. So the audience sees of that
/// commit's inputs exactly what it sees of `tip`'s (`--rev` of it rebuilds the same site, even
/// across merges, whose branch commits are older than the merge), and a commit that only edits
/// hidden text is never the one a less trusted build is stamped with.
pub fn last_visible_change(sources: &Sources, audience: usize, repo: &git::Repo, tip: &str) -> Option<git::Commit> {
    /// Commits read from git at a time: the line is usually decided by its first commits.
    const BATCH: usize = 64;
    let mut skip = 0;
    loop {
        let line = repo.first_parent_line(tip, skip, BATCH).ok()?;
        let read = line.len();
        if let Some(found) = line.into_iter().find(|c| changes_what_it_sees(sources, audience, repo, c)) {
            return Some(found);
        }
        if read < BATCH {
            return None;
        }
        skip += read;
    }
}

/// Whether `commit` changed what `audience` sees (see [`last_visible_change`]).
fn changes_what_it_sees(sources: &Sources, audience: usize, repo: &git::Repo, commit: &git::Commit) -> bool {
    if audience >= sources.config.audiences.most_trusted() {
        return !commit.changes.is_empty();
    }
    let Ok(at) = Timestamp::from_unix_timestamp(commit.time) else { return true };
    let wanted: Vec<&str> = commit
        .changes
        .iter()
        .flat_map(|c| [c.old_blob.as_str(), c.blob.as_str()])
        .filter(|b| b.bytes().any(|x| x != b'0'))
        .collect();
    let blobs = repo.blobs(&wanted).unwrap_or_default();
    commit.changes.iter().any(|c| {
        let before = Version { path: c.old_path.as_deref().unwrap_or(&c.path), bytes: blobs.get(&c.old_blob) };
        let after = Version { path: &c.path, bytes: blobs.get(&c.blob) };
        changes_for(sources, audience, at, &before, &after)
    })
}

/// One version of an input: its path below the root, and its bytes (`None`: no file there).
struct Version<'a> {
    path: &'a str,
    bytes: Option<&'a Vec<u8>>,
}

/// Whether going from `before` to `after` changes what `audience` sees at `at`: a change to an
/// input that is not a document (the configuration, templates, static files) counts; a
/// document, or the components file, counts when what the audience sees of it changed; a
/// rename of a visible document moves its page, so it counts.
fn changes_for(sources: &Sources, audience: usize, at: Timestamp, before: &Version<'_>, after: &Version<'_>) -> bool {
    const COMPONENTS: &str = "content/components.yaml";
    let config = &sources.config;
    let names = |id: &str| {
        sources
            .components
            .components
            .iter()
            .find(|c| c.id == id && c.visibility.unwrap_or(config.component_default) <= audience)
            .map(|c| c.name.clone())
    };
    let seen = |v: &Version<'_>| -> Option<Rendering> {
        let rel = v.path.strip_prefix("content/")?;
        render_bytes(rel, v.bytes?.clone(), config, audience, at, &names)
    };
    // What the audience sees of the components file: its components and their groups.
    let components = |v: &Version<'_>| -> Vec<String> {
        let Some(bytes) = v.bytes else { return Vec::new() };
        let file = crate::load::components_at(bytes.clone(), config);
        file.components
            .iter()
            .filter(|c| c.visibility.unwrap_or(config.component_default) <= audience)
            .map(|c| {
                let group = c.group.as_deref().and_then(|g| file.groups.iter().find(|x| x.id == g));
                format!("{} {} {:?} {:?} {:?}", c.id, c.name, group.map(|g| &g.name), c.description, c.status)
            })
            .collect()
    };
    if before.path == COMPONENTS && after.path == COMPONENTS {
        return components(before) != components(after);
    }
    let document = |p: &str| p.strip_prefix("content/").is_some_and(|rel| rel != "components.yaml");
    if !document(before.path) || !document(after.path) {
        return true;
    }
    let (was, is) = (seen(before), seen(after));
    was != is || (before.path != after.path && is.is_some())
}

/// Whether the inputs changed in the working tree (`dirty`, below the root; `current` holds the
/// bytes of the changed documents that exist) change what `audience` sees at `at` against the commit built
/// from: an edit of hidden text only leaves a less trusted build clean, so it keeps the commit's
/// stamp and time, and its bytes.
pub fn dirty_for(
    sources: &Sources,
    audience: usize,
    repo: &git::Repo,
    history: &git::History,
    dirty: &[String],
    current: &std::collections::HashMap<String, Vec<u8>>,
    at: Timestamp,
) -> bool {
    if audience >= sources.config.audiences.most_trusted() {
        return !dirty.is_empty();
    }
    let committed: Vec<&str> =
        dirty.iter().filter_map(|p| history.files.get(p)?.last().map(|r| history.blob(*r))).collect();
    let Ok(blobs) = repo.blobs(&committed) else { return !dirty.is_empty() };
    dirty.iter().any(|path| {
        let at_tip = history.files.get(path).and_then(|r| r.last()).map(|r| history.blob(*r));
        // A committed file that cannot be read back is a change, to be safe.
        if at_tip.is_some_and(|b| !blobs.contains_key(b)) {
            return true;
        }
        // Configuration, templates and static files count whatever changed in them.
        if !path.starts_with("content/") {
            return true;
        }
        // A document missing from `current` is gone from the working tree.
        let now = current.get(path);
        let before = Version { path, bytes: at_tip.and_then(|b| blobs.get(b)) };
        let after = Version { path, bytes: now };
        changes_for(sources, audience, at, &before, &after)
    })
}

/// A warning for every runbook whose text changed after its `last_reviewed` date: the day of
/// the last commit that changed what the most trusted audience sees of it (a commit that only
/// moves `last_reviewed` changes nothing there, and the commit that added the file is no change).
pub fn review_warnings(
    sources: &Sources,
    history: &git::History,
    repo: &git::Repo,
) -> Vec<crate::diagnostics::Diagnostic> {
    let config = &sources.config;
    let paths: Vec<String> = sources
        .runbooks
        .iter()
        .filter(|rb| rb.last_reviewed.is_some())
        .map(|rb| crate::diagnostics::display_path(&rb.meta.source))
        .collect();
    let wanted: Vec<&str> = paths
        .iter()
        .filter_map(|p| history.files.get(p))
        .flat_map(|revisions| revisions.iter().map(|r| history.blob(*r)))
        .collect();
    let blobs = repo.blobs(&wanted).unwrap_or_default();
    let most = config.audiences.most_trusted();
    let names = |id: &str| sources.components.components.iter().find(|c| c.id == id).map(|c| c.name.clone());
    let mut out = Vec::new();
    for rb in &sources.runbooks {
        let Some(reviewed) = rb.last_reviewed else { continue };
        let path = crate::diagnostics::display_path(&rb.meta.source);
        let Some(revisions) = history.files.get(&path) else { continue };
        let mut last: Option<Rendering> = None;
        let mut changed: Option<&git::Commit> = None;
        for r in revisions {
            let commit = &history.commits[r.commit];
            let Ok(at) = Timestamp::from_unix_timestamp(commit.time) else { continue };
            let Some(bytes) = blobs.get(history.blob(*r)) else { continue };
            let Some(rendering) = render_bytes(&rb.meta.rel, bytes.clone(), config, most, at, &names) else { continue };
            // The commit that brought the file into git is no change after a review: a
            // knowledge base moved into git keeps the reviews done before.
            if last.as_ref().is_some_and(|l| *l != rendering) {
                changed = Some(commit);
            }
            if last.as_ref() != Some(&rendering) {
                last = Some(rendering);
            }
        }
        let Some(commit) = changed else { continue };
        let Ok(at) = Timestamp::from_unix_timestamp(commit.time) else { continue };
        let day = at.date();
        if day > reviewed {
            out.push(
                crate::diagnostics::Diagnostic::warning(
                    &rb.meta.source,
                    rb.meta.locations.value("last_reviewed"),
                    "changed-since-review",
                    format!(
                        "this runbook changed on {day} (commit {}: {}) after its last review on {reviewed}",
                        &commit.id[..commit.id.len().min(7)],
                        crate::text::terminal_safe(&commit.subject)
                    ),
                )
                .with_help("review the change (the internal build's history page shows it) and update `last_reviewed`"),
            );
        }
    }
    out
}

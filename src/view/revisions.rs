//! Views of documents' git history: the line under a page ("updated 3 days ago · abc1234"), the
//! history page of the most trusted build, the amendment log of the others, the diffs between
//! renderings, and the build stamp's source. All from `Doc::history`, which already holds only
//! what the audience sees.

use super::refs::{DocRef, doc_ref};
use super::time::{TimeView, time_view};
use crate::model::{Kind, Timestamp};
use crate::site::{Doc, DocHistory, ResolvedRunbook, Revision, Site};
use serde::Serialize;

/// Characters of a commit id shown on pages.
pub const SHORT: usize = 7;

pub fn short(commit: &str) -> String {
    commit.chars().take(SHORT).collect()
}

/// "3 days ago", relative to the build's now (past times only; the future reads "just now").
pub fn ago(t: Timestamp, now: Timestamp) -> String {
    let seconds = (now - t).whole_seconds();
    if seconds < 60 {
        return "just now".into();
    }
    let (n, unit) = match seconds {
        s if s < 3600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3600, "hour"),
        s if s < 86_400 * 60 => (s / 86_400, "day"),
        s if s < 86_400 * 730 => (s / (86_400 * 30), "month"),
        s => (s / (86_400 * 365), "year"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// One revision as pages show it.
#[derive(Serialize)]
pub struct RevisionView {
    /// Full commit id; `None` for uncommitted changes.
    commit: Option<String>,
    short: Option<String>,
    at: Option<TimeView>,
    ago: Option<String>,
    /// Most trusted build only (or a public repository: the author).
    author: Option<String>,
    subject: Option<String>,
    sha256: String,
    amends: bool,
    /// Its position, oldest first (1-based).
    number: usize,
}

fn revision_view(site: &Site, r: &Revision, number: usize) -> RevisionView {
    RevisionView {
        commit: r.commit.clone(),
        short: r.commit.as_deref().map(short),
        at: r.time.map(|t| time_view(&site.config.messages, t)),
        ago: r.time.map(|t| ago(t, site.now)),
        author: r.author.clone(),
        subject: r.subject.clone(),
        sha256: r.sha256.clone(),
        amends: r.amends,
        number,
    }
}

/// What the line under a document says of its history (`page.history`).
#[derive(Serialize)]
pub struct PageHistory {
    created: RevisionView,
    updated: RevisionView,
    /// How many revisions the audience sees.
    revisions: usize,
    /// Authors of the commits, most active first (most trusted build only).
    authors: Vec<String>,
    /// The history page (most trusted build), relative to the site root.
    history_path: Option<String>,
    /// The last amendment of published text, and the amendment log (other builds).
    amended: Option<RevisionView>,
    amendments_path: Option<String>,
    /// The working file has uncommitted changes.
    uncommitted: bool,
}

/// Kinds with a history page in the most trusted build.
fn has_history_page(kind: Kind) -> bool {
    matches!(kind, Kind::Incident | Kind::Postmortem | Kind::Runbook | Kind::Matrix)
}

/// Kinds whose public text is tracked for amendments.
fn has_amendments(kind: Kind) -> bool {
    matches!(kind, Kind::Incident | Kind::Postmortem)
}

/// The history page of `doc` in this build, if it has one.
pub fn history_page(site: &Site, doc: &Doc) -> Option<String> {
    (site.most_trusted && has_history_page(doc.kind) && doc.history.is_some()).then(|| format!("{}history/", doc.path))
}

/// The amendment log of `doc` in this build, if it has one.
pub fn amendment_page(site: &Site, doc: &Doc) -> Option<String> {
    let amended = doc.history.as_ref().is_some_and(|h| h.amended().is_some());
    (!site.most_trusted && has_amendments(doc.kind) && amended).then(|| format!("{}amendments/", doc.path))
}

fn authors(h: &DocHistory) -> Vec<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for a in h.revisions.iter().filter_map(|r| r.author.as_ref()) {
        match counts.iter_mut().find(|(n, _)| n == a) {
            Some((_, c)) => *c += 1,
            None => counts.push((a.clone(), 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts.into_iter().map(|(n, _)| n).collect()
}

pub fn page_history(site: &Site, doc: &Doc) -> Option<PageHistory> {
    let h = doc.history.as_ref()?;
    let n = h.revisions.len();
    Some(PageHistory {
        created: revision_view(site, h.created(), 1),
        updated: revision_view(site, h.changed(), n),
        revisions: n,
        authors: authors(h),
        history_path: history_page(site, doc),
        amended: h.amended().map(|r| {
            let i = h.revisions.iter().position(|x| std::ptr::eq(x, r)).unwrap_or(0);
            revision_view(site, r, i + 1)
        }),
        amendments_path: amendment_page(site, doc),
        uncommitted: h.changed().commit.is_none(),
    })
}

/// One line of a diff between two renderings.
#[derive(Serialize)]
pub struct DiffLine {
    /// `add`, `del`, `same`, or `gap` (unchanged lines left out).
    tag: &'static str,
    text: String,
}

/// Unchanged lines kept around each change.
const CONTEXT: usize = 3;

/// The lines of `new` against `old`, with `CONTEXT` unchanged lines around each change.
pub fn diff(old: &str, new: &str) -> Vec<DiffLine> {
    let d = similar::TextDiff::from_lines(old, new);
    let mut out = Vec::new();
    for (i, group) in d.grouped_ops(CONTEXT).iter().enumerate() {
        if i > 0 {
            out.push(DiffLine { tag: "gap", text: "…".into() });
        }
        for op in group {
            for change in d.iter_changes(op) {
                let tag = match change.tag() {
                    similar::ChangeTag::Delete => "del",
                    similar::ChangeTag::Insert => "add",
                    similar::ChangeTag::Equal => "same",
                };
                out.push(DiffLine { tag, text: change.value().trim_end_matches('\n').to_string() });
            }
        }
    }
    out
}

/// A revision on a history or amendment page, with its diff.
#[derive(Serialize)]
pub struct RevisionEntry {
    #[serde(flatten)]
    revision: RevisionView,
    /// History page: the diff to the current revision; amendment log: from the revision before.
    diff: Vec<DiffLine>,
    /// The whole text (the first revision of an amendment log).
    text: Option<String>,
}

/// The history page of a document: every revision newest first, each with its diff to the
/// current one.
#[derive(Serialize)]
pub struct HistoryPage {
    doc: DocRef,
    entries: Vec<RevisionEntry>,
    authors: Vec<String>,
}

pub fn history_view(site: &Site, doc: &Doc) -> Option<HistoryPage> {
    let h = doc.history.as_ref()?;
    let current = &h.changed().text;
    let entries = h
        .revisions
        .iter()
        .enumerate()
        .rev()
        .map(|(i, r)| RevisionEntry {
            revision: revision_view(site, r, i + 1),
            diff: diff(&r.text, current),
            text: None,
        })
        .collect();
    Some(HistoryPage { doc: doc_ref(doc), entries, authors: authors(h) })
}

/// The amendment log of a document: every revision the audience saw, oldest first, each with
/// what it changed.
#[derive(Serialize)]
pub struct AmendmentPage {
    doc: DocRef,
    entries: Vec<RevisionEntry>,
}

pub fn amendment_view(site: &Site, doc: &Doc) -> Option<AmendmentPage> {
    let h = doc.history.as_ref()?;
    let entries = h
        .revisions
        .iter()
        .enumerate()
        .map(|(i, r)| RevisionEntry {
            revision: revision_view(site, r, i + 1),
            diff: if i == 0 { Vec::new() } else { diff(&h.revisions[i - 1].text, &r.text) },
            text: (i == 0).then(|| r.text.clone()),
        })
        .collect();
    Some(AmendmentPage { doc: doc_ref(doc), entries })
}

/// What changed in a runbook since the last incident that used it (most trusted build).
#[derive(Serialize)]
pub struct ChangedSince {
    incident: DocRef,
    started_at: TimeView,
    /// The revision in force when the incident started.
    then: RevisionView,
    diff: Vec<DiffLine>,
}

pub fn changed_since_last_use(site: &Site, rb: &ResolvedRunbook) -> Option<ChangedSince> {
    let doc = site.doc(rb.doc);
    let h = doc.history.as_ref().filter(|_| site.most_trusted)?;
    let incident = site.incident_of(*rb.incidents.first()?);
    let i = h.revisions.iter().rposition(|r| r.time.is_some_and(|t| t <= incident.started_at))?;
    let then = &h.revisions[i];
    if then.text == h.changed().text {
        return None;
    }
    Some(ChangedSince {
        incident: doc_ref(site.doc(incident.doc)),
        started_at: time_view(&site.config.messages, incident.started_at),
        then: revision_view(site, then, i + 1),
        diff: diff(&then.text, &h.changed().text),
    })
}

/// The source of the build in the footer and `build.json`.
#[derive(Serialize)]
pub struct BuildSourceView {
    pub commit: Option<String>,
    pub short: Option<String>,
    pub time: Option<TimeView>,
    pub dirty: bool,
}

pub fn source_view(site: &Site) -> BuildSourceView {
    BuildSourceView {
        commit: site.stamp.commit.clone(),
        short: site.stamp.commit.as_deref().map(short),
        time: site.stamp.time.map(|t| time_view(&site.config.messages, t)),
        dirty: site.stamp.dirty,
    }
}

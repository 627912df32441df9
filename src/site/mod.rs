//! Stage 2, resolve: one immutable `Site` for one audience. The Site is the only thing later
//! stages see, and it is built so that a leak cannot be written downstream:
//! - it holds no front matter as written: every field is typed and already filtered, and no type
//!   of `crate::model` (the sources) appears in it;
//! - every text that can hold markdown is a [`Markdown`], which only the block cutter can make, so
//!   text that was not cut to the audience cannot be rendered or indexed;
//! - references (a runbook, a component, a matrix row) are indices into the Site's own lists, so
//!   a reference to something the audience may not see cannot be represented: it is dropped;
//! - ids, counts and orders are computed from what the audience sees, so hidden material changes
//!   nothing in a less trusted build.

mod blocks;
mod checks;
mod lifecycle;
mod links;
pub mod metrics;
mod notices;
pub mod patch;
pub mod renderings;
mod resolve;
pub mod revisions;
mod scan;
mod status;
mod times;
mod updates;
mod validate;
pub mod withdrawn;

pub use blocks::{Markdown, visible};
pub use lifecycle::{action_items_page, days_overdue, reminders, review_due};
pub use resolve::{resolve, resolve_with};

pub use scan::Heading;
pub use status::{Indicator, Phase, impact_status, shown_status, status_impact};
pub use validate::validate;

use crate::model::{
    ActionStatus, ChainPoint, ComponentStatus, Date, Impact, IncidentSeverity, IncidentStatus, Kind, MaintenanceStatus,
    PostmortemStatus, Precision, Precisions, Progress, ReferenceKind, Span, Timestamp, Unit,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Index of a document in `Site::docs`.
pub type DocId = usize;
/// Index of a component in `Site::components`.
pub type ComponentId = usize;

/// The plain page whose body introduces the status home instead of having a page of its own.
pub const HOME_INTRO: &str = "_index.md";

/// A decision-matrix row the audience sees: its matrix document and its index in that matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowRef {
    pub matrix: DocId,
    pub row: usize,
}

/// What every visible document has once resolved.
#[derive(Debug, Clone)]
pub struct Doc {
    pub kind: Kind,
    pub slug: String,
    /// Path of the source file relative to the site root.
    pub source: PathBuf,
    /// Path relative to `content/`, as links name it.
    pub rel: String,
    pub title: String,
    pub summary: Option<String>,
    /// The least trusted audience that may see the document (resolved from its section default).
    pub visibility: usize,
    pub embargo_until: Option<Timestamp>,
    /// Site path of the document's page, relative to the root (`incidents/x/`).
    pub path: String,
    /// The body as this audience may see it.
    pub body: Markdown,
    pub headings: Vec<Heading>,
    /// Link destinations as written (in the body and the visible updates) → site path of the
    /// target, with its `#anchor`.
    pub links: BTreeMap<String, String>,
    /// Documents whose visible text links here, sorted.
    pub backlinks: Vec<DocId>,
    /// Output paths of the redirects to this document (`aliases:`), e.g. `incidents/abc123/index.html`.
    pub aliases: Vec<String>,
    /// When git history is available: the revisions this audience sees (see [`DocHistory`]).
    pub history: Option<DocHistory>,
    /// The source's [`crate::model::Meta::front_hash`].
    pub front_hash: Option<u64>,
}

/// A document's history as one audience sees it.
///
/// Invariant: revisions are commits of the first-parent line (a merged branch's own commits
/// never were a state of the line built from). For every audience but the most trusted, a
/// revision is a commit that changed what that audience sees of the document (its
/// [`revisions::Rendering`]), judged when the revision stopped being current (the next
/// revision's time, at most the build's `now`); a commit that only touched hidden text is not
/// one, and no revision carries an author or a message.
#[derive(Debug, Clone)]
pub struct DocHistory {
    /// Oldest first; never empty.
    pub revisions: Vec<Revision>,
}

impl DocHistory {
    /// The first revision the audience saw.
    pub fn created(&self) -> &Revision {
        &self.revisions[0]
    }

    /// The last revision that changed what the audience sees.
    pub fn changed(&self) -> &Revision {
        &self.revisions[self.revisions.len() - 1]
    }

    /// The last revision that amended text published before (see [`revisions::Rendering::amends`]).
    pub fn amended(&self) -> Option<&Revision> {
        self.revisions.iter().rev().find(|r| r.amends)
    }
}

/// One revision of a document.
#[derive(Debug, Clone)]
pub struct Revision {
    /// The commit; `None` for uncommitted changes in the working tree.
    pub commit: Option<String>,
    /// The commit's time (committer); `None` when uncommitted.
    pub time: Option<Timestamp>,
    /// The author and subject of the commit: in the most trusted build only.
    pub author: Option<String>,
    pub subject: Option<String>,
    /// SHA-256 of `text`, lowercase hex.
    pub sha256: String,
    /// The canonical text of what the audience sees (see [`revisions::Rendering`]).
    pub text: String,
    /// It changed or removed text an earlier revision showed (never in the most trusted build).
    pub amends: bool,
}

/// Where the build came from, for the stamp: the commit that last changed what the audience
/// sees, and whether the inputs had uncommitted changes.
#[derive(Debug, Clone, Default)]
pub struct Stamp {
    pub commit: Option<String>,
    pub time: Option<Timestamp>,
    pub dirty: bool,
    /// Whether git history was read at all.
    pub history: bool,
}

impl Doc {
    /// Whether the document is rendered as a page of its own (the home intro is not).
    pub fn has_page(&self) -> bool {
        self.rel != HOME_INTRO
    }
}

/// A status update the audience sees, its text cut to the audience.
#[derive(Debug, Clone)]
pub struct Update<S> {
    /// Stable id: the same in every build that shows the update, whatever else is hidden.
    pub id: String,
    pub at: Timestamp,
    pub status: S,
    pub body: Markdown,
    /// The least trusted audience that may see it (never less than its document's).
    pub visibility: usize,
    pub embargo_until: Option<Timestamp>,
    pub at_precision: Precision,
    /// Chain position when it was written.
    pub point: ChainPoint,
    /// When the next update is promised.
    pub next_update: Option<Timestamp>,
    /// Where it was first posted, when the audience may see that.
    pub source: Option<Source>,
    /// Component states from this update on, of the components the audience sees.
    pub components: Vec<(ComponentId, ComponentStatus)>,
    pub progress: Option<Progress>,
    pub references: Vec<Reference>,
    /// Where `cairn notify` delivered it that a reader may see (see [`Notice`]), oldest first.
    pub notified: Vec<Notice>,
}

/// One delivery of `cairn notify` that a site shows: to a channel of the public audience with a
/// `public_label`, of something this build shows. Never a channel of another audience, so no
/// build shows what internal channels were sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub label: String,
    pub kind: crate::model::ChannelKind,
    pub at: Timestamp,
}

/// Where an update was first posted and by whom; the URL only when it is a web address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub channel: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
}

/// A reference the audience may see; `url` is a web address (given, or made from a CVE or GHSA id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub kind: ReferenceKind,
    pub title: Option<String>,
    pub id: Option<String>,
    pub url: Option<String>,
    pub credit: Option<String>,
    pub amount: Option<String>,
    pub visibility: usize,
}

/// What one incident recorded for one component: its state from each moment on, oldest first
/// (the first from `started_at` when the incident names it, then from each update that says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentImpact {
    pub component: ComponentId,
    pub segments: Vec<(Timestamp, ComponentStatus)>,
}

impl ComponentImpact {
    /// The worst state it recorded.
    pub fn worst(&self) -> ComponentStatus {
        self.segments.iter().map(|(_, s)| *s).max().unwrap_or(ComponentStatus::Operational)
    }

    /// The state it is in now (the last one recorded).
    pub fn current(&self) -> ComponentStatus {
        self.segments.last().map_or(ComponentStatus::Operational, |(_, s)| *s)
    }

    /// The state it was in just after `t` (operational before the first).
    pub fn at(&self, t: Timestamp) -> ComponentStatus {
        self.segments.iter().take_while(|(from, _)| *from <= t).last().map_or(ComponentStatus::Operational, |(_, s)| *s)
    }
}

#[derive(Debug, Clone)]
pub struct ResolvedComponent {
    pub id: String,
    pub name: String,
    /// Index into `Site::groups`.
    pub group: Option<usize>,
    pub description: Option<String>,
    pub status: ComponentStatus,
    /// Set by hand in components.yaml rather than derived.
    pub overridden: bool,
    /// Index into `SiteConfig::chains`: its own chain, else its group's.
    pub chain: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct ResolvedGroup {
    pub id: String,
    pub name: String,
    pub chain: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct ResolvedIncident {
    pub doc: DocId,
    /// The decision-matrix row of the incident's type, when the audience sees that matrix.
    pub row: Option<RowRef>,
    /// The internal severity, when the audience's vocabulary includes it.
    pub severity: Option<IncidentSeverity>,
    pub impact: Impact,
    pub components: Vec<ComponentId>,
    /// What it recorded for each component, in the order of `components`.
    pub impacts: Vec<ComponentImpact>,
    /// The chain its positions are on (index into `SiteConfig::chains`).
    pub chain: Option<usize>,
    pub started_at: Timestamp,
    pub detected_at: Option<Timestamp>,
    pub acknowledged_at: Option<Timestamp>,
    pub contained_at: Option<Timestamp>,
    pub fix_deployed_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub halted_at: ChainPoint,
    pub resumed_at: ChainPoint,
    /// Entered after the fact: it may have no updates.
    pub backfilled: bool,
    pub postmortem_url: Option<String>,
    pub references: Vec<Reference>,
    pub precision: Precisions,
    /// Oldest first; post-resolution notes (if any) last.
    pub updates: Vec<Update<IncidentStatus>>,
    pub status: IncidentStatus,
    pub is_open: bool,
    pub runbooks: Vec<DocId>,
    pub postmortem: Option<DocId>,
}

#[derive(Debug, Clone)]
pub struct ActionItem {
    pub title: String,
    pub owner: Option<String>,
    pub due: Option<Date>,
    pub status: ActionStatus,
    pub runbook: Option<DocId>,
}

#[derive(Debug, Clone)]
pub struct ResolvedPostmortem {
    pub doc: DocId,
    pub status: PostmortemStatus,
    pub authors: Vec<String>,
    pub reviewers: Vec<String>,
    pub published_at: Option<Timestamp>,
    pub incidents: Vec<DocId>,
    pub action_items: Vec<ActionItem>,
    pub external_url: Option<String>,
    pub references: Vec<Reference>,
    pub precision: Precisions,
}

#[derive(Debug, Clone)]
pub struct ResolvedRunbook {
    pub doc: DocId,
    pub incident_types: Vec<RowRef>,
    pub components: Vec<ComponentId>,
    pub owners: Vec<String>,
    pub last_reviewed: Option<Date>,
    pub review_every: Option<Span>,
    /// Incidents naming this runbook, newest first.
    pub incidents: Vec<DocId>,
}

#[derive(Debug, Clone)]
pub struct ResolvedRow {
    pub id: String,
    /// The incident type in words.
    pub label: String,
    pub severity: Option<IncidentSeverity>,
    pub responsible: Option<String>,
    pub approvals: Vec<String>,
    pub respond_within: Option<Span>,
    pub disclose_within: Option<Span>,
    pub notify: Vec<String>,
    pub runbooks: Vec<DocId>,
    /// Incidents of this type, newest first.
    pub incidents: Vec<DocId>,
}

#[derive(Debug, Clone)]
pub struct ResolvedMatrix {
    pub doc: DocId,
    pub rows: Vec<ResolvedRow>,
}

#[derive(Debug, Clone)]
pub struct ResolvedMaintenance {
    pub doc: DocId,
    pub components: Vec<ComponentId>,
    pub scheduled_for: Timestamp,
    pub scheduled_until: Timestamp,
    pub status: MaintenanceStatus,
    /// The planned halt, and where the chain resumed.
    pub halt: ChainPoint,
    pub resumed_at: ChainPoint,
    pub chain: Option<usize>,
    /// When it actually started and ended.
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub precision: Precisions,
    pub references: Vec<Reference>,
    /// Oldest first.
    pub updates: Vec<Update<MaintenanceStatus>>,
    pub phase: Phase,
    /// Where its announcement was delivered (see [`Notice`]).
    pub notified: Vec<Notice>,
}

#[derive(Debug, Clone)]
pub struct ResolvedPage {
    pub doc: DocId,
    pub weight: Option<i64>,
}

/// A chain the site reports on.
#[derive(Debug, Clone)]
pub struct ChainInfo {
    pub id: String,
    pub name: String,
    pub block_time: Option<String>,
    explorer_url: Option<String>,
    explorers: BTreeMap<Unit, String>,
    units: BTreeMap<Unit, String>,
}

impl ChainInfo {
    /// The explorer address of `number` in `unit`, when the chain has a template for it.
    pub fn url(&self, unit: Unit, number: u64) -> Option<String> {
        let placeholder = format!("{{{}}}", unit.as_str());
        let template = self.explorers.get(&unit).or(self.explorer_url.as_ref().filter(|u| u.contains(&placeholder)))?;
        Some(template.replace(&placeholder, &number.to_string()))
    }

    /// The chain's own word for `unit`, when `cairn.yaml` gives one (`units:`).
    pub fn own_unit_name(&self, unit: Unit) -> Option<&str> {
        self.units.get(&unit).map(String::as_str)
    }

    /// The chain's word for `unit`, in English when `cairn.yaml` gives none.
    pub fn unit_name(&self, unit: Unit) -> String {
        self.units.get(&unit).cloned().unwrap_or_else(|| unit.label().to_string())
    }
}

/// What of `cairn.yaml` the outputs may use: the site's own settings, no repository rules.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub title: String,
    pub description: Option<String>,
    pub base_url: String,
    /// The chains, the default (cairn.yaml's `chain:`, else the first of `chains:`) first.
    pub chains: Vec<ChainInfo>,
    /// The words this audience reads for each impact.
    pub impact_labels: BTreeMap<Impact, String>,
    /// The source repository; absent from the public build (it may be private).
    pub repo_url: Option<String>,
    /// The branch its links open.
    pub repo_branch: String,
    pub theme: String,
    /// The messages of the site's language: every word the theme and the view models show.
    pub messages: std::sync::Arc<crate::i18n::Messages>,
    pub history_days: u32,
    pub raw_html: bool,
    pub public_metrics: bool,
    /// Names of the audiences up to and including this build's, least trusted first.
    pub audiences: Vec<String>,
    /// Where `theme:` is written in cairn.yaml, for an unknown theme.
    pub theme_pos: crate::diagnostics::Pos,
}

/// The fully resolved site of one audience.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: SiteConfig,
    pub audience: usize,
    /// Whether this is the most trusted audience's build (which alone lists action items).
    pub most_trusted: bool,
    pub now: Timestamp,
    pub docs: Vec<Doc>,
    /// Groups with at least one visible component, in file order.
    pub groups: Vec<ResolvedGroup>,
    pub components: Vec<ResolvedComponent>,
    /// Newest first.
    pub incidents: Vec<ResolvedIncident>,
    pub postmortems: Vec<ResolvedPostmortem>,
    pub runbooks: Vec<ResolvedRunbook>,
    pub matrices: Vec<ResolvedMatrix>,
    /// By `scheduled_for`, earliest first.
    pub maintenance: Vec<ResolvedMaintenance>,
    pub pages: Vec<ResolvedPage>,
    /// The body of `content/_index.md`, shown on the home page.
    pub home_intro: Option<DocId>,
    pub overall: Indicator,
    /// Where the build came from.
    pub stamp: Stamp,
    /// Documents the public once saw and sees no more (public build with history only).
    pub withdrawn: Vec<withdrawn::Withdrawn>,
    /// Whether `cairn.yaml` says the repository is public (its URL and authors may be shown).
    pub repo_public: bool,
    /// For each document, its index in the resolved list of its kind (`incidents`, `runbooks`, …).
    slots: Vec<usize>,
}

impl Site {
    pub fn audience_name(&self) -> &str {
        &self.config.audiences[self.audience]
    }

    /// The name of an audience this build may mention (its own or a less trusted one).
    pub fn audience_label(&self, rank: usize) -> &str {
        &self.config.audiences[rank.min(self.audience)]
    }

    pub fn is_public(&self) -> bool {
        self.audience == 0
    }

    pub fn doc(&self, id: DocId) -> &Doc {
        &self.docs[id]
    }

    pub fn component(&self, id: ComponentId) -> &ResolvedComponent {
        &self.components[id]
    }

    pub fn row(&self, r: RowRef) -> &ResolvedRow {
        &self.matrices[self.slot(r.matrix)].rows[r.row]
    }

    /// Index of document `id` in the resolved list of its kind.
    pub fn slot(&self, id: DocId) -> usize {
        self.slots[id]
    }

    pub fn incident_of(&self, id: DocId) -> &ResolvedIncident {
        &self.incidents[self.slot(id)]
    }

    /// Number of pages per kind, for the build summary.
    pub fn count(&self, kind: Kind) -> usize {
        self.docs.iter().filter(|d| d.kind == kind && d.has_page()).count()
    }

    /// The chain at `index`, else the default chain.
    pub fn chain(&self, index: Option<usize>) -> Option<&ChainInfo> {
        index.map_or(self.config.chains.first(), |i| self.config.chains.get(i))
    }

    /// The words for `impact` in this build.
    pub fn impact_label(&self, impact: Impact) -> String {
        self.config
            .impact_labels
            .get(&impact)
            .cloned()
            .unwrap_or_else(|| self.config.messages.text(impact.message_key()))
    }
}

/// The output file of the redirect an alias (`aliases:`) asks for: `/incidents/abc123` and
/// `incidents/abc123/` become `incidents/abc123/index.html`, `/2024/outage.html` stays a file.
/// `None` for an alias that is not a plain path below the site root (empty, `..`, a scheme, a
/// query, characters other than ASCII letters, digits and `-_.~`).
pub fn alias_output(alias: &str) -> Option<String> {
    let path = alias.trim().strip_prefix('/').unwrap_or(alias.trim());
    let (dir, file) = match path.strip_suffix('/') {
        Some(dir) => (dir, None),
        None => match path.rsplit_once('/') {
            Some((dir, last)) if last.ends_with(".html") || last.ends_with(".htm") => (dir, Some(last)),
            None if path.ends_with(".html") || path.ends_with(".htm") => ("", Some(path)),
            _ => (path, None),
        },
    };
    let plain = |part: &str| {
        // No `.`, `..` nor hidden names (`.cairn/`, `.well-known/`): an alias is a page's old address.
        !part.is_empty()
            && !part.starts_with('.')
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
    };
    let parts: Vec<&str> = if dir.is_empty() { Vec::new() } else { dir.split('/').collect() };
    if !parts.iter().all(|p| plain(p)) || file.is_some_and(|f| !plain(f)) || (parts.is_empty() && file.is_none()) {
        return None;
    }
    let mut out = parts.join("/");
    if !out.is_empty() {
        out.push('/');
    }
    out.push_str(file.unwrap_or("index.html"));
    Some(out)
}

/// Site path of a document's page: `<kind>/<slug>/` for documents of a section; for plain pages
/// the path below `content/`, each folder and the file name made into a slug (transliterated to
/// ASCII). `None` when a name leaves nothing to make a URL of.
pub fn permalink(kind: Kind, rel: &str, slug: &str) -> Option<String> {
    if kind != Kind::Page {
        return crate::text::is_slug(slug).then(|| format!("{}/{slug}/", kind.as_str()));
    }
    if rel == HOME_INTRO {
        return Some(String::new());
    }
    let stem = rel.strip_suffix(".md").unwrap_or(rel);
    let stem = stem.strip_suffix("/_index").or_else(|| stem.strip_suffix("/index")).unwrap_or(stem);
    let stem = if stem == "index" { "" } else { stem };
    let mut parts = Vec::new();
    for part in stem.split('/').filter(|p| !p.is_empty()) {
        let slug = crate::text::slugify(&deunicode::deunicode(part));
        if slug.is_empty() {
            return None;
        }
        parts.push(slug);
    }
    Some(if parts.is_empty() { String::new() } else { format!("{}/", parts.join("/")) })
}

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
mod lifecycle;
mod links;
pub mod metrics;
mod resolve;
mod scan;
mod status;
mod validate;

pub use blocks::{Markdown, visible};
pub use lifecycle::{action_items_page, days_overdue, reminders, review_due};
pub use resolve::resolve;
pub use scan::Heading;
pub use status::{Indicator, Phase, impact_status};
pub use validate::validate;

use crate::model::{
    ActionStatus, ComponentStatus, Date, Impact, IncidentSeverity, IncidentStatus, Kind, MaintenanceStatus,
    PostmortemStatus, Span, Timestamp,
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
    pub height: Option<u64>,
    /// When the next update is promised.
    pub next_update: Option<Timestamp>,
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
}

#[derive(Debug, Clone)]
pub struct ResolvedGroup {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct ResolvedIncident {
    pub doc: DocId,
    /// The decision-matrix row of the incident's type, when the audience sees that matrix.
    pub row: Option<RowRef>,
    pub severity: IncidentSeverity,
    pub impact: Impact,
    pub components: Vec<ComponentId>,
    pub started_at: Timestamp,
    pub detected_at: Option<Timestamp>,
    pub acknowledged_at: Option<Timestamp>,
    pub contained_at: Option<Timestamp>,
    pub fix_deployed_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub halted_at_height: Option<u64>,
    /// Oldest first.
    pub updates: Vec<Update<IncidentStatus>>,
    pub status: IncidentStatus,
    pub is_open: bool,
    pub runbooks: Vec<DocId>,
    pub postmortem: Option<DocId>,
}

#[derive(Debug, Clone)]
pub struct ActionItem {
    pub title: String,
    pub owner: String,
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
    pub halt_height: Option<u64>,
    /// Oldest first.
    pub updates: Vec<Update<MaintenanceStatus>>,
    pub phase: Phase,
}

#[derive(Debug, Clone)]
pub struct ResolvedPage {
    pub doc: DocId,
    pub weight: Option<i64>,
}

/// The chain the site reports on.
#[derive(Debug, Clone)]
pub struct ChainInfo {
    pub name: String,
    pub block_time: Option<String>,
    explorer_url: Option<String>,
}

/// What of `cairn.yaml` the outputs may use: the site's own settings, no repository rules.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub title: String,
    pub description: Option<String>,
    pub base_url: String,
    pub chain: Option<ChainInfo>,
    /// The source repository; absent from the public build (it may be private).
    pub repo_url: Option<String>,
    pub theme: String,
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

    pub fn height_url(&self, height: u64) -> Option<String> {
        let chain = self.config.chain.as_ref()?;
        chain.explorer_url.as_ref().map(|u| u.replace("{height}", &height.to_string()))
    }
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

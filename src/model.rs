//! The content model as users write it: every document kind, typed, with the source positions
//! that diagnostics point at. Produced by `load`, read by `site`; nothing here is audience-aware.

use crate::diagnostics::Pos;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub type Timestamp = time::OffsetDateTime;
pub type Date = time::Date;

/// Declares a closed set of kebab/snake-case names: parsing, printing, listing and a label.
macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every accepted spelling, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Human wording for pages, in English (the terminal's; pages use [`Self::message_key`]).
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The key of its wording in the theme's message files (`label.Kind.incidents`).
            pub fn message_key(self) -> &'static str {
                match self { $($name::$variant => concat!("label.", stringify!($name), ".", $text)),+ }
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

mod disclosure;
mod notify;
pub use disclosure::*;
pub use notify::*;

named_enum!(
    /// The kinds of document a repo holds, one folder of `content/` each (pages anywhere else).
    Kind {
        Incident = "incidents" / "Incident",
        Postmortem = "postmortems" / "Post-mortem",
        Runbook = "runbooks" / "Runbook",
        Matrix = "matrices" / "Decision matrix",
        Maintenance = "maintenance" / "Maintenance",
        Page = "pages" / "Page",
    }
);

impl Kind {
    pub const ALL: [Kind; 6] =
        [Kind::Incident, Kind::Postmortem, Kind::Runbook, Kind::Matrix, Kind::Maintenance, Kind::Page];

    /// Singular, machine-friendly name (`incident`, `postmortem`, …) used in templates and JSON.
    pub fn singular(self) -> &'static str {
        match self {
            Kind::Incident => "incident",
            Kind::Postmortem => "postmortem",
            Kind::Runbook => "runbook",
            Kind::Matrix => "matrix",
            Kind::Maintenance => "maintenance",
            Kind::Page => "page",
        }
    }
}

named_enum!(
    /// Internal severity scale of an incident.
    IncidentSeverity { Sev1 = "sev1" / "SEV 1", Sev2 = "sev2" / "SEV 2", Sev3 = "sev3" / "SEV 3", Sev4 = "sev4" / "SEV 4" }
);

named_enum!(
    /// Public impact scale of an incident (as in the Statuspage API).
    Impact { None = "none" / "No impact", Minor = "minor" / "Minor", Major = "major" / "Major", Critical = "critical" / "Critical" }
);

named_enum!(
    /// Status of an incident from a given update on.
    IncidentStatus {
        Investigating = "investigating" / "Investigating",
        Identified = "identified" / "Identified",
        Monitoring = "monitoring" / "Monitoring",
        Resolved = "resolved" / "Resolved",
        Postmortem = "postmortem" / "Post-mortem",
        Note = "note" / "Note",
    }
);

impl IncidentStatus {
    /// Whether an update of this status is a post-resolution note: it comes after the
    /// `resolved` update and leaves the incident resolved (`postmortem`: the root-cause report
    /// is out, as Statuspage calls it; `note`: any other word after the fact).
    pub fn is_note(self) -> bool {
        matches!(self, IncidentStatus::Postmortem | IncidentStatus::Note)
    }
}

named_enum!(
    /// Status of a maintenance window.
    MaintenanceStatus {
        Scheduled = "scheduled" / "Scheduled",
        InProgress = "in_progress" / "In progress",
        Verifying = "verifying" / "Verifying",
        Completed = "completed" / "Completed",
    }
);

named_enum!(
    /// Status of a component, ordered from best to worst.
    ComponentStatus {
        Operational = "operational" / "Operational",
        UnderMaintenance = "under_maintenance" / "Under maintenance",
        DegradedPerformance = "degraded_performance" / "Degraded performance",
        PartialOutage = "partial_outage" / "Partial outage",
        MajorOutage = "major_outage" / "Major outage",
    }
);

named_enum!(
    /// Review lifecycle of a post-mortem.
    PostmortemStatus { Draft = "draft" / "Draft", InReview = "in-review" / "In review", Published = "published" / "Published" }
);

named_enum!(
    /// State of a post-mortem action item.
    ActionStatus { Open = "open" / "Open", Done = "done" / "Done", Wontfix = "wontfix" / "Won't fix" }
);

/// Where a YAML key and its value start, so later stages can point at them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loc {
    pub key: Pos,
    pub value: Pos,
}

/// Positions of every key and sequence item of one YAML document, by dotted path
/// (`updates.2.at`, `components.1`), already shifted to lines of the file.
#[derive(Debug, Clone, Default)]
pub struct Locations(pub BTreeMap<String, Loc>);

impl Locations {
    /// Position of the key at `path`, or of its nearest located parent.
    pub fn key(&self, path: &str) -> Pos {
        self.find(path).map(|l| l.key).unwrap_or(Pos::START)
    }

    /// Position of the value at `path`, or of its nearest located parent.
    pub fn value(&self, path: &str) -> Pos {
        self.find(path).map(|l| l.value).unwrap_or(Pos::START)
    }

    fn find(&self, path: &str) -> Option<&Loc> {
        let mut p = path;
        loop {
            if let Some(loc) = self.0.get(p) {
                return Some(loc);
            }
            p = &p[..p.rfind('.')?];
        }
    }
}

/// A span of time written as `90d`, `36h`, `15m` or `30s`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub seconds: i64,
    pub text: String,
}

/// Audiences from least to most trusted; a visibility is an index into this list.
#[derive(Debug, Clone)]
pub struct Audiences(pub Vec<String>);

impl Audiences {
    pub fn rank(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|a| a == name)
    }

    pub fn name(&self, rank: usize) -> &str {
        &self.0[rank]
    }

    pub fn most_trusted(&self) -> usize {
        self.0.len() - 1
    }
}

/// What the public sees of each incident beyond its impact (`vocabulary:` in cairn.yaml):
/// internal scales and slugs stay with the audiences that use them.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// The least trusted audience shown an incident's severity (`sev1`…); by default the
    /// second, so the public (and a site with one audience) sees the impact only.
    pub severity: usize,
    /// The least trusted audience shown an incident's type (its decision-matrix row); same default.
    pub incident_type: usize,
    /// The public's words for each impact, by impact.
    pub impact_labels: BTreeMap<Impact, String>,
}

/// `cairn.yaml`.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: Option<String>,
    pub base_url: String,
    pub audiences: Audiences,
    /// The networks reported on: `chain:` first (the default chain), then `chains:`.
    pub chains: Vec<Chain>,
    pub audience_urls: BTreeMap<String, String>,
    pub repo_url: Option<String>,
    /// `repository: public`: the repository may be named in every build (its URL, the authors
    /// of commits); otherwise only builds for audiences above the least trusted show them.
    pub repo_public: bool,
    /// `repo_branch:` the branch the "edit this page" and history links open (`main`).
    pub repo_branch: String,
    pub theme: String,
    /// `language:` (default `en`), and its messages loaded from the theme (never from content).
    pub language: String,
    pub messages: std::sync::Arc<crate::i18n::Messages>,
    /// Default visibility (audience rank) per document kind, and for components.
    pub defaults: BTreeMap<Kind, usize>,
    pub component_default: usize,
    pub history_days: u32,
    pub required_sections: Vec<String>,
    /// Other headings that count as a required section (`postmortems.section_aliases`), by
    /// section.
    pub section_aliases: BTreeMap<String, Vec<String>>,
    pub vocabulary: Vocabulary,
    /// Pass raw HTML in markdown through instead of escaping it (trusted repos only).
    pub raw_html: bool,
    /// Whether the public build has a metrics page (of public incidents only); `metrics.public`.
    pub public_metrics: bool,
    /// Where each key of `cairn.yaml` is, for problems found later (an unknown theme).
    pub locations: Locations,
    /// `notify.channels`: where `cairn notify` sends status updates.
    pub channels: Vec<Channel>,
}

impl Config {
    pub const DEFAULT_SECTIONS: [&'static str; 6] =
        ["Summary", "Impact", "Timeline", "Root cause", "Resolution", "Action items"];

    /// A configuration with every default, for a repo without `cairn.yaml` problems to report.
    pub fn fallback() -> Config {
        let audiences = Audiences(vec!["public".into(), "internal".into()]);
        let most = audiences.most_trusted();
        let mut defaults: BTreeMap<Kind, usize> = Kind::ALL.iter().map(|k| (*k, most)).collect();
        defaults.insert(Kind::Page, 0);
        Config {
            title: "Status".into(),
            description: None,
            base_url: "http://localhost".into(),
            vocabulary: Vocabulary { severity: 1, incident_type: 1, impact_labels: BTreeMap::new() },
            audiences,
            chains: Vec::new(),
            audience_urls: BTreeMap::new(),
            repo_url: None,
            repo_public: false,
            repo_branch: "main".into(),
            theme: "default".into(),
            language: "en".into(),
            messages: crate::i18n::Messages::english(),
            defaults,
            component_default: most,
            history_days: 90,
            required_sections: Config::DEFAULT_SECTIONS.iter().map(|s| s.to_string()).collect(),
            section_aliases: BTreeMap::new(),
            raw_html: false,
            public_metrics: true,
            locations: Locations::default(),
            channels: Vec::new(),
        }
    }
}

/// What every document has, whatever its kind.
#[derive(Debug, Clone)]
pub struct Meta {
    pub kind: Kind,
    /// File stem: the document's id within its kind.
    pub slug: String,
    /// Path relative to the site root, e.g. `content/runbooks/safe-mode.md`.
    pub source: PathBuf,
    /// Path relative to `content/` with `/` separators, the form links use (`runbooks/safe-mode.md`).
    pub rel: String,
    pub title: String,
    pub summary: Option<String>,
    /// Explicit visibility (audience rank); `None` takes the section default.
    pub visibility: Option<usize>,
    pub embargo_until: Option<Timestamp>,
    /// Old addresses of the document (`aliases:`), as written; each gets a redirect.
    pub aliases: Vec<String>,
    /// Markdown body (or a matrix's description).
    pub body: String,
    /// 1-based file line on which `body` starts.
    pub body_line: usize,
    /// Columns to add to positions inside `body` (a matrix description sits indented in YAML).
    pub body_column: usize,
    /// XXH3 of the file's bytes before `body` (the front matter and its fences); `None` when the
    /// body is not the rest of the file (a matrix's description). Two versions of a file with
    /// the same front matter load the same but for `body`: the dev server's quick pass relies
    /// on it.
    pub front_hash: Option<u64>,
    pub locations: Locations,
}

impl Meta {
    /// Where `body` starts in the file.
    pub fn body_origin(&self) -> TextOrigin {
        TextOrigin::Lines { line: self.body_line, column: self.body_column }
    }
}

/// Where a piece of markdown starts in its file, so that positions inside it can be reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOrigin {
    /// Line `n` (0-based) of the text is file line `line + n`; columns shift by `column`.
    Lines { line: usize, column: usize },
    /// The text does not map line by line onto the file (a quoted or folded YAML scalar): every
    /// position inside it is reported at the start of the value.
    At(Pos),
}

impl TextOrigin {
    /// File position of the character at 0-based `line` and 0-based character `column` of the text.
    pub fn pos(self, line: usize, column: usize) -> Pos {
        match self {
            TextOrigin::Lines { line: first, column: shift } => Pos::new(first + line, column + 1 + shift),
            TextOrigin::At(pos) => pos,
        }
    }
}

/// One status update of an incident or a maintenance window.
#[derive(Debug, Clone)]
pub struct StatusUpdate<S> {
    /// Explicit stable id (`id:`); without one, the id is made from `at`.
    pub id: Option<String>,
    pub at: Timestamp,
    pub at_precision: Precision,
    pub status: S,
    pub body: String,
    /// Where `body` starts in the file.
    pub body_origin: TextOrigin,
    pub visibility: Option<usize>,
    pub embargo_until: Option<Timestamp>,
    /// Chain position when it was written (`height`, `slot`, `epoch`).
    pub point: ChainPoint,
    pub source: Provenance,
    /// Component states from this update on (`components: { id: status }`), in file order.
    pub components: Vec<(String, ComponentStatus)>,
    pub progress: Option<Progress>,
    pub references: Vec<Reference>,
    /// When the next update is promised (`next_update:`), shown beside this update while it is
    /// the latest.
    pub next_update: Option<Timestamp>,
    /// Index in the `updates` list, for locating it.
    pub index: usize,
}

impl<S> StatusUpdate<S> {
    /// The update's stable id: its explicit `id`, else its time as `YYYYMMDD-HHMM` (with the
    /// seconds appended when they are not zero). It depends on nothing but the update itself, so
    /// it is the same in every audience's build and does not move when other updates are added,
    /// hidden or removed.
    pub fn uid(&self) -> String {
        match &self.id {
            Some(id) => id.clone(),
            None => time_id(self.at),
        }
    }
}

/// The id of an update without an explicit `id`: its time as `YYYYMMDD-HHMM`, with the seconds
/// appended when they are not zero.
pub fn time_id(at: Timestamp) -> String {
    let t = at.to_offset(time::UtcOffset::UTC);
    let mut id = format!("{:04}{:02}{:02}-{:02}{:02}", t.year(), t.month() as u8, t.day(), t.hour(), t.minute());
    if t.second() != 0 {
        id.push_str(&format!("{:02}", t.second()));
    }
    id
}

#[derive(Debug, Clone)]
pub struct Incident {
    pub meta: Meta,
    pub incident_type: Option<String>,
    pub severity: IncidentSeverity,
    pub impact: Impact,
    pub components: Vec<String>,
    /// Component states given at the incident level (`components: { id: status }`); the
    /// others listed take the state its impact implies.
    pub component_states: BTreeMap<String, ComponentStatus>,
    /// The chain its heights, slots and epochs are on (`chain:`), when it says.
    pub chain: Option<String>,
    pub started_at: Timestamp,
    pub detected_at: Option<Timestamp>,
    pub acknowledged_at: Option<Timestamp>,
    pub contained_at: Option<Timestamp>,
    pub fix_deployed_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub runbooks: Vec<String>,
    pub postmortem: Option<String>,
    /// Where the chain halted (`halted_at_height`, `halted_at_slot`, `halted_at_epoch`).
    pub halted_at: ChainPoint,
    /// Where it resumed (`resumed_at_height`, …).
    pub resumed_at: ChainPoint,
    /// A post-mortem published elsewhere (`postmortem_url`).
    pub postmortem_url: Option<String>,
    pub references: Vec<Reference>,
    /// Times known only approximately or to the day.
    pub precision: Precisions,
    /// Entered after the fact (`backfilled: true`): it may have no updates, and is over.
    pub backfilled: bool,
    pub updates: Vec<StatusUpdate<IncidentStatus>>,
}

#[derive(Debug, Clone)]
pub struct ActionItem {
    pub title: String,
    /// `None` while nobody owns it yet (a warning).
    pub owner: Option<String>,
    pub due: Option<Date>,
    pub status: ActionStatus,
    pub runbook: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Postmortem {
    pub meta: Meta,
    pub incidents: Vec<String>,
    pub status: PostmortemStatus,
    pub authors: Vec<String>,
    pub reviewers: Vec<String>,
    pub published_at: Option<Timestamp>,
    pub action_items: Vec<ActionItem>,
    /// The report as published elsewhere (`external_url`): its sections are not checked.
    pub external_url: Option<String>,
    /// This post-mortem's own required sections (`required_sections:`), instead of cairn.yaml's.
    pub required_sections: Option<Vec<String>>,
    pub references: Vec<Reference>,
    pub precision: Precisions,
}

#[derive(Debug, Clone)]
pub struct Runbook {
    pub meta: Meta,
    pub incident_types: Vec<String>,
    pub components: Vec<String>,
    pub owners: Vec<String>,
    pub last_reviewed: Option<Date>,
    pub review_every: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct MatrixRow {
    pub id: String,
    pub incident: String,
    pub severity: Option<IncidentSeverity>,
    pub responsible: Option<String>,
    pub approvals: Vec<String>,
    pub respond_within: Option<Span>,
    pub disclose_within: Option<Span>,
    pub notify: Vec<String>,
    pub runbooks: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Matrix {
    pub meta: Meta,
    pub rows: Vec<MatrixRow>,
}

#[derive(Debug, Clone)]
pub struct Maintenance {
    pub meta: Meta,
    pub components: Vec<String>,
    pub scheduled_for: Timestamp,
    pub scheduled_until: Timestamp,
    pub status: MaintenanceStatus,
    /// The planned halt (`halt_height`, `halt_slot`, `halt_epoch`).
    pub halt: ChainPoint,
    /// Where the chain resumed (`resumed_at_height`, …).
    pub resumed_at: ChainPoint,
    pub chain: Option<String>,
    /// When the window actually started and ended (`started_at`, `ended_at`).
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub precision: Precisions,
    pub references: Vec<Reference>,
    pub updates: Vec<StatusUpdate<MaintenanceStatus>>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub meta: Meta,
    /// Position in the navigation; pages without one stay out of it.
    pub weight: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct ComponentGroup {
    pub id: String,
    pub name: String,
    /// The chain its components are on.
    pub chain: Option<String>,
    pub index: usize,
}

#[derive(Debug, Clone)]
pub struct Component {
    pub id: String,
    pub name: String,
    pub group: Option<String>,
    /// The chain it is on, when not its group's.
    pub chain: Option<String>,
    pub description: Option<String>,
    pub visibility: Option<usize>,
    /// Manual override of the derived status.
    pub status: Option<ComponentStatus>,
    pub index: usize,
}

/// `content/components.yaml`.
#[derive(Debug, Clone, Default)]
pub struct Components {
    pub source: PathBuf,
    pub groups: Vec<ComponentGroup>,
    pub components: Vec<Component>,
    pub locations: Locations,
}

/// Everything loaded from one repo, as written.
#[derive(Debug, Clone)]
pub struct Sources {
    pub root: PathBuf,
    pub config: Config,
    pub components: Components,
    pub incidents: Vec<Incident>,
    pub postmortems: Vec<Postmortem>,
    pub runbooks: Vec<Runbook>,
    pub matrices: Vec<Matrix>,
    pub maintenance: Vec<Maintenance>,
    pub pages: Vec<Page>,
    /// Documents whose files exist but could not be loaded (their problems are reported): they
    /// still count as existing (kind, slug, path below content/), so references to them do not pile up follow-on errors.
    pub unloaded: Vec<(Kind, String, String)>,
    /// What `cairn notify` recorded as sent ([`NOTIFY_STATE`]); empty without the file.
    pub notified: NotifyState,
}

impl Sources {
    /// Every document's common part, in a stable order (kind, then source path).
    pub fn metas(&self) -> impl Iterator<Item = &Meta> {
        self.incidents
            .iter()
            .map(|d| &d.meta)
            .chain(self.postmortems.iter().map(|d| &d.meta))
            .chain(self.runbooks.iter().map(|d| &d.meta))
            .chain(self.matrices.iter().map(|d| &d.meta))
            .chain(self.maintenance.iter().map(|d| &d.meta))
            .chain(self.pages.iter().map(|d| &d.meta))
    }
}

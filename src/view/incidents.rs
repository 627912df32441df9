//! Incidents and maintenance windows as templates see them: summaries for listings and cards,
//! details for their own pages.

use super::refs::*;
use super::time::*;
use crate::model::{Impact, IncidentSeverity, IncidentStatus, MaintenanceStatus, Timestamp};
use crate::site::{ResolvedIncident, ResolvedMaintenance, Site};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct IncidentSummary {
    pub slug: String,
    pub title: String,
    pub path: String,
    /// The internal severity, when this audience's vocabulary includes it.
    pub severity: Option<IncidentSeverity>,
    pub impact: Impact,
    /// The impact in this site's words (`vocabulary.impact` of cairn.yaml).
    pub impact_label: String,
    pub status: IncidentStatus,
    pub status_label: String,
    pub is_open: bool,
    pub started_at: TimeView,
    pub resolved_at: Option<TimeView>,
    pub duration: Option<String>,
    /// The components it names, each with the impact this incident recorded for it.
    pub components: Vec<ComponentRef>,
    pub latest: Option<UpdateView>,
    /// How long before the build the latest update was posted ("40 min ago").
    pub latest_ago: Option<String>,
    /// While open: when the latest update promises the next one, how far that is from the build
    /// ("in 1 h", "20 min ago"), and whether it was already past at build time.
    pub next_update: Option<TimeView>,
    pub next_update_in: Option<String>,
    pub next_update_overdue: bool,
    pub restricted: bool,
    pub visibility: String,
    /// Entered after the fact.
    pub backfilled: bool,
}

/// An incident's summary on a page at `root`, and whether it depends on `root` (only when its
/// latest update links to another page: listings that show an incident on many pages reuse it
/// otherwise). `latest` is the latest update's view when the caller already made it.
pub fn incident_summary(
    site: &Site,
    inc: &ResolvedIncident,
    root: &str,
    latest: Option<UpdateView>,
) -> (IncidentSummary, bool) {
    let doc = site.doc(inc.doc);
    let (latest, rooted) = match latest {
        Some(view) => (Some(view), false),
        None => match inc.updates.last().map(|u| update_view(site, doc, inc.chain, u, root)) {
            Some((view, rooted)) => (Some(view), rooted),
            None => (None, false),
        },
    };
    let last = inc.updates.last();
    let next = last.and_then(|u| u.next_update).filter(|_| inc.is_open);
    let summary = IncidentSummary {
        slug: doc.slug.clone(),
        title: doc.title.clone(),
        path: doc.path.clone(),
        severity: inc.severity,
        impact: inc.impact,
        impact_label: site.impact_label(inc.impact),
        status: inc.status,
        status_label: site.config.messages.text(inc.status.message_key()),
        is_open: inc.is_open,
        started_at: time_view_p(&site.config.messages, inc.started_at, inc.precision.of("started_at")),
        resolved_at: inc.resolved_at.map(|t| time_view_p(&site.config.messages, t, inc.precision.of("resolved_at"))),
        duration: inc.resolved_at.map(|r| human_duration(&site.config.messages, (r - inc.started_at).whole_seconds())),
        components: incident_impacts(site, &inc.impacts),
        latest,
        latest_ago: last.map(|u| relative(&site.config.messages, u.at, site.now)),
        next_update: next.map(|t| time_view(&site.config.messages, t)),
        next_update_in: next.map(|t| relative(&site.config.messages, t, site.now)),
        next_update_overdue: next.is_some_and(|t| t < site.now),
        restricted: doc.visibility > 0,
        visibility: site.audience_label(doc.visibility).to_string(),
        backfilled: inc.backfilled,
    };
    (summary, rooted)
}

/// The summaries of `incidents` on a page at `root`.
pub fn incident_summaries<'a>(
    site: &Site,
    incidents: impl Iterator<Item = &'a ResolvedIncident>,
    root: &str,
) -> Vec<IncidentSummary> {
    incidents.map(|i| incident_summary(site, i, root, None).0).collect()
}

#[derive(Serialize)]
pub struct MatrixRowRef {
    matrix_title: String,
    path: String,
    label: String,
    responsible: Option<String>,
    approvals: Vec<String>,
    notify: Vec<String>,
    respond_within: Option<String>,
    disclose_within: Option<String>,
}

/// Whether the first public update came within the matrix row's `disclose_within`.
#[derive(Serialize)]
pub struct DisclosureView {
    verdict: &'static str,
    /// "Deadline met", "Deadline missed", …: for tight spaces such as matrix cells.
    short: String,
    label: String,
    deadline: TimeView,
    first_public: Option<TimeView>,
}

pub fn disclosure_view(site: &Site, inc: &ResolvedIncident) -> Option<DisclosureView> {
    use crate::site::metrics::Verdict;
    let d = crate::site::metrics::disclosure(site, inc)?;
    let m = &site.config.messages;
    let gap = |t: Timestamp| human_duration(&site.config.messages, (t - d.deadline).whole_seconds().saturating_abs());
    let label = match (d.verdict, d.first_public) {
        (Verdict::Met, Some(t)) => m.format("disclosure.met", None, &[("gap", &gap(t))]),
        (Verdict::Missed, Some(t)) => m.format("disclosure.missed", None, &[("gap", &gap(t))]),
        (Verdict::Overdue, _) => m.format("disclosure.overdue", None, &[("gap", &gap(site.now))]),
        (Verdict::Pending, _) => m.format("disclosure.pending", None, &[("gap", &gap(site.now))]),
        _ => m.text("disclosure.not_disclosed"),
    };
    let short = m.text(match d.verdict {
        Verdict::Met => "disclosure.short.met",
        Verdict::Missed => "disclosure.short.missed",
        Verdict::Overdue => "disclosure.short.overdue",
        Verdict::Pending => "disclosure.short.pending",
        Verdict::NotPublic => "disclosure.short.not_public",
    });
    Some(DisclosureView {
        verdict: d.verdict.as_str(),
        short,
        label,
        deadline: time_view(&site.config.messages, d.deadline),
        first_public: d.first_public.map(|t| time_view(&site.config.messages, t)),
    })
}

pub fn span_text(s: &Option<crate::model::Span>) -> Option<String> {
    s.as_ref().map(|s| s.text.clone())
}

#[derive(Serialize)]
pub struct IncidentDetail {
    #[serde(flatten)]
    summary: IncidentSummary,
    #[serde(rename = "type")]
    incident_type: Option<String>,
    updates: Vec<UpdateView>,
    detected_at: Option<TimeView>,
    acknowledged_at: Option<TimeView>,
    contained_at: Option<TimeView>,
    fix_deployed_at: Option<TimeView>,
    halted_at_height: Option<u64>,
    halted_at_height_url: Option<String>,
    /// Where the chain halted and resumed, in every unit given.
    halted_at: Vec<PointView>,
    resumed_at: Vec<PointView>,
    /// The chain those positions are on.
    chain: Option<ChainRef>,
    postmortem: Option<DocRef>,
    /// A post-mortem published elsewhere.
    postmortem_url: Option<String>,
    references: Vec<ReferenceView>,
    /// The latest coordination figure of its updates.
    progress: Option<ProgressView>,
    runbooks: Vec<DocRef>,
    matrix_row: Option<MatrixRowRef>,
    disclosure: Option<DisclosureView>,
}

pub fn incident_detail(site: &Site, inc: &ResolvedIncident, root: &str) -> IncidentDetail {
    let doc = site.doc(inc.doc);
    let matrix_row = inc.row.map(|r| {
        let row = site.row(r);
        let matrix = site.doc(r.matrix);
        MatrixRowRef {
            matrix_title: matrix.title.clone(),
            path: format!("{}#{}", matrix.path, row.id),
            label: row.label.clone(),
            responsible: row.responsible.clone(),
            approvals: row.approvals.clone(),
            notify: row.notify.clone(),
            respond_within: span_text(&row.respond_within),
            disclose_within: span_text(&row.disclose_within),
        }
    });
    // Newest first: the first is the summary's latest update.
    let updates = update_views(site, doc, inc.chain, &inc.updates, root);
    let halted_at = point_views(site, inc.chain, &inc.halted_at);
    let t = |key: &str, v: Option<Timestamp>| v.map(|v| time_view_p(&site.config.messages, v, inc.precision.of(key)));
    IncidentDetail {
        summary: incident_summary(site, inc, root, updates.first().cloned()).0,
        incident_type: inc.row.map(|r| site.row(r).id.clone()),
        updates,
        detected_at: t("detected_at", inc.detected_at),
        acknowledged_at: t("acknowledged_at", inc.acknowledged_at),
        contained_at: t("contained_at", inc.contained_at),
        fix_deployed_at: t("fix_deployed_at", inc.fix_deployed_at),
        halted_at_height: inc.halted_at.height,
        halted_at_height_url: halted_at.iter().find(|p| p.unit == "height").and_then(|p| p.url.clone()),
        resumed_at: point_views(site, inc.chain, &inc.resumed_at),
        halted_at,
        chain: (!inc.halted_at.is_empty()
            || !inc.resumed_at.is_empty()
            || inc.updates.iter().any(|u| !u.point.is_empty()))
        .then(|| chain_ref(site, inc.chain))
        .flatten(),
        postmortem: inc.postmortem.map(|id| doc_ref(site.doc(id))),
        postmortem_url: inc.postmortem_url.clone(),
        references: reference_views(&site.config.messages, &inc.references),
        progress: inc
            .updates
            .iter()
            .rev()
            .find_map(|u| u.progress.as_ref())
            .map(|p| progress_view(&site.config.messages, p)),
        runbooks: doc_refs(site, &inc.runbooks),
        matrix_row,
        disclosure: disclosure_view(site, inc),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MaintenanceSummary {
    pub slug: String,
    pub title: String,
    pub path: String,
    pub status: MaintenanceStatus,
    pub status_label: String,
    pub scheduled_for: TimeView,
    pub scheduled_until: TimeView,
    /// `scheduled_for` is the estimated time of the halt (the window has not recorded when it
    /// actually started).
    pub estimated: bool,
    pub halt_height: Option<u64>,
    pub halt_height_url: Option<String>,
    /// The planned halt in every unit given, and where the chain resumed.
    pub halt: Vec<PointView>,
    pub resumed_at: Vec<PointView>,
    pub chain: Option<ChainRef>,
    /// When it actually started and ended, once recorded.
    pub started_at: Option<TimeView>,
    pub ended_at: Option<TimeView>,
    /// The components it names, recorded as under maintenance for the window.
    pub components: Vec<ComponentRef>,
    /// How far the start is from the build ("in 7 d", "3 d ago").
    pub starts_in: String,
    pub restricted: bool,
    pub visibility: String,
}

pub fn maintenance_summary(site: &Site, m: &ResolvedMaintenance) -> MaintenanceSummary {
    let doc = site.doc(m.doc);
    let halt = point_views(site, m.chain, &m.halt);
    MaintenanceSummary {
        slug: doc.slug.clone(),
        title: doc.title.clone(),
        path: doc.path.clone(),
        status: m.status,
        status_label: site.config.messages.text(m.status.message_key()),
        scheduled_for: time_view(&site.config.messages, m.scheduled_for),
        scheduled_until: time_view(&site.config.messages, m.scheduled_until),
        estimated: !m.halt.is_empty() && m.started_at.is_none(),
        halt_height: m.halt.height,
        halt_height_url: halt.iter().find(|p| p.unit == "height").and_then(|p| p.url.clone()),
        resumed_at: point_views(site, m.chain, &m.resumed_at),
        chain: (!m.halt.is_empty() || !m.resumed_at.is_empty()).then(|| chain_ref(site, m.chain)).flatten(),
        halt,
        started_at: m.started_at.map(|t| time_view_p(&site.config.messages, t, m.precision.of("started_at"))),
        ended_at: m.ended_at.map(|t| time_view_p(&site.config.messages, t, m.precision.of("ended_at"))),
        components: component_impacts(site, &m.components, crate::model::ComponentStatus::UnderMaintenance),
        starts_in: relative(&site.config.messages, m.scheduled_for, site.now),
        restricted: doc.visibility > 0,
        visibility: site.audience_label(doc.visibility).to_string(),
    }
}

/// The windows in `phase`, as summaries.
pub fn maintenance_in(site: &Site, phase: crate::site::Phase) -> Vec<MaintenanceSummary> {
    site.maintenance.iter().filter(|m| m.phase == phase).map(|m| maintenance_summary(site, m)).collect()
}

#[derive(Serialize)]
pub struct MaintenanceDetail {
    #[serde(flatten)]
    summary: MaintenanceSummary,
    updates: Vec<UpdateView>,
    references: Vec<ReferenceView>,
    /// The latest coordination figure of its updates.
    progress: Option<ProgressView>,
}

pub fn maintenance_detail(site: &Site, m: &ResolvedMaintenance, root: &str) -> MaintenanceDetail {
    MaintenanceDetail {
        summary: maintenance_summary(site, m),
        updates: update_views(site, site.doc(m.doc), m.chain, &m.updates, root),
        references: reference_views(&site.config.messages, &m.references),
        progress: m
            .updates
            .iter()
            .rev()
            .find_map(|u| u.progress.as_ref())
            .map(|p| progress_view(&site.config.messages, p)),
    }
}

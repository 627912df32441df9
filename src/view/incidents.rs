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
    pub severity: IncidentSeverity,
    pub impact: Impact,
    pub impact_label: &'static str,
    pub status: IncidentStatus,
    pub status_label: &'static str,
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
        None => match inc.updates.last().map(|u| update_view(site, doc, u, root)) {
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
        impact_label: inc.impact.label(),
        status: inc.status,
        status_label: inc.status.label(),
        is_open: inc.is_open,
        started_at: time_view(inc.started_at),
        resolved_at: inc.resolved_at.map(time_view),
        duration: inc.resolved_at.map(|r| human_duration((r - inc.started_at).whole_seconds())),
        components: component_impacts(site, &inc.components, crate::site::impact_status(inc.impact)),
        latest,
        latest_ago: last.map(|u| relative(u.at, site.now)),
        next_update: next.map(time_view),
        next_update_in: next.map(|t| relative(t, site.now)),
        next_update_overdue: next.is_some_and(|t| t < site.now),
        restricted: doc.visibility > 0,
        visibility: site.audience_label(doc.visibility).to_string(),
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
    short: &'static str,
    label: String,
    deadline: TimeView,
    first_public: Option<TimeView>,
}

pub fn disclosure_view(site: &Site, inc: &ResolvedIncident) -> Option<DisclosureView> {
    use crate::site::metrics::Verdict;
    let d = crate::site::metrics::disclosure(site, inc)?;
    let gap = |t: Timestamp| human_duration((t - d.deadline).whole_seconds().saturating_abs());
    let label = match (d.verdict, d.first_public) {
        (Verdict::Met, Some(t)) => format!("Met: first public update {} before the deadline", gap(t)),
        (Verdict::Missed, Some(t)) => format!("Missed by {}", gap(t)),
        (Verdict::Overdue, _) => format!("Overdue by {}: no public update yet", gap(site.now)),
        (Verdict::Pending, _) => format!("Pending: {} left", gap(site.now)),
        _ => "Not publicly disclosed".to_string(),
    };
    let short = match d.verdict {
        Verdict::Met => "Deadline met",
        Verdict::Missed => "Deadline missed",
        Verdict::Overdue => "Disclosure overdue",
        Verdict::Pending => "Disclosure pending",
        Verdict::NotPublic => "Not public",
    };
    Some(DisclosureView {
        verdict: d.verdict.as_str(),
        short,
        label,
        deadline: time_view(d.deadline),
        first_public: d.first_public.map(time_view),
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
    postmortem: Option<DocRef>,
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
    let updates = update_views(site, doc, &inc.updates, root);
    IncidentDetail {
        summary: incident_summary(site, inc, root, updates.first().cloned()).0,
        incident_type: inc.row.map(|r| site.row(r).id.clone()),
        updates,
        detected_at: inc.detected_at.map(time_view),
        acknowledged_at: inc.acknowledged_at.map(time_view),
        contained_at: inc.contained_at.map(time_view),
        fix_deployed_at: inc.fix_deployed_at.map(time_view),
        halted_at_height: inc.halted_at_height,
        halted_at_height_url: inc.halted_at_height.and_then(|h| site.height_url(h)),
        postmortem: inc.postmortem.map(|id| doc_ref(site.doc(id))),
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
    pub status_label: &'static str,
    pub scheduled_for: TimeView,
    pub scheduled_until: TimeView,
    pub estimated: bool,
    pub halt_height: Option<u64>,
    pub halt_height_url: Option<String>,
    /// The components it names, recorded as under maintenance for the window.
    pub components: Vec<ComponentRef>,
    /// How far the start is from the build ("in 7 d", "3 d ago").
    pub starts_in: String,
    pub restricted: bool,
    pub visibility: String,
}

pub fn maintenance_summary(site: &Site, m: &ResolvedMaintenance) -> MaintenanceSummary {
    let doc = site.doc(m.doc);
    MaintenanceSummary {
        slug: doc.slug.clone(),
        title: doc.title.clone(),
        path: doc.path.clone(),
        status: m.status,
        status_label: m.status.label(),
        scheduled_for: time_view(m.scheduled_for),
        scheduled_until: time_view(m.scheduled_until),
        estimated: m.halt_height.is_some(),
        halt_height: m.halt_height,
        halt_height_url: m.halt_height.and_then(|h| site.height_url(h)),
        components: component_impacts(site, &m.components, crate::model::ComponentStatus::UnderMaintenance),
        starts_in: relative(m.scheduled_for, site.now),
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
}

pub fn maintenance_detail(site: &Site, m: &ResolvedMaintenance, root: &str) -> MaintenanceDetail {
    MaintenanceDetail {
        summary: maintenance_summary(site, m),
        updates: update_views(site, site.doc(m.doc), &m.updates, root),
    }
}

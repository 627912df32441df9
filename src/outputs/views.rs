//! The per-kind view models of document pages and listings (see `themes/default` for their use).

use crate::model::*;
use crate::render::context::*;
use crate::site::{ResolvedIncident, ResolvedMaintenance, ResolvedMatrix, ResolvedPostmortem, ResolvedRunbook, Site};
use serde::Serialize;

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

/// Whether the first public update came within the matrix row's `disclose_within`.
#[derive(Serialize)]
struct DisclosureView {
    verdict: &'static str,
    /// "Deadline met", "Deadline missed", …: for tight spaces such as matrix cells.
    short: &'static str,
    label: String,
    deadline: TimeView,
    first_public: Option<TimeView>,
}

fn disclosure_view(site: &Site, inc: &ResolvedIncident) -> Option<DisclosureView> {
    use crate::site::metrics::Verdict;
    let d = crate::site::metrics::disclosure(site, inc)?;
    let gap = |t: Timestamp| human_duration((t - d.deadline).whole_seconds().abs());
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

fn span_text(s: &Option<Span>) -> Option<String> {
    s.as_ref().map(|s| s.text.clone())
}

pub fn incident_detail(site: &Site, inc: &ResolvedIncident, root: &str) -> IncidentDetail {
    let s = &inc.source;
    let doc = site.doc(inc.doc);
    let matrix_row = inc.matrix_row.map(|(mdoc, index)| {
        let m = site.matrices.iter().find(|m| m.doc == mdoc).expect("matrix row of a resolved matrix");
        let row = &m.rows[index].row;
        MatrixRowRef {
            matrix_title: site.doc(mdoc).title.clone(),
            path: format!("{}#{}", site.doc(mdoc).path, row.id),
            label: row.incident.clone(),
            responsible: row.responsible.clone(),
            approvals: row.approvals.clone(),
            notify: row.notify.clone(),
            respond_within: span_text(&row.respond_within),
            disclose_within: span_text(&row.disclose_within),
        }
    });
    // Newest first: the first is the summary's latest update.
    let updates = update_views(site, doc, &s.updates, root);
    IncidentDetail {
        summary: incident_summary_with(site, inc, updates.first().cloned()),
        incident_type: s.incident_type.clone(),
        updates,
        detected_at: s.detected_at.map(time_view),
        acknowledged_at: s.acknowledged_at.map(time_view),
        contained_at: s.contained_at.map(time_view),
        fix_deployed_at: s.fix_deployed_at.map(time_view),
        halted_at_height: s.halted_at_height,
        halted_at_height_url: s.halted_at_height.and_then(|h| site.height_url(h)),
        postmortem: inc.postmortem.map(|id| doc_ref(site.doc(id))),
        runbooks: doc_refs(site, &inc.runbooks),
        matrix_row,
        disclosure: disclosure_view(site, inc),
    }
}

#[derive(Serialize)]
struct ActionItemView {
    title: String,
    owner: String,
    due: Option<TimeView>,
    status: ActionStatus,
    status_label: &'static str,
    runbook: Option<DocRef>,
}

#[derive(Serialize)]
pub struct PostmortemDetail {
    status: PostmortemStatus,
    status_label: &'static str,
    authors: Vec<String>,
    reviewers: Vec<String>,
    published_at: Option<TimeView>,
    incidents: Vec<IncidentSummary>,
    action_items: Vec<ActionItemView>,
}

pub fn postmortem_detail(site: &Site, pm: &ResolvedPostmortem, root: &str) -> PostmortemDetail {
    let s = &pm.source;
    PostmortemDetail {
        status: s.status,
        status_label: s.status.label(),
        authors: s.authors.clone(),
        reviewers: s.reviewers.clone(),
        published_at: s.published_at.map(time_view),
        incidents: site
            .incidents
            .iter()
            .filter(|i| pm.incidents.contains(&i.doc))
            .map(|i| incident_summary(site, i, root))
            .collect(),
        action_items: s
            .action_items
            .iter()
            .zip(&pm.action_runbooks)
            .map(|(a, rb)| ActionItemView {
                title: a.title.clone(),
                owner: a.owner.clone(),
                due: a.due.map(date_view),
                status: a.status,
                status_label: a.status.label(),
                runbook: rb.map(|id| doc_ref(site.doc(id))),
            })
            .collect(),
    }
}

#[derive(Serialize)]
pub struct IncidentTypeView {
    pub id: String,
    pub label: String,
    path: Option<String>,
}

fn incident_types(site: &Site, ids: &[String]) -> Vec<IncidentTypeView> {
    ids.iter()
        .map(|id| {
            let found = site
                .matrices
                .iter()
                .find_map(|m| m.rows.iter().find(|r| &r.row.id == id).map(|r| (m.doc, r.row.incident.clone())));
            IncidentTypeView {
                id: id.clone(),
                label: found.as_ref().map_or_else(|| id.clone(), |(_, l)| l.clone()),
                path: found.map(|(doc, _)| format!("{}#{id}", site.doc(doc).path)),
            }
        })
        .collect()
}

#[derive(Serialize)]
pub struct RunbookDetail {
    summary: Option<String>,
    owners: Vec<String>,
    last_reviewed: Option<TimeView>,
    review_every: Option<String>,
    incident_types: Vec<IncidentTypeView>,
    components: Vec<ComponentRef>,
    review_due: Option<TimeView>,
    overdue_days: Option<i64>,
    print_path: String,
    related_incidents: Vec<UsedIn>,
}

/// An incident that named a runbook, with how long it took to contain.
#[derive(Serialize)]
struct UsedIn {
    #[serde(flatten)]
    incident: IncidentSummary,
    time_to_contain: Option<String>,
}

pub fn runbook_detail(site: &Site, rb: &ResolvedRunbook, root: &str) -> RunbookDetail {
    let s = &rb.source;
    RunbookDetail {
        summary: s.meta.summary.clone(),
        owners: s.owners.clone(),
        last_reviewed: s.last_reviewed.map(date_view),
        review_every: span_text(&s.review_every),
        incident_types: incident_types(site, &s.incident_types),
        components: s.components.iter().filter_map(|c| component_ref(site, c)).collect(),
        review_due: crate::site::review_due(s).map(date_view),
        overdue_days: crate::site::review_due(s).and_then(|d| crate::site::days_overdue(d, site.now)),
        print_path: format!("{}print/", site.doc(rb.doc).path),
        related_incidents: site
            .incidents
            .iter()
            .filter(|i| rb.incidents.contains(&i.doc))
            .map(|i| UsedIn {
                incident: incident_summary(site, i, root),
                time_to_contain: crate::site::metrics::measures(i)[2].map(human_duration),
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct RowView {
    id: String,
    anchor: String,
    incident: String,
    severity: Option<IncidentSeverity>,
    responsible: Option<String>,
    approvals: Vec<String>,
    respond_within: Option<String>,
    disclose_within: Option<String>,
    notify: Vec<String>,
    runbooks: Vec<DocRef>,
    incidents: Vec<RowIncident>,
}

/// An incident of a matrix row's type, with how it fared against the row's disclosure deadline.
#[derive(Serialize)]
struct RowIncident {
    #[serde(flatten)]
    doc: DocRef,
    disclosure: Option<DisclosureView>,
}

#[derive(Serialize)]
pub struct MatrixDetail {
    title: String,
    description_html: Option<String>,
    rows: Vec<RowView>,
}

pub fn matrix_detail(site: &Site, m: &ResolvedMatrix, root: &str) -> MatrixDetail {
    let doc = site.doc(m.doc);
    let description_html = (!doc.body.trim().is_empty()).then(|| {
        crate::render::markdown::render(
            &doc.body,
            &crate::render::markdown::MarkdownOptions { links: &doc.links, root, raw_html: site.config.raw_html },
        )
        .html
    });
    MatrixDetail {
        title: doc.title.clone(),
        description_html,
        rows: m
            .rows
            .iter()
            .map(|r| RowView {
                id: r.row.id.clone(),
                anchor: r.row.id.clone(),
                incident: r.row.incident.clone(),
                severity: r.row.severity,
                responsible: r.row.responsible.clone(),
                approvals: r.row.approvals.clone(),
                respond_within: span_text(&r.row.respond_within),
                disclose_within: span_text(&r.row.disclose_within),
                notify: r.row.notify.clone(),
                runbooks: doc_refs(site, &r.runbooks),
                incidents: r
                    .incidents
                    .iter()
                    .map(|id| RowIncident {
                        doc: doc_ref(site.doc(*id)),
                        disclosure: site.incidents.iter().find(|i| i.doc == *id).and_then(|i| disclosure_view(site, i)),
                    })
                    .collect(),
            })
            .collect(),
    }
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
        updates: update_views(site, site.doc(m.doc), &m.source.updates, root),
    }
}

#[derive(Serialize)]
pub struct PostmortemListItem {
    title: String,
    path: String,
    status: PostmortemStatus,
    status_label: &'static str,
    published_at: Option<TimeView>,
    incidents: Vec<DocRef>,
    summary: Option<String>,
    reviewers: Vec<String>,
}

pub fn postmortem_list(site: &Site) -> Vec<PostmortemListItem> {
    let mut list: Vec<(Option<Timestamp>, PostmortemListItem)> = site
        .postmortems
        .iter()
        .map(|pm| {
            let doc = site.doc(pm.doc);
            (
                pm.source.published_at,
                PostmortemListItem {
                    title: doc.title.clone(),
                    path: doc.path.clone(),
                    status: pm.source.status,
                    status_label: pm.source.status.label(),
                    published_at: pm.source.published_at.map(time_view),
                    incidents: doc_refs(site, &pm.incidents),
                    summary: doc.summary.clone(),
                    reviewers: pm.source.reviewers.clone(),
                },
            )
        })
        .collect();
    list.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.path.cmp(&b.1.path)));
    list.into_iter().map(|(_, item)| item).collect()
}

#[derive(Serialize)]
pub struct RunbookListItem {
    pub title: String,
    path: String,
    summary: Option<String>,
    pub owners: Vec<String>,
    pub components: Vec<ComponentRef>,
    last_reviewed: Option<TimeView>,
    pub incident_types: Vec<IncidentTypeView>,
    review_due: Option<TimeView>,
    pub overdue_days: Option<i64>,
    /// Sort key of the review order: the due date, runbooks without one last.
    #[serde(skip)]
    pub due: Option<Date>,
}

pub fn runbook_list(site: &Site) -> Vec<RunbookListItem> {
    let mut list: Vec<RunbookListItem> = site
        .runbooks
        .iter()
        .map(|rb| {
            let doc = site.doc(rb.doc);
            RunbookListItem {
                title: doc.title.clone(),
                path: doc.path.clone(),
                summary: doc.summary.clone(),
                owners: rb.source.owners.clone(),
                components: rb.source.components.iter().filter_map(|c| component_ref(site, c)).collect(),
                last_reviewed: rb.source.last_reviewed.map(date_view),
                incident_types: incident_types(site, &rb.source.incident_types),
                review_due: crate::site::review_due(&rb.source).map(date_view),
                overdue_days: crate::site::review_due(&rb.source).and_then(|d| crate::site::days_overdue(d, site.now)),
                due: crate::site::review_due(&rb.source),
            }
        })
        .collect();
    list.sort_by(|a, b| a.title.cmp(&b.title));
    list
}

#[derive(Serialize)]
pub struct MatrixListItem {
    title: String,
    path: String,
    row_count: usize,
}

pub fn matrix_list(site: &Site) -> Vec<MatrixListItem> {
    site.matrices
        .iter()
        .map(|m| {
            let doc = site.doc(m.doc);
            MatrixListItem { title: doc.title.clone(), path: doc.path.clone(), row_count: m.rows.len() }
        })
        .collect()
}

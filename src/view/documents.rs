//! The views of document pages and section listings: the common page view every document has,
//! and what post-mortems, runbooks and matrices add, with their listings.

use super::incidents::*;
use super::refs::*;
use super::time::*;
use crate::model::{ActionStatus, Date, IncidentSeverity, PostmortemStatus, Timestamp};
use crate::render::markdown::TocEntry;
use crate::site::{Doc, ResolvedMatrix, ResolvedPostmortem, ResolvedRunbook, RowRef, Site};
use serde::Serialize;

/// What every document page has as `page`.
#[derive(Serialize)]
pub struct PageView {
    title: String,
    path: String,
    kind: &'static str,
    content: String,
    toc: Vec<TocEntry>,
    backlinks: Vec<DocRef>,
    source: String,
    edit_url: Option<String>,
    history_url: Option<String>,
    visibility: String,
    restricted: bool,
    summary: Option<String>,
    /// When git history is available: created, last changed, amended (see `PageHistory`).
    history: Option<super::PageHistory>,
}

/// The page view of `doc`, and its rendered body (for views that reuse it, such as print views).
pub fn page_view(site: &Site, doc: &Doc, root: &str) -> PageView {
    let rendered = crate::render::markdown::render(
        &doc.body,
        &crate::render::markdown::MarkdownOptions { links: &doc.links, root, raw_html: site.config.raw_html },
    );
    let source = crate::diagnostics::display_path(&doc.source);
    let repo = site.config.repo_url.as_ref();
    PageView {
        title: doc.title.clone(),
        path: doc.path.clone(),
        kind: doc.kind.singular(),
        content: rendered.html,
        toc: rendered.toc,
        backlinks: doc_refs(site, &doc.backlinks),
        edit_url: repo.map(|r| format!("{r}/blob/{}/{source}", site.config.repo_branch)),
        history_url: repo.map(|r| format!("{r}/commits/{}/{source}", site.config.repo_branch)),
        source,
        visibility: site.audience_label(doc.visibility).to_string(),
        restricted: doc.visibility > 0,
        summary: doc.summary.clone(),
        history: super::page_history(site, doc),
    }
}

#[derive(Serialize)]
struct ActionItemView {
    title: String,
    /// None while nobody owns it.
    owner: Option<String>,
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
    /// The report as published elsewhere.
    external_url: Option<String>,
    references: Vec<ReferenceView>,
}

pub fn postmortem_detail(site: &Site, pm: &ResolvedPostmortem, root: &str) -> PostmortemDetail {
    PostmortemDetail {
        status: pm.status,
        status_label: pm.status.label(),
        authors: pm.authors.clone(),
        reviewers: pm.reviewers.clone(),
        published_at: pm.published_at.map(|t| time_view_p(t, pm.precision.of("published_at"))),
        external_url: pm.external_url.clone(),
        references: reference_views(&pm.references),
        incidents: incident_summaries(site, site.incidents.iter().filter(|i| pm.incidents.contains(&i.doc)), root),
        action_items: pm
            .action_items
            .iter()
            .map(|a| ActionItemView {
                title: a.title.clone(),
                owner: a.owner.clone(),
                due: a.due.map(date_view),
                status: a.status,
                status_label: a.status.label(),
                runbook: a.runbook.map(|id| doc_ref(site.doc(id))),
            })
            .collect(),
    }
}

#[derive(Serialize)]
pub struct IncidentTypeView {
    pub id: String,
    pub label: String,
    path: String,
}

fn incident_types(site: &Site, rows: &[RowRef]) -> Vec<IncidentTypeView> {
    rows.iter()
        .map(|r| {
            let row = site.row(*r);
            IncidentTypeView {
                id: row.id.clone(),
                label: row.label.clone(),
                path: format!("{}#{}", site.doc(r.matrix).path, row.id),
            }
        })
        .collect()
}

/// The day a runbook last changed, from git, as this build sees it.
fn last_changed(site: &Site, rb: &ResolvedRunbook) -> Option<Date> {
    site.doc(rb.doc).history.as_ref()?.changed().time.map(|t| t.to_offset(time::UtcOffset::UTC).date())
}

/// When a runbook is next due for review, and by how many days that is past. Without a
/// `last_reviewed`, its last change in git stands for its last review.
fn review(site: &Site, rb: &ResolvedRunbook) -> (Option<Date>, Option<i64>) {
    let due = crate::site::review_due(rb.last_reviewed.or_else(|| last_changed(site, rb)), rb.review_every.as_ref());
    (due, due.and_then(|d| crate::site::days_overdue(d, site.now)))
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
    /// The last change in git, shown when no review was recorded.
    last_changed: Option<TimeView>,
    /// What changed since the last incident that used it (most trusted build, with history).
    changed_since: Option<super::ChangedSince>,
}

/// An incident that named a runbook, with how long it took to contain.
#[derive(Serialize)]
struct UsedIn {
    #[serde(flatten)]
    incident: IncidentSummary,
    time_to_contain: Option<String>,
}

pub fn runbook_detail(site: &Site, rb: &ResolvedRunbook, root: &str) -> RunbookDetail {
    let doc = site.doc(rb.doc);
    let (due, overdue_days) = review(site, rb);
    RunbookDetail {
        summary: doc.summary.clone(),
        owners: rb.owners.clone(),
        last_reviewed: rb.last_reviewed.map(date_view),
        review_every: span_text(&rb.review_every),
        incident_types: incident_types(site, &rb.incident_types),
        components: component_refs(site, &rb.components),
        review_due: due.map(date_view),
        overdue_days,
        print_path: format!("{}print/", doc.path),
        last_changed: last_changed(site, rb).map(date_view),
        changed_since: super::changed_since_last_use(site, rb),
        related_incidents: rb
            .incidents
            .iter()
            .map(|id| {
                let i = site.incident_of(*id);
                UsedIn {
                    incident: incident_summary(site, i, root, None).0,
                    time_to_contain: crate::site::metrics::measures(i)[2].map(human_duration),
                }
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
    let description_html = (!doc.body.is_empty()).then(|| markdown_html(site, doc, &doc.body, root).0);
    MatrixDetail {
        title: doc.title.clone(),
        description_html,
        rows: m
            .rows
            .iter()
            .map(|r| RowView {
                id: r.id.clone(),
                anchor: r.id.clone(),
                incident: r.label.clone(),
                severity: r.severity,
                responsible: r.responsible.clone(),
                approvals: r.approvals.clone(),
                respond_within: span_text(&r.respond_within),
                disclose_within: span_text(&r.disclose_within),
                notify: r.notify.clone(),
                runbooks: doc_refs(site, &r.runbooks),
                incidents: r
                    .incidents
                    .iter()
                    .map(|id| RowIncident {
                        doc: doc_ref(site.doc(*id)),
                        disclosure: disclosure_view(site, site.incident_of(*id)),
                    })
                    .collect(),
            })
            .collect(),
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

/// Post-mortems, latest publication first.
pub fn postmortem_list(site: &Site) -> Vec<PostmortemListItem> {
    let mut list: Vec<(Option<Timestamp>, PostmortemListItem)> = site
        .postmortems
        .iter()
        .map(|pm| {
            let doc = site.doc(pm.doc);
            let item = PostmortemListItem {
                title: doc.title.clone(),
                path: doc.path.clone(),
                status: pm.status,
                status_label: pm.status.label(),
                published_at: pm.published_at.map(time_view),
                incidents: doc_refs(site, &pm.incidents),
                summary: doc.summary.clone(),
                reviewers: pm.reviewers.clone(),
            };
            (pm.published_at, item)
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

/// Runbooks by title.
pub fn runbook_list(site: &Site) -> Vec<RunbookListItem> {
    let mut list: Vec<RunbookListItem> = site
        .runbooks
        .iter()
        .map(|rb| {
            let doc = site.doc(rb.doc);
            let (due, overdue_days) = review(site, rb);
            RunbookListItem {
                title: doc.title.clone(),
                path: doc.path.clone(),
                summary: doc.summary.clone(),
                owners: rb.owners.clone(),
                components: component_refs(site, &rb.components),
                last_reviewed: rb.last_reviewed.map(date_view),
                incident_types: incident_types(site, &rb.incident_types),
                review_due: due.map(date_view),
                overdue_days,
                due,
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

#[derive(Serialize)]
pub struct ActionItemRow {
    title: String,
    owner: Option<String>,
    due: Option<TimeView>,
    overdue_days: Option<i64>,
    postmortem: DocRef,
    runbook: Option<DocRef>,
}

#[derive(Serialize)]
pub struct OwnerGroup {
    /// "No owner yet" for the items nobody owns.
    owner: String,
    /// Whether these items have no owner.
    unowned: bool,
    items: Vec<ActionItemRow>,
}

/// Open action items across post-mortems, by owner, each owner's by due date, those without an
/// owner last; and how many of them are overdue.
pub fn action_items_by_owner(site: &Site) -> (Vec<OwnerGroup>, usize, usize) {
    let mut rows: Vec<(Option<String>, Option<Date>, ActionItemRow)> = Vec::new();
    for pm in &site.postmortems {
        for item in pm.action_items.iter().filter(|a| a.status == ActionStatus::Open) {
            rows.push((
                item.owner.clone(),
                item.due,
                ActionItemRow {
                    title: item.title.clone(),
                    owner: item.owner.clone(),
                    due: item.due.map(date_view),
                    overdue_days: item.due.and_then(|d| crate::site::days_overdue(d, site.now)),
                    postmortem: doc_ref(site.doc(pm.doc)),
                    runbook: item.runbook.map(|id| doc_ref(site.doc(id))),
                },
            ));
        }
    }
    rows.sort_by(|a, b| {
        (a.0.is_none(), &a.0, a.1.is_none(), a.1, &a.2.title).cmp(&(
            b.0.is_none(),
            &b.0,
            b.1.is_none(),
            b.1,
            &b.2.title,
        ))
    });
    let overdue = rows.iter().filter(|r| r.2.overdue_days.is_some()).count();
    let total = rows.len();
    let mut groups: Vec<OwnerGroup> = Vec::new();
    for (owner, _, row) in rows {
        let unowned = owner.is_none();
        let owner = owner.unwrap_or_else(|| "No owner yet".to_string());
        match groups.last_mut() {
            Some(g) if g.owner == owner && g.unowned == unowned => g.items.push(row),
            _ => groups.push(OwnerGroup { owner, unowned, items: vec![row] }),
        }
    }
    (groups, total, overdue)
}

#[derive(Serialize)]
pub struct GroupView {
    id: String,
    name: String,
    components: Vec<ComponentRef>,
}

/// Components by group, in file order; ungrouped ones last, in a group "Other services".
pub fn components_by_group(site: &Site) -> Vec<GroupView> {
    let mut groups: Vec<GroupView> = site
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| GroupView {
            id: group.id.clone(),
            name: group.name.clone(),
            components: (0..site.components.len())
                .filter(|c| site.component(*c).group == Some(g))
                .map(|c| component_ref(site, c))
                .collect(),
        })
        .collect();
    let ungrouped: Vec<ComponentRef> = (0..site.components.len())
        .filter(|c| site.component(*c).group.is_none())
        .map(|c| component_ref(site, c))
        .collect();
    if !ungrouped.is_empty() {
        groups.push(GroupView { id: "other".into(), name: "Other services".into(), components: ungrouped });
    }
    groups.retain(|g| !g.components.is_empty());
    groups
}

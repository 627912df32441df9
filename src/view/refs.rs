//! Small shapes shared by many views: links to documents and components, status updates.

use crate::model::ComponentStatus;
use crate::render::markdown::{MarkdownOptions, render};
use crate::site::{ComponentId, Doc, DocId, Site, Update};
use serde::Serialize;

use super::time::{TimeView, time_view};

#[derive(Debug, Clone, Serialize)]
pub struct DocRef {
    pub title: String,
    pub path: String,
    pub kind: &'static str,
}

pub fn doc_ref(doc: &Doc) -> DocRef {
    DocRef { title: doc.title.clone(), path: doc.path.clone(), kind: doc.kind.singular() }
}

pub fn doc_refs(site: &Site, ids: &[DocId]) -> Vec<DocRef> {
    ids.iter().map(|id| doc_ref(site.doc(*id))).collect()
}

/// A component with a status: its status now (`component_ref`), or the impact recorded for it
/// by one incident or maintenance window (`component_impacts`), which never changes afterwards.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentRef {
    pub id: String,
    pub name: String,
    pub status: ComponentStatus,
    pub status_label: &'static str,
    pub description: Option<String>,
    /// The status is set by hand in components.yaml (current statuses only).
    pub overridden: bool,
}

pub fn component_ref(site: &Site, id: ComponentId) -> ComponentRef {
    let c = site.component(id);
    ComponentRef {
        id: c.id.clone(),
        name: c.name.clone(),
        status: c.status,
        status_label: c.status.label(),
        description: c.description.clone(),
        overridden: c.overridden,
    }
}

pub fn component_refs(site: &Site, ids: &[ComponentId]) -> Vec<ComponentRef> {
    ids.iter().map(|id| component_ref(site, *id)).collect()
}

/// The components `ids` with the status one incident or window recorded for them (`status`),
/// whatever their status is today.
pub fn component_impacts(site: &Site, ids: &[ComponentId], status: ComponentStatus) -> Vec<ComponentRef> {
    let label = match status {
        ComponentStatus::Operational => "No impact",
        other => other.label(),
    };
    ids.iter()
        .map(|id| {
            let c = site.component(*id);
            ComponentRef {
                id: c.id.clone(),
                name: c.name.clone(),
                status,
                status_label: label,
                description: None,
                overridden: false,
            }
        })
        .collect()
}

/// Markdown of a document (its body or one of its updates) as HTML for a page at `root`, and
/// whether the HTML depends on `root` (it links to another page).
pub fn markdown_html(site: &Site, doc: &Doc, text: &crate::site::Markdown, root: &str) -> (String, bool) {
    let r = render(text, &MarkdownOptions { links: &doc.links, root, raw_html: site.config.raw_html });
    (r.html, r.uses_root)
}

#[derive(Debug, Clone, Serialize)]
pub struct UpdateView {
    /// Stable id, also the page anchor `update-<id>`.
    pub id: String,
    pub at: TimeView,
    pub status: &'static str,
    pub status_label: &'static str,
    pub body_html: String,
    pub visibility: String,
    pub restricted: bool,
    pub height: Option<u64>,
    pub height_url: Option<String>,
    /// When the next update is promised, if this update says.
    pub next_update: Option<TimeView>,
}

/// The status of an update, whatever its document kind.
pub trait UpdateStatus: Copy {
    fn name(self) -> &'static str;
    fn text(self) -> &'static str;
}

impl UpdateStatus for crate::model::IncidentStatus {
    fn name(self) -> &'static str {
        self.as_str()
    }
    fn text(self) -> &'static str {
        self.label()
    }
}

impl UpdateStatus for crate::model::MaintenanceStatus {
    fn name(self) -> &'static str {
        self.as_str()
    }
    fn text(self) -> &'static str {
        self.label()
    }
}

/// One update's view, and whether its HTML depends on `root`.
pub fn update_view<S: UpdateStatus>(site: &Site, doc: &Doc, u: &Update<S>, root: &str) -> (UpdateView, bool) {
    let (body_html, rooted) = markdown_html(site, doc, &u.body, root);
    let view = UpdateView {
        id: u.id.clone(),
        at: time_view(u.at),
        status: u.status.name(),
        status_label: u.status.text(),
        body_html,
        visibility: site.audience_label(u.visibility).to_string(),
        restricted: u.visibility > 0,
        height: u.height,
        height_url: u.height.and_then(|h| site.height_url(h)),
        next_update: u.next_update.map(time_view),
    };
    (view, rooted)
}

/// Updates newest first.
pub fn update_views<S: UpdateStatus>(site: &Site, doc: &Doc, updates: &[Update<S>], root: &str) -> Vec<UpdateView> {
    updates.iter().rev().map(|u| update_view(site, doc, u, root).0).collect()
}

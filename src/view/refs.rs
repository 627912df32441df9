//! Small shapes shared by many views: links to documents and components, status updates.

use crate::model::{ChainPoint, ComponentStatus, Progress};
use crate::render::markdown::{MarkdownOptions, render};
use crate::site::{ComponentId, ComponentImpact, Doc, DocId, Reference, Site, Update};
use crate::text::{LinkKind, link_kind};
use serde::Serialize;

use super::time::{TimeView, time_view_p};

/// A position on a chain: `Slot #312,456,789` linking to the explorer when it can.
#[derive(Debug, Clone, Serialize)]
pub struct PointView {
    /// `height`, `slot` or `epoch`.
    pub unit: &'static str,
    /// The chain's word for the unit ("Height", "Slot", "Block").
    pub label: String,
    pub number: u64,
    pub url: Option<String>,
}

/// The positions of `point` on chain `chain` (the default chain when `None`).
pub fn point_views(site: &Site, chain: Option<usize>, point: &ChainPoint) -> Vec<PointView> {
    let on = site.chain(chain);
    point
        .units()
        .into_iter()
        .map(|(unit, number)| PointView {
            unit: unit.as_str(),
            label: on
                .and_then(|c| c.own_unit_name(unit).map(str::to_string))
                .unwrap_or_else(|| site.config.messages.text(unit.message_key())),
            number,
            url: on.and_then(|c| c.url(unit, number)),
        })
        .collect()
}

/// A chain as pages name it.
#[derive(Debug, Clone, Serialize)]
pub struct ChainRef {
    pub id: String,
    pub name: String,
}

/// The chain at `index` (or the default), when the site has chains.
pub fn chain_ref(site: &Site, index: Option<usize>) -> Option<ChainRef> {
    site.chain(index).map(|c| ChainRef { id: c.id.clone(), name: c.name.clone() })
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferenceView {
    /// `release`, `pr`, `commit`, `issue`, `advisory`, `cve`, `bounty`, `report`, `link`.
    pub kind: &'static str,
    pub kind_label: String,
    /// What the link reads: the title, else the id, else the credit, else the address.
    pub text: String,
    pub id: Option<String>,
    pub url: Option<String>,
    pub credit: Option<String>,
    pub amount: Option<String>,
}

pub fn reference_views(m: &crate::i18n::Messages, list: &[Reference]) -> Vec<ReferenceView> {
    list.iter()
        .map(|r| ReferenceView {
            kind: r.kind.as_str(),
            kind_label: m.text(r.kind.message_key()),
            text: r
                .title
                .clone()
                .or_else(|| r.id.clone())
                .or_else(|| r.credit.clone())
                .or_else(|| r.url.clone())
                .unwrap_or_default(),
            id: r.id.clone().filter(|id| r.title.is_some() && Some(id) != r.title.as_ref()),
            url: r.url.clone().filter(|u| link_kind(u) == LinkKind::Safe),
            credit: r.credit.clone().filter(|_| r.title.is_some() || r.id.is_some()),
            amount: r.amount.clone(),
        })
        .collect()
}

/// A coordination figure as a bar: `percent` of the way, `threshold` marked.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressView {
    pub label: Option<String>,
    pub percent: f64,
    pub threshold: Option<f64>,
    /// "55 %", "66.7 %".
    pub percent_text: String,
    pub threshold_text: Option<String>,
    /// Whether the threshold is reached.
    pub reached: bool,
    /// The whole figure in words, for the bar's accessible name.
    pub text: String,
}

/// "71.4 %", with the decimal mark of the site's language.
fn percent_text(m: &crate::i18n::Messages, v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    let number = if rounded.fract() == 0.0 { format!("{rounded:.0}") } else { format!("{rounded:.1}") };
    format!("{} %", m.number_text(&number))
}

pub fn progress_view(m: &crate::i18n::Messages, p: &Progress) -> ProgressView {
    let percent = percent_text(m, p.percent);
    let threshold = p.threshold.map(|t| percent_text(m, t));
    let reached = p.threshold.is_none_or(|t| p.percent >= t);
    let mut text = match &p.label {
        Some(label) => format!("{label}: {percent}"),
        None => percent.clone(),
    };
    if let Some(t) = &threshold {
        let key = if reached { "common.needed_reached" } else { "common.needed" };
        text.push_str(&format!(", {}", m.format(key, None, &[("threshold", t)])));
    }
    ProgressView {
        label: p.label.clone(),
        percent: p.percent.clamp(0.0, 100.0),
        threshold: p.threshold.map(|t| t.clamp(0.0, 100.0)),
        percent_text: percent,
        threshold_text: threshold,
        reached,
        text,
    }
}

/// Where an update was first posted.
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub channel: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
}

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
    pub status_label: String,
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
        status_label: site.config.messages.text(c.status.message_key()),
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
    ids.iter().map(|id| recorded(site, *id, status)).collect()
}

fn recorded(site: &Site, id: ComponentId, status: ComponentStatus) -> ComponentRef {
    let c = site.component(id);
    let label = match status {
        ComponentStatus::Operational => site.config.messages.text(crate::model::Impact::None.message_key()),
        other => site.config.messages.text(other.message_key()),
    };
    ComponentRef {
        id: c.id.clone(),
        name: c.name.clone(),
        status,
        status_label: label,
        description: None,
        overridden: false,
    }
}

/// The components an incident recorded, each with the worst state it recorded for it.
pub fn incident_impacts(site: &Site, impacts: &[ComponentImpact]) -> Vec<ComponentRef> {
    impacts.iter().map(|i| recorded(site, i.component, i.worst())).collect()
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
    pub status_label: String,
    pub body_html: String,
    pub visibility: String,
    pub restricted: bool,
    pub height: Option<u64>,
    pub height_url: Option<String>,
    /// Every position it gives (height, slot, epoch), on its document's chain.
    pub points: Vec<PointView>,
    /// When the next update is promised, if this update says.
    pub next_update: Option<TimeView>,
    /// A post-resolution note (`postmortem`, `note`).
    pub is_note: bool,
    /// Where it was first posted, as far as the audience may see.
    pub source: Option<SourceView>,
    /// The component states this update set.
    pub components: Vec<ComponentRef>,
    pub progress: Option<ProgressView>,
    pub references: Vec<ReferenceView>,
    /// Where `cairn notify` delivered it, public channels only (see `site::Notice`).
    pub notified: Vec<NoticeView>,
}

/// One delivery to a public channel: its public label, its kind and when.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    pub label: String,
    pub kind: &'static str,
    pub kind_label: String,
    pub at: TimeView,
}

pub fn notice_views(m: &crate::i18n::Messages, list: &[crate::site::Notice]) -> Vec<NoticeView> {
    list.iter()
        .map(|n| NoticeView {
            label: n.label.clone(),
            kind: n.kind.as_str(),
            kind_label: m.text(n.kind.message_key()),
            at: super::time_view(m, n.at),
        })
        .collect()
}

/// The status of an update, whatever its document kind.
pub trait UpdateStatus: Copy {
    fn name(self) -> &'static str;
    fn message_key(self) -> &'static str;
    /// A post-resolution note.
    fn is_note(self) -> bool {
        false
    }
}

impl UpdateStatus for crate::model::IncidentStatus {
    fn name(self) -> &'static str {
        self.as_str()
    }
    fn message_key(self) -> &'static str {
        Self::message_key(self)
    }
    fn is_note(self) -> bool {
        crate::model::IncidentStatus::is_note(self)
    }
}

impl UpdateStatus for crate::model::MaintenanceStatus {
    fn name(self) -> &'static str {
        self.as_str()
    }
    fn message_key(self) -> &'static str {
        Self::message_key(self)
    }
}

/// One update's view (positions on `chain`), and whether its HTML depends on `root`.
pub fn update_view<S: UpdateStatus>(
    site: &Site,
    doc: &Doc,
    chain: Option<usize>,
    u: &Update<S>,
    root: &str,
) -> (UpdateView, bool) {
    let (body_html, rooted) = markdown_html(site, doc, &u.body, root);
    let points = point_views(site, chain, &u.point);
    let height_url = points.iter().find(|p| p.unit == "height").and_then(|p| p.url.clone());
    let view = UpdateView {
        id: u.id.clone(),
        at: time_view_p(&site.config.messages, u.at, u.at_precision),
        status: u.status.name(),
        status_label: site.config.messages.text(u.status.message_key()),
        body_html,
        visibility: site.audience_label(u.visibility).to_string(),
        restricted: u.visibility > 0,
        height: u.point.height,
        height_url,
        points,
        next_update: u.next_update.map(|t| time_view_p(&site.config.messages, t, crate::model::Precision::Exact)),
        is_note: u.status.is_note(),
        source: u.source.as_ref().map(|s| SourceView {
            channel: s.channel.clone(),
            url: s.url.clone().filter(|u| link_kind(u) == LinkKind::Safe),
            author: s.author.clone(),
        }),
        components: u.components.iter().map(|(c, s)| recorded(site, *c, *s)).collect(),
        progress: u.progress.as_ref().map(|p| progress_view(&site.config.messages, p)),
        references: reference_views(&site.config.messages, &u.references),
        notified: notice_views(&site.config.messages, &u.notified),
    };
    (view, rooted)
}

/// Updates newest first.
pub fn update_views<S: UpdateStatus>(
    site: &Site,
    doc: &Doc,
    chain: Option<usize>,
    updates: &[Update<S>],
    root: &str,
) -> Vec<UpdateView> {
    updates.iter().rev().map(|u| update_view(site, doc, chain, u, root).0).collect()
}

//! View models: what templates see, built from the resolved `Site`. Times arrive formatted, links
//! arrive as site paths, and nothing here can reach beyond what the Site holds.

use crate::model::*;
use crate::site::{Doc, DocId, ResolvedIncident, ResolvedMaintenance, Site};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct TimeView {
    pub iso: String,
    pub display: String,
    pub date: String,
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

pub fn time_view(t: Timestamp) -> TimeView {
    let t = t.to_offset(time::UtcOffset::UTC);
    let date = format!("{} {} {}", t.day(), MONTHS[t.month() as usize - 1], t.year());
    TimeView { iso: iso(t), display: format!("{date}, {:02}:{:02} UTC", t.hour(), t.minute()), date }
}

pub fn date_view(d: Date) -> TimeView {
    let date = format!("{} {} {}", d.day(), MONTHS[d.month() as usize - 1], d.year());
    TimeView { iso: format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day()), display: date.clone(), date }
}

/// RFC 3339 in UTC with a `Z`, seconds precision.
pub fn iso(t: Timestamp) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// "47 min", "3 h 12 min", "2 d 4 h".
pub fn human_duration(seconds: i64) -> String {
    let minutes = (seconds.max(0) + 30) / 60;
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 24 * 60 => match m % 60 {
            0 => format!("{} h", m / 60),
            r => format!("{} h {r} min", m / 60),
        },
        m => match (m / 60) % 24 {
            0 => format!("{} d", m / 1440),
            h => format!("{} d {h} h", m / 1440),
        },
    }
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

#[derive(Debug, Clone, Serialize)]
pub struct ComponentRef {
    pub id: String,
    pub name: String,
    pub status: ComponentStatus,
    pub status_label: &'static str,
    pub description: Option<String>,
}

pub fn component_ref(site: &Site, id: &str) -> Option<ComponentRef> {
    site.components.iter().find(|c| c.id == id).map(|c| ComponentRef {
        id: c.id.clone(),
        name: c.name.clone(),
        status: c.status,
        status_label: c.status.label(),
        description: c.description.clone(),
    })
}

fn component_refs(site: &Site, ids: &[String]) -> Vec<ComponentRef> {
    ids.iter().filter_map(|id| component_ref(site, id)).collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct UpdateView {
    pub at: TimeView,
    pub status: &'static str,
    pub status_label: &'static str,
    pub body_html: String,
    pub visibility: String,
    pub restricted: bool,
    pub height: Option<u64>,
    pub height_url: Option<String>,
}

/// The status of an update, whatever its document kind.
pub trait UpdateStatus: Copy {
    fn name(self) -> &'static str;
    fn text(self) -> &'static str;
}

impl UpdateStatus for IncidentStatus {
    fn name(self) -> &'static str {
        self.as_str()
    }
    fn text(self) -> &'static str {
        self.label()
    }
}

impl UpdateStatus for MaintenanceStatus {
    fn name(self) -> &'static str {
        self.as_str()
    }
    fn text(self) -> &'static str {
        self.label()
    }
}

/// Updates newest first; bodies are short markdown rendered inline.
pub fn update_views<S: UpdateStatus>(
    site: &Site,
    doc: &Doc,
    updates: &[StatusUpdate<S>],
    root: &str,
) -> Vec<UpdateView> {
    updates.iter().rev().map(|u| update_view(site, doc, u, root).0).collect()
}

/// One update's view, and whether its HTML depends on `root`.
fn update_view<S: UpdateStatus>(site: &Site, doc: &Doc, u: &StatusUpdate<S>, root: &str) -> (UpdateView, bool) {
    let visibility = u.visibility.unwrap_or(0).max(doc.visibility);
    let body = super::markdown::render(
        &u.body,
        &super::markdown::MarkdownOptions { links: &doc.links, root, raw_html: site.config.raw_html },
    );
    let view = UpdateView {
        at: time_view(u.at),
        status: u.status.name(),
        status_label: u.status.text(),
        body_html: body.html,
        visibility: site.config.audiences.name(visibility).to_string(),
        restricted: visibility > 0,
        height: u.height,
        height_url: u.height.and_then(|h| site.height_url(h)),
    };
    (view, body.uses_root)
}

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
    pub components: Vec<ComponentRef>,
    pub latest: Option<UpdateView>,
    pub restricted: bool,
    pub visibility: String,
}

pub fn incident_summary(site: &Site, inc: &ResolvedIncident, root: &str) -> IncidentSummary {
    incident_summary_rooted(site, inc, root).0
}

/// [`incident_summary`], and whether it depends on `root`: only when its latest update links to
/// another page. Listings that show an incident on many pages reuse the summary otherwise.
pub fn incident_summary_rooted(site: &Site, inc: &ResolvedIncident, root: &str) -> (IncidentSummary, bool) {
    let latest = inc.source.updates.last().map(|u| update_view(site, site.doc(inc.doc), u, root));
    let uses_root = latest.as_ref().is_some_and(|(_, rooted)| *rooted);
    (incident_summary_with(site, inc, latest.map(|(view, _)| view)), uses_root)
}

/// [`incident_summary`] with its latest update's view already made (an incident's page renders
/// every update anyway).
pub fn incident_summary_with(site: &Site, inc: &ResolvedIncident, latest: Option<UpdateView>) -> IncidentSummary {
    let doc = site.doc(inc.doc);
    let s = &inc.source;
    IncidentSummary {
        slug: doc.slug.clone(),
        title: doc.title.clone(),
        path: doc.path.clone(),
        severity: s.severity,
        impact: s.impact,
        impact_label: s.impact.label(),
        status: inc.status,
        status_label: inc.status.label(),
        is_open: inc.is_open,
        started_at: time_view(s.started_at),
        resolved_at: s.resolved_at.map(time_view),
        duration: s.resolved_at.map(|r| human_duration((r - s.started_at).whole_seconds())),
        components: component_refs(site, &s.components),
        latest,
        restricted: doc.visibility > 0,
        visibility: site.config.audiences.name(doc.visibility).to_string(),
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
    pub components: Vec<ComponentRef>,
    pub restricted: bool,
    pub visibility: String,
}

pub fn maintenance_summary(site: &Site, m: &ResolvedMaintenance) -> MaintenanceSummary {
    let doc = site.doc(m.doc);
    let s = &m.source;
    MaintenanceSummary {
        slug: doc.slug.clone(),
        title: doc.title.clone(),
        path: doc.path.clone(),
        status: s.status,
        status_label: s.status.label(),
        scheduled_for: time_view(s.scheduled_for),
        scheduled_until: time_view(s.scheduled_until),
        estimated: s.halt_height.is_some(),
        halt_height: s.halt_height,
        halt_height_url: s.halt_height.and_then(|h| site.height_url(h)),
        components: component_refs(site, &s.components),
        restricted: doc.visibility > 0,
        visibility: site.config.audiences.name(doc.visibility).to_string(),
    }
}

pub fn doc_refs(site: &Site, ids: &[DocId]) -> Vec<DocRef> {
    ids.iter().map(|id| doc_ref(site.doc(*id))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(47 * 60), "47 min");
        assert_eq!(human_duration(3 * 3600 + 12 * 60), "3 h 12 min");
        assert_eq!(human_duration(2 * 86_400 + 4 * 3600), "2 d 4 h");
    }

    #[test]
    fn times_are_utc() {
        let t = crate::load::parse_time("2026-11-20T16:05:00+02:00").unwrap();
        let v = time_view(t);
        assert_eq!(v.iso, "2026-11-20T14:05:00Z");
        assert_eq!(v.display, "20 Nov 2026, 14:05 UTC");
    }
}

//! What each channel may be sent: the notifications of the resolved `Site` of the channel's
//! audience (never the sources), narrowed to the decision-matrix groups the channel serves.

use super::text::plain_text;
use crate::model::{Channel, Kind, Timestamp, notice_key};
use crate::site::{Doc, Site, Update};
use std::collections::{BTreeMap, BTreeSet};

/// What happened, as the state file and the webhook payload name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    IncidentUpdate,
    MaintenanceScheduled,
    MaintenanceUpdate,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::IncidentUpdate => "incident-update",
            Event::MaintenanceScheduled => "maintenance-scheduled",
            Event::MaintenanceUpdate => "maintenance-update",
        }
    }
}

/// The incident or maintenance window a notification is about, as the audience sees it.
#[derive(Debug, Clone)]
pub struct Subject {
    pub kind: Kind,
    pub id: String,
    pub title: String,
    pub url: String,
    /// Its status now, e.g. `identified`, `scheduled`.
    pub status: String,
    pub status_label: String,
    /// The impact in the audience's words (incidents).
    pub impact: Option<(String, String)>,
    /// The window (maintenance).
    pub window: Option<(Timestamp, Timestamp)>,
}

/// One update as sent: its text already cut to the audience and made plain.
#[derive(Debug, Clone)]
pub struct UpdateText {
    pub id: String,
    pub at: Timestamp,
    pub status: String,
    pub status_label: String,
    pub body: String,
    pub url: String,
    /// Components named by the update: id, name, state.
    pub components: Vec<(String, String, String)>,
}

/// One notification for one channel.
#[derive(Debug, Clone)]
pub struct Notification {
    /// See [`notice_key`].
    pub key: String,
    pub event: Event,
    /// An update embargoed for the public, sent to a public channel once the embargo lifted.
    pub embargo_lifted: bool,
    pub site_title: String,
    pub site_url: String,
    pub audience: String,
    pub subject: Subject,
    pub update: Option<UpdateText>,
    /// When it happened, for the order of sending.
    pub at: Timestamp,
}

/// The decision-matrix `notify` groups of each incident (by slug), from the most trusted site,
/// which alone is sure to see every incident's type: routing, never content.
pub fn groups_by_incident(most_trusted: &Site) -> BTreeMap<String, BTreeSet<String>> {
    most_trusted
        .incidents
        .iter()
        .map(|inc| {
            let groups = inc.row.map(|r| most_trusted.row(r).notify.iter().cloned().collect()).unwrap_or_default();
            (most_trusted.doc(inc.doc).slug.clone(), groups)
        })
        .collect()
}

/// Everything `channel` may be sent from `site` (its audience's), oldest first. A channel with
/// `groups` gets the incidents whose type's row notifies one of them, and every maintenance
/// window (they concern everyone who runs on the chain).
pub fn notifications(site: &Site, channel: &Channel, groups: &BTreeMap<String, BTreeSet<String>>) -> Vec<Notification> {
    let base = &site.config.base_url;
    let mut out = Vec::new();
    let lifted = |u_embargo: Option<Timestamp>| site.is_public() && u_embargo.is_some_and(|t| t <= site.now);
    // One notification about `subject`, as the site's audience sees it.
    let notification = |key: String, event: Event, lifted: bool, subject: &Subject, update, at| Notification {
        key,
        event,
        embargo_lifted: lifted,
        site_title: site.config.title.clone(),
        site_url: base.clone(),
        audience: site.audience_name().to_string(),
        subject: subject.clone(),
        update,
        at,
    };
    let serves = |slug: &str| {
        channel.groups.is_empty() || groups.get(slug).is_some_and(|g| channel.groups.iter().any(|c| g.contains(c)))
    };
    for inc in &site.incidents {
        let doc = site.doc(inc.doc);
        if !serves(&doc.slug) {
            continue;
        }
        let subject = Subject {
            kind: Kind::Incident,
            id: doc.slug.clone(),
            title: doc.title.clone(),
            url: format!("{base}/{}", doc.path),
            status: inc.status.as_str().to_string(),
            status_label: inc.status.label().to_string(),
            impact: Some((inc.impact.as_str().to_string(), site.impact_label(inc.impact))),
            window: None,
        };
        for u in &inc.updates {
            out.push(notification(
                notice_key(Kind::Incident, &doc.slug, Some(&u.id)),
                Event::IncidentUpdate,
                lifted(u.embargo_until.or(doc.embargo_until)),
                &subject,
                Some(update_text(site, doc, u, u.status.as_str(), u.status.label())),
                u.at,
            ));
        }
    }
    for m in &site.maintenance {
        let doc = site.doc(m.doc);
        let subject = Subject {
            kind: Kind::Maintenance,
            id: doc.slug.clone(),
            title: doc.title.clone(),
            url: format!("{base}/{}", doc.path),
            status: m.status.as_str().to_string(),
            status_label: m.status.label().to_string(),
            impact: None,
            window: Some((m.scheduled_for, m.scheduled_until)),
        };
        let announced = m.updates.first().map_or(m.scheduled_for, |u| u.at.min(m.scheduled_for));
        out.push(notification(
            notice_key(Kind::Maintenance, &doc.slug, None),
            Event::MaintenanceScheduled,
            lifted(doc.embargo_until),
            &subject,
            None,
            announced,
        ));
        for u in &m.updates {
            out.push(notification(
                notice_key(Kind::Maintenance, &doc.slug, Some(&u.id)),
                Event::MaintenanceUpdate,
                lifted(u.embargo_until.or(doc.embargo_until)),
                &subject,
                Some(update_text(site, doc, u, u.status.as_str(), u.status.label())),
                u.at,
            ));
        }
    }
    out.sort_by(|a, b| a.at.cmp(&b.at).then(a.key.cmp(&b.key)));
    out
}

fn update_text<S>(site: &Site, doc: &Doc, u: &Update<S>, status: &str, label: &str) -> UpdateText {
    let base = &site.config.base_url;
    UpdateText {
        id: u.id.clone(),
        at: u.at,
        status: status.to_string(),
        status_label: label.to_string(),
        body: plain_text(&u.body, &doc.links, base),
        url: format!("{base}/{}#update-{}", doc.path, u.id),
        components: u
            .components
            .iter()
            .map(|(c, s)| {
                let comp = site.component(*c);
                (comp.id.clone(), comp.name.clone(), s.as_str().to_string())
            })
            .collect(),
    }
}

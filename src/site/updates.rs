//! The status updates of one document as one audience sees them: each update's visibility and
//! embargo judged, its text cut, its provenance and references narrowed.

use super::blocks::{self, Source};
use super::scan::{self, LinkRef};
use super::*;
use crate::model::{self as m, Config, StatusUpdate};
use std::collections::HashMap;

/// What resolving updates needs besides the updates themselves.
pub(super) struct UpdateContext<'a> {
    pub(super) file: &'a std::path::Path,
    /// The document's visibility.
    pub(super) visibility: usize,
    pub(super) config: &'a Config,
    pub(super) audience: usize,
    pub(super) now: Timestamp,
    pub(super) components: &'a HashMap<&'a str, ComponentId>,
}

/// The updates `audience` sees of a document, their texts cut, with the links in those texts.
pub(super) fn updates<S: Copy>(
    list: Vec<StatusUpdate<S>>,
    cx: &UpdateContext<'_>,
    links: &mut Vec<LinkRef>,
) -> Vec<Update<S>> {
    let audience = cx.audience;
    list.into_iter()
        .filter_map(|u| {
            let visibility = u.visibility.unwrap_or(0).max(cx.visibility);
            if !visible(visibility, u.embargo_until, audience, cx.now) {
                return None;
            }
            let id = u.uid();
            let src = Source { file: cx.file, origin: u.body_origin };
            let body = blocks::cut_to(u.body, &cx.config.audiences, src, audience, cx.now);
            links.extend(scan::scan(&body, u.body_origin).1);
            let source = (!u.source.is_empty() && u.source.visibility.unwrap_or(0).max(visibility) <= audience)
                .then_some(super::Source { channel: u.source.channel, url: u.source.url, author: u.source.author });
            Some(Update {
                id,
                at: u.at,
                at_precision: u.at_precision,
                status: u.status,
                body,
                visibility,
                embargo_until: u.embargo_until,
                point: u.point,
                next_update: u.next_update,
                source,
                components: u
                    .components
                    .iter()
                    .filter_map(|(c, s)| cx.components.get(c.as_str()).map(|id| (*id, *s)))
                    .collect(),
                progress: u.progress,
                references: references(u.references, visibility, audience),
                notified: Vec::new(),
            })
        })
        .collect()
}

/// The references `audience` sees of something of `visibility`, with addresses made for CVE
/// and GHSA ids that have none.
pub(super) fn references(list: Vec<m::Reference>, visibility: usize, audience: usize) -> Vec<Reference> {
    list.into_iter()
        .filter_map(|r| {
            let visibility = r.visibility.unwrap_or(0).max(visibility);
            if visibility > audience {
                return None;
            }
            let made = match (r.kind, r.id.as_deref()) {
                (m::ReferenceKind::Cve, Some(id)) => Some(format!("https://www.cve.org/CVERecord?id={id}")),
                (m::ReferenceKind::Advisory, Some(id)) if id.starts_with("GHSA-") => {
                    Some(format!("https://github.com/advisories/{id}"))
                }
                _ => None,
            };
            let url = r.url.or(made).filter(|u| crate::text::is_web_url(u));
            Some(Reference {
                kind: r.kind,
                title: r.title,
                id: r.id,
                url,
                credit: r.credit,
                amount: r.amount,
                visibility,
            })
        })
        .collect()
}

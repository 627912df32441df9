//! What search sees of a document: its prose, headings and code as plain text (no markdown
//! syntax, no front-matter keys) and its facets, taken from the resolved `Site` only. Shared by
//! the static search index (outputs) and the tantivy index (`crate::search`).

use crate::model::{IncidentSeverity, Kind, Timestamp};
use crate::site::Site;
use crate::text::markdown_options;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeSet;

/// One searchable document of one audience. `Hash` covers every field: the tantivy index is
/// rebuilt when the hash of its documents changes.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct SearchDoc {
    /// Site path of the page (`incidents/x/`).
    pub path: String,
    pub kind: Kind,
    pub title: String,
    pub headings: String,
    /// Prose: summary, body text, inline code, status updates, matrix rows.
    pub body: String,
    /// Text of code blocks, where responders look for commands and error strings.
    pub code: String,
    pub components: Vec<String>,
    pub severity: Option<IncidentSeverity>,
    /// Incident type (incidents) or types handled (runbooks).
    pub types: Vec<String>,
    /// The date a responder thinks of: incident start, maintenance window, publication, review.
    pub date: Option<Timestamp>,
    pub open: bool,
}

/// Plain text of a markdown string: prose with inline code, and code blocks apart.
struct Plain {
    prose: String,
    headings: String,
    code: String,
}

fn plain(markdown: &str) -> Plain {
    let mut out = Plain { prose: String::new(), headings: String::new(), code: String::new() };
    let (mut in_code, mut in_heading) = (false, false);
    for event in Parser::new_ext(markdown, markdown_options()) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                out.code.push('\n');
            }
            Event::Start(Tag::Heading { .. }) => in_heading = true,
            Event::End(TagEnd::Heading(_)) => {
                in_heading = false;
                out.headings.push('\n');
            }
            Event::Text(t) | Event::Code(t) if in_code => out.code.push_str(&t),
            Event::Text(t) | Event::Code(t) if in_heading => out.headings.push_str(&t),
            Event::Text(t) | Event::Code(t) => out.prose.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.prose.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_)) => {
                out.prose.push('\n')
            }
            _ => {}
        }
    }
    out
}

/// Every document of `site` as search sees it, in `Site::docs` order. Computed once per build and
/// shared by the static index and the tantivy index; the markdown is parsed in parallel.
pub fn documents(site: &Site) -> Vec<SearchDoc> {
    let mut docs: Vec<SearchDoc> = site
        .docs
        .par_iter()
        .map(|d| {
            let text = plain(d.body.as_str());
            let body = match &d.summary {
                Some(s) => format!("{s}\n{}", text.prose),
                None => text.prose,
            };
            SearchDoc {
                path: d.path.clone(),
                kind: d.kind,
                title: d.title.clone(),
                headings: text.headings,
                body,
                code: text.code,
                components: Vec::new(),
                severity: None,
                types: Vec::new(),
                date: None,
                open: false,
            }
        })
        .collect();
    // Text that lives outside the body: status updates and matrix rows, appended to the prose.
    let updates = site
        .incidents
        .par_iter()
        .map(|inc| (inc.doc, inc.updates.iter().map(|u| u.body.as_str()).collect::<Vec<_>>()))
        .chain(
            site.maintenance.par_iter().map(|m| (m.doc, m.updates.iter().map(|u| u.body.as_str()).collect::<Vec<_>>())),
        );
    let rows = site.matrices.par_iter().map(|matrix| {
        let lines = matrix
            .rows
            .iter()
            .map(|row| {
                [Some(row.label.as_str()), row.responsible.as_deref()]
                    .into_iter()
                    .flatten()
                    .chain(row.approvals.iter().map(String::as_str))
                    .chain(row.notify.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .collect::<Vec<_>>();
        (matrix.doc, lines)
    });
    let extra: Vec<(usize, Plain)> = updates
        .flat_map_iter(|(id, texts)| texts.into_iter().map(move |t| (id, plain(t))).collect::<Vec<_>>())
        .chain(rows.flat_map_iter(|(id, lines)| lines.into_iter().map(move |l| (id, plain(&l))).collect::<Vec<_>>()))
        .collect();
    for (id, text) in extra {
        let doc = &mut docs[id];
        doc.body.push('\n');
        doc.body.push_str(&text.prose);
        doc.code.push_str(&text.code);
    }
    let ids = |list: &[crate::site::ComponentId]| -> Vec<String> {
        list.iter().map(|c| site.component(*c).id.clone()).collect()
    };
    for inc in &site.incidents {
        let doc = &mut docs[inc.doc];
        doc.components = ids(&inc.components);
        doc.severity = inc.severity;
        doc.types = inc.row.map(|r| site.row(r).id.clone()).into_iter().collect();
        doc.date = Some(inc.started_at);
        doc.open = inc.is_open;
    }
    for rb in &site.runbooks {
        let doc = &mut docs[rb.doc];
        doc.components = ids(&rb.components);
        doc.types = rb.incident_types.iter().map(|r| site.row(*r).id.clone()).collect();
        doc.date = rb.last_reviewed.map(|d| d.midnight().assume_utc());
    }
    for m in &site.maintenance {
        let doc = &mut docs[m.doc];
        doc.components = ids(&m.components);
        doc.date = Some(m.scheduled_for);
    }
    for pm in &site.postmortems {
        let incidents: Vec<_> = pm.incidents.iter().map(|d| site.incident_of(*d)).collect();
        let components: BTreeSet<String> = incidents.iter().flat_map(|i| ids(&i.components)).collect();
        let doc = &mut docs[pm.doc];
        doc.components = components.into_iter().collect();
        doc.severity = incidents.iter().filter_map(|i| i.severity).min();
        doc.date = pm.published_at.or_else(|| incidents.first().map(|i| i.started_at));
    }
    docs
}

/// Multiplier applied to an incident's relevance: open incidents and recent ones rank a little
/// higher. `1 + 0.3·open + 0.2·e^(−age_days/180)`; every other document keeps 1.
pub fn boost(doc: &SearchDoc, now: Timestamp) -> f64 {
    if doc.kind != Kind::Incident {
        return 1.0;
    }
    let age_days = doc.date.map_or(f64::INFINITY, |d| ((now - d).whole_hours().max(0) as f64) / 24.0);
    1.0 + if doc.open { 0.3 } else { 0.0 } + 0.2 * (-age_days / 180.0).exp()
}

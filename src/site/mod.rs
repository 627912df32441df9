//! Stage 2, resolve: one immutable `Site` for one audience. Everything the audience may not see
//! (documents, updates, blocks, references) is gone from it, so no output can leak it.

mod blocks;
mod lifecycle;
mod links;
pub mod metrics;
mod scan;
mod status;
mod validate;

pub use blocks::visible;
pub use lifecycle::{action_items_page, days_overdue, reminders, review_due};
pub use scan::Heading;
pub use status::{Indicator, Phase, impact_status};
pub use validate::validate;

use crate::diagnostics::Diagnostic;
use crate::model::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// Index of a document in `Site::docs`.
pub type DocId = usize;

/// The plain page whose body introduces the status home instead of having a page of its own.
pub const HOME_INTRO: &str = "_index.md";

/// What every visible document has once resolved.
#[derive(Debug, Clone)]
pub struct Doc {
    pub kind: Kind,
    pub slug: String,
    pub source: PathBuf,
    pub rel: String,
    pub title: String,
    pub summary: Option<String>,
    pub visibility: usize,
    /// Site path of the document's page, relative to the root (`incidents/x/`).
    pub path: String,
    /// Markdown as this audience may see it; line `n` of it is line `body_line + n - 1` of the file.
    pub body: String,
    pub body_line: usize,
    pub body_column: usize,
    pub headings: Vec<Heading>,
    /// Link destinations as written → site path (with `#anchor`) of the target.
    pub links: BTreeMap<String, String>,
    /// Documents whose visible text links here, sorted.
    pub backlinks: Vec<DocId>,
}

impl Doc {
    /// Whether the document is rendered as a page of its own (the home intro is not).
    pub fn has_page(&self) -> bool {
        self.rel != HOME_INTRO
    }
}

#[derive(Debug, Clone)]
pub struct ResolvedComponent {
    pub id: String,
    pub name: String,
    pub group: Option<String>,
    pub description: Option<String>,
    pub status: ComponentStatus,
}

#[derive(Debug, Clone)]
pub struct ResolvedIncident {
    pub doc: DocId,
    pub source: Incident,
    pub status: IncidentStatus,
    pub is_open: bool,
    pub runbooks: Vec<DocId>,
    pub postmortem: Option<DocId>,
    /// The decision matrix row of the incident's type: (matrix document, row index).
    pub matrix_row: Option<(DocId, usize)>,
}

#[derive(Debug, Clone)]
pub struct ResolvedPostmortem {
    pub doc: DocId,
    pub source: Postmortem,
    pub incidents: Vec<DocId>,
    pub action_runbooks: Vec<Option<DocId>>,
}

#[derive(Debug, Clone)]
pub struct ResolvedRunbook {
    pub doc: DocId,
    pub source: Runbook,
    /// Incidents naming this runbook, newest first.
    pub incidents: Vec<DocId>,
}

#[derive(Debug, Clone)]
pub struct ResolvedRow {
    pub row: MatrixRow,
    pub runbooks: Vec<DocId>,
    /// Incidents of this type, newest first.
    pub incidents: Vec<DocId>,
}

#[derive(Debug, Clone)]
pub struct ResolvedMatrix {
    pub doc: DocId,
    pub rows: Vec<ResolvedRow>,
}

#[derive(Debug, Clone)]
pub struct ResolvedMaintenance {
    pub doc: DocId,
    pub source: Maintenance,
    pub phase: Phase,
}

#[derive(Debug, Clone)]
pub struct ResolvedPage {
    pub doc: DocId,
    pub weight: Option<i64>,
}

/// The fully resolved site of one audience.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    pub audience: usize,
    pub now: Timestamp,
    pub docs: Vec<Doc>,
    pub groups: Vec<ComponentGroup>,
    pub components: Vec<ResolvedComponent>,
    /// Newest first.
    pub incidents: Vec<ResolvedIncident>,
    pub postmortems: Vec<ResolvedPostmortem>,
    pub runbooks: Vec<ResolvedRunbook>,
    pub matrices: Vec<ResolvedMatrix>,
    /// By `scheduled_for`, earliest first.
    pub maintenance: Vec<ResolvedMaintenance>,
    pub pages: Vec<ResolvedPage>,
    /// The body of `content/_index.md`, shown on the home page.
    pub home_intro: Option<DocId>,
    pub overall: Indicator,
    /// For each document, its index in the resolved list of its kind (`incidents`, `runbooks`, …).
    slots: Vec<usize>,
}

impl Site {
    pub fn audience_name(&self) -> &str {
        self.config.audiences.name(self.audience)
    }

    pub fn is_public(&self) -> bool {
        self.audience == 0
    }

    pub fn doc(&self, id: DocId) -> &Doc {
        &self.docs[id]
    }

    /// Index of document `id` in the resolved list of its kind.
    pub fn slot(&self, id: DocId) -> usize {
        self.slots[id]
    }

    /// Number of pages per kind, for the build summary.
    pub fn count(&self, kind: Kind) -> usize {
        self.docs.iter().filter(|d| d.kind == kind && d.has_page()).count()
    }

    pub fn height_url(&self, height: u64) -> Option<String> {
        self.config.chain.as_ref().and_then(|c| c.height_url(height))
    }
}

/// Site path of a document's page.
pub fn permalink(kind: Kind, rel: &str, slug: &str) -> String {
    match kind {
        Kind::Page => {
            let stem = rel.strip_suffix(".md").unwrap_or(rel);
            let stem = stem.strip_suffix("index").map(|s| s.trim_end_matches('/')).unwrap_or(stem);
            let stem = if stem == "_" || rel == "_index.md" { "" } else { stem.trim_end_matches("/_index") };
            let slugged: Vec<String> = stem.split('/').filter(|p| !p.is_empty()).map(crate::text::slugify).collect();
            if slugged.is_empty() { String::new() } else { format!("{}/", slugged.join("/")) }
        }
        _ => format!("{}/{slug}/", kind.as_str()),
    }
}

/// What resolving makes of one visible document's body.
struct Prepared {
    body: String,
    headings: Vec<Heading>,
    links: Vec<scan::LinkRef>,
}

/// Resolves the site `audience` sees at `now`. Diagnostics are the audience-specific ones
/// (links); the audience-independent rules come from [`validate`]. The sources are consumed:
/// the documents' bodies move into the site instead of being copied (at 10,000 incidents the
/// two copies were a third of a build's peak memory).
pub fn resolve(mut sources: Sources, audience: usize, now: Timestamp) -> (Site, Vec<Diagnostic>) {
    let most = sources.config.audiences.most_trusted();
    // The visible body of each document, its headings and links: the per-document work,
    // done in parallel; documents are then numbered in order below. The source keeps only
    // the front matter.
    let prepare = |meta: &mut Meta, config: &Config, extra_hidden: bool| -> Option<(usize, Prepared)> {
        let body = std::mem::take(&mut meta.body);
        let visibility = meta.visibility.unwrap_or(config.defaults[&meta.kind]);
        if extra_hidden || !visible(visibility, meta.embargo_until, audience, now) {
            return None;
        }
        let (found, _) = blocks::scan(&body, &config.audiences, &meta.source, (meta.body_line, meta.body_column));
        let body = blocks::filter(body, &found, audience, now);
        let (headings, links) = scan::scan(&body);
        Some((visibility, Prepared { body, headings, links }))
    };
    let config = &sources.config;
    macro_rules! prepared {
        ($list:expr, $hidden:expr) => {{
            let hidden: Vec<bool> = $list.iter().map($hidden).collect();
            $list.par_iter_mut().zip(hidden).map(|(d, h)| prepare(&mut d.meta, config, h)).collect::<Vec<_>>()
        }};
    }
    let r_incidents = prepared!(sources.incidents, |_| false);
    let r_postmortems =
        prepared!(sources.postmortems, |d: &Postmortem| d.status == PostmortemStatus::Draft && audience != most);
    let r_runbooks = prepared!(sources.runbooks, |_| false);
    let r_matrices = prepared!(sources.matrices, |_| false);
    let r_maintenance = prepared!(sources.maintenance, |_| false);
    let r_pages = prepared!(sources.pages, |_| false);
    let mut docs: Vec<Doc> = Vec::new();
    let mut by_rel: BTreeMap<String, DocId> = BTreeMap::new();
    let mut outgoing: Vec<Vec<scan::LinkRef>> = Vec::new();
    let mut add = |meta: &Meta, ready: Option<(usize, Prepared)>| -> Option<DocId> {
        let (visibility, Prepared { body, headings, links }) = ready?;
        outgoing.push(links);
        let id = docs.len();
        by_rel.insert(meta.rel.clone(), id);
        docs.push(Doc {
            kind: meta.kind,
            slug: meta.slug.clone(),
            source: meta.source.clone(),
            rel: meta.rel.clone(),
            title: meta.title.clone(),
            summary: meta.summary.clone(),
            visibility,
            path: permalink(meta.kind, &meta.rel, &meta.slug),
            body,
            body_line: meta.body_line,
            body_column: meta.body_column,
            headings,
            links: BTreeMap::new(),
            backlinks: Vec::new(),
        });
        Some(id)
    };
    macro_rules! number {
        ($list:expr, $ready:expr) => {{ $list.iter().zip($ready).filter_map(|(d, r)| add(&d.meta, r).map(|id| (id, d))).collect() }};
    }
    let incident_ids: Vec<(DocId, &Incident)> = number!(sources.incidents, r_incidents);
    let postmortem_ids: Vec<(DocId, &Postmortem)> = number!(sources.postmortems, r_postmortems);
    let runbook_ids: Vec<(DocId, &Runbook)> = number!(sources.runbooks, r_runbooks);
    let matrix_ids: Vec<(DocId, &Matrix)> = number!(sources.matrices, r_matrices);
    let maintenance_ids: Vec<(DocId, &Maintenance)> = number!(sources.maintenance, r_maintenance);
    let page_ids: Vec<(DocId, &Page)> = number!(sources.pages, r_pages);

    let slug_of =
        |kind: Kind, slug: &str| -> Option<DocId> { by_rel.get(&format!("{}/{slug}.md", kind.as_str())).copied() };
    let runbook_id = |slug: &str| slug_of(Kind::Runbook, slug);

    let mut components: Vec<ResolvedComponent> = sources
        .components
        .components
        .iter()
        .filter(|c| c.visibility.unwrap_or(config.component_default) <= audience)
        .map(|c| ResolvedComponent {
            id: c.id.clone(),
            name: c.name.clone(),
            group: c.group.clone(),
            description: c.description.clone(),
            status: c.status.unwrap_or(ComponentStatus::Operational),
        })
        .collect();
    let visible_components: std::collections::BTreeSet<String> = components.iter().map(|c| c.id.clone()).collect();

    // Post-mortem of each incident slug (the first that names it), for incidents that don't
    // name theirs: one map instead of a scan per incident.
    let mut postmortem_of: HashMap<&str, DocId> = HashMap::new();
    for (id, pm) in &postmortem_ids {
        for slug in &pm.incidents {
            postmortem_of.entry(slug.as_str()).or_insert(*id);
        }
    }
    let mut incidents: Vec<ResolvedIncident> = incident_ids
        .par_iter()
        .map(|(doc, inc)| {
            // The visible body lives in `Doc`; the source (its body taken) keeps the front matter.
            let mut source = (*inc).clone();
            source.updates.retain(|u| {
                visible(u.visibility.unwrap_or(0).max(docs[*doc].visibility), u.embargo_until, audience, now)
            });
            source.components.retain(|c| visible_components.contains(c));
            let is_open = source.resolved_at.is_none();
            let status = if is_open {
                source.updates.last().map_or(IncidentStatus::Investigating, |u| u.status)
            } else {
                IncidentStatus::Resolved
            };
            let postmortem = source
                .postmortem
                .as_deref()
                .and_then(|p| slug_of(Kind::Postmortem, p))
                .or_else(|| postmortem_of.get(inc.meta.slug.as_str()).copied());
            let matrix_row = source.incident_type.as_deref().and_then(|t| {
                matrix_ids.iter().find_map(|(id, m)| m.rows.iter().position(|r| r.id == t).map(|i| (*id, i)))
            });
            ResolvedIncident {
                doc: *doc,
                runbooks: source.runbooks.iter().filter_map(|r| runbook_id(r)).collect(),
                postmortem,
                matrix_row,
                status,
                is_open,
                source,
            }
        })
        .collect();
    incidents.sort_by(|a, b| b.source.started_at.cmp(&a.source.started_at).then(a.doc.cmp(&b.doc)));

    let postmortems: Vec<ResolvedPostmortem> = postmortem_ids
        .iter()
        .map(|(doc, pm)| ResolvedPostmortem {
            doc: *doc,
            incidents: pm.incidents.iter().filter_map(|i| slug_of(Kind::Incident, i)).collect(),
            action_runbooks: pm.action_items.iter().map(|a| a.runbook.as_deref().and_then(runbook_id)).collect(),
            source: Postmortem { meta: Meta { locations: Locations::default(), ..pm.meta.clone() }, ..(*pm).clone() },
        })
        .collect();
    // Incidents by runbook slug and by type, in `incidents` order.
    let mut by_runbook: HashMap<&str, Vec<DocId>> = HashMap::new();
    let mut by_type: HashMap<&str, Vec<DocId>> = HashMap::new();
    for i in &incidents {
        let mut named: Vec<&str> = i.source.runbooks.iter().map(String::as_str).collect();
        named.sort_unstable();
        named.dedup();
        for slug in named {
            by_runbook.entry(slug).or_default().push(i.doc);
        }
        if let Some(t) = i.source.incident_type.as_deref() {
            by_type.entry(t).or_default().push(i.doc);
        }
    }
    let runbooks: Vec<ResolvedRunbook> = runbook_ids
        .iter()
        .map(|(doc, rb)| ResolvedRunbook {
            doc: *doc,
            incidents: by_runbook.get(rb.meta.slug.as_str()).cloned().unwrap_or_default(),
            source: Runbook { meta: Meta { locations: Locations::default(), ..rb.meta.clone() }, ..(*rb).clone() },
        })
        .collect();
    let matrices: Vec<ResolvedMatrix> = matrix_ids
        .iter()
        .map(|(doc, m)| ResolvedMatrix {
            doc: *doc,
            rows: m
                .rows
                .iter()
                .map(|row| ResolvedRow {
                    runbooks: row.runbooks.iter().filter_map(|r| runbook_id(r)).collect(),
                    incidents: by_type.get(row.id.as_str()).cloned().unwrap_or_default(),
                    row: row.clone(),
                })
                .collect(),
        })
        .collect();
    let mut maintenance: Vec<ResolvedMaintenance> = maintenance_ids
        .iter()
        .map(|(doc, mt)| {
            let mut source = (*mt).clone();
            source.updates.retain(|u| {
                visible(u.visibility.unwrap_or(0).max(docs[*doc].visibility), u.embargo_until, audience, now)
            });
            source.components.retain(|c| visible_components.contains(c));
            ResolvedMaintenance { doc: *doc, phase: status::phase(&source, now), source }
        })
        .collect();
    maintenance.sort_by(|a, b| a.source.scheduled_for.cmp(&b.source.scheduled_for).then(a.doc.cmp(&b.doc)));
    let mut pages: Vec<ResolvedPage> =
        page_ids.iter().map(|(doc, p)| ResolvedPage { doc: *doc, weight: p.weight }).collect();
    pages.sort_by(|a, b| a.weight.cmp(&b.weight).then(docs[a.doc].title.cmp(&docs[b.doc].title)));
    let home_intro = by_rel.get(HOME_INTRO).copied();

    for inc in &incidents {
        outgoing[inc.doc].extend(scan::update_links(&inc.source.updates, &inc.source.meta.locations));
    }
    for m in &maintenance {
        outgoing[m.doc].extend(scan::update_links(&m.source.updates, &m.source.meta.locations));
    }
    let mut problems = Vec::new();
    links::resolve_links(&mut docs, &outgoing, &by_rel, &sources, audience, &matrix_ids, &mut problems);
    // Positions in the source files are for diagnostics, all made by now; at 10,000 incidents
    // they were a tenth of a build's peak memory. Dropped in parallel: freeing them one by one
    // was a serial stretch of the build.
    incidents.par_iter_mut().for_each(|i| i.source.meta.locations = Locations::default());
    maintenance.par_iter_mut().for_each(|m| m.source.meta.locations = Locations::default());
    status::derive_component_status(&mut components, &sources.components.components, &incidents, &maintenance);
    let overall = status::overall(&components, &incidents);
    let mut slots = vec![0; docs.len()];
    let lists: [Vec<DocId>; 6] = [
        incidents.iter().map(|d| d.doc).collect(),
        postmortems.iter().map(|d: &ResolvedPostmortem| d.doc).collect(),
        runbooks.iter().map(|d: &ResolvedRunbook| d.doc).collect(),
        matrices.iter().map(|d: &ResolvedMatrix| d.doc).collect(),
        maintenance.iter().map(|d| d.doc).collect(),
        pages.iter().map(|d| d.doc).collect(),
    ];
    for list in lists {
        for (slot, doc) in list.into_iter().enumerate() {
            slots[doc] = slot;
        }
    }
    let site = Site {
        slots,
        config: config.clone(),
        audience,
        now,
        docs,
        groups: sources.components.groups.clone(),
        components,
        incidents,
        postmortems,
        runbooks,
        matrices,
        maintenance,
        pages,
        home_intro,
        overall,
    };
    // What is left of the sources is freed on another thread: the rest of the build does not
    // wait for ten thousand documents' front matter to be freed one by one.
    rayon::spawn(move || drop(sources));
    (site, problems)
}

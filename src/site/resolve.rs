//! Resolving the sources into the `Site` of one audience: what the audience may not see is left
//! behind here, field by field, and nothing of the sources is carried over as written.

use super::blocks::{self, Source};
use super::links::{self, LinkContext};
use super::scan::{self, LinkRef};
pub(super) use super::updates::{UpdateContext, references, updates};
use super::*;
use crate::diagnostics::Diagnostic;
use crate::model::{self as m, Config, Meta, Sources};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What resolving makes of one visible document's body.
pub(super) struct Prepared {
    pub(super) visibility: usize,
    pub(super) body: Markdown,
    headings: Vec<Heading>,
    links: Vec<LinkRef>,
    path: String,
}

/// The document's body cut to `audience`, with its headings, links and page path; `None` when
/// the audience may not see the document (or it has no usable path, reported by `validate`).
pub(super) fn prepare(
    meta: &mut Meta,
    config: &Config,
    audience: usize,
    now: Timestamp,
    hidden: bool,
) -> Option<Prepared> {
    let body = std::mem::take(&mut meta.body);
    let visibility = meta.visibility.unwrap_or(config.defaults[&meta.kind]);
    if hidden || !visible(visibility, meta.embargo_until, audience, now) {
        return None;
    }
    let path = permalink(meta.kind, &meta.rel, &meta.slug)?;
    let src = Source { file: &meta.source, origin: meta.body_origin() };
    let body = blocks::cut_to(body, &config.audiences, src, audience, now);
    let (headings, links) = scan::scan(&body, meta.body_origin());
    Some(Prepared { visibility, body, headings, links, path })
}

/// What an incident recorded for each component the audience sees: the state its listing gives
/// (or its impact implies) from `started_at`, then each visible update's states.
fn component_impacts<S>(
    inc: &m::Incident,
    listed: &[ComponentId],
    updates: &[Update<S>],
    ids: &HashMap<&str, ComponentId>,
) -> (Vec<ComponentId>, Vec<ComponentImpact>) {
    let mut order: Vec<ComponentId> = listed.to_vec();
    let mut impacts: Vec<ComponentImpact> = listed
        .iter()
        .map(|c| {
            let state = inc
                .component_states
                .iter()
                .find(|(id, _)| ids.get(id.as_str()) == Some(c))
                .map_or(impact_status(inc.impact), |(_, s)| *s);
            ComponentImpact { component: *c, segments: vec![(inc.started_at, state)] }
        })
        .collect();
    for u in updates {
        for (c, state) in &u.components {
            match order.iter().position(|x| x == c) {
                Some(i) => impacts[i].segments.push((u.at, *state)),
                None => {
                    order.push(*c);
                    impacts.push(ComponentImpact { component: *c, segments: vec![(u.at, *state)] });
                }
            }
        }
    }
    (order, impacts)
}

/// The site's settings as outputs may use them.
fn site_config(config: &Config, audience: usize) -> SiteConfig {
    SiteConfig {
        title: config.title.clone(),
        description: config.description.clone(),
        base_url: config.base_url.clone(),
        chains: config
            .chains
            .iter()
            .map(|c| ChainInfo {
                id: c.id.clone(),
                name: c.name.clone(),
                block_time: c.block_time.as_ref().map(|b| b.text.clone()),
                explorer_url: c.explorer_url.clone(),
                explorers: c.explorers.clone(),
                units: c.units.clone(),
            })
            .collect(),
        impact_labels: config.vocabulary.impact_labels.clone(),
        repo_url: config.repo_url.clone().filter(|_| audience > 0 || config.repo_public),
        repo_branch: config.repo_branch.clone(),
        theme: config.theme.clone(),
        messages: config.messages.clone(),
        history_days: config.history_days,
        raw_html: config.raw_html,
        public_metrics: config.public_metrics,
        audiences: config.audiences.0[..=audience.min(config.audiences.most_trusted())].to_vec(),
        theme_pos: config.locations.value("theme"),
    }
}

/// Resolves the site `audience` sees at `now`. Diagnostics are the audience-specific ones
/// (links); the audience-independent rules come from [`validate`]. The sources are consumed:
/// the documents' bodies move into the site instead of being copied (at 10,000 incidents the
/// two copies were a third of a build's peak memory).
pub fn resolve(sources: Sources, audience: usize, now: Timestamp) -> (Site, Vec<Diagnostic>) {
    resolve_with(sources, audience, now, None)
}

/// [`resolve`], with the history git recorded (each document's revisions as the audience sees
/// them, and the build's stamp) when there is some.
pub fn resolve_with(
    mut sources: Sources,
    audience: usize,
    now: Timestamp,
    git: Option<(&super::revisions::GitInput<'_>, Stamp)>,
) -> (Site, Vec<Diagnostic>) {
    let audience = audience.min(sources.config.audiences.most_trusted());
    let most = sources.config.audiences.most_trusted();
    let config = &sources.config;
    // The per-document work, in parallel: visibility, the cut body, its headings and links.
    macro_rules! prepared {
        ($list:expr, $hidden:expr) => {{
            let hidden: Vec<bool> = $list.iter().map($hidden).collect();
            $list
                .par_iter_mut()
                .zip(hidden)
                .map(|(d, h)| prepare(&mut d.meta, config, audience, now, h))
                .collect::<Vec<_>>()
        }};
    }
    let r_incidents = prepared!(sources.incidents, |_| false);
    let r_postmortems =
        prepared!(sources.postmortems, |d: &m::Postmortem| d.status == PostmortemStatus::Draft && audience != most);
    let r_runbooks = prepared!(sources.runbooks, |_| false);
    let r_matrices = prepared!(sources.matrices, |_| false);
    let r_maintenance = prepared!(sources.maintenance, |_| false);
    let r_pages = prepared!(sources.pages, |_| false);

    let mut docs: Vec<Doc> = Vec::new();
    let mut by_rel: BTreeMap<String, DocId> = BTreeMap::new();
    let mut outgoing: Vec<Vec<LinkRef>> = Vec::new();
    let mut add = |meta: &Meta, ready: Option<Prepared>| -> Option<DocId> {
        let Prepared { visibility, body, headings, links, path } = ready?;
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
            embargo_until: meta.embargo_until,
            path,
            body,
            headings,
            links: BTreeMap::new(),
            backlinks: Vec::new(),
            aliases: meta.aliases.iter().filter_map(|a| alias_output(a)).collect(),
            history: None,
            front_hash: meta.front_hash,
        });
        Some(id)
    };
    macro_rules! number {
        ($list:expr, $ready:expr) => {{ $list.into_iter().zip($ready).filter_map(|(d, r)| add(&d.meta, r).map(|id| (id, d))).collect() }};
    }
    let all: BTreeMap<String, String> = sources.metas().map(|m| (m.rel.clone(), who_sees(m, config))).collect();
    let unloaded: BTreeSet<String> = sources.unloaded.iter().map(|(_, _, rel)| rel.clone()).collect();
    let incident_ids: Vec<(DocId, m::Incident)> = number!(std::mem::take(&mut sources.incidents), r_incidents);
    let postmortem_ids: Vec<(DocId, m::Postmortem)> = number!(std::mem::take(&mut sources.postmortems), r_postmortems);
    let runbook_ids: Vec<(DocId, m::Runbook)> = number!(std::mem::take(&mut sources.runbooks), r_runbooks);
    let matrix_ids: Vec<(DocId, m::Matrix)> = number!(std::mem::take(&mut sources.matrices), r_matrices);
    let maintenance_ids: Vec<(DocId, m::Maintenance)> =
        number!(std::mem::take(&mut sources.maintenance), r_maintenance);
    let page_ids: Vec<(DocId, m::Page)> = number!(std::mem::take(&mut sources.pages), r_pages);
    let config = &sources.config;

    let doc_of = |kind: Kind, slug: &str| by_rel.get(&format!("{}/{slug}.md", kind.as_str())).copied();
    let runbook_refs = |slugs: &[String]| -> Vec<DocId> {
        let mut out: Vec<DocId> = slugs.iter().filter_map(|s| doc_of(Kind::Runbook, s)).collect();
        dedup_keep_order(&mut out);
        out
    };

    // Components and groups the audience sees; references to the others are dropped.
    let mut components: Vec<ResolvedComponent> = Vec::new();
    let mut component_ids: HashMap<&str, ComponentId> = HashMap::new();
    let mut groups: Vec<ResolvedGroup> = Vec::new();
    let mut group_ids: HashMap<&str, usize> = HashMap::new();
    let chain_index = |id: Option<&str>| id.and_then(|id| config.chains.iter().position(|c| c.id == id));
    for c in &sources.components.components {
        if c.visibility.unwrap_or(config.component_default) > audience || component_ids.contains_key(c.id.as_str()) {
            continue;
        }
        let declared_group = c.group.as_deref().and_then(|g| sources.components.groups.iter().find(|x| x.id == g));
        let group = declared_group.map(|declared| {
            *group_ids.entry(declared.id.as_str()).or_insert_with(|| {
                groups.push(ResolvedGroup {
                    id: declared.id.clone(),
                    name: declared.name.clone(),
                    chain: chain_index(declared.chain.as_deref()),
                });
                groups.len() - 1
            })
        });
        let chain = chain_index(c.chain.as_deref().or(declared_group.and_then(|g| g.chain.as_deref())));
        component_ids.insert(&c.id, components.len());
        components.push(ResolvedComponent {
            id: c.id.clone(),
            name: c.name.clone(),
            group,
            description: c.description.clone(),
            status: c.status.unwrap_or(ComponentStatus::Operational),
            overridden: c.status.is_some(),
            chain,
        });
    }
    // Groups in the order of the file, whatever order their components come in.
    let group_order: Vec<usize> = {
        let mut order: Vec<usize> = (0..groups.len()).collect();
        let rank = |g: &ResolvedGroup| sources.components.groups.iter().position(|x| x.id == g.id);
        order.sort_by_key(|i| rank(&groups[*i]));
        order
    };
    let renumber: Vec<usize> = {
        let mut r = vec![0; groups.len()];
        for (new, old) in group_order.iter().enumerate() {
            r[*old] = new;
        }
        r
    };
    for c in &mut components {
        c.group = c.group.map(|g| renumber[g]);
    }
    let groups: Vec<ResolvedGroup> = group_order.into_iter().map(|i| groups[i].clone()).collect();
    let component_refs = |ids: &[String]| -> Vec<ComponentId> {
        let mut out: Vec<ComponentId> = ids.iter().filter_map(|id| component_ids.get(id.as_str()).copied()).collect();
        dedup_keep_order(&mut out);
        out
    };
    // The chain of a document: its own, else the one all its components are on.
    let doc_chain = |explicit: Option<&str>, on: &[ComponentId]| -> Option<usize> {
        if let Some(id) = explicit {
            return chain_index(Some(id));
        }
        let mut chains: Vec<usize> = on.iter().filter_map(|c| components[*c].chain).collect();
        chains.sort_unstable();
        chains.dedup();
        match chains.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    };
    let shows_type = audience >= config.vocabulary.incident_type;
    let shows_severity = audience >= config.vocabulary.severity;
    // Matrix rows by incident type, among the matrices the audience sees.
    let mut rows_by_type: HashMap<&str, RowRef> = HashMap::new();
    for (doc, mx) in &matrix_ids {
        for (i, row) in mx.rows.iter().enumerate() {
            rows_by_type.entry(row.id.as_str()).or_insert(RowRef { matrix: *doc, row: i });
        }
    }
    // Post-mortem of each incident slug (the first that names it), for incidents that don't
    // name theirs.
    let mut postmortem_of: HashMap<&str, DocId> = HashMap::new();
    for (id, pm) in &postmortem_ids {
        for slug in &pm.incidents {
            postmortem_of.entry(slug.as_str()).or_insert(*id);
        }
    }

    let mut incidents: Vec<ResolvedIncident> = incident_ids
        .into_par_iter()
        .map(|(doc, mut inc)| {
            let mut found = Vec::new();
            let cx = UpdateContext {
                file: &inc.meta.source,
                visibility: docs[doc].visibility,
                config,
                audience,
                now,
                components: &component_ids,
            };
            let updates = updates(std::mem::take(&mut inc.updates), &cx, &mut found);
            let is_open = inc.resolved_at.is_none();
            let status = if is_open {
                updates.last().map_or(IncidentStatus::Investigating, |u| u.status)
            } else {
                IncidentStatus::Resolved
            };
            let postmortem = inc
                .postmortem
                .as_deref()
                .and_then(|p| doc_of(Kind::Postmortem, p))
                .or_else(|| postmortem_of.get(inc.meta.slug.as_str()).copied());
            let (components, impacts) =
                component_impacts(&inc, &component_refs(&inc.components), &updates, &component_ids);
            let resolved = ResolvedIncident {
                doc,
                row: inc.incident_type.as_deref().filter(|_| shows_type).and_then(|t| rows_by_type.get(t).copied()),
                severity: shows_severity.then_some(inc.severity),
                impact: inc.impact,
                chain: doc_chain(inc.chain.as_deref(), &components),
                components,
                impacts,
                started_at: inc.started_at,
                detected_at: inc.detected_at,
                acknowledged_at: inc.acknowledged_at,
                contained_at: inc.contained_at,
                fix_deployed_at: inc.fix_deployed_at,
                resolved_at: inc.resolved_at,
                halted_at: inc.halted_at,
                resumed_at: inc.resumed_at,
                backfilled: inc.backfilled,
                postmortem_url: inc.postmortem_url.take(),
                references: references(std::mem::take(&mut inc.references), docs[doc].visibility, audience),
                precision: std::mem::take(&mut inc.precision),
                updates,
                status,
                is_open,
                runbooks: runbook_refs(&inc.runbooks),
                postmortem,
            };
            (resolved, found)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|(i, found)| {
            outgoing[i.doc].extend(found);
            i
        })
        .collect();
    incidents.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(a.doc.cmp(&b.doc)));

    let postmortems: Vec<ResolvedPostmortem> = postmortem_ids
        .into_iter()
        .map(|(doc, pm)| {
            let mut incidents: Vec<DocId> = pm.incidents.iter().filter_map(|i| doc_of(Kind::Incident, i)).collect();
            dedup_keep_order(&mut incidents);
            ResolvedPostmortem {
                doc,
                status: pm.status,
                authors: pm.authors,
                reviewers: pm.reviewers,
                published_at: pm.published_at,
                incidents,
                action_items: pm
                    .action_items
                    .into_iter()
                    .map(|a| ActionItem {
                        runbook: a.runbook.as_deref().and_then(|r| doc_of(Kind::Runbook, r)),
                        title: a.title,
                        owner: a.owner,
                        due: a.due,
                        status: a.status,
                    })
                    .collect(),
                external_url: pm.external_url,
                references: references(pm.references, docs[doc].visibility, audience),
                precision: pm.precision,
            }
        })
        .collect();
    // Incidents by runbook and by matrix row, in `incidents` order (newest first).
    let mut by_runbook: HashMap<DocId, Vec<DocId>> = HashMap::new();
    let mut by_row: HashMap<(DocId, usize), Vec<DocId>> = HashMap::new();
    for i in &incidents {
        for rb in &i.runbooks {
            by_runbook.entry(*rb).or_default().push(i.doc);
        }
        if let Some(r) = i.row {
            by_row.entry((r.matrix, r.row)).or_default().push(i.doc);
        }
    }
    let runbooks: Vec<ResolvedRunbook> = runbook_ids
        .into_iter()
        .map(|(doc, rb)| {
            let mut incident_types: Vec<RowRef> =
                rb.incident_types.iter().filter_map(|t| rows_by_type.get(t.as_str()).copied()).collect();
            dedup_keep_order(&mut incident_types);
            ResolvedRunbook {
                doc,
                incident_types,
                components: component_refs(&rb.components),
                owners: rb.owners,
                last_reviewed: rb.last_reviewed,
                review_every: rb.review_every,
                incidents: by_runbook.remove(&doc).unwrap_or_default(),
            }
        })
        .collect();
    let mut row_anchors: HashMap<DocId, Vec<String>> = HashMap::new();
    let matrices: Vec<ResolvedMatrix> = matrix_ids
        .into_iter()
        .map(|(doc, mx)| {
            row_anchors.insert(doc, mx.rows.iter().map(|r| r.id.clone()).collect());
            let rows = mx
                .rows
                .into_iter()
                .enumerate()
                .map(|(i, row)| ResolvedRow {
                    runbooks: runbook_refs(&row.runbooks),
                    incidents: by_row.remove(&(doc, i)).unwrap_or_default(),
                    id: row.id,
                    label: row.incident,
                    severity: row.severity,
                    responsible: row.responsible,
                    approvals: row.approvals,
                    respond_within: row.respond_within,
                    disclose_within: row.disclose_within,
                    notify: row.notify,
                })
                .collect();
            ResolvedMatrix { doc, rows }
        })
        .collect();
    let mut maintenance: Vec<ResolvedMaintenance> = maintenance_ids
        .into_iter()
        .map(|(doc, mt)| {
            let cx = UpdateContext {
                file: &mt.meta.source,
                visibility: docs[doc].visibility,
                config,
                audience,
                now,
                components: &component_ids,
            };
            let updates = updates(mt.updates, &cx, &mut outgoing[doc]);
            let components = component_refs(&mt.components);
            ResolvedMaintenance {
                doc,
                chain: doc_chain(mt.chain.as_deref(), &components),
                components,
                phase: status::phase(mt.status, mt.scheduled_for, mt.scheduled_until, now),
                scheduled_for: mt.scheduled_for,
                scheduled_until: mt.scheduled_until,
                status: status::shown_status(mt.status, mt.halt.is_empty(), mt.scheduled_for, mt.scheduled_until, now),
                halt: mt.halt,
                resumed_at: mt.resumed_at,
                started_at: mt.started_at,
                ended_at: mt.ended_at,
                precision: mt.precision,
                references: references(mt.references, docs[doc].visibility, audience),
                updates,
                notified: Vec::new(),
            }
        })
        .collect();
    maintenance.sort_by(|a, b| a.scheduled_for.cmp(&b.scheduled_for).then(a.doc.cmp(&b.doc)));
    let mut pages: Vec<ResolvedPage> =
        page_ids.into_iter().map(|(doc, p)| ResolvedPage { doc, weight: p.weight }).collect();
    pages.sort_by(|a, b| a.weight.cmp(&b.weight).then(docs[a.doc].title.cmp(&docs[b.doc].title)));
    let home_intro = by_rel.get(HOME_INTRO).copied();

    let mut problems = Vec::new();
    let cx = LinkContext { by_rel: &by_rel, all: &all, unloaded: &unloaded, row_anchors: &row_anchors };
    links::resolve_links(&mut docs, &outgoing, &cx, &mut problems);
    status::derive_component_status(&mut components, &incidents, &maintenance);
    let overall = status::overall(&components, &incidents);
    let mut slots = vec![0; docs.len()];
    let lists: [Vec<DocId>; 6] = [
        incidents.iter().map(|d| d.doc).collect(),
        postmortems.iter().map(|d| d.doc).collect(),
        runbooks.iter().map(|d| d.doc).collect(),
        matrices.iter().map(|d| d.doc).collect(),
        maintenance.iter().map(|d| d.doc).collect(),
        pages.iter().map(|d| d.doc).collect(),
    ];
    for list in lists {
        for (slot, doc) in list.into_iter().enumerate() {
            slots[doc] = slot;
        }
    }
    super::notices::attach(&mut incidents, &mut maintenance, &docs, config, &sources.notified);
    let mut site = Site {
        stamp: Stamp::default(),
        withdrawn: Vec::new(),
        repo_public: config.repo_public,
        slots,
        config: site_config(config, audience),
        audience,
        most_trusted: audience == most,
        now,
        docs,
        groups,
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
    if let Some((input, stamp)) = git {
        super::revisions::attach(&mut site, &sources.config, input);
        site.stamp = stamp;
    }
    // What is left of the sources is freed on another thread: the rest of the build does not
    // wait for ten thousand documents' front matter to be freed one by one.
    rayon::spawn(move || drop(sources));
    (site, problems)
}

/// Who may see a document, in words, for a link that points at it from where it is not seen.
fn who_sees(meta: &Meta, config: &Config) -> String {
    let visibility = meta.visibility.unwrap_or(config.defaults[&meta.kind]);
    let name = config.audiences.name(visibility);
    match meta.embargo_until {
        Some(t) => {
            format!("{name}, embargoed for the {} audience until {}", config.audiences.name(0), crate::text::iso(t))
        }
        None => format!("visible to {name}"),
    }
}

/// Drops repeated references, keeping the first of each.
fn dedup_keep_order<T: PartialEq + Copy>(list: &mut Vec<T>) {
    let mut seen = Vec::with_capacity(list.len());
    list.retain(|x| {
        if seen.contains(x) {
            false
        } else {
            seen.push(*x);
            true
        }
    });
}

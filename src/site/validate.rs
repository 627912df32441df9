//! The rules of the content model that do not depend on the audience: references between
//! documents, time order of updates and metrics, `resolved` rules, duplicate ids, blocks.

use super::blocks::{Source, scan};
use crate::diagnostics::{Diagnostic, Pos, suggest};
use crate::model::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The ids of one kind that exist in the repo, for checking references to them.
struct Names<'a> {
    set: BTreeSet<&'a str>,
    what: &'static str,
    code: &'static str,
}

impl Names<'_> {
    /// Reports `name`, written at `path` of the file `at`, unless it exists.
    fn check(&self, (file, loc): (&Path, &Locations), path: &str, name: &str, out: &mut Vec<Diagnostic>) {
        if self.set.contains(name) {
            return;
        }
        let what = self.what;
        let help = match suggest(name, self.set.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if self.set.is_empty() => format!("there is no {what} in this repo yet"),
            None => format!("known {what} ids: {}", self.set.iter().take(12).copied().collect::<Vec<_>>().join(", ")),
        };
        out.push(
            Diagnostic::error(file, loc.value(path), self.code, format!("unknown {what} `{name}`")).with_help(help),
        );
    }
}

/// Where a document's front-matter keys are, for `Names::check`.
fn at(m: &Meta) -> (&Path, &Locations) {
    (m.source.as_path(), &m.locations)
}

/// Ids of the documents of one kind, including files that exist but failed to load.
fn slugs<'a>(metas: Vec<&'a Meta>, unloaded: &'a [(Kind, String, String)], kind: Kind) -> BTreeSet<&'a str> {
    let broken = unloaded.iter().filter(move |(k, _, _)| *k == kind).map(|(_, slug, _)| slug.as_str());
    metas.into_iter().map(|m| m.slug.as_str()).chain(broken).collect()
}

pub fn validate(s: &Sources) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let components = Names {
        set: s.components.components.iter().map(|c| c.id.as_str()).collect(),
        what: "component",
        code: "unknown-component",
    };
    let runbooks = Names {
        set: slugs(s.runbooks.iter().map(|d| &d.meta).collect(), &s.unloaded, Kind::Runbook),
        what: "runbook",
        code: "unknown-runbook",
    };
    let postmortems = Names {
        set: slugs(s.postmortems.iter().map(|d| &d.meta).collect(), &s.unloaded, Kind::Postmortem),
        what: "post-mortem",
        code: "unknown-postmortem",
    };
    let incidents = Names {
        set: slugs(s.incidents.iter().map(|d| &d.meta).collect(), &s.unloaded, Kind::Incident),
        what: "incident",
        code: "unknown-incident",
    };
    let types = Names {
        set: s.matrices.iter().flat_map(|m| m.rows.iter().map(|r| r.id.as_str())).collect(),
        what: "incident type (decision matrix row)",
        code: "unknown-type",
    };
    // A matrix that failed to load hides its rows: do not report every incident type as unknown.
    let matrices_complete = !s.unloaded.iter().any(|(k, _, _)| *k == Kind::Matrix);
    check_components(s, &mut out);
    duplicate_slugs(s, &mut out);
    super::lifecycle::postmortem_pairs(s, &mut out);
    // Incidents are most of a large repo: checked in parallel (the problems are sorted later).
    let incident_problems: Vec<Diagnostic> = s
        .incidents
        .par_iter()
        .flat_map_iter(|inc| {
            let mut out = Vec::new();
            let m = &inc.meta;
            for (i, c) in inc.components.iter().enumerate() {
                components.check(at(m), &format!("components.{i}"), c, &mut out);
            }
            for (i, r) in inc.runbooks.iter().enumerate() {
                runbooks.check(at(m), &format!("runbooks.{i}"), r, &mut out);
            }
            if let Some(p) = &inc.postmortem {
                postmortems.check(at(m), "postmortem", p, &mut out);
            }
            if let Some(t) = inc.incident_type.as_ref().filter(|_| matrices_complete) {
                types.check(at(m), "type", t, &mut out);
            }
            updates(m, &inc.updates, Some(inc.started_at), &mut out);
            resolution(inc, &mut out);
            metric_order(inc, &mut out);
            out
        })
        .collect();
    out.extend(incident_problems);
    for pm in &s.postmortems {
        let m = &pm.meta;
        for (i, id) in pm.incidents.iter().enumerate() {
            incidents.check(at(m), &format!("incidents.{i}"), id, &mut out);
        }
        for (i, item) in pm.action_items.iter().enumerate() {
            if let Some(r) = &item.runbook {
                let path = format!("action_items.{i}.runbook");
                runbooks.check(at(m), &path, r, &mut out);
            }
        }
        super::lifecycle::postmortem_rules(pm, &s.config.required_sections, &mut out);
    }
    for rb in &s.runbooks {
        let m = &rb.meta;
        for (i, c) in rb.components.iter().enumerate() {
            components.check(at(m), &format!("components.{i}"), c, &mut out);
        }
        for (i, t) in rb.incident_types.iter().enumerate().filter(|_| matrices_complete) {
            let path = format!("incident_types.{i}");
            types.check(at(m), &path, t, &mut out);
        }
    }
    let mut row_ids: BTreeMap<&str, &Path> = BTreeMap::new();
    for mx in &s.matrices {
        let m = &mx.meta;
        for (i, row) in mx.rows.iter().enumerate() {
            for (j, r) in row.runbooks.iter().enumerate() {
                let path = format!("rows.{i}.runbooks.{j}");
                runbooks.check(at(m), &path, r, &mut out);
            }
            for (key, span) in [("respond_within", &row.respond_within), ("disclose_within", &row.disclose_within)] {
                if span.as_ref().is_some_and(|s| s.seconds == 0) {
                    let path = format!("rows.{i}.{key}");
                    out.push(
                        Diagnostic::error(
                            &m.source,
                            m.locations.value(&path),
                            "bad-duration",
                            format!("`{key}` is zero"),
                        )
                        .with_help("a deadline must be longer than zero, e.g. 15m or 1h; leave it out for none"),
                    );
                }
            }
            if let Some(first) = row_ids.insert(&row.id, &m.source) {
                out.push(
                    Diagnostic::error(
                        &m.source,
                        m.locations.value(&format!("rows.{i}.id")),
                        "duplicate-id",
                        format!("decision matrix row `{}` is already defined", row.id),
                    )
                    .with_help(format!(
                        "row ids are incident types and must be unique across matrices; the first is in {}",
                        crate::diagnostics::display_path(first)
                    )),
                );
            }
        }
    }
    for mt in &s.maintenance {
        let m = &mt.meta;
        for (i, c) in mt.components.iter().enumerate() {
            components.check(at(m), &format!("components.{i}"), c, &mut out);
        }
        if mt.scheduled_until < mt.scheduled_for {
            out.push(
                Diagnostic::error(
                    &m.source,
                    m.locations.value("scheduled_until"),
                    "time-order",
                    "`scheduled_until` is before `scheduled_for`",
                )
                .with_help("the window ends after it starts; check the date and the offset"),
            );
        }
        updates(m, &mt.updates, None, &mut out);
    }
    let audiences = &s.config.audiences;
    let block_problems: Vec<Diagnostic> = s
        .metas()
        .collect::<Vec<_>>()
        .par_iter()
        .flat_map_iter(|meta| {
            let src = Source { file: &meta.source, origin: meta.body_origin() };
            let mut found = scan(&meta.body, audiences, src).1;
            if super::permalink(meta.kind, &meta.rel, &meta.slug).is_none() && meta.kind == Kind::Page {
                found.push(
                    Diagnostic::error(
                        &meta.source,
                        Pos::START,
                        "bad-path",
                        "this file's path leaves nothing to make a URL of",
                    )
                    .with_help("name the file and its folders with letters or digits, e.g. `about/team.md`"),
                );
            }
            found
        })
        .collect();
    out.extend(block_problems);
    let update_problems: Vec<Diagnostic> = s
        .incidents
        .par_iter()
        .flat_map_iter(|i| update_blocks(&i.meta, &i.updates, audiences))
        .chain(s.maintenance.par_iter().flat_map_iter(|m| update_blocks(&m.meta, &m.updates, audiences)))
        .collect();
    out.extend(update_problems);
    config_urls(&s.config, &mut out);
    out
}

/// Audience blocks inside the texts of a document's updates, and the updates' ids.
fn update_blocks<S>(m: &Meta, updates: &[StatusUpdate<S>], audiences: &Audiences) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for u in updates {
        out.extend(scan(&u.body, audiences, Source { file: &m.source, origin: u.body_origin }).1);
        let id = u.uid();
        if let Some(first) = ids.insert(id.clone(), u.index) {
            let explicit = u.id.is_some();
            let path = if explicit { format!("updates.{}.id", u.index) } else { format!("updates.{}.at", u.index) };
            out.push(
                Diagnostic::error(
                    &m.source,
                    m.locations.value(&path),
                    "duplicate-update-id",
                    format!("update {} has the same id `{id}` as update {}", u.index + 1, first + 1),
                )
                .with_help(
                    "an update's id is its time to the second unless it has `id:`; give one of them an \
                     explicit `id: <name>` (letters, digits, dashes)",
                ),
            );
        }
    }
    out
}

/// Addresses in cairn.yaml end up in links and in the status API: only web addresses are allowed.
fn config_urls(config: &Config, out: &mut Vec<Diagnostic>) {
    let file = Path::new("cairn.yaml");
    let mut urls: Vec<(String, &str)> = vec![("base_url".into(), config.base_url.as_str())];
    urls.extend(config.repo_url.as_deref().map(|u| ("repo_url".to_string(), u)));
    urls.extend(
        config.chain.as_ref().and_then(|c| c.explorer_url.as_deref()).map(|u| ("chain.explorer_url".to_string(), u)),
    );
    urls.extend(config.audience_urls.iter().map(|(k, v)| (format!("audience_urls.{k}"), v.as_str())));
    for (key, url) in urls {
        if !crate::text::is_web_url(url) {
            out.push(
                Diagnostic::error(file, config.locations.value(&key), "bad-url", format!("`{key}` is not a web address: `{url}`"))
                    .with_help("write an absolute http:// or https:// address without spaces or quotes, e.g. https://status.example.org"),
            );
        }
    }
}

fn check_components(s: &Sources, out: &mut Vec<Diagnostic>) {
    let file = &s.components.source;
    let loc = &s.components.locations;
    let mut groups = BTreeSet::new();
    for g in &s.components.groups {
        if !groups.insert(g.id.as_str()) {
            out.push(
                Diagnostic::error(
                    file,
                    loc.value(&format!("groups.{}.id", g.index)),
                    "duplicate-id",
                    format!("group `{}` is defined twice", g.id),
                )
                .with_help("give each group a distinct id"),
            );
        }
    }
    let mut ids = BTreeSet::new();
    for c in &s.components.components {
        if !ids.insert(c.id.as_str()) {
            out.push(
                Diagnostic::error(
                    file,
                    loc.value(&format!("components.{}.id", c.index)),
                    "duplicate-id",
                    format!("component `{}` is defined twice", c.id),
                )
                .with_help("give each component a distinct id"),
            );
        }
        if let Some(g) = &c.group {
            let known = Names { set: groups.clone(), what: "group", code: "unknown-group" };
            known.check((file, loc), &format!("components.{}.group", c.index), g, out);
        }
    }
}

fn duplicate_slugs(s: &Sources, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<(Kind, &str), &Meta> = BTreeMap::new();
    for m in s.metas().filter(|m| m.kind != Kind::Page) {
        if let Some(first) = seen.insert((m.kind, m.slug.as_str()), m) {
            out.push(
                Diagnostic::error(
                    &m.source,
                    Pos::START,
                    "duplicate-id",
                    format!("another {} is already named `{}`", m.kind.singular(), m.slug),
                )
                .with_help(format!(
                    "file names are ids; rename this file or {}",
                    crate::diagnostics::display_path(&first.source)
                )),
            );
        }
    }
}

fn updates<S: Copy + PartialEq + 'static>(
    m: &Meta,
    updates: &[StatusUpdate<S>],
    started_at: Option<Timestamp>,
    out: &mut Vec<Diagnostic>,
) {
    let mut previous: Option<Timestamp> = None;
    for u in updates {
        let path = format!("updates.{}.at", u.index);
        if let Some(p) = previous
            && u.at < p
        {
            out.push(
                Diagnostic::error(
                    &m.source,
                    m.locations.value(&path),
                    "update-order",
                    "this update is earlier than the one before it",
                )
                .with_help("list updates oldest first, newest last"),
            );
        }
        if let Some(start) = started_at
            && u.at < start
        {
            out.push(
                Diagnostic::error(
                    &m.source,
                    m.locations.value(&path),
                    "update-order",
                    "this update is earlier than `started_at`",
                )
                .with_help("an update cannot predate the incident; check the time and its offset"),
            );
        }
        if let Some(next) = u.next_update
            && next <= u.at
        {
            out.push(
                Diagnostic::error(
                    &m.source,
                    m.locations.value(&format!("updates.{}.next_update", u.index)),
                    "update-order",
                    "`next_update` is not later than this update's `at`",
                )
                .with_help("promise the next update for a time after this one, or leave `next_update` out"),
            );
        }
        previous = Some(u.at);
    }
}

fn resolution(inc: &Incident, out: &mut Vec<Diagnostic>) {
    let m = &inc.meta;
    let last = inc.updates.len().saturating_sub(1);
    for (i, u) in inc.updates.iter().enumerate() {
        if u.status == IncidentStatus::Resolved && i != last {
            out.push(
                Diagnostic::error(
                    &m.source,
                    m.locations.value(&format!("updates.{}.status", u.index)),
                    "resolved-not-last",
                    "`resolved` must be the last update",
                )
                .with_help("an incident that is still being worked on is `monitoring`; move or change this update"),
            );
        }
    }
    let resolved = inc.updates.last().is_some_and(|u| u.status == IncidentStatus::Resolved);
    match (resolved, inc.resolved_at) {
        (true, None) => {
            let u = inc.updates.last().map_or(0, |u| u.index);
            out.push(
                Diagnostic::error(
                    &m.source,
                    m.locations.value(&format!("updates.{u}.status")),
                    "missing-resolved-at",
                    "the incident is resolved but has no `resolved_at`",
                )
                .with_help("add `resolved_at:` with the time impact ended"),
            );
        }
        (false, Some(_)) => out.push(
            Diagnostic::error(
                &m.source,
                m.locations.key("resolved_at"),
                "resolved-without-update",
                "`resolved_at` is set but the last update is not `resolved`",
            )
            .with_help("add a final update with `status: resolved` telling users it is over"),
        ),
        _ => {}
    }
}

fn metric_order(inc: &Incident, out: &mut Vec<Diagnostic>) {
    let chain = [
        ("started_at", Some(inc.started_at)),
        ("detected_at", inc.detected_at),
        ("acknowledged_at", inc.acknowledged_at),
        ("contained_at", inc.contained_at),
        ("resolved_at", inc.resolved_at),
    ];
    let mut previous: Option<(&str, Timestamp)> = None;
    for (key, t) in chain {
        let Some(t) = t else { continue };
        if let Some((pkey, p)) = previous
            && t < p
        {
            out.push(time_order(&inc.meta, key, pkey));
        }
        previous = Some((key, t));
    }
    if let Some(fix) = inc.fix_deployed_at {
        if fix < inc.started_at {
            out.push(time_order(&inc.meta, "fix_deployed_at", "started_at"));
        }
        if inc.resolved_at.is_some_and(|r| r < fix) {
            out.push(time_order(&inc.meta, "resolved_at", "fix_deployed_at"));
        }
    }
}

fn time_order(m: &Meta, key: &str, before: &str) -> Diagnostic {
    Diagnostic::error(&m.source, m.locations.value(key), "time-order", format!("`{key}` is earlier than `{before}`"))
        .with_help(
            "incident times run started ≤ detected ≤ acknowledged ≤ contained ≤ resolved; check the times and offsets",
        )
}

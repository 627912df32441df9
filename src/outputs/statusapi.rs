//! The Statuspage v2 public API as static JSON under `api/v2/`: same endpoints, field names, enums
//! and nesting, so existing Statuspage clients work against a cairn site. Ids are slugs, and an
//! update's id is its document's slug and its own stable id (see `StatusUpdate::uid`). What the
//! content model has beyond Statuspage (chain positions, provenance, progress, references, time
//! precision) is under a `cairn` key of the object it belongs to, present only when it has
//! something.

use super::OutputFile;
use crate::model::{ChainPoint, ComponentStatus, IncidentStatus, PostmortemStatus, Precision, Precisions};
use crate::site::{ComponentId, Doc, Phase, Reference, ResolvedIncident, ResolvedMaintenance, Site, Update};
use crate::view::iso;
use serde_json::{Map, Value, json};

/// How many incidents and maintenance windows the list endpoints hold, as on Statuspage.
const LIST_LIMIT: usize = 50;

/// The page's id: its title, slugged.
fn page_id(site: &Site) -> String {
    crate::text::slugify(&site.config.title)
}

fn page(site: &Site) -> Value {
    json!({
        "id": page_id(site),
        "name": site.config.title,
        "url": site.config.base_url,
        "time_zone": "Etc/UTC",
        "updated_at": iso(site.now),
    })
}

/// The worst status among a group's visible members.
fn group_status(site: &Site, group: usize) -> Option<ComponentStatus> {
    site.components.iter().filter(|c| c.group == Some(group)).map(|c| c.status).max()
}

/// Components as Statuspage lists them: each group as a component with `group: true` and the ids
/// of its members, then every component with its `group_id`.
pub fn components(site: &Site) -> Vec<Value> {
    let page_id = page_id(site);
    let now = iso(site.now);
    let mut out = Vec::new();
    for (position, g) in site.groups.iter().enumerate() {
        let Some(status) = group_status(site, position) else { continue };
        let members: Vec<&str> =
            site.components.iter().filter(|c| c.group == Some(position)).map(|c| c.id.as_str()).collect();
        out.push(json!({
            "id": g.id, "name": g.name, "status": status.as_str(), "created_at": now, "updated_at": now,
            "position": position + 1, "description": null, "showcase": false, "start_date": null,
            "group_id": null, "page_id": page_id, "group": true, "only_show_if_degraded": false,
            "components": members,
        }));
    }
    for (position, c) in site.components.iter().enumerate() {
        let group_id = c.group.map(|g| site.groups[g].id.as_str());
        let mut entry = json!({
            "id": c.id, "name": c.name, "status": c.status.as_str(), "created_at": now, "updated_at": now,
            "position": position + 1, "description": c.description, "showcase": true, "start_date": null,
            "group_id": group_id, "page_id": page_id, "group": false, "only_show_if_degraded": false,
        });
        if let Some(chain) = c.chain.and_then(|i| site.config.chains.get(i)) {
            entry["cairn"] = json!({"chain": chain.id});
        }
        out.push(entry);
    }
    out
}

fn component_entries(site: &Site, ids: &[ComponentId]) -> Vec<Value> {
    components(site)
        .into_iter()
        .filter(|c| ids.iter().any(|id| c["id"] == site.component(*id).id.as_str()) && c["group"] == false)
        .collect()
}

/// Joins the lines of each paragraph that the author wrapped in the YAML (markdown soft breaks),
/// keeping list items and paragraph breaks: clients show a body's newlines as written.
pub(super) fn unwrap_paragraphs(text: &str) -> String {
    let list_item = |l: &str| {
        let l = l.trim_start();
        l.starts_with("- ") || l.starts_with("* ") || l.split_once(". ").is_some_and(|(n, _)| n.parse::<u32>().is_ok())
    };
    text.trim_end()
        .split("\n\n")
        .map(|para| {
            let mut out = String::new();
            for line in para.lines() {
                if !out.is_empty() {
                    out.push(if list_item(line) { '\n' } else { ' ' });
                }
                out.push_str(line.trim());
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// An update body as plain markdown, paragraphs unwrapped and cairn's `@/` links turned into
/// absolute URLs.
fn body_text(site: &Site, doc: &Doc, body: &str) -> String {
    let mut text = unwrap_paragraphs(body);
    for (written, path) in &doc.links {
        text = text.replace(&format!("]({written})"), &format!("]({}/{path})", site.config.base_url));
    }
    text
}

/// A position on a chain as JSON: `{"height": 1048500, "slot": …}` with the explorer addresses.
fn point(site: &Site, chain: Option<usize>, p: &ChainPoint) -> Option<Value> {
    if p.is_empty() {
        return None;
    }
    let mut out = Map::new();
    for (unit, n) in p.units() {
        out.insert(unit.as_str().to_string(), json!(n));
        if let Some(url) = site.chain(chain).and_then(|c| c.url(unit, n)) {
            out.insert(format!("{}_url", unit.as_str()), json!(url));
        }
    }
    Some(Value::Object(out))
}

fn references(list: &[Reference]) -> Option<Value> {
    (!list.is_empty()).then(|| {
        list.iter()
            .map(|r| {
                json!({"kind": r.kind.as_str(), "title": r.title, "id": r.id, "url": r.url,
                       "credit": r.credit, "amount": r.amount})
            })
            .collect()
    })
}

/// The precision of each time that is not exact.
fn precision(p: &Precisions) -> Option<Value> {
    (!p.0.is_empty()).then(|| p.0.iter().map(|(k, v)| (k.to_string(), json!(v.as_str()))).collect::<Map<_, _>>().into())
}

/// `"cairn": {…}` with the entries that have a value, or nothing.
fn extension(entries: Vec<(&str, Option<Value>)>) -> Option<Value> {
    let map: Map<String, Value> = entries.into_iter().filter_map(|(k, v)| Some((k.to_string(), v?))).collect();
    (!map.is_empty()).then_some(Value::Object(map))
}

fn update_entry<S>(
    site: &Site,
    doc: &Doc,
    chain: Option<usize>,
    u: &Update<S>,
    status: &str,
    affected: Value,
) -> Value {
    let at = iso(u.at);
    let mut entry = json!({
        "id": format!("{}-{}", doc.slug, u.id), "status": status, "body": body_text(site, doc, u.body.as_str()),
        "incident_id": doc.slug, "created_at": at, "updated_at": at, "display_at": at,
        "affected_components": affected, "deliver_notifications": !u.notified.is_empty(), "custom_tweet": null, "tweet_id": null,
    });
    let extra = extension(vec![
        ("at_precision", (u.at_precision != Precision::Exact).then(|| json!(u.at_precision.as_str()))),
        ("position", point(site, chain, &u.point)),
        ("source", u.source.as_ref().map(|s| json!({"channel": s.channel, "url": s.url, "author": s.author}))),
        (
            "progress",
            u.progress.as_ref().map(|p| json!({"label": p.label, "percent": p.percent, "threshold": p.threshold})),
        ),
        ("references", references(&u.references)),
        ("notified", notified(&u.notified)),
    ]);
    if let Some(extra) = extra {
        entry["cairn"] = extra;
    }
    entry
}

/// Where `cairn notify` delivered it: public channels only (see `site::Notice`).
fn notified(list: &[crate::site::Notice]) -> Option<Value> {
    (!list.is_empty())
        .then(|| list.iter().map(|n| json!({"channel": n.label, "kind": n.kind.as_str(), "at": iso(n.at)})).collect())
}

/// The state of each recorded component after each update: what the incident recorded for it
/// at that update, operational from `resolved` on (unless the update says otherwise).
fn states_after(inc: &ResolvedIncident) -> Vec<Vec<ComponentStatus>> {
    inc.updates
        .iter()
        .map(|u| {
            inc.impacts
                .iter()
                .map(|c| {
                    let explicit = u.components.iter().find(|(id, _)| *id == c.component).map(|(_, s)| *s);
                    match (explicit, u.status == IncidentStatus::Resolved || u.status.is_note()) {
                        (Some(s), _) => s,
                        (None, true) => ComponentStatus::Operational,
                        (None, false) => c.at(u.at),
                    }
                })
                .collect()
        })
        .collect()
}

/// The text of the incident's post-mortem, when the audience sees it published.
fn postmortem_body(site: &Site, inc: &ResolvedIncident) -> Option<String> {
    let id = inc.postmortem?;
    let pm = site.postmortems.iter().find(|p| p.doc == id)?;
    (pm.status == PostmortemStatus::Published).then(|| {
        let doc = site.doc(id);
        // Spacing as the audience's text has it, not as the cut of hidden blocks left it: runs
        // of spaces and of blank lines are one, so hidden material leaves no trace.
        let text = body_text(site, doc, doc.body.as_str());
        let mut out = String::with_capacity(text.len());
        for para in text
            .split('\n')
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .split(|l| l.is_empty())
        {
            if para.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&para.join("\n"));
        }
        out
    })
}

pub fn incident(site: &Site, inc: &ResolvedIncident) -> Value {
    let doc = site.doc(inc.doc);
    let s = inc;
    let after = states_after(inc);
    let updates: Vec<Value> = s
        .updates
        .iter()
        .enumerate()
        .rev()
        .map(|(i, u)| {
            let affected: Vec<Value> = inc
                .impacts
                .iter()
                .enumerate()
                .filter_map(|(k, c)| {
                    let old = if i == 0 { ComponentStatus::Operational } else { after[i - 1][k] };
                    let new = after[i][k];
                    let named = u.components.iter().any(|(id, _)| *id == c.component);
                    let comp = site.component(c.component);
                    (named || old != new).then(|| {
                        json!({"code": comp.id, "name": comp.name, "old_status": old.as_str(), "new_status": new.as_str()})
                    })
                })
                .collect();
            let affected = if affected.is_empty() { Value::Null } else { Value::Array(affected) };
            update_entry(site, doc, inc.chain, u, u.status.as_str(), affected)
        })
        .collect();
    let last = s.updates.last().map(|u| u.at).into_iter().chain(s.resolved_at).max().unwrap_or(s.started_at);
    let monitoring_at = s.updates.iter().find(|u| u.status == IncidentStatus::Monitoring).map(|u| iso(u.at));
    // Statuspage says `postmortem` once the post-mortem is out.
    let status = match s.updates.last().map(|u| u.status) {
        Some(IncidentStatus::Postmortem) if !inc.is_open => "postmortem",
        _ => inc.status.as_str(),
    };
    let mut entry = json!({
        "id": doc.slug, "name": doc.title, "status": status,
        "created_at": iso(s.started_at), "updated_at": iso(last), "monitoring_at": monitoring_at,
        "resolved_at": s.resolved_at.map(iso), "impact": s.impact.as_str(),
        "shortlink": format!("{}/{}", site.config.base_url, doc.path), "started_at": iso(s.started_at),
        "page_id": page_id(site), "incident_updates": updates, "components": component_entries(site, &s.components),
        "reminder_intervals": null, "postmortem_body": postmortem_body(site, inc),
    });
    let extra = extension(vec![
        ("chain", point_chain(site, inc.chain, [&inc.halted_at, &inc.resumed_at])),
        ("halted_at", point(site, inc.chain, &inc.halted_at)),
        ("resumed_at", point(site, inc.chain, &inc.resumed_at)),
        ("backfilled", inc.backfilled.then_some(json!(true))),
        ("severity", inc.severity.map(|v| json!(v.as_str()))),
        ("type", inc.row.map(|r| json!(site.row(r).id))),
        ("postmortem_url", inc.postmortem_url.as_ref().map(|u| json!(u))),
        ("references", references(&inc.references)),
        ("precision", precision(&inc.precision)),
    ]);
    if let Some(extra) = extra {
        entry["cairn"] = extra;
    }
    entry
}

/// The chain id, when positions are given on it.
fn point_chain<const N: usize>(site: &Site, chain: Option<usize>, points: [&ChainPoint; N]) -> Option<Value> {
    points.iter().any(|p| !p.is_empty()).then(|| site.chain(chain).map(|c| json!(c.id))).flatten()
}

pub fn maintenance(site: &Site, m: &ResolvedMaintenance) -> Value {
    let doc = site.doc(m.doc);
    let s = m;
    let updates: Vec<Value> =
        s.updates.iter().rev().map(|u| update_entry(site, doc, m.chain, u, u.status.as_str(), Value::Null)).collect();
    let created = s.updates.first().map_or(s.scheduled_for, |u| u.at);
    let last = s.updates.last().map_or(s.scheduled_for, |u| u.at);
    let resolved = (m.phase == Phase::Past)
        .then(|| s.ended_at.unwrap_or_else(|| s.updates.last().map_or(s.scheduled_until, |u| u.at)));
    let mut entry = json!({
        "id": doc.slug, "name": doc.title, "status": s.status.as_str(),
        "created_at": iso(created), "updated_at": iso(last), "monitoring_at": null,
        "resolved_at": resolved.map(iso), "impact": "maintenance",
        "shortlink": format!("{}/{}", site.config.base_url, doc.path),
        "started_at": iso(s.started_at.unwrap_or(s.scheduled_for)),
        "page_id": page_id(site), "incident_updates": updates, "components": component_entries(site, &s.components),
        "scheduled_for": iso(s.scheduled_for), "scheduled_until": iso(s.scheduled_until),
        "scheduled_remind_prior": false,
        // A window by time follows its times while `scheduled` (see `site::shown_status`).
        "scheduled_auto_in_progress": m.halt.is_empty(), "scheduled_auto_completed": m.halt.is_empty(),
    });
    let extra = extension(vec![
        ("chain", point_chain(site, m.chain, [&m.halt, &m.resumed_at])),
        ("halt", point(site, m.chain, &m.halt)),
        ("resumed_at", point(site, m.chain, &m.resumed_at)),
        ("ended_at", m.ended_at.map(|t| json!(iso(t)))),
        ("estimated", (!m.halt.is_empty() && m.started_at.is_none()).then_some(json!(true))),
        ("references", references(&m.references)),
        ("precision", precision(&m.precision)),
        ("notified", notified(&m.notified)),
    ]);
    if let Some(extra) = extra {
        entry["cairn"] = extra;
    }
    entry
}

pub fn status(site: &Site) -> Value {
    json!({"indicator": site.overall.as_str(), "description": site.overall.label()})
}

fn file(path: &str, value: Value) -> OutputFile {
    let mut bytes = serde_json::to_vec_pretty(&value).expect("JSON values always serialize");
    bytes.push(b'\n');
    OutputFile::new(format!("api/v2/{path}"), bytes)
}

/// Every endpoint, as files.
pub fn files(site: &Site) -> Vec<OutputFile> {
    let incidents = |open_only: bool| -> Vec<Value> {
        site.incidents.iter().filter(|i| !open_only || i.is_open).take(LIST_LIMIT).map(|i| incident(site, i)).collect()
    };
    let windows = |phases: &[Phase]| -> Vec<Value> {
        let mut list: Vec<&ResolvedMaintenance> =
            site.maintenance.iter().filter(|m| phases.contains(&m.phase)).collect();
        list.reverse();
        list.into_iter().take(LIST_LIMIT).map(|m| maintenance(site, m)).collect()
    };
    let page = page(site);
    vec![
        file(
            "summary.json",
            json!({
                "page": page, "components": components(site), "incidents": incidents(true),
                "scheduled_maintenances": windows(&[Phase::Active, Phase::Upcoming]), "status": status(site),
            }),
        ),
        file("status.json", json!({"page": page, "status": status(site)})),
        file("components.json", json!({"page": page, "components": components(site)})),
        file("incidents.json", json!({"page": page, "incidents": incidents(false)})),
        file("incidents/unresolved.json", json!({"page": page, "incidents": incidents(true)})),
        file(
            "scheduled-maintenances.json",
            json!({"page": page, "scheduled_maintenances": windows(&[Phase::Active, Phase::Upcoming, Phase::Past])}),
        ),
        file(
            "scheduled-maintenances/upcoming.json",
            json!({"page": page, "scheduled_maintenances": windows(&[Phase::Upcoming])}),
        ),
        file(
            "scheduled-maintenances/active.json",
            json!({"page": page, "scheduled_maintenances": windows(&[Phase::Active])}),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::unwrap_paragraphs;

    #[test]
    fn wrapped_lines_join_but_lists_and_paragraphs_stay() {
        let text = "One line\nwrapped here.\n\nSteps:\n- first\n- second\n";
        assert_eq!(unwrap_paragraphs(text), "One line wrapped here.\n\nSteps:\n- first\n- second");
    }
}

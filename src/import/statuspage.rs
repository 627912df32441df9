//! `cairn import statuspage`: the Statuspage v2 public API (`summary.json`, `incidents.json`,
//! `scheduled-maintenances.json`, `components.json`) as a cairn knowledge base.
//!
//! Invariants: the output is a function of the input alone (same JSON, same bytes), so running
//! it again rewrites the same files; an incident or maintenance window already imported is found
//! by its old address (`aliases: [/incidents/<statuspage id>]`) and rewritten in place, never
//! duplicated. Every document says `visibility: public` (Statuspage pages are public). Update
//! bodies are plain text on Statuspage and are escaped into Markdown that renders the same text.

use super::Written;
use super::markdown::escape_plain;
use serde_json::Value;
use serde_yaml::{Mapping, Value as Yaml};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::format_description::well_known::Rfc3339;

/// What an import writes and what it could not carry over.
#[derive(Debug, Default)]
pub struct Import {
    pub files: Vec<Written>,
    /// What was dropped or changed, one sentence each, for the user.
    pub notes: Vec<String>,
    pub counts: Counts,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub components: usize,
    pub incidents: usize,
    pub maintenance: usize,
    pub postmortems: usize,
}

/// The merged content of every source file.
#[derive(Default)]
struct Merged {
    page: Option<Value>,
    components: Vec<Value>,
    incidents: BTreeMap<String, Value>,
    maintenance: BTreeMap<String, Value>,
}

/// Converts the JSON of one or more Statuspage API files. `existing` maps a Statuspage id to the
/// file (relative to the root) an earlier import wrote for it. Errors name what is missing.
pub fn convert(sources: &[(String, Value)], existing: &HashMap<String, String>) -> Result<Import, String> {
    let mut m = Merged::default();
    for (name, json) in sources {
        let Value::Object(obj) = json else {
            return Err(format!("{name}: not a Statuspage API file (expected a JSON object)"));
        };
        let known = ["page", "components", "incidents", "scheduled_maintenances", "status"];
        if !known.iter().any(|k| obj.contains_key(*k)) {
            return Err(format!(
                "{name}: not a Statuspage API file (none of `page`, `components`, `incidents`, \
                 `scheduled_maintenances` in it)"
            ));
        }
        if let Some(p) = obj.get("page") {
            m.page.get_or_insert_with(|| p.clone());
        }
        if let Some(Value::Array(list)) = obj.get("components") {
            for c in list {
                if !m.components.iter().any(|o| o["id"] == c["id"]) {
                    m.components.push(c.clone());
                }
            }
        }
        for (key, into) in [("incidents", &mut m.incidents), ("scheduled_maintenances", &mut m.maintenance)] {
            if let Some(Value::Array(list)) = obj.get(key) {
                for item in list {
                    let Some(id) = item["id"].as_str() else { continue };
                    // The most recently updated copy of an incident wins (summary vs incidents).
                    let newer = into.get(id).is_none_or(|old| text(&item["updated_at"]) >= text(&old["updated_at"]));
                    if newer {
                        into.insert(id.to_string(), item.clone());
                    }
                }
            }
        }
    }
    let mut out = Import::default();
    let page = m.page.clone().unwrap_or(Value::Null);
    let comps = Components::new(&m.components);
    out.counts.components = m.components.iter().filter(|c| c["group"].as_bool() != Some(true)).count();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut open_named: BTreeSet<String> = BTreeSet::new();
    let mut incidents: Vec<&Value> = m.incidents.values().collect();
    incidents.sort_by_key(|i| (text(&i["created_at"]), text(&i["id"])));
    for inc in incidents {
        if let Some(files) = incident(inc, &comps, existing, &mut taken, &mut open_named, &mut out.notes) {
            out.counts.incidents += 1;
            out.counts.postmortems += files.len() - 1;
            out.files.extend(files);
        }
    }
    let mut windows: Vec<&Value> = m.maintenance.values().collect();
    windows.sort_by_key(|i| (text(&i["scheduled_for"]), text(&i["id"])));
    for w in windows {
        if let Some(file) = maintenance(w, &comps, existing, &mut taken, &mut open_named, &mut out.notes) {
            out.counts.maintenance += 1;
            out.files.push(file);
        }
    }
    out.files.push(config(&page, &mut out.notes));
    out.files.push(comps.file(&open_named, &mut out.notes));
    if page.get("time_zone").and_then(Value::as_str).is_some() {
        out.notes.push(format!(
            "the page's time zone ({}) is not carried over: cairn shows times in UTC and in the reader's own zone",
            text(&page["time_zone"])
        ));
    }
    if out.counts.incidents > 0 {
        out.notes.push(
            "Statuspage has no severity: each incident's `severity` is set from its impact (critical sev1, \
             major sev2, minor sev3, none sev4); review them"
                .into(),
        );
    }
    out.notes.push(
        "subscribers, notification settings and tweet ids are not in the public API and are not carried over".into(),
    );
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// A Statuspage time (`2019-02-20T13:40:58.572-06:00`) as cairn writes it: UTC, to the second.
fn utc(v: &Value) -> Option<String> {
    let t = time::OffsetDateTime::parse(v.as_str()?, &Rfc3339).ok()?.to_offset(time::UtcOffset::UTC);
    let t = t.replace_nanosecond(0).ok()?;
    t.format(&Rfc3339).ok()
}

fn slug_of(name: &str, fallback: &str) -> String {
    let s = crate::text::slugify(&deunicode::deunicode(name));
    let s: String = s.chars().take(60).collect();
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() { fallback.to_string() } else { s }
}

/// `base`, or `base-2`, `base-3`… whichever is free.
fn unique(base: String, taken: &mut BTreeSet<String>) -> String {
    let mut slug = base.clone();
    let mut n = 2;
    while !taken.insert(slug.clone()) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    slug
}

/// Statuspage's components and groups, with the slugs they get here.
struct Components<'a> {
    /// Statuspage id → slug, for components and groups.
    slugs: BTreeMap<String, String>,
    list: &'a [Value],
}

impl<'a> Components<'a> {
    fn new(list: &'a [Value]) -> Components<'a> {
        let mut taken = BTreeSet::new();
        let mut sorted: Vec<&Value> = list.iter().collect();
        sorted.sort_by_key(|c| (c["position"].as_i64().unwrap_or(0), text(&c["id"])));
        let mut slugs = BTreeMap::new();
        for c in sorted {
            let id = text(&c["id"]);
            let slug = unique(slug_of(&text(&c["name"]), "component"), &mut taken);
            slugs.insert(id, slug);
        }
        Components { slugs, list }
    }

    fn slug(&self, id: &str) -> Option<&str> {
        self.slugs.get(id).map(String::as_str)
    }

    fn is_group(&self, id: &str) -> bool {
        self.list.iter().any(|c| c["id"] == id && c["group"].as_bool() == Some(true))
    }

    /// `content/components.yaml`; a component whose status the open incidents and maintenance
    /// do not explain keeps it as an override.
    fn file(&self, open_named: &BTreeSet<String>, notes: &mut Vec<String>) -> Written {
        let mut sorted: Vec<&Value> = self.list.iter().collect();
        sorted.sort_by_key(|c| (c["position"].as_i64().unwrap_or(0), text(&c["id"])));
        let mut groups = Vec::new();
        let mut components = Vec::new();
        for c in sorted {
            let id = text(&c["id"]);
            let Some(slug) = self.slug(&id) else { continue };
            let mut map = Mapping::new();
            map.insert("id".into(), slug.into());
            map.insert("name".into(), text(&c["name"]).into());
            if c["group"].as_bool() == Some(true) {
                groups.push(Yaml::Mapping(map));
                continue;
            }
            if let Some(group) = c["group_id"].as_str().and_then(|g| self.slug(g)) {
                map.insert("group".into(), group.into());
            }
            if let Some(d) = c["description"].as_str().filter(|d| !d.trim().is_empty()) {
                map.insert("description".into(), d.trim().into());
            }
            map.insert("visibility".into(), "public".into());
            let status = text(&c["status"]);
            if status != "operational" && !status.is_empty() && !open_named.contains(slug) {
                map.insert("status".into(), status.clone().into());
                notes.push(format!(
                    "component `{slug}` is {status} without an open incident or maintenance naming it: \
                     kept as `status: {status}` in components.yaml; remove it once the component is back"
                ));
            }
            if c["only_show_if_degraded"].as_bool() == Some(true) {
                notes.push(format!("component `{slug}`: `only_show_if_degraded` has no cairn equivalent"));
            }
            components.push(Yaml::Mapping(map));
        }
        let mut root = Mapping::new();
        if !groups.is_empty() {
            root.insert("groups".into(), Yaml::Sequence(groups));
        }
        root.insert("components".into(), Yaml::Sequence(components));
        let yaml = serde_yaml::to_string(&Yaml::Mapping(root)).unwrap_or_default();
        Written {
            path: "content/components.yaml".into(),
            text: format!("# Imported from Statuspage by `cairn import statuspage`.\n{yaml}"),
        }
    }
}

fn config(page: &Value, notes: &mut Vec<String>) -> Written {
    let mut map = Mapping::new();
    let title = page["name"].as_str().map(|n| format!("{n} Status")).unwrap_or_else(|| "Status".into());
    map.insert("title".into(), title.into());
    let url = page["url"].as_str().filter(|u| crate::text::is_web_url(u));
    map.insert("base_url".into(), url.unwrap_or("https://status.example.org").trim_end_matches('/').into());
    if url.is_none() {
        notes.push("the source has no page URL: set `base_url` in cairn.yaml".into());
    }
    map.insert("audiences".into(), Yaml::Sequence(vec!["public".into()]));
    let defaults: Mapping =
        ["incidents", "postmortems", "maintenance"].into_iter().map(|k| (k.into(), "public".into())).collect();
    map.insert("defaults".into(), Yaml::Mapping(defaults));
    let yaml = serde_yaml::to_string(&Yaml::Mapping(map)).unwrap_or_default();
    Written {
        path: "cairn.yaml".into(),
        text: format!("# Imported from Statuspage by `cairn import statuspage`.\n{yaml}"),
    }
}

/// The file for `id`: where an earlier import wrote it, else a new free slug in `dir`.
fn file_for(
    id: &str,
    dir: &str,
    date: &str,
    name: &str,
    existing: &HashMap<String, String>,
    taken: &mut BTreeSet<String>,
) -> (String, String) {
    if let Some(path) = existing.get(id)
        && let Some(slug) = path.strip_prefix(&format!("content/{dir}/")).and_then(|p| p.strip_suffix(".md"))
        && taken.insert(format!("{dir}/{slug}"))
    {
        return (slug.to_string(), path.clone());
    }
    let base = format!("{dir}/{}-{}", date, slug_of(name, "untitled"));
    let key = unique(base, taken);
    let slug = key.trim_start_matches(&format!("{dir}/")).to_string();
    (slug.clone(), format!("content/{dir}/{slug}.md"))
}

fn document(front: Mapping, body: &str) -> String {
    let yaml = serde_yaml::to_string(&Yaml::Mapping(front)).unwrap_or_default();
    let body = body.trim();
    if body.is_empty() { format!("---\n{yaml}---\n") } else { format!("---\n{yaml}---\n{body}\n") }
}

/// The updates of an incident or window in `display_at` order (Statuspage lists them newest
/// first; `display_at` is what its page orders by).
fn updates_in_order(item: &Value) -> Vec<&Value> {
    let mut list: Vec<&Value> = item["incident_updates"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    list.sort_by_key(|u| {
        let at = u.get("display_at").filter(|v| v.is_string()).unwrap_or(&u["created_at"]);
        (utc(at).unwrap_or_default(), text(&u["created_at"]))
    });
    list
}

fn update_at(u: &Value) -> Option<String> {
    utc(u.get("display_at").filter(|v| v.is_string()).unwrap_or(&u["created_at"]))
}

fn rank(status: &str) -> u8 {
    match status {
        "degraded_performance" => 1,
        "partial_outage" => 2,
        "major_outage" => 3,
        "under_maintenance" => 1,
        _ => 0,
    }
}

fn incident(
    inc: &Value,
    comps: &Components<'_>,
    existing: &HashMap<String, String>,
    taken: &mut BTreeSet<String>,
    open_named: &mut BTreeSet<String>,
    notes: &mut Vec<String>,
) -> Option<Vec<Written>> {
    let id = inc["id"].as_str()?;
    let name = inc["name"].as_str().unwrap_or("Untitled incident");
    let updates = updates_in_order(inc);
    let first_at = updates.first().and_then(|u| update_at(u));
    let started = [utc(&inc["started_at"]), utc(&inc["created_at"]), first_at.clone()].into_iter().flatten().min();
    let Some(started) = started else {
        notes.push(format!("incident {id} ({name}) has no time at all and was skipped"));
        return None;
    };
    let (slug, path) = file_for(id, "incidents", &started[..10], name, existing, taken);
    let status = text(&inc["status"]);
    let resolved = matches!(status.as_str(), "resolved" | "postmortem" | "completed");
    let mut front = Mapping::new();
    front.insert("title".into(), name.into());
    let impact = match text(&inc["impact"]).as_str() {
        i @ ("minor" | "major" | "critical") => i.to_string(),
        _ => "none".into(),
    };
    // Statuspage has no internal severity; cairn requires one. It is set from the impact (and
    // is not shown to the public, see `vocabulary`).
    let severity = match impact.as_str() {
        "critical" => "sev1",
        "major" => "sev2",
        "minor" => "sev3",
        _ => "sev4",
    };
    front.insert("severity".into(), severity.into());
    front.insert("impact".into(), impact.into());
    // Per component: the worst state an update gave it, or its status now while open.
    let mut states: Vec<(String, String)> = Vec::new();
    let mut note = |slug: &str, status: &str| match states.iter_mut().find(|(s, _)| s == slug) {
        Some((_, old)) if rank(status) > rank(old) => *old = status.to_string(),
        Some(_) => {}
        None => states.push((slug.to_string(), status.to_string())),
    };
    for c in inc["components"].as_array().into_iter().flatten() {
        let Some(cs) = comps.slug(&text(&c["id"])) else { continue };
        if comps.is_group(&text(&c["id"])) {
            continue;
        }
        note(cs, if resolved { "operational" } else { c["status"].as_str().unwrap_or("operational") });
    }
    for u in &updates {
        for a in u["affected_components"].as_array().into_iter().flatten() {
            if let Some(cs) = comps.slug(&text(&a["code"])) {
                note(cs, &text(&a["new_status"]));
                note(cs, &text(&a["old_status"]));
            }
        }
    }
    let states: Vec<(String, String)> = states
        .into_iter()
        .map(|(s, st)| (s, if rank(&st) == 0 { "degraded_performance".into() } else { st }))
        .collect();
    if !resolved {
        open_named.extend(states.iter().map(|(s, _)| s.clone()));
    }
    if !states.is_empty() {
        let map: Mapping = states.iter().map(|(s, st)| (s.as_str().into(), st.as_str().into())).collect();
        front.insert("components".into(), Yaml::Mapping(map));
    }
    front.insert("visibility".into(), "public".into());
    front.insert("started_at".into(), started.clone().into());
    let resolved_update = updates.iter().rev().find(|u| u["status"] == "resolved").and_then(|u| update_at(u));
    if resolved {
        let at = utc(&inc["resolved_at"]).or(resolved_update.clone()).or(first_at.clone()).unwrap_or(started.clone());
        // No earlier than the last status update, as cairn's order rules want.
        let last_status = updates
            .iter()
            .filter(|u| !matches!(u["status"].as_str(), Some("postmortem")))
            .filter_map(|u| update_at(u))
            .max();
        let at = [Some(at), last_status, Some(started.clone())].into_iter().flatten().max().unwrap_or_default();
        front.insert("resolved_at".into(), at.into());
    }
    let backfilled = inc["backfilled"].as_bool() == Some(true) || (resolved && updates.is_empty());
    if backfilled {
        front.insert("backfilled".into(), true.into());
    }
    let pm_body = inc["postmortem_body"].as_str().filter(|b| !b.trim().is_empty());
    let pm_slug = pm_body.map(|_| format!("{slug}-postmortem"));
    if let Some(pm) = &pm_slug {
        front.insert("postmortem".into(), pm.as_str().into());
    }
    front.insert("aliases".into(), Yaml::Sequence(vec![format!("/incidents/{id}").into()]));
    // Statuspage lets an incident be reopened; cairn's `resolved` is the last status update, so
    // an earlier `resolved` becomes `monitoring`.
    let last_resolved = updates.iter().rposition(|u| u["status"] == "resolved");
    let last_live = updates.iter().rposition(|u| !matches!(u["status"].as_str(), Some("postmortem")));
    let mut list = Vec::new();
    let mut seen_ids = BTreeSet::new();
    let mut previous = "investigating".to_string();
    for (i, u) in updates.iter().enumerate() {
        let Some(at) = update_at(u) else { continue };
        let mut status = text(&u["status"]);
        if status == "resolved" && last_resolved != Some(i) {
            notes.push(format!(
                "incident `{slug}` was reopened: its earlier `resolved` update is imported as `monitoring`"
            ));
            status = "monitoring".into();
        }
        if status == "resolved" && last_live != Some(i) {
            notes.push(format!("incident `{slug}`: a status update after `resolved` is imported as a note"));
        }
        if last_resolved.is_some_and(|r| i > r) && status != "postmortem" {
            status = "note".into();
        }
        if !matches!(
            status.as_str(),
            "investigating" | "identified" | "monitoring" | "resolved" | "postmortem" | "note"
        ) {
            // `update` and other words: the incident's state does not change.
            status = previous.clone();
        }
        if status != "note" && status != "postmortem" {
            previous = status.clone();
        }
        let mut map = Mapping::new();
        let uid = unique(slug_of(&text(&u["id"]), "update"), &mut seen_ids);
        map.insert("id".into(), uid.into());
        map.insert("at".into(), at.into());
        map.insert("status".into(), status.into());
        let affected: Mapping = u["affected_components"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| Some((comps.slug(&text(&a["code"]))?.into(), text(&a["new_status"]).into())))
            .collect();
        if !affected.is_empty() {
            map.insert("components".into(), Yaml::Mapping(affected));
        }
        let body = escape_plain(u["body"].as_str().unwrap_or_default());
        map.insert("body".into(), if body.trim().is_empty() { "(No text.)".into() } else { body.into() });
        list.push(Yaml::Mapping(map));
    }
    if !list.is_empty() {
        front.insert("updates".into(), Yaml::Sequence(list));
    }
    let mut files = vec![Written { path, text: document(front, "") }];
    if let (Some(body), Some(pm)) = (pm_body, pm_slug) {
        let mut f = Mapping::new();
        f.insert("title".into(), format!("Post-mortem: {name}").into());
        f.insert("incidents".into(), Yaml::Sequence(vec![slug.as_str().into()]));
        f.insert("status".into(), "published".into());
        let published = utc(&inc["postmortem_published_at"])
            .or_else(|| updates.iter().find(|u| u["status"] == "postmortem").and_then(|u| update_at(u)))
            .or_else(|| utc(&inc["resolved_at"]))
            .unwrap_or(started);
        f.insert("published_at".into(), published.into());
        f.insert("visibility".into(), "public".into());
        // Statuspage post-mortems have no fixed sections.
        f.insert("required_sections".into(), Yaml::Sequence(Vec::new()));
        files.push(Written { path: format!("content/postmortems/{pm}.md"), text: document(f, body) });
    }
    Some(files)
}

fn maintenance(
    w: &Value,
    comps: &Components<'_>,
    existing: &HashMap<String, String>,
    taken: &mut BTreeSet<String>,
    open_named: &mut BTreeSet<String>,
    notes: &mut Vec<String>,
) -> Option<Written> {
    let id = w["id"].as_str()?;
    let name = w["name"].as_str().unwrap_or("Maintenance");
    let (Some(from), Some(until)) = (utc(&w["scheduled_for"]), utc(&w["scheduled_until"])) else {
        notes.push(format!("maintenance {id} ({name}) has no scheduled window and was skipped"));
        return None;
    };
    let (_, path) = file_for(id, "maintenance", &from[..10], name, existing, taken);
    let status = match text(&w["status"]).as_str() {
        s @ ("scheduled" | "in_progress" | "verifying" | "completed") => s.to_string(),
        other => {
            notes.push(format!("maintenance `{name}`: status `{other}` is imported as `scheduled`"));
            "scheduled".into()
        }
    };
    let mut front = Mapping::new();
    front.insert("title".into(), name.into());
    let ids: Vec<Yaml> = w["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| !comps.is_group(&text(&c["id"])))
        .filter_map(|c| comps.slug(&text(&c["id"])).map(Yaml::from))
        .collect();
    if matches!(status.as_str(), "in_progress" | "verifying") {
        open_named.extend(ids.iter().filter_map(|s| s.as_str().map(String::from)));
    }
    if !ids.is_empty() {
        front.insert("components".into(), Yaml::Sequence(ids));
    }
    front.insert("scheduled_for".into(), from.clone().into());
    front.insert("scheduled_until".into(), until.into());
    front.insert("status".into(), status.as_str().into());
    front.insert("visibility".into(), "public".into());
    let updates = updates_in_order(w);
    if status != "scheduled"
        && let Some(started) = updates.iter().find(|u| u["status"] == "in_progress").and_then(|u| update_at(u))
    {
        front.insert("started_at".into(), started.clone().into());
        if status == "completed" {
            let ended = utc(&w["resolved_at"])
                .or_else(|| updates.iter().rev().find(|u| u["status"] == "completed").and_then(|u| update_at(u)));
            if let Some(ended) = ended.filter(|e| *e >= started) {
                front.insert("ended_at".into(), ended.into());
            }
        }
    }
    front.insert("aliases".into(), Yaml::Sequence(vec![format!("/incidents/{id}").into()]));
    let mut list = Vec::new();
    let mut seen_ids = BTreeSet::new();
    for u in updates {
        let Some(at) = update_at(u) else { continue };
        let mut map = Mapping::new();
        map.insert("id".into(), unique(slug_of(&text(&u["id"]), "update"), &mut seen_ids).into());
        map.insert("at".into(), at.into());
        let st = match text(&u["status"]).as_str() {
            s @ ("scheduled" | "in_progress" | "verifying" | "completed") => s.to_string(),
            _ => status.clone(),
        };
        map.insert("status".into(), st.into());
        let body = escape_plain(u["body"].as_str().unwrap_or_default());
        map.insert("body".into(), if body.trim().is_empty() { "(No text.)".into() } else { body.into() });
        list.push(Yaml::Mapping(map));
    }
    if !list.is_empty() {
        front.insert("updates".into(), Yaml::Sequence(list));
    }
    Some(Written { path, text: document(front, "") })
}

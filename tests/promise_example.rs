//! Non-interference on the example: what the public sees of `content/` does not depend on what
//! it does not see. The example is copied, built for the public, then (a) every hidden document,
//! update, block and component is deleted, with the front-matter references to them, (b) every
//! hidden text is reworded, (c) hidden material is added (an internal open incident naming every
//! public component, internal and embargoed updates, internal blocks in bodies and updates, an
//! internal component, an operators runbook); each public rebuild must be byte-identical
//! (`build.json` and the footer's build stamp aside) and leave the same tantivy index. What is
//! hidden is worked out here from the content model's rules (section defaults from `cairn.yaml`,
//! visibility, embargo, drafts), not from cairn's code. A front-matter reference to a row of a
//! hidden matrix (an incident's `type`, a runbook's `incident_types`) is a reference to a hidden
//! document, so it is deleted with it.

#[path = "common/blackbox.rs"]
mod blackbox;

use blackbox::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

const FUTURE: &str = "2027-01-15T00:00:00Z";

/// Audience blocks of a markdown text that the public may not see, as line ranges (markers
/// included), found outside code fences as CommonMark sees them.
fn hidden_blocks(text: &str, now: time::OffsetDateTime) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut open: Option<(usize, bool)> = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let t = line.trim();
        if let Some((c, n)) = fence {
            let run = t.chars().take_while(|&x| x == c).count();
            if indent < 4 && run >= n && t[run..].trim().is_empty() {
                fence = None;
            }
            continue;
        }
        let first = t.chars().next().unwrap_or(' ');
        let run = t.chars().take_while(|&x| x == first).count();
        if indent < 4 && (first == '`' || first == '~') && run >= 3 && !(first == '`' && t[run..].contains('`')) {
            fence = Some((first, run));
            continue;
        }
        let Some(rest) = t.strip_prefix(":::") else { continue };
        let mut words = rest.split_whitespace();
        match (words.next(), open) {
            (None, Some((start, hidden))) => {
                if hidden {
                    out.push((start, i));
                }
                open = None;
            }
            (Some(audience), None) => {
                let embargoed =
                    words.any(|w| w.strip_prefix("embargo_until=").and_then(parse_time).is_some_and(|t| t > now));
                open = Some((i, audience != "public" || embargoed));
            }
            _ => {}
        }
    }
    out
}

fn parse_time(text: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339).ok()
}

/// `text` with its hidden blocks removed (`None`) or with their inner lines passed to `reword`.
fn edit_blocks(text: &str, now: time::OffsetDateTime, reword: Option<fn(&str) -> String>) -> String {
    let blocks = hidden_blocks(text, now);
    let mut out = String::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        match blocks.iter().find(|(a, b)| *a <= i && i <= *b) {
            None => out.push_str(line),
            Some((a, b)) => {
                if let Some(f) = reword {
                    if i == *a || i == *b { out.push_str(line) } else { out.push_str(&f(line)) }
                }
            }
        }
    }
    out
}

/// Other words for hidden text: letters rotated by 13, except in link destinations, autolinks,
/// headings (their anchors may be linked to) and link reference definitions.
fn reword(text: &str) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with('#') || (t.starts_with('[') && t.contains("]:")) || t.starts_with(":::") {
            out.push_str(line);
            continue;
        }
        let mut depth = 0; // inside `](…)` or `<…>`
        let mut prev = ' ';
        for c in line.chars() {
            match c {
                '(' if prev == ']' => depth += 1,
                '<' => depth += 1,
                ')' | '>' if depth > 0 => depth -= 1,
                _ => {}
            }
            out.push(if depth == 0 && c.is_ascii_alphabetic() {
                let base = if c.is_ascii_lowercase() { b'a' } else { b'A' };
                ((c as u8 - base + 13) % 26 + base) as char
            } else {
                c
            });
            prev = c;
        }
    }
    out
}

type Yaml = serde_yaml::Value;

/// One document of the example, split and parsed.
struct Doc {
    path: std::path::PathBuf,
    kind: String,
    front: serde_yaml::Mapping,
    body: String,
}

impl Doc {
    fn write(&self) {
        let yaml = serde_yaml::to_string(&Yaml::Mapping(self.front.clone())).unwrap();
        let text = if self.kind == "matrices" { yaml } else { format!("---\n{yaml}---\n{}", self.body) };
        std::fs::write(&self.path, text).unwrap();
    }

    fn str(&self, key: &str) -> Option<&str> {
        self.front.get(key).and_then(Yaml::as_str)
    }
}

fn load_docs(root: &Path) -> Vec<Doc> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root.join("content")).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        let rel = path.strip_prefix(root.join("content")).unwrap().to_string_lossy().into_owned();
        if !entry.file_type().is_file() || rel == "components.yaml" {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let kind = match rel.split('/').next().unwrap() {
            k @ ("incidents" | "postmortems" | "runbooks" | "matrices" | "maintenance") if rel.contains('/') => k,
            _ => "pages",
        };
        let (yaml, body) = if kind == "matrices" {
            (text.as_str(), "")
        } else {
            let rest = text.strip_prefix("---\n").unwrap_or_else(|| panic!("{rel}: front matter"));
            let end = rest.find("\n---\n").unwrap_or_else(|| panic!("{rel}: end of front matter"));
            (&rest[..end + 1], &rest[end + 5..])
        };
        let front = match serde_yaml::from_str::<Yaml>(yaml).unwrap() {
            Yaml::Mapping(m) => m,
            _ => panic!("{rel}: front matter is not a mapping"),
        };
        out.push(Doc { path: path.to_path_buf(), kind: kind.into(), front, body: body.to_string() });
    }
    out
}

/// What the example's public may not see, by the content model's rules.
struct Hidden {
    now: time::OffsetDateTime,
    /// (kind, slug) of hidden documents.
    docs: BTreeSet<(String, String)>,
    components: BTreeSet<String>,
    /// Row ids of hidden matrices.
    rows: BTreeSet<String>,
}

impl Hidden {
    fn of(root: &Path) -> Hidden {
        let now = parse_time(NOW).unwrap();
        let config: Yaml = serde_yaml::from_str(&std::fs::read_to_string(root.join("cairn.yaml")).unwrap()).unwrap();
        let audiences: Vec<String> = serde_yaml::from_value(config["audiences"].clone()).unwrap();
        let rank = |a: &str| audiences.iter().position(|x| x == a).unwrap_or(audiences.len() - 1);
        let most = audiences.len() - 1;
        let default = |kind: &str| config["defaults"].get(kind).and_then(Yaml::as_str).map_or(most, rank);
        let mut hidden = Hidden { now, docs: BTreeSet::new(), components: BTreeSet::new(), rows: BTreeSet::new() };
        for d in load_docs(root) {
            let fallback = if d.kind == "pages" { 0 } else { default(&d.kind) };
            let r = d.str("visibility").map_or(fallback, rank);
            let embargoed = d.str("embargo_until").and_then(parse_time).is_some_and(|t| t > now);
            let draft = d.kind == "postmortems" && d.str("status") == Some("draft");
            if r > 0 || embargoed || draft {
                let slug = d.path.file_stem().unwrap().to_string_lossy().into_owned();
                if d.kind == "matrices" {
                    for row in d.front.get("rows").and_then(Yaml::as_sequence).into_iter().flatten() {
                        hidden.rows.extend(row["id"].as_str().map(String::from));
                    }
                }
                hidden.docs.insert((d.kind.clone(), slug));
            }
        }
        let components: Yaml =
            serde_yaml::from_str(&std::fs::read_to_string(root.join("content/components.yaml")).unwrap()).unwrap();
        let component_default = config["defaults"].get("components").and_then(Yaml::as_str).map_or(most, rank);
        for c in components["components"].as_sequence().unwrap() {
            if c.get("visibility").and_then(Yaml::as_str).map_or(component_default, rank) > 0 {
                hidden.components.insert(c["id"].as_str().unwrap().to_string());
            }
        }
        hidden
    }

    fn doc(&self, d: &Doc) -> bool {
        self.docs.contains(&(d.kind.clone(), d.path.file_stem().unwrap().to_string_lossy().into_owned()))
    }

    fn update(&self, u: &Yaml) -> bool {
        u.get("visibility").and_then(Yaml::as_str).is_some_and(|v| v != "public")
            || u.get("embargo_until").and_then(Yaml::as_str).and_then(parse_time).is_some_and(|t| t > self.now)
    }

    /// Whether a front-matter reference under `key` names something hidden.
    fn reference(&self, key: &str, id: &str) -> bool {
        let kind = match key {
            "runbooks" | "runbook" => "runbooks",
            "postmortem" => "postmortems",
            "incidents" => "incidents",
            "components" => return self.components.contains(id),
            "type" | "incident_types" => return self.rows.contains(id),
            _ => return false,
        };
        self.docs.contains(&(kind.to_string(), id.to_string()))
    }
}

/// Removes from a mapping the references under the keys that refer to documents, components
/// and matrix rows the public does not see.
fn drop_hidden_references(m: &mut serde_yaml::Mapping, hidden: &Hidden) {
    for key in ["runbooks", "incidents", "components", "incident_types", "postmortem", "type", "runbook"] {
        let Some(v) = m.get_mut(key) else { continue };
        match v {
            Yaml::Sequence(items) => items.retain(|i| !i.as_str().is_some_and(|id| hidden.reference(key, id))),
            Yaml::String(id) if hidden.reference(key, id) => {
                m.remove(key);
            }
            _ => {}
        }
    }
}

fn build_public(root: &Path, out: &Path) -> BTreeMap<String, Vec<u8>> {
    let run = build(root, "public", out, NOW);
    assert!(run.ok(), "public build of {} failed:\n{}", root.display(), run.stderr);
    tree(out)
}

#[test]
fn example_public_build_does_not_depend_on_hidden_material() {
    let original = example_copy();
    let scratch = tempfile::tempdir().unwrap();
    let reference = build_public(original.path(), &scratch.path().join("original"));
    let reference_index = index_digest(&index_dir(original.path(), "public")).unwrap();
    let hidden = Hidden::of(original.path());
    assert!(hidden.docs.len() >= 15 && hidden.components.len() >= 2 && !hidden.rows.is_empty());

    // (a) Delete every hidden document, update, block and component, and the references to them.
    let deleted = example_copy();
    let mut counts = (0, 0, 0);
    for mut d in load_docs(deleted.path()) {
        if hidden.doc(&d) {
            std::fs::remove_file(&d.path).unwrap();
            counts.0 += 1;
            continue;
        }
        drop_hidden_references(&mut d.front, &hidden);
        if let Some(Yaml::Sequence(updates)) = d.front.get_mut("updates") {
            let before = updates.len();
            updates.retain(|u| !hidden.update(u));
            counts.1 += before - updates.len();
            for u in updates.iter_mut() {
                if let Some(Yaml::String(body)) = u.get_mut("body") {
                    *body = edit_blocks(body, hidden.now, None);
                }
            }
        }
        for row in d.front.get_mut("rows").and_then(Yaml::as_sequence_mut).into_iter().flatten() {
            if let Yaml::Mapping(m) = row {
                drop_hidden_references(m, &hidden);
            }
        }
        for item in d.front.get_mut("action_items").and_then(Yaml::as_sequence_mut).into_iter().flatten() {
            if let Yaml::Mapping(m) = item {
                drop_hidden_references(m, &hidden);
            }
        }
        counts.2 += hidden_blocks(&d.body, hidden.now).len();
        d.body = edit_blocks(&d.body, hidden.now, None);
        d.write();
    }
    assert!(counts.0 >= 15 && counts.1 >= 5 && counts.2 >= 5, "deleted (documents, updates, blocks): {counts:?}");
    let components_path = deleted.path().join("content/components.yaml");
    let mut components: Yaml = serde_yaml::from_str(&std::fs::read_to_string(&components_path).unwrap()).unwrap();
    let list = components["components"].as_sequence_mut().unwrap();
    list.retain(|c| !hidden.components.contains(c["id"].as_str().unwrap()));
    let groups_used: BTreeSet<String> = list.iter().filter_map(|c| c["group"].as_str().map(String::from)).collect();
    components["groups"].as_sequence_mut().unwrap().retain(|g| groups_used.contains(g["id"].as_str().unwrap()));
    std::fs::write(&components_path, serde_yaml::to_string(&components).unwrap()).unwrap();

    // (b) Reword every hidden text.
    let reworded = example_copy();
    for mut d in load_docs(reworded.path()) {
        if hidden.doc(&d) {
            for key in ["title", "summary", "description"] {
                if let Some(Yaml::String(s)) = d.front.get_mut(key) {
                    *s = reword(s);
                }
            }
            for list in ["updates", "rows", "action_items"] {
                for item in d.front.get_mut(list).and_then(Yaml::as_sequence_mut).into_iter().flatten() {
                    for key in ["body", "incident", "title"] {
                        if let Some(Yaml::String(s)) = item.get_mut(key) {
                            *s = reword(s);
                        }
                    }
                }
            }
            d.body = reword(&d.body);
        } else {
            for u in d.front.get_mut("updates").and_then(Yaml::as_sequence_mut).into_iter().flatten() {
                let hide = hidden.update(u);
                if let Some(Yaml::String(body)) = u.get_mut("body") {
                    *body = if hide { reword(body) } else { edit_blocks(body, hidden.now, Some(reword)) };
                }
            }
            d.body = edit_blocks(&d.body, hidden.now, Some(reword));
        }
        d.write();
    }
    let components_path = reworded.path().join("content/components.yaml");
    let mut components: Yaml = serde_yaml::from_str(&std::fs::read_to_string(&components_path).unwrap()).unwrap();
    for c in components["components"].as_sequence_mut().unwrap() {
        if hidden.components.contains(c["id"].as_str().unwrap()) {
            for key in ["name", "description"] {
                if let Some(Yaml::String(s)) = c.get_mut(key) {
                    *s = reword(s);
                }
            }
        }
    }
    std::fs::write(&components_path, serde_yaml::to_string(&components).unwrap()).unwrap();

    // (c) Add hidden material: an internal open incident naming every public component, an
    // internal and an embargoed update in every public incident, an internal block in every
    // public body and in the first public update of every public incident, an internal
    // component, an operators runbook.
    let added = example_copy();
    let fmt = |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap();
    let mut public_components = Vec::new();
    for mut d in load_docs(added.path()) {
        if hidden.doc(&d) {
            continue;
        }
        if d.kind == "incidents" {
            public_components.extend(
                d.front
                    .get("components")
                    .and_then(Yaml::as_sequence)
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.as_str().filter(|c| !hidden.components.contains(*c)).map(String::from)),
            );
            let updates = d.front.get_mut("updates").and_then(Yaml::as_sequence_mut).unwrap();
            if let Some(Yaml::String(body)) =
                updates.iter_mut().find(|u| !hidden.update(u)).and_then(|u| u.get_mut("body"))
            {
                body.push_str("\n\n:::internal\nAdded internal block in an update: the hot wallet was drained.\n:::\n");
            }
            let at = |u: &Yaml| parse_time(u["at"].as_str().unwrap()).unwrap();
            let first = at(&updates[0]);
            let status = updates[0]["status"].clone();
            let mut internal = serde_yaml::Mapping::new();
            internal.insert("at".into(), fmt(first + Duration::from_secs(30)).into());
            internal.insert("status".into(), status.clone());
            internal.insert("visibility".into(), "internal".into());
            internal.insert("body".into(), "Added internal update: the signer host was rebooted.".into());
            updates.insert(1, Yaml::Mapping(internal));
            let last = updates.last().unwrap().clone();
            let resolved = last["status"] == "resolved";
            let mut embargoed = serde_yaml::Mapping::new();
            let when = if resolved { at(&last) - Duration::from_secs(20) } else { at(&last) + Duration::from_secs(20) };
            embargoed.insert("at".into(), fmt(when).into());
            embargoed.insert("status".into(), updates[updates.len() - if resolved { 2 } else { 1 }]["status"].clone());
            embargoed.insert("embargo_until".into(), FUTURE.into());
            embargoed.insert("body".into(), "Added embargoed update: the advisory number is EXN-2027-01.".into());
            let position = if resolved { updates.len() - 1 } else { updates.len() };
            updates.insert(position, Yaml::Mapping(embargoed));
        }
        d.body.push_str("\n:::internal\nAdded internal block: responders met in the war room.\n:::\n");
        d.write();
    }
    public_components.sort();
    public_components.dedup();
    std::fs::write(
        added.path().join("content/incidents/2026-11-26-added-hidden.md"),
        format!(
            "---\ntitle: Added internal incident\nseverity: sev1\nimpact: critical\ncomponents: [{}]\nvisibility: internal\n\
             started_at: 2026-11-26T09:00:00Z\nupdates:\n  - at: 2026-11-26T09:05:00Z\n    status: investigating\n    \
             body: Added internal update.\n---\nAdded internal incident body.\n",
            public_components.join(", ")
        ),
    )
    .unwrap();
    std::fs::write(
        added.path().join("content/runbooks/added-operators-runbook.md"),
        format!(
            "---\ntitle: Added operators runbook\nsummary: Added.\ncomponents: [{}]\nowners: [added-team]\n\
             visibility: operators\n---\nAdded operators runbook body.\n",
            public_components.join(", ")
        ),
    )
    .unwrap();
    let components_path = added.path().join("content/components.yaml");
    let mut text = std::fs::read_to_string(&components_path).unwrap();
    text.push_str(
        "\n  - id: added-internal-component\n    name: Added internal component\n    group: chain\n    \
         description: Added.\n    visibility: internal\n",
    );
    std::fs::write(&components_path, text).unwrap();

    let mut failures = Vec::new();
    for (what, root) in [
        ("deleting every hidden document, update, block and component", &deleted),
        ("rewording every hidden text", &reworded),
        ("adding hidden material", &added),
    ] {
        let out = scratch.path().join(what.split(' ').next().unwrap());
        let run = build(root.path(), "public", &out, NOW);
        if !run.ok() {
            failures.push(format!("{what}: the public build fails:\n{}", run.stderr));
            continue;
        }
        let differences = tree_differences(&reference, &tree(&out));
        if !differences.is_empty() {
            failures.push(format!(
                "{what} changes {} public files:\n{}",
                differences.len(),
                differences.iter().take(12).cloned().collect::<Vec<_>>().join("\n")
            ));
        }
        if index_digest(&index_dir(root.path(), "public")).unwrap() != reference_index {
            failures.push(format!("{what} changes the public tantivy index"));
        }
    }
    if !failures.is_empty() {
        let kept: Vec<String> = [scratch.keep(), deleted.keep(), reworded.keep(), added.keep()]
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        panic!(
            "the example's public build depends on hidden material (builds, then the deleted, reworded and \
             added repos, kept in {}):\n{}",
            kept.join(", "),
            failures.join("\n\n")
        );
    }
}

//! `cairn.yaml` and `content/components.yaml`: the site configuration and the components a
//! status page reports on.

use super::fields::FileCx;
use super::{inputs, limits, yaml};
use crate::diagnostics::{Diagnostic, Pos};
use crate::model::{
    Audiences, Chain, Component, ComponentGroup, ComponentStatus, Components, Config, Impact, Kind, Unit, Vocabulary,
};
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::path::Path;

const CONFIG_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "audiences",
    "chain",
    "chains",
    "audience_urls",
    "repo_url",
    "repo_public",
    "repo_branch",
    "theme",
    "language",
    "defaults",
    "status",
    "postmortems",
    "markdown",
    "metrics",
    "vocabulary",
    "notify",
];
const CHAIN_KEYS: &[&str] = &["id", "name", "block_time", "explorer_url", "explorer", "units"];
const UNIT_KEYS: &[&str] = &["height", "slot", "epoch"];
const VOCABULARY_KEYS: &[&str] = &["severity", "type", "impact"];
const IMPACT_KEYS: &[&str] = &["none", "minor", "major", "critical"];
const DEFAULTS_KEYS: &[&str] =
    &["incidents", "postmortems", "runbooks", "matrices", "maintenance", "pages", "components"];
const STATUS_KEYS: &[&str] = &["history_days"];
const POSTMORTEM_KEYS: &[&str] = &["required_sections", "section_aliases"];
const MARKDOWN_KEYS: &[&str] = &["raw_html"];
const METRICS_KEYS: &[&str] = &["public"];

/// Reads `cairn.yaml`. A config with problems still yields the best config it can, so the rest of
/// the repo is checked too.
pub fn load_config(root: &Path, problems: &mut Vec<Diagnostic>) -> Config {
    let file = Path::new("cairn.yaml");
    let text = match read_yaml(root, file, problems) {
        Ok(Some(t)) => t,
        Ok(None) => return Config::fallback(),
        Err(why) => {
            problems.push(
                Diagnostic::error(file, Pos::START, "missing-config", format!("cannot read cairn.yaml: {why}"))
                    .with_help(format!(
                        "run cairn in the root of a knowledge base, pass `--root DIR`, or create one with `cairn init {}`",
                        root.display()
                    )),
            );
            return Config::fallback();
        }
    };
    let value = match yaml::parse(&text, 1) {
        Ok(v) => v,
        Err((pos, msg)) => {
            problems.push(yaml_error(file, pos, msg));
            return Config::fallback();
        }
    };
    let locations = yaml::locate(&text, 1);
    let mut config = Config::fallback();
    // Audiences come first: every other visibility in the repo is checked against them.
    let fallback_audiences = config.audiences.clone();
    let declared = FileCx::new(file, 1, &locations, &fallback_audiences);
    if let Some(f) = declared.fields(&value, "", CONFIG_KEYS) {
        let audiences = f.strings("audiences");
        for (i, a) in audiences.iter().enumerate() {
            if !is_id(a) || audiences[..i].contains(a) {
                declared.at_value(
                    &format!("audiences.{i}"),
                    "bad-id",
                    format!("audience `{a}` is not a unique lowercase name"),
                    "audiences are distinct names of [a-z0-9-], least trusted first, e.g. [public, operators, internal]".into(),
                );
            }
        }
        // The audience called `public` is what anyone may read: it cannot rank above another,
        // or one reordered line would publish everything of the audiences below it.
        if let Some(i) = audiences.iter().position(|a| a == "public").filter(|&i| i > 0) {
            declared.at_value(
                &format!("audiences.{i}"),
                "bad-audiences",
                format!("`public` is listed after `{}`, so it would rank above it and see its material", audiences[0]),
                "list the audiences least trusted first, starting with `public`, e.g. \
                 `audiences: [public, operators, internal]`"
                    .into(),
            );
        } else if !audiences.is_empty() {
            config.audiences = Audiences(audiences);
        } else if f.get("audiences").is_some() {
            declared.at_value(
                "audiences",
                "missing-field",
                "`audiences` lists no audience".into(),
                "list the audiences least trusted first, e.g. `audiences: [public, internal]`".into(),
            );
        }
    }
    problems.extend(declared.into_problems());
    let audiences = config.audiences.clone();
    let cx = FileCx::new(file, 1, &locations, &audiences);
    if let Some(f) = cx.fields(&value, "", CONFIG_KEYS) {
        read_config_fields(&f, &cx, &mut config);
        f.finish();
    }
    problems.extend(cx.into_problems());
    config.locations = locations;
    config
}

fn read_config_fields(f: &super::fields::Fields<'_>, cx: &FileCx<'_>, config: &mut Config) {
    if let Some(t) = f.required_string("title", "Example Network status") {
        config.title = t;
    }
    config.description = f.string("description");
    if let Some(url) = f.string("base_url") {
        config.base_url = url.trim_end_matches('/').to_string();
    }
    config.repo_url = f.string("repo_url").map(|u| u.trim_end_matches('/').to_string());
    config.repo_public = f.bool("repo_public").unwrap_or(false);
    if let Some(branch) = f.string("repo_branch") {
        // A branch name as git allows it, and safe inside a link's path.
        let valid = !branch.is_empty()
            && !branch.starts_with(['/', '-', '.'])
            && !branch.ends_with(['/', '.'])
            && !branch.contains("..")
            && !branch.contains("//")
            && branch.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'));
        if valid {
            config.repo_branch = branch;
        } else {
            cx.at_value(
                "repo_branch",
                "bad-value",
                format!("`repo_branch` must be a branch name, found `{}`", crate::text::terminal_safe(&branch)),
                "write the branch the \"edit this page\" and history links open, e.g. `repo_branch: main`".into(),
            );
        }
    }
    if let Some(theme) = f.string("theme") {
        config.theme = theme;
    }
    if let Some(language) = f.string("language") {
        config.language = language;
    }
    if let Some(v) = f.get("chain")
        && let Some(chain) = read_chain(cx, v, "chain")
    {
        config.chains.push(chain);
    }
    for (path, v) in f.items("chains") {
        if let Some(chain) = read_chain(cx, v, &path) {
            config.chains.push(chain);
        }
    }
    if let Some(Value::Mapping(map)) = f.get("audience_urls") {
        for (k, v) in map {
            if let (Value::String(k), Value::String(v)) = (k, v) {
                config.audience_urls.insert(k.clone(), v.clone());
            }
        }
    }
    let most = config.audiences.most_trusted();
    config.defaults = Kind::ALL.iter().map(|k| (*k, most)).collect();
    config.defaults.insert(Kind::Page, 0);
    config.component_default = most;
    if let Some(v) = f.get("defaults")
        && let Some(d) = cx.fields(v, "defaults", DEFAULTS_KEYS)
    {
        for kind in Kind::ALL {
            if let Some(rank) = d.audience(kind.as_str()) {
                config.defaults.insert(kind, rank);
            }
        }
        if let Some(rank) = d.audience("components") {
            config.component_default = rank;
        }
        d.finish();
    }
    if let Some(v) = f.get("status")
        && let Some(s) = cx.fields(v, "status", STATUS_KEYS)
    {
        if let Some(days) = s.uint("history_days") {
            config.history_days = days.clamp(1, 3650) as u32;
        }
        s.finish();
    }
    if let Some(v) = f.get("postmortems")
        && let Some(p) = cx.fields(v, "postmortems", POSTMORTEM_KEYS)
    {
        if p.get("required_sections").is_some() {
            config.required_sections = p.strings("required_sections");
        }
        if let Some(Value::Mapping(map)) = p.get("section_aliases") {
            for (k, _) in map {
                let Value::String(section) = k else { continue };
                let path = format!("postmortems.section_aliases.{section}");
                let aliases = match map.get(k) {
                    Some(Value::String(one)) => vec![one.clone()],
                    Some(Value::Sequence(items)) => items.iter().filter_map(|i| i.as_str().map(String::from)).collect(),
                    _ => {
                        cx.at_value(
                            &path,
                            "wrong-type",
                            format!("the aliases of `{section}` should be a list of headings"),
                            format!("e.g. `{section}: [Overview]`"),
                        );
                        continue;
                    }
                };
                config.section_aliases.insert(section.clone(), aliases);
            }
        } else if let Some(other) = p.get("section_aliases") {
            cx.at_value(
                "postmortems.section_aliases",
                "wrong-type",
                format!("`section_aliases` should be a mapping, found {}", super::fields::describe(other)),
                "map each required section to the other headings that count as it, e.g. `{ Summary: [Overview] }`"
                    .into(),
            );
        }
        p.finish();
    }
    if let Some(v) = f.get("markdown")
        && let Some(m) = cx.fields(v, "markdown", MARKDOWN_KEYS)
    {
        config.raw_html = m.bool("raw_html").unwrap_or(false);
        m.finish();
    }
    config.vocabulary = Vocabulary { severity: 1, incident_type: 1, impact_labels: BTreeMap::new() };
    if let Some(v) = f.get("vocabulary")
        && let Some(w) = cx.fields(v, "vocabulary", VOCABULARY_KEYS)
    {
        if let Some(rank) = w.audience("severity") {
            config.vocabulary.severity = rank;
        }
        if let Some(rank) = w.audience("type") {
            config.vocabulary.incident_type = rank;
        }
        if let Some(v) = w.get("impact")
            && let Some(labels) = cx.fields(v, "vocabulary.impact", IMPACT_KEYS)
        {
            for name in IMPACT_KEYS {
                if let (Some(impact), Some(label)) = (Impact::parse(name), labels.string(name)) {
                    config.vocabulary.impact_labels.insert(impact, label);
                }
            }
            labels.finish();
        }
        w.finish();
    }
    if let Some(v) = f.get("notify") {
        config.channels = super::notify::read_channels(cx, v);
    }
    if let Some(v) = f.get("metrics")
        && let Some(m) = cx.fields(v, "metrics", METRICS_KEYS)
    {
        config.public_metrics = m.bool("public").unwrap_or(true);
        m.finish();
    }
}

/// One chain of `chain:` or `chains:`.
fn read_chain(cx: &FileCx<'_>, v: &Value, path: &str) -> Option<Chain> {
    let c = cx.fields(v, path, CHAIN_KEYS)?;
    let name = c.required_string("name", "Example Network");
    let id = c.string("id");
    if let Some(id) = &id {
        check_id(cx, &format!("{path}.id"), id);
    } else if path != "chain" {
        c.missing("id", "mainnet");
    }
    let mut explorers = BTreeMap::new();
    if let Some(v) = c.get("explorer")
        && let Some(e) = cx.fields(v, &format!("{path}.explorer"), UNIT_KEYS)
    {
        for unit in UNIT_KEYS {
            if let (Some(u), Some(url)) = (Unit::parse(unit), e.string(unit)) {
                explorers.insert(u, url);
            }
        }
        e.finish();
    }
    let mut units = BTreeMap::new();
    if let Some(v) = c.get("units")
        && let Some(e) = cx.fields(v, &format!("{path}.units"), UNIT_KEYS)
    {
        for unit in UNIT_KEYS {
            if let (Some(u), Some(word)) = (Unit::parse(unit), e.string(unit)) {
                units.insert(u, word);
            }
        }
        e.finish();
    }
    let chain = name.map(|name| Chain {
        id: id.unwrap_or_else(|| crate::text::slugify(&deunicode::deunicode(&name))),
        name,
        block_time: c.span("block_time"),
        explorer_url: c.string("explorer_url"),
        explorers,
        units,
        path: path.to_string(),
    });
    c.finish();
    chain
}

const COMPONENTS_KEYS: &[&str] = &["groups", "components"];
const GROUP_KEYS: &[&str] = &["id", "name", "chain"];
const COMPONENT_KEYS: &[&str] = &["id", "name", "group", "chain", "description", "visibility", "status"];

/// Reads `content/components.yaml`; a repo without one has no components.
pub fn load_components(root: &Path, config: &Config, problems: &mut Vec<Diagnostic>) -> Components {
    let file = Path::new("content/components.yaml");
    let Ok(Some(text)) = read_yaml(root, file, problems) else {
        return Components { source: file.to_path_buf(), ..Components::default() };
    };
    components_from(text, config, problems)
}

/// The components file from its text (as it is now, or at an old revision).
pub fn components_from(text: String, config: &Config, problems: &mut Vec<Diagnostic>) -> Components {
    let file = Path::new("content/components.yaml");
    let value = match yaml::parse(&text, 1) {
        Ok(v) => v,
        Err((pos, msg)) => {
            problems.push(yaml_error(file, pos, msg));
            return Components { source: file.to_path_buf(), ..Components::default() };
        }
    };
    let locations = yaml::locate(&text, 1);
    let cx = FileCx::new(file, 1, &locations, &config.audiences);
    let mut out = Components { source: file.to_path_buf(), ..Components::default() };
    if let Some(f) = cx.fields(&value, "", COMPONENTS_KEYS) {
        for (index, (path, v)) in f.items("groups").into_iter().enumerate() {
            if let Some(g) = cx.fields(v, &path, GROUP_KEYS) {
                let id = g.required_string("id", "chain");
                let name = g.required_string("name", "Chain");
                let chain = g.string("chain");
                g.finish();
                if let (Some(id), Some(name)) = (id, name) {
                    check_id(&cx, &format!("{path}.id"), &id);
                    out.groups.push(ComponentGroup { id, name, chain, index });
                }
            }
        }
        for (index, (path, v)) in f.items("components").into_iter().enumerate() {
            if let Some(c) = cx.fields(v, &path, COMPONENT_KEYS) {
                let id = c.required_string("id", "consensus");
                let name = c.required_string("name", "Consensus & finality");
                let group = c.string("group");
                let chain = c.string("chain");
                let description = c.string("description");
                let visibility = c.audience("visibility");
                let status = c.choice("status", ComponentStatus::parse, ComponentStatus::NAMES);
                c.finish();
                if let (Some(id), Some(name)) = (id, name) {
                    check_id(&cx, &format!("{path}.id"), &id);
                    out.components.push(Component { id, name, group, chain, description, visibility, status, index });
                }
            }
        }
        f.finish();
    }
    problems.extend(cx.into_problems());
    out.locations = locations;
    out
}

/// Reads the YAML file `rel` below `root` and checks it against the limits. `Err` says why there
/// is no file to read (missing, or a link: the link itself is warned about by the loader);
/// `Ok(None)` when it was there but could not be used, with the problems reported.
fn read_yaml(root: &Path, rel: &Path, problems: &mut Vec<Diagnostic>) -> Result<Option<String>, String> {
    let unreadable =
        |why: String| Diagnostic::error(rel, Pos::START, "unreadable", why).with_help("YAML files must be UTF-8 text");
    let bytes = match inputs::read(root, rel, limits::MAX_YAML_BYTES as u64) {
        Ok(bytes) => bytes,
        Err(inputs::Refused::TooLarge(size)) => {
            problems.push(limits::yaml_too_large(rel, Pos::START, size as usize, false));
            return Ok(None);
        }
        Err(e @ (inputs::Refused::Missing | inputs::Refused::Link(_))) => return Err(e.to_string()),
        Err(e) => {
            problems.push(unreadable(format!("cannot read the file: {e}")));
            return Ok(None);
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        problems.push(unreadable("cannot read the file: stream did not contain valid UTF-8".into()));
        return Ok(None);
    };
    let breaches = limits::check_yaml(rel, &text, 1, false);
    if breaches.is_empty() {
        Ok(Some(text))
    } else {
        problems.extend(breaches);
        Ok(None)
    }
}

pub fn yaml_error(file: &Path, pos: Pos, msg: String) -> Diagnostic {
    let help = if msg.contains("duplicate entry") {
        "each key may appear once in a mapping: remove or rename one of them"
    } else if msg.contains("quoted scalar") {
        "close the quote that starts here, on the same value"
    } else if msg.contains("tab") {
        "indent YAML with spaces, not tabs"
    } else {
        "check indentation and quoting; values containing `: ` or starting with `[`, `{`, `*`, `&` need quotes"
    };
    Diagnostic::error(file, pos, "yaml-syntax", format!("invalid YAML: {msg}")).with_help(help)
}

/// Ids are lowercase ASCII letters, digits and dashes.
pub fn is_id(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

pub fn check_id(cx: &FileCx<'_>, path: &str, id: &str) {
    if !is_id(id) {
        cx.at_value(
            path,
            "bad-id",
            format!("`{id}` is not a valid id"),
            format!("ids use lowercase letters, digits and dashes, e.g. `{}`", crate::text::slugify(id)),
        );
    }
}

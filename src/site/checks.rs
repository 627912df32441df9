//! The rules of what real disclosures add to the model: chains and the positions written on
//! them, per-component states, aliases that write redirects, explorer templates and post-mortem
//! section aliases. Audience-independent, like the rest of `validate`.

use crate::diagnostics::{Diagnostic, Pos, suggest};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every rule of this module over the whole repo.
pub fn check(s: &Sources, out: &mut Vec<Diagnostic>) {
    chains(&s.config, out);
    section_aliases(&s.config, out);
    let chain_ids: BTreeSet<&str> = s.config.chains.iter().map(|c| c.id.as_str()).collect();
    let mut component_chain: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    let file = &s.components.source;
    let loc = &s.components.locations;
    for g in &s.components.groups {
        if let Some(c) = &g.chain {
            unknown_chain(&chain_ids, file, loc.value(&format!("groups.{}.chain", g.index)), c, out);
        }
    }
    for c in &s.components.components {
        if let Some(id) = &c.chain {
            unknown_chain(&chain_ids, file, loc.value(&format!("components.{}.chain", c.index)), id, out);
        }
        let group = c.group.as_deref().and_then(|g| s.components.groups.iter().find(|x| x.id == g));
        component_chain.insert(&c.id, c.chain.as_deref().or(group.and_then(|g| g.chain.as_deref())));
    }
    let cx = ChainCx { ids: &chain_ids, of_component: &component_chain, several: s.config.chains.len() > 1 };
    for inc in &s.incidents {
        let points = [("halted_at_", inc.halted_at), ("resumed_at_", inc.resumed_at)];
        cx.document(&inc.meta, inc.chain.as_deref(), &inc.components, &points, &inc.updates, out);
    }
    for mt in &s.maintenance {
        let points = [("halt_", mt.halt), ("resumed_at_", mt.resumed_at)];
        cx.document(&mt.meta, mt.chain.as_deref(), &mt.components, &points, &mt.updates, out);
        let m = &mt.meta;
        if let (Some(start), Some(end)) = (mt.started_at, mt.ended_at)
            && mt.precision.of("ended_at").latest(end) < mt.precision.of("started_at").earliest(start)
        {
            out.push(
                Diagnostic::error(
                    &m.source,
                    m.locations.value("ended_at"),
                    "time-order",
                    "`ended_at` is earlier than `started_at`",
                )
                .with_help("the window ends after it starts; check the times and offsets"),
            );
        }
        if mt.status == MaintenanceStatus::Completed && !mt.halt.is_empty() && mt.started_at.is_none() {
            out.push(
                Diagnostic::warning(
                    &m.source,
                    m.locations.key("status"),
                    "missing-actual-time",
                    "this window by height is completed, but does not say when it actually started",
                )
                .with_help(
                    "add `started_at:` and `ended_at:` (and `resumed_at_height:`): until then its page shows \
                     the estimate made from the halt height",
                ),
            );
        }
    }
    aliases(s, out);
}

/// What checking the chain of a document needs.
struct ChainCx<'a> {
    ids: &'a BTreeSet<&'a str>,
    of_component: &'a BTreeMap<&'a str, Option<&'a str>>,
    several: bool,
}

impl ChainCx<'_> {
    /// Its `chain` exists; a document with positions on components of several chains says which;
    /// the components of its updates' states exist.
    fn document<S>(
        &self,
        m: &Meta,
        chain: Option<&str>,
        components: &[String],
        points: &[(&str, ChainPoint)],
        updates: &[StatusUpdate<S>],
        out: &mut Vec<Diagnostic>,
    ) {
        if let Some(c) = chain {
            unknown_chain(self.ids, &m.source, m.locations.value("chain"), c, out);
        }
        let mut first_point: Option<String> =
            points.iter().find_map(|(prefix, p)| p.units().first().map(|(u, _)| format!("{prefix}{}", u.as_str())));
        for u in updates {
            if first_point.is_none()
                && let Some((unit, _)) = u.point.units().first()
            {
                first_point = Some(format!("updates.{}.{}", u.index, unit.as_str()));
            }
            for (c, _) in &u.components {
                if !self.of_component.contains_key(c.as_str()) {
                    let known: Vec<&str> = self.of_component.keys().copied().collect();
                    let help = match suggest(c, known.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("known component ids: {}", known.join(", ")),
                    };
                    out.push(
                        Diagnostic::error(
                            &m.source,
                            m.locations.key(&format!("updates.{}.components.{c}", u.index)),
                            "unknown-component",
                            format!("unknown component `{c}`"),
                        )
                        .with_help(help),
                    );
                }
            }
        }
        let (Some(key), None, true) = (first_point, chain, self.several) else { return };
        let mut on: Vec<&str> =
            components.iter().filter_map(|c| self.of_component.get(c.as_str()).copied().flatten()).collect();
        on.sort_unstable();
        on.dedup();
        if on.len() > 1 {
            out.push(
                Diagnostic::error(
                    &m.source,
                    m.locations.key(&key),
                    "ambiguous-chain",
                    format!("its components are on several chains ({}): which one is this position on?", on.join(", ")),
                )
                .with_help(format!("add `chain: {}` (or the id of another chain of cairn.yaml)", on[0])),
            );
        }
    }
}

fn unknown_chain(ids: &BTreeSet<&str>, file: &Path, pos: Pos, id: &str, out: &mut Vec<Diagnostic>) {
    if ids.contains(id) {
        return;
    }
    let help = match suggest(id, ids.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None if ids.is_empty() => "declare the chain in cairn.yaml: `chains: [{ id: mainnet, name: … }]`".into(),
        None => format!("chains of cairn.yaml: {}", ids.iter().copied().collect::<Vec<_>>().join(", ")),
    };
    out.push(Diagnostic::error(file, pos, "unknown-chain", format!("unknown chain `{id}`")).with_help(help));
}

/// Chain ids are unique, and explorer templates are web addresses with known placeholders.
fn chains(config: &Config, out: &mut Vec<Diagnostic>) {
    let file = Path::new("cairn.yaml");
    let mut seen = BTreeSet::new();
    for c in &config.chains {
        if !seen.insert(c.id.as_str()) {
            out.push(
                Diagnostic::error(
                    file,
                    config.locations.value(&format!("{}.id", c.path)),
                    "duplicate-id",
                    format!("chain `{}` is declared twice", c.id),
                )
                .with_help("give each chain a distinct `id`"),
            );
        }
        let mut templates: Vec<(String, &str, Option<Unit>)> = Vec::new();
        if let Some(u) = &c.explorer_url {
            templates.push((format!("{}.explorer_url", c.path), u, None));
        }
        for (unit, u) in &c.explorers {
            templates.push((format!("{}.explorer.{}", c.path, unit.as_str()), u, Some(*unit)));
        }
        for (key, url, unit) in templates {
            if let Some((message, help)) = template_problem(&key, url, unit) {
                out.push(Diagnostic::error(file, config.locations.value(&key), "bad-url", message).with_help(help));
            }
        }
    }
}

/// What is wrong with an explorer URL template, if anything.
fn template_problem(key: &str, url: &str, unit: Option<Unit>) -> Option<(String, String)> {
    let mut filled = url.to_string();
    let mut found = Vec::new();
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        let name = &rest[open + 1..open + close];
        found.push(name.to_string());
        rest = &rest[open + close + 1..];
    }
    for name in &found {
        let allowed: Vec<&str> = match unit {
            Some(u) => vec![u.as_str()],
            None => Unit::NAMES.to_vec(),
        };
        if !allowed.contains(&name.as_str()) {
            let help = match suggest(name, allowed.iter().copied()) {
                Some(s) => format!("did you mean `{{{s}}}`?"),
                None => format!(
                    "placeholders here: {}",
                    allowed.iter().map(|a| format!("{{{a}}}")).collect::<Vec<_>>().join(", ")
                ),
            };
            return Some((format!("`{key}` has an unknown placeholder `{{{name}}}`"), help));
        }
        filled = filled.replace(&format!("{{{name}}}"), "1");
    }
    if found.is_empty() {
        let example = unit.map_or("height", Unit::as_str);
        return Some((
            format!("`{key}` has no placeholder for the position"),
            format!(
                "put `{{{example}}}` where the number goes, e.g. https://explorer.example.org/{example}/{{{example}}}"
            ),
        ));
    }
    (!crate::text::is_web_url(&filled)).then(|| {
        (
            format!("`{key}` is not a web address: `{url}`"),
            "write an absolute http:// or https:// address without spaces or quotes".to_string(),
        )
    })
}

/// Each alias of `postmortems.section_aliases` is of a required section.
fn section_aliases(config: &Config, out: &mut Vec<Diagnostic>) {
    for section in config.section_aliases.keys() {
        if config.required_sections.iter().any(|r| r == section) {
            continue;
        }
        let help = match suggest(section, config.required_sections.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("the required sections are: {}", config.required_sections.join(", ")),
        };
        out.push(
            Diagnostic::error(
                Path::new("cairn.yaml"),
                config.locations.key(&format!("postmortems.section_aliases.{section}")),
                "unknown-section",
                format!("`{section}` is not a required section"),
            )
            .with_help(help),
        );
    }
}

/// Aliases are plain paths below the site, none twice and none where a page is.
fn aliases(s: &Sources, out: &mut Vec<Diagnostic>) {
    let pages: BTreeMap<String, &Meta> = s
        .metas()
        .filter_map(|m| super::permalink(m.kind, &m.rel, &m.slug).map(|p| (format!("{p}index.html"), m)))
        .collect();
    let mut taken: BTreeMap<String, &Meta> = BTreeMap::new();
    for m in s.metas() {
        for (i, alias) in m.aliases.iter().enumerate() {
            let at = m.locations.value(&format!("aliases.{i}"));
            let Some(file) = super::alias_output(alias) else {
                out.push(
                    Diagnostic::error(&m.source, at, "bad-path", format!("`{alias}` is not an address on this site"))
                        .with_help(
                            "write the old path below the site root, e.g. /incidents/abc123 or /2024/05/outage.html \
                             (letters, digits, `-`, `_`, `.`, `~`)",
                        ),
                );
                continue;
            };
            let clash = pages.get(&file).copied().or_else(|| taken.get(&file).copied());
            match clash {
                Some(other) => out.push(
                    Diagnostic::error(
                        &m.source,
                        at,
                        "duplicate-alias",
                        format!(
                            "`{alias}` is already the address of {}",
                            crate::diagnostics::display_path(&other.source)
                        ),
                    )
                    .with_help("an old address can lead to one document only; remove this alias or the other"),
                ),
                None => {
                    taken.insert(file, m);
                }
            }
        }
    }
}

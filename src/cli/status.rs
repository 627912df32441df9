//! `cairn status [--audience A] [--json]`: what an audience's site shows now, read off the same
//! resolved `Site` a build makes (never from the files): the overall indicator (and each less
//! trusted audience's), open incidents with their latest update and who sees them, maintenance
//! in progress and next, and every component's status. Text quoted from the knowledge base is
//! escaped for the terminal.

use super::comms::asked_audience;
use super::{RepoArgs, now_or_usage};
use crate::site::{Doc, Phase, ResolvedIncident, ResolvedMaintenance, Site};
use crate::text::terminal_safe;
use crate::view::{iso, relative, time_view};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct StatusArgs {
    /// Whose site to show (see `audiences` in cairn.yaml); the most trusted by default: the
    /// whole picture, each item saying who sees it
    #[arg(long, value_name = "NAME")]
    pub audience: Option<String>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub repo: RepoArgs,
}

/// Lines of an update's text shown under it.
const TEXT_LINES: usize = 6;

/// The audiences of `site` that see something of visibility `rank`.
fn seen_by(site: &Site, rank: usize) -> Vec<&str> {
    site.config.audiences.iter().skip(rank).map(String::as_str).collect()
}

/// `public, operators and internal`; `internal only`; with `…and more trusted ones` in a site
/// that is not the most trusted one's.
fn seen_by_words(site: &Site, rank: usize) -> String {
    let names = seen_by(site, rank);
    let mut words = match names.as_slice() {
        [one] if site.most_trusted => format!("{one} only"),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    };
    if !site.most_trusted {
        words.push_str(" (and more trusted audiences)");
    }
    words
}

/// In English: the terminal report is not the site's.
fn when(t: crate::model::Timestamp, now: crate::model::Timestamp) -> String {
    let en = crate::i18n::Messages::english();
    format!("{} ({})", time_view(&en, t).display, relative(&en, t, now))
}

fn component_names(site: &Site, ids: &[usize]) -> Vec<String> {
    ids.iter().map(|c| terminal_safe(&site.component(*c).name).into_owned()).collect()
}

fn doc_json(site: &Site, doc: &Doc) -> Value {
    json!({
        "id": doc.slug, "title": doc.title, "path": doc.path,
        "visible_to": seen_by(site, doc.visibility),
        "embargo_until": doc.embargo_until.map(iso),
    })
}

fn incident_json(site: &Site, inc: &ResolvedIncident) -> Value {
    let mut v = doc_json(site, site.doc(inc.doc));
    let latest = inc.updates.last();
    let next = latest.and_then(|u| u.next_update);
    let extra = json!({
        "impact": inc.impact.as_str(), "status": inc.status.as_str(), "started_at": iso(inc.started_at),
        "components": inc.components.iter().map(|c| site.component(*c).id.clone()).collect::<Vec<_>>(),
        "latest_update": latest.map(|u| json!({
            "id": u.id, "at": iso(u.at), "status": u.status.as_str(), "body": u.body.as_str(),
            "visible_to": seen_by(site, u.visibility),
        })),
        "next_update": next.map(iso), "next_update_overdue": next.is_some_and(|t| t < site.now),
    });
    if let (Value::Object(v), Value::Object(extra)) = (&mut v, extra) {
        v.extend(extra);
        if !site.is_public()
            && let Some(severity) = inc.severity
        {
            v.insert("severity".into(), severity.as_str().into());
        }
    }
    v
}

fn window_json(site: &Site, m: &ResolvedMaintenance) -> Value {
    let mut v = doc_json(site, site.doc(m.doc));
    let extra = json!({
        "status": m.status.as_str(), "scheduled_for": iso(m.scheduled_for), "scheduled_until": iso(m.scheduled_until),
        "halt_height": m.halt.height, "halt_slot": m.halt.slot, "halt_epoch": m.halt.epoch,
        "components": m.components.iter().map(|c| site.component(*c).id.clone()).collect::<Vec<_>>(),
    });
    if let (Value::Object(v), Value::Object(extra)) = (&mut v, extra) {
        v.extend(extra);
    }
    v
}

/// The whole status as JSON: `sites` are the sites of every audience up to the one shown.
fn as_json(sites: &[Site], errors: usize) -> Value {
    let site = &sites[sites.len() - 1];
    let windows = |phase: Phase| -> Vec<Value> {
        site.maintenance.iter().filter(|m| m.phase == phase).map(|m| window_json(site, m)).collect()
    };
    json!({
        "audience": site.audience_name(), "now": iso(site.now), "errors": errors,
        "overall": {"indicator": site.overall.as_str(), "description": site.overall.label()},
        "audiences": sites.iter().map(|s| json!({
            "name": s.audience_name(), "indicator": s.overall.as_str(), "description": s.overall.label(),
        })).collect::<Vec<_>>(),
        "components": site.components.iter().map(|c| json!({
            "id": c.id, "name": c.name, "group": c.group.map(|g| site.groups[g].id.clone()),
            "status": c.status.as_str(), "overridden": c.overridden,
        })).collect::<Vec<_>>(),
        "incidents": site.incidents.iter().filter(|i| i.is_open).map(|i| incident_json(site, i)).collect::<Vec<_>>(),
        "maintenance": {"in_progress": windows(Phase::Active), "upcoming": windows(Phase::Upcoming)},
    })
}

/// An update's text, indented, at most [`TEXT_LINES`] lines.
fn excerpt(out: &mut String, text: &str) {
    let lines: Vec<&str> = text.trim().lines().collect();
    for line in lines.iter().take(TEXT_LINES) {
        let _ = writeln!(out, "      | {}", terminal_safe(line));
    }
    if lines.len() > TEXT_LINES {
        let _ = writeln!(out, "      | … ({} more lines)", lines.len() - TEXT_LINES);
    }
}

fn incident_text(out: &mut String, site: &Site, inc: &ResolvedIncident) {
    let doc = site.doc(inc.doc);
    let now = site.now;
    let _ = writeln!(
        out,
        "  ● {}  [{} impact · {} · started {}]",
        terminal_safe(&doc.title),
        inc.impact.as_str(),
        inc.status.label().to_lowercase(),
        when(inc.started_at, now)
    );
    let mut seen = format!("visible to {}", seen_by_words(site, doc.visibility));
    if let Some(t) = doc.embargo_until.filter(|t| *t > now) {
        let _ = write!(seen, ", embargoed for {} until {}", site.config.audiences[0], iso(t));
    }
    let _ = writeln!(out, "    {} · {seen}", doc.slug);
    if !inc.components.is_empty() {
        let _ = writeln!(out, "    affects: {}", component_names(site, &inc.components).join(", "));
    }
    match inc.updates.last() {
        Some(u) => {
            let narrower = if u.visibility > doc.visibility {
                format!(", visible to {}", seen_by_words(site, u.visibility))
            } else {
                String::new()
            };
            let _ =
                writeln!(out, "    latest update {}, {}{narrower}:", when(u.at, now), u.status.label().to_lowercase());
            excerpt(out, u.body.as_str());
            if let Some(next) = u.next_update {
                let late = if next < now { "  ← OVERDUE" } else { "" };
                let _ = writeln!(out, "    next update promised by {}{late}", when(next, now));
            }
        }
        None => {
            let _ = writeln!(out, "    no update is visible to this audience yet");
        }
    }
}

fn window_text(out: &mut String, site: &Site, m: &ResolvedMaintenance) {
    let doc = site.doc(m.doc);
    let now = site.now;
    let estimate = if !m.halt.is_empty() { " (estimated from its halt position)" } else { "" };
    let _ = writeln!(
        out,
        "  ● {}  [{} · {} → {}{estimate}]",
        terminal_safe(&doc.title),
        m.status.label().to_lowercase(),
        when(m.scheduled_for, now),
        when(m.scheduled_until, now)
    );
    let _ = writeln!(out, "    {} · visible to {}", doc.slug, seen_by_words(site, doc.visibility));
    if !m.components.is_empty() {
        let _ = writeln!(out, "    affects: {}", component_names(site, &m.components).join(", "));
    }
}

/// The whole status as text for a person in a hurry: `sites` as for [`as_json`].
fn as_text(sites: &[Site]) -> String {
    let site = &sites[sites.len() - 1];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: what the {} site shows at {}",
        terminal_safe(&site.config.title),
        site.audience_name(),
        time_view(&crate::i18n::Messages::english(), site.now).display
    );
    let _ = writeln!(out, "\nOverall: {}", site.overall.label());
    for other in &sites[..sites.len() - 1] {
        let _ = writeln!(out, "  {} sees: {}", other.audience_name(), other.overall.label());
    }
    let open: Vec<&ResolvedIncident> = site.incidents.iter().filter(|i| i.is_open).collect();
    let _ = writeln!(
        out,
        "\nOpen incidents: {}",
        if open.is_empty() { "none".to_string() } else { open.len().to_string() }
    );
    for inc in open {
        incident_text(&mut out, site, inc);
    }
    let active: Vec<&ResolvedMaintenance> = site.maintenance.iter().filter(|m| m.phase == Phase::Active).collect();
    let upcoming: Vec<&ResolvedMaintenance> = site.maintenance.iter().filter(|m| m.phase == Phase::Upcoming).collect();
    let _ = writeln!(
        out,
        "\nMaintenance in progress: {}",
        if active.is_empty() { "none".to_string() } else { active.len().to_string() }
    );
    for m in active {
        window_text(&mut out, site, m);
    }
    match upcoming.split_first() {
        None => {
            let _ = writeln!(out, "Next maintenance: none scheduled");
        }
        Some((next, rest)) => {
            let later = if rest.is_empty() { String::new() } else { format!(" ({} more after it)", rest.len()) };
            let _ = writeln!(out, "Next maintenance{later}:");
            window_text(&mut out, site, next);
        }
    }
    let _ = writeln!(out, "\nComponents:");
    let width = site.components.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
    for c in &site.components {
        let name = terminal_safe(&c.name);
        let pad = " ".repeat(width.saturating_sub(c.name.chars().count()));
        let mark = if c.status == crate::model::ComponentStatus::Operational { " " } else { "!" };
        let by_hand = if c.overridden { " (set by hand)" } else { "" };
        let _ = writeln!(out, "  {mark} {name}{pad}  {}{by_hand}", c.status.label().to_lowercase());
    }
    out
}

pub fn run(args: StatusArgs) -> ExitCode {
    match status(args) {
        Ok(code) | Err(code) => code,
    }
}

fn status(args: StatusArgs) -> Result<ExitCode, ExitCode> {
    let now = now_or_usage(&args.repo)?;
    let (sources, mut problems) = crate::pipeline::load_and_validate(&args.repo.root);
    let audiences = sources.config.audiences.clone();
    let shown = asked_audience(&audiences, args.audience.as_deref(), Some(audiences.most_trusted()))?
        .unwrap_or(audiences.most_trusted());
    // Resolved as a build resolves them: the site shown, and each less trusted one for its
    // overall indicator.
    let sites: Vec<Site> = (0..=shown)
        .map(|audience| {
            let (site, p) = crate::site::resolve(sources.clone(), audience, now);
            problems.extend(p);
            site
        })
        .collect();
    let errors = problems.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        eprintln!(
            "warning: the knowledge base has {errors} error{} (`cairn check` lists them): it would not build, and what follows may be incomplete",
            if errors == 1 { "" } else { "s" }
        );
    }
    if args.json {
        let text = serde_json::to_string_pretty(&as_json(&sites, errors)).unwrap_or_default();
        println!("{text}");
    } else {
        print!("{}", as_text(&sites));
    }
    Ok(ExitCode::SUCCESS)
}

//! `cairn publish DOC [--update ID] --to AUDIENCE`: when disclosure time comes, show an incident,
//! a maintenance window, a post-mortem or one update to a wider audience, after a preview of
//! exactly what each newly reached audience will see that it does not see now.
//!
//! A preview is all it does unless `--yes` is given: the same command behaves the same at a
//! terminal, over ssh and in CI (no prompt that hangs a job or is answered by reflex under
//! pressure), and the preview can be pasted where the disclosure is approved before anyone
//! runs it again with `--yes`. The preview is computed from the sites as a build resolves them,
//! before and after the edit, so it is what the pages will show, not a guess.

use super::comms::{Target, asked_audience, audience_of, refuse, sites_with, usage, write_checked};
use super::names::{self, noun};
use super::{RepoArgs, now_or_usage};
use crate::diagnostics::{display_path, suggest};
use crate::load::edit::set_visibility;
use crate::load::{inputs, limits};
use crate::model::{Kind, Meta, Sources, StatusUpdate, Timestamp};
use crate::site::{Markdown, Site};
use crate::text::terminal_safe;
use crate::view::iso;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct PublishArgs {
    /// The incident, maintenance window or post-mortem: its id, a part of it no other has, or
    /// its path
    #[arg(value_name = "DOCUMENT")]
    pub name: String,
    /// Only this update: its id (the anchor of its permalink, e.g. 20261126-1405) or its number
    /// (1 is the first)
    #[arg(long, value_name = "ID")]
    pub update: Option<String>,
    /// The audience to show it to (it stays visible to every more trusted one)
    #[arg(long, value_name = "AUDIENCE")]
    pub to: String,
    /// Write the change; without it, only show what would become visible to whom
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub repo: RepoArgs,
}

/// Keys a document's `visibility` is written after, by kind (as the content model lists them).
fn visibility_after(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Incident => &["title", "summary", "type", "severity", "impact", "components"],
        Kind::Maintenance => &["title", "summary", "components", "scheduled_for", "scheduled_until", "status"],
        _ => &["title", "summary", "incidents", "status", "authors", "reviewers", "published_at"],
    }
}

/// An update of the document: its id, number in `updates`, own visibility and status.
struct Listed {
    id: String,
    index: usize,
    visibility: Option<usize>,
    status: &'static str,
    at: Timestamp,
}

fn listed<S: Copy>(updates: &[StatusUpdate<S>], name: fn(S) -> &'static str) -> Vec<Listed> {
    updates
        .iter()
        .map(|u| Listed { id: u.uid(), index: u.index, visibility: u.visibility, status: name(u.status), at: u.at })
        .collect()
}

/// The document's common part and its updates.
fn document<'s>(sources: &'s Sources, source: &Path) -> Option<(&'s Meta, Vec<Listed>)> {
    if let Some(i) = sources.incidents.iter().find(|i| i.meta.source == source) {
        return Some((&i.meta, listed(&i.updates, |s| s.as_str())));
    }
    if let Some(m) = sources.maintenance.iter().find(|m| m.meta.source == source) {
        return Some((&m.meta, listed(&m.updates, |s| s.as_str())));
    }
    sources.postmortems.iter().find(|p| p.meta.source == source).map(|p| (&p.meta, Vec::new()))
}

/// The update `wanted` names: by id, else by number.
fn find_update<'l>(list: &'l [Listed], wanted: &str, slug: &str) -> Result<&'l Listed, ExitCode> {
    if let Some(u) = list.iter().find(|u| u.id == wanted) {
        return Ok(u);
    }
    if let Some(u) = wanted.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).and_then(|i| list.get(i)) {
        return Ok(u);
    }
    let ids: Vec<String> = list.iter().map(|u| format!("{} ({}, {})", u.id, u.status, iso(u.at))).collect();
    let help = match suggest(wanted, list.iter().map(|u| u.id.as_str())) {
        Some(s) => format!("did you mean `{s}`? Its updates: {}", ids.join(", ")),
        None if ids.is_empty() => "it has no updates".to_string(),
        None => format!("its updates: {}", ids.join(", ")),
    };
    Err(usage(format_args!("{slug} has no update `{}`", terminal_safe(wanted)), Some(help)))
}

/// Markdown as a terminal shows it in a preview: each line indented behind a bar.
fn quoted(text: &Markdown) -> String {
    let body = text.as_str().trim_end();
    if body.is_empty() {
        return "      (no text)\n".to_string();
    }
    body.lines().map(|l| format!("      | {}\n", terminal_safe(l))).collect()
}

/// What an update shows besides its text: where it was posted and by whom, its progress and its
/// references (a bounty credit is as much news as the text), as preview lines.
fn update_extras<S>(u: &crate::site::Update<S>) -> String {
    let mut lines = Vec::new();
    if let Some(source) = &u.source {
        let parts: Vec<&str> =
            [&source.channel, &source.author, &source.url].into_iter().flatten().map(String::as_str).collect();
        lines.push(format!("posted: {}", parts.join(", ")));
    }
    if let Some(p) = &u.progress {
        lines.push(format!("progress: {} {}%", p.label.as_deref().unwrap_or(""), p.percent));
    }
    for r in &u.references {
        let parts: Vec<&str> =
            [&r.title, &r.id, &r.credit, &r.amount, &r.url].into_iter().flatten().map(String::as_str).collect();
        lines.push(format!("reference ({}): {}", r.kind.as_str(), parts.join(", ")));
    }
    lines.iter().map(|l| format!("      + {}\n", terminal_safe(l))).collect()
}

/// What `after` shows that `before` (the same audience's site) does not, as preview lines.
fn gained(before: &Site, after: &Site) -> Vec<String> {
    let mut out = Vec::new();
    let seen = |kind: Kind, slug: &str| before.docs.iter().any(|d| d.kind == kind && d.slug == slug);
    for doc in after.docs.iter().filter(|d| !seen(d.kind, &d.slug)) {
        out.push(format!(
            "  + the {} “{}” at /{}, with its text:\n{}",
            noun(doc.kind),
            terminal_safe(&doc.title),
            doc.path,
            quoted(&doc.body)
        ));
    }
    let update_ids = |site: &Site, slug: &str| -> Vec<String> {
        let of_incident = site.incidents.iter().filter(|i| site.doc(i.doc).slug == slug);
        let of_window = site.maintenance.iter().filter(|m| site.doc(m.doc).slug == slug);
        of_incident
            .flat_map(|i| i.updates.iter().map(|u| u.id.clone()))
            .chain(of_window.flat_map(|m| m.updates.iter().map(|u| u.id.clone())))
            .collect()
    };
    let mut updates: Vec<(String, String, String, &Markdown, String)> = Vec::new();
    for i in &after.incidents {
        let slug = &after.doc(i.doc).slug;
        let known = update_ids(before, slug);
        for u in i.updates.iter().filter(|u| !known.contains(&u.id)) {
            let what = format!("{}, {}", u.status.as_str(), iso(u.at));
            updates.push((slug.clone(), u.id.clone(), what, &u.body, update_extras(u)));
        }
    }
    for m in &after.maintenance {
        let slug = &after.doc(m.doc).slug;
        let known = update_ids(before, slug);
        for u in m.updates.iter().filter(|u| !known.contains(&u.id)) {
            let what = format!("{}, {}", u.status.as_str(), iso(u.at));
            updates.push((slug.clone(), u.id.clone(), what, &u.body, update_extras(u)));
        }
    }
    for (slug, id, what, body, extras) in updates {
        out.push(format!("  + update {id} of {slug} ({what}):\n{}{extras}", quoted(body)));
    }
    for c in &after.components {
        let was = before.components.iter().find(|b| b.id == c.id).map(|b| b.status);
        match was {
            Some(was) if was != c.status => out.push(format!(
                "  + component “{}”: {} → {}\n",
                terminal_safe(&c.name),
                was.label().to_lowercase(),
                c.status.label().to_lowercase()
            )),
            None => {
                out.push(format!("  + component “{}”: {}\n", terminal_safe(&c.name), c.status.label().to_lowercase()))
            }
            _ => {}
        }
    }
    if before.overall != after.overall {
        out.push(format!("  + overall status: {} → {}\n", before.overall.label(), after.overall.label()));
    }
    out
}

/// Updates of the document that `site` still does not show, given every update `all` (from the
/// most trusted site), as preview lines.
fn still_hidden(site: &Site, all: &Site, slug: &str) -> Vec<String> {
    let ids = |s: &Site| -> Vec<(String, usize)> {
        let incidents = s.incidents.iter().filter(|i| s.doc(i.doc).slug == slug);
        let windows = s.maintenance.iter().filter(|m| s.doc(m.doc).slug == slug);
        incidents
            .flat_map(|i| i.updates.iter().map(|u| (u.id.clone(), u.visibility)))
            .chain(windows.flat_map(|m| m.updates.iter().map(|u| (u.id.clone(), u.visibility))))
            .collect()
    };
    let shown: Vec<String> = ids(site).into_iter().map(|(id, _)| id).collect();
    ids(all)
        .into_iter()
        .filter(|(id, _)| !shown.contains(id))
        .map(|(id, v)| {
            let audiences = crate::model::Audiences(all.config.audiences.clone());
            format!("  - update {id} (visible to {})\n", audience_of(&audiences, Some(v), v, None))
        })
        .collect()
}

pub fn run(args: PublishArgs) -> ExitCode {
    match publish(args) {
        Ok(code) | Err(code) => code,
    }
}

fn publish(args: PublishArgs) -> Result<ExitCode, ExitCode> {
    let now = now_or_usage(&args.repo)?;
    let root = &args.repo.root;
    let (sources, problems) = crate::load::load(root);
    let kinds = [Kind::Incident, Kind::Maintenance, Kind::Postmortem];
    let named = names::find(&sources, &problems, &kinds, &args.name, root)?;
    let audiences = &sources.config.audiences;
    let to = asked_audience(audiences, Some(&args.to), None)?.unwrap_or(0);
    let (meta, updates) = document(&sources, &named.source).ok_or_else(|| refuse("the document disappeared"))?;
    let default = sources.config.defaults.get(&named.kind).copied().unwrap_or(audiences.most_trusted());
    let of_document = meta.visibility.unwrap_or(default);
    let what = noun(named.kind);
    let slug = &meta.slug;
    let (target, now_visible, subject) = match &args.update {
        None => (None, of_document, format!("the {what} `{slug}` “{}”", terminal_safe(&meta.title))),
        Some(wanted) => {
            let u = find_update(&updates, wanted, slug)?;
            if to < of_document {
                return Err(usage(
                    format_args!(
                        "the {what} itself is visible to {}: its update cannot be shown to {} before it is",
                        audience_of(audiences, Some(of_document), default, None),
                        audiences.name(to)
                    ),
                    Some(format!("publish the {what} first: `cairn publish {slug} --to {}`", audiences.name(to))),
                ));
            }
            let effective = u.visibility.unwrap_or(0).max(of_document);
            (Some(u.index), effective, format!("update {} of `{slug}` ({}, {})", u.id, u.status, iso(u.at)))
        }
    };
    let to_name = audiences.name(to);
    if to == now_visible {
        println!("{subject} is already visible to {}: nothing to do.", audience_of(audiences, Some(to), default, None));
        return Ok(ExitCode::SUCCESS);
    }
    if to > now_visible {
        return Err(usage(
            format_args!(
                "{subject} is visible to {}; publishing only widens an audience",
                audience_of(audiences, Some(now_visible), default, None)
            ),
            Some("to narrow it, edit its `visibility` by hand: what was published may already have been copied".into()),
        ));
    }
    let rel = display_path(&meta.source);
    let text = inputs::read(root, Path::new(&rel), limits::MAX_FILE_BYTES)
        .map_err(|e| e.to_string())
        .and_then(|b| String::from_utf8(b).map_err(|_| "it is not UTF-8 text".to_string()))
        .map_err(|e| refuse(format_args!("cannot read {rel}: {e}")))?;
    let edited = set_visibility(&text, target, to_name, visibility_after(named.kind))
        .map_err(|e| refuse(format_args!("{rel}: {e}")))?;
    let most = audiences.most_trusted();
    let reached = to..now_visible;
    let before = sites_with(root, Path::new(&rel), text.as_bytes(), now, reached.clone());
    let mut after = sites_with(root, Path::new(&rel), edited.as_bytes(), now, reached.start..most + 1);
    let all = after.pop().ok_or_else(|| refuse("this site has no audience"))?;
    println!(
        "Publishing {subject} to {to_name} (visible now to {}).",
        audience_of(audiences, Some(now_visible), default, None)
    );
    let mut previous: Option<Vec<String>> = None;
    for (audience, (before, after)) in reached.clone().zip(before.iter().zip(&after)) {
        let name = audiences.name(audience);
        let lines = gained(before, after);
        if previous.as_ref() == Some(&lines) {
            println!("\n{name} will see the same.");
            continue;
        }
        if lines.is_empty() {
            println!("\n{name} will see nothing more.");
        } else {
            println!("\nWhat {name} will see that it does not see now:");
            print!("{}", lines.concat());
        }
        let hidden = if args.update.is_none() { still_hidden(after, &all, slug) } else { Vec::new() };
        if !hidden.is_empty() {
            println!("Still hidden from {name}:");
            print!("{}", hidden.concat());
        }
        previous = Some(lines);
    }
    if let Some(t) = meta.embargo_until.filter(|t| *t > now && to == 0) {
        println!(
            "\nIt stays under embargo until {}: {to_name} sees it from then (remove `embargo_until` to publish it sooner).",
            iso(t)
        );
    }
    if !args.yes {
        println!("\nNothing was written: this is a preview. Run the same command with --yes to publish.");
        return Ok(ExitCode::SUCCESS);
    }
    let path = write_checked(root, Path::new(&rel), edited.as_bytes(), now, Target::Replace { read: text.as_bytes() })?;
    let key = match target {
        None => "visibility".to_string(),
        Some(i) => format!("updates.{i}.visibility"),
    };
    println!("\nPublished: set {key}: {to_name} in {}", path.display());
    Ok(ExitCode::SUCCESS)
}

//! `cairn update <incident|window>`: append a status update to an incident or a maintenance
//! window in place, optionally closing it (`resolved`, `completed`). Refuses updates to closed
//! documents, statuses that go backwards and times in the future (unless `--force`), empty
//! messages, and updates shown to more than their document is.

use super::comms::{Target, asked_audience, audience_of, message_given, not_in_future, refuse, usage, write_checked};
use super::names::{self, Named, noun};
use super::{RepoArgs, now_or_usage, parse_now};
use crate::diagnostics::{display_path, suggest};
use crate::load::edit::{NewUpdate, SetKey, append_update, set_update_id};
use crate::load::{inputs, limits};
use crate::model::{IncidentStatus, Kind, MaintenanceStatus, Meta, Sources, StatusUpdate, Timestamp, time_id};
use crate::view::iso;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct UpdateArgs {
    /// The incident or maintenance window: its id (file name without `.md`), a part of it no
    /// other has, or its path
    #[arg(value_name = "INCIDENT|WINDOW")]
    pub name: String,
    /// New status. Incidents: investigating, identified, monitoring or resolved, then `note` or
    /// `postmortem` for a post-resolution note; maintenance: scheduled, in_progress, verifying or
    /// completed. The current one by default
    #[arg(long)]
    pub status: Option<String>,
    /// What is happening and what users should do (markdown; it may start with `-`)
    #[arg(long, short, allow_hyphen_values = true)]
    pub message: Option<String>,
    /// Show this update only to this audience and more trusted ones (never to more than the
    /// document); its document's audience by default
    #[arg(long, value_name = "NAME", conflicts_with = "internal")]
    pub audience: Option<String>,
    /// Show this update only to the most trusted audience (as `--audience <most trusted>`)
    #[arg(long)]
    pub internal: bool,
    /// Time of the update (RFC 3339); now, in UTC, by default
    #[arg(long, value_parser = parse_now)]
    pub at: Option<Timestamp>,
    /// Close it: resolve an incident (a `resolved` update and `resolved_at`), complete a window
    #[arg(long)]
    pub resolve: bool,
    /// Allow a status that goes backwards (e.g. monitoring → investigating) or a time in the future
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub repo: RepoArgs,
}

/// What the update does to its document, worked out from the arguments and the document.
struct Plan {
    status: &'static str,
    message: String,
    /// Top-level keys set with it (`resolved_at`, a window's `status`), and what they say.
    set: Vec<(&'static str, String, &'static [&'static str])>,
}

/// A status named on the command line, or a usage error listing the valid ones.
fn parse_status<S>(given: &str, parse: fn(&str) -> Option<S>, names: &[&str], what: &str) -> Result<S, ExitCode> {
    parse(given).ok_or_else(|| {
        let mut help = format!("the statuses of {what} are: {}", names.join(", "));
        if let Some(s) = suggest(given, names.iter().copied()) {
            help = format!("did you mean `{s}`? ({help})");
        }
        usage(format_args!("`{}` is not a status of {what}", crate::text::terminal_safe(given)), Some(help))
    })
}

/// Refuses going back from `current` to `status` without `--force`.
fn forward<S: PartialOrd>(
    slug: &str,
    current: (S, &str),
    status: (S, &str),
    why: &str,
    force: bool,
) -> Result<(), ExitCode> {
    if status.0 < current.0 && !force {
        return Err(refuse(format_args!("{slug} is `{}`{why}; going back to `{}` needs --force", current.1, status.1)));
    }
    Ok(())
}

fn incident_plan(args: &UpdateArgs, sources: &Sources, named: &Named, at: &str) -> Result<Plan, ExitCode> {
    let Some(inc) = sources.incidents.iter().find(|i| i.meta.source == named.source) else {
        return Err(refuse("the incident disappeared while cairn was reading it"));
    };
    let current = inc.updates.last().map_or(IncidentStatus::Investigating, |u| u.status);
    let resolved = inc.resolved_at.is_some() || current == IncidentStatus::Resolved || current.is_note();
    let status = match (&args.status, args.resolve) {
        (_, true) => IncidentStatus::Resolved,
        (None, false) => current,
        (Some(s), false) => parse_status(s, IncidentStatus::parse, IncidentStatus::NAMES, "an incident")?,
    };
    match (resolved, status.is_note()) {
        (true, false) => {
            eprintln!(
                "Refused: {} is already resolved; after `resolved` come only post-resolution notes. Nothing was written.",
                inc.meta.slug
            );
            eprintln!(
                "  help: to add a note (e.g. the root-cause report is out): `cairn update {} --status note -m \"...\"` \
                 (or --status postmortem); open a new incident (`cairn new incident`) if the problem is back",
                inc.meta.slug
            );
            return Err(ExitCode::from(super::EXIT_PROBLEMS));
        }
        (false, true) => {
            return Err(usage(
                format_args!(
                    "`{}` is a post-resolution note, but {} is not resolved yet",
                    status.as_str(),
                    inc.meta.slug
                ),
                Some(format!(
                    "resolve it first (`cairn update {} --resolve -m ...`); until then use investigating, identified \
                     or monitoring",
                    inc.meta.slug
                )),
            ));
        }
        (true, true) => {}
        (false, false) => {
            forward(&inc.meta.slug, (current, current.as_str()), (status, status.as_str()), "", args.force)?;
        }
    }
    let message = match (&args.message, status) {
        (Some(m), _) => m.clone(),
        (None, IncidentStatus::Resolved) => "This incident has been resolved.".to_string(),
        (None, _) => {
            return Err(usage("--message is required", Some("say what is happening and what users should do".into())));
        }
    };
    // `resolved_at` goes after the last of the metric times the incident has.
    const AFTER: &[&str] = &["started_at", "detected_at", "acknowledged_at", "contained_at", "fix_deployed_at"];
    let set =
        if status == IncidentStatus::Resolved { vec![("resolved_at", at.to_string(), AFTER)] } else { Vec::new() };
    Ok(Plan { status: status.as_str(), message, set })
}

fn window_plan(args: &UpdateArgs, sources: &Sources, named: &Named, now: Timestamp) -> Result<Plan, ExitCode> {
    let Some(mt) = sources.maintenance.iter().find(|m| m.meta.source == named.source) else {
        return Err(refuse("the maintenance window disappeared while cairn was reading it"));
    };
    if mt.status == MaintenanceStatus::Completed {
        return Err(refuse(format_args!(
            "{} is already completed; schedule a new window (`cairn new maintenance`) for more work",
            mt.meta.slug
        )));
    }
    // A window that follows its times is where its times say, whatever its file still says.
    let exact = mt.halt.is_empty();
    let current = crate::site::shown_status(mt.status, exact, mt.scheduled_for, mt.scheduled_until, now);
    let status = match (&args.status, args.resolve) {
        (_, true) => MaintenanceStatus::Completed,
        (None, false) => current,
        (Some(s), false) => {
            parse_status(s, MaintenanceStatus::parse, MaintenanceStatus::NAMES, "a maintenance window")?
        }
    };
    let why = if current != mt.status { " (from its times)" } else { "" };
    forward(&mt.meta.slug, (current, current.as_str()), (status, status.as_str()), why, args.force)?;
    let message = match (&args.message, status) {
        (Some(m), _) => m.clone(),
        (None, MaintenanceStatus::InProgress) => "The maintenance is in progress.".to_string(),
        (None, MaintenanceStatus::Verifying) => "The work is done; we are checking that everything works.".to_string(),
        (None, MaintenanceStatus::Completed) => "The maintenance is complete.".to_string(),
        (None, MaintenanceStatus::Scheduled) => {
            return Err(usage("--message is required", Some("say what changed about the planned work".into())));
        }
    };
    let set = if status != mt.status { vec![("status", status.as_str().to_string(), &[][..])] } else { Vec::new() };
    Ok(Plan { status: status.as_str(), message, set })
}

/// An update already written: its id, time, index in `updates`, own visibility and embargo.
struct Written {
    id: String,
    at: Timestamp,
    index: usize,
    visibility: Option<usize>,
    embargoed: bool,
}

/// The document's common part and its updates' ids and times, with where each is.
fn updates_of<'s>(sources: &'s Sources, named: &Named) -> Option<(&'s Meta, Vec<Written>)> {
    fn list<S>(updates: &[StatusUpdate<S>]) -> Vec<Written> {
        updates
            .iter()
            .map(|u| Written {
                id: u.uid(),
                at: u.at,
                index: u.index,
                visibility: u.visibility,
                embargoed: u.embargo_until.is_some(),
            })
            .collect()
    }
    match named.kind {
        Kind::Incident => {
            sources.incidents.iter().find(|i| i.meta.source == named.source).map(|i| (&i.meta, list(&i.updates)))
        }
        _ => sources.maintenance.iter().find(|m| m.meta.source == named.source).map(|m| (&m.meta, list(&m.updates))),
    }
}

/// Refuses an update earlier than the latest one, pointing at the latest where it is written
/// (a latest update in the future is the mistake to fix then, not this one).
fn after_latest(meta: &Meta, updates: &[Written], at: Timestamp, now: Timestamp) -> Result<(), ExitCode> {
    let Some(Written { at: latest, index, .. }) = updates.iter().max_by_key(|u| u.at) else { return Ok(()) };
    if at >= *latest {
        return Ok(());
    }
    let pos = meta.locations.value(&format!("updates.{index}.at"));
    let here = format!("{}:{}:{}", display_path(&meta.source), pos.line, pos.column);
    if *latest > now {
        eprintln!(
            "error: the latest update of {} is dated {}, in the future (now is {}), at {here}",
            meta.slug,
            iso(*latest),
            iso(now)
        );
        eprintln!("  help: fix its time (`cairn check` warns about times in the future), then post this update");
        return Err(ExitCode::from(super::EXIT_PROBLEMS));
    }
    Err(usage(
        format_args!("this update ({}) would be earlier than the latest one ({}, at {here})", iso(at), iso(*latest)),
        Some("updates are listed oldest first; leave --at out to post it now".into()),
    ))
}

/// Who gives up the id a time makes when another update already has it (two updates in the
/// same second): the new update, or the one written before it.
enum Rename {
    New(String),
    Earlier { index: usize, id: String },
}

/// The ids of two updates written in the same second, chosen so that an audience learns nothing
/// from them about updates it cannot see: the time's own id stays with the update seen by more
/// audiences, and the other takes the first free `-2`, `-3`… suffix. When the update already
/// holding the time's id is seen by everyone who sees the new one (`level`: the new update's
/// least trusted audience), the new one takes the suffix; otherwise the earlier, narrower one
/// does, so the wider audience's site reads as if the narrower update did not exist.
fn free_id(updates: &[Written], at: Timestamp, level: usize, of_document: usize) -> Option<Rename> {
    let taken = |id: &str| updates.iter().any(|u| u.id == id);
    let base = time_id(at);
    let holder = updates.iter().find(|u| u.id == base)?;
    let suffixed = (2..).map(|n| format!("{base}-{n}")).find(|id| !taken(id))?;
    let holder_level = holder.visibility.unwrap_or(of_document).max(of_document);
    if holder_level <= level && !holder.embargoed {
        Some(Rename::New(suffixed))
    } else {
        Some(Rename::Earlier { index: holder.index, id: suffixed })
    }
}

pub fn run(args: UpdateArgs) -> ExitCode {
    match update(args) {
        Ok(code) | Err(code) => code,
    }
}

fn update(mut args: UpdateArgs) -> Result<ExitCode, ExitCode> {
    let now = now_or_usage(&args.repo)?;
    let root = &args.repo.root.clone();
    let (sources, problems) = crate::load::load(root);
    let named = names::find(&sources, &problems, &[Kind::Incident, Kind::Maintenance], &args.name, root)?;
    let message = message_given(args.message.clone())?;
    let at_time = args.at.unwrap_or(now);
    not_in_future("the update's time", at_time, now, args.force)?;
    let (meta, existing) = updates_of(&sources, &named).ok_or_else(|| refuse("the document disappeared"))?;
    after_latest(meta, &existing, at_time, now)?;
    let at = iso(at_time);
    args.message = message;
    let plan = match named.kind {
        Kind::Incident => incident_plan(&args, &sources, &named, &at)?,
        _ => window_plan(&args, &sources, &named, now)?,
    };
    let audiences = &sources.config.audiences;
    let default = sources.config.defaults.get(&named.kind).copied().unwrap_or(audiences.most_trusted());
    let of_document = meta.visibility.unwrap_or(default);
    let own = asked_audience(audiences, args.audience.as_deref(), args.internal.then(|| audiences.most_trusted()))?;
    if let Some(rank) = own.filter(|r| *r < of_document) {
        let what = noun(named.kind);
        return Err(usage(
            format_args!(
                "the {what} is visible to {}: an update cannot be shown to {} before its {what} is",
                audience_of(audiences, Some(of_document), default, None),
                audiences.name(rank)
            ),
            Some(format!("publish the {what} first: `cairn publish {} --to {}`", meta.slug, audiences.name(rank))),
        ));
    }
    let level = own.unwrap_or(of_document).max(of_document);
    let rename = free_id(&existing, at_time, level, of_document);
    let id = match &rename {
        Some(Rename::New(id)) => Some(id.clone()),
        _ => None,
    };
    let rel = display_path(&meta.source);
    let read = inputs::read(root, Path::new(&rel), limits::MAX_FILE_BYTES).map_err(|e| e.to_string());
    let text = read
        .and_then(|b| String::from_utf8(b).map_err(|_| "it is not UTF-8 text".to_string()))
        .map_err(|e| refuse(format_args!("cannot read {rel}: {e}")))?;
    let update = NewUpdate {
        id: id.as_deref(),
        at: &at,
        status: plan.status,
        visibility: own.map(|r| audiences.name(r)),
        body: &plan.message,
    };
    let set: Vec<SetKey<'_>> = plan.set.iter().map(|(key, value, after)| SetKey { key, value, after }).collect();
    let named_earlier = match &rename {
        Some(Rename::Earlier { index, id }) => set_update_id(&text, *index, id),
        _ => Ok(text.clone()),
    };
    let edited = named_earlier
        .and_then(|t| append_update(&t, &update, &set))
        .map_err(|message| refuse(format_args!("{rel}: {message}")))?;
    let who = audience_of(audiences, Some(own.unwrap_or(of_document).max(of_document)), default, meta.embargo_until);
    let path = write_checked(root, Path::new(&rel), edited.as_bytes(), now, Target::Replace { read: text.as_bytes() })?;
    println!("Updated {}: added an update with status `{}` at {at}, visible to {who}", path.display(), plan.status);
    match &rename {
        Some(Rename::New(id)) => println!("Another update has this time to the second: this one has the id `{id}`"),
        Some(Rename::Earlier { id, .. }) => println!(
            "Another update, shown to fewer audiences, has this time to the second: it now has the id `{id}`, so \
             that this one's id says nothing about it"
        ),
        None => {}
    }
    for (key, value, _) in &plan.set {
        println!("Set {key}: {value}");
    }
    Ok(ExitCode::SUCCESS)
}

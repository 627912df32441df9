//! `cairn update <incident>`: append a status update to an incident in place, optionally resolving
//! it. Refuses updates to resolved incidents and statuses that go backwards (unless `--force`).

use super::comms::{Target, audience_of, refuse, write_checked};
use super::{EXIT_USAGE, RepoArgs, now_or_usage, parse_now};
use crate::load::edit::{NewUpdate, append_update};
use crate::load::{inputs, limits};
use crate::model::{Incident, IncidentStatus, Kind, Timestamp};
use crate::view::iso;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct UpdateArgs {
    /// The incident: its slug (file name without `.md`), a unique part of it, or its path
    pub incident: String,
    /// New status: investigating, identified, monitoring or resolved; the current one by default
    #[arg(long)]
    pub status: Option<String>,
    /// What is happening and what users should do (markdown; it may start with `-`)
    #[arg(long, short, allow_hyphen_values = true)]
    pub message: Option<String>,
    /// Show this update only to the most trusted audience
    #[arg(long)]
    pub internal: bool,
    /// Time of the update (RFC 3339); now, in UTC, by default
    #[arg(long, value_parser = parse_now)]
    pub at: Option<Timestamp>,
    /// Resolve the incident: a `resolved` update and `resolved_at`
    #[arg(long)]
    pub resolve: bool,
    /// Allow a status that goes backwards (e.g. monitoring → investigating)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub repo: RepoArgs,
}

/// The incident `wanted` names: exact slug, path, or the only slug containing it.
fn find<'a>(incidents: &'a [Incident], wanted: &str) -> Result<&'a Incident, String> {
    let stem = std::path::Path::new(wanted).file_stem().and_then(|s| s.to_str()).unwrap_or(wanted);
    if let Some(i) = incidents.iter().find(|i| i.meta.slug == stem) {
        return Ok(i);
    }
    let matches: Vec<&Incident> = incidents.iter().filter(|i| i.meta.slug.contains(stem)).collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("no incident matches `{wanted}`")),
        many => Err(format!(
            "`{wanted}` matches several incidents: {}",
            many.iter().map(|i| i.meta.slug.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

pub fn run(args: UpdateArgs) -> ExitCode {
    let now = match now_or_usage(&args.repo) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let root = &args.repo.root;
    let (sources, _) = crate::load::load(root);
    let incident = match find(&sources.incidents, &args.incident) {
        Ok(i) => i,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let current = incident.updates.last().map_or(IncidentStatus::Investigating, |u| u.status);
    if incident.resolved_at.is_some() || current == IncidentStatus::Resolved {
        return refuse(format_args!(
            "{} is already resolved; open a new incident (`cairn new incident`) if the problem is back",
            incident.meta.slug
        ));
    }
    let status = match (&args.status, args.resolve) {
        (_, true) => IncidentStatus::Resolved,
        (None, false) => current,
        (Some(s), false) => match IncidentStatus::parse(s) {
            Some(s) => s,
            None => {
                eprintln!("error: unknown status `{s}`; expected one of {}", IncidentStatus::NAMES.join(", "));
                return ExitCode::from(EXIT_USAGE);
            }
        },
    };
    if status < current && !args.force {
        return refuse(format_args!(
            "{} is `{}`; going back to `{}` needs --force",
            incident.meta.slug,
            current.as_str(),
            status.as_str()
        ));
    }
    let message = match (&args.message, status) {
        (Some(m), _) => m.clone(),
        (None, IncidentStatus::Resolved) => "This incident has been resolved.".to_string(),
        (None, _) => {
            eprintln!("error: --message is required (what is happening and what users should do)");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let at = iso(args.at.unwrap_or(now));
    let audiences = &sources.config.audiences;
    let visibility = args.internal.then(|| audiences.name(audiences.most_trusted()));
    let rel = crate::diagnostics::display_path(&incident.meta.source);
    let read = inputs::read(root, Path::new(&rel), limits::MAX_FILE_BYTES).map_err(|e| e.to_string());
    let text = match read.and_then(|b| String::from_utf8(b).map_err(|_| "it is not UTF-8 text".to_string())) {
        Ok(t) => t,
        Err(e) => return refuse(format_args!("cannot read {rel}: {e}")),
    };
    let update = NewUpdate { at: &at, status: status.as_str(), visibility, body: &message };
    // `resolved_at` goes after the last of the metric times the incident has.
    let after = ["started_at", "detected_at", "acknowledged_at", "contained_at", "fix_deployed_at"];
    let resolved = (status == IncidentStatus::Resolved).then_some((at.as_str(), &after[..]));
    let edited = match append_update(&text, &update, resolved) {
        Ok(t) => t,
        Err(message) => return refuse(format_args!("{rel}: {message}")),
    };
    let default = sources.config.defaults.get(&Kind::Incident).copied().unwrap_or(audiences.most_trusted());
    let own = args.internal.then_some(audiences.most_trusted());
    let seen = incident.meta.visibility.unwrap_or(default).max(own.unwrap_or(0));
    let who = audience_of(audiences, Some(seen), default, incident.meta.embargo_until);
    match write_checked(root, Path::new(&rel), edited.as_bytes(), now, Target::Replace { read: text.as_bytes() }) {
        Ok(path) => {
            println!(
                "Updated {}: added an update with status `{}` at {at}, visible to {who}",
                path.display(),
                status.as_str()
            );
            if status == IncidentStatus::Resolved {
                println!("Set resolved_at: {at}");
            }
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

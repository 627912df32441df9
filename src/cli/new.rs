//! `cairn new incident|runbook|postmortem|maintenance`: create a document with a correct slug and
//! front matter, checked with the same rules as `check` before it is written, and say who can
//! see it.

use super::comms::{Target, asked_audience, audience_of, message_given, not_in_future, refuse, write_checked};
use super::names;
use super::{EXIT_USAGE, RepoArgs, now_or_usage, parse_now};
use crate::load::edit::{Field, NewUpdate, new_document};
use crate::model::{Impact, IncidentSeverity, Kind, Sources, Timestamp};
use crate::view::iso;
use clap::Subcommand;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct NewArgs {
    #[command(subcommand)]
    pub what: NewKind,
}

/// Who may see the new document.
#[derive(clap::Args, Clone)]
pub struct Visibility {
    /// Show it to this audience and more trusted ones (see `audiences` in cairn.yaml); the
    /// default for its kind in cairn.yaml otherwise
    #[arg(long, value_name = "NAME", conflicts_with = "public")]
    audience: Option<String>,
    /// Show it to the least trusted audience, the public status page (as `--audience public`)
    #[arg(long)]
    public: bool,
}

#[derive(Subcommand)]
pub enum NewKind {
    /// Open an incident with a first `investigating` update
    Incident {
        title: String,
        /// Public impact: none, minor, major or critical
        #[arg(long, default_value = "minor")]
        impact: String,
        /// Affected component ids, comma-separated
        #[arg(long, value_delimiter = ',')]
        components: Vec<String>,
        /// Internal severity: sev1 … sev4
        #[arg(long, default_value = "sev3")]
        severity: String,
        /// Incident type (a decision-matrix row id)
        #[arg(long = "type")]
        incident_type: Option<String>,
        /// When the impact began (RFC 3339); now by default. The first update is posted now
        #[arg(long, value_parser = parse_now)]
        started_at: Option<Timestamp>,
        #[command(flatten)]
        visibility: Visibility,
        /// Text of the first update (markdown; it may start with `-`)
        #[arg(long, short, allow_hyphen_values = true)]
        message: Option<String>,
        /// File name (id) instead of the date and the title's words, e.g. for a title without
        /// ASCII letters
        #[arg(long)]
        slug: Option<String>,
        /// Allow a start in the future
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        repo: RepoArgs,
    },
    /// Start a runbook
    Runbook {
        title: String,
        #[arg(long, value_delimiter = ',')]
        components: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        owners: Vec<String>,
        /// File name (id) instead of one made from the title
        #[arg(long)]
        slug: Option<String>,
        #[command(flatten)]
        visibility: Visibility,
        #[command(flatten)]
        repo: RepoArgs,
    },
    /// Start a draft post-mortem of an incident, with the required sections
    Postmortem {
        /// The incident: its id, a part of it no other has, or its path
        incident: String,
        #[arg(long, value_delimiter = ',')]
        authors: Vec<String>,
        #[command(flatten)]
        visibility: Visibility,
        #[command(flatten)]
        repo: RepoArgs,
    },
    /// Schedule a maintenance window
    Maintenance {
        title: String,
        #[arg(long, value_delimiter = ',')]
        components: Vec<String>,
        /// Start of the window (RFC 3339)
        #[arg(long, value_parser = parse_now)]
        start: Timestamp,
        /// End of the window (RFC 3339)
        #[arg(long, value_parser = parse_now)]
        end: Timestamp,
        #[command(flatten)]
        visibility: Visibility,
        /// Text of the first update (markdown; it may start with `-`)
        #[arg(long, short, allow_hyphen_values = true)]
        message: Option<String>,
        /// File name (id) instead of the date and the title's words
        #[arg(long)]
        slug: Option<String>,
        /// Allow a window wholly in the past (to record one after the fact)
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        repo: RepoArgs,
    },
}

impl NewKind {
    pub fn repo_mut(&mut self) -> &mut RepoArgs {
        match self {
            NewKind::Incident { repo, .. }
            | NewKind::Runbook { repo, .. }
            | NewKind::Postmortem { repo, .. }
            | NewKind::Maintenance { repo, .. } => repo,
        }
    }

    fn visibility(&self) -> &Visibility {
        match self {
            NewKind::Incident { visibility, .. }
            | NewKind::Runbook { visibility, .. }
            | NewKind::Postmortem { visibility, .. }
            | NewKind::Maintenance { visibility, .. } => visibility,
        }
    }
}

fn date_of(t: Timestamp) -> String {
    iso(t)[..10].to_string()
}

fn usage(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// The id of a new document: `--slug` when given (checked), else made from `title` (with
/// `prefix`, a date); an error when neither gives an id.
fn slug_for(given: Option<String>, prefix: Option<String>, title: &str) -> Result<String, String> {
    let slug = match given {
        Some(s) => s,
        None => {
            let made = crate::text::slugify(title);
            if made.is_empty() {
                return Err(format!(
                    "the title `{title}` has no ASCII letter or digit to make a file name from; pass --slug, e.g. --slug rpc-outage"
                ));
            }
            prefix.map_or(made.clone(), |p| format!("{p}-{made}"))
        }
    };
    let valid = slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && slug.bytes().any(|b| b.is_ascii_alphanumeric());
    if valid { Ok(slug) } else { Err(format!("`{slug}` is not a valid id: use lowercase letters, digits and dashes")) }
}

/// What `run` writes: the file below the root, its text, what it is and its kind.
struct Planned {
    rel: String,
    text: String,
    what: String,
    kind: Kind,
}

pub fn run(args: NewArgs) -> ExitCode {
    match create(args.what) {
        Ok(code) | Err(code) => code,
    }
}

fn create(mut what: NewKind) -> Result<ExitCode, ExitCode> {
    let repo = what.repo_mut().clone();
    let now = now_or_usage(&repo)?;
    let (sources, problems) = crate::load::load(&repo.root);
    let audiences = &sources.config.audiences;
    let asked = what.visibility().clone();
    let (how, visibility) = match (&asked.audience, asked.public) {
        (Some(name), _) => (format!("as asked with --audience {name}"), asked_audience(audiences, Some(name), None)?),
        (None, true) => ("as asked with --public".to_string(), Some(0)),
        (None, false) => (String::new(), None),
    };
    let planned = plan(what, &sources, &problems, visibility, now)?;
    let default = sources.config.defaults.get(&planned.kind).copied().unwrap_or(audiences.most_trusted());
    let who = audience_of(audiences, visibility, default, None);
    let rel = Path::new(&planned.rel);
    if std::fs::symlink_metadata(repo.root.join(rel)).is_ok() {
        return Err(refuse(format_args!("{} already exists", planned.rel)));
    }
    let path = write_checked(&repo.root, rel, planned.text.as_bytes(), now, Target::Create)?;
    println!("Created {}: {}", path.display(), planned.what);
    let how = if how.is_empty() { format!("the default for {} in cairn.yaml", planned.kind.as_str()) } else { how };
    println!("Visible to: {who} ({how})");
    Ok(ExitCode::SUCCESS)
}

/// The document `what` asks for, of `visibility` (an audience rank; the kind's default when
/// `None`), written and checked to read back exactly.
fn plan(
    what: NewKind,
    sources: &Sources,
    problems: &[crate::diagnostics::Diagnostic],
    visibility: Option<usize>,
    now: Timestamp,
) -> Result<Planned, ExitCode> {
    let audience = visibility.map(|v| sources.config.audiences.name(v).to_string());
    let written =
        |fields: &[(&str, Field<'_>)], body: &str| new_document(fields, body).map_err(|e| refuse(format_args!("{e}")));
    match what {
        NewKind::Incident {
            title,
            impact,
            components,
            severity,
            incident_type,
            started_at,
            message,
            slug,
            force,
            ..
        } => {
            if Impact::parse(&impact).is_none() {
                return Err(usage(format!("unknown impact `{impact}`; expected one of {}", Impact::NAMES.join(", "))));
            }
            if IncidentSeverity::parse(&severity).is_none() {
                return Err(usage(format!(
                    "unknown severity `{severity}`; expected one of {}",
                    IncidentSeverity::NAMES.join(", ")
                )));
            }
            let message = message_given(message)?;
            let started = started_at.unwrap_or(now);
            not_in_future("--started-at", started, now, force)?;
            let slug = slug_for(slug, Some(date_of(started)), &title).map_err(usage)?;
            let (started, at) = (iso(started), iso(now));
            let message = message
                .unwrap_or_else(|| "We are investigating reports of a problem and will post an update shortly.".into());
            let first = [NewUpdate { id: None, at: &at, status: "investigating", visibility: None, body: &message }];
            let mut fields = vec![("title", Field::Text(&title))];
            if let Some(t) = &incident_type {
                fields.push(("type", Field::Text(t)));
            }
            fields.extend([
                ("severity", Field::Text(&severity)),
                ("impact", Field::Text(&impact)),
                ("components", Field::List(&components)),
            ]);
            if let Some(a) = &audience {
                fields.push(("visibility", Field::Text(a)));
            }
            fields.extend([("started_at", Field::Text(&started)), ("updates", Field::Updates(&first))]);
            Ok(Planned {
                rel: format!("content/incidents/{slug}.md"),
                text: written(&fields, "")?,
                what: format!("incident `{slug}` (investigating, {impact} impact)"),
                kind: Kind::Incident,
            })
        }
        NewKind::Runbook { title, components, owners, slug, .. } => {
            let slug = slug_for(slug, None, &title).map_err(usage)?;
            let reviewed = date_of(now);
            let mut fields = vec![
                ("title", Field::Text(&title)),
                ("components", Field::List(&components)),
                ("owners", Field::List(&owners)),
                ("last_reviewed", Field::Text(&reviewed)),
                ("review_every", Field::Text("90d")),
            ];
            if let Some(a) = &audience {
                fields.push(("visibility", Field::Text(a)));
            }
            let body = "## When to use this runbook\n\n## Steps\n\n1. \n\n## Verify\n\n## Roll back\n";
            Ok(Planned {
                rel: format!("content/runbooks/{slug}.md"),
                text: written(&fields, body)?,
                what: format!("runbook `{slug}`"),
                kind: Kind::Runbook,
            })
        }
        NewKind::Postmortem { incident, authors, repo, .. } => {
            let named = names::find(sources, problems, &[Kind::Incident], &incident, &repo.root)?;
            let Some(inc) = sources.incidents.iter().find(|i| i.meta.source == named.source) else {
                return Err(refuse("the incident disappeared while cairn was reading it"));
            };
            let slug = named.slug;
            let title = format!("Post-mortem: {}", inc.meta.title);
            let incidents = [slug.clone()];
            let mut fields = vec![
                ("title", Field::Text(&title)),
                ("incidents", Field::List(&incidents)),
                ("status", Field::Text("draft")),
                ("authors", Field::List(&authors)),
            ];
            if let Some(a) = &audience {
                fields.push(("visibility", Field::Text(a)));
            }
            let body: String = sources.config.required_sections.iter().map(|s| format!("## {s}\n\n")).collect();
            Ok(Planned {
                rel: format!("content/postmortems/{slug}.md"),
                text: written(&fields, &body)?,
                what: format!("draft post-mortem of `{slug}`"),
                kind: Kind::Postmortem,
            })
        }
        NewKind::Maintenance { title, components, start, end, message, slug, force, .. } => {
            if end < start {
                return Err(usage(format!("--end {} is before --start {}", iso(end), iso(start))));
            }
            if end <= now && !force {
                eprintln!(
                    "error: the window ends at {}, before now ({}): it is wholly in the past",
                    iso(end),
                    iso(now)
                );
                eprintln!("  help: check the dates and offsets; pass --force to record a window after the fact");
                return Err(ExitCode::from(EXIT_USAGE));
            }
            let message = message_given(message)?;
            let slug = slug_for(slug, Some(date_of(start)), &title).map_err(usage)?;
            // A window recorded after the fact is written as it went: completed.
            let (status, message) = if end <= now {
                let done = format!("Maintenance was carried out from {} to {}.", iso(start), iso(end));
                ("completed", message.unwrap_or(done))
            } else {
                let planned = format!("Maintenance is scheduled from {} to {}.", iso(start), iso(end));
                ("scheduled", message.unwrap_or(planned))
            };
            let (from, until, at) = (iso(start), iso(end), iso(now));
            let first = [NewUpdate { id: None, at: &at, status, visibility: None, body: &message }];
            let mut fields = vec![
                ("title", Field::Text(&title)),
                ("components", Field::List(&components)),
                ("scheduled_for", Field::Text(&from)),
                ("scheduled_until", Field::Text(&until)),
                ("status", Field::Text(status)),
            ];
            if let Some(a) = &audience {
                fields.push(("visibility", Field::Text(a)));
            }
            fields.push(("updates", Field::Updates(&first)));
            Ok(Planned {
                rel: format!("content/maintenance/{slug}.md"),
                text: written(&fields, "")?,
                what: format!("maintenance `{slug}` ({status})"),
                kind: Kind::Maintenance,
            })
        }
    }
}

//! `cairn new incident|runbook|postmortem|maintenance`: create a document with a correct slug and
//! front matter, checked with the same rules as `check` before it is written.

use super::comms::{Target, audience_of, refuse, write_checked};
use super::{EXIT_USAGE, RepoArgs, now_or_usage, parse_now};
use crate::load::edit::{Field, NewUpdate, new_document};
use crate::model::{Impact, IncidentSeverity, Kind, Timestamp};
use crate::view::iso;
use clap::Subcommand;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct NewArgs {
    #[command(subcommand)]
    pub what: NewKind,
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
        /// Publish it to the least trusted audience (the public status page)
        #[arg(long)]
        public: bool,
        /// Text of the first update (markdown; it may start with `-`)
        #[arg(long, short, allow_hyphen_values = true)]
        message: Option<String>,
        /// File name (id) instead of the date and the title's words, e.g. for a title without
        /// ASCII letters
        #[arg(long)]
        slug: Option<String>,
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
        repo: RepoArgs,
    },
    /// Start a draft post-mortem of an incident, with the required sections
    Postmortem {
        /// Slug of the incident
        incident: String,
        #[arg(long, value_delimiter = ',')]
        authors: Vec<String>,
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
        /// Publish it to the least trusted audience (the public status page)
        #[arg(long)]
        public: bool,
        /// Text of the first update (markdown; it may start with `-`)
        #[arg(long, short, allow_hyphen_values = true)]
        message: Option<String>,
        /// File name (id) instead of the date and the title's words
        #[arg(long)]
        slug: Option<String>,
        #[command(flatten)]
        repo: RepoArgs,
    },
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

/// What `run` writes: the file below the root, its text, what it is, its kind and visibility.
struct Planned {
    rel: String,
    text: String,
    what: String,
    kind: Kind,
    visibility: Option<usize>,
}

pub fn run(args: NewArgs) -> ExitCode {
    let repo = match &args.what {
        NewKind::Incident { repo, .. }
        | NewKind::Runbook { repo, .. }
        | NewKind::Postmortem { repo, .. }
        | NewKind::Maintenance { repo, .. } => repo.clone(),
    };
    let now = match now_or_usage(&repo) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let (sources, _) = crate::load::load(&repo.root);
    let planned = match plan(args.what, &sources, now) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let audiences = &sources.config.audiences;
    let default = sources.config.defaults.get(&planned.kind).copied().unwrap_or(audiences.most_trusted());
    let who = audience_of(audiences, planned.visibility, default, None);
    let rel = Path::new(&planned.rel);
    if std::fs::symlink_metadata(repo.root.join(rel)).is_ok() {
        return refuse(format_args!("{} already exists", planned.rel));
    }
    match write_checked(&repo.root, rel, planned.text.as_bytes(), now, Target::Create) {
        Ok(path) => {
            println!("Created {}: {}", path.display(), planned.what);
            let how = if planned.visibility.is_some() {
                "as asked with --public".to_string()
            } else {
                format!("the default for {} in cairn.yaml", planned.kind.as_str())
            };
            println!("Visible to: {who} ({how})");
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// The document `what` asks for, written and checked to read back exactly.
fn plan(what: NewKind, sources: &crate::model::Sources, now: Timestamp) -> Result<Planned, ExitCode> {
    let public = sources.config.audiences.name(0).to_string();
    let written =
        |fields: &[(&str, Field<'_>)], body: &str| new_document(fields, body).map_err(|e| refuse(format_args!("{e}")));
    match what {
        NewKind::Incident {
            title,
            impact,
            components,
            severity,
            incident_type,
            public: is_public,
            message,
            slug,
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
            let slug = slug_for(slug, Some(date_of(now)), &title).map_err(usage)?;
            let at = iso(now);
            let message = message
                .unwrap_or_else(|| "We are investigating reports of a problem and will post an update shortly.".into());
            let first = [NewUpdate { at: &at, status: "investigating", visibility: None, body: &message }];
            let mut fields = vec![("title", Field::Text(&title))];
            if let Some(t) = &incident_type {
                fields.push(("type", Field::Text(t)));
            }
            fields.extend([
                ("severity", Field::Text(&severity)),
                ("impact", Field::Text(&impact)),
                ("components", Field::List(&components)),
            ]);
            if is_public {
                fields.push(("visibility", Field::Text(&public)));
            }
            fields.extend([("started_at", Field::Text(&at)), ("updates", Field::Updates(&first))]);
            Ok(Planned {
                rel: format!("content/incidents/{slug}.md"),
                text: written(&fields, "")?,
                what: format!("incident `{slug}` (investigating, {impact} impact)"),
                kind: Kind::Incident,
                visibility: is_public.then_some(0),
            })
        }
        NewKind::Runbook { title, components, owners, slug, .. } => {
            let slug = slug_for(slug, None, &title).map_err(usage)?;
            let reviewed = date_of(now);
            let fields = [
                ("title", Field::Text(&title)),
                ("components", Field::List(&components)),
                ("owners", Field::List(&owners)),
                ("last_reviewed", Field::Text(&reviewed)),
                ("review_every", Field::Text("90d")),
            ];
            let body = "## When to use this runbook\n\n## Steps\n\n1. \n\n## Verify\n\n## Roll back\n";
            Ok(Planned {
                rel: format!("content/runbooks/{slug}.md"),
                text: written(&fields, body)?,
                what: format!("runbook `{slug}`"),
                kind: Kind::Runbook,
                visibility: None,
            })
        }
        NewKind::Postmortem { incident, authors, .. } => {
            let Some(inc) = sources.incidents.iter().find(|i| i.meta.slug == incident) else {
                return Err(usage(format!("no incident `{incident}` in content/incidents/")));
            };
            let title = format!("Post-mortem: {}", inc.meta.title);
            let incidents = [incident.clone()];
            let fields = [
                ("title", Field::Text(&title)),
                ("incidents", Field::List(&incidents)),
                ("status", Field::Text("draft")),
                ("authors", Field::List(&authors)),
            ];
            let body: String = sources.config.required_sections.iter().map(|s| format!("## {s}\n\n")).collect();
            Ok(Planned {
                rel: format!("content/postmortems/{incident}.md"),
                text: written(&fields, &body)?,
                what: format!("draft post-mortem of `{incident}`"),
                kind: Kind::Postmortem,
                visibility: None,
            })
        }
        NewKind::Maintenance { title, components, start, end, public: is_public, message, slug, .. } => {
            let slug = slug_for(slug, Some(date_of(start)), &title).map_err(usage)?;
            let message =
                message.unwrap_or_else(|| format!("Maintenance is scheduled from {} to {}.", iso(start), iso(end)));
            let (from, until, at) = (iso(start), iso(end), iso(now));
            let first = [NewUpdate { at: &at, status: "scheduled", visibility: None, body: &message }];
            let mut fields = vec![
                ("title", Field::Text(&title)),
                ("components", Field::List(&components)),
                ("scheduled_for", Field::Text(&from)),
                ("scheduled_until", Field::Text(&until)),
                ("status", Field::Text("scheduled")),
            ];
            if is_public {
                fields.push(("visibility", Field::Text(&public)));
            }
            fields.push(("updates", Field::Updates(&first)));
            Ok(Planned {
                rel: format!("content/maintenance/{slug}.md"),
                text: written(&fields, "")?,
                what: format!("maintenance `{slug}`"),
                kind: Kind::Maintenance,
                visibility: is_public.then_some(0),
            })
        }
    }
}

//! `cairn new incident|runbook|postmortem|maintenance`: create a document with a correct slug and
//! front matter, checked with the same rules as `check` before it is written.

use super::comms::{refuse, write_checked};
use super::{EXIT_USAGE, RepoArgs, now_or_usage, parse_now};
use crate::load::edit::quote;
use crate::model::{Impact, IncidentSeverity, Timestamp};
use crate::view::iso;
use clap::Subcommand;
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
        /// Text of the first update
        #[arg(long, short)]
        message: Option<String>,
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
        #[arg(long)]
        public: bool,
        #[arg(long, short)]
        message: Option<String>,
        #[command(flatten)]
        repo: RepoArgs,
    },
}

fn flow_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

fn date_of(t: Timestamp) -> String {
    iso(t)[..10].to_string()
}

fn block(body: &str) -> String {
    body.trim_end()
        .lines()
        .map(|l| if l.trim().is_empty() { "\n".to_string() } else { format!("      {l}\n") })
        .collect()
}

fn usage(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
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
    let public = sources.config.audiences.name(0).to_string();
    let (rel, text, what) = match args.what {
        NewKind::Incident {
            title, impact, components, severity, incident_type, public: is_public, message, ..
        } => {
            if Impact::parse(&impact).is_none() {
                return usage(format!("unknown impact `{impact}`; expected one of {}", Impact::NAMES.join(", ")));
            }
            if IncidentSeverity::parse(&severity).is_none() {
                return usage(format!(
                    "unknown severity `{severity}`; expected one of {}",
                    IncidentSeverity::NAMES.join(", ")
                ));
            }
            let at = iso(now);
            let message = message
                .unwrap_or_else(|| "We are investigating reports of a problem and will post an update shortly.".into());
            let mut fm = format!("---\ntitle: {}\n", quote(&title));
            if let Some(t) = incident_type {
                fm.push_str(&format!("type: {t}\n"));
            }
            fm.push_str(&format!("severity: {severity}\nimpact: {impact}\ncomponents: {}\n", flow_list(&components)));
            if is_public {
                fm.push_str(&format!("visibility: {public}\n"));
            }
            fm.push_str(&format!(
                "started_at: {at}\nupdates:\n  - at: {at}\n    status: investigating\n    body: |\n{}---\n",
                block(&message)
            ));
            let slug = format!("{}-{}", date_of(now), crate::text::slugify(&title));
            (format!("content/incidents/{slug}.md"), fm, format!("incident `{slug}` (investigating, {impact} impact)"))
        }
        NewKind::Runbook { title, components, owners, .. } => {
            let slug = crate::text::slugify(&title);
            let text = format!(
                "---\ntitle: {}\ncomponents: {}\nowners: {}\nlast_reviewed: {}\nreview_every: 90d\n---\n## When to use this runbook\n\n## Steps\n\n1. \n\n## Verify\n\n## Roll back\n",
                quote(&title),
                flow_list(&components),
                flow_list(&owners),
                date_of(now)
            );
            (format!("content/runbooks/{slug}.md"), text, format!("runbook `{slug}`"))
        }
        NewKind::Postmortem { incident, authors, .. } => {
            let Some(inc) = sources.incidents.iter().find(|i| i.meta.slug == incident) else {
                return usage(format!("no incident `{incident}` in content/incidents/"));
            };
            let mut text = format!(
                "---\ntitle: {}\nincidents: [{incident}]\nstatus: draft\nauthors: {}\n---\n",
                quote(&format!("Post-mortem: {}", inc.meta.title)),
                flow_list(&authors)
            );
            for section in &sources.config.required_sections {
                text.push_str(&format!("## {section}\n\n"));
            }
            (format!("content/postmortems/{incident}.md"), text, format!("draft post-mortem of `{incident}`"))
        }
        NewKind::Maintenance { title, components, start, end, public: is_public, message, .. } => {
            let slug = format!("{}-{}", date_of(start), crate::text::slugify(&title));
            let message =
                message.unwrap_or_else(|| format!("Maintenance is scheduled from {} to {}.", iso(start), iso(end)));
            let mut text = format!(
                "---\ntitle: {}\ncomponents: {}\nscheduled_for: {}\nscheduled_until: {}\nstatus: scheduled\n",
                quote(&title),
                flow_list(&components),
                iso(start),
                iso(end)
            );
            if is_public {
                text.push_str(&format!("visibility: {public}\n"));
            }
            text.push_str(&format!(
                "updates:\n  - at: {}\n    status: scheduled\n    body: |\n{}---\n",
                iso(now),
                block(&message)
            ));
            (format!("content/maintenance/{slug}.md"), text, format!("maintenance `{slug}`"))
        }
    };
    if repo.root.join(&rel).exists() {
        return refuse(format_args!("{rel} already exists"));
    }
    match write_checked(&repo.root, &rel, &text, now) {
        Ok(path) => {
            println!("Created {}: {what}", path.display());
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

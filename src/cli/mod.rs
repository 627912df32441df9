//! Command-line interface: one file per subcommand, each a thin shell over library calls.
//! Exit codes: 0 success (warnings allowed), 1 problems in the repo, 2 usage errors.

mod build;
mod check;
mod comms;
mod import;
mod init;
mod names;
mod new;
mod notify;
mod publish;
mod report;
mod search;
mod serve;
mod status;
mod update;

pub use init::scaffold;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "cairn",
    version,
    about = "Incident-response knowledge base → status pages, post-mortems and runbooks"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Build the site of one audience into a directory (public/ by default)
    Build(build::BuildArgs),
    /// Validate the whole repo for every audience without writing anything
    Check(check::CheckArgs),
    /// Create a new, buildable knowledge base in DIR
    Init(init::InitArgs),
    /// Create an incident, runbook, post-mortem or maintenance window
    New(new::NewArgs),
    /// Append a status update to an open incident or a maintenance window, or close it
    Update(update::UpdateArgs),
    /// Show an incident, a maintenance window, a post-mortem or one update to more audiences
    Publish(publish::PublishArgs),
    /// What an audience's site shows now: overall status, components, open incidents, maintenance
    Status(status::StatusArgs),
    /// Import another tool's status page (`cairn import statuspage URL|FILE...`)
    Import(import::ImportArgs),
    /// Send new status updates and maintenance announcements to the channels of cairn.yaml
    Notify(notify::NotifyArgs),
    /// Search the knowledge base (the index `cairn build` writes) for responders
    Search(search::SearchArgs),
    /// Serve one audience's site on this machine, rebuilt and reloaded as you edit
    Serve(serve::ServeArgs),
}

impl Command {
    /// The root a command that reads a knowledge base was given (`--root`), and where the root
    /// in use goes.
    fn root_mut(&mut self) -> Option<(&Option<PathBuf>, &mut PathBuf)> {
        let repo = match self {
            Command::Build(a) => &mut a.repo,
            Command::Check(a) => &mut a.repo,
            Command::Init(_) | Command::Import(_) => return None,
            Command::New(a) => a.what.repo_mut(),
            Command::Update(a) => &mut a.repo,
            Command::Publish(a) => &mut a.repo,
            Command::Notify(a) => &mut a.repo,
            Command::Status(a) => &mut a.repo,
            Command::Serve(a) => &mut a.repo,
            Command::Search(a) => return Some((&a.given_root, &mut a.root)),
        };
        Some((&repo.given_root, &mut repo.root))
    }
}

/// How diagnostics are printed.
#[derive(Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum Format {
    /// `file:line:col: error[code]: message` with a help line
    #[default]
    Human,
    /// A JSON array of diagnostics
    Json,
    /// GitHub Actions workflow commands, shown as annotations on pull requests
    Github,
}

/// Options shared by commands that read a repo.
#[derive(clap::Args, Clone)]
pub struct RepoArgs {
    /// Root of the knowledge base (the folder holding cairn.yaml); by default the working
    /// folder or the nearest one above it with a cairn.yaml, as git finds its repository
    #[arg(long = "root", value_name = "DIR")]
    pub given_root: Option<PathBuf>,
    /// The root in use: `--root`, or the one found upward (set by `main`).
    #[arg(skip)]
    pub root: PathBuf,
    /// The build's "now" (RFC 3339); defaults to SOURCE_DATE_EPOCH, else the clock
    #[arg(long, value_parser = parse_now)]
    pub now: Option<crate::model::Timestamp>,
}

/// The root in use: `given` (`--root`) as it is, else the working folder or the nearest
/// folder above it that holds a `cairn.yaml` (`.` when it is the working folder itself).
fn locate(given: &Option<PathBuf>) -> Result<PathBuf, String> {
    match given {
        Some(root) => Ok(root.clone()),
        None => find_root(),
    }
}

/// The working folder or the nearest folder above it with a `cairn.yaml`.
fn find_root() -> Result<PathBuf, String> {
    let here = std::env::current_dir().map_err(|e| format!("cannot read the working folder: {e}"))?;
    let has_config = |dir: &std::path::Path| std::fs::symlink_metadata(dir.join("cairn.yaml")).is_ok();
    if has_config(&here) {
        return Ok(PathBuf::from("."));
    }
    here.ancestors().skip(1).find(|dir| has_config(dir)).map(std::path::Path::to_path_buf).ok_or_else(|| {
        format!(
            "no cairn.yaml in {} or any folder above it\n  help: run cairn inside a knowledge base, pass \
             --root DIR, or create one with `cairn init DIR`",
            crate::text::terminal_safe(&here.display().to_string())
        )
    })
}

fn parse_now(text: &str) -> Result<crate::model::Timestamp, String> {
    crate::load::parse_time(text)
        .ok_or_else(|| format!("`{text}` is not an RFC 3339 time with an offset, e.g. 2026-11-20T14:05:00Z"))
}

pub const EXIT_PROBLEMS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

pub fn main() -> ExitCode {
    let mut cli = Cli::parse();
    if let Some((given, root)) = cli.command.root_mut() {
        match locate(given) {
            Ok(found) => *root = found,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(EXIT_USAGE);
            }
        }
    }
    match cli.command {
        Command::Build(args) => build::run(args),
        Command::Check(args) => check::run(args),
        Command::Init(args) => init::run(args),
        Command::New(args) => new::run(args),
        Command::Update(args) => update::run(args),
        Command::Publish(args) => publish::run(args),
        Command::Notify(args) => notify::run(args),
        Command::Status(args) => status::run(args),
        Command::Search(args) => search::run(args),
        Command::Import(args) => import::run(args),
        Command::Serve(args) => serve::run(args),
    }
}

/// Resolves the build's "now" or exits with a usage error.
fn now_or_usage(repo: &RepoArgs) -> Result<crate::model::Timestamp, ExitCode> {
    crate::pipeline::resolve_now(repo.now).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(EXIT_USAGE)
    })
}

//! Command-line interface: one file per subcommand, each a thin shell over library calls.
//! Exit codes: 0 success (warnings allowed), 1 problems in the repo, 2 usage errors.

mod build;
mod check;
mod comms;
mod init;
mod new;
mod update;

pub use init::scaffold;
mod report;
mod search;
mod serve;

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
    /// Append a status update to an open incident, or resolve it
    Update(update::UpdateArgs),
    /// Search the knowledge base (the index `cairn build` writes) for responders
    Search(search::SearchArgs),
    /// Serve one audience's site on this machine, rebuilt and reloaded as you edit
    Serve(serve::ServeArgs),
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
    /// Root of the knowledge base (the folder holding cairn.yaml)
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The build's "now" (RFC 3339); defaults to SOURCE_DATE_EPOCH, else the clock
    #[arg(long, value_parser = parse_now)]
    pub now: Option<crate::model::Timestamp>,
}

fn parse_now(text: &str) -> Result<crate::model::Timestamp, String> {
    crate::load::parse_time(text)
        .ok_or_else(|| format!("`{text}` is not an RFC 3339 time with an offset, e.g. 2026-11-20T14:05:00Z"))
}

pub const EXIT_PROBLEMS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => build::run(args),
        Command::Check(args) => check::run(args),
        Command::Init(args) => init::run(args),
        Command::New(args) => new::run(args),
        Command::Update(args) => update::run(args),
        Command::Search(args) => search::run(args),
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

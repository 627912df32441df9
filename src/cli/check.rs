//! `cairn check`: every problem of the repo, for every audience, without writing output.

use super::{EXIT_PROBLEMS, Format, RepoArgs, now_or_usage, report};
use crate::diagnostics::{Severity, counts};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Output format of the diagnostics
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings (overdue reviews and action items, section order, …) as errors
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: CheckArgs) -> ExitCode {
    let now = match now_or_usage(&args.repo) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let mut diagnostics = crate::pipeline::check(&args.repo.root, now);
    if args.strict {
        for d in &mut diagnostics {
            d.severity = Severity::Error;
        }
    }
    if args.format == Format::Github {
        report::from_repository_top(&mut diagnostics, &args.repo.root);
    }
    let mut stdout = std::io::stdout().lock();
    let _ = report::print(&diagnostics, args.format, &mut stdout);
    let (errors, _) = counts(&diagnostics);
    if args.format == Format::Human && diagnostics.is_empty() {
        eprintln!("No problems found.");
    }
    if errors > 0 { ExitCode::from(EXIT_PROBLEMS) } else { ExitCode::SUCCESS }
}

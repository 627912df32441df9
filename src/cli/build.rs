//! `cairn build`: build one audience's site, print a one-line summary, and show a progress bar
//! on a terminal when the build takes more than about a second.

use super::{EXIT_PROBLEMS, EXIT_USAGE, Format, RepoArgs, report};
use crate::pipeline::{BuildError, BuildOptions};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Audience to build for (see `audiences` in cairn.yaml); the least trusted by default
    #[arg(long)]
    pub audience: Option<String>,
    /// Output directory; public/ for the public audience, public-<audience>/ otherwise
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Override `base_url` from cairn.yaml (e.g. for a preview deployment)
    #[arg(long)]
    pub base_url: Option<String>,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
    /// Output format of diagnostics
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print how long each stage of the build took
    #[arg(long)]
    pub timings: bool,
    /// Build even if nothing changed since the last build into the same output
    #[arg(long)]
    pub force: bool,
    /// Build the site as of this git revision (commit, branch or tag), read from the object
    /// database: no checkout, so it works beside uncommitted changes and in a bare repository
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

/// A progress bar that stays hidden for the first second, and always off the terminal.
fn progress_bar(quiet: bool) -> ProgressBar {
    let interactive = !quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    if interactive {
        bar.set_style(
            ProgressStyle::with_template("{spinner} rendering {pos}/{len} pages {wide_bar} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
    }
    bar
}

pub fn run(args: BuildArgs) -> ExitCode {
    let now = match crate::pipeline::pinned_now(args.repo.now) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let output =
        args.output.map(|o| if o.is_absolute() { o } else { std::env::current_dir().unwrap_or_default().join(o) });
    let options = BuildOptions {
        root: args.repo.root.clone(),
        audience: args.audience,
        output,
        base_url: args.base_url,
        now,
        force: args.force,
        rev: args.rev,
    };
    let bar = progress_bar(args.quiet);
    let interactive = !args.quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let started = Instant::now();
    let shown = std::sync::atomic::AtomicBool::new(false);
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if interactive
            && started.elapsed() > Duration::from_secs(1)
            && !shown.swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    };
    // Said once, so that a build waiting for another never looks hung.
    let waiting = |output: &Path, holder: Option<u32>| {
        if !args.quiet {
            let by = holder.map(|pid| format!(" (process {pid})")).unwrap_or_default();
            eprintln!("Waiting for the build in progress into {}{by} to finish…", output.display());
        }
    };
    let mut result = crate::pipeline::build_waiting(&options, &progress, &waiting);
    if args.format == Format::Github {
        match &mut result {
            Ok(report) => report::from_repository_top(&mut report.warnings, &args.repo.root),
            Err(BuildError::Invalid(problems)) => report::from_repository_top(problems, &args.repo.root),
            Err(_) => {}
        }
    }
    bar.finish_and_clear();
    let mut stderr = std::io::stderr().lock();
    match result {
        Ok(report) => {
            if !args.quiet || args.format != Format::Human {
                let _ = report::print(&report.warnings, args.format, &mut stderr);
            }
            if !args.quiet && report.up_to_date {
                eprintln!(
                    "The {} site in {} is up to date (nothing changed since it was built) in {:.2} s",
                    report.audience,
                    report.output.display(),
                    report.seconds
                );
            } else if !args.quiet {
                let pages: Vec<String> =
                    report.pages.iter().map(|(kind, n)| format!("{n} {}", kind.as_str())).collect();
                eprintln!(
                    "Built the {} site into {}: {} ({} files), {} warning{} in {:.2} s",
                    report.audience,
                    report.output.display(),
                    pages.join(", "),
                    report.files,
                    report.warnings.len(),
                    if report.warnings.len() == 1 { "" } else { "s" },
                    report.seconds
                );
            }
            if args.timings {
                eprint!("{}", crate::timings::table(&report.timings, report.seconds));
            }
            ExitCode::SUCCESS
        }
        Err(BuildError::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
        Err(BuildError::Invalid(problems)) => {
            let _ = report::print(&problems, args.format, &mut stderr);
            eprintln!("Build failed; the previous output was left as it was.");
            ExitCode::from(EXIT_PROBLEMS)
        }
        Err(BuildError::Io(message)) => {
            eprintln!("error: {message}\nThe previous output was left as it was.");
            ExitCode::from(EXIT_PROBLEMS)
        }
    }
}

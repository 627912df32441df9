//! `cairn notify`: sends what is new since the last run to the channels of `notify:` in
//! cairn.yaml and prints a report per channel; exit 1 when a channel failed (what it did not
//! send is sent by the next run), 0 otherwise.

use super::{EXIT_PROBLEMS, EXIT_USAGE, Format, RepoArgs, now_or_usage, report};
use crate::diagnostics::counts;
use crate::text::terminal_safe;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct NotifyArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Print what would be sent where; send nothing and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// For channels without a record in notify/state.json: send what is new since this git
    /// revision, instead of recording everything as already known
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Only this channel (repeatable)
    #[arg(long = "channel", value_name = "NAME")]
    pub channels: Vec<String>,
}

pub fn run(args: NotifyArgs) -> ExitCode {
    let now = match now_or_usage(&args.repo) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let root = &args.repo.root;
    let (sources, problems) = crate::pipeline::load_and_validate(root);
    let (errors, _) = counts(&problems);
    if errors > 0 {
        let _ = report::print(&problems, Format::Human, &mut std::io::stderr().lock());
        eprintln!("error: the repository has problems; nothing was sent (fix them, then run `cairn notify` again)");
        return ExitCode::from(EXIT_PROBLEMS);
    }
    if sources.config.channels.is_empty() {
        eprintln!("No channels: add `notify: {{ channels: [...] }}` to cairn.yaml (see docs/notify.md).");
        return ExitCode::SUCCESS;
    }
    let opts =
        crate::notify::Options { root, now, dry_run: args.dry_run, since: args.since.as_deref(), only: &args.channels };
    let reports = match crate::notify::run(sources, &opts) {
        Ok(r) => r,
        Err(why) => {
            eprintln!("error: {}", terminal_safe(&why));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut failed = false;
    for r in &reports {
        let name = terminal_safe(&r.name);
        let verb = if args.dry_run { "would send" } else { "sent" };
        let mut summary = format!("{name} ({}): {verb} {}", r.kind, r.sent.len());
        if r.baseline > 0 {
            let verb = if args.dry_run { "would record" } else { "recorded" };
            summary.push_str(&format!(", {} already published {verb} as the baseline", r.baseline));
        }
        if let Some((key, why)) = &r.failed {
            failed = true;
            summary.push_str(&format!(
                ", FAILED at {}: {}; {} left for the next run",
                terminal_safe(key),
                terminal_safe(why),
                r.pending
            ));
        }
        println!("{summary}");
        for (_, line) in &r.sent {
            println!("  {} {}", if args.dry_run { "-" } else { "✓" }, terminal_safe(line));
        }
    }
    if args.dry_run {
        println!("Dry run: nothing was sent and notify/state.json was not written.");
    }
    if failed { ExitCode::from(EXIT_PROBLEMS) } else { ExitCode::SUCCESS }
}

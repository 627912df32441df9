//! `cairn serve`: build one audience's site, serve it on this machine, and rebuild it as its
//! inputs change; open pages reload themselves or show what broke.

use super::{EXIT_USAGE, Format, RepoArgs, now_or_usage, report};
use crate::pipeline::BuildOptions;
use crate::serve::{Options, Report, Server, is_loopback};
use std::io::Write;
use std::net::IpAddr;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Audience to serve (see `audiences` in cairn.yaml); the least trusted by default
    #[arg(long)]
    pub audience: Option<String>,
    /// Address to listen on (an IP address, or `localhost`); only this machine can reach the
    /// default
    #[arg(long, default_value = "127.0.0.1", value_parser = bind_address)]
    pub bind: IpAddr,
    /// Port to listen on; 0 picks a free one
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// Open the site in the default browser once it is built
    #[arg(long)]
    pub open: bool,
    /// Serve a non-public audience on an address other machines can reach
    #[arg(long)]
    pub allow_remote: bool,
    /// Override `base_url` from cairn.yaml
    #[arg(long)]
    pub base_url: Option<String>,
    /// After each rebuild, print how long each stage took
    #[arg(long)]
    pub timings: bool,
}

pub fn run(args: ServeArgs) -> ExitCode {
    let now = match now_or_usage(&args.repo) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let config = crate::load::config_only(&args.repo.root);
    let rank = args.audience.as_deref().and_then(|a| config.audiences.rank(a)).unwrap_or(0);
    if rank > 0 && !is_loopback(args.bind) {
        if !args.allow_remote {
            eprintln!(
                "error: serving the {} site on {} would show it to anyone who can reach this machine",
                config.audiences.name(rank),
                args.bind
            );
            eprintln!("  = help: bind to 127.0.0.1 (the default), or add --allow-remote if the network is trusted");
            return ExitCode::from(EXIT_USAGE);
        }
        eprintln!(
            "warning: the {} site is served on {}: anyone who can reach this machine can read it",
            config.audiences.name(rank),
            args.bind
        );
    }
    let options = Options {
        build: BuildOptions {
            root: args.repo.root.clone(),
            audience: args.audience.clone(),
            output: None,
            base_url: args.base_url,
            now: Some(now),
            force: true,
            rev: None,
        },
        bind: args.bind,
        port: args.port,
    };
    let waiting = |holder: Option<u32>| {
        let by = holder.map(|pid| format!(" (process {pid})")).unwrap_or_default();
        eprintln!("error: another `cairn serve`{by} is serving this site from this repo");
        eprintln!("  = help: stop it, or serve another audience");
        std::process::exit(i32::from(EXIT_USAGE));
    };
    eprintln!("Building…");
    let timings = args.timings;
    let tell = |event: Report<'_>| tell(event, timings);
    let server = match Server::start(options, &waiting, &tell) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    // The address on stdout, alone on its line: scripts and tests read it there.
    println!("Serving at {}", server.url());
    let _ = std::io::stdout().flush();
    if args.bind.is_unspecified() {
        eprintln!(
            "Listening on every network interface ({}): other machines reach it at this machine's address, port {}",
            args.bind,
            server.url().rsplit(':').next().unwrap_or_default().trim_end_matches('/')
        );
    }
    eprintln!("Watching cairn.yaml, content/, templates/, themes/, static/ and commits for changes (Ctrl-C to stop)");
    if args.open {
        open(server.url());
    }
    server.run(&tell);
    ExitCode::SUCCESS
}

/// `--bind`: an IP address, or `localhost` (the IPv4 loopback: a name is not looked up).
fn bind_address(value: &str) -> Result<IpAddr, String> {
    if value.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::from([127, 0, 0, 1]));
    }
    value.parse().map_err(|_| "expected an IP address such as 127.0.0.1, ::1 or 0.0.0.0, or `localhost`".to_string())
}

/// Prints how a (re)build went, with the time of each stage when `timings`.
fn tell(event: Report<'_>, timings: bool) {
    let mut stderr = std::io::stderr().lock();
    match event {
        Report::Built(r) => {
            // Said once a session: the history stays missing while the server runs.
            static HISTORY_SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
            let said = HISTORY_SAID.swap(true, std::sync::atomic::Ordering::Relaxed);
            let warnings: Vec<_> =
                r.warnings.iter().filter(|w| !(said && w.code == "history-missing")).cloned().collect();
            let _ = report::print(&warnings, Format::Human, &mut stderr);
            let what = match (r.pages, r.rest) {
                (0, false) => "nothing to remake".to_string(),
                (n, false) => format!("{n} page{}", if n == 1 { "" } else { "s" }),
                (n, true) => format!("{n} page{} and the site-wide outputs", if n == 1 { "" } else { "s" }),
            };
            let _ = writeln!(
                stderr,
                "{} in {:.0} ms: {what}; {} file{} written, {} removed",
                if r.first { "Built" } else { "Rebuilt" },
                r.seconds * 1000.0,
                r.written,
                if r.written == 1 { "" } else { "s" },
                r.removed
            );
            if timings {
                let _ = write!(stderr, "{}", crate::timings::table(&r.timings, r.seconds));
            }
        }
        Report::Quick(r) => {
            let _ = writeln!(
                stderr,
                "Updated {} in {:.0} ms; rebuilding the rest…",
                crate::text::terminal_safe(&r.paths.join(", ")),
                r.seconds * 1000.0
            );
        }
        Report::Failed(problems) => {
            let _ = report::print(problems, Format::Human, &mut stderr);
            let _ =
                writeln!(stderr, "Build failed; still serving the last good site (the problems show on open pages).");
        }
    }
}

/// Opens `url` in the default browser, if there is a way to.
fn open(url: &str) {
    let command = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    if std::process::Command::new(command.0).args(&command.1).spawn().is_err() {
        eprintln!("Could not open a browser; open {url} yourself.");
    }
}

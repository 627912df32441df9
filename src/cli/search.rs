//! `cairn search`: query an audience's search index from the terminal, with filters, snippets
//! (matched terms highlighted on a terminal, byte ranges in `--json`) and facet counts.

use super::{EXIT_PROBLEMS, EXIT_USAGE};
use crate::model::{Date, IncidentSeverity, Kind};
use crate::search::{SearchIndex, SearchQuery, SearchResults, index_dir};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct SearchArgs {
    /// Words to look for; put a phrase in double quotes ('"finality stall"'). Without words,
    /// the documents matching the filters, newest first
    pub query: Vec<String>,
    /// Root of the knowledge base (the folder holding cairn.yaml); by default the working
    /// folder or the nearest one above it with a cairn.yaml, as git finds its repository
    #[arg(long = "root", value_name = "DIR")]
    pub given_root: Option<PathBuf>,
    /// The root in use (set by `main`).
    #[arg(skip)]
    pub root: PathBuf,
    /// Only this kind: incident, postmortem, runbook, matrix, maintenance or page
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<Kind>,
    /// Only documents about this component id
    #[arg(long)]
    pub component: Option<String>,
    /// Only incidents (and their post-mortems) of this severity: sev1 … sev4
    #[arg(long, value_parser = parse_severity)]
    pub severity: Option<IncidentSeverity>,
    /// Only incidents of this type, or runbooks for it
    #[arg(long = "type")]
    pub incident_type: Option<String>,
    /// Only documents dated on or after this day (YYYY-MM-DD)
    #[arg(long, value_parser = parse_date)]
    pub since: Option<Date>,
    /// Only documents dated on or before this day (YYYY-MM-DD)
    #[arg(long, value_parser = parse_date)]
    pub until: Option<Date>,
    /// Index of this audience; the most trusted one indexed by default
    #[arg(long)]
    pub audience: Option<String>,
    /// Number of results (at least 1)
    #[arg(long, short = 'n', default_value_t = 10, value_parser = parse_limit)]
    pub limit: usize,
    /// Print results, snippets with highlight ranges, and facet counts as JSON
    #[arg(long)]
    pub json: bool,
}

use crate::search::{parse_day as parse_date, parse_kind, parse_severity};

/// A number of results to show: a positive whole number.
fn parse_limit(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("expected at least 1 result; leave --limit out for the default of 10".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("expected a positive whole number of results, found `{text}`")),
    }
}

/// The newest input (`cairn.yaml`, content, templates, themes, static; a folder too, for a
/// file removed) changed after `since`, and how many did: what makes an index older than the
/// content. Modification times only: nothing is read.
fn newer_inputs(root: &Path, since: std::time::SystemTime) -> Option<(PathBuf, usize)> {
    // Files first: a folder changes when a file in it is saved by renaming a new copy over it.
    let (mut files, mut folders): (Vec<(std::time::SystemTime, PathBuf)>, Vec<_>) = (Vec::new(), Vec::new());
    for input in crate::cache::INPUTS {
        for entry in walkdir::WalkDir::new(root.join(input)).into_iter().filter_map(Result::ok) {
            let Some(modified) = entry.metadata().ok().and_then(|m| m.modified().ok()) else { continue };
            if modified > since {
                let rel = entry.path().strip_prefix(root).unwrap_or(entry.path()).to_path_buf();
                if entry.file_type().is_dir() { folders.push((modified, rel)) } else { files.push((modified, rel)) }
            }
        }
    }
    let changed = if files.is_empty() { folders } else { files };
    let count = changed.len();
    changed.into_iter().max().map(|(_, path)| (path, count))
}

/// The audience to search: the one asked for, else the most trusted one with an index.
fn audience(root: &Path, asked: Option<String>) -> Option<String> {
    if asked.is_some() {
        return asked;
    }
    let entries = std::fs::read_dir(root.join(".cairn").join("index")).ok()?;
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let rank = std::fs::read_to_string(e.path().join(crate::search::AUDIENCE_FILE)).ok()?;
            Some((rank.trim().parse::<usize>().ok()?, e.file_name().to_string_lossy().into_owned()))
        })
        .max()
        .map(|(_, name)| name)
}

pub fn run(args: SearchArgs) -> ExitCode {
    // The index is cairn's own state: a link in its place (committed, or planted) is refused
    // rather than followed to an index somebody else chose.
    if let Err(e) = crate::write::state::existing(&args.root, &["index"]) {
        eprintln!("error: cannot read the search index under {}: {e}", args.root.join(".cairn/index").display());
        eprintln!("  = help: remove .cairn/index and run `cairn build`");
        return ExitCode::from(EXIT_PROBLEMS);
    }
    let config = crate::load::config_only(&args.root);
    if let Some(asked) = &args.audience
        && config.audiences.rank(asked).is_none()
    {
        eprintln!(
            "error: unknown audience `{}`; this site's audiences are: {}",
            crate::text::terminal_safe(asked),
            config.audiences.0.join(", ")
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let Some(audience) = audience(&args.root, args.audience) else {
        eprintln!("error: no search index under {}", args.root.join(".cairn/index").display());
        eprintln!("  = help: `cairn build` writes it; `cairn build --audience internal` for responders");
        return ExitCode::from(EXIT_PROBLEMS);
    };
    if let Err(e) = crate::write::state::existing(&args.root, &["index", &audience]) {
        eprintln!("error: cannot read the {audience} search index: {e}");
        eprintln!("  = help: remove it and run `cairn build --audience {audience}`");
        return ExitCode::from(EXIT_PROBLEMS);
    }
    let dir = index_dir(&args.root, &audience);
    if !dir.join("meta.json").exists() {
        eprintln!("error: no search index for audience `{audience}` in {}", dir.display());
        eprintln!("  = help: run `cairn build --audience {audience}` first");
        return ExitCode::from(EXIT_USAGE);
    }
    // An index older than the content shows what the site was, not what it is: say so.
    if let Some((path, count)) = crate::search::built_at(&dir).and_then(|at| newer_inputs(&args.root, at)) {
        let others = if count > 1 { format!(" and {} more", count - 1) } else { String::new() };
        eprintln!(
            "warning: the {audience} index is older than the content: {}{others} changed since it was built",
            crate::text::terminal_safe(&crate::diagnostics::display_path(&path))
        );
        eprintln!(
            "  = help: run `cairn build --audience {audience}` (or keep `cairn serve --audience {audience}` running)"
        );
    }
    let query = SearchQuery {
        text: args.query.join(" "),
        kind: args.kind,
        component: args.component,
        severity: args.severity,
        incident_type: args.incident_type,
        since: args.since,
        until: args.until,
        limit: args.limit,
    };
    let fail = |e: String| {
        eprintln!("error: {e}");
        eprintln!("  = help: rebuild the index with `cairn build --audience {audience}`");
        ExitCode::from(EXIT_PROBLEMS)
    };
    if args.json {
        match crate::search::answer(&dir, &audience, &query) {
            Ok(out) => println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default()),
            Err(e) => return fail(e),
        }
    } else {
        let results = match SearchIndex::open(&dir).and_then(|i| i.search(&query)) {
            Ok(r) => r,
            Err(e) => return fail(e),
        };
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        print!("{}", human(&results, &audience, color));
    }
    ExitCode::SUCCESS
}

/// `snippet` with its highlighted ranges in bold yellow (terminal) or between `[` `]`.
fn highlight(snippet: &str, ranges: &[[usize; 2]], color: bool) -> String {
    let (open, close) = if color { ("\x1b[1;33m", "\x1b[0m") } else { ("[", "]") };
    let mut out = String::new();
    let mut at = 0;
    let safe = |s: &str| crate::text::terminal_safe(s).into_owned();
    for [start, end] in ranges {
        let (Some(before), Some(word)) = (snippet.get(at..*start), snippet.get(*start..*end)) else {
            continue;
        };
        out.push_str(&safe(before));
        out.push_str(open);
        out.push_str(&safe(word));
        out.push_str(close);
        at = *end;
    }
    out.push_str(&safe(snippet.get(at..).unwrap_or_default()));
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The results for a terminal. Every text from the index goes through `terminal_safe`: a title
/// or snippet holding an escape sequence must not drive the reader's terminal.
fn human(results: &SearchResults, audience: &str, color: bool) -> String {
    use crate::text::terminal_safe;
    let mut out = String::new();
    let bold = |s: &str| if color { format!("\x1b[1m{s}\x1b[0m") } else { s.to_string() };
    for (i, hit) in results.hits.iter().enumerate() {
        let mut facts = vec![hit.kind.clone()];
        facts.extend(hit.severity.clone());
        facts.extend(hit.date.clone());
        if hit.open {
            facts.push("OPEN".into());
        }
        let facts = terminal_safe(&facts.join(" · ")).into_owned();
        out.push_str(&format!("{:>2}. {}  ({facts})\n", i + 1, bold(&terminal_safe(&hit.title))));
        out.push_str(&format!("    {}\n", terminal_safe(&hit.path)));
        if !hit.snippet.is_empty() {
            out.push_str(&format!("    {}\n", highlight(&hit.snippet, &hit.highlights, color)));
        }
        out.push('\n');
    }
    out.push_str(&format!("{} of {} matching documents ({audience} index)\n", results.hits.len(), results.total));
    for (facet, counts) in &results.facets {
        if counts.is_empty() {
            continue;
        }
        let mut counts: Vec<_> = counts.iter().collect();
        counts.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let list: Vec<String> = counts.iter().map(|(v, n)| format!("{} {n}", terminal_safe(v))).collect();
        out.push_str(&format!("  {facet}: {}\n", list.join(", ")));
    }
    out
}

//! Naming a document on the command line, the same way for every command and kind: by its id
//! (the file name without `.md`), by its path (from the working folder or the root), or by a
//! part of its id that no other document of those kinds has. A miss suggests the closest ids;
//! a document whose file cannot be read is reported with its own problems, not as a miss.

use super::{EXIT_PROBLEMS, EXIT_USAGE, Format, report};
use crate::diagnostics::{Diagnostic, display_path};
use crate::model::{Kind, Sources};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A document the name matched, loaded.
#[derive(Debug, Clone)]
pub struct Named {
    pub kind: Kind,
    pub slug: String,
    /// Path below the root, e.g. `content/incidents/x.md`.
    pub source: PathBuf,
}

/// What a kind is called in messages.
pub fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Incident => "incident",
        Kind::Maintenance => "maintenance window",
        Kind::Postmortem => "post-mortem",
        Kind::Runbook => "runbook",
        Kind::Matrix => "decision matrix",
        Kind::Page => "page",
    }
}

/// `incident`, `incident or maintenance window`, `incident, maintenance window or post-mortem`.
fn nouns(kinds: &[Kind]) -> String {
    let words: Vec<&str> = kinds.iter().map(|k| noun(*k)).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// One candidate: its kind, id, path below the root and whether it loaded.
struct Candidate {
    kind: Kind,
    slug: String,
    source: PathBuf,
    loaded: bool,
}

fn candidates(sources: &Sources, kinds: &[Kind]) -> Vec<Candidate> {
    let loaded = sources.metas().filter(|m| kinds.contains(&m.kind)).map(|m| Candidate {
        kind: m.kind,
        slug: m.slug.clone(),
        source: m.source.clone(),
        loaded: true,
    });
    let broken = sources.unloaded.iter().filter(|(k, _, _)| kinds.contains(k)).map(|(kind, slug, rel)| Candidate {
        kind: *kind,
        slug: slug.clone(),
        source: Path::new("content").join(rel),
        loaded: false,
    });
    loaded.chain(broken).collect()
}

/// The file `wanted` names when read as a path (from the working folder, else from the root),
/// made absolute and without links, when it exists.
fn as_path(wanted: &str, root: &Path) -> Option<PathBuf> {
    let looks_like_path = wanted.contains('/') || wanted.contains(std::path::MAIN_SEPARATOR) || wanted.ends_with(".md");
    if !looks_like_path {
        return None;
    }
    std::fs::canonicalize(wanted).or_else(|_| std::fs::canonicalize(root.join(wanted))).ok()
}

/// The smallest edit distance between `wanted` and a run of whole dash-separated words of
/// `slug` (a typo in a part of an id is as close as a typo in the whole id).
fn distance(wanted: &str, slug: &str) -> usize {
    let words: Vec<&str> = slug.split('-').collect();
    let mut best = strsim::damerau_levenshtein(wanted, slug);
    for from in 0..words.len() {
        for to in from + 1..=words.len() {
            best = best.min(strsim::damerau_levenshtein(wanted, &words[from..to].join("-")));
        }
    }
    best
}

/// Ids close to `wanted`, closest first (at most three).
fn close_to<'c>(wanted: &str, all: &'c [Candidate]) -> Vec<&'c Candidate> {
    let limit = 2.max(wanted.chars().count() / 4);
    let mut close: Vec<(usize, &Candidate)> =
        all.iter().map(|c| (distance(wanted, &c.slug), c)).filter(|(d, _)| *d <= limit).collect();
    close.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.slug.cmp(&a.1.slug)));
    close.into_iter().take(3).map(|(_, c)| c).collect()
}

/// Ids in a message, quoted and escaped for the terminal, with their kind when `with_kind`;
/// the last two joined with `or` when `or`.
fn listed<'c>(list: impl IntoIterator<Item = &'c Candidate>, with_kind: bool, or: bool) -> String {
    let items: Vec<String> = list
        .into_iter()
        .map(|c| {
            let slug = crate::text::terminal_safe(&c.slug).into_owned();
            if with_kind { format!("`{slug}` ({})", noun(c.kind)) } else { format!("`{slug}`") }
        })
        .collect();
    match items.as_slice() {
        [rest @ .., last] if or && !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => items.join(", "),
    }
}

/// Newest first (ids of dated documents start with their date), then by kind.
fn newest_first(list: &mut [&Candidate]) {
    list.sort_by(|a, b| b.slug.cmp(&a.slug).then(a.kind.cmp(&b.kind)));
}

/// The one document of `kinds` that `wanted` names, or an exit code once the reason is printed:
/// exit 2 for a name that matches none or several (with suggestions), exit 1 for a document
/// whose file has problems that keep it from loading (printed, from `problems`).
pub fn find(
    sources: &Sources,
    problems: &[Diagnostic],
    kinds: &[Kind],
    wanted: &str,
    root: &Path,
) -> Result<Named, ExitCode> {
    let all = candidates(sources, kinds);
    let what = nouns(kinds);
    let shown = crate::text::terminal_safe(wanted).into_owned();
    let stem = Path::new(wanted).file_stem().and_then(|s| s.to_str()).unwrap_or(wanted);
    let by_path: Vec<&Candidate> = match as_path(wanted, root) {
        Some(path) => {
            all.iter().filter(|c| std::fs::canonicalize(root.join(&c.source)).is_ok_and(|p| p == path)).collect()
        }
        None => Vec::new(),
    };
    let exact: Vec<&Candidate> = all.iter().filter(|c| c.slug == stem).collect();
    let partial: Vec<&Candidate> = all.iter().filter(|c| !stem.is_empty() && c.slug.contains(stem)).collect();
    let mut found = [by_path, exact, partial].into_iter().find(|list| !list.is_empty()).unwrap_or_default();
    match found.as_mut_slice() {
        [one] if one.loaded => Ok(Named { kind: one.kind, slug: one.slug.clone(), source: one.source.clone() }),
        [one] => {
            let file = display_path(&one.source);
            let own: Vec<Diagnostic> = problems.iter().filter(|d| d.file == file).cloned().collect();
            eprintln!(
                "error: the {} `{}` cannot be read: fix the problems of {file} first",
                noun(one.kind),
                crate::text::terminal_safe(&one.slug)
            );
            let _ = report::print(&own, Format::Human, &mut std::io::stderr().lock());
            Err(ExitCode::from(EXIT_PROBLEMS))
        }
        [] => {
            eprintln!("error: no {what} matches `{shown}`");
            let mixed = kinds.len() > 1;
            let close = close_to(stem, &all);
            if !close.is_empty() {
                eprintln!("  help: did you mean {}?", listed(close, mixed, true));
            } else if all.is_empty() {
                eprintln!("  help: there is no {what} in this knowledge base yet");
            } else {
                let mut recent: Vec<&Candidate> = all.iter().collect();
                newest_first(&mut recent);
                eprintln!(
                    "  help: name one by its id, a part of it, or its path; the latest: {}",
                    listed(recent.into_iter().take(5), mixed, false)
                );
            }
            Err(ExitCode::from(EXIT_USAGE))
        }
        many => {
            newest_first(many);
            let mixed = many.iter().any(|c| c.kind != many[0].kind);
            let plural = if mixed { "documents".to_string() } else { format!("{}s", noun(many[0].kind)) };
            let count = many.len();
            let more = if count > 10 { format!(" and {} more", count - 10) } else { String::new() };
            eprintln!(
                "error: `{shown}` matches {count} {plural}: {}{more}",
                listed(many.iter().copied().take(10), mixed, false)
            );
            eprintln!("  help: name one by more of its id, or by its path");
            Err(ExitCode::from(EXIT_USAGE))
        }
    }
}

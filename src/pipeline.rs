//! The whole pipeline as two library calls, `check` and `build`, which the CLI (and later the
//! dev server) wrap: load → validate → resolve → render/outputs → atomic write.

use crate::diagnostics::{Diagnostic, sort_and_dedup};
use crate::model::{Kind, Sources, Timestamp};
use crate::outputs::{self, OutputFile};
use crate::site::{self, Site};
use crate::timings::Clock;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The build's notion of "now": `--now`, else `SOURCE_DATE_EPOCH`, else the clock. This is the only
/// place cairn reads the clock.
pub fn resolve_now(explicit: Option<Timestamp>) -> Result<Timestamp, String> {
    if let Some(t) = explicit {
        return Ok(t);
    }
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => {
            v.trim().parse::<i64>().ok().and_then(|s| Timestamp::from_unix_timestamp(s).ok()).ok_or_else(|| {
                format!("SOURCE_DATE_EPOCH must be a number of seconds between the years -9999 and 9999, found `{v}`")
            })
        }
        _ => Ok(Timestamp::now_utc()),
    }
    .map(|t| t.replace_nanosecond(0).unwrap_or(t))
}

/// Loads and validates a repo: the sources and every audience-independent problem.
pub fn load_and_validate(root: &Path) -> (Sources, Vec<Diagnostic>) {
    let (sources, mut problems) = crate::load::load(root);
    problems.extend(site::validate(&sources));
    (sources, problems)
}

/// Every problem of the repo, for every audience, without writing anything.
pub fn check(root: &Path, now: Timestamp) -> Vec<Diagnostic> {
    let (sources, mut problems) = load_and_validate(root);
    problems.extend(site::reminders(&sources, now));
    if let Err(p) = crate::render::templates::load(root, &sources.config.theme, sources.config.locations.value("theme"))
    {
        problems.extend(p);
    }
    // Resolving consumes the sources: every audience but the last resolves a copy.
    let audiences = sources.config.audiences.0.len();
    let mut sources = Some(sources);
    for audience in 0..audiences {
        let Some(own) = (if audience + 1 < audiences { sources.clone() } else { sources.take() }) else { break };
        let (site, p) = site::resolve(own, audience, now);
        problems.extend(p);
        // Output paths two sources share, in the build of each audience: the same conflict in
        // a more trusted build is reported once (see `sort_and_dedup`).
        problems.extend(crate::outputs::conflicts::of_pages(&site));
    }
    sort_and_dedup(&mut problems);
    problems
}

pub struct BuildOptions {
    pub root: PathBuf,
    /// Audience name; the least trusted when absent.
    pub audience: Option<String>,
    /// Output directory; `public/` for the least trusted audience, `public-<name>/` otherwise.
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub now: Timestamp,
    /// Build even when the record of the last build says nothing changed.
    pub force: bool,
}

/// What a successful build did.
pub struct BuildReport {
    pub output: PathBuf,
    pub audience: String,
    pub pages: Vec<(Kind, usize)>,
    pub files: usize,
    /// How many files were written, left as they were, and removed.
    pub write: crate::write::WriteStats,
    pub warnings: Vec<Diagnostic>,
    pub seconds: f64,
    /// Nothing changed since the last build into the same output: nothing was done.
    pub up_to_date: bool,
    /// How long each stage took (`cairn build --timings`).
    pub timings: Vec<crate::timings::Stage>,
}

/// Why a build did not write anything.
pub enum BuildError {
    /// The request itself is wrong (unknown audience): a usage error.
    Usage(String),
    /// The repo has errors; all of them, warnings included.
    Invalid(Vec<Diagnostic>),
    /// Writing the output failed; the previous output is untouched.
    Io(String),
}

/// Resolves the site of one audience, with every problem found on the way.
pub fn resolve_site(opts: &BuildOptions) -> Result<(Site, Vec<Diagnostic>), BuildError> {
    resolve_timed(opts, &Clock::new(Instant::now()), crate::load::Snapshot::default())
}

fn resolve_timed(
    opts: &BuildOptions,
    clock: &Clock,
    snapshot: crate::load::Snapshot,
) -> Result<(Site, Vec<Diagnostic>), BuildError> {
    let (mut sources, mut problems) = clock.time("load", || crate::load::load_from(&opts.root, snapshot));
    problems.extend(clock.time("validate", || site::validate(&sources)));
    if let Some(url) = &opts.base_url {
        if !crate::text::is_web_url(url) {
            return Err(BuildError::Usage(format!(
                "--base-url must be an absolute http:// or https:// address, found `{}`",
                crate::text::terminal_safe(url)
            )));
        }
        sources.config.base_url = url.trim_end_matches('/').to_string();
    }
    let audience = match &opts.audience {
        None => 0,
        Some(name) => sources.config.audiences.rank(name).ok_or_else(|| {
            BuildError::Usage(format!(
                "unknown audience `{name}`; this site's audiences are: {}",
                sources.config.audiences.0.join(", ")
            ))
        })?,
    };
    problems.extend(site::reminders(&sources, opts.now));
    let (site, p) = clock.time("resolve", || site::resolve(sources, audience, opts.now));
    problems.extend(p);
    Ok((site, problems))
}

/// Builds the site of one audience and swaps it into place, or reports why not. Waits silently
/// while another build of the same output is in progress (see [`build_waiting`]).
pub fn build(opts: &BuildOptions, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<BuildReport, BuildError> {
    build_waiting(opts, progress, &|_, _| {})
}

/// What an output may not be, contain or sit inside, below the root: every input, the
/// repository, and cairn's own records and search index.
fn protected() -> Vec<&'static str> {
    crate::cache::INPUTS.iter().copied().chain([".git", ".cairn"]).collect()
}

/// [`build`], calling `waiting` once with the output and the process id of the build in
/// progress (when known) if this one has to wait for it.
///
/// Builds of one output take turns: the output's lock is held from before the skip check until
/// the record is stored, so a build never mixes with another and a skip is checked against an
/// output nobody is changing. An output that is, contains or sits inside an input is refused
/// before anything is created or moved.
pub fn build_waiting(
    opts: &BuildOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
    waiting: &dyn Fn(&Path, Option<u32>),
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let requested = opts.output.clone().unwrap_or_else(|| {
        let config = crate::load::config_only(&opts.root);
        let audience = opts.audience.as_deref().and_then(|a| config.audiences.rank(a)).unwrap_or(0);
        output_for(&opts.root, audience, config.audiences.name(audience))
    });
    let output = crate::write::place::check(&opts.root, &requested, &protected()).map_err(BuildError::Usage)?;
    // cairn's own folder is refused before anything is written when it is, or holds, a link.
    for part in ["builds", "index"] {
        crate::write::state::existing(&opts.root, &[part]).map_err(|e| BuildError::Usage(e.to_string()))?;
    }
    let io_error = |e: std::io::Error| BuildError::Io(format!("cannot write {}: {e}", requested.display()));
    let lock = crate::write::OutputLock::acquire(&output, &|pid| waiting(&requested, pid)).map_err(io_error)?;
    let now = crate::view::iso(opts.now);
    let root = std::fs::canonicalize(&opts.root).unwrap_or_else(|_| opts.root.clone());
    let settings = [
        opts.audience.as_deref().unwrap_or(""),
        opts.base_url.as_deref().unwrap_or(""),
        now.as_str(),
        &output.to_string_lossy(),
        &root.to_string_lossy(),
    ];
    let clock = Clock::new(started);
    // Without a record of an earlier build into this output nothing can be skipped: the bytes
    // read for the fingerprint are kept and loaded, instead of read again.
    let recorded = !opts.force && crate::cache::recorded(&opts.root, &output);
    let (fingerprint, snapshot) =
        clock.time("fingerprint", || crate::cache::read_sources(&opts.root, &settings, !recorded));
    if recorded
        && let Some(record) = clock.time("check output", || crate::cache::lookup(&opts.root, &output, &fingerprint))
    {
        // Leftovers of killed builds go even when nothing is built; failing to clear them does
        // not make the output any less up to date.
        let _ = crate::write::tidy(&lock);
        return Ok(BuildReport {
            output: requested,
            audience: record.audience.clone(),
            pages: record.pages(),
            files: record.files,
            write: crate::write::WriteStats { unchanged: record.files, ..Default::default() },
            warnings: record.warnings,
            seconds: started.elapsed().as_secs_f64(),
            up_to_date: true,
            timings: clock.stages(),
        });
    }
    let (site, mut problems) = resolve_timed(opts, &clock, snapshot)?;
    if problems.iter().any(Diagnostic::is_error) {
        sort_and_dedup(&mut problems);
        return Err(BuildError::Invalid(problems));
    }
    let total = site.docs.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let tick = || {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        progress(n, total);
    };
    let staging = crate::write::Staging::begin(&lock).map_err(io_error)?;
    let sink = |file: OutputFile| {
        staging.put(&file.path, &file.bytes).map_err(|e| {
            Diagnostic::error(
                &requested.join(&file.path),
                crate::diagnostics::Pos::START,
                "write-failed",
                e.to_string(),
            )
            .with_help("check the permissions and free space of the output directory")
        })
    };
    // The responders' search index is built beside the pages, not after them: indexing is one
    // thread's work, and rendering leaves the cores idle while the kernel creates files.
    // What search sees of the site, and its words, are made once for both indexes.
    // The pages' folders are made meanwhile, on one thread (see `Staging::make_dirs`): the
    // pages do not wait for them, and make the few they reach first themselves.
    let (dirs, ((files, render_problems), index)) = rayon::join(
        || staging.make_dirs(site.docs.iter().filter(|d| d.has_page()).map(|d| d.path.as_str())),
        || {
            let (docs, terms) = clock.time("search text", || {
                let docs = outputs::searchable::documents(&site);
                let terms = outputs::Terms::of(&docs);
                (docs, terms)
            });
            rayon::join(
                || outputs::build_all(&site, &opts.root, &docs, &terms, &tick, &sink, &clock),
                || {
                    clock
                        .time("search index", || crate::search::write_index_of(&opts.root, &site, &docs, terms.words()))
                },
            )
        },
    );
    dirs.map_err(io_error)?;
    index.map_err(BuildError::Io)?;
    problems.extend(render_problems);
    sort_and_dedup(&mut problems);
    if problems.iter().any(Diagnostic::is_error) {
        return Err(BuildError::Invalid(problems));
    }
    // The record of the output being replaced no longer describes it, whatever happens next.
    crate::cache::forget(&opts.root, &output);
    let written = clock.time("swap", || staging.finish()).map_err(io_error)?;
    let pages: Vec<(Kind, usize)> = Kind::ALL.iter().map(|k| (*k, site.count(*k))).filter(|(_, n)| *n > 0).collect();
    let audience = site.audience_name().to_string();
    // Freed on another thread: a large site is freed document by document, and the build is
    // done.
    rayon::spawn(move || drop(site));
    let record = crate::cache::Record {
        fingerprint,
        audience: audience.clone(),
        pages: pages.iter().map(|(k, n)| (k.as_str().to_string(), *n)).collect(),
        files,
        warnings: problems.clone(),
        manifest: written.manifest,
    };
    clock.time("record", || crate::cache::store(&opts.root, &output, &record));
    drop(lock);
    Ok(BuildReport {
        output: requested,
        audience,
        pages,
        files,
        write: written.stats,
        warnings: problems,
        seconds: started.elapsed().as_secs_f64(),
        up_to_date: false,
        timings: clock.stages(),
    })
}

/// `public/` for the least trusted audience, `public-<audience>/` for the others.
pub fn output_for(root: &Path, rank: usize, name: &str) -> PathBuf {
    if rank == 0 { root.join("public") } else { root.join(format!("public-{name}")) }
}

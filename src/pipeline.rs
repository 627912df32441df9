//! The whole pipeline as two library calls, `check` and `build`, which the CLI (and later the
//! dev server) wrap: load → validate → resolve → render/outputs → atomic write.

use crate::diagnostics::{Diagnostic, sort_and_dedup};
use crate::model::{Kind, Sources, Timestamp};
use crate::outputs::{self, OutputFile};
use crate::site::{self, Site};
use crate::timings::Clock;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The build's notion of "now": `--now`, else `SOURCE_DATE_EPOCH`, else the clock.
pub fn resolve_now(explicit: Option<Timestamp>) -> Result<Timestamp, String> {
    Ok(pinned_now(explicit)?.unwrap_or_else(clock_now))
}

/// The "now" asked for: `--now`, else `SOURCE_DATE_EPOCH`; `None` when neither is given (a
/// build then takes the time of the commit it is built from, or the clock).
pub fn pinned_now(explicit: Option<Timestamp>) -> Result<Option<Timestamp>, String> {
    if let Some(t) = explicit {
        return Ok(Some(t.replace_nanosecond(0).unwrap_or(t)));
    }
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => {
            v.trim().parse::<i64>().ok().and_then(|s| Timestamp::from_unix_timestamp(s).ok()).map(Some).ok_or_else(
                || {
                    format!(
                        "SOURCE_DATE_EPOCH must be a number of seconds between the years -9999 and 9999, found `{v}`"
                    )
                },
            )
        }
        _ => Ok(None),
    }
}

/// The clock, to the second. This is the only place cairn reads it.
fn clock_now() -> Timestamp {
    let t = Timestamp::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
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
    if let Ok(mut git) = crate::git::Source::open(root, None)
        && let Some(read) = git.read(&root.join(".cairn").join("history"))
        && let Some(repo) = git.repo.as_ref()
    {
        problems.extend(site::revisions::review_warnings(&sources, &read.history, repo));
    }
    if let Err(p) = crate::render::templates::load(
        root,
        &sources.config.theme,
        sources.config.locations.value("theme"),
        sources.config.messages.clone(),
    ) {
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
    /// The build's "now". `None`: the time of the last commit that changed what the audience
    /// sees when the inputs have no uncommitted change (so a clean checkout builds the same
    /// bytes every time), else the clock.
    pub now: Option<Timestamp>,
    /// Build even when the record of the last build says nothing changed.
    pub force: bool,
    /// Build the inputs as they were at this revision (a commit, branch or tag), read from the
    /// object database: no checkout, so the work tree may be dirty or absent (a bare repository).
    pub rev: Option<String>,
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
    let mut git = crate::git::Source::open(&opts.root, None).map_err(BuildError::Usage)?;
    resolve_timed(opts, &Clock::new(Instant::now()), crate::load::Snapshot::default(), &opts.root, &mut git)
}

/// What git says of the build: its history as input to `resolve`, its stamp and its "now".
fn history_of(
    opts: &BuildOptions,
    inputs: &Path,
    sources: &Sources,
    audience: usize,
    git: &mut crate::git::Source,
    read: Option<&crate::git::Read>,
) -> (Timestamp, site::Stamp, std::collections::HashMap<String, Vec<u8>>, Vec<Diagnostic>) {
    let (Some(read), Some(repo)) = (read, git.repo.as_ref()) else {
        return (opts.now.unwrap_or_else(clock_now), site::Stamp::default(), Default::default(), Vec::new());
    };
    let visible = git.tip.as_deref().and_then(|tip| site::revisions::last_visible_change(sources, audience, repo, tip));
    let commit = visible.as_ref();
    let time = commit.and_then(|c| Timestamp::from_unix_timestamp(c.time).ok());
    // The documents changed in the work tree are a revision of their own, read as they are now.
    let current: std::collections::HashMap<String, Vec<u8>> = read
        .dirty
        .iter()
        .filter(|p| p.starts_with("content/"))
        .filter_map(|p| {
            let bytes = crate::load::inputs::read(inputs, Path::new(p), crate::load::limits::MAX_FILE_BYTES).ok()?;
            Some((p.clone(), bytes))
        })
        .collect();
    // Dirty for this audience: uncommitted edits of what it cannot see leave its build as the
    // commit's, stamp and time included.
    let at = opts.now.or(time).unwrap_or_else(clock_now);
    let dirty = site::revisions::dirty_for(sources, audience, repo, &read.history, &read.dirty, &current, at);
    let stamp = site::Stamp { commit: commit.map(|c| c.id.clone()), time, dirty, history: true };
    // A commit dated after the clock (a wrong clock, or a forged date) must not lift embargoes
    // early: the build runs at the clock's time, and says why.
    let clock = clock_now();
    let ahead = time.filter(|t| opts.now.is_none() && !dirty && *t > clock + time::Duration::minutes(5));
    let mut problems = Vec::new();
    if let (Some(t), Some(c)) = (ahead, commit) {
        problems.push(
            Diagnostic::warning(Path::new("."), crate::diagnostics::Pos::START, "commit-in-future", format!(
                "commit {} is dated {}, after this machine's clock ({}): building at the clock's time",
                &c.id[..c.id.len().min(7)],
                crate::text::iso(t),
                crate::text::iso(clock)
            ))
            .with_help("check the clock of the machine that made the commit (an embargo follows the build's time, never a commit's date ahead of it)"),
        );
    }
    let now = opts.now.or(time.filter(|_| !dirty && ahead.is_none())).unwrap_or(clock);
    (now, stamp, current, problems)
}

fn resolve_timed(
    opts: &BuildOptions,
    clock: &Clock,
    snapshot: crate::load::Snapshot,
    inputs: &Path,
    git: &mut crate::git::Source,
) -> Result<(Site, Vec<Diagnostic>), BuildError> {
    let (mut sources, mut problems) = clock.time("load", || crate::load::load_from(inputs, snapshot));
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
    let read = clock.time("history", || git.read(&opts.root.join(".cairn").join("history")));
    problems.extend(git.warning());
    let (now, stamp, current, late) = history_of(opts, inputs, &sources, audience, git, read.as_ref());
    problems.extend(late);
    problems.extend(site::reminders(&sources, now));
    let repo = git.repo.as_ref();
    if let (Some(r), Some(repo)) = (&read, repo) {
        problems.extend(site::revisions::review_warnings(&sources, &r.history, repo));
    }
    let cache_dir = opts.root.join(".cairn").join("history");
    let kept = match (&read, repo) {
        (Some(_), Some(_)) => Some(clock.time("history", || Kept::load(&cache_dir, &sources, audience))),
        _ => None,
    };
    let blobs = match (&read, repo, &kept) {
        (Some(r), Some(repo), Some(kept)) => clock.time("history", || {
            repo.blobs(&site::revisions::wanted_blobs(&r.history, &kept.renderings, audience, now)).unwrap_or_default()
        }),
        _ => Default::default(),
    };
    let documents: std::collections::HashSet<PathBuf> = sources.metas().map(|m| m.source.clone()).collect();
    let (site, p) = clock.time("resolve", || match (&read, &kept) {
        (Some(r), Some(kept)) => {
            let input = site::revisions::GitInput {
                history: &r.history,
                blobs: &blobs,
                kept: &kept.renderings,
                dirty: &r.dirty,
                current: &current,
            };
            site::resolve_with(sources, audience, now, Some((&input, stamp)))
        }
        _ => site::resolve(sources, audience, now),
    });
    problems.extend(p);
    // A build's log warns only about what its audience sees: the public build's log (a CI job's,
    // say) must not quote an overdue action item of an internal post-mortem. Errors stop the
    // build and are all shown; `cairn check` shows every warning.
    let seen: std::collections::HashSet<&Path> = site.docs.iter().map(|d| d.source.as_path()).collect();
    problems.retain(|d| {
        d.is_error() || {
            let file = Path::new(&d.file);
            !documents.contains(file) || seen.contains(file)
        }
    });
    if let Some(kept) = kept {
        kept.store(&cache_dir);
    }
    Ok((site, problems))
}

/// The renderings of old revisions kept by earlier builds of one audience, in
/// `.cairn/history/renderings-<audience>.bin`, valid for one executable and one configuration
/// of audiences, visibility defaults and components (what a rendering depends on besides the
/// file).
struct Kept {
    file: String,
    digest: String,
    renderings: site::renderings::Renderings,
}

impl Kept {
    fn load(dir: &Path, sources: &Sources, audience: usize) -> Kept {
        let config = &sources.config;
        let components: Vec<(&str, &str, Option<usize>)> =
            sources.components.components.iter().map(|c| (c.id.as_str(), c.name.as_str(), c.visibility)).collect();
        let described = format!(
            "{:x?} {audience} {:?} {:?} {} {components:?}",
            crate::cache::executable_id(),
            config.audiences.0,
            config.defaults,
            config.component_default
        );
        let digest = format!("{:032x}\n", xxhash_rust::xxh3::xxh3_128(described.as_bytes()));
        let file = format!("renderings-{audience}.bin");
        let renderings = std::fs::read(dir.join(&file))
            .ok()
            .and_then(|bytes| bytes.strip_prefix(digest.as_bytes()).map(site::renderings::Renderings::decode))
            .unwrap_or_default();
        Kept { file, digest, renderings }
    }

    /// Writes the renderings back when this build added some; failing to only costs time later.
    fn store(self, dir: &Path) {
        let Some(bytes) = self.renderings.encode() else { return };
        let temp = dir.join(format!(".{}.renderings.tmp", std::process::id()));
        let mut all = self.digest.into_bytes();
        all.extend_from_slice(&bytes);
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&temp, &all))
            .and_then(|()| std::fs::rename(&temp, dir.join(&self.file)));
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
    }
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
    let mut git = crate::git::Source::open(&opts.root, opts.rev.as_deref()).map_err(BuildError::Usage)?;
    // `--rev`: the inputs of that commit, written out of the object database.
    let exported = match (&git.repo, &git.tip) {
        (Some(repo), Some(tip)) if git.at_rev => {
            let dir = tempfile::Builder::new().prefix(".cairn-rev-").tempdir().map_err(io_error)?;
            repo.export_tree(tip, dir.path()).map_err(|e| BuildError::Io(format!("cannot read {tip}: {e}")))?;
            Some(dir)
        }
        _ => None,
    };
    let inputs: &Path = exported.as_ref().map_or(&opts.root, |d| d.path());
    // Without a pinned "now", the build's time comes from the commit it is built from (or the
    // clock, when the inputs have uncommitted changes: such a build is never skipped).
    let now = match opts.now {
        Some(t) => crate::view::iso(t),
        None if git.tip.is_some() => String::new(),
        None => crate::view::iso(clock_now()),
    };
    let root = std::fs::canonicalize(&opts.root).unwrap_or_else(|_| opts.root.clone());
    let history = git.key();
    let settings = [
        opts.audience.as_deref().unwrap_or(""),
        opts.base_url.as_deref().unwrap_or(""),
        now.as_str(),
        &output.to_string_lossy(),
        &root.to_string_lossy(),
        history.as_str(),
    ];
    let clock = Clock::new(started);
    // Without a record of an earlier build into this output nothing can be skipped: the bytes
    // read for the fingerprint are kept and loaded, instead of read again.
    let recorded = !opts.force && exported.is_none() && crate::cache::recorded(&opts.root, &output);
    let (fingerprint, snapshot) =
        clock.time("fingerprint", || crate::cache::read_sources(inputs, &settings, !recorded));
    if recorded
        && let Some(record) = clock
            .time("check output", || crate::cache::lookup(&opts.root, &output, &fingerprint))
            .filter(|r| r.reproducible)
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
    let (site, mut problems) = resolve_timed(opts, &clock, snapshot, inputs, &mut git)?;
    // Built at the clock's time (uncommitted inputs, no pinned "now"): never skipped later.
    let reproducible =
        opts.now.is_some() || (site.stamp.commit.is_some() && !site.stamp.dirty && Some(site.now) == site.stamp.time);
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
                || outputs::build_all(&site, inputs, &docs, &terms, &tick, &sink, &clock),
                || {
                    clock.time("search index", || {
                        crate::search::write_index_of(
                            &opts.root,
                            &crate::search::IndexOf::of(&site),
                            &docs,
                            terms.words(),
                        )
                    })
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
        reproducible,
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

//! The whole pipeline as two library calls, `check` and `build`, which the CLI (and later the
//! dev server) wrap: load → validate → resolve → render/outputs → atomic write.

use crate::diagnostics::{Diagnostic, sort_and_dedup};
use crate::model::{Kind, Sources, Timestamp};
use crate::outputs::{self, OutputFile};
use crate::site::{self, Site};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The build's notion of "now": `--now`, else `SOURCE_DATE_EPOCH`, else the clock. This is the only
/// place cairn reads the clock.
pub fn resolve_now(explicit: Option<Timestamp>) -> Result<Timestamp, String> {
    if let Some(t) = explicit {
        return Ok(t);
    }
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| Timestamp::from_unix_timestamp(s).ok())
            .ok_or_else(|| format!("SOURCE_DATE_EPOCH must be a number of seconds, found `{v}`")),
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
    for audience in 0..sources.config.audiences.0.len() {
        let (_, p) = site::resolve(&sources, audience, now);
        problems.extend(p);
    }
    if let Err(p) = crate::render::templates::load(root, &sources.config.theme, sources.config.locations.value("theme"))
    {
        problems.extend(p);
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
}

/// What a successful build did.
pub struct BuildReport {
    pub output: PathBuf,
    pub audience: String,
    pub pages: Vec<(Kind, usize)>,
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
    pub seconds: f64,
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
    let (mut sources, mut problems) = load_and_validate(&opts.root);
    if let Some(url) = &opts.base_url {
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
    let (site, p) = site::resolve(&sources, audience, opts.now);
    problems.extend(p);
    Ok((site, problems))
}

/// Builds the site of one audience and swaps it into place, or reports why not.
pub fn build(opts: &BuildOptions, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let (site, mut problems) = resolve_site(opts)?;
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
    let (files, render_problems): (Vec<OutputFile>, Vec<Diagnostic>) = outputs::build_all(&site, &opts.root, &tick);
    problems.extend(render_problems);
    sort_and_dedup(&mut problems);
    if problems.iter().any(Diagnostic::is_error) {
        return Err(BuildError::Invalid(problems));
    }
    let output = opts.output.clone().unwrap_or_else(|| default_output(&opts.root, &site));
    crate::output::write_site(&output, &files)
        .map_err(|e| BuildError::Io(format!("cannot write {}: {e}", output.display())))?;
    crate::search::write_index(&opts.root, &site).map_err(BuildError::Io)?;
    let pages = Kind::ALL.iter().map(|k| (*k, site.count(*k))).filter(|(_, n)| *n > 0).collect();
    Ok(BuildReport {
        output,
        audience: site.audience_name().to_string(),
        pages,
        files: files.len(),
        warnings: problems,
        seconds: started.elapsed().as_secs_f64(),
    })
}

pub fn default_output(root: &Path, site: &Site) -> PathBuf {
    if site.is_public() { root.join("public") } else { root.join(format!("public-{}", site.audience_name())) }
}

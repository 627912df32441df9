//! What the comms commands (`new`, `update`, `publish`) share: checking what was asked
//! (audience, message, time), checking an edit in memory with the same rules as `check` before
//! anything is written, writing it by rename so that no one ever sees half a file, and saying
//! who can see what was written.

use super::{EXIT_PROBLEMS, EXIT_USAGE};
use crate::diagnostics::{Diagnostic, display_path, sort_and_dedup, suggest};
use crate::load::{Snapshot, inputs};
use crate::model::{Audiences, Timestamp};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How the file is written.
pub enum Target<'a> {
    /// A new file: refused if anything is at its path by the time it is written.
    Create,
    /// An existing file, whose bytes were `read`: refused if they changed meanwhile; its
    /// permissions are kept.
    Replace { read: &'a [u8] },
}

/// Problems of the repo at `root` once the file at `rel` holds `bytes`: the repo is loaded with
/// those bytes in memory for that file, validated, and resolved for every audience, as `check`
/// does. Nothing is copied or written.
fn problems_with(root: &Path, rel: &Path, bytes: &[u8], now: Timestamp) -> Vec<Diagnostic> {
    let (sources, mut problems) = crate::load::load_from(root, Snapshot::with_file(root, rel, bytes.to_vec()));
    problems.extend(crate::site::validate(&sources));
    problems.extend(crate::site::reminders(&sources, now));
    let audiences = sources.config.audiences.0.len();
    let mut sources = Some(sources);
    for audience in 0..audiences {
        let Some(own) = (if audience + 1 < audiences { sources.clone() } else { sources.take() }) else { break };
        problems.extend(crate::site::resolve(own, audience, now).1);
    }
    sort_and_dedup(&mut problems);
    problems
}

/// The sites of `audiences` of the repo at `root` with the file at `rel` holding `bytes`,
/// resolved as a build resolves them (nothing is written).
pub fn sites_with(
    root: &Path,
    rel: &Path,
    bytes: &[u8],
    now: Timestamp,
    audiences: std::ops::Range<usize>,
) -> Vec<crate::site::Site> {
    let (sources, _) = crate::load::load_from(root, Snapshot::with_file(root, rel, bytes.to_vec()));
    audiences.map(|audience| crate::site::resolve(sources.clone(), audience, now).0).collect()
}

/// Writes `bytes` to `path` by rename: into a new file created exclusively beside it (hidden,
/// so a crash leaves nothing the loader reads), flushed to disk, then moved over the target in
/// one step, and the folder flushed.
fn write_by_rename(path: &Path, bytes: &[u8], target: &Target<'_>) -> Result<(), String> {
    let dir = path.parent().ok_or("the file has no folder")?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".cairn-edit-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // As for any new file: read and write for all, less the umask.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(dir).map_err(|e| format!("cannot create a file in {}: {e}", dir.display()))?;
    file.write_all(bytes).map_err(|e| e.to_string())?;
    if let Target::Replace { .. } = target {
        let permissions = std::fs::metadata(path).map_err(|e| e.to_string())?.permissions();
        file.as_file().set_permissions(permissions).map_err(|e| e.to_string())?;
    }
    file.as_file().sync_all().map_err(|e| e.to_string())?;
    match target {
        Target::Create => file.persist_noclobber(path).map(drop).map_err(|e| match e.error.kind() {
            std::io::ErrorKind::AlreadyExists => "a file appeared at that path meanwhile".to_string(),
            _ => e.error.to_string(),
        })?,
        Target::Replace { read } => {
            if std::fs::read(path).map_err(|e| e.to_string())? != *read {
                return Err("the file changed while cairn was editing it; run the command again".into());
            }
            file.persist(path).map(drop).map_err(|e| e.error.to_string())?;
        }
    }
    // The rename is only durable once the folder is; the file is in place either way.
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// Writes `bytes` to `rel` below `root` if the repo is then still valid as far as that file is
/// concerned; otherwise prints the problems and writes nothing.
pub fn write_checked(
    root: &Path,
    rel: &Path,
    bytes: &[u8],
    now: Timestamp,
    target: Target<'_>,
) -> Result<PathBuf, ExitCode> {
    let shown = display_path(rel);
    let path = inputs::below_root_for_writing(root, rel).map_err(|e| refuse(format_args!("{shown}: {e}")))?;
    let own: Vec<Diagnostic> =
        problems_with(root, rel, bytes, now).into_iter().filter(|d| d.file == shown && d.is_error()).collect();
    if !own.is_empty() {
        // The positions are in the file as it would be: each comes with its line, so that a
        // line this command would add is not looked for in the file as it is.
        let text = String::from_utf8_lossy(bytes);
        let lines: Vec<&str> = text.lines().collect();
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "With this edit, {shown} would have these problems (lines of the edited file):");
        for d in &own {
            let _ = writeln!(err, "{}", crate::text::terminal_safe(&d.to_string()));
            if let Some(line) = d.line.checked_sub(1).and_then(|i| lines.get(i)) {
                let _ = writeln!(err, "  {:>4} | {}", d.line, crate::text::terminal_safe(line));
            }
        }
        let _ = writeln!(err, "Refused: the edit would make {shown} invalid. Nothing was written.");
        return Err(ExitCode::from(EXIT_PROBLEMS));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| refuse(format_args!("cannot create {}: {e}", parent.display())))?;
    }
    write_by_rename(&path, bytes, &target).map_err(|e| refuse(format_args!("cannot write {shown}: {e}")))?;
    Ok(path)
}

/// Who can see something of visibility `rank` (`None`: the section default `default`), in
/// words, e.g. `operators and internal, not public`.
pub fn audience_of(audiences: &Audiences, rank: Option<usize>, default: usize, embargo: Option<Timestamp>) -> String {
    let rank = rank.unwrap_or(default).min(audiences.most_trusted());
    let names: Vec<&str> = audiences.0[rank..].iter().map(String::as_str).collect();
    let mut out = match names.as_slice() {
        [one] => format!("{one} only"),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    };
    if rank > 0 {
        out.push_str(&format!(", not {}", audiences.name(0)));
    } else if let Some(t) = embargo {
        out.push_str(&format!(", {} only from {} (the end of its embargo)", audiences.name(0), crate::view::iso(t)));
    }
    out
}

/// Refuses with a message and exit code 1.
pub fn refuse(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("Refused: {message}. Nothing was written.");
    ExitCode::from(EXIT_PROBLEMS)
}

/// Prints a usage error (with a help line when given) and returns exit code 2.
pub fn usage(message: impl std::fmt::Display, help: Option<String>) -> ExitCode {
    eprintln!("error: {message}");
    if let Some(help) = help {
        eprintln!("  help: {help}");
    }
    ExitCode::from(EXIT_USAGE)
}

/// The audience asked for with `--audience NAME`, else with a shorthand flag (`--public`,
/// `--internal`: `shorthand`), as its rank; a name that is not an audience is a usage error.
pub fn asked_audience(
    audiences: &Audiences,
    name: Option<&str>,
    shorthand: Option<usize>,
) -> Result<Option<usize>, ExitCode> {
    let Some(name) = name else { return Ok(shorthand) };
    audiences.rank(name).map(Some).ok_or_else(|| {
        let names: Vec<&str> = audiences.0.iter().map(String::as_str).collect();
        let mut help = format!("this site's audiences are: {}", names.join(", "));
        if let Some(s) = suggest(name, names.iter().copied()) {
            help = format!("did you mean `{s}`? ({help})");
        }
        usage(format_args!("`{}` is not an audience of this site", crate::text::terminal_safe(name)), Some(help))
    })
}

/// The message given with `--message`, refused when it holds nothing but blanks: an empty
/// update would be published as it is.
pub fn message_given(message: Option<String>) -> Result<Option<String>, ExitCode> {
    match message {
        Some(m) if m.trim().is_empty() => Err(usage(
            "the message is empty",
            Some("say what is happening and what users should do, e.g. --message \"We are investigating.\"".into()),
        )),
        other => Ok(other),
    }
}

/// Refuses `at`, the time of `what`, when it is after `now`, unless forced: a time in the future
/// is almost always a slip of the date, and it would hold every later update back.
pub fn not_in_future(what: &str, at: Timestamp, now: Timestamp, force: bool) -> Result<(), ExitCode> {
    if at <= now || force {
        return Ok(());
    }
    Err(usage(
        format_args!("{what} {} is in the future (now is {})", crate::view::iso(at), crate::view::iso(now)),
        Some("check the date and the offset; pass --force if it is meant to be in the future".into()),
    ))
}

//! Build cache: a fingerprint of everything a build reads (the cairn executable itself, config,
//! content, templates, themes, static files, and the build's audience, time, base URL and
//! output). Rebuilding an unchanged repo with the same settings and the same executable finds
//! its fingerprint recorded, proves with the manifest that the output is still exactly what
//! that build left, and leaves it as it is, reporting the recorded warnings again.

use crate::diagnostics::Diagnostic;
use crate::load::Snapshot;
use crate::model::Kind;
use crate::write::Manifest;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::hash::{BuildHasher, Hash, RandomState};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::Xxh3Default;

/// The folders and files below the root that a build reads.
pub const INPUTS: [&str; 6] = ["cairn.yaml", "content", "templates", "themes", "static", "notify"];

/// Threads reading the sources for the fingerprint.
const READERS: usize = 16;

/// What a finished build recorded, to report it again when nothing changed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Record {
    pub fingerprint: String,
    pub audience: String,
    pub pages: Vec<(String, usize)>,
    pub files: usize,
    /// The warnings of the build, reported again by a build that is skipped.
    pub warnings: Vec<Diagnostic>,
    /// Every folder and file the build left in the output, to notice any change to it.
    pub manifest: Manifest,
    /// The build's time did not come from the clock, so the same inputs and settings build the
    /// same output again; a build that is not reproducible is never skipped.
    #[serde(default)]
    pub reproducible: bool,
}

impl Record {
    pub fn pages(&self) -> Vec<(Kind, usize)> {
        self.pages.iter().filter_map(|(k, n)| Kind::parse(k).map(|k| (k, *n))).collect()
    }
}

/// The fingerprint of a build: a hash of the running executable, of every input file (path below
/// the root and bytes, in sorted order) and of the build settings; and, when `keep`, the bytes read, for a
/// build that will load them next. XXH3-128: a content hash that reads at memory speed, where
/// SipHash took longer than reading the files from the page cache; 128 bits make a missed
/// change vanishingly unlikely. When the executable cannot be read the fingerprint is random,
/// so that no build is skipped on a guess.
pub fn read_sources(root: &Path, settings: &[&str], keep: bool) -> (String, Snapshot) {
    let (executable, (hashes, snapshot)) = rayon::join(executable_id, || read_inputs(root, keep));
    let mut h = Xxh3Default::new();
    executable.unwrap_or_else(|| u128::from(RandomState::new().hash_one(0u8))).hash(&mut h);
    settings.hash(&mut h);
    hashes.hash(&mut h);
    (format!("{:032x}", h.digest128()), snapshot)
}

/// Identifies the build code itself: XXH3-128 of the bytes of the running executable. The
/// theme's templates and styles are embedded in it (`include_str!` in `render::templates`), as
/// are the renderers, so any change to either gives another id, where the version number stays
/// the same across commits. On Linux `/proc/self/exe` is read, which is the file the process
/// runs even when a rebuild replaced the file at its path meanwhile.
pub fn executable_id() -> Option<u128> {
    let mut file = std::fs::File::open("/proc/self/exe")
        .or_else(|_| std::env::current_exe().and_then(std::fs::File::open))
        .ok()?;
    hash_reader(&mut file)
}

fn hash_reader(reader: &mut impl Read) -> Option<u128> {
    let mut h = Xxh3Default::new();
    let mut buffer = vec![0; 1 << 20];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return Some(h.digest128()),
            Ok(n) => h.update(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// The hash of every input file in sorted order, and the bytes read when `keep`.
fn read_inputs(root: &Path, keep: bool) -> (Vec<u128>, Snapshot) {
    let files: Vec<PathBuf> = INPUTS
        .iter()
        .flat_map(|input| crate::load::files_sorted(&root.join(input)))
        .map(walkdir::DirEntry::into_path)
        .collect();
    // Read and hash in parallel (reading thousands of files is most of it), combine in order.
    let read = || -> Vec<(u128, Option<Vec<u8>>)> {
        files
            .par_iter()
            .map(|path| {
                let mut f = Xxh3Default::new();
                // Below the root: `--root .` and the same folder spelt absolutely read the same
                // inputs (the root itself is one of the settings, canonical).
                path.strip_prefix(root).unwrap_or(path).hash(&mut f);
                // Read as the loader reads: no link followed (not even one swapped in after the
                // walk), nothing past the size limit (the loader reports such a file, and a
                // build with errors records nothing to skip to).
                let bytes = crate::load::inputs::read_file(path, crate::load::limits::MAX_FILE_BYTES);
                match &bytes {
                    Ok(b) => b.hash(&mut f),
                    Err(crate::load::inputs::Refused::TooLarge(size)) => size.hash(&mut f),
                    Err(_) => 0u64.hash(&mut f),
                }
                (f.digest128(), bytes.ok().filter(|_| keep))
            })
            .collect()
    };
    // This is the first stage to read the sources: when they are not in the page cache (a
    // fresh checkout after a reboot, a CI runner), it waits on the disk, one read per thread.
    // More reads in flight than cores keep a disk busy: at 50,000 sources after a dropped
    // cache, 16 threads took the stage from 8.0 s to 1.6 s.
    let read = match rayon::ThreadPoolBuilder::new().num_threads(READERS).build() {
        Ok(pool) => pool.install(read),
        Err(_) => read(),
    };
    let mut listed = Vec::with_capacity(files.len());
    let mut hashes = Vec::with_capacity(files.len());
    for (path, (hash, bytes)) in files.into_iter().zip(read) {
        hashes.push(hash);
        listed.push((path, bytes));
    }
    let snapshot = if keep { Snapshot::of(listed) } else { Snapshot::default() };
    (hashes, snapshot)
}

/// Whether a build into `output` was recorded: when not, the build cannot be skipped, and the
/// sources read for its fingerprint are worth keeping for the build.
pub fn recorded(root: &Path, output: &Path) -> bool {
    record_path(root, output).is_some_and(|p| p.is_file())
}

/// The file of the record of builds into `output`, in `.cairn/builds/` when that is a real
/// folder (see `write::state`): `None` when it is missing or is a link, which is never read
/// through nor written.
fn record_path(root: &Path, output: &Path) -> Option<PathBuf> {
    let dir = crate::write::state::existing(root, &["builds"]).ok()??;
    Some(dir.join(record_name(output)))
}

fn record_name(output: &Path) -> String {
    let id = xxhash_rust::xxh3::xxh3_64(output.as_os_str().as_encoded_bytes());
    format!("{id:016x}.json")
}

/// The record of the last build into `output`, if it has `fingerprint` and the output is
/// still exactly what that build left (see [`Manifest::matches`]).
pub fn lookup(root: &Path, output: &Path, fingerprint: &str) -> Option<Record> {
    let path = record_path(root, output)?;
    if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let record: Record = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    (record.fingerprint == fingerprint && record.manifest.matches(output)).then_some(record)
}

/// Remembers a finished build, atomically: the record is written to a temporary file in the same
/// folder and renamed over the old one, so a reader sees the old record or the new one, never
/// part of one. Failing to write it only costs a rebuild next time; the old record is removed
/// first, since it no longer describes the output. Nothing is written when `.cairn/` or
/// `.cairn/builds/` is a link (see `write::state`).
pub fn store(root: &Path, output: &Path, record: &Record) {
    forget(root, output);
    let Ok(dir) = crate::write::state::dir(root, &["builds"]) else { return };
    let path = dir.join(record_name(output));
    let temp = dir.join(format!(".{}-{:016x}.tmp", std::process::id(), RandomState::new().hash_one(0u8)));
    let written = serde_json::to_vec(record)
        .map_err(std::io::Error::other)
        .and_then(|bytes| std::fs::OpenOptions::new().write(true).create_new(true).open(&temp)?.write_all(&bytes))
        .and_then(|()| std::fs::rename(&temp, &path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
}

/// Forgets the last build into `output`: called before anything in it is replaced, so that a
/// build killed after the swap cannot leave an old record over a new output. Removing a file
/// never follows a link at its own name, and the folders above it are checked.
pub fn forget(root: &Path, output: &Path) {
    if let Some(path) = record_path(root, output) {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_of_the_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("bin");
        std::fs::write(&bin, b"binary one").unwrap();
        let id = |p: &Path| hash_reader(&mut std::fs::File::open(p).unwrap()).unwrap();
        let one = id(&bin);
        std::fs::write(&bin, b"binary 0ne").unwrap();
        assert_ne!(id(&bin), one);
        std::fs::write(&bin, b"binary one").unwrap();
        assert_eq!(id(&bin), one);
        assert_eq!(executable_id(), hash_reader(&mut std::fs::File::open(std::env::current_exe().unwrap()).unwrap()));
    }

    #[test]
    fn records_are_replaced_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let output = tmp.path().join("public");
        let record = Record {
            fingerprint: "f".into(),
            audience: "public".into(),
            pages: vec![],
            files: 1,
            warnings: vec![Diagnostic::warning(
                Path::new("content/x.md"),
                crate::diagnostics::Pos::START,
                "ignored-file",
                "w",
            )],
            manifest: Manifest::default(),
            reproducible: true,
        };
        store(tmp.path(), &output, &record);
        let back: Record =
            serde_json::from_slice(&std::fs::read(record_path(tmp.path(), &output).unwrap()).unwrap()).unwrap();
        assert_eq!(back, record);
        assert_eq!(std::fs::read_dir(tmp.path().join(".cairn/builds")).unwrap().count(), 1, "no temporary file left");
        assert!(lookup(tmp.path(), &output, "f").is_none(), "an empty manifest proves nothing");
        forget(tmp.path(), &output);
        assert!(!recorded(tmp.path(), &output));
    }
}

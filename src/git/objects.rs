//! Objects read from the object database: blobs of old revisions (one `git cat-file --batch` for
//! all of them), and the input tree of a revision written out as files, for `build --rev`.

use super::{Missing, Repo, git, output};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::Stdio;

/// Blobs by id.
pub type Blobs = HashMap<String, Vec<u8>>;

/// The largest blob read: as large as an input file may be (a larger one is left out, and the
/// loader reports the file when it is current).
const MAX_BLOB: u64 = crate::load::limits::MAX_FILE_BYTES;

impl Repo {
    /// The blobs `ids` name, read with one `git cat-file --batch`; ids that name no blob, or a
    /// blob over the size limit, are left out.
    pub fn blobs(&self, ids: &[&str]) -> Result<Blobs, Missing> {
        let mut out = Blobs::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let mut child = git(&self.root)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound { Missing::NoGit } else { Missing::Failed(e.to_string()) }
            })?;
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(Missing::Failed("cannot talk to git cat-file".into()));
        };
        let request: Vec<u8> = ids.iter().flat_map(|id| format!("{id}\n").into_bytes()).collect();
        // Written on another thread: git answers while it reads, and both pipes have limits.
        let writer = std::thread::spawn(move || stdin.write_all(&request));
        let mut reader = BufReader::with_capacity(1 << 16, stdout);
        let mut header = String::new();
        for id in ids {
            header.clear();
            if reader.read_line(&mut header).map_err(|e| Missing::Failed(e.to_string()))? == 0 {
                break;
            }
            // `<id> blob <size>` or `<name> missing`.
            let fields: Vec<&str> = header.split_whitespace().collect();
            let [_, kind, size] = fields[..] else { continue };
            let size: u64 = size.parse().unwrap_or(0);
            let mut bytes = Vec::with_capacity(usize::try_from(size.min(MAX_BLOB)).unwrap_or(0));
            (&mut reader).take(size).read_to_end(&mut bytes).map_err(|e| Missing::Failed(e.to_string()))?;
            let mut newline = [0u8; 1];
            reader.read_exact(&mut newline).map_err(|e| Missing::Failed(e.to_string()))?;
            if kind == "blob" && size <= MAX_BLOB {
                out.insert(id.to_string(), bytes);
            }
        }
        let _ = writer.join();
        let _ = child.wait();
        Ok(out)
    }

    /// Writes the inputs of commit `rev` (cairn.yaml, content/, templates/, themes/, static/) below
    /// `dest`, from the object database: no checkout, the work tree and the index are untouched,
    /// so this works in a bare repository and beside uncommitted changes. Symbolic links are
    /// written as links (the loader refuses them as it would in a checkout); submodules are
    /// left out.
    pub fn export_tree(&self, rev: &str, dest: &Path) -> Result<usize, Missing> {
        let entries = self.tree(rev)?;
        let ids: Vec<&str> = entries.iter().map(|(_, id, _)| id.as_str()).collect();
        let blobs = self.blobs(&ids)?;
        let mut written = 0;
        for (mode, id, rel) in &entries {
            let rel_path = Path::new(rel);
            if !crate::load::inputs::is_plain(rel_path) {
                continue;
            }
            let path = dest.join(rel_path);
            let Some(bytes) = blobs.get(id) else { continue };
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Missing::Failed(e.to_string()))?;
            }
            if mode == "120000" {
                #[cfg(unix)]
                std::os::unix::fs::symlink(String::from_utf8_lossy(bytes).as_ref(), &path)
                    .map_err(|e| Missing::Failed(e.to_string()))?;
            } else {
                std::fs::write(&path, bytes).map_err(|e| Missing::Failed(e.to_string()))?;
            }
            written += 1;
        }
        Ok(written)
    }
}

impl Repo {
    /// The input files of commit `rev`: mode, blob id and path below the root of each.
    pub fn tree(&self, rev: &str) -> Result<Vec<(String, String, String)>, Missing> {
        let listing =
            output(git(&self.root).args(["ls-tree", "-r", "-z", "--full-tree", rev, "--"]).args(self.pathspecs()))?;
        let mut entries = Vec::new();
        for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
            let entry = String::from_utf8_lossy(entry);
            let Some((meta, path)) = entry.split_once('\t') else { continue };
            let fields: Vec<&str> = meta.split(' ').collect();
            let [mode, "blob", id] = fields[..] else { continue };
            let Some(rel) = self.below_root(path) else { continue };
            entries.push((mode.to_string(), id.to_string(), rel));
        }
        Ok(entries)
    }
}

/// See [`Repo::export_tree`].
pub fn export_tree(repo: &Repo, rev: &str, dest: &Path) -> Result<usize, Missing> {
    repo.export_tree(rev, dest)
}

//! The only way cairn finds and reads its inputs (`cairn.yaml`, `content/`, `templates/`,
//! `themes/<name>/`, `static/`): nothing below the root is reached through a symbolic link, so a
//! pull request cannot make a build publish, or `check` print, a file from outside the repo.

use crate::diagnostics::{Diagnostic, Pos, display_path};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// What a walk of one input folder found, in the order of a walk of sorted folders.
///
/// Invariant: `files` holds regular files only, none of them below a symbolic link (the walked
/// folder itself included); every link met is in `links`, never followed.
#[derive(Default)]
pub struct Listing {
    pub files: Vec<walkdir::DirEntry>,
    /// The symbolic links met, as paths below the walk's start.
    pub links: Vec<PathBuf>,
}

/// Why a file was not read.
#[derive(Debug)]
pub enum Refused {
    /// Nothing there (or an ancestor is not a folder).
    Missing,
    /// The file, or the folder at this path (relative to the root) that holds it, is a link.
    Link(PathBuf),
    /// A folder, socket, device or pipe: not a file cairn reads.
    NotAFile,
    /// Larger than the limit: the size found.
    TooLarge(u64),
    Io(std::io::Error),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Missing => write!(f, "there is no such file"),
            Refused::Link(at) => write!(f, "`{}` is a symbolic link, which cairn does not follow", display_path(at)),
            Refused::NotAFile => write!(f, "it is not a regular file"),
            Refused::TooLarge(size) => write!(f, "it is {size} bytes, over the limit"),
            Refused::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Whether `rel` is a plain path below a folder: only normal components (no `..`, no root, no
/// prefix), at least one.
pub fn is_plain(rel: &Path) -> bool {
    rel.components().next().is_some() && rel.components().all(|c| matches!(c, Component::Normal(_)))
}

/// `root/rel` when `rel` is plain and no folder between the root and it (the root excluded, which
/// may itself be a link) is a symbolic link; the path may not exist.
pub fn below_root(root: &Path, rel: &Path) -> Result<PathBuf, Refused> {
    folders_below(root, rel, false)
}

/// `root/rel` for a file about to be written: `rel` is plain and no folder between the root and
/// it that exists is a symbolic link or something other than a folder (those that do not exist
/// yet are created by the writer, inside the root).
pub fn below_root_for_writing(root: &Path, rel: &Path) -> Result<PathBuf, Refused> {
    folders_below(root, rel, true)
}

/// Checks each folder between `root` and `rel`: a link is refused; for reading, so is a folder
/// that is missing or not a folder; for writing, the walk stops at the first missing folder.
fn folders_below(root: &Path, rel: &Path, writing: bool) -> Result<PathBuf, Refused> {
    if !is_plain(rel) {
        return Err(Refused::Missing);
    }
    let mut path = root.to_path_buf();
    let mut so_far = PathBuf::new();
    let count = rel.components().count();
    for (i, part) in rel.components().enumerate() {
        path.push(part);
        so_far.push(part);
        if i + 1 == count {
            break;
        }
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(Refused::Link(so_far)),
            Ok(meta) if !meta.is_dir() => return Err(if writing { Refused::NotAFile } else { Refused::Missing }),
            Ok(_) => {}
            Err(_) if writing => break,
            Err(_) => return Err(Refused::Missing),
        }
    }
    Ok(root.join(rel))
}

/// Reads the file at `rel` below `root`, refusing a link at any depth below the root, anything
/// but a regular file, and more than `limit` bytes (read no further than that).
pub fn read(root: &Path, rel: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
    let path = below_root(root, rel)?;
    read_file(&path, limit).map_err(|refused| match refused {
        Refused::Link(_) => Refused::Link(rel.to_path_buf()),
        other => other,
    })
}

/// Reads a file a walk found (its folders already known not to be links): refuses a link, a file
/// that is not regular, and more than `limit` bytes. The file opened must be the one looked at,
/// so a link swapped in between is refused too.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Refused::Missing),
        Err(e) => return Err(Refused::Io(e)),
    };
    if meta.file_type().is_symlink() {
        return Err(Refused::Link(path.to_path_buf()));
    }
    if !meta.is_file() {
        return Err(Refused::NotAFile);
    }
    if meta.len() > limit {
        return Err(Refused::TooLarge(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(Refused::Io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let opened = file.metadata().map_err(Refused::Io)?;
        if (opened.dev(), opened.ino()) != (meta.dev(), meta.ino()) {
            return Err(Refused::Link(path.to_path_buf()));
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(Refused::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Refused::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The sort key of a path below a walked folder: a separator sorts before every byte of a name,
/// as a folder comes before the names that extend its own (`a/x` before `a-b`) in a walk of
/// sorted folders.
pub fn sort_key(rel: &Path) -> Vec<u8> {
    rel.as_os_str()
        .as_encoded_bytes()
        .iter()
        .map(|&b| if b == b'/' || b == std::path::MAIN_SEPARATOR as u8 { 0 } else { b })
        .collect()
}

/// Walks `dir` (a folder or a single file) without following any link, the start included: the
/// regular files in the order of a walk that takes the names of each folder sorted (found by an
/// unsorted walk and one sort), and the links met.
pub fn walk(dir: &Path) -> Listing {
    let mut listing = Listing::default();
    let mut files: Vec<(Vec<u8>, walkdir::DirEntry)> = Vec::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(false).follow_root_links(false).into_iter() {
        let Ok(entry) = entry else { continue };
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        if entry.path_is_symlink() {
            listing.links.push(rel.to_path_buf());
        } else if entry.file_type().is_file() {
            files.push((sort_key(rel), entry));
        }
    }
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    listing.links.sort_unstable_by_key(|rel| sort_key(rel));
    listing.files = files.into_iter().map(|(_, entry)| entry).collect();
    listing
}

/// Walks `rel` below `root` as [`walk`] does, after checking that no folder between the root and
/// it is a link; `links` are then relative to the root. A path that is not plain lists nothing.
pub fn walk_below(root: &Path, rel: &Path) -> Listing {
    match below_root(root, rel) {
        Ok(path) => {
            let mut listing = walk(&path);
            for link in &mut listing.links {
                *link = rel.join(&*link);
            }
            listing
        }
        Err(Refused::Link(at)) => Listing { files: Vec::new(), links: vec![at] },
        Err(_) => Listing::default(),
    }
}

/// The warning for one link below the root: its target is named, never read.
pub fn link_refused(root: &Path, rel: &Path) -> Diagnostic {
    let rel = rel.strip_prefix(root).unwrap_or(rel);
    let target = std::fs::read_link(root.join(rel)).map(|t| display_path(&t)).unwrap_or_default();
    let target: String = super::names::printable(&target).chars().take(200).collect();
    let what = if target.is_empty() { String::new() } else { format!(" to `{target}`") };
    let shown = super::names::printable(&display_path(rel));
    Diagnostic::warning(
        Path::new(&shown),
        Pos::START,
        "symlink-refused",
        format!("`{shown}` is a symbolic link{what}; cairn does not follow links, so what it points at is not read"),
    )
    .with_help(
        "cairn reads only files inside the repository: replace the link with a copy of the file or folder \
         it points at (`cp -L`), or delete it",
    )
}

/// The input folders and files below the root of a site using `theme`, each as a plain relative
/// path; a theme name that is not one plain folder name names no folder.
pub fn input_paths(theme: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ["cairn.yaml", "content", "templates", "static"].iter().map(PathBuf::from).collect();
    let theme_dir = Path::new("themes").join(theme);
    if Path::new(theme).components().count() == 1 && is_plain(&theme_dir) {
        out.push(theme_dir);
    }
    out
}

/// A warning for every link in the inputs of a site at `root` using `theme`, each once; the links
/// of `content/` are those given (the loader walks it anyway).
pub fn link_warnings(root: &Path, theme: &str, content_links: &[PathBuf]) -> Vec<Diagnostic> {
    let mut links: Vec<PathBuf> = input_paths(theme)
        .iter()
        .filter(|rel| *rel != Path::new("content"))
        .flat_map(|rel| walk_below(root, rel).links)
        .chain(content_links.iter().cloned())
        .collect();
    links.sort();
    links.dedup();
    links.iter().map(|rel| link_refused(root, rel)).collect()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_are_listed_never_followed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "SECRET").unwrap();
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        std::fs::create_dir_all(r.join("static/css")).unwrap();
        std::fs::write(r.join("static/css/a.css"), "a").unwrap();
        symlink(outside.path().join("secret"), r.join("static/css/x")).unwrap();
        symlink(outside.path(), r.join("static/dir")).unwrap();
        symlink(outside.path(), r.join("content")).unwrap();
        let listing = walk_below(r, Path::new("static"));
        let files: Vec<_> = listing.files.iter().map(|e| e.path().strip_prefix(r).unwrap().to_path_buf()).collect();
        assert_eq!(files, [PathBuf::from("static/css/a.css")]);
        assert_eq!(listing.links, [PathBuf::from("static/css/x"), PathBuf::from("static/dir")]);
        let content = walk_below(r, Path::new("content"));
        assert!(content.files.is_empty());
        assert_eq!(content.links, [PathBuf::from("content")]);
        assert!(walk(&r.join("content")).files.is_empty(), "a linked start is not walked");
        assert!(matches!(read(r, Path::new("static/css/x"), 100), Err(Refused::Link(_))));
        assert!(
            matches!(read(r, Path::new("content/secret"), 100), Err(Refused::Link(p)) if p == Path::new("content"))
        );
        assert!(matches!(read(r, Path::new("static/../static/css/a.css"), 100), Err(Refused::Missing)));
        assert_eq!(read(r, Path::new("static/css/a.css"), 100).unwrap(), b"a");
        let warnings = link_warnings(r, "default", &content.links);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings.iter().all(|d| d.code == "symlink-refused" && !d.message.contains("SECRET")));
    }

    #[test]
    fn reading_stops_at_the_limit() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("a"), "12345").unwrap();
        assert!(matches!(read(root.path(), Path::new("a"), 4), Err(Refused::TooLarge(5))));
        assert_eq!(read(root.path(), Path::new("a"), 5).unwrap(), b"12345");
        assert!(matches!(read(root.path(), Path::new("b"), 5), Err(Refused::Missing)));
        assert!(matches!(read(root.path(), Path::new("."), 5), Err(Refused::Missing)));
        std::fs::create_dir(root.path().join("d")).unwrap();
        assert!(matches!(read(root.path(), Path::new("d"), 5), Err(Refused::NotAFile)));
    }

    #[test]
    fn theme_names_stay_below_themes() {
        assert_eq!(input_paths("../../etc").len(), 4);
        assert_eq!(input_paths("a/b").len(), 4);
        assert_eq!(input_paths("dark").last().unwrap(), Path::new("themes/dark"));
    }
}

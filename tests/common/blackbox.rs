//! Helpers that use cairn only from the outside: its binary, the files it writes and the
//! tantivy index it leaves in `.cairn/index/`. Nothing here calls the library, so the tests built
//! on it (`promise.rs`, `xss.rs`) keep compiling while the library is rewritten under them;
//! they include this file with `#[path]`, and `common/mod.rs` re-exports it for the older tests.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The example knowledge base at the repo root.
pub fn example_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file below `dir`, by `/`-separated relative path.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap();
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            out.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    out
}

/// Copies a directory tree (for tests that modify a repo), leaving out builds, caches and git;
/// symbolic links stay links, so that cairn sees them as they are in the repo, to refuse them.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        if rel.components().next().is_some_and(|c| {
            let c = c.as_os_str().to_string_lossy();
            c == "target" || c.starts_with("public") || c == ".git" || c.starts_with(".public") || c == ".cairn"
        }) {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &dest).unwrap();
        } else if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Copies the example's knowledge base (config, content, templates, static) into a temp dir.
pub fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for part in ["cairn.yaml", "content", "templates", "static"] {
        let from = example_root().join(part);
        if from.is_dir() {
            copy_tree(&from, &dir.path().join(part));
        } else if from.is_file() {
            std::fs::copy(&from, dir.path().join(part)).unwrap();
        }
    }
    dir
}

/// The time the example is written against, and the tests' `--now`.
pub const NOW: &str = "2026-11-26T12:00:00Z";

/// What one run of the real `cairn` binary did.
#[derive(Debug, Clone)]
pub struct Run {
    /// Exit code (`-1` when killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.code == 0
    }
}

fn run(args: &[&std::ffi::OsStr]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .output()
        .expect("the cairn binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `cairn build --root ROOT --audience AUDIENCE --output OUT --now NOW --quiet`.
pub fn build(root: &Path, audience: &str, out: &Path, now: &str) -> Run {
    run(&[
        "build".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--audience".as_ref(),
        audience.as_ref(),
        "--output".as_ref(),
        out.as_os_str(),
        "--now".as_ref(),
        now.as_ref(),
        "--quiet".as_ref(),
    ])
}

/// `cairn check --root ROOT --format json --now NOW`: the diagnostics, parsed.
pub fn check(root: &Path, now: &str) -> (Run, Vec<serde_json::Value>) {
    let r = run(&[
        "check".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--now".as_ref(),
        now.as_ref(),
    ]);
    let diagnostics = serde_json::from_str::<serde_json::Value>(r.stdout.trim())
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    (r, diagnostics)
}

/// `code: message (file:line)` of each error among `cairn check --format json` diagnostics.
pub fn errors(diagnostics: &[serde_json::Value]) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| format!("{}: {} ({}:{})", d["code"].as_str().unwrap_or("?"), d["message"], d["file"], d["line"]))
        .collect()
}

/// Where `cairn build` keeps the tantivy index of `audience` for a repo.
pub fn index_dir(root: &Path, audience: &str) -> PathBuf {
    root.join(".cairn").join("index").join(audience)
}

/// Every piece of text a file holds as its readers see it: the raw bytes, and decoded by the
/// format's own parser: JSON strings (keys too), HTML and XML text and attribute values with
/// entities resolved, iCalendar values unfolded and unescaped. A file that claims a format and
/// does not parse is reported as an error.
pub fn decoded_texts(path: &str, bytes: &[u8]) -> Result<Vec<String>, String> {
    let raw = String::from_utf8_lossy(bytes).into_owned();
    let mut out = Vec::new();
    let ext = path.rsplit('.').next().unwrap_or("");
    match ext {
        "json" => {
            let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| format!("{path}: {e}"))?;
            json_strings(&v, &mut out);
        }
        "html" | "htm" => {
            let doc = scraper::Html::parse_document(&raw);
            html_texts(&doc, &mut out);
        }
        "xml" | "svg" | "atom" | "rss" => {
            let doc = roxmltree::Document::parse_with_options(
                &raw,
                roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() },
            )
            .map_err(|e| format!("{path}: {e}"))?;
            let mut all = String::new();
            for n in doc.descendants() {
                if let Some(t) = n.text() {
                    all.push_str(t);
                    // Feeds carry HTML as escaped text: decode that too.
                    if t.contains('<') {
                        html_texts(&scraper::Html::parse_fragment(t), &mut out);
                    }
                }
                out.extend(n.attributes().map(|a| a.value().to_string()));
            }
            out.push(all);
        }
        "ics" => out.extend(ics_values(&raw)),
        _ => {}
    }
    out.push(raw);
    Ok(out)
}

fn json_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => {
            out.push(s.clone());
            if s.contains('<') {
                html_texts(&scraper::Html::parse_fragment(s), out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| json_strings(v, out)),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, v)| {
            out.push(k.clone());
            json_strings(v, out)
        }),
        _ => {}
    }
}

/// The text of an HTML tree (all text nodes, script and style included, in document order) and
/// the value of every attribute, entities decoded by the parser.
fn html_texts(doc: &scraper::Html, out: &mut Vec<String>) {
    let mut all = String::new();
    for node in doc.tree.nodes() {
        match node.value() {
            scraper::Node::Text(t) => all.push_str(t),
            scraper::Node::Comment(c) => out.push(c.to_string()),
            scraper::Node::Element(e) => out.extend(e.attrs().map(|(_, v)| v.to_string())),
            _ => {}
        }
    }
    out.push(all);
}

/// The values of an iCalendar file: lines unfolded (RFC 5545 §3.1), values unescaped (§3.3.11).
pub fn ics_values(text: &str) -> Vec<String> {
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "").replace("\n ", "").replace("\n\t", "");
    let mut out = vec![unfolded.clone()];
    for line in unfolded.lines() {
        let value = line.split_once(':').map_or(line, |(_, v)| v);
        let mut s = String::new();
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n' | 'N') => s.push('\n'),
                    Some(other) => s.push(other),
                    None => {}
                }
            } else {
                s.push(c);
            }
        }
        out.push(s);
    }
    out
}

/// Every term of every field of every segment of the tantivy index in `dir` (as text, each
/// prefixed with its field's name), and every stored document as JSON, deleted ones included:
/// what anyone holding the index can read back.
pub fn index_texts(dir: &Path) -> Result<Vec<String>, String> {
    use tantivy::Document as _;
    let index = tantivy::Index::open_in_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let schema = index.schema();
    let reader = index.reader().map_err(|e| e.to_string())?;
    let searcher = reader.searcher();
    let mut out = Vec::new();
    for segment in searcher.segment_readers() {
        for (field, entry) in schema.fields() {
            let Ok(inverted) = segment.inverted_index(field) else { continue };
            let mut terms = inverted.terms().stream().map_err(|e| e.to_string())?;
            while terms.advance() {
                out.push(format!("{}:{}", entry.name(), String::from_utf8_lossy(terms.key())));
            }
        }
        let store = segment.get_store_reader(0).map_err(|e| e.to_string())?;
        for doc in 0..segment.max_doc() {
            let doc: tantivy::TantivyDocument = store.get(doc).map_err(|e| e.to_string())?;
            out.push(doc.to_json(&schema));
        }
    }
    Ok(out)
}

/// A readable digest of the index (terms by field, stored documents), sorted, for comparing two
/// indexes whose segment files differ only by their random names.
pub fn index_digest(dir: &Path) -> Result<Vec<String>, String> {
    let mut all = index_texts(dir)?;
    all.sort();
    Ok(all)
}

/// The build stamp of the page footer, as the default theme writes it:
/// `Built <time datetime="…">…</time> with cairn VERSION`. Two builds of the same repo at the same
/// `--now` have the same stamp; stripping it keeps comparisons honest if `--now` ever differs.
pub fn strip_stamp(bytes: &[u8]) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(bytes) else { return bytes.to_vec() };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("Built <time datetime=\"") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail
            .find("</time> with cairn ")
            .map(|j| j + "</time> with cairn ".len())
            .map(|j| j + tail[j..].find(|c: char| c.is_whitespace() || c == '<').unwrap_or(tail.len() - j));
        match end {
            Some(j) => {
                out.push_str("Built [stamp]");
                rest = &tail[j..];
            }
            None => {
                out.push_str("Built ");
                rest = &tail["Built ".len()..];
            }
        }
    }
    out.push_str(rest);
    out.into_bytes()
}

/// The differences between two builds of the same audience, `build.json` and the footer stamp
/// aside: files only in one, and for files in both, the first differing line of each.
pub fn tree_differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut out = Vec::new();
    for path in a.keys().chain(b.keys()).collect::<std::collections::BTreeSet<_>>() {
        if path == "build.json" {
            continue;
        }
        match (a.get(path), b.get(path)) {
            (Some(x), Some(y)) => {
                let (x, y) = (strip_stamp(x), strip_stamp(y));
                if x != y {
                    let (xs, ys) = (String::from_utf8_lossy(&x), String::from_utf8_lossy(&y));
                    let (n, (lx, ly)) = xs
                        .lines()
                        .chain(std::iter::repeat(""))
                        .zip(ys.lines().chain(std::iter::repeat("")))
                        .enumerate()
                        .find(|(_, (l1, l2))| l1 != l2)
                        .unwrap_or((0, ("", "")));
                    out.push(format!("{path}: line {}\n    - {}\n    + {}", n + 1, clip(lx), clip(ly)));
                }
            }
            (Some(_), None) => out.push(format!("{path}: only in the first build")),
            (None, Some(_)) => out.push(format!("{path}: only in the second build")),
            (None, None) => {}
        }
    }
    out
}

fn clip(line: &str) -> String {
    if line.chars().count() > 300 {
        format!("{}…", line.chars().take(300).collect::<String>())
    } else {
        line.to_string()
    }
}

/// Every file and folder directly in `dir`, by name.
pub fn entries(dir: &Path) -> std::collections::BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

/// Writes `files` (path relative to `dir`, text) below `dir`.
pub fn write_repo(dir: &Path, files: &BTreeMap<String, String>) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Canaries (`zq` and ten more letters or digits, looked up in `index`) found in `text`,
/// lower-cased first: their indexes go into `found`.
pub fn find_canaries(text: &str, index: &HashMap<&str, usize>, found: &mut BTreeSet<usize>) {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut i = 0;
    while let Some(at) = lower[i..].find("zq") {
        let start = i + at;
        if start + 12 <= bytes.len()
            && let Ok(word) = std::str::from_utf8(&bytes[start..start + 12])
            && let Some(&k) = index.get(word)
        {
            found.insert(k);
        }
        i = start + 2;
    }
}

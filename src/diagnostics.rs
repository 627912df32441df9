//! Diagnostics are values: every stage returns what it built plus a list of problems, each
//! pointing at a file, line and column, with a stable code and a hint on how to fix it.

use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// How bad a problem is. Errors fail `check` and `build`; warnings are reported only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A 1-based line and column inside a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub const fn new(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }

    /// The start of a file, used for problems that concern a file as a whole.
    pub const START: Pos = Pos { line: 1, column: 1 };
}

/// One problem found in the repo. Read back (from the record of a build, to report its
/// warnings again) exactly as it was written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Diagnostic {
    /// Path of the file, relative to the site root, with `/` separators.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    /// Stable, kebab-case identifier of the rule (`unknown-key`, `broken-link`, …).
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(file: &Path, pos: Pos, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            file: display_path(file),
            line: pos.line,
            column: pos.column,
            severity: Severity::Error,
            code,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(file: &Path, pos: Pos, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(file, pos, code, message) }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // One diagnostic is one line and its help: a tab or a line break quoted from the input
        // (a link's address, say) is shown as `\t`, `\n`.
        let one_line = |s: &str| s.replace('\t', "\\t").replace('\r', "\\r").replace('\n', "\\n");
        let (file, message) = (one_line(&self.file), one_line(&self.message));
        write!(f, "{file}:{}:{}: {level}[{}]: {message}", self.line, self.column, self.code)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {}", one_line(help))?;
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Diagnostic {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Diagnostic, D::Error> {
        /// A diagnostic as written, with its code owned.
        #[derive(Deserialize)]
        struct Written {
            file: String,
            line: usize,
            column: usize,
            severity: Severity,
            code: String,
            message: String,
            help: Option<String>,
        }
        let w = Written::deserialize(deserializer)?;
        Ok(Diagnostic {
            file: w.file,
            line: w.line,
            column: w.column,
            severity: w.severity,
            code: intern(w.code),
            message: w.message,
            help: w.help,
        })
    }
}

/// A code read back, made `&'static` like the codes written in the source: each distinct code is
/// allocated once per process and kept (codes are a small fixed vocabulary, so this is bounded).
fn intern(code: String) -> &'static str {
    static CODES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut codes = match CODES.get_or_init(Default::default).lock() {
        Ok(codes) => codes,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(known) = codes.get(code.as_str()) {
        return known;
    }
    let leaked: &'static str = Box::leak(code.into_boxed_str());
    codes.insert(leaked);
    leaked
}

/// Renders a path with forward slashes so diagnostics read the same on every platform.
pub fn display_path(path: &Path) -> String {
    let joined = path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    // The root component is itself `/`: `/` + `/tmp` would read `//tmp`.
    match joined.strip_prefix("//") {
        Some(rest) if path.has_root() => format!("/{rest}"),
        _ => joined,
    }
}

/// Sorts diagnostics by file, line and column and drops exact duplicates (the same problem seen
/// while resolving several audiences).
pub fn sort_and_dedup(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort();
    diagnostics.dedup();
}

/// Counts errors and warnings.
pub fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

/// A "did you mean" hint: the closest candidate within a small edit distance.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// A path a diagnostic can point at, for problems outside any file the user wrote.
pub fn no_file() -> PathBuf {
    PathBuf::from("<cairn>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_a_compiler() {
        let d = Diagnostic::error(Path::new("content/a.md"), Pos::new(3, 7), "unknown-key", "bad").with_help("fix it");
        assert_eq!(d.to_string(), "content/a.md:3:7: error[unknown-key]: bad\n  help: fix it");
        let quoted = Diagnostic::warning(Path::new("a.md"), Pos::new(1, 1), "unsafe-link", "to `java\tscript\n:`");
        assert_eq!(quoted.to_string(), "a.md:1:1: warning[unsafe-link]: to `java\\tscript\\n:`");
        assert_eq!(display_path(Path::new("/tmp/x")), "/tmp/x");
        assert_eq!(display_path(Path::new("content/x.md")), "content/x.md");
    }

    #[test]
    fn reads_back_as_written() {
        let d = Diagnostic::warning(Path::new("content/a.md"), Pos::new(3, 7), "ignored-file", "w").with_help("h");
        let json = serde_json::to_string(&[&d, &d]).unwrap();
        let back: Vec<Diagnostic> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, vec![d.clone(), d]);
        assert!(std::ptr::eq(back[0].code, back[1].code), "one allocation per distinct code");
    }

    #[test]
    fn suggests_close_names_only() {
        let keys = ["severity", "summary", "status"];
        assert_eq!(suggest("severty", keys), Some("severity"));
        assert_eq!(suggest("colour", keys), None);
    }
}

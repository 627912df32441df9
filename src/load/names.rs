//! File names below `content/` as the paths and ids of documents: every name a document gets is
//! UTF-8, printable, and has a letter or digit to make its id from; any other name is reported
//! (never lost, never turned into an empty id).

use crate::diagnostics::{Diagnostic, Pos};
use std::path::{Path, PathBuf};

/// What a path below `content/` is, as a name.
pub enum Named {
    /// Below a folder or with a name starting with `.`: not published, not reported.
    Hidden,
    /// A name cairn cannot use, and why.
    Refused(Diagnostic),
    /// A usable path, relative to `content/`, with `/` separators.
    Usable(String),
}

/// Whether `c` would be shown as something else than itself in a terminal, an annotation or a
/// page: control characters, line and paragraph separators, bidirectional overrides.
fn unprintable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unprintable character written as a `\u{…}` escape, for messages.
pub fn printable(text: &str) -> String {
    text.chars().map(|c| if unprintable(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

/// Judges the path `rel` of a file below `content/`.
pub fn content_path(rel: &Path) -> Named {
    let shown = PathBuf::from("content").join(printable(&rel.to_string_lossy()));
    let parts: Vec<&std::ffi::OsStr> = rel.iter().collect();
    let Some(name) = parts.last() else { return Named::Hidden };
    let lossy = name.to_string_lossy();
    if lossy.starts_with('.') {
        // Names of dots alone look like documents to people but are hidden files to cairn.
        let stem = lossy.rsplit_once('.').map_or("", |(s, _)| s);
        if stem.chars().all(|c| c == '.') && (lossy.ends_with(".md") || lossy.ends_with(".yaml")) {
            return Named::Refused(refused(&shown, "has nothing but dots before its extension"));
        }
        return Named::Hidden;
    }
    if parts[..parts.len() - 1].iter().any(|p| p.to_string_lossy().starts_with('.')) {
        return Named::Hidden;
    }
    let Some(text) = rel.to_str() else {
        return Named::Refused(refused(&shown, "is not valid UTF-8"));
    };
    if text.chars().any(unprintable) {
        return Named::Refused(refused(&shown, "contains control or invisible characters"));
    }
    Named::Usable(crate::diagnostics::display_path(rel))
}

/// The id of the document at `rel` (its file name without the extension), or why it has none: an
/// id needs at least one letter or digit, in ASCII once transliterated (a page named `概要.md`
/// gets the address `gai-yao/`; documents of a section need an ASCII id, which `load` checks).
pub fn document_id(rel: &str) -> Result<String, Diagnostic> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    if deunicode::deunicode(stem).bytes().any(|b| b.is_ascii_alphanumeric()) {
        Ok(stem.to_string())
    } else {
        Err(refused(&Path::new("content").join(rel), "has no letter or digit to make the document's id from"))
    }
}

fn refused(shown: &Path, why: &str) -> Diagnostic {
    Diagnostic::error(shown, Pos::START, "bad-file-name", format!("the file name {why}; the file is not read"))
        .with_help(
            "rename the file: a document's file name is its id and its address, so use lowercase letters, \
             digits and dashes, e.g. `content/incidents/2026-11-20-finality-stall.md`",
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(rel: &str) -> &'static str {
        match content_path(Path::new(rel)) {
            Named::Hidden => "hidden",
            Named::Refused(_) => "refused",
            Named::Usable(_) => "usable",
        }
    }

    #[test]
    fn names_are_usable_hidden_or_refused() {
        assert_eq!(judge("incidents/a.md"), "usable");
        assert_eq!(judge("docs/é.md"), "usable");
        assert_eq!(judge(".git/x.md"), "hidden");
        assert_eq!(judge("incidents/.draft.md"), "hidden");
        assert_eq!(judge("incidents/..md"), "refused");
        assert_eq!(judge("incidents/....md"), "refused");
        assert_eq!(judge("a\nb.md"), "refused");
        assert_eq!(judge("a\u{202e}b.md"), "refused");
        assert!(document_id("incidents/ .md").is_err());
        assert_eq!(document_id("docs/障害.md").unwrap(), "障害", "a page in any script has an id");
        assert!(document_id("docs/---.md").is_err());
        assert_eq!(document_id("docs/a b.md").unwrap(), "a b");
        assert_eq!(printable("a\nb\u{2028}"), "a\\u{a}b\\u{2028}");
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_are_refused() {
        use std::os::unix::ffi::OsStrExt;
        let rel = Path::new(std::ffi::OsStr::from_bytes(b"incidents/\xff.md"));
        let Named::Refused(d) = content_path(rel) else { panic!("not refused") };
        assert_eq!(d.code, "bad-file-name");
        assert!(d.message.contains("UTF-8"));
    }
}

//! From a request's path to a file of the served folder, and never to anything outside it.
//! The path is percent-decoded once, then must be made of plain names: no `.` or `..`, no
//! backslash, NUL or other control character, no drive prefix, nothing overlong. The file
//! found is then checked on disk: no folder on the way and not the file itself may be a
//! symbolic link, and its canonical path must lie inside the served folder.

use std::path::{Path, PathBuf};

/// The longest request path accepted, in bytes, before and after decoding.
pub const MAX_PATH_BYTES: usize = 2048;

/// What a request path names.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// A file inside the served folder.
    File(PathBuf),
    /// A folder without its trailing slash: redirect to this path (with it).
    Redirect(String),
    /// Nothing the server may serve.
    NotFound,
    /// A path that no file of a site can have (traversal, NUL, …): refused.
    Refused,
}

/// The `/`-separated names of a request's path (without its query), decoded, or `None` when
/// the path is not one cairn may serve.
pub fn names(raw: &str) -> Option<Vec<String>> {
    if raw.len() > MAX_PATH_BYTES || !raw.starts_with('/') {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8().ok()?;
    if decoded.len() > MAX_PATH_BYTES {
        return None;
    }
    let mut names = Vec::new();
    for name in decoded.split('/').skip(1) {
        if name.is_empty() {
            continue;
        }
        let refused = name == "."
            || name == ".."
            || name.contains('\\')
            || name.chars().any(char::is_control)
            || (name.len() >= 2 && name.as_bytes()[1] == b':' && name.as_bytes()[0].is_ascii_alphabetic());
        if refused {
            return None;
        }
        names.push(name.to_string());
    }
    Some(names)
}

/// The file of `dir` that the request path `raw` (without its query) names: `index.html` for a
/// folder.
pub fn resolve(dir: &Path, raw: &str) -> Target {
    let Some(names) = names(raw) else { return Target::Refused };
    let mut path = dir.to_path_buf();
    for name in &names {
        path.push(name);
        // No link is followed, inside the folder or out of it.
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => return Target::NotFound,
            Ok(_) => {}
            Err(_) => return Target::NotFound,
        }
    }
    let Ok(meta) = std::fs::symlink_metadata(&path) else { return Target::NotFound };
    if meta.is_dir() {
        if !raw.ends_with('/') {
            return Target::Redirect(format!("{raw}/"));
        }
        path.push("index.html");
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() => {}
            _ => return Target::NotFound,
        }
    } else if !meta.is_file() {
        return Target::NotFound;
    }
    // Belt and braces: whatever the checks above missed, the file must be inside the folder.
    match (std::fs::canonicalize(&path), std::fs::canonicalize(dir)) {
        (Ok(file), Ok(base)) if file.starts_with(&base) => Target::File(path),
        _ => Target::NotFound,
    }
}

/// The media type of a file, from its extension.
pub fn media_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("atom") => "application/atom+xml",
        Some("rss") => "application/rss+xml",
        Some("ics") => "text/calendar; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("ico") => "image/x-icon",
        Some("woff") => "font/woff",
        Some("woff2") => "font/woff2",
        Some("ttf") => "font/ttf",
        Some("otf") => "font/otf",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        Some("pdf") => "application/pdf",
        Some("wasm") => "application/wasm",
        Some("webmanifest") => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        for raw in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2e%2e/etc/passwd",
            "/a/../../x",
            "/a/%2e%2e%2f%2e%2e%2fx",
            "/..%5c..%5cx",
            "/a\\..\\x",
            "/%00",
            "/a%00.html",
            "/C:/x",
            "/.",
            "/%ff",
            "relative",
        ] {
            assert_eq!(names(raw), None, "{raw}");
        }
        assert_eq!(names(&format!("/{}", "a".repeat(MAX_PATH_BYTES))), None);
        assert_eq!(names("/incidents/x/").unwrap(), ["incidents", "x"]);
        assert_eq!(names("/caf%C3%A9/").unwrap(), ["café"]);
        assert_eq!(names("//a//b").unwrap(), ["a", "b"]);
    }

    #[test]
    fn links_are_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let site = tmp.path().join("site");
        std::fs::create_dir_all(site.join("a")).unwrap();
        std::fs::write(site.join("a/index.html"), "in").unwrap();
        std::fs::write(tmp.path().join("secret"), "out").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("secret"), site.join("link")).unwrap();
        std::os::unix::fs::symlink(tmp.path(), site.join("up")).unwrap();
        assert_eq!(resolve(&site, "/a/"), Target::File(site.join("a/index.html")));
        assert_eq!(resolve(&site, "/a"), Target::Redirect("/a/".into()));
        assert_eq!(resolve(&site, "/link"), Target::NotFound);
        assert_eq!(resolve(&site, "/up/secret"), Target::NotFound);
        assert_eq!(resolve(&site, "/missing"), Target::NotFound);
        assert_eq!(resolve(&site, "/%2e%2e/secret"), Target::Refused);
    }
}

//! Links between documents: `@/path.md#anchor` and relative `.md` paths are resolved to site
//! paths, every target and anchor is checked, and backlinks are collected.

use super::scan::{self, LinkRef};
use super::{Doc, DocId};
use crate::diagnostics::{Diagnostic, suggest};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Where a link points inside the content tree, if it is a link to a document.
fn content_target(dest: &str, from_rel: &str) -> Option<(String, Option<String>)> {
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a.to_string())),
        None => (dest, None),
    };
    // A path that climbs out of content/ resolves to nothing, and is reported as broken.
    if let Some(abs) = path.strip_prefix("@/") {
        return Some((normalize(abs).unwrap_or_else(|| abs.to_string()), anchor));
    }
    if path.contains("://") || path.starts_with('/') || path.contains(':') || !path.ends_with(".md") {
        return None;
    }
    let dir = from_rel.rsplit_once('/').map_or("", |(d, _)| d);
    let joined = format!("{dir}/{path}");
    Some((normalize(&joined).unwrap_or(joined), anchor))
}

/// Folds `.` and `..` out of a `/`-separated path; `None` if it climbs above the content root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// What resolving links needs to know of the repo beyond the documents the audience sees.
pub struct LinkContext<'a> {
    /// Visible documents by their path below `content/`.
    pub by_rel: &'a BTreeMap<String, DocId>,
    /// Every document of the repo (seen or not) by its path below `content/`, with who may see
    /// it in words (`internal only`, `embargoed until …`, `a draft`).
    pub all: &'a BTreeMap<String, String>,
    /// Documents whose files exist but could not be loaded.
    pub unloaded: &'a BTreeSet<String>,
    /// The row ids of each visible matrix, which are anchors of its page.
    pub row_anchors: &'a HashMap<DocId, Vec<String>>,
}

/// Anchors a document offers: its heading ids, and for matrices its row ids.
fn anchors<'a>(doc: &'a Doc, cx: &'a LinkContext<'_>, id: DocId) -> Vec<&'a str> {
    let mut out: Vec<&str> = doc.headings.iter().map(|h| h.id.as_str()).collect();
    if let Some(rows) = cx.row_anchors.get(&id) {
        out.extend(rows.iter().map(String::as_str));
    }
    out
}

/// What one document's links resolve to: its link map (destination as written → site path),
/// the documents it links to, and the problems of its links.
type Resolved = (BTreeMap<String, String>, Vec<DocId>, Vec<Diagnostic>);

pub fn resolve_links(
    docs: &mut [Doc],
    outgoing: &[Vec<LinkRef>],
    cx: &LinkContext<'_>,
    problems: &mut Vec<Diagnostic>,
) {
    let docs_read: &[Doc] = docs;
    // Each document's links resolve on their own, in parallel: its link map, the documents it
    // links to, and its problems, merged in document order below.
    let per_doc: Vec<Resolved> = outgoing
        .par_iter()
        .enumerate()
        .map(|(from, links)| {
            let doc = &docs_read[from];
            let mut resolved = BTreeMap::new();
            let mut targets = Vec::new();
            let mut problems = Vec::new();
            for link in links {
                let error = |code: &'static str, message: String, help: String| {
                    Diagnostic::error(&doc.source, link.pos, code, message).with_help(help)
                };
                if scan::is_unsafe(link) {
                    let scheme = link.dest.trim_start().split(':').next().unwrap_or_default().to_lowercase();
                    let what = if link.image { "an image" } else { "a link" };
                    problems.push(
                        Diagnostic::warning(
                            &doc.source,
                            link.pos,
                            "unsafe-link",
                            format!("{what} to a `{scheme}:` address is shown as plain text, not as {what}"),
                        )
                        .with_help(
                            "only http(s):, mailto:, relative and `@/` links are rendered; link to an https:// page or a document instead",
                        ),
                    );
                    continue;
                }
                if link.dest == "#" {
                    continue;
                }
                if let Some(anchor) = link.dest.strip_prefix('#') {
                    let known = anchors(doc, cx, from);
                    if !known.contains(&anchor) {
                        problems.push(anchor_error(error, anchor, &doc.rel, &known));
                    }
                    continue;
                }
                let Some((rel, anchor)) = content_target(&link.dest, &doc.rel) else {
                    continue;
                };
                let Some(&target) = cx.by_rel.get(&rel) else {
                    if cx.unloaded.contains(&rel) {
                        // The target has problems of its own, reported on its file.
                        continue;
                    }
                    if let Some(who) = cx.all.get(&rel) {
                        // Worded without the audience of this build, so that `check`, which
                        // resolves every audience, reports it once.
                        problems.push(error(
                            "link-to-hidden",
                            format!("links to `{rel}` ({who}), which not every reader of this text may see"),
                            format!(
                                "move the link into a block only those readers see (e.g. `:::internal`), or make `{rel}` visible to every reader of this text"
                            ),
                        ));
                    } else {
                        let help = match suggest(&rel, cx.all.keys().map(String::as_str)) {
                            Some(s) => format!("did you mean `@/{s}`?"),
                            None => {
                                "link to a document by its path below content/, e.g. `@/runbooks/safe-mode.md`".into()
                            }
                        };
                        problems.push(error("broken-link", format!("link to `{rel}`, which does not exist"), help));
                    }
                    continue;
                };
                let mut url = docs_read[target].path.clone();
                if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
                    let known = anchors(&docs_read[target], cx, target);
                    if !known.contains(&anchor.as_str()) {
                        problems.push(anchor_error(error, &anchor, &rel, &known));
                        continue;
                    }
                    url.push('#');
                    url.push_str(&anchor);
                }
                resolved.insert(link.dest.clone(), url);
                if target != from {
                    targets.push(target);
                }
            }
            (resolved, targets, problems)
        })
        .collect();
    let mut backlinks: Vec<Vec<DocId>> = vec![Vec::new(); docs.len()];
    let mut resolved: Vec<BTreeMap<String, String>> = Vec::with_capacity(docs.len());
    for (from, (links, targets, mut found)) in per_doc.into_iter().enumerate() {
        for target in targets {
            backlinks[target].push(from);
        }
        resolved.push(links);
        problems.append(&mut found);
    }
    for (i, doc) in docs.iter_mut().enumerate() {
        let mut b = std::mem::take(&mut backlinks[i]);
        b.sort_unstable();
        b.dedup();
        doc.backlinks = b;
        doc.links = std::mem::take(&mut resolved[i]);
    }
}

fn anchor_error(
    error: impl Fn(&'static str, String, String) -> Diagnostic,
    anchor: &str,
    rel: &str,
    known: &[&str],
) -> Diagnostic {
    let help = match suggest(anchor, known.iter().copied()) {
        Some(s) => format!("did you mean `#{s}`?"),
        None if known.is_empty() => format!("`{rel}` has no headings to link to"),
        None => format!("anchors in `{rel}`: {}", known.iter().take(10).copied().collect::<Vec<_>>().join(", ")),
    };
    error("broken-anchor", format!("`{rel}` has no section `#{anchor}`"), help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_content_paths() {
        assert_eq!(
            content_target("@/runbooks/a.md#x", "incidents/i.md"),
            Some(("runbooks/a.md".into(), Some("x".into())))
        );
        assert_eq!(content_target("../runbooks/a.md", "incidents/i.md"), Some(("runbooks/a.md".into(), None)));
        assert_eq!(content_target("b.md", "incidents/i.md"), Some(("incidents/b.md".into(), None)));
        assert_eq!(content_target("https://x.org/a.md", "i.md"), None);
        assert_eq!(content_target("../../a.md", "i.md"), Some(("/../../a.md".into(), None)));
    }
}

//! Links between documents: `@/path.md#anchor` and relative `.md` paths are resolved to site
//! paths, every target and anchor is checked, and backlinks are collected.

use super::scan::LinkRef;
use super::{Doc, DocId};
use crate::diagnostics::{Diagnostic, Pos, suggest};
use crate::model::{Matrix, Sources};
use rayon::prelude::*;
use std::collections::BTreeMap;

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

/// Anchors a document offers: its heading ids, and for matrices its row ids.
fn anchors<'a>(doc: &'a Doc, matrices: &'a [(DocId, &'a Matrix)], id: DocId) -> Vec<&'a str> {
    let mut out: Vec<&str> = doc.headings.iter().map(|h| h.id.as_str()).collect();
    if let Some((_, m)) = matrices.iter().find(|(d, _)| *d == id) {
        out.extend(m.rows.iter().map(|r| r.id.as_str()));
    }
    out
}

/// What one document's links resolve to: its link map (destination as written → site path),
/// the documents it links to, and the problems of its links.
type Resolved = (BTreeMap<String, String>, Vec<DocId>, Vec<Diagnostic>);

pub fn resolve_links(
    docs: &mut [Doc],
    outgoing: &[Vec<LinkRef>],
    by_rel: &BTreeMap<String, DocId>,
    sources: &Sources,
    audience: usize,
    matrices: &[(DocId, &Matrix)],
    problems: &mut Vec<Diagnostic>,
) {
    let audience_name = sources.config.audiences.name(audience).to_string();
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
                // Where the link is, for its problems only: finding the line is a scan of the body.
                let pos = || {
                    link.pos.unwrap_or_else(|| {
                        let (line, col) = crate::text::line_col(&doc.body, link.offset);
                        Pos::new(doc.body_line + line - 1, col + doc.body_column)
                    })
                };
                let error = |code: &'static str, message: String, help: String| {
                    Diagnostic::error(&doc.source, pos(), code, message).with_help(help)
                };
                if link.dest == "#" {
                    continue;
                }
                if let Some(anchor) = link.dest.strip_prefix('#') {
                    let known = anchors(doc, matrices, from);
                    if !known.contains(&anchor) {
                        problems.push(anchor_error(error, anchor, &doc.rel, &known));
                    }
                    continue;
                }
                let Some((rel, anchor)) = content_target(&link.dest, &doc.rel) else {
                    continue;
                };
                let Some(&target) = by_rel.get(&rel) else {
                    if sources.unloaded.iter().any(|(_, _, r)| *r == rel) {
                        // The target has problems of its own, reported on its file.
                        continue;
                    }
                    if sources.metas().any(|m| m.rel == rel) {
                        problems.push(error(
                            "link-to-hidden",
                            format!("links to `{rel}`, which the {audience_name} audience cannot see"),
                            format!(
                                "move the link into a block only trusted readers see (e.g. `:::internal`), or make `{rel}` visible to {audience_name}"
                            ),
                        ));
                    } else {
                        let all: Vec<&str> = sources.metas().map(|m| m.rel.as_str()).collect();
                        let help = match suggest(&rel, all.iter().copied()) {
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
                    let known = anchors(&docs_read[target], matrices, target);
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

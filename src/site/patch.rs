//! The dev server's quick pass over a Site: a new version of a document that differs from the
//! one resolved only in its body can be patched into the Site without loading and resolving the
//! whole repo again, when nothing else of the Site can depend on the change. The rule is strict
//! on purpose: whatever it does not prove unchanged sends the edit to the full rebuild, which
//! follows the quick pass anyway and has the last word.

use super::blocks::{self, Source};
use super::{DocId, Markdown, Site, scan};
use crate::load::Loaded;
use crate::model::{Config, TextOrigin};

/// The body `site` would hold for its document `id` if it were resolved again with `new`, the
/// document as loaded from its file now; `None` unless that is all that would change:
/// - the file's bytes before the body are the same as when the Site was resolved (so every
///   field, the visibility and the embargo included, loads the same), and the body is the rest
///   of the file;
/// - the body has no problem of its own (audience blocks; a post-mortem's required sections);
/// - cut to the Site's audience, it has the same headings and the same links and images as
///   before (others' anchors, backlinks and link checks stay as they were);
/// - the document has no git history in the Site (the revisions shown on its page follow its
///   text; the full rebuild works them out).
pub fn patched_body(site: &Site, id: DocId, loaded: &Loaded, config: &Config) -> Option<Markdown> {
    let doc = site.docs.get(id)?;
    let new = loaded.meta();
    let audiences = &config.audiences;
    if doc.history.is_some()
        || new.source != doc.source
        || new.front_hash.is_none()
        || new.front_hash != doc.front_hash
        || new.body_column != 0
    {
        return None;
    }
    let src = Source { file: &new.source, origin: new.body_origin() };
    let (_, problems) = blocks::scan(&new.body, audiences, src);
    if !problems.is_empty() {
        return None;
    }
    if let Loaded::Postmortem(pm) = loaded {
        let mut found = Vec::new();
        super::lifecycle::postmortem_rules(pm, config, &mut found);
        if !found.is_empty() {
            return None;
        }
    }
    let body = blocks::cut_to(new.body.clone(), audiences, src, site.audience, site.now);
    let origin = TextOrigin::Lines { line: new.body_line, column: 0 };
    let (headings, links) = scan::scan(&body, origin);
    let (old_headings, old_links) = scan::scan(&doc.body, origin);
    let targets = |links: Vec<scan::LinkRef>| {
        let mut t: Vec<(String, bool)> = links.into_iter().map(|l| (l.dest, l.image)).collect();
        t.sort();
        t.dedup();
        t
    };
    (headings == old_headings && headings == doc.headings && targets(links) == targets(old_links)).then_some(body)
}

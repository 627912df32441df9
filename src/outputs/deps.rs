//! Which outputs depend on what, for incremental rebuilds: two Sites of one audience are
//! compared through [`Signatures`], and [`changed`] selects the outputs whose inputs moved.
//!
//! The model of dependencies, from the views (`crate::view`) that outputs are made of:
//! - every output may read the site-wide facts: the configuration, the audiences, the build's
//!   now, the components and their status, the groups, the overall indicator, the navigation
//!   (what every template sees as `site`) and the set and order of the documents (their ids);
//! - the page of a document reads its own resolved record (the `Doc` and its kind's record)
//!   and the records of the documents its record names by id (backlinks, runbooks, post-mortem,
//!   incidents, matrix rows, action items' runbooks), for their titles, paths and summaries;
//! - every other output (home, listings, history, status API, feeds, calendar, badges, widget,
//!   metrics, print views, sitemap, static search) reads the whole Site.
//!
//! When unsure, more is remade: a page also counts the records named by the records it names
//! (two steps, where the views go one), and any change to the site-wide facts, to the set of
//! documents or to their order remakes every output.

use super::Selection;
use crate::model::Kind;
use crate::site::{DocId, Site};
use crate::view;
use std::collections::BTreeSet;
use std::fmt::Write;
use xxhash_rust::xxh3::Xxh3Default;

/// What the outputs of one Site depend on, in hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatures {
    /// The site-wide facts (see the module comment), the documents' ids included.
    global: u128,
    /// Per document id: its resolved record.
    docs: Vec<u128>,
    /// Per document id: the documents its record names.
    refs: Vec<Vec<DocId>>,
    /// Per document id: the template of its page.
    templates: Vec<&'static str>,
}

/// Feeds `Debug` output to a hash without building the string.
struct HashWriter<'a>(&'a mut Xxh3Default);

impl Write for HashWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

fn hash_debug(h: &mut Xxh3Default, value: &(impl std::fmt::Debug + ?Sized)) {
    // Writing to a hash cannot fail.
    let _ = write!(HashWriter(h), "{value:?}\u{0}");
}

/// The template a document's page is made with.
pub fn page_template(kind: Kind) -> &'static str {
    match kind {
        Kind::Incident => "incident.html",
        Kind::Postmortem => "postmortem.html",
        Kind::Runbook => "runbook.html",
        Kind::Matrix => "matrix.html",
        Kind::Maintenance => "maintenance.html",
        Kind::Page => "page.html",
    }
}

impl Signatures {
    /// The signatures of `site`.
    pub fn of(site: &Site) -> Signatures {
        use rayon::prelude::*;
        let mut h = Xxh3Default::new();
        hash_debug(&mut h, &site.config);
        hash_debug(&mut h, &(site.audience, site.most_trusted, site.now, site.home_intro));
        hash_debug(&mut h, &site.groups);
        hash_debug(&mut h, &site.components);
        hash_debug(&mut h, &site.overall);
        // What every template sees as `site`, whatever it is made of.
        h.update(&serde_json::to_vec(&view::globals(site)).unwrap_or_default());
        for doc in &site.docs {
            hash_debug(&mut h, &(doc.kind, &doc.rel, &doc.path));
        }
        let docs = (0..site.docs.len())
            .into_par_iter()
            .map(|id| {
                let mut h = Xxh3Default::new();
                hash_debug(&mut h, site.doc(id));
                record(site, id, &mut |value| hash_debug(&mut h, value));
                h.digest128()
            })
            .collect();
        Signatures {
            global: h.digest128(),
            docs,
            refs: (0..site.docs.len()).map(|id| refs(site, id)).collect(),
            templates: site.docs.iter().map(|d| page_template(d.kind)).collect(),
        }
    }
}

/// Hands the kind-specific record of document `id` to `feed`.
fn record(site: &Site, id: DocId, feed: &mut dyn FnMut(&dyn std::fmt::Debug)) {
    let slot = site.slot(id);
    match site.doc(id).kind {
        Kind::Incident => feed(&site.incidents[slot]),
        Kind::Postmortem => feed(&site.postmortems[slot]),
        Kind::Runbook => feed(&site.runbooks[slot]),
        Kind::Matrix => feed(&site.matrices[slot]),
        Kind::Maintenance => feed(&site.maintenance[slot]),
        Kind::Page => feed(&site.pages[slot]),
    }
}

/// The documents that the record of document `id` names.
fn refs(site: &Site, id: DocId) -> Vec<DocId> {
    let mut out: Vec<DocId> = site.doc(id).backlinks.clone();
    let slot = site.slot(id);
    match site.doc(id).kind {
        Kind::Incident => {
            let i = &site.incidents[slot];
            out.extend(i.row.map(|r| r.matrix));
            out.extend(&i.runbooks);
            out.extend(i.postmortem);
        }
        Kind::Postmortem => {
            let p = &site.postmortems[slot];
            out.extend(&p.incidents);
            out.extend(p.action_items.iter().filter_map(|a| a.runbook));
        }
        Kind::Runbook => {
            let r = &site.runbooks[slot];
            out.extend(r.incident_types.iter().map(|t| t.matrix));
            out.extend(&r.incidents);
        }
        Kind::Matrix => {
            for row in &site.matrices[slot].rows {
                out.extend(&row.runbooks);
                out.extend(&row.incidents);
            }
        }
        Kind::Maintenance | Kind::Page => {}
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// What to remake after the Site went from `old` to `new` and the templates from `old_templates`
/// to `new_templates` (see [`crate::render::templates::Versions`]): every output when the
/// site-wide facts changed; otherwise the page of every document whose record, or the record
/// of a document it names (in two steps), or whose page's template changed, and every other
/// output when anything changed.
pub fn changed(
    old: &Signatures,
    new: &Signatures,
    old_templates: &crate::render::templates::Versions,
    new_templates: &crate::render::templates::Versions,
) -> Selection {
    if old.global != new.global || old.docs.len() != new.docs.len() || old_templates.len() != new_templates.len() {
        return Selection::all();
    }
    let moved: BTreeSet<&String> =
        new_templates.iter().filter(|(name, v)| old_templates.get(*name) != Some(v)).map(|(name, _)| name).collect();
    let edited: BTreeSet<DocId> = (0..new.docs.len()).filter(|id| old.docs[*id] != new.docs[*id]).collect();
    // The references of both Sites: a page that stopped naming a document changed itself.
    let names_edited = |id: DocId| {
        [&old.refs, &new.refs]
            .iter()
            .any(|refs| refs[id].iter().any(|r| edited.contains(r) || refs[*r].iter().any(|r2| edited.contains(r2))))
    };
    let pages: BTreeSet<DocId> = (0..new.docs.len())
        .filter(|id| edited.contains(id) || moved.contains(&new.templates[*id].to_string()) || names_edited(*id))
        .collect();
    Selection { rest: !edited.is_empty() || !moved.is_empty(), pages: Some(pages) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signatures(docs: &[u128], refs: &[&[DocId]]) -> Signatures {
        Signatures {
            global: 1,
            docs: docs.to_vec(),
            refs: refs.iter().map(|r| r.to_vec()).collect(),
            templates: vec!["page.html"; docs.len()],
        }
    }

    #[test]
    fn an_edit_remakes_the_document_and_who_names_it() {
        let versions = crate::render::templates::Versions::new();
        let refs: &[&[DocId]] = &[&[1], &[2], &[], &[]];
        let old = signatures(&[1, 2, 3, 4], refs);
        let same = changed(&old, &old, &versions, &versions);
        assert!(same.is_empty(), "{same:?}");
        let new = signatures(&[1, 2, 30, 4], refs);
        let sel = changed(&old, &new, &versions, &versions);
        assert_eq!(sel.pages, Some([0, 1, 2].into()), "2 edited, 1 names it, 0 names 1");
        assert!(sel.rest);
        let mut global = new.clone();
        global.global = 2;
        assert_eq!(changed(&old, &global, &versions, &versions), Selection::all());
    }

    #[test]
    fn a_template_edit_remakes_its_pages() {
        let old = signatures(&[1, 2], &[&[], &[]]);
        let mut new = old.clone();
        new.templates[1] = "incident.html";
        let before: crate::render::templates::Versions =
            [("page.html".to_string(), 1), ("incident.html".to_string(), 1)].into();
        let mut after = before.clone();
        after.insert("incident.html".into(), 2);
        let sel = changed(&new, &new, &before, &after);
        assert_eq!(sel.pages, Some([1].into()));
        assert!(sel.rest);
        let _ = old;
    }
}

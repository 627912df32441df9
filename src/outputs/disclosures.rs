//! `api/disclosures.json` (public build): every public document with the SHA-256 of its public
//! rendering at each public revision, so that anyone who keeps a copy can later check that the
//! published history was not rewritten. Only what the public saw is listed: a commit that
//! changed hidden text only is no revision here. A document the public saw and no longer sees
//! (narrowed, put back under embargo or into draft, deleted) stays listed under `withdrawn`.

use super::OutputFile;
use crate::site::Site;
use crate::view::iso;
use serde_json::json;

pub fn file(site: &Site) -> Option<OutputFile> {
    if !site.is_public() || !site.stamp.history {
        return None;
    }
    let mut docs: Vec<&crate::site::Doc> = site.docs.iter().filter(|d| d.history.is_some()).collect();
    docs.sort_by(|a, b| a.path.cmp(&b.path));
    let documents: Vec<serde_json::Value> = docs
        .iter()
        .filter_map(|d| {
            let h = d.history.as_ref()?;
            Some(json!({
                "path": d.path,
                "kind": d.kind.singular(),
                "title": d.title,
                "first_published": h.created().time.map(iso),
                "amended": h.amended().and_then(|r| r.time).map(iso),
                "source": crate::diagnostics::display_path(&d.source),
                "revisions": revisions(&h.revisions),
            }))
        })
        .collect();
    let withdrawn: Vec<serde_json::Value> = site
        .withdrawn
        .iter()
        .map(|w| {
            json!({
                "source": w.source,
                "title": w.title,
                "withdrawn": w.time.map(iso),
                "commit": w.commit,
                "deleted": w.deleted,
                "revisions": revisions(&w.revisions),
            })
        })
        .collect();
    let value = json!({
        "generator": format!("cairn {}", env!("CARGO_PKG_VERSION")),
        "audience": site.audience_name(),
        "hash": "SHA-256 of the document's public rendering at that revision (its canonical text: see the amendment log's documentation)",
        "documents": documents,
        "withdrawn": withdrawn,
    });
    let mut bytes = serde_json::to_vec_pretty(&value).unwrap_or_default();
    bytes.push(b'\n');
    Some(OutputFile::new("api/disclosures.json".into(), bytes))
}

/// Each public revision: its commit and time, the hash of its public rendering, and whether it
/// amended text published before.
fn revisions(list: &[crate::site::Revision]) -> Vec<serde_json::Value> {
    list.iter()
        .map(|r| json!({ "commit": r.commit, "time": r.time.map(iso), "sha256": r.sha256, "amendment": r.amends }))
        .collect()
}

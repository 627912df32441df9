//! `build.json`: who built this site, for which audience, as of when and from which commit — for
//! monitoring a deployed status page's freshness, and for rebuilding the same output byte for
//! byte (`cairn build --rev <commit> --now <built_at>`).

use super::OutputFile;
use crate::site::Site;
use crate::view::iso;

pub fn stamp(site: &Site) -> OutputFile {
    let mut json = serde_json::json!({
        "generator": format!("cairn {}", env!("CARGO_PKG_VERSION")),
        "audience": site.audience_name(),
        "built_at": iso(site.now),
    });
    if site.stamp.history {
        // The commit that last changed what this audience sees (never one that only changed
        // hidden text), its time, and whether the inputs had uncommitted changes.
        json["commit"] = serde_json::json!(site.stamp.commit);
        json["commit_time"] = serde_json::json!(site.stamp.time.map(iso));
        json["dirty"] = serde_json::json!(site.stamp.dirty);
    }
    let mut bytes = serde_json::to_vec_pretty(&json).unwrap_or_default();
    bytes.push(b'\n');
    OutputFile::new("build.json".into(), bytes)
}

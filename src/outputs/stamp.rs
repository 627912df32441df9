//! `build.json`: who built this site, for which audience, and as of when — for monitoring a
//! deployed status page's freshness, and for rebuilding the same output byte for byte.

use super::OutputFile;
use crate::site::Site;
use crate::view::iso;

pub fn stamp(site: &Site) -> OutputFile {
    let json = serde_json::json!({
        "generator": format!("cairn {}", env!("CARGO_PKG_VERSION")),
        "audience": site.audience_name(),
        "built_at": iso(site.now),
    });
    let mut bytes = serde_json::to_vec_pretty(&json).unwrap_or_default();
    bytes.push(b'\n');
    OutputFile::new("build.json".into(), bytes)
}

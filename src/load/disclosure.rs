//! What real disclosures add to front matter: `references:` (releases, advisories, CVE ids,
//! bounty credits) and `progress:` (coordination figures), each checked where it is written.

use super::fields::{Fields, FileCx};
use crate::model::*;

const PROGRESS_KEYS: &[&str] = &["label", "percent", "threshold"];
const REFERENCE_KEYS: &[&str] = &["kind", "title", "id", "url", "credit", "amount", "visibility"];

/// `references:` of a document or an update, each checked where it is written.
pub(super) fn references(cx: &FileCx<'_>, f: &Fields<'_>) -> Vec<Reference> {
    let mut out = Vec::new();
    for (path, v) in f.items("references") {
        let Some(r) = cx.fields(v, &path, REFERENCE_KEYS) else {
            continue;
        };
        let kind = r.required_choice("kind", ReferenceKind::parse, ReferenceKind::NAMES);
        let title = r.string("title");
        let id = r.string("id");
        let url = r.web_url("url");
        let credit = r.string("credit");
        let amount = r.string("amount");
        let visibility = r.audience("visibility");
        if title.is_none() && id.is_none() && r.get("url").is_none() && credit.is_none() {
            cx.at_value(
                &path,
                "missing-field",
                "a reference needs a `title`, an `id`, a `url` or a `credit`".into(),
                "e.g. `{ kind: release, title: exnd v1.8.2, url: https://… }` or `{ kind: cve, id: CVE-2026-41234 }`"
                    .into(),
            );
        }
        if kind == Some(ReferenceKind::Cve)
            && let Some(text) = &id
            && !is_cve_id(text)
        {
            cx.at_value(
                &format!("{path}.id"),
                "bad-value",
                format!("`{text}` is not a CVE id"),
                "CVE ids are written CVE-YYYY-NNNN (four or more digits), e.g. CVE-2026-41234".into(),
            );
        }
        r.finish();
        if let Some(kind) = kind {
            out.push(Reference { kind, title, id, url, credit, amount, visibility, path });
        }
    }
    out
}

/// `CVE-YYYY-NNNN…`.
fn is_cve_id(text: &str) -> bool {
    let mut parts = text.split('-');
    let (Some(cve), Some(year), Some(number), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    cve == "CVE"
        && year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && number.len() >= 4
        && number.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn progress(cx: &FileCx<'_>, f: &Fields<'_>) -> Option<Progress> {
    let v = f.get("progress")?;
    let path = f.path("progress");
    let p = cx.fields(v, &path, PROGRESS_KEYS)?;
    let label = p.string("label");
    let percent = p.number("percent");
    let threshold = p.number("threshold");
    if p.get("percent").is_none() {
        p.missing("percent", "55");
    }
    for (key, value) in [("percent", percent), ("threshold", threshold)] {
        if value.is_some_and(|v| !(0.0..=100.0).contains(&v)) {
            cx.at_value(
                &format!("{path}.{key}"),
                "bad-value",
                format!("`{key}` is not between 0 and 100"),
                "progress is a percentage, e.g. `percent: 55, threshold: 67` for 55 % of stake with 67 % needed".into(),
            );
        }
    }
    p.finish();
    Some(Progress { label, percent: percent?, threshold })
}

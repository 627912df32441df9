//! Search for responders: a tantivy index per audience built from the resolved `Site` into
//! `.cairn/index/<audience>/`, and the query API that `cairn search` (and the dev server) use.

mod index;
mod query;

pub use crate::outputs::searchable::{SearchDoc, boost, documents};
pub use index::{AUDIENCE_FILE, IndexOf, built_at, index_dir, write_index, write_index_of};
pub use query::{FACETS, Hit, SearchIndex, SearchQuery, SearchResults};

use crate::model::{Date, IncidentSeverity, Kind};
use std::path::Path;

/// A kind as `--kind` and `kind=` name it: `incident` or `incidents`, ….
pub fn parse_kind(text: &str) -> Result<Kind, String> {
    Kind::ALL
        .into_iter()
        .find(|k| k.singular() == text || k.as_str() == text)
        .ok_or_else(|| format!("unknown kind `{text}`; one of: {}", Kind::ALL.map(Kind::singular).join(", ")))
}

pub fn parse_severity(text: &str) -> Result<IncidentSeverity, String> {
    IncidentSeverity::parse(text)
        .ok_or_else(|| format!("unknown severity `{text}`; one of: {}", IncidentSeverity::NAMES.join(", ")))
}

pub fn parse_day(text: &str) -> Result<Date, String> {
    Date::parse(text, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("`{text}` is not a day like 2026-11-20"))
}

/// The answer to `query` from the index in `dir` of `audience`, as `cairn search --json` prints
/// it and `/api/search` of `cairn serve` returns it.
pub fn answer(dir: &Path, audience: &str, query: &SearchQuery) -> Result<serde_json::Value, String> {
    let results = SearchIndex::open(dir).and_then(|i| i.search(query))?;
    Ok(serde_json::json!({ "query": query.text, "audience": audience, "results": results }))
}

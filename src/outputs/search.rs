//! Static search for every site: the search page and a sharded JSON index under `search/`
//! (term shards by two-letter prefix, one small file per document, facets loaded on demand),
//! read by `assets/search.js` from static files alone. Built from this audience's `Site` only.

use super::OutputFile;
use super::pages::base_context;
use super::searchable::{SearchDoc, documents};
use crate::diagnostics::Diagnostic;
use crate::render::Renderer;
use crate::site::Site;
use serde::Serialize;
use std::collections::BTreeMap;

/// Postings kept per term: the best-weighted documents. A word found in more documents than this
/// still finds the most relevant ones, which keeps every shard small on large sites.
const MAX_POSTINGS: usize = 400;
/// Characters of text kept per document for excerpts.
const EXCERPT_CHARS: usize = 2400;
const MAX_TERM_CHARS: usize = 40;
/// English words too common to index (as in `cairn search`).
const STOP_WORDS: [&str; 33] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
    "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
];

/// The shard a term lives in; `search.js` computes the same key.
pub fn shard_key(term: &str) -> String {
    let key: String = term.chars().take(2).collect();
    if key.chars().all(|c| c.is_ascii_alphanumeric()) {
        key
    } else {
        format!("x{:x}", term.chars().next().map_or(0, u32::from))
    }
}

/// Lower-cased words of `text`, split on anything not a letter or digit.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().count() <= MAX_TERM_CHARS)
        .map(str::to_lowercase)
}

#[derive(Serialize)]
struct DocEntry<'a> {
    /// Title, site path, kind, severity, year, components, text for excerpts.
    t: &'a str,
    u: &'a str,
    k: &'a str,
    s: Option<&'a str>,
    y: Option<i32>,
    c: &'a [String],
    x: String,
}

#[derive(Serialize)]
struct FacetValue {
    value: String,
    label: String,
    count: usize,
}

/// One filter of the search page: the facet's name, its label and its values.
#[derive(Serialize)]
struct Filter {
    name: &'static str,
    label: &'static str,
    values: Vec<FacetValue>,
}

fn count(values: impl Iterator<Item = String>, label: impl Fn(&str) -> String) -> Vec<FacetValue> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts.into_iter().map(|(value, count)| FacetValue { label: label(&value), value, count }).collect()
}

fn filters(site: &Site, docs: &[SearchDoc]) -> Vec<Filter> {
    let kind_label = |k: &str| {
        crate::model::Kind::ALL.iter().find(|x| x.singular() == k).map_or(k.to_string(), |x| x.label().to_string())
    };
    let component_label =
        |c: &str| site.components.iter().find(|x| x.id == c).map_or(c.to_string(), |x| x.name.clone());
    let mut year = count(docs.iter().filter_map(|d| d.date.map(|t| t.year().to_string())), |y| y.to_string());
    year.reverse();
    let severity = count(docs.iter().filter_map(|d| d.severity.map(|s| s.as_str().to_string())), |s| {
        crate::model::IncidentSeverity::parse(s).map_or(s.to_string(), |x| x.label().to_string())
    });
    let kind = count(docs.iter().map(|d| d.kind.singular().to_string()), kind_label);
    let component = count(docs.iter().flat_map(|d| d.components.iter().cloned()), component_label);
    [
        ("kind", "Kind", kind),
        ("component", "Component", component),
        ("severity", "Severity", severity),
        ("year", "Year", year),
    ]
    .into_iter()
    .filter(|(_, _, values)| !values.is_empty())
    .map(|(name, label, values)| Filter { name, label, values })
    .collect()
}

/// Term → postings `[document frequency, id delta, weight, id delta, weight, …]`.
fn postings(docs: &[SearchDoc]) -> BTreeMap<String, Vec<u32>> {
    let mut all: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
    for (id, doc) in docs.iter().enumerate() {
        let mut tf: BTreeMap<String, u32> = BTreeMap::new();
        for (text, weight) in [(&doc.title, 3), (&doc.headings, 2), (&doc.body, 1), (&doc.code, 1)] {
            for w in words(text).filter(|w| !STOP_WORDS.contains(&w.as_str())) {
                *tf.entry(w).or_default() += weight;
            }
        }
        for (term, n) in tf {
            let weight = (10.0 * (1.0 + f64::from(n).ln())).round().min(255.0) as u32;
            all.entry(term).or_default().push((id as u32, weight));
        }
    }
    all.into_iter()
        .map(|(term, mut list)| {
            let df = list.len() as u32;
            if list.len() > MAX_POSTINGS {
                list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                list.truncate(MAX_POSTINGS);
                list.sort();
            }
            let mut flat = vec![df];
            let mut last = 0;
            for (id, w) in list {
                flat.extend([id - last, w]);
                last = id;
            }
            (term, flat)
        })
        .collect()
}

fn json(path: String, value: &impl Serialize) -> OutputFile {
    OutputFile::new(path, serde_json::to_vec(value).unwrap_or_default())
}

/// The search page and every file of the static index.
pub fn files(site: &Site, r: &Renderer) -> Result<Vec<OutputFile>, Diagnostic> {
    let docs = documents(site);
    let filters = filters(site, &docs);
    let mut out = Vec::new();
    let mut ctx = base_context(site, "search/", "search", "Search");
    ctx.insert("filters", &filters);
    ctx.insert("history_path", if site.count(crate::model::Kind::Incident) > 0 { "incidents/" } else { "" });
    out.push(OutputFile::new("search/index.html".into(), r.render("search.html", &ctx, "search/")?.into_bytes()));
    let mut shards: BTreeMap<String, BTreeMap<String, Vec<u32>>> = BTreeMap::new();
    for (term, list) in postings(&docs) {
        shards.entry(shard_key(&term)).or_default().insert(term, list);
    }
    for (key, terms) in &shards {
        out.push(json(format!("search/t/{key}.json"), terms));
    }
    let mut filter_rows = Vec::new();
    for (id, doc) in docs.iter().enumerate() {
        let text: String =
            [doc.body.as_str(), doc.code.as_str()].join("\n").split_whitespace().collect::<Vec<_>>().join(" ");
        let end = text.char_indices().nth(EXCERPT_CHARS).map_or(text.len(), |(i, _)| i);
        let year = doc.date.map(|d| d.year());
        let severity = doc.severity.map(|s| s.as_str());
        let entry = DocEntry {
            t: &doc.title,
            u: &doc.path,
            k: doc.kind.singular(),
            s: severity,
            y: year,
            c: &doc.components,
            x: text[..end].to_string(),
        };
        out.push(json(format!("search/d/{id}.json"), &entry));
        filter_rows.push(serde_json::json!([doc.kind.singular(), severity, year, doc.components]));
    }
    out.push(json("search/filters.json".into(), &filter_rows));
    out.push(json("search/meta.json".into(), &serde_json::json!({ "version": 1, "docs": docs.len() })));
    Ok(out)
}

//! Static search for every site: the search page and a sharded JSON index under `search/`
//! (term shards by two-letter prefix, documents in files of `DOC_CHUNK`, facets loaded on
//! demand), read by `assets/search.js` from static files alone. Built from this audience's
//! `Site` only.

use super::OutputFile;
use super::pages::base_context;
use super::searchable::SearchDoc;
use crate::diagnostics::Diagnostic;
use crate::render::Renderer;
use crate::site::Site;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::BTreeMap;

/// Postings kept per term: the best-weighted documents. A word found in more documents than this
/// still finds the most relevant ones, which keeps every shard small on large sites.
const MAX_POSTINGS: usize = 400;
/// Characters of text kept per document for excerpts.
const EXCERPT_CHARS: usize = 1200;
/// Documents per file of `search/d/`. One file per document made the static index as many
/// files as pages, and creating files is what a large build spends most time on; four per file
/// keeps a page of ten results under 60 KB of document files.
const DOC_CHUNK: usize = 4;
const MAX_TERM_CHARS: usize = 40;
/// English words too common to index (as in `cairn search`): the list, and a `match` on it.
/// Every word of every document is looked up; the `match` compiles to a switch on the length
/// and a few comparisons, where scanning the list was a tenth of the postings' time.
macro_rules! stop_words {
    ($($word:literal),* $(,)?) => {
        #[cfg(test)]
        const STOP_WORDS: &[&str] = &[$($word),*];

        /// Whether `word` (lower-cased) is too common to index.
        pub fn is_stop_word(word: &str) -> bool {
            matches!(word, $($word)|*)
        }
    };
}

stop_words!(
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
    "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
);

/// The shard a term lives in; `search.js` computes the same key.
pub fn shard_key(term: &str) -> String {
    let key: String = term.chars().take(2).collect();
    if key.chars().all(|c| c.is_ascii_alphanumeric()) {
        key
    } else {
        format!("x{:x}", term.chars().next().map_or(0, u32::from))
    }
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
    label: String,
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
        crate::model::Kind::ALL
            .iter()
            .find(|x| x.singular() == k)
            .map_or(k.to_string(), |x| site.config.messages.text(x.message_key()))
    };
    let component_label =
        |c: &str| site.components.iter().find(|x| x.id == c).map_or(c.to_string(), |x| x.name.clone());
    let mut year = count(docs.iter().filter_map(|d| d.date.map(|t| t.year().to_string())), |y| y.to_string());
    year.reverse();
    let severity = count(docs.iter().filter_map(|d| d.severity.map(|s| s.as_str().to_string())), |s| {
        crate::model::IncidentSeverity::parse(s).map_or(s.to_string(), |x| site.config.messages.text(x.message_key()))
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
    .map(|(name, _, values)| Filter {
        name,
        label: site.config.messages.text(&format!("search.filter.{name}")),
        values,
    })
    .collect()
}

/// Term → weighted postings `(document id, weight)` of the documents `docs[offset..]`, ids in order.
type Postings = FxHashMap<String, Vec<(u32, u32)>>;

/// Runs of letters and digits (`char::is_alphanumeric`) in `text`, with a fast path for ASCII.
fn word_slices(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    // Whether the character at byte `at` is part of a word, and its length.
    let at = move |at: usize| -> (bool, usize) {
        let b = bytes[at];
        if b < 0x80 {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            text[at..].chars().next().map_or((false, 1), |c| (c.is_alphanumeric(), c.len_utf8()))
        }
    };
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let (word, len) = at(i);
            if word {
                break;
            }
            i += len;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() {
            let (word, len) = at(i);
            if !word {
                break;
            }
            i += len;
        }
        Some(&text[start..i])
    })
}

fn postings_of(docs: &[SearchDoc], offset: usize) -> Postings {
    let mut all = Postings::default();
    for (i, doc) in docs.iter().enumerate() {
        let id = (offset + i) as u32;
        // Lower-case each field once and take words as slices of it: the same words as `words`,
        // and as search.js, which also lower-cases before it splits.
        let fields = [(doc.title.to_lowercase(), 3), (doc.headings.to_lowercase(), 2), (doc.body.to_lowercase(), 1)];
        let code = doc.code.to_lowercase();
        for (text, weight) in fields.iter().map(|(t, w)| (t.as_str(), *w)).chain([(code.as_str(), 1)]) {
            for w in word_slices(text) {
                let short = w.len() <= MAX_TERM_CHARS || w.chars().count() <= MAX_TERM_CHARS;
                if !short || is_stop_word(w) {
                    continue;
                }
                // One lookup per word: the list's last entry is this document's, if it has one;
                // it adds up the raw weight, made logarithmic once the lists are complete.
                match all.get_mut(w) {
                    Some(list) => match list.last_mut() {
                        Some((last, n)) if *last == id => *n += weight,
                        _ => list.push((id, weight)),
                    },
                    None => {
                        all.insert(w.to_string(), vec![(id, weight)]);
                    }
                }
            }
        }
    }
    all
}

/// The stored weight of a term that occurs with raw weight `n` (3 per title word, 2 per heading
/// word, 1 per other word) in a document.
fn log_weight(n: u32) -> u32 {
    (10.0 * (1.0 + f64::from(n).ln())).round().min(255.0) as u32
}

/// A term and its postings `[document frequency, id delta, weight, id delta, weight, …]`.
type Posting = (String, Vec<u32>);

/// The static index's terms and their postings, made once per build. Its words, sorted, are
/// also the vocabulary `cairn search` expands typos and prefixes from.
pub struct Terms(Vec<Posting>);

impl Terms {
    pub fn of(docs: &[SearchDoc]) -> Terms {
        Terms(postings(docs))
    }

    /// Every distinct word of the documents (lower-cased, stop words left out), sorted.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(term, _)| term.as_str())
    }
}

/// Every term and its postings, terms sorted.
/// Documents are tokenised in parallel blocks whose postings are then appended in id order.
fn postings(docs: &[SearchDoc]) -> Vec<Posting> {
    const BLOCK: usize = 512;
    let merged = docs.par_chunks(BLOCK).enumerate().map(|(block, chunk)| postings_of(chunk, block * BLOCK)).reduce(
        Postings::default,
        |mut left, right| {
            for (term, mut list) in right {
                left.entry(term).or_default().append(&mut list);
            }
            left
        },
    );
    let mut terms: Vec<(String, Vec<(u32, u32)>)> = merged.into_iter().collect();
    terms.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    terms
        .into_par_iter()
        .map(|(term, mut list)| {
            // `reduce` combines neighbouring blocks, so lists are in id order; make sure of it.
            if !list.is_sorted() {
                list.sort_unstable();
            }
            for (_, w) in list.iter_mut() {
                *w = log_weight(*w);
            }
            let df = list.len() as u32;
            if list.len() > MAX_POSTINGS {
                list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                list.truncate(MAX_POSTINGS);
                list.sort_unstable();
            }
            let mut flat = Vec::with_capacity(1 + 2 * list.len());
            flat.push(df);
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

/// The first `EXCERPT_CHARS` characters of a document's prose and code, whitespace collapsed.
fn excerpt(doc: &SearchDoc) -> String {
    let mut out = String::with_capacity(EXCERPT_CHARS + 16);
    let mut chars = 0;
    for word in doc.body.split_whitespace().chain(doc.code.split_whitespace()) {
        if chars >= EXCERPT_CHARS {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
            chars += 1;
        }
        let n = word.chars().count();
        if chars + n <= EXCERPT_CHARS {
            out.push_str(word);
            chars += n;
        } else {
            let end = word.char_indices().nth(EXCERPT_CHARS - chars).map_or(word.len(), |(i, _)| i);
            out.push_str(&word[..end]);
            chars = EXCERPT_CHARS;
        }
    }
    out
}

/// The search page and every file of the static index, each handed to `emit` as it is made:
/// the index is the largest output after the pages and need not be held in memory.
pub fn files(
    site: &Site,
    r: &Renderer,
    docs: &[SearchDoc],
    terms: &Terms,
    emit: &(dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync),
) -> Result<(), Diagnostic> {
    let filters = filters(site, docs);
    let mut ctx = base_context(site, "search/", "search", &site.config.messages.text("search.title"));
    ctx.insert("filters", &filters);
    ctx.insert("history_path", if site.count(crate::model::Kind::Incident) > 0 { "incidents/" } else { "" });
    emit(OutputFile::new("search/index.html".into(), r.render("search.html", &ctx, "search/")?.into_bytes()))?;
    let terms = &terms.0;
    // Each shard: its terms, in order, with their postings.
    let mut shards: BTreeMap<String, BTreeMap<&str, &[u32]>> = BTreeMap::new();
    for (term, list) in terms {
        shards.entry(shard_key(term)).or_default().insert(term.as_str(), list.as_slice());
    }
    // Serialised straight from the postings: going through `serde_json::Value` cost an
    // allocation per number.
    shards.par_iter().try_for_each(|(key, map)| emit(json(format!("search/t/{key}.json"), map)))?;
    docs.par_chunks(DOC_CHUNK).enumerate().try_for_each(|(chunk, part)| {
        let entries: Vec<DocEntry> = part
            .iter()
            .map(|doc| DocEntry {
                t: &doc.title,
                u: &doc.path,
                k: doc.kind.singular(),
                s: doc.severity.map(|s| s.as_str()),
                y: doc.date.map(|d| d.year()),
                c: &doc.components,
                x: excerpt(doc),
            })
            .collect();
        emit(json(format!("search/d/{chunk}.json"), &entries))
    })?;
    let filter_rows: Vec<_> = docs
        .iter()
        .map(|doc| (doc.kind.singular(), doc.severity.map(|s| s.as_str()), doc.date.map(|d| d.year()), &doc.components))
        .collect();
    emit(json("search/filters.json".into(), &filter_rows))?;
    // The shards that exist, so search.js never asks for one that does not (a 404 per keystroke).
    let shard_list: Vec<&str> = shards.keys().map(String::as_str).collect();
    emit(json(
        "search/meta.json".into(),
        &serde_json::json!({ "version": 3, "docs": docs.len(), "chunk": DOC_CHUNK, "shards": shard_list.join(" ") }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        let text = "node-1 halted: «Ошибка» at h=42, ünïcode café 北京 ok";
        let expected: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        assert_eq!(word_slices(text).collect::<Vec<_>>(), expected);
        assert_eq!(word_slices("").count(), 0);
        assert_eq!(word_slices(" -- ").count(), 0);
    }

    #[test]
    fn stop_words_are_matched() {
        assert!(STOP_WORDS.iter().all(|w| is_stop_word(w)));
        assert!(!is_stop_word("them") && !is_stop_word("") && !is_stop_word("validator"));
        assert!(is_stop_word("there") && !is_stop_word("validator"));
    }
}

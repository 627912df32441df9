//! Querying an audience's index: words matched in title, headings, body and code with BM25 and
//! field boosts, quoted phrases, prefix and one-typo expansion from the term dictionary, filters,
//! facet counts and snippets with highlight ranges.

use super::index::{PROSE, WORDS, WORDS_FILE, index_date, register};
use crate::model::{Date, IncidentSeverity, Kind};
use crate::outputs::is_stop_word;
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, Field, IndexRecordOption, Schema, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DateTime, DocAddress, Index, IndexReader, Order, Score, SegmentReader, TantivyDocument, Term};

/// Weight of each field when a word matches it: title > headings > body = code.
const TITLE: Score = 3.0;
const HEADINGS: Score = 2.0;
/// Weight of a term reached through a typo (edit distance 1) or as a prefix of what was typed.
const TYPO: Score = 0.7;
const PREFIX: Score = 0.4;
/// Typo tolerance only applies to words at least this long; prefixes to words this long.
const TYPO_MIN_CHARS: usize = 5;
const PREFIX_MIN_CHARS: usize = 3;
const MAX_EXPANSIONS: usize = 30;
const SNIPPET_CHARS: usize = 200;
/// The facets counted for every query.
pub const FACETS: [&str; 5] = ["kind", "component", "severity", "type", "year"];

/// What a responder asks: free text plus optional filters.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Words, and phrases in double quotes.
    pub text: String,
    pub kind: Option<Kind>,
    pub component: Option<String>,
    pub severity: Option<IncidentSeverity>,
    pub incident_type: Option<String>,
    /// Inclusive day bounds on the document's date.
    pub since: Option<Date>,
    pub until: Option<Date>,
    pub limit: usize,
}

/// One ranked result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub path: String,
    pub title: String,
    pub kind: String,
    pub score: f32,
    /// The best passage, from the body or else from code blocks.
    pub snippet: String,
    /// Byte ranges of `snippet` that matched the query.
    pub highlights: Vec<[usize; 2]>,
    pub components: Vec<String>,
    pub severity: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    pub open: bool,
}

/// Hits, the number of matching documents, and facet counts over all of them.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Facet (`kind`, `component`, …) → value → number of matching documents.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
}

/// An opened index, ready for many queries.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    schema: Schema,
    /// The documents' words, sorted (see `index::WORDS_FILE`).
    words: Vec<String>,
}

/// Terms to highlight in snippets, by field.
#[derive(Default)]
struct Highlight {
    body: BTreeMap<String, Score>,
    code: BTreeMap<String, Score>,
}

impl SearchIndex {
    pub fn open(dir: &Path) -> Result<SearchIndex, String> {
        let index =
            Index::open_in_dir(dir).map_err(|e| format!("cannot open the search index {}: {e}", dir.display()))?;
        register(&index);
        let reader = index.reader().map_err(|e| e.to_string())?;
        let schema = index.schema();
        let words = std::fs::read_to_string(dir.join(WORDS_FILE))
            .map_err(|e| {
                format!("the search index {} has no word list ({e}); it is older than this cairn", dir.display())
            })?
            .lines()
            .map(str::to_string)
            .collect();
        Ok(SearchIndex { index, reader, schema, words })
    }

    fn field(&self, name: &str) -> Field {
        self.schema.get_field(name).expect("field declared in index::schema()")
    }

    fn analyze(&self, analyzer: &str, text: &str) -> Vec<(usize, String)> {
        let mut a = self.index.tokenizers().get(analyzer).expect("analyzers are registered on open");
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((t.position, t.text.clone()));
        }
        out
    }

    /// Words of the documents within one edit of `word`, or starting with it.
    fn expand(&self, word: &str) -> (Vec<String>, Vec<String>) {
        let exists = self.words.binary_search_by(|w| w.as_str().cmp(word)).is_ok() || is_stop_word(word);
        let chars = word.chars().count();
        let (mut typos, mut prefixed) = (Vec::new(), Vec::new());
        if !exists && chars >= TYPO_MIN_CHARS {
            typos.extend(
                self.words
                    .iter()
                    .filter(|w| w.chars().count().abs_diff(chars) <= 1 && strsim::damerau_levenshtein(w, word) == 1)
                    .take(MAX_EXPANSIONS)
                    .cloned(),
            );
        }
        if chars >= PREFIX_MIN_CHARS {
            let start = self.words.partition_point(|w| w.as_str() < word);
            prefixed.extend(
                self.words[start..]
                    .iter()
                    .take_while(|w| w.starts_with(word))
                    .filter(|w| String::as_str(w) != word)
                    .take(MAX_EXPANSIONS)
                    .cloned(),
            );
        }
        (typos, prefixed)
    }

    fn term(&self, field: &str, text: &str, weight: Score) -> Box<dyn Query> {
        let q = TermQuery::new(Term::from_field_text(self.field(field), text), IndexRecordOption::WithFreqs);
        Box::new(BoostQuery::new(Box::new(q), weight))
    }

    /// Clauses matching one written word (or a word reached from it) in every text field.
    fn word_clauses(&self, word: &str, weight: Score, out: &mut Vec<(Occur, Box<dyn Query>)>, hl: &mut Highlight) {
        for (_, stem) in self.analyze(PROSE, word) {
            out.push((Occur::Should, self.term("title", &stem, TITLE * weight)));
            out.push((Occur::Should, self.term("headings", &stem, HEADINGS * weight)));
            out.push((Occur::Should, self.term("body", &stem, weight)));
            hl.body.insert(stem, weight);
        }
        out.push((Occur::Should, self.term("code", word, weight)));
        hl.code.insert(word.to_string(), weight);
    }

    fn phrase(&self, text: &str, hl: &mut Highlight) -> Option<Box<dyn Query>> {
        let mut options: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, analyzer, weight) in [("title", PROSE, TITLE), ("body", PROSE, 1.0), ("code", WORDS, 1.0)] {
            let tokens = self.analyze(analyzer, text);
            for (_, t) in &tokens {
                let map = if field == "code" { &mut hl.code } else { &mut hl.body };
                map.insert(t.clone(), 1.0);
            }
            let f = self.field(field);
            let terms: Vec<(usize, Term)> =
                tokens.iter().map(|(p, t)| (*p - tokens[0].0, Term::from_field_text(f, t))).collect();
            let q: Box<dyn Query> = match terms.len() {
                0 => continue,
                1 => Box::new(TermQuery::new(terms[0].1.clone(), IndexRecordOption::WithFreqs)),
                _ => Box::new(PhraseQuery::new_with_offset(terms)),
            };
            options.push((Occur::Should, Box::new(BoostQuery::new(q, weight))));
        }
        (!options.is_empty()).then(|| Box::new(BooleanQuery::new(options)) as Box<dyn Query>)
    }

    fn text_query(&self, text: &str, hl: &mut Highlight) -> Option<Box<dyn Query>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, part) in text.split('"').enumerate() {
            let quoted = i % 2 == 1;
            if quoted {
                clauses.extend(self.phrase(part, hl).map(|q| (Occur::Must, q)));
                continue;
            }
            for raw in part.split_whitespace() {
                let words = self.analyze(WORDS, raw);
                if words.len() > 1 {
                    clauses.extend(self.phrase(raw, hl).map(|q| (Occur::Should, q)));
                    continue;
                }
                let Some((_, word)) = words.into_iter().next() else { continue };
                let mut word_clauses = Vec::new();
                self.word_clauses(&word, 1.0, &mut word_clauses, hl);
                let (typos, prefixed) = self.expand(&word);
                for t in typos {
                    self.word_clauses(&t, TYPO, &mut word_clauses, hl);
                }
                for p in prefixed {
                    self.word_clauses(&p, PREFIX, &mut word_clauses, hl);
                }
                clauses.push((Occur::Should, Box::new(BooleanQuery::new(word_clauses))));
            }
        }
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    fn filters(&self, q: &SearchQuery) -> Vec<(Occur, Box<dyn Query>)> {
        let facets = self.field("facets");
        let facet = |name: &str, value: &str| -> (Occur, Box<dyn Query>) {
            let term = Term::from_facet(facets, &Facet::from_path([name, value]));
            (Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic)))
        };
        let mut out = Vec::new();
        out.extend(q.kind.map(|k| facet("kind", k.singular())));
        out.extend(q.component.as_deref().map(|c| facet("component", c)));
        out.extend(q.severity.map(|s| facet("severity", s.as_str())));
        out.extend(q.incident_type.as_deref().map(|t| facet("type", t)));
        if q.since.is_some() || q.until.is_some() {
            let date = self.field("date");
            let at = |d: Date| Term::from_field_date(date, index_date(d.midnight().assume_utc().unix_timestamp()));
            let lower = q.since.map_or(Bound::Unbounded, |d| Bound::Included(at(d)));
            let upper = q.until.and_then(|d| d.next_day()).map_or(Bound::Unbounded, |d| Bound::Excluded(at(d)));
            out.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        out
    }

    /// Runs `q`: ranked hits (BM25 × the document's boost, see `searchable::boost`; newest first
    /// when `q` has filters but no words), snippets, and facet counts over every matching document.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, String> {
        let mut hl = Highlight::default();
        let mut clauses = self.filters(q);
        let text = self.text_query(&q.text, &mut hl);
        let scored = text.is_some();
        clauses.push((Occur::Must, text.unwrap_or_else(|| Box::new(AllQuery))));
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let facet_collector = || {
            let mut c = FacetCollector::for_field("facets");
            for f in FACETS {
                c.add_facet(Facet::from_path([f]));
            }
            c
        };
        let limit = TopDocs::with_limit(q.limit.max(1));
        let fail = |e: tantivy::TantivyError| e.to_string();
        // With words: by relevance. With filters only: newest first.
        let (top, facet_counts, total): (Vec<(Score, DocAddress)>, _, _) = if scored {
            let by_score = limit.tweak_score(|segment: &SegmentReader| {
                let boost = segment.fast_fields().f64("boost").ok();
                move |doc, score: Score| score * boost.as_ref().and_then(|c| c.first(doc)).unwrap_or(1.0) as Score
            });
            searcher.search(&query, &(by_score, facet_collector(), Count)).map_err(fail)?
        } else {
            let by_date = limit.order_by_fast_field::<DateTime>("date", Order::Desc);
            let (top, facets, total) = searcher.search(&query, &(by_date, facet_collector(), Count)).map_err(fail)?;
            (top.into_iter().map(|(_, address)| (0.0, address)).collect(), facets, total)
        };
        let mut facets: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for f in FACETS {
            let counts = facets.entry(f.to_string()).or_default();
            for (facet, n) in facet_counts.get(&format!("/{f}")) {
                counts.insert(facet.to_path().last().map(|s| s.to_string()).unwrap_or_default(), n);
            }
        }
        let body = SnippetGenerator::new(hl.body, self.analyzer(PROSE), self.field("body"), SNIPPET_CHARS);
        let code = SnippetGenerator::new(hl.code, self.analyzer(WORDS), self.field("code"), SNIPPET_CHARS);
        let mut hits = Vec::new();
        for (score, address) in top {
            hits.push(self.hit(&searcher, address, score, &body, &code)?);
        }
        if scored {
            hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.path.cmp(&b.path)));
        }
        Ok(SearchResults { total, hits, facets })
    }

    fn analyzer(&self, name: &str) -> tantivy::tokenizer::TextAnalyzer {
        self.index.tokenizers().get(name).expect("analyzers are registered on open")
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        score: Score,
        body: &SnippetGenerator,
        code: &SnippetGenerator,
    ) -> Result<Hit, String> {
        let doc: TantivyDocument = searcher.doc(address).map_err(|e| e.to_string())?;
        let text = |name: &str| doc.get_first(self.field(name)).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let all = |name: &str| doc.get_all(self.field(name)).filter_map(|v| v.as_str()).map(String::from).collect();
        let mut snippet = body.snippet(&text("body"));
        if snippet.highlighted().is_empty() {
            let in_code = code.snippet(&text("code"));
            if !in_code.highlighted().is_empty() {
                snippet = in_code;
            }
        }
        let (fragment, highlights) = if snippet.fragment().is_empty() {
            let b = text("body");
            let end = b.char_indices().nth(SNIPPET_CHARS).map_or(b.len(), |(i, _)| i);
            let end = if end < b.len() { b[..end].rfind(char::is_whitespace).unwrap_or(end) } else { end };
            (b[..end].trim().to_string(), Vec::new())
        } else {
            (snippet.fragment().to_string(), snippet.highlighted().iter().map(|r| [r.start, r.end]).collect())
        };
        let date = doc.get_first(self.field("date")).and_then(|v| v.as_datetime()).and_then(|d| {
            time::OffsetDateTime::from_unix_timestamp(d.into_timestamp_secs()).ok().map(|t| t.date().to_string())
        });
        let severity = Some(text("severity")).filter(|s| !s.is_empty());
        let open = doc.get_first(self.field("open")).and_then(|v| v.as_u64()) == Some(1);
        Ok(Hit {
            path: text("path"),
            title: text("title"),
            kind: text("kind"),
            score,
            snippet: fragment,
            highlights,
            components: all("components"),
            severity,
            date,
            open,
        })
    }
}

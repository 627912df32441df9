//! The tantivy index of one audience: its schema and analyzers, and writing it to
//! `.cairn/index/<audience>/` only when the searchable content changed (content hash).

use crate::outputs::searchable::{SearchDoc, boost, documents};
use crate::site::Site;
use rustc_hash::FxHashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use tantivy::directory::MmapDirectory;
use tantivy::schema::{
    FAST, Facet, FacetOptions, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
    Token, TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};
use tantivy::{DateTime, Index, TantivyDocument};
use xxhash_rust::xxh3::Xxh3Default;

/// Bumped whenever the schema or the analyzers change, so old indexes are rebuilt.
const SCHEMA_VERSION: u32 = 3;
/// Holds the content hash; its modification time is when the index was last checked against
/// the content (see [`built_at`]).
const HASH_FILE: &str = "cairn-content-hash";

/// When the index in `dir` was last made or found current by a build.
pub fn built_at(dir: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(dir.join(HASH_FILE)).and_then(|m| m.modified()).ok()
}
/// Every word of the indexed documents, sorted, one per line: what typos and prefixes are
/// expanded from. The static search index computes these words anyway, and indexing all the
/// text a second time for its term dictionary was a quarter of the index's build time.
pub const WORDS_FILE: &str = "cairn-words";
/// Holds the audience rank of the index, so `cairn search` can pick the most trusted one.
pub const AUDIENCE_FILE: &str = "cairn-audience";
/// English prose: lower-cased, stop words removed, Porter-stemmed.
pub const PROSE: &str = "cairn_en";
/// Exact words (code, typo and prefix expansion): lower-cased, nothing removed.
pub const WORDS: &str = "cairn_words";

/// Where the index of `audience` lives under a repo.
pub fn index_dir(root: &Path, audience: &str) -> PathBuf {
    root.join(".cairn").join("index").join(audience)
}

/// A text field: `record` is what its postings keep (positions only where phrases are matched).
fn text(analyzer: &str, record: IndexRecordOption, stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default().set_tokenizer(analyzer).set_index_option(record);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored { options.set_stored() } else { options }
}

pub(super) fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("path", STRING | STORED);
    b.add_text_field("kind", STRING | STORED);
    let phrases = IndexRecordOption::WithFreqsAndPositions;
    b.add_text_field("title", text(PROSE, phrases, true));
    b.add_text_field("headings", text(PROSE, IndexRecordOption::WithFreqs, false));
    b.add_text_field("body", text(PROSE, phrases, true));
    b.add_text_field("code", text(WORDS, phrases, true));
    b.add_facet_field("facets", FacetOptions::default());
    b.add_text_field("components", STRING | STORED);
    b.add_text_field("severity", STRING | STORED);
    b.add_date_field("date", INDEXED | FAST | STORED);
    b.add_u64_field("open", STORED);
    b.add_f64_field("boost", FAST | STORED);
    b.build()
}

/// Registers cairn's analyzers on an index (they are not persisted by tantivy).
pub(super) fn register(index: &Index) {
    let manager = analyzers();
    for name in [PROSE, WORDS] {
        if let Some(analyzer) = manager.get(name) {
            index.tokenizers().register(name, analyzer);
        }
    }
}

/// cairn's analyzers, by name.
fn analyzers() -> TokenizerManager {
    let prose = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(Memo::new(
            TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(StopWordFilter::new(Language::English).expect("tantivy ships English stop words"))
                .filter(Stemmer::new(Language::English))
                .build(),
        ))
        .build();
    let words = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .build();
    let manager = TokenizerManager::default();
    manager.register(PROSE, prose);
    manager.register(WORDS, words);
    manager
}

/// A token filter that runs each word through `analysis` (lower-casing, stop words, stemming)
/// once and remembers the outcome. A site's vocabulary is a few thousand words used millions
/// of times, and analysing each occurrence afresh was the largest single cost of indexing.
/// Gives exactly the tokens of the filters it wraps: they work on one token at a time, and a
/// word's outcome is a stem or nothing (a stop word).
#[derive(Clone)]
struct Memo {
    analysis: TextAnalyzer,
    outcomes: FxHashMap<String, Option<String>>,
}

impl Memo {
    fn new(analysis: TextAnalyzer) -> Memo {
        Memo { analysis, outcomes: FxHashMap::default() }
    }
}

/// Words remembered at most; a site with more distinct words starts over rather than grow.
const MAX_MEMO: usize = 200_000;

impl TokenFilter for Memo {
    type Tokenizer<T: Tokenizer> = MemoFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> MemoFilter<T> {
        MemoFilter { memo: self, inner }
    }
}

#[derive(Clone)]
struct MemoFilter<T> {
    memo: Memo,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for MemoFilter<T> {
    type TokenStream<'a> = MemoStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MemoStream { tail: self.inner.token_stream(text), memo: &mut self.memo }
    }
}

struct MemoStream<'a, T> {
    tail: T,
    memo: &'a mut Memo,
}

impl<T: TokenStream> TokenStream for MemoStream<'_, T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let token = self.tail.token_mut();
            let outcome = match self.memo.outcomes.get(&token.text) {
                Some(known) => known.as_deref(),
                None => {
                    let mut stream = self.memo.analysis.token_stream(&token.text);
                    let outcome = stream.advance().then(|| stream.token().text.clone());
                    if self.memo.outcomes.len() >= MAX_MEMO {
                        self.memo.outcomes.clear();
                    }
                    self.memo.outcomes.entry(token.text.clone()).or_insert(outcome).as_deref()
                }
            };
            if let Some(word) = outcome {
                token.text.clear();
                token.text.push_str(word);
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// A time as tantivy stores it: nanoseconds in an `i64`, which reach only the years 1677 to 2262;
/// times beyond are clamped to the nearest end (content may be dated anywhere from 0000 to 9999).
pub fn index_date(unix_seconds: i64) -> DateTime {
    const LIMIT: i64 = i64::MAX / 1_000_000_000;
    DateTime::from_timestamp_secs(unix_seconds.clamp(-LIMIT, LIMIT))
}

/// Facet paths of a document: kind, components, severity, type and year.
fn facets(doc: &SearchDoc) -> Vec<Facet> {
    let mut out = vec![Facet::from_path(["kind", doc.kind.singular()])];
    out.extend(doc.components.iter().map(|c| Facet::from_path(["component", c.as_str()])));
    out.extend(doc.severity.map(|s| Facet::from_path(["severity", s.as_str()])));
    out.extend(doc.types.iter().map(|t| Facet::from_path(["type", t.as_str()])));
    out.extend(doc.date.map(|d| Facet::from_path(["year", d.year().to_string().as_str()])));
    out
}

/// What the index needs of the Site besides its search documents: whose it is, and its "now"
/// (recent incidents rank higher). Taken apart from the Site so the index can be written on
/// another thread while the dev server goes on with the Site.
#[derive(Debug, Clone)]
pub struct IndexOf {
    pub audience: usize,
    pub name: String,
    pub now: crate::model::Timestamp,
}

impl IndexOf {
    pub fn of(site: &Site) -> IndexOf {
        IndexOf { audience: site.audience, name: site.audience_name().to_string(), now: site.now }
    }
}

fn content_hash(site: &IndexOf, docs: &[SearchDoc]) -> String {
    let mut h = Xxh3Default::new();
    SCHEMA_VERSION.hash(&mut h);
    site.now.date().to_julian_day().hash(&mut h);
    docs.hash(&mut h);
    format!("{:032x}", h.digest128())
}

/// Writes the index of `site` under `root` unless one for the same content is already there.
/// The index is written into a staging folder and renamed into place, so concurrent builds and
/// readers never see half an index. Returns whether it (re)built the index.
pub fn write_index(root: &Path, site: &Site) -> Result<bool, String> {
    let docs = documents(site);
    let terms = crate::outputs::Terms::of(&docs);
    write_index_of(root, &IndexOf::of(site), &docs, terms.words())
}

/// [`write_index`] from what search sees of `site` and its sorted words, made once by the caller.
pub fn write_index_of<'a>(
    root: &Path,
    site: &IndexOf,
    docs: &[SearchDoc],
    words: impl Iterator<Item = &'a str>,
) -> Result<bool, String> {
    // `.cairn/index/<audience>` made of real folders: a committed link there would have the old
    // index moved aside and deleted wherever it points (see `write::state`).
    let dir = crate::write::state::dir(root, &["index"]).map_err(|e| e.to_string())?.join(&site.name);
    crate::write::state::real_dir(&dir).map_err(|e| e.to_string())?;
    let hash = content_hash(site, docs);
    let current = |d: &Path| std::fs::read_to_string(d.join(HASH_FILE)).is_ok_and(|h| h == hash);
    if current(&dir) {
        // The index is as new as the content it was checked against: `cairn search` compares
        // this time with the inputs' to tell an index older than the content.
        let _ = std::fs::File::options()
            .write(true)
            .open(dir.join(HASH_FILE))
            .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        return Ok(false);
    }
    let fail = |e: &dyn std::fmt::Display| format!("cannot write the search index {}: {e}", dir.display());
    static STAGING: AtomicUsize = AtomicUsize::new(0);
    let n = STAGING.fetch_add(1, Ordering::Relaxed);
    let staging = dir.with_file_name(format!(".staging-{}-{}-{n}", site.name, std::process::id()));
    std::fs::create_dir(&staging).map_err(|e| fail(&e))?;
    let written = fill(&staging, site, docs, words, &hash).map_err(|e| fail(&e));
    let placed = written.and_then(|()| {
        // Move the old index aside rather than deleting it in place: a concurrent build of the
        // same repo may be swapping its own copy in at the same moment.
        let old = dir.with_file_name(format!(".old-{}-{}-{n}", site.name, std::process::id()));
        let moved = std::fs::rename(&dir, &old).is_ok();
        let renamed = std::fs::rename(&staging, &dir);
        if moved {
            let _ = std::fs::remove_dir_all(&old);
        }
        renamed.or_else(|e| if current(&dir) { Ok(()) } else { Err(fail(&e)) })
    });
    if staging.exists() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    placed.map(|()| true)
}

fn fill<'a>(
    dir: &Path,
    site: &IndexOf,
    docs: &[SearchDoc],
    words: impl Iterator<Item = &'a str>,
    hash: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let schema = schema();
    // One segment, indexed on this thread as documents are made. `IndexWriter` queues up to
    // 10,000 documents for its indexing threads, and the indexer cannot keep pace with a
    // producer that only copies text: the queue held the whole site's text twice over. One
    // segment also means no merge afterwards.
    let mut writer = Index::builder()
        .schema(schema.clone())
        .tokenizers(analyzers())
        .single_segment_index_writer(MmapDirectory::open(dir)?, 50_000_000)?;
    let field = |name: &str| schema.get_field(name).expect("field declared in schema()");
    for doc in docs {
        let mut d = TantivyDocument::default();
        d.add_text(field("path"), &doc.path);
        d.add_text(field("kind"), doc.kind.singular());
        d.add_text(field("title"), &doc.title);
        d.add_text(field("headings"), &doc.headings);
        d.add_text(field("body"), &doc.body);
        d.add_text(field("code"), &doc.code);
        for facet in facets(doc) {
            d.add_facet(field("facets"), facet);
        }
        for c in &doc.components {
            d.add_text(field("components"), c);
        }
        if let Some(s) = doc.severity {
            d.add_text(field("severity"), s.as_str());
        }
        if let Some(date) = doc.date {
            d.add_date(field("date"), index_date(date.unix_timestamp()));
        }
        d.add_u64(field("open"), u64::from(doc.open));
        d.add_f64(field("boost"), boost(doc, site.now));
        writer.add_document(d)?;
    }
    writer.finalize()?;
    let mut list = String::new();
    for word in words {
        list.push_str(word);
        list.push('\n');
    }
    std::fs::write(dir.join(WORDS_FILE), list)?;
    std::fs::write(dir.join(AUDIENCE_FILE), site.audience.to_string())?;
    std::fs::write(dir.join(HASH_FILE), hash)?;
    Ok(())
}

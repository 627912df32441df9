//! The tantivy index of one audience: its schema and analyzers, and writing it to
//! `.cairn/index/<audience>/` only when the searchable content changed (content hash).

use crate::outputs::searchable::{SearchDoc, boost, documents};
use crate::site::Site;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use tantivy::schema::{
    FAST, Facet, FacetOptions, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{DateTime, Index, TantivyDocument};

/// Bumped whenever the schema or the analyzers change, so old indexes are rebuilt.
const SCHEMA_VERSION: u32 = 1;
const HASH_FILE: &str = "cairn-content-hash";
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

fn text(analyzer: &str, stored: bool) -> TextOptions {
    let indexing =
        TextFieldIndexing::default().set_tokenizer(analyzer).set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored { options.set_stored() } else { options }
}

pub(super) fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("path", STRING | STORED);
    b.add_text_field("kind", STRING | STORED);
    b.add_text_field("title", text(PROSE, true));
    b.add_text_field("headings", text(PROSE, false));
    b.add_text_field("body", text(PROSE, true));
    b.add_text_field("code", text(WORDS, true));
    b.add_text_field("words", text(WORDS, false));
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
    let prose = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::new(Language::English).expect("tantivy ships English stop words"))
        .filter(Stemmer::new(Language::English))
        .build();
    let words = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(PROSE, prose);
    index.tokenizers().register(WORDS, words);
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

fn content_hash(site: &Site, docs: &[SearchDoc]) -> String {
    let mut h = DefaultHasher::new();
    SCHEMA_VERSION.hash(&mut h);
    site.now.date().to_julian_day().hash(&mut h);
    serde_json::to_string(docs).unwrap_or_default().hash(&mut h);
    format!("{:016x}", h.finish())
}

/// Writes the index of `site` under `root` unless one for the same content is already there.
/// The index is written into a staging folder and renamed into place, so concurrent builds and
/// readers never see half an index. Returns whether it (re)built the index.
pub fn write_index(root: &Path, site: &Site) -> Result<bool, String> {
    let docs = documents(site);
    let dir = index_dir(root, site.audience_name());
    let hash = content_hash(site, &docs);
    let current = |d: &Path| std::fs::read_to_string(d.join(HASH_FILE)).is_ok_and(|h| h == hash);
    if current(&dir) {
        return Ok(false);
    }
    let fail = |e: &dyn std::fmt::Display| format!("cannot write the search index {}: {e}", dir.display());
    static STAGING: AtomicUsize = AtomicUsize::new(0);
    let n = STAGING.fetch_add(1, Ordering::Relaxed);
    let staging = dir.with_file_name(format!(".staging-{}-{}-{n}", site.audience_name(), std::process::id()));
    std::fs::create_dir_all(&staging).map_err(|e| fail(&e))?;
    let written = fill(&staging, site, &docs, &hash).map_err(|e| fail(&e));
    let placed = written.and_then(|()| {
        // Move the old index aside rather than deleting it in place: a concurrent build of the
        // same repo may be swapping its own copy in at the same moment.
        let old = dir.with_file_name(format!(".old-{}-{}-{n}", site.audience_name(), std::process::id()));
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

fn fill(dir: &Path, site: &Site, docs: &[SearchDoc], hash: &str) -> Result<(), Box<dyn std::error::Error>> {
    let schema = schema();
    let index = Index::create_in_dir(dir, schema.clone())?;
    register(&index);
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 50_000_000)?;
    let field = |name: &str| schema.get_field(name).expect("field declared in schema()");
    for doc in docs {
        let mut d = TantivyDocument::default();
        d.add_text(field("path"), &doc.path);
        d.add_text(field("kind"), doc.kind.singular());
        d.add_text(field("title"), &doc.title);
        d.add_text(field("headings"), &doc.headings);
        d.add_text(field("body"), &doc.body);
        d.add_text(field("code"), &doc.code);
        for text in [&doc.title, &doc.headings, &doc.body, &doc.code] {
            d.add_text(field("words"), text);
        }
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
            d.add_date(field("date"), DateTime::from_timestamp_secs(date.unix_timestamp()));
        }
        d.add_u64(field("open"), u64::from(doc.open));
        d.add_f64(field("boost"), boost(doc, site.now));
        writer.add_document(d)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    std::fs::write(dir.join(AUDIENCE_FILE), site.audience.to_string())?;
    std::fs::write(dir.join(HASH_FILE), hash)?;
    Ok(())
}

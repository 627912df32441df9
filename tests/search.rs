//! `cairn search` against a real tantivy index of the example: what a responder types in a
//! crisis (typos, phrases, commands, filters by component, kind, severity and date) must bring
//! the expected documents first, with facet counts and snippet highlight ranges that hold.

mod common;

use cairn::model::{IncidentSeverity, Kind};
use cairn::pipeline::resolve_site;
use cairn::search::{SearchIndex, SearchQuery, SearchResults, index_dir, write_index};
use common::*;

pub fn site(audience: &str) -> cairn::site::Site {
    let opts = options(example_repo(), Some(audience), None, now());
    match resolve_site(&opts) {
        Ok((site, _)) => site,
        Err(_) => panic!("the example resolves for {audience}"),
    }
}

fn index(audience: &str) -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    assert!(write_index(dir.path(), &site(audience)).unwrap(), "a fresh root gets an index");
    let index = SearchIndex::open(&index_dir(dir.path(), audience)).unwrap();
    (dir, index)
}

fn search(index: &SearchIndex, q: SearchQuery) -> SearchResults {
    index.search(&SearchQuery { limit: if q.limit == 0 { 10 } else { q.limit }, ..q }).unwrap()
}

fn text(t: &str) -> SearchQuery {
    SearchQuery { text: t.into(), ..SearchQuery::default() }
}

fn paths(r: &SearchResults) -> Vec<&str> {
    r.hits.iter().map(|h| h.path.as_str()).collect()
}

/// `expected` are all among the first `n` hits.
#[track_caller]
fn assert_top(r: &SearchResults, n: usize, expected: &[&str]) {
    let top = &paths(r)[..n.min(r.hits.len())];
    for e in expected {
        assert!(top.contains(e), "expected {e} in the top {n}, got {:?}", paths(r));
    }
}

fn day(s: &str) -> cairn::model::Date {
    cairn::model::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).unwrap()
}

#[test]
fn responder_queries_bring_the_expected_documents_first() {
    let (_dir, idx) = index("internal");
    // The issue's own example: past incidents and the runbook that matter.
    let r = search(&idx, text("finality stall after upgrade"));
    assert_top(
        &r,
        3,
        &["incidents/2026-11-20-finality-stall/", "runbooks/finality-stall/", "postmortems/finality-stall-2026-11-20/"],
    );
    // One typo per long word still finds them.
    let r = search(&idx, text("finalty stal"));
    assert_top(&r, 3, &["incidents/2026-11-20-finality-stall/", "runbooks/finality-stall/"]);
    let r = search(&idx, text("equivocaton"));
    assert_top(&r, 3, &["runbooks/validator-key-compromise/"]);
    // A prefix, as typed so far.
    let r = search(&idx, text("load balanc"));
    assert_eq!(paths(&r)[0], "maintenance/2026-11-04-rpc-gateway-lb-migration/");
    // A config key and a command from code blocks and inline code.
    let r = search(&idx, text("proposer-max-bridge-attestations"));
    assert_top(&r, 2, &["runbooks/hotfix-feature-flag/"]);
    // An exact phrase.
    let r = search(&idx, text("\"app hash mismatch\""));
    assert_eq!(paths(&r)[0], "incidents/2026-10-27-app-hash-divergence/");
    let r = search(&idx, text("key compromise rotate"));
    assert_eq!(paths(&r)[0], "runbooks/validator-key-compromise/");
    let r = search(&idx, text("mempool spam fee spikes"));
    assert_eq!(paths(&r)[0], "runbooks/mempool-pressure/");
    // Filter by component.
    let r = search(&idx, SearchQuery { component: Some("bridge-signer".into()), ..text("signing rounds") });
    assert_eq!(paths(&r)[0], "incidents/2026-11-25-bridge-signer-timeouts/");
    assert!(r.hits.iter().all(|h| h.components.contains(&"bridge-signer".to_string())), "{:?}", paths(&r));
    // Filter by date and kind: only incidents from November on.
    let r = search(&idx, SearchQuery { kind: Some(Kind::Incident), since: Some(day("2026-11-01")), ..text("bridge") });
    assert!(!r.hits.is_empty());
    assert!(r.hits.iter().all(|h| h.kind == "incident" && h.date.as_deref() >= Some("2026-11-01")), "{:?}", paths(&r));
    assert!(!paths(&r).contains(&"incidents/2026-07-14-bridge-withdrawal-delay/"));
    let r = search(&idx, SearchQuery { until: Some(day("2026-07-14")), kind: Some(Kind::Incident), ..text("bridge") });
    assert_eq!(paths(&r), ["incidents/2026-07-14-bridge-withdrawal-delay/"]);
    // Type filter: incidents of a type and the runbooks written for it.
    let r = search(&idx, SearchQuery { incident_type: Some("bridge-halt".into()), ..text("bridge") });
    assert_top(&r, 3, &["runbooks/bridge-halt/"]);
    assert!(r.facets["type"].keys().any(|t| t == "bridge-halt") && r.total == r.facets["type"]["bridge-halt"] as usize);
    // Filters alone list matching documents, newest first.
    let r = search(&idx, SearchQuery { kind: Some(Kind::Incident), component: Some("eth-bridge".into()), ..text("") });
    let dates: Vec<_> = r.hits.iter().map(|h| h.date.clone().unwrap()).collect();
    assert!(dates.len() >= 4 && dates.is_sorted_by(|a, b| a >= b), "{dates:?}");
    assert_eq!(paths(&r)[0], "incidents/2026-11-25-bridge-signer-timeouts/");
    // Severity filter.
    let r = search(
        &idx,
        SearchQuery { severity: Some(IncidentSeverity::Sev1), kind: Some(Kind::Incident), ..text("validators") },
    );
    assert!(!r.hits.is_empty());
    assert!(r.hits.iter().all(|h| h.severity.as_deref() == Some("sev1")));
}

#[test]
fn facet_counts_cover_every_match_and_respect_filters() {
    let (_dir, idx) = index("internal");
    let r = search(&idx, SearchQuery { limit: 3, ..text("bridge") });
    assert_eq!(r.hits.len(), 3);
    assert!(r.total > 3);
    let kinds: u64 = r.facets["kind"].values().sum();
    assert_eq!(kinds as usize, r.total, "every match has one kind: {:?}", r.facets);
    assert!(r.facets["component"]["eth-bridge"] >= 4, "{:?}", r.facets["component"]);
    assert_eq!(r.facets["year"].keys().collect::<Vec<_>>(), ["2026"]);
    let incidents = r.facets["kind"]["incident"];
    let only = search(&idx, SearchQuery { kind: Some(Kind::Incident), limit: 50, ..text("bridge") });
    assert_eq!(only.total as u64, incidents);
    assert_eq!(only.facets["kind"].len(), 1);
}

#[test]
fn snippets_mark_the_matched_words() {
    let (_dir, idx) = index("internal");
    let r = search(&idx, text("withdrawals delayed"));
    let hit = &r.hits[0];
    assert_eq!(hit.path, "incidents/2026-07-14-bridge-withdrawal-delay/");
    assert!(!hit.highlights.is_empty(), "{hit:?}");
    for [start, end] in &hit.highlights {
        let word = hit.snippet[*start..*end].to_lowercase();
        assert!(word.starts_with("withdraw") || word.starts_with("delay"), "highlighted `{word}` in {}", hit.snippet);
    }
    // Code matches are shown from the code block when the prose has none.
    let r = search(&idx, text("proposer-max-bridge-attestations"));
    assert!(r.hits.iter().all(|h| !h.highlights.is_empty()), "{:?}", r.hits);
}

#[test]
fn open_and_recent_incidents_rank_a_little_higher() {
    let site = site("internal");
    let docs = cairn::search::documents(&site);
    let boost = |path: &str| cairn::search::boost(docs.iter().find(|d| d.path == path).unwrap(), site.now);
    let open = boost("incidents/2026-11-26-rpc-gateway-degradation/");
    let recent = boost("incidents/2026-11-20-finality-stall/");
    let old = boost("incidents/2026-06-09-explorer-indexer-lag/");
    assert!(open > recent && recent > old && old > 1.0, "{open} {recent} {old}");
    assert!(open < 1.6, "the boost stays mild: {open}");
    assert_eq!(boost("runbooks/finality-stall/"), 1.0);
}

#[test]
fn markdown_syntax_and_front_matter_keys_are_not_prose() {
    let site = site("internal");
    let docs = cairn::search::documents(&site);
    let doc = docs.iter().find(|d| d.path == "runbooks/hotfix-feature-flag/").unwrap();
    for syntax in ["```", "](", "## ", "incident_types:", "last_reviewed"] {
        assert!(!doc.body.contains(syntax), "`{syntax}` in the indexed prose");
    }
    assert!(
        doc.code.contains("proposer-max-bridge-attestations") || doc.body.contains("proposer-max-bridge-attestations")
    );
}

#[test]
fn the_index_is_rebuilt_only_when_content_changes() {
    let dir = tempfile::tempdir().unwrap();
    let site = site("public");
    assert!(write_index(dir.path(), &site).unwrap());
    assert!(!write_index(dir.path(), &site).unwrap(), "same content: the index is kept");
    let mut changed = site.clone();
    changed.docs[0].title.push_str(" (edited)");
    assert!(write_index(dir.path(), &changed).unwrap(), "changed content: the index is rebuilt");
    let idx = SearchIndex::open(&index_dir(dir.path(), "public")).unwrap();
    assert!(search(&idx, text("edited")).hits.iter().any(|h| h.title.ends_with("(edited)")));
}

#[test]
fn an_index_without_its_word_list_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    write_index(dir.path(), &site("public")).unwrap();
    let index = index_dir(dir.path(), "public");
    std::fs::remove_file(index.join("cairn-words")).unwrap();
    let Err(e) = SearchIndex::open(&index) else { panic!("an index without its word list opened") };
    assert!(e.contains("no word list") && e.contains("older than this cairn"), "{e}");
}

fn cairn(root: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
        .arg(args[0])
        .arg("--root")
        .arg(root)
        .args(&args[1..])
        .env("SOURCE_DATE_EPOCH", "1795694400")
        .env_remove("CI")
        .output()
        .unwrap()
}

#[test]
fn cli_searches_the_index_the_build_wrote() {
    let repo = example_copy();
    let missing = cairn(repo.path(), &["search", "finality"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cairn build"), "the error says how to get an index");
    let out = repo.path().join("out");
    for audience in ["public", "internal"] {
        let built = cairn(repo.path(), &["build", "--audience", audience, "--quiet", "-o", out.to_str().unwrap()]);
        assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
        assert!(index_dir(repo.path(), audience).join("meta.json").is_file());
    }
    // Without --audience the most trusted index answers: internal runbooks are found.
    let run = cairn(repo.path(), &["search", "--json", "--kind", "runbook", "finality", "stall"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(json["audience"], "internal");
    let hits = json["results"]["hits"].as_array().unwrap();
    assert_eq!(hits[0]["path"], "runbooks/finality-stall/");
    let snippet = hits[0]["snippet"].as_str().unwrap();
    let [start, end] =
        [&hits[0]["highlights"][0][0], &hits[0]["highlights"][0][1]].map(|v| v.as_u64().unwrap() as usize);
    assert!(
        snippet[start..end].to_lowercase().starts_with("final")
            || snippet[start..end].to_lowercase().starts_with("stall")
    );
    assert_eq!(json["results"]["facets"]["kind"], serde_json::json!({ "runbook": json["results"]["total"] }));
    // The public index has no internal runbook on finality stalls.
    let public = cairn(repo.path(), &["search", "--audience", "public", "--kind", "runbook", "finality", "stall"]);
    assert!(public.status.success());
    let text = String::from_utf8_lossy(&public.stdout);
    assert!(!text.contains("runbooks/finality-stall/") && text.contains("public index"), "{text}");
    let bad = cairn(repo.path(), &["search", "--severity", "sev9", "x"]);
    assert_eq!(bad.status.code(), Some(2));
}

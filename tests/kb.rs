//! The knowledge base for responders and reviewers, end to end on the example: action items,
//! runbook freshness and index, matrix backlinks, disclosure verdicts, metrics, `check` for CI.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

fn attr(doc: &scraper::Html, selector: &str, name: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel).filter_map(|e| e.value().attr(name).map(String::from)).collect()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn action_items_page_lists_open_items_by_owner_and_due_date() {
    let site = build_example(Some("internal"));
    let page = site.html("action-items/index.html");
    let owners: Vec<String> = texts(&page, "h2.section-title").iter().map(|t| squash(t)).collect();
    assert_eq!(owners, ["bridge-team 1", "core-devs 4", "security 2", "sre 1", "validator-ops 1"]);
    // Within an owner, earliest due first; done and won't-fix items are not listed.
    let rows: Vec<String> = texts(&page, "tr.action-item th").iter().map(|t| squash(t)).collect();
    assert_eq!(rows.len(), 9, "{rows:#?}");
    assert!(!rows.iter().any(|r| r.starts_with("Raise the propose timeout")), "won't-fix item listed");
    assert!(!rows.iter().any(|r| r.starts_with("Restore batched attestation")), "done item listed");
    let security: Vec<&String> = rows.iter().skip(5).take(2).collect();
    assert!(security[0].starts_with("Weekly scan of all storage"), "{security:?}");
    assert!(security[1].starts_with("Publish the advisory"), "{security:?}");
    // Exactly the one open item past its due date (20 Nov, built on 26 Nov) is flagged.
    let overdue: Vec<String> = texts(&page, "tr.is-overdue th").iter().map(|t| squash(t)).collect();
    assert_eq!(overdue.len(), 1);
    assert!(overdue[0].starts_with("Weekly scan"));
    assert_eq!(texts(&page, "tr.is-overdue .review-overdue"), ["Overdue by 6 days"]);
    let links = attr(&page, "tr.is-overdue a", "href");
    assert_eq!(links, ["../postmortems/key-compromise-2026-10-08/", "../runbooks/detection-and-triage/"]);
    assert!(site.path("postmortems/key-compromise-2026-10-08/index.html").exists());
    // The page is internal only, and so is every draft.
    let public = build_example(None);
    assert!(!public.path("action-items/index.html").exists());
    assert!(!public.path("postmortems/attestation-verification-draft-2026-11/index.html").exists());
    let operators = build_example(Some("operators"));
    assert!(!operators.path("action-items/index.html").exists());
}

#[test]
fn post_mortem_lifecycle_is_shown() {
    let site = build_example(Some("internal"));
    let review = site.html("postmortems/key-compromise-2026-10-08/index.html");
    assert_eq!(
        texts(&review, ".lifecycle-in-review .reviewers"),
        ["security-lead, validator-ops, validator-council, sre-lead"]
    );
    let list = site.html("postmortems/index.html");
    assert_eq!(
        texts(&list, ".row-meta .reviewers"),
        ["In review by security-lead, validator-ops, validator-council, sre-lead"]
    );
    let draft = site.html("postmortems/attestation-verification-draft-2026-11/index.html");
    let note = squash(&texts(&draft, ".lifecycle-draft").join(" "));
    assert!(note.contains("This post-mortem is draft") && note.contains("only in the internal edition"), "{note}");
}

#[test]
fn check_warns_on_overdue_items_and_reviews() {
    let warnings = build_example(Some("internal")).report.warnings;
    let found: Vec<String> =
        warnings.iter().map(|d| format!("{} {}:{}:{}", d.code, d.file, d.line, d.column)).collect();
    assert_eq!(
        found,
        [
            "action-item-overdue content/postmortems/key-compromise-2026-10-08.md:21:10",
            "review-overdue content/runbooks/mempool-pressure.md:7:16",
        ]
    );
    assert_eq!(warnings[1].message, "review overdue by 87 days (due every 90d)");
}

#[test]
fn runbook_freshness_shows_on_the_page_and_the_index() {
    let site = build_example(Some("internal"));
    let page = site.html("runbooks/mempool-pressure/index.html");
    let notice = squash(&texts(&page, ".callout-overdue").join(" "));
    // Last reviewed 2 June + 90 days = 31 August; 26 November is 87 days later.
    assert!(notice.starts_with("Review overdue by 87 days (was due 31 Aug 2026)"), "{notice}");
    let fresh = site.html("runbooks/finality-stall/index.html");
    assert!(texts(&fresh, ".callout-overdue").is_empty());
    assert_eq!(attr(&fresh, "a[href$='print/']", "href"), ["../../runbooks/finality-stall/print/"]);

    let index = site.html("runbooks/index.html");
    let titles = texts(&index, "tr.runbook-row th a");
    assert_eq!(titles.len(), 11);
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(titles, sorted, "the default order is by title");
    let overdue = texts(&index, "tr.is-overdue th a");
    assert_eq!(overdue, ["Mempool pressure: spam waves, fee spikes and dropped transactions"]);
    assert_eq!(texts(&index, "tr.is-overdue .review-overdue"), ["Review overdue by 87 days"]);

    let by_review = site.html("runbooks/by-review/index.html");
    assert_eq!(texts(&by_review, "tr.runbook-row th a")[0], overdue[0], "most overdue first");

    // Filter pages: static, one per component, incident type and owner, each listing exactly its runbooks.
    let mempool = site.html("runbooks/by-component/mempool/index.html");
    assert_eq!(
        texts(&mempool, "tr.runbook-row th a"),
        [
            "Detection thresholds and first-responder triage",
            "Finality stall: diagnose failing consensus rounds",
            "Mempool pressure: spam waves, fee spikes and dropped transactions",
            "Validator instructions: hot fix via feature flag, staged rollout and rollback"
        ]
    );
    assert_eq!(
        attr(&mempool, ".runbook-filters a[aria-current='page']", "href"),
        ["../../../runbooks/by-component/mempool/"]
    );
    let by_type = site.html("runbooks/by-type/key-compromise/index.html");
    assert_eq!(texts(&by_type, "tr.runbook-row th a").len(), 2);
    let by_owner = site.html("runbooks/by-owner/exchange-liaison/index.html");
    assert_eq!(texts(&by_owner, "tr.runbook-row th a"), ["Guidance for exchanges during a chain halt"]);
}

#[test]
fn runbooks_list_the_incidents_that_used_them_with_time_to_contain() {
    let site = build_example(Some("internal"));
    let page = site.html("runbooks/rpc-degradation/index.html");
    let rows: Vec<String> = texts(&page, ".used-in .row").iter().map(|t| squash(t)).collect();
    // Newest first: the open RPC incident, then mempool (15:40 → 17:10), then explorer (02:14 → 03:40).
    assert_eq!(rows.len(), 3, "{rows:#?}");
    assert!(rows[0].contains("Not contained yet"), "{}", rows[0]);
    assert!(rows[1].contains("27 Aug 2026 · Contained in 1 h 30 min"), "{}", rows[1]);
    assert!(rows[2].contains("9 Jun 2026 · Contained in 1 h 26 min"), "{}", rows[2]);
}

#[test]
fn every_runbook_has_a_printable_view() {
    let site = build_example(Some("internal"));
    for rb in ["finality-stall", "mempool-pressure", "pause-validators"] {
        let page = site.html(&format!("runbooks/{rb}/print/index.html"));
        assert_eq!(attr(&page, "body", "class"), ["page-print is-restricted-build"]);
        assert!(!texts(&page, ".print-sheet .prose h2").is_empty(), "{rb}: no steps");
    }
    let css = std::fs::read_to_string(site.path("assets/style.css")).unwrap();
    assert!(css.contains(".page-print .site-header"), "no print rules");
}

#[test]
fn matrix_rows_link_runbooks_and_incidents_both_ways() {
    let site = build_example(Some("internal"));
    let matrix = site.html("matrices/decision-rights/index.html");
    let heads = texts(&matrix, ".matrix-table thead th");
    assert!(heads.contains(&"Who decides and approves".to_string()) && heads.contains(&"Who to notify".to_string()));
    let row = "tr#finality-stall";
    assert_eq!(attr(&matrix, &format!("{row} a.row-anchor"), "href"), ["#finality-stall"]);
    let links = attr(&matrix, &format!("{row} td a"), "href");
    assert!(links.contains(&"../../runbooks/finality-stall/".to_string()), "{links:?}");
    assert!(links.contains(&"../../incidents/2026-11-20-finality-stall/".to_string()), "{links:?}");

    assert_eq!(attr(&matrix, &format!("{row} [data-verdict]"), "data-verdict"), ["met"]);
    assert_eq!(
        attr(&matrix, "tr#key-compromise [data-verdict]", "data-verdict"),
        ["not-public"],
        "the internal key exposure was never disclosed publicly"
    );
    let incident = site.html("incidents/2026-11-20-finality-stall/index.html");
    assert_eq!(
        attr(&incident, "a[href$='#finality-stall']", "href"),
        ["../../matrices/decision-rights/#finality-stall"]
    );
    let facts: Vec<String> = texts(&incident, "#cairn-response-title ~ dl dt");
    for label in ["Who decides", "Disclose within", "Who to notify", "Disclosure deadline"] {
        assert!(facts.contains(&label.to_string()), "{label} missing from {facts:?}");
    }
}

/// The internal build of a modified copy of the example.
fn built_copy(root: &Path, at: cairn::model::Timestamp) -> Built {
    let dir = tempfile::tempdir().unwrap();
    let report = build_into(root, Some("internal"), &dir.path().join("site"), at);
    Built { dir, report }
}

fn verdict(site: &Built, slug: &str) -> (String, String) {
    let page = site.html(&format!("incidents/{slug}/index.html"));
    let v = attr(&page, "[data-verdict]", "data-verdict");
    let label = texts(&page, "[data-verdict] strong");
    (v.first().cloned().unwrap_or_default(), label.first().cloned().unwrap_or_default())
}

#[test]
fn incident_pages_say_whether_the_disclosure_deadline_was_met() {
    let site = build_example(Some("internal"));
    // Acknowledged 14:03, disclose within 1h → 15:03; first public update 14:12.
    assert_eq!(
        verdict(&site, "2026-11-20-finality-stall"),
        ("met".into(), "Met: first public update 51 min before the deadline".into())
    );
    // Internal incident: no public update to measure.
    assert_eq!(verdict(&site, "2026-10-08-foundation-validator-key-exposure").0, "not-public");
    let public = build_example(None);
    // The matrices are internal: the public edition shows neither the row nor the verdict.
    assert_eq!(verdict(&public, "2026-11-20-finality-stall").0, "");

    let repo = example_copy();
    let matrix = repo.path().join("content/matrices/decision-rights.yaml");
    let text = std::fs::read_to_string(&matrix).unwrap();
    let text = text.replacen(
        "    respond_within: 30m\n    disclose_within: 2h\n    notify: [validators, wallets, exchanges]",
        "    respond_within: 30m\n    disclose_within: 5m\n    notify: [validators, wallets, exchanges]",
        1,
    );
    std::fs::write(&matrix, text).unwrap();
    let incident = repo.path().join("content/incidents/2026-11-26-rpc-gateway-degradation.md");
    let text = std::fs::read_to_string(&incident).unwrap().replacen(
        "visibility: public\n",
        "visibility: public\nembargo_until: 2026-12-01T00:00:00Z\n",
        1,
    );
    std::fs::write(&incident, text).unwrap();
    let built = built_copy(repo.path(), now());
    // Mempool: acknowledged 15:55, disclose within 5m → 16:00; first public update 16:05.
    assert_eq!(verdict(&built, "2026-08-27-mempool-congestion"), ("missed".into(), "Missed by 5 min".into()));
    // Embargoed until December: no public update by 26 Nov 12:00, 30 min deadline long past.
    assert_eq!(verdict(&built, "2026-11-26-rpc-gateway-degradation").0, "overdue");
    // Built at 08:40, before the 30 min deadline after acknowledgement has passed.
    let early = built_copy(repo.path(), cairn::load::parse_time("2026-11-26T08:40:00Z").unwrap());
    assert_eq!(verdict(&early, "2026-11-26-rpc-gateway-degradation").0, "pending");
}

fn metrics_json(site: &Built) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(site.path("api/metrics.json")).unwrap()).unwrap()
}

fn seconds(m: &serde_json::Value, slug: &str) -> Vec<i64> {
    let inc = m["incidents"].as_array().unwrap().iter().find(|i| i["slug"] == slug).unwrap();
    ["detect", "acknowledge", "contain", "fix", "resolve"]
        .iter()
        .map(|k| inc["seconds"][k].as_i64().unwrap_or(-1))
        .collect()
}

#[test]
fn metrics_match_hand_computed_values() {
    let site = build_example(Some("internal"));
    let m = metrics_json(&site);
    // started 13:58, detected 14:00, acknowledged 14:03, contained 14:45, fix next day 16:30, resolved 18:00.
    assert_eq!(
        seconds(&m, "2026-11-20-finality-stall"),
        [2 * 60, 3 * 60, 47 * 60, (26 * 60 + 32) * 60, (28 * 60 + 2) * 60]
    );
    // started 15:40, detected 15:52, acknowledged 15:55, contained 17:10, fix 17:45, resolved 18:55.
    assert_eq!(seconds(&m, "2026-08-27-mempool-congestion"), [12 * 60, 3 * 60, 90 * 60, 125 * 60, 195 * 60]);
    // started 02:14, detected 02:24, acknowledged 02:31, contained 03:40, fix 03:52, resolved 04:20.
    assert_eq!(seconds(&m, "2026-06-09-explorer-indexer-lag"), [10 * 60, 7 * 60, 86 * 60, 98 * 60, 126 * 60]);
    // Open incident: no containment yet.
    assert_eq!(seconds(&m, "2026-11-26-rpc-gateway-degradation")[2], -1);
    assert_eq!(m["incidents"].as_array().unwrap().len(), 10);

    let page = site.html("metrics/index.html");
    let cell =
        |slug: &str, measure: &str| texts(&page, &format!("tr[data-incident='{slug}'] td[data-measure='{measure}']"));
    assert_eq!(cell("2026-11-20-finality-stall", "contain"), ["47 min"]);
    assert_eq!(cell("2026-11-20-finality-stall", "resolve"), ["1 d 4 h"]);
    assert_eq!(cell("2026-08-27-mempool-congestion", "fix"), ["2 h 5 min"]);
    assert_eq!(attr(&page, "svg.chart", "role"), ["img", "img", "img"]);
    assert_eq!(texts(&page, "svg.chart title")[0], "Incidents per quarter");
    assert_eq!(texts(&page, "table.chart-data caption").len(), 3, "every chart has its data table");
}

#[test]
fn public_metrics_count_public_incidents_only_or_none() {
    let site = build_example(None);
    let m = metrics_json(&site);
    let slugs: Vec<&str> = m["incidents"].as_array().unwrap().iter().map(|i| i["slug"].as_str().unwrap()).collect();
    assert_eq!(
        slugs,
        [
            "2026-11-26-rpc-gateway-degradation",
            "2026-11-20-finality-stall",
            "2026-11-09-security-release-v1-8-2",
            "2026-08-27-mempool-congestion",
            "2026-07-14-bridge-withdrawal-delay",
            "2026-06-09-explorer-indexer-lag"
        ]
    );
    // 2026-Q3 publicly: bridge delay (contained after 135 min, resolved after 325) and mempool (90, 195).
    let q3 = m["by_quarter"].as_array().unwrap().iter().find(|g| g["key"] == "2026-Q3").unwrap();
    assert_eq!(q3["count"], 2);
    assert_eq!(q3["stats"]["contain"]["median"], (135 + 90) * 60 / 2);
    assert_eq!(q3["stats"]["contain"]["p90"], 135 * 60);
    assert_eq!(q3["stats"]["resolve"]["median"], (325 + 195) * 60 / 2);
    let page = site.html("metrics/index.html");
    assert_eq!(
        texts(&page, "#table-by-quarter tr[data-group='2026-Q3'] td[data-measure='contain-median']"),
        ["1 h 53 min"],
        "6750 s rounds to the nearest minute"
    );

    let sitemap = std::fs::read_to_string(site.path("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://status.example.org/metrics/</loc>"), "metrics page not in the sitemap");
    let repo = example_copy();
    let config = repo.path().join("cairn.yaml");
    let text = std::fs::read_to_string(&config).unwrap() + "metrics:\n  public: false\n";
    std::fs::write(&config, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    build_into(repo.path(), None, out.path(), now());
    assert!(!out.path().join("metrics/index.html").exists());
    assert!(!out.path().join("api/metrics.json").exists());
    let home = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(!home.contains("metrics/"), "the navigation still links the metrics page");
    let sitemap = std::fs::read_to_string(out.path().join("sitemap.xml")).unwrap();
    assert!(!sitemap.contains("metrics/"), "the sitemap still lists the metrics page");
    let internal = tempfile::tempdir().unwrap();
    build_into(repo.path(), Some("internal"), internal.path(), now());
    assert!(internal.path().join("api/metrics.json").exists(), "the setting only concerns the public build");
}

fn cairn(args: &[&str], root: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .arg("--root")
        .arg(root)
        .args(["--now", "2026-11-26T12:00:00Z"])
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn check_prints_github_annotations_and_strict_fails_on_warnings() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let (code, out) = cairn(&["check", "--format", "github"], &fixtures.join("empty-section"));
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        "::error file=content/postmortems/2026-01-10-rpc-latency.md,line=4,col=1,title=empty-section::required \
         section `## Root cause` is empty%0Apost-mortems need these sections, in this order: Summary, Impact, \
         Timeline, Root cause, Resolution, Action items\n"
    );
    let overdue = fixtures.join("action-item-overdue");
    let expected = "::warning file=content/postmortems/2026-01-10-rpc-latency.md,line=12,col=10,\
                    title=action-item-overdue::action item “Rate limit log queries per client” (sre) is overdue by 25 \
                    days%0Afinish it and set `status: done`, move `due`, or set `status: wontfix`\n";
    let (code, out) = cairn(&["check", "--format", "github"], &overdue);
    assert_eq!((code, out.as_str()), (Some(0), expected));
    let (code, out) = cairn(&["check", "--format", "github", "--strict"], &overdue);
    assert_eq!((code, out), (Some(1), expected.replace("::warning ", "::error ")));
}

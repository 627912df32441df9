//! The example knowledge base, built for real and read back as parsed HTML: every kind of page,
//! derived statuses, timelines, cross-links, backlinks, highlighting and admonitions.

mod common;

use common::*;
use scraper::{Html, Selector};
use std::path::Path;

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// Component name → status label, as the home page shows them.
fn component_statuses(home: &Html) -> Vec<(String, String)> {
    home.select(&sel(".component-row"))
        .map(|row| {
            let name = row.select(&sel(".component-name")).next().unwrap().text().collect::<String>();
            let status = row.select(&sel(".pill")).next().unwrap().text().collect::<String>();
            (name.trim().to_string(), status.trim().to_string())
        })
        .collect()
}

fn status_of(statuses: &[(String, String)], name: &str) -> String {
    statuses.iter().find(|(n, _)| n == name).map(|(_, s)| s.clone()).unwrap_or_else(|| panic!("no component {name}"))
}

#[test]
fn home_shows_derived_component_status_and_open_incidents() {
    let site = build_example(None);
    let home = site.html("index.html");
    let h1 = texts(&home, "h1");
    assert!(h1.len() == 1 && h1[0].ends_with("Partial outage"), "{h1:?}");
    let statuses = component_statuses(&home);
    // The open public RPC incident has major impact: its components are in partial outage.
    assert_eq!(status_of(&statuses, "Public RPC gateway"), "Partial outage");
    assert_eq!(status_of(&statuses, "Wallet API"), "Partial outage");
    assert_eq!(status_of(&statuses, "Block explorer"), "Partial outage");
    // A manual override wins over derivation.
    assert_eq!(status_of(&statuses, "Indexer"), "Degraded performance");
    assert_eq!(status_of(&statuses, "Consensus and finality"), "Operational");
    // Internal components are not on the public page.
    assert!(!statuses.iter().any(|(n, _)| n.contains("signer") || n.contains("sentries")), "{statuses:?}");
    // The open incidents section lists exactly the public open incident; the internal one
    // (open too, on internal components) is not there, nor anywhere on the page.
    let open = texts(&home, "section[data-live=incidents] .card-heading");
    assert_eq!(open, vec!["Elevated errors and latency on the public RPC gateway"]);
    assert!(!home.html().contains("Bridge-signer member 6"), "the internal open incident leaked onto the public home");
}

#[test]
fn internal_home_counts_internal_incidents_too() {
    let site = build_example(Some("internal"));
    let home = site.html("index.html");
    let statuses = component_statuses(&home);
    let signer = statuses.iter().find(|(n, _)| n.to_lowercase().contains("signer")).expect("internal component");
    assert_eq!(signer.1, "Degraded performance", "the open internal incident (minor) degrades it");
    // The control for the public check above: the same selector finds both open incidents here.
    let open = texts(&home, "section[data-live=incidents] .card-heading");
    assert_eq!(open.len(), 2, "{open:?}");
    assert!(open.iter().any(|t| t.starts_with("Bridge-signer member 6")), "{open:?}");
}

#[test]
fn incident_page_has_timeline_newest_first_and_cross_links() {
    let public = build_example(None);
    let page = public.html("incidents/2026-11-20-finality-stall/index.html");
    assert_eq!(texts(&page, "h1"), vec!["Finality stalled for 47 minutes on mainnet"]);
    let times = attrs(&page, ".timeline-item time", "datetime");
    assert!(times.len() >= 3, "{times:?}");
    let mut sorted = times.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(times, sorted, "updates must be newest first");
    // Newest is the post-resolution note that the post-mortem is out, then the resolution.
    assert_eq!(times[..2], ["2026-11-25T16:00:00Z", "2026-11-21T18:00:00Z"]);
    let statuses = texts(&page, ".timeline-item .timeline-status");
    assert_eq!(statuses[..2], ["Post-mortem (after resolution)", "Resolved"]);
    assert_eq!(statuses.last().unwrap(), "Investigating");
    // The internal (14:20) and operators (14:24) updates are not in the public timeline.
    assert!(!times.contains(&"2026-11-20T14:20:00Z".to_string()));
    assert!(!times.contains(&"2026-11-20T14:24:00Z".to_string()));
    let hrefs = attrs(&page, "main a", "href");
    assert!(hrefs.contains(&"../../postmortems/finality-stall-2026-11-20/".to_string()), "{hrefs:?}");
    assert!(hrefs.contains(&"../../runbooks/exchange-guidance-chain-halt/".to_string()), "{hrefs:?}");
    assert!(hrefs.contains(&"https://explorer.example.org/block/913483".to_string()), "{hrefs:?}");
    assert!(!hrefs.iter().any(|h| h.contains("matrices/")), "the internal matrix is not linked publicly");

    let internal = build_example(Some("internal"));
    let page = internal.html("incidents/2026-11-20-finality-stall/index.html");
    let times = attrs(&page, ".timeline-item time", "datetime");
    assert!(times.contains(&"2026-11-20T14:20:00Z".to_string()) && times.contains(&"2026-11-20T14:24:00Z".to_string()));
    let hrefs = attrs(&page, "main a", "href");
    let row = hrefs.iter().find(|h| h.contains("matrices/decision-rights/#finality-stall")).expect("matrix row link");
    let matrix = internal.html("matrices/decision-rights/index.html");
    assert_eq!(attrs(&matrix, "#finality-stall", "id").len(), 1, "{row} points at a row that exists");
    for rb in ["finality-stall", "hotfix-feature-flag", "pause-validators", "exchange-guidance-chain-halt"] {
        assert!(hrefs.contains(&format!("../../runbooks/{rb}/")), "runbook {rb} not linked: {hrefs:?}");
    }
}

#[test]
fn open_incident_shows_its_status_from_the_last_update() {
    let site = build_example(None);
    let page = site.html("incidents/2026-11-26-rpc-gateway-degradation/index.html");
    let facts = texts(&page, ".facts-list div");
    assert!(facts.iter().any(|f| f.starts_with("Status") && f.contains("Identified")), "{facts:?}");
    assert!(facts.contains(&"DurationOngoing".to_string()), "an open incident is ongoing: {facts:?}");
    assert!(facts.contains(&"ResolvedNot yet".to_string()), "an open incident has no resolution time: {facts:?}");
    // The control: a resolved incident's facts give the time.
    let resolved = site.html("incidents/2026-11-20-finality-stall/index.html");
    let facts = texts(&resolved, ".facts-list div");
    assert!(facts.contains(&"Resolved21 Nov 2026, 18:00 UTC".to_string()), "{facts:?}");
}

#[test]
fn runbook_page_has_toc_highlighted_code_admonitions_and_related_incidents() {
    let site = build_example(Some("internal"));
    let page = site.html("runbooks/finality-stall/index.html");
    assert_eq!(texts(&page, "h1"), vec!["Finality stall: diagnose failing consensus rounds"]);
    let code = page.select(&sel("pre.code code[class^=language-]")).count();
    assert!(code > 0, "no fenced code blocks");
    assert!(page.select(&sel("pre.code code span[class^=hl-]")).count() > 0, "code is not highlighted");
    assert!(page.select(&sel(".code-block > button.copy")).count() >= code, "every code block has a copy button");
    assert!(site.path("assets/syntax-light.css").exists() && site.path("assets/syntax-dark.css").exists());
    // Every TOC entry points at a heading of the page.
    let toc = attrs(&page, ".toc a", "href");
    assert!(!toc.is_empty(), "no table of contents");
    for href in &toc {
        let id = href.trim_start_matches('#');
        assert_eq!(page.select(&sel(&format!("[id=\"{id}\"]"))).count(), 1, "TOC entry {href} has no heading");
    }
    let related = attrs(&page, "main a", "href");
    assert!(related.contains(&"../../incidents/2026-11-20-finality-stall/".to_string()), "{related:?}");
    let mut admonitions = 0;
    for rb in std::fs::read_dir(site.path("runbooks")).unwrap() {
        let p = rb.unwrap().path().join("index.html");
        if p.exists() {
            let html = Html::parse_document(&std::fs::read_to_string(p).unwrap());
            admonitions += html.select(&sel("aside.admonition p.admonition-title")).count();
        }
    }
    assert!(admonitions > 0, "no GFM alert rendered as an admonition");
}

#[test]
fn matrix_rows_are_anchored_and_cross_linked() {
    let site = build_example(Some("internal"));
    let page = site.html("matrices/decision-rights/index.html");
    let ids = attrs(&page, "tbody tr[id]", "id");
    assert!(ids.len() >= 8, "{ids:?}");
    assert!(ids.contains(&"finality-stall".to_string()));
    let row = page.select(&sel("tr#finality-stall")).next().unwrap();
    let links: Vec<String> = row.select(&sel("a")).filter_map(|a| a.value().attr("href").map(String::from)).collect();
    assert!(links.iter().any(|l| l.contains("runbooks/finality-stall/")), "{links:?}");
    assert!(links.iter().any(|l| l.contains("incidents/2026-11-20-finality-stall/")), "{links:?}");
}

#[test]
fn backlinks_list_the_documents_linking_here() {
    let site = build_example(None);
    let page = site.html("runbooks/exchange-guidance-chain-halt/index.html");
    let back = attrs(&page, ".backlinks a", "href");
    assert!(back.contains(&"../../incidents/2026-11-20-finality-stall/".to_string()), "{back:?}");
    assert!(back.contains(&"../../subscribe/".to_string()), "{back:?}");
}

#[test]
fn postmortems_drafts_and_maintenance() {
    let public = build_example(None);
    let pm = public.html("postmortems/finality-stall-2026-11-20/index.html");
    assert!(texts(&pm, "h2").iter().any(|h| h.starts_with("Root cause")));
    assert!(!public.path("postmortems/attestation-verification-draft-2026-11").exists(), "draft published");
    let internal = build_example(Some("internal"));
    let draft = internal.html("postmortems/attestation-verification-draft-2026-11/index.html");
    assert!(texts(&draft, ".pill").iter().any(|t| t == "Draft"), "draft not marked as such");
    let mw = public.html("maintenance/2026-12-03-v1-9-0-network-upgrade/index.html");
    let hrefs = attrs(&mw, "main a", "href");
    assert!(hrefs.contains(&"https://explorer.example.org/block/1100000".to_string()), "{hrefs:?}");
    let terms = texts(&mw, ".facts-list dt, dl dt");
    assert!(
        terms.contains(&"Starts (estimated)".to_string()),
        "a height-scheduled window is labelled as an estimate: {terms:?}"
    );
    let done = public.html("maintenance/2026-11-04-rpc-gateway-lb-migration/index.html");
    assert!(texts(&done, "dl dt").contains(&"Starts".to_string()), "a window scheduled by time is not an estimate");
    let list = public.html("maintenance/index.html");
    assert!(list.html().contains("v1.9.0"), "upcoming upgrade missing from the maintenance list");
}

/// Follows every internal link of a built site: the file exists, and so does the anchor.
fn check_links(site: &Built) {
    let root = site.path("");
    let mut problems = Vec::new();
    for (rel, bytes) in site.files() {
        if !rel.ends_with(".html") || rel == "404.html" {
            continue;
        }
        let page = Html::parse_document(&String::from_utf8(bytes).unwrap());
        let dir = Path::new(&rel).parent().unwrap().to_path_buf();
        for href in attrs(&page, "a[href], link[href]", "href").into_iter().chain(attrs(&page, "script[src]", "src")) {
            if href.contains("://") || href.starts_with("mailto:") || href.starts_with("tel:") {
                continue;
            }
            let (path, anchor) = href.split_once('#').map_or((href.as_str(), None), |(p, a)| (p, Some(a)));
            let target = if path.is_empty() { Path::new(&rel).to_path_buf() } else { dir.join(path) };
            let mut file = root.join(&target);
            if path.ends_with('/') || path.is_empty() && rel.ends_with('/') || file.is_dir() {
                file = file.join("index.html");
            }
            if !file.exists() {
                problems.push(format!("{rel}: {href} → missing {}", file.display()));
                continue;
            }
            if let Some(a) = anchor.filter(|a| !a.is_empty()) {
                let html = Html::parse_document(&std::fs::read_to_string(&file).unwrap());
                if html.select(&sel(&format!("[id=\"{a}\"]"))).next().is_none() {
                    problems.push(format!("{rel}: {href} → no #{a}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_link_of_every_build_resolves() {
    check_links(&build_example(None));
    check_links(&build_example(Some("operators")));
    check_links(&build_example(Some("internal")));
}

#[test]
fn raw_html_is_escaped_unless_the_repo_allows_it() {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path();
    cairn::cli::scaffold(kb).unwrap();
    let page = "---\ntitle: Raw\nvisibility: public\n---\n<script>alert(1)</script>\n\n<b>bold</b>\n";
    std::fs::write(kb.join("content/raw.md"), page).unwrap();
    build_into(kb, None, &kb.join("out"), now());
    let html = std::fs::read_to_string(kb.join("out/raw/index.html")).unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert"));
    let config = std::fs::read_to_string(kb.join("cairn.yaml")).unwrap() + "markdown: { raw_html: true }\n";
    std::fs::write(kb.join("cairn.yaml"), config).unwrap();
    build_into(kb, None, &kb.join("out"), now());
    let html = std::fs::read_to_string(kb.join("out/raw/index.html")).unwrap();
    assert!(html.contains("<b>bold</b>"));
}

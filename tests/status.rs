//! Status outputs of the example: the Statuspage-compatible JSON against its schema, feeds,
//! calendar, badges and widget through real parsers, the history pages, and the comms CLI walking
//! an incident from `new` to resolved with a rebuild after every step.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const ENDPOINTS: [(&str, &str); 8] = [
    ("summary.json", "summary"),
    ("status.json", "status_endpoint"),
    ("components.json", "components_endpoint"),
    ("incidents.json", "incidents_endpoint"),
    ("incidents/unresolved.json", "incidents_endpoint"),
    ("scheduled-maintenances.json", "maintenances_endpoint"),
    ("scheduled-maintenances/upcoming.json", "maintenances_endpoint"),
    ("scheduled-maintenances/active.json", "maintenances_endpoint"),
];

fn validator(definition: &str) -> jsonschema::Validator {
    let path = example_root().join("tests/schemas/statuspage-v2.schema.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    schema["$ref"] = Value::String(format!("#/$defs/{definition}"));
    jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("schema: {e}"))
}

fn json(site: &Path, endpoint: &str) -> Value {
    let path = site.join("api/v2").join(endpoint);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

fn assert_valid(site: &Path) {
    for (endpoint, definition) in ENDPOINTS {
        let value = json(site, endpoint);
        let errors: Vec<String> =
            validator(definition).iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path)).collect();
        assert!(errors.is_empty(), "{endpoint} does not match `{definition}`:\n{}", errors.join("\n"));
    }
}

#[test]
fn every_endpoint_matches_its_schema_for_every_audience() {
    for audience in [None, Some("operators"), Some("internal")] {
        let built = build_example(audience);
        assert_valid(&built.path(""));
    }
}

#[test]
fn the_schema_rejects_what_statuspage_clients_would_choke_on() {
    let built = build_example(None);
    let mut summary = json(&built.path(""), "summary.json");
    summary["status"]["indicator"] = Value::String("degraded".into());
    summary["components"][0]["status"] = Value::String("down".into());
    assert!(validator("summary").iter_errors(&summary).count() >= 2);
}

#[test]
fn the_public_summary_matches_the_example() {
    let built = build_example(None);
    let site = built.path("");
    let summary = json(&site, "summary.json");
    assert_eq!(summary["status"]["indicator"], "major");
    let ids: Vec<&str> = summary["incidents"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["2026-11-26-rpc-gateway-degradation"], "only the public open incident");
    let incident = &summary["incidents"][0];
    assert_eq!(incident["shortlink"], "https://status.example.org/incidents/2026-11-26-rpc-gateway-degradation/");
    assert_eq!(incident["status"], "identified");
    let updates = incident["incident_updates"].as_array().unwrap();
    assert_eq!(updates.len(), 4, "two restricted updates are left out");
    assert_eq!(updates[0]["display_at"], "2026-11-26T11:40:00Z", "newest first");
    assert_eq!(updates[3]["affected_components"][0]["new_status"], "partial_outage");
    let components = summary["components"].as_array().unwrap();
    let group = components.iter().find(|c| c["id"] == "access").unwrap();
    assert_eq!(group["group"], true);
    assert_eq!(group["components"], serde_json::json!(["rpc-gateway", "wallet-api", "block-explorer", "indexer"]));
    let rpc = components.iter().find(|c| c["id"] == "rpc-gateway").unwrap();
    assert_eq!((rpc["status"].as_str(), rpc["group_id"].as_str()), (Some("partial_outage"), Some("access")));
    let upcoming = json(&site, "scheduled-maintenances/upcoming.json");
    assert_eq!(upcoming["scheduled_maintenances"][0]["scheduled_for"], "2026-12-03T15:30:00Z");
    assert_eq!(json(&site, "incidents.json")["incidents"].as_array().unwrap().len(), 6);
}

#[test]
fn feeds_calendar_badges_and_widget_parse() {
    let built = build_example(None);
    for ext in ["atom", "rss"] {
        let bytes = std::fs::read(built.path(&format!("feeds/incidents.{ext}"))).unwrap();
        let feed = feed_rs::parser::parse(bytes.as_slice()).unwrap_or_else(|e| panic!("{ext}: {e}"));
        assert!(feed.entries.len() >= 10, "{ext}: {} entries", feed.entries.len());
        let newest = &feed.entries[0];
        assert_eq!(
            newest.title.as_ref().unwrap().content,
            "Identified: Elevated errors and latency on the public RPC gateway"
        );
        assert!(newest.published.unwrap() >= feed.entries[1].published.unwrap());
        let per_component = std::fs::read(built.path(&format!("feeds/components/consensus.{ext}"))).unwrap();
        let feed = feed_rs::parser::parse(per_component.as_slice()).unwrap();
        assert!(feed.entries.iter().all(|e| !e.title.as_ref().unwrap().content.contains("RPC gateway")));
        assert!(!feed.entries.is_empty());
    }
    let ics = std::fs::read_to_string(built.path("calendar/maintenance.ics")).unwrap();
    let calendar: icalendar::Calendar = ics.parse().unwrap();
    let events: Vec<&icalendar::Event> = calendar.components.iter().filter_map(|c| c.as_event()).collect();
    assert_eq!(events.len(), 2);
    use icalendar::Component;
    let upgrade = events.iter().find(|e| e.get_summary().unwrap().contains("v1.9.0")).unwrap();
    assert_eq!(upgrade.property_value("DTSTART"), Some("20261203T153000Z"));
    assert!(ics.lines().all(|l| l.len() <= 76), "lines fold at 75 octets");
    for badge in ["badges/status.svg", "badges/rpc-gateway.svg", "badges/consensus.svg"] {
        let text = std::fs::read_to_string(built.path(badge)).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{badge}: {e}"));
        let title = doc.descendants().find(|n| n.has_tag_name("title")).and_then(|n| n.text()).unwrap();
        assert!(!title.is_empty());
        if badge.contains("rpc") {
            assert_eq!(title, "Public RPC gateway: Partial outage");
        }
    }
    assert!(!built.path("badges/bridge-signer.svg").exists());
    let widget = built.html("widget/index.html");
    assert_eq!(texts(&widget, ".label"), ["Partial outage"]);
    assert_eq!(
        attrs(&widget, "li a", "href"),
        ["https://status.example.org/incidents/2026-11-26-rpc-gateway-degradation/"]
    );
    assert!(std::fs::read_to_string(built.path("widget/widget.js")).unwrap().contains("data-cairn-widget"));
}

#[test]
fn the_home_has_history_bars_and_the_history_is_paginated_by_month() {
    let built = build_example(None);
    let home = built.html("index.html");
    let bars = scraper::Selector::parse("[data-component='consensus'] .history-bar > li").unwrap();
    let cells: Vec<_> = home.select(&bars).collect();
    assert_eq!(cells.len(), 90);
    let old = cells.iter().filter(|c| c.value().classes().any(|k| k == "day-old")).count();
    assert_eq!(old, 60, "narrow screens keep the last 30 days");
    let stall = cells.iter().find(|c| c.value().classes().any(|k| k == "day-critical")).expect("the 20 Nov stall");
    let link = scraper::Selector::parse("a").unwrap();
    let a = stall.select(&link).next().unwrap();
    assert_eq!(a.value().attr("href"), Some("incidents/2026-11-20-finality-stall/"));
    assert!(a.text().collect::<String>().contains("20 Nov 2026"));
    let uptime = texts(&home, "[data-component='consensus'] .uptime");
    let percent: f64 = uptime[0].split('%').next().unwrap().parse().unwrap();
    assert!(percent > 90.0 && percent < 100.0, "{uptime:?}");
    assert_eq!(texts(&home, "#cairn-uptime-note").len(), 1);
    let first = built.html("incidents/index.html");
    let months: Vec<String> = attrs(&first, "section[id^='month-']", "id");
    assert_eq!(months, ["month-2026-11", "month-2026-08", "month-2026-07"].map(String::from).to_vec());
    assert_eq!(attrs(&first, ".pagination a", "href"), ["../incidents/", "../incidents/page/2/"]);
    let second = built.html("incidents/page/2/index.html");
    assert_eq!(attrs(&second, "section[id^='month-']", "id"), ["month-2026-06"]);
    let filtered = built.html("incidents/component/eth-bridge/index.html");
    let titles = texts(&filtered, ".row-title");
    assert!(titles.iter().any(|t| t.to_lowercase().contains("bridge")), "{titles:?}");
    assert!(titles.iter().all(|t| !t.to_lowercase().contains("mempool")), "{titles:?}");
    let critical = built.html("incidents/impact/critical/index.html");
    assert_eq!(texts(&critical, ".row-title").len(), 1);
}

fn run(root: &Path, now: &str, args: &[&str]) -> (bool, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cairn"));
    c.args(args).arg("--root").arg(root).arg("--now").arg(now).env_remove("CI");
    let out = c.output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn rebuild(root: &Path, now: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build_into(root, None, &out, cairn::load::parse_time(now).unwrap());
    (dir, out)
}

#[test]
fn an_incident_walks_from_new_to_resolved() {
    let repo = example_copy();
    let root = repo.path();
    let (ok, out) = run(
        root,
        "2026-11-26T14:00:00Z",
        &[
            "new",
            "incident",
            "Consensus halted at height 999,500",
            "--impact",
            "critical",
            "--components",
            "consensus,p2p-network",
            "--severity",
            "sev1",
            "--public",
            "--message",
            "Blocks stopped at 999,500.",
        ],
    );
    assert!(ok, "{out}");
    let slug = "2026-11-26-consensus-halted-at-height-999-500";
    let rel = format!("content/incidents/{slug}.md");
    assert!(out.contains(&rel), "prints the path: {out}");
    let steps: [(&str, &[&str], &str); 4] = [
        (
            "2026-11-26T14:20:00Z",
            &["--status", "identified", "--message", "A validator bug; fix in progress."],
            "identified",
        ),
        ("2026-11-26T14:50:00Z", &["--message", "Operators are upgrading."], "identified"),
        ("2026-11-26T15:30:00Z", &["--status", "monitoring", "--message", "Blocks are produced again."], "monitoring"),
        ("2026-11-26T16:00:00Z", &["--resolve", "--message", "Finality is normal."], "resolved"),
    ];
    let (_dir, site) = rebuild(root, "2026-11-26T14:00:00Z");
    assert_valid(&site);
    assert_eq!(json(&site, "summary.json")["status"]["indicator"], "critical");
    for (n, (now, args, status)) in steps.iter().enumerate() {
        let mut all = vec!["update", slug];
        all.extend_from_slice(args);
        let (ok, out) = run(root, now, &all);
        assert!(ok, "step {n}: {out}");
        assert!(out.contains(&rel) && out.contains(&format!("`{status}`")), "{out}");
        let (_dir, site) = rebuild(root, now);
        assert_valid(&site);
        let incidents = json(&site, "incidents.json");
        let inc = incidents["incidents"].as_array().unwrap().iter().find(|i| i["id"] == slug).unwrap().clone();
        assert_eq!(inc["status"], *status);
        assert_eq!(inc["incident_updates"].as_array().unwrap().len(), n + 2);
        assert_eq!(inc["incident_updates"][0]["display_at"], *now);
        let unresolved = json(&site, "incidents/unresolved.json");
        let open = unresolved["incidents"].as_array().unwrap().iter().any(|i| i["id"] == slug);
        let home = scraper::Html::parse_document(&std::fs::read_to_string(site.join("index.html")).unwrap());
        let cards = texts(&home, "[data-live='incident-list'] .card-heading");
        let consensus = json(&site, "components.json")["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "consensus")
            .unwrap()["status"]
            .clone();
        let feed =
            feed_rs::parser::parse(std::fs::read(site.join("feeds/incidents.atom")).unwrap().as_slice()).unwrap();
        let newest = feed.entries[0].title.as_ref().unwrap().content.clone();
        if *status == "resolved" {
            assert!(!open && !cards.iter().any(|c| c.contains("999,500")), "{cards:?}");
            assert_eq!(consensus, "operational");
            assert_eq!(inc["resolved_at"], *now);
            assert_eq!(newest, "Resolved: Consensus halted at height 999,500");
        } else {
            assert!(open && cards.iter().any(|c| c.contains("999,500")), "{cards:?}");
            assert_eq!(consensus, "major_outage");
            assert!(newest.ends_with("Consensus halted at height 999,500"), "{newest}");
        }
    }
    let before = std::fs::read_to_string(root.join(&rel)).unwrap();
    let (ok, out) =
        run(root, "2026-11-26T17:00:00Z", &["update", slug, "--status", "monitoring", "--message", "again"]);
    assert!(!ok && out.contains("already resolved"), "{out}");
    assert_eq!(std::fs::read_to_string(root.join(&rel)).unwrap(), before, "nothing written");
}

#[test]
fn updates_keep_the_authors_text_and_refuse_invalid_results() {
    let repo = example_copy();
    let root = repo.path();
    let rel = "content/incidents/2026-11-26-rpc-gateway-degradation.md";
    let original = std::fs::read_to_string(root.join(rel)).unwrap();
    let now = "2026-11-26T14:00:00Z";
    let (ok, out) = run(root, now, &["update", "rpc-gateway", "--status", "investigating", "--message", "x"]);
    assert!(!ok && out.contains("--force"), "status going backwards: {out}");
    let (ok, out) =
        run(root, now, &["update", "rpc-gateway", "--message", "Too early.", "--at", "2026-11-26T08:00:00Z"]);
    assert!(!ok && out.contains("update-order") && out.contains("Nothing was written"), "{out}");
    assert_eq!(std::fs::read_to_string(root.join(rel)).unwrap(), original);
    let (ok, out) = run(
        root,
        now,
        &[
            "update",
            "rpc-gateway",
            "--status",
            "monitoring",
            "--message",
            "Errors are back to normal.\n\nWatching.",
            "--internal",
        ],
    );
    assert!(ok, "{out}");
    let edited = std::fs::read_to_string(root.join(rel)).unwrap();
    let added = "  - at: 2026-11-26T14:00:00Z\n    status: monitoring\n    visibility: internal\n    body: |-\n      Errors are back to normal.\n\n      Watching.\n";
    assert_eq!(edited.replacen(added, "", 1), original, "only the update was added");
    assert!(edited.contains(&format!("by about 18:00 UTC, after which we will return European traffic to it. Until then, users\n      in Europe may see slightly higher latency, and historical queries may be slow. Exchanges\n      can follow this incident from the [status API](@/subscribe.md#status-api).\n{added}---\n")));
}

#[test]
fn new_runbook_postmortem_and_maintenance_build() {
    let repo = example_copy();
    let root = repo.path();
    let now = "2026-11-26T14:00:00Z";
    let cases: [(&[&str], &str); 3] = [
        (
            &[
                "new",
                "runbook",
                "Restart a stuck relayer",
                "--components",
                "bridge-relayers",
                "--owners",
                "bridge-team",
            ],
            "content/runbooks/restart-a-stuck-relayer.md",
        ),
        (
            &["new", "postmortem", "2026-11-26-rpc-gateway-degradation", "--authors", "sre"],
            "content/postmortems/2026-11-26-rpc-gateway-degradation.md",
        ),
        (
            &[
                "new",
                "maintenance",
                "Archive node upgrade",
                "--components",
                "rpc-gateway",
                "--start",
                "2026-12-10T06:00:00Z",
                "--end",
                "2026-12-10T08:00:00Z",
                "--public",
            ],
            "content/maintenance/2026-12-10-archive-node-upgrade.md",
        ),
    ];
    for (args, rel) in cases {
        let (ok, out) = run(root, now, args);
        assert!(ok && out.contains(rel), "{out}");
    }
    let (ok, out) = run(root, now, &["new", "runbook", "Restart a stuck relayer"]);
    assert!(!ok && out.contains("already exists"), "{out}");
    let (ok, out) = run(root, now, &["new", "incident", "Bad component", "--components", "no-such-thing"]);
    assert!(!ok && out.contains("unknown-component"), "{out}");
    assert!(!root.join("content/incidents/2026-11-26-bad-component.md").exists());
    let (_dir, site) = rebuild(root, now);
    let upcoming = json(&site, "scheduled-maintenances/upcoming.json");
    let ids: Vec<&str> =
        upcoming["scheduled_maintenances"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"2026-12-10-archive-node-upgrade"), "{ids:?}");
    let ics = std::fs::read_to_string(site.join("calendar/maintenance.ics")).unwrap();
    let calendar: icalendar::Calendar = ics.parse().unwrap();
    assert_eq!(calendar.components.iter().filter_map(|c| c.as_event()).count(), 3);
    let filtered = scraper::Html::parse_document(
        &std::fs::read_to_string(site.join("incidents/component/rpc-gateway/index.html")).unwrap(),
    );
    assert_eq!(
        attrs(&filtered, "link[type='application/atom+xml']", "href"),
        ["../../../feeds/components/rpc-gateway.atom"]
    );
}

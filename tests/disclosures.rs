//! Real disclosures as content (tests/fixtures/disclosures): a proof-of-history outage restarted
//! from a slot, a loss of finality over two days, a chain halt after an upgrade, on three
//! networks; built, then each part of the model read back from the parsed HTML and the API.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

fn fixture() -> &'static Path {
    static COPY: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&example_root().join("tests/fixtures/disclosures"), dir.path());
        dir
    })
    .path()
}

fn build(audience: Option<&str>) -> Built {
    let dir = tempfile::tempdir().unwrap();
    let report = build_into(fixture(), audience, &dir.path().join("site"), now());
    Built { dir, report }
}

fn json(b: &Built, rel: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(b.path(rel)).unwrap()).unwrap()
}

fn incident<'a>(list: &'a Value, id: &str) -> &'a Value {
    list["incidents"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("{id}"))
}

#[test]
fn the_fixture_checks_clean() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["check", "--now", "2026-11-26T12:00:00Z", "--root"])
        .arg(fixture())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    // The one warning is the ownerless action item, as documented.
    assert!(text.contains("0 errors, 1 warning"), "{text}");
    assert!(text.contains("warning[action-item-no-owner]"), "ownerless item is warned about: {text}");
}

#[test]
fn slots_and_epochs_link_to_the_explorer_of_their_chain() {
    let b = build(None);
    let sol = b.html("incidents/2024-02-06-solana-mainnet-outage/index.html");
    assert_eq!(texts(&sol, ".chain-name"), ["Solana mainnet-beta"]);
    assert_eq!(attrs(&sol, ".halted-at a", "href"), ["https://explorer.solana.com/block/246464039"]);
    assert_eq!(attrs(&sol, ".resumed-at a", "href"), ["https://explorer.solana.com/block/246464040"]);
    assert!(texts(&sol, ".halted-at")[0].starts_with("Slot #246464039"), "{:?}", texts(&sol, ".halted-at"));
    let eth = b.html("incidents/2023-05-11-ethereum-finality/index.html");
    assert_eq!(texts(&eth, ".chain-name"), ["Ethereum mainnet"]);
    assert_eq!(attrs(&eth, ".halted-at a", "href"), ["https://beaconcha.in/epoch/200552"]);
    assert!(attrs(&eth, ".timeline .point-epoch a", "href").contains(&"https://beaconcha.in/epoch/200750".to_string()));
    let hub = b.html("incidents/2026-10-03-hub-upgrade-halt/index.html");
    assert!(texts(&hub, ".halted-at")[0].starts_with("Block #18000000"), "the chain's word for a height");
    assert_eq!(attrs(&hub, ".resumed-at a", "href"), ["https://explorer.example.net/hub/block/18000001"]);
    let api = json(&b, "api/v2/incidents.json");
    let s = &incident(&api, "2024-02-06-solana-mainnet-outage")["cairn"];
    assert_eq!(s["chain"], "solana");
    assert_eq!(s["halted_at"]["slot"], 246464039);
    assert_eq!(s["resumed_at"]["slot_url"], "https://explorer.solana.com/block/246464040");
    // Components carry their chain in the API.
    let comps = json(&b, "api/v2/components.json");
    let eth_final = comps["components"].as_array().unwrap().iter().find(|c| c["id"] == "eth-finality").unwrap();
    assert_eq!(eth_final["cairn"]["chain"], "ethereum");
}

/// Sources that disagree by minutes: the first report (09:48, exact) is before the approximate
/// start (~09:53), which the ordering rules accept; the same with an exact start is an error.
#[test]
fn approximate_times_are_ordered_as_spans() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(fixture(), dir.path());
    let file = dir.path().join("content/incidents/2024-02-06-solana-mainnet-outage.md");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("at: 2024-02-06T09:48:00Z"));
    std::fs::write(&file, text.replace("started_at: ~2024-02-06T09:53:00Z", "started_at: 2024-02-06T09:53:00Z"))
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["check", "--now", "2026-11-26T12:00:00Z", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && text.contains("2024-02-06-solana-mainnet-outage.md:15:"), "{text}");
}

#[test]
fn approximate_and_day_only_times_are_shown_as_such() {
    let b = build(None);
    let sol = b.html("incidents/2024-02-06-solana-mainnet-outage/index.html");
    let about = texts(&sol, ".timeline time.t-about");
    assert!(about.iter().any(|t| t.contains('~') || t.to_lowercase().contains("about")), "{about:?}");
    let day = texts(&sol, ".timeline time.t-day");
    assert_eq!(day.len(), 1, "the post-resolution note is dated by day only: {day:?}");
    assert!(!day[0].contains(":00"), "no invented minute: {day:?}");
    let api = json(&b, "api/v2/incidents.json");
    let inc = incident(&api, "2024-02-06-solana-mainnet-outage");
    assert_eq!(inc["cairn"]["precision"]["started_at"], "about");
    let note = inc["incident_updates"].as_array().unwrap().iter().find(|u| u["status"] == "postmortem").unwrap();
    assert_eq!(note["cairn"]["at_precision"], "day");
}

#[test]
fn post_resolution_notes_and_backfilled_incidents() {
    let b = build(None);
    let sol = b.html("incidents/2024-02-06-solana-mainnet-outage/index.html");
    assert_eq!(texts(&sol, ".timeline-item.is-note").len(), 1);
    assert!(texts(&sol, ".callout-resolved").len() == 1, "a note leaves it resolved");
    let api = json(&b, "api/v2/incidents.json");
    assert_eq!(incident(&api, "2024-02-06-solana-mainnet-outage")["status"], "postmortem");
    let back = b.html("incidents/2026-06-01-hub-rpc-backfilled/index.html");
    assert_eq!(texts(&back, ".callout-backfilled").len(), 1);
    let inc = incident(&api, "2026-06-01-hub-rpc-backfilled");
    assert_eq!(inc["cairn"]["backfilled"], true);
    assert_eq!(inc["status"], "resolved");
}

#[test]
fn component_states_per_incident_and_per_update() {
    let b = build(None);
    let eth = b.html("incidents/2023-05-11-ethereum-finality/index.html");
    let chips = texts(&eth, ".update-states li");
    assert!(chips.contains(&"Ethereum block production Partial outage".to_string()), "{chips:?}");
    let api = json(&b, "api/v2/incidents.json");
    let inc = incident(&api, "2023-05-11-ethereum-finality");
    let updates = inc["incident_updates"].as_array().unwrap();
    // Newest first, as Statuspage lists them; the first update records the incident's states.
    let first = updates.last().unwrap();
    let states: Vec<(String, String)> = first["affected_components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["code"].as_str().unwrap().into(), a["new_status"].as_str().unwrap().into()))
        .collect();
    assert!(states.contains(&("eth-finality".into(), "major_outage".into())), "{states:?}");
    assert!(states.contains(&("eth-blocks".into(), "degraded_performance".into())), "{states:?}");
    let second = &updates[1]["affected_components"];
    assert!(second.as_array().unwrap().iter().any(|a| a["code"] == "eth-blocks"
        && a["old_status"] == "degraded_performance"
        && a["new_status"] == "partial_outage"));
    // The history bars of the two components differ on 11 May 2023? Out of the 90-day window;
    // the status page shows both operational now.
    let comps = json(&b, "api/v2/components.json");
    assert!(comps["components"].as_array().unwrap().iter().all(|c| c["status"] == "operational"));
}

#[test]
fn progress_references_and_provenance() {
    let b = build(None);
    let hub = b.html("incidents/2026-10-03-hub-upgrade-halt/index.html");
    let progress = texts(&hub, ".timeline .progress-label");
    assert_eq!(progress, ["Voting power on v9.0.1: 55 % · 67 % needed"], "{progress:?}");
    assert_eq!(attrs(&hub, ".timeline .progress-threshold", "x"), ["67.0"]);
    let refs = texts(&hub, "#cairn-references-title + .references li");
    assert!(refs.iter().any(|r| r.contains("CVE") && r.contains("CVE-2026-41234")), "{refs:?}");
    assert!(attrs(&hub, ".timeline .reference-release a", "href")[0].ends_with("/v9.0.1"));
    assert_eq!(texts(&hub, ".update-source"), ["First posted on forum"]);
    let eth = b.html("incidents/2023-05-11-ethereum-finality/index.html");
    assert_eq!(texts(&eth, ".update-source"), ["First posted on X by @terencechain (third party)"]);
    let api = json(&b, "api/v2/incidents.json");
    let inc = incident(&api, "2026-10-03-hub-upgrade-halt");
    assert_eq!(inc["cairn"]["references"][0]["id"], "CVE-2026-41234");
    let u = inc["incident_updates"].as_array().unwrap().iter().find(|u| u["status"] == "identified").unwrap();
    assert_eq!(u["cairn"]["progress"]["threshold"], 67.0);
    assert_eq!(u["cairn"]["source"]["url"], "https://forum.example.net/t/v9-halt/42");
}

#[test]
fn provenance_narrower_than_its_update_stays_with_its_audience() {
    let public = build(None);
    let sol = public.html("incidents/2024-02-06-solana-mainnet-outage/index.html");
    assert!(!texts(&sol, ".update-source").iter().any(|t| t.contains("Discord")), "operators-only provenance");
    let operators = build(Some("operators"));
    let sol = operators.html("incidents/2024-02-06-solana-mainnet-outage/index.html");
    assert!(texts(&sol, ".update-source").iter().any(|t| t.contains("Discord #mb-validators")));
}

#[test]
fn internal_vocabulary_stays_off_public_pages() {
    let public = build(None);
    let hub = public.html("incidents/2026-10-03-hub-upgrade-halt/index.html");
    assert!(texts(&hub, ".badge-severity").is_empty(), "severity is not public by default");
    let api = json(&public, "api/v2/incidents.json");
    let inc = incident(&api, "2026-10-03-hub-upgrade-halt");
    assert!(inc["cairn"].get("severity").is_none() && inc["cairn"].get("type").is_none(), "{}", inc["cairn"]);
    let operators = build(Some("operators"));
    let hub = operators.html("incidents/2026-10-03-hub-upgrade-halt/index.html");
    assert!(texts(&hub, ".badge-severity").contains(&"Severity sev1".to_string()));
}

#[test]
fn finished_maintenance_by_height_shows_what_happened() {
    let b = build(None);
    let m = b.html("maintenance/2026-09-20-hub-v8-upgrade/index.html");
    let page = texts(&m, "main").join(" ");
    assert!(!page.contains("(estimated)") && !page.contains("speeds up"), "{page}");
    assert_eq!(attrs(&m, ".actual-start time", "datetime"), ["2026-09-20T15:41:00Z"]);
    assert_eq!(attrs(&m, ".actual-end time", "datetime"), ["2026-09-20T16:10:00Z"]);
    assert_eq!(attrs(&m, ".resumed-at a", "href"), ["https://explorer.example.net/hub/block/17500001"]);
    let progress = texts(&m, ".progress-label");
    assert!(progress.iter().any(|p| p.contains("91 %") && p.contains("reached")), "{progress:?}");
}

#[test]
fn postmortem_written_elsewhere_with_aliases_and_ownerless_items() {
    let b = build(None);
    let pm = b.html("postmortems/hub-upgrade-halt/index.html");
    assert_eq!(attrs(&pm, "a.external[href*='v9-halt.md']", "href").len(), 1);
    assert_eq!(texts(&pm, ".no-owner"), ["No owner yet"]);
    for alias in ["incidents/8xk2p1q9/index.html", "2026/hub-halt.html"] {
        let html = b.html(alias);
        let canonical = attrs(&html, "link[rel=canonical]", "href");
        assert_eq!(canonical, ["https://status.example.net/incidents/2026-10-03-hub-upgrade-halt/"], "{alias}");
        let target = attrs(&html, "a", "href");
        let resolved = Path::new(alias).parent().unwrap().join(&target[0]);
        let resolved = b.path(&resolved.to_string_lossy()).join("index.html");
        assert!(resolved.canonicalize().is_ok(), "{alias} → {} exists", resolved.display());
    }
}

/// One incident, two components in different states: the history bars differ accordingly.
#[test]
fn history_bars_follow_each_components_state() {
    let b = build(None);
    let home = b.html("index.html");
    let day = |component: &str| {
        attrs(
            &home,
            &format!(
                "[data-component='{component}'] .history-bar li:has(a[href='incidents/2026-10-03-hub-upgrade-halt/'])"
            ),
            "class",
        )
    };
    assert_eq!(day("hub-consensus"), ["day day-critical day-old", "day day-critical day-old"]);
    assert_eq!(day("hub-rpc"), ["day day-minor day-old", "day day-minor day-old"]);
}

/// A reference narrower than its incident reaches its audience only, on pages and in the API.
#[test]
fn references_narrower_than_their_document_stay_with_their_audience() {
    let public = build(None);
    let eth = public.html("incidents/2023-05-11-ethereum-finality/index.html");
    let refs = texts(&eth, ".references li").join(" ");
    assert!(refs.contains("Disclosure credit") && !refs.contains("Embargoed"), "{refs}");
    let api = std::fs::read_to_string(public.path("api/v2/incidents.json")).unwrap();
    assert!(!api.contains("Researcher X") && !api.contains("25,000 USDC"));
    let internal = build(Some("internal"));
    let eth = internal.html("incidents/2023-05-11-ethereum-finality/index.html");
    assert!(texts(&eth, ".references li").join(" ").contains("Embargoed bounty"));
}

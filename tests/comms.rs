//! The comms lead's whole day with the command line only: an incident opened internal, updated,
//! given an operators-only update, published at disclosure time after a preview, updated twice in
//! one second, resolved and given a post-resolution note; a maintenance window scheduled, started,
//! verified and completed. Every command runs from `content/incidents/` (cairn.yaml is found
//! upward), and after each step the public and internal sites are built and read back (the
//! Statuspage JSON and the incident's HTML page).

mod comms_repo;

use comms_repo::Repo;
use serde_json::Value;
use std::path::Path;

fn json(site: &Path, rel: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(site.join(rel)).unwrap()).unwrap()
}

/// The site's incidents (Statuspage `incidents.json`) by id.
fn incident(site: &Path, id: &str) -> Option<Value> {
    json(site, "api/v2/incidents.json")["incidents"].as_array().unwrap().iter().find(|i| i["id"] == id).cloned()
}

/// Bodies of an incident's updates, oldest first.
fn bodies(inc: &Value) -> Vec<String> {
    let mut updates: Vec<&Value> = inc["incident_updates"].as_array().unwrap().iter().collect();
    updates.reverse();
    updates.iter().map(|u| u["body"].as_str().unwrap().to_string()).collect()
}

fn component(site: &Path, id: &str) -> String {
    let summary = json(site, "api/v2/summary.json");
    let c = summary["components"].as_array().unwrap().iter().find(|c| c["id"] == id).cloned().unwrap();
    c["status"].as_str().unwrap().to_string()
}

/// The text of the incident's HTML page.
fn page_text(site: &Path, id: &str) -> String {
    let html = std::fs::read_to_string(site.join(format!("incidents/{id}/index.html"))).unwrap();
    let doc = scraper::Html::parse_document(&html);
    doc.root_element().text().collect::<Vec<_>>().join(" ")
}

const ID: &str = "2026-12-01-rpc-errors-on-the-gateway";

#[test]
fn a_whole_incident_and_a_maintenance_window_from_a_subfolder() {
    let repo = Repo::new();

    // Opened without an audience: internal, and the command says so.
    let out = repo.ok(
        &[
            "new",
            "incident",
            "RPC errors on the gateway",
            "--impact",
            "major",
            "--components",
            "rpc-gateway",
            "--started-at",
            "2026-12-01T09:55:00Z",
            "-m",
            "We are investigating errors on the RPC gateway.",
        ],
        "2026-12-01T10:00:00Z",
    );
    assert!(out.contains(&format!("incident `{ID}`")), "{out}");
    assert!(out.contains("Visible to: internal only, not public"), "{out}");
    let now = "2026-12-01T10:01:00Z";
    let (public, internal) = (repo.build("public", now), repo.build("internal", now));
    assert!(incident(&public, ID).is_none(), "an internal incident is on the public site");
    assert!(!public.join(format!("incidents/{ID}")).exists());
    let inc = incident(&internal, ID).expect("the internal site has the incident");
    assert_eq!(inc["started_at"], "2026-12-01T09:55:00Z");
    assert_eq!(component(&public, "rpc-gateway"), "operational");
    assert_eq!(component(&internal, "rpc-gateway"), "partial_outage");

    // An update, by a part of the name.
    let out = repo.ok(
        &["update", "rpc-errors", "--status", "identified", "-m", "A bad load-balancer rule."],
        "2026-12-01T10:05:00Z",
    );
    assert!(out.contains("status `identified`") && out.contains("visible to internal only, not public"), "{out}");

    // An update for operators only, while the incident is still internal: refused, and said why.
    let ran = repo.run(&["update", "rpc-errors", "--audience", "operators", "-m", "Use rpc2."], "2026-12-01T10:06:00Z");
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("publish the incident first"), "{}", ran.stderr);

    // Disclosure time: the preview lists what the public will see, and writes nothing.
    let path = format!("content/incidents/{ID}.md");
    let before = repo.file(&path);
    let out = repo.ok(&["publish", "rpc-errors", "--to", "public"], "2026-12-01T10:10:00Z");
    assert!(out.contains("What public will see that it does not see now"), "{out}");
    assert!(out.contains("| A bad load-balancer rule."), "{out}");
    assert!(out.contains("“Public RPC”: operational → partial outage"), "{out}");
    assert!(out.contains("Run the same command with --yes to publish"), "{out}");
    assert_eq!(repo.file(&path), before, "a preview wrote to the file");
    let out = repo.ok(&["publish", "rpc-errors", "--to", "public", "--yes"], "2026-12-01T10:10:00Z");
    assert!(out.contains("Published: set visibility: public"), "{out}");
    let now = "2026-12-01T10:11:00Z";
    let public = repo.build("public", now);
    let inc = incident(&public, ID).expect("the published incident is public");
    assert_eq!(bodies(&inc), ["We are investigating errors on the RPC gateway.", "A bad load-balancer rule."]);
    assert_eq!(component(&public, "rpc-gateway"), "partial_outage");

    // Now an operators-only update: operators and internal see it, the public does not.
    let out = repo.ok(
        &["update", "rpc-errors", "--audience", "operators", "-m", "Operators: point nodes at rpc2."],
        "2026-12-01T10:15:00Z",
    );
    assert!(out.contains("visible to operators and internal, not public"), "{out}");
    let (public, operators) = (repo.build("public", now), repo.build("operators", "2026-12-01T10:16:00Z"));
    assert!(!bodies(&incident(&public, ID).unwrap()).iter().any(|b| b.contains("rpc2")));
    assert!(!page_text(&public, ID).contains("rpc2"));
    assert!(bodies(&incident(&operators, ID).unwrap()).iter().any(|b| b.contains("rpc2")));
    assert!(page_text(&operators, ID).contains("point nodes at rpc2"));

    // Two updates in the same second: both kept, distinct ids, and the repo still checks clean.
    let same = "2026-12-01T10:20:07Z";
    repo.ok(&["update", "rpc-errors", "--status", "monitoring", "-m", "Rule reverted."], same);
    let out = repo.ok(&["update", "rpc-errors", "-m", "Error rate back to 0.1%."], same);
    assert!(out.contains("this one has the id `20261201-102007-2`"), "{out}");
    repo.ok(&["check"], same);
    let public = repo.build("public", same);
    let inc = incident(&public, ID).unwrap();
    let ids: Vec<&str> =
        inc["incident_updates"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    assert_eq!(inc["status"], "monitoring");

    // Resolved: the component is back, the incident is resolved in both sites.
    let out = repo.ok(&["update", "rpc-errors", "--resolve", "-m", "Resolved."], "2026-12-01T10:30:00Z");
    assert!(out.contains("Set resolved_at: 2026-12-01T10:30:00Z"), "{out}");
    let now = "2026-12-01T10:31:00Z";
    let (public, internal) = (repo.build("public", now), repo.build("internal", now));
    for site in [&public, &internal] {
        let inc = incident(site, ID).unwrap();
        assert_eq!(inc["status"], "resolved");
        assert_eq!(inc["resolved_at"], "2026-12-01T10:30:00Z");
        assert_eq!(component(site, "rpc-gateway"), "operational");
    }
    assert!(json(&public, "api/v2/incidents/unresolved.json")["incidents"].as_array().unwrap().is_empty());

    // A plain update after resolution is refused and names the note command.
    let ran = repo.run(&["update", "rpc-errors", "-m", "More."], "2026-12-02T10:00:00Z");
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("--status note"), "{}", ran.stderr);

    // Three days later: a post-resolution note, public; the incident stays resolved.
    let out = repo.ok(
        &["update", "rpc-errors", "--status", "note", "-m", "The root-cause report is published."],
        "2026-12-04T10:00:00Z",
    );
    assert!(out.contains("status `note`"), "{out}");
    repo.ok(&["check"], "2026-12-04T10:00:00Z");
    let public = repo.build("public", "2026-12-04T10:01:00Z");
    let inc = incident(&public, ID).unwrap();
    assert_eq!(inc["status"], "resolved");
    assert_eq!(bodies(&inc).last().unwrap(), "The root-cause report is published.");
    assert!(page_text(&public, ID).contains("The root-cause report is published."));
    assert_eq!(component(&public, "rpc-gateway"), "operational");

    // A maintenance window, advanced through its states.
    let out = repo.ok(
        &[
            "new",
            "maintenance",
            "Gateway upgrade",
            "--components",
            "rpc-gateway",
            "--start",
            "2026-12-10T06:00:00Z",
            "--end",
            "2026-12-10T08:00:00Z",
            "--public",
        ],
        "2026-12-05T10:00:00Z",
    );
    assert!(out.contains("Visible to: public, operators and internal"), "{out}");
    let mt = "2026-12-10-gateway-upgrade";
    let public = repo.build("public", "2026-12-05T10:01:00Z");
    let upcoming = json(&public, "api/v2/scheduled-maintenances/upcoming.json");
    assert_eq!(upcoming["scheduled_maintenances"][0]["id"], mt);
    assert_eq!(upcoming["scheduled_maintenances"][0]["status"], "scheduled");
    let status = repo.ok(&["status", "--audience", "public", "--json"], "2026-12-05T10:01:00Z");
    let status: Value = serde_json::from_str(&status).unwrap();
    assert!(status.to_string().contains(mt), "{status}");

    repo.ok(&["update", "gateway-upgrade", "--status", "in_progress", "-m", "Started."], "2026-12-10T06:01:00Z");
    let public = repo.build("public", "2026-12-10T06:02:00Z");
    let active = json(&public, "api/v2/scheduled-maintenances/active.json");
    assert_eq!(active["scheduled_maintenances"][0]["id"], mt);
    assert_eq!(active["scheduled_maintenances"][0]["status"], "in_progress");
    assert_eq!(component(&public, "rpc-gateway"), "under_maintenance");

    repo.ok(&["update", "gateway-upgrade", "--status", "verifying", "-m", "Checking."], "2026-12-10T07:00:00Z");
    let public = repo.build("public", "2026-12-10T07:01:00Z");
    let active = json(&public, "api/v2/scheduled-maintenances/active.json");
    assert_eq!(active["scheduled_maintenances"][0]["status"], "verifying");

    let out = repo.ok(&["update", "gateway-upgrade", "--resolve", "-m", "Done."], "2026-12-10T07:30:00Z");
    assert!(out.contains("Set status: completed"), "{out}");
    let (public, internal) =
        (repo.build("public", "2026-12-10T07:31:00Z"), repo.build("internal", "2026-12-10T07:31:00Z"));
    for site in [&public, &internal] {
        let active = json(site, "api/v2/scheduled-maintenances/active.json");
        assert!(active["scheduled_maintenances"].as_array().unwrap().is_empty(), "{active}");
        let all = json(site, "api/v2/scheduled-maintenances.json");
        let m = all["scheduled_maintenances"].as_array().unwrap().iter().find(|m| m["id"] == mt).cloned().unwrap();
        assert_eq!(m["status"], "completed");
        assert_eq!(component(site, "rpc-gateway"), "operational");
    }
    let html = std::fs::read_to_string(public.join(format!("maintenance/{mt}/index.html"))).unwrap();
    assert!(html.contains("Done."));
}

/// Two updates in one second, the first for operators only: the public update keeps the id its
/// time makes and the operators' one takes the suffix, so the public site is the same as if the
/// operators' update had never been written.
#[test]
fn a_hidden_update_in_the_same_second_changes_nothing_public() {
    let sites: Vec<Value> = [true, false]
        .into_iter()
        .map(|with_hidden| {
            let repo = Repo::new();
            let t0 = "2026-12-01T10:00:00Z";
            repo.ok(
                &[
                    "new",
                    "incident",
                    "RPC errors on the gateway",
                    "--components",
                    "rpc-gateway",
                    "--public",
                    "-m",
                    "Looking.",
                ],
                t0,
            );
            let same = "2026-12-01T10:20:07Z";
            if with_hidden {
                repo.ok(&["update", "rpc-errors", "--audience", "operators", "-m", "Operators: use rpc2."], same);
            }
            let out = repo.ok(&["update", "rpc-errors", "-m", "Fix deploying."], same);
            if with_hidden {
                assert!(out.contains("it now has the id `20261201-102007-2`"), "{out}");
                let text = repo.file(&format!("content/incidents/{ID}.md"));
                assert!(text.contains("id: 20261201-102007-2\n"), "{text}");
            } else {
                assert!(!out.contains("id `"), "{out}");
            }
            repo.ok(&["check"], same);
            let public = repo.build("public", same);
            let operators = repo.build("operators", same);
            let ops = incident(&operators, ID).unwrap();
            assert_eq!(ops["incident_updates"].as_array().unwrap().len(), if with_hidden { 3 } else { 2 });
            incident(&public, ID).unwrap()
        })
        .collect();
    assert_eq!(sites[0], sites[1], "the public incident differs when an operators-only update exists");
}

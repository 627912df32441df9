//! `cairn search` tells the truth about its index: it reads the index of the audience it names
//! (in words and in `--json`), and warns when that index is older than the content, as after a
//! public build that left the responders' index behind.

mod common;

use common::*;
use std::path::Path;
use std::process::{Command, Output};

const NOW: &str = "2026-11-26T12:00:00Z";

fn cairn(root: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn")).args(args).arg("--root").arg(root).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn search(root: &Path, args: &[&str]) -> (serde_json::Value, String) {
    let mut all = vec!["search", "gateway", "--kind", "incident", "--json"];
    all.extend(args);
    let out = cairn(root, &all);
    (serde_json::from_slice(&out.stdout).unwrap(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn open_gateway_incident(results: &serde_json::Value) -> Option<bool> {
    let hits = results["results"]["hits"].as_array()?;
    let hit = hits.iter().find(|h| h["path"] == "incidents/2026-11-26-rpc-gateway-degradation/")?;
    hit["open"].as_bool()
}

#[test]
fn an_index_older_than_the_content_is_named_as_such() {
    let repo = example_copy();
    let root = repo.path();
    cairn(root, &["build", "--audience", "internal", "--now", NOW, "--quiet"]);
    cairn(root, &["build", "--now", NOW, "--quiet"]);
    let (results, stderr) = search(root, &[]);
    assert_eq!(results["audience"], "internal", "the most trusted index by default, and it says so");
    assert!(!stderr.contains("older than the content"), "both indexes are current: {stderr}");
    assert_eq!(open_gateway_incident(&results), Some(true));

    // The incident is resolved and only the public site rebuilt.
    let rel = "content/incidents/2026-11-26-rpc-gateway-degradation.md";
    let later = "2026-11-26T15:00:00Z";
    cairn(
        root,
        &[
            "update",
            "2026-11-26-rpc-gateway-degradation",
            "--resolve",
            "-m",
            "Back to normal.",
            "--at",
            later,
            "--now",
            later,
        ],
    );
    cairn(root, &["build", "--now", later, "--quiet"]);

    let (stale, stderr) = search(root, &[]);
    assert_eq!(stale["audience"], "internal");
    assert!(
        stderr.contains("warning: the internal index is older than the content") && stderr.contains(rel),
        "the stale index is named, with what changed: {stderr}"
    );
    assert!(stderr.contains("cairn build --audience internal"), "{stderr}");
    let (public, stderr) = search(root, &["--audience", "public"]);
    assert_eq!(public["audience"], "public");
    assert!(!stderr.contains("older than the content"), "the public index is current: {stderr}");
    assert_eq!(open_gateway_incident(&public), Some(false), "the public index knows it is resolved");
    let human = cairn(root, &["search", "gateway", "--audience", "public"]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("(public index)"));
}

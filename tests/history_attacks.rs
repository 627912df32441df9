//! Git history against the ways a public page's history could show what the public never saw:
//! drafts on a merged branch, an embargo extended before it lifted, a withdrawn page renamed or
//! deleted later, a commit dated after the clock, files git ignores. Real repositories in temp
//! dirs, built by the real binary; every hidden sentence is a canary searched in every file.

mod common;

use common::repo::{ADA, BO, commit, git, run, write};
use common::tree;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const CONFIG: &str = "title: Test status\nbase_url: https://status.example.org\naudiences: [public, internal]\n";
const COMPONENTS: &str = "components:\n  - id: rpc\n    name: RPC gateway\n    visibility: public\n";

fn incident(visibility: &str, body: &str) -> String {
    format!(
        "---\ntitle: RPC outage\nseverity: sev2\nimpact: major\ncomponents: [rpc]\nvisibility: {visibility}\n\
         started_at: 2026-11-01T08:00:00Z\nupdates:\n  - at: 2026-11-01T08:10:00Z\n    status: investigating\n\
         \x20   body: Looking.\n---\n{body}\n"
    )
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    run(git(dir.path()).args(["init", "-q"]));
    write(dir.path(), "cairn.yaml", CONFIG);
    write(dir.path(), "content/components.yaml", COMPONENTS);
    dir
}

/// Builds `root` into a fresh folder (public audience unless `extra` says otherwise).
fn build(root: &Path, extra: &[&str]) -> (String, BTreeMap<String, Vec<u8>>) {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("site");
    let result = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["build", "--output", dest.to_str().unwrap(), "--root"])
        .arg(root)
        .args(extra)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    assert!(result.status.success(), "build failed:\n{stderr}");
    (stderr, tree(&dest))
}

/// The files of `files` that contain `word`, JSON decoded as written (escapes included).
fn holding(files: &BTreeMap<String, Vec<u8>>, word: &str) -> Vec<String> {
    files.iter().filter(|(_, b)| String::from_utf8_lossy(b).contains(word)).map(|(p, _)| p.clone()).collect()
}

fn json(files: &BTreeMap<String, Vec<u8>>, path: &str) -> serde_json::Value {
    serde_json::from_slice(&files[path]).unwrap()
}

#[test]
fn a_merged_branch_drafts_are_no_public_revision() {
    let dir = repo();
    let d = dir.path();
    let internal = "Intro.\n\n:::internal\nPaged the canary branch-draft-secret.\n:::\n";
    write(d, "content/incidents/outage.md", &incident("public", internal));
    commit(d, "Open", ADA, "2026-11-01T09:00:00Z");
    run(git(d).args(["checkout", "-q", "-b", "feature"]));
    // A draft on the branch drops the fences (the reviewer catches it), the next restores them
    // and rewords the public sentence.
    write(d, "content/incidents/outage.md", &incident("public", "Intro.\n\nPaged the canary branch-draft-secret.\n"));
    commit(d, "Draft", BO, "2026-11-01T10:00:00Z");
    write(d, "content/incidents/outage.md", &incident("public", &internal.replace("Intro.", "Intro, reworded.")));
    commit(d, "Fix in review", BO, "2026-11-01T10:10:00Z");
    run(git(d).args(["checkout", "-q", "main"]));
    run(git(d)
        .args([
            "-c",
            "user.name=Ada",
            "-c",
            "user.email=ada@example.org",
            "merge",
            "-q",
            "--no-ff",
            "feature",
            "-m",
            "Merge",
        ])
        .env("GIT_AUTHOR_DATE", "2026-11-01T11:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-01T11:00:00Z"));
    let merge = run(git(d).args(["rev-parse", "HEAD"])).trim().to_string();
    for audience in [&[][..], &["--audience", "public"][..]] {
        let (_, files) = build(d, audience);
        assert!(holding(&files, "branch-draft-secret").is_empty(), "{:?}", holding(&files, "branch-draft-secret"));
        let docs = json(&files, "api/disclosures.json")["documents"].as_array().unwrap().clone();
        let commits: Vec<String> = docs[0]["revisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["commit"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(commits.len(), 2, "the opening and the merge, no branch commit: {commits:?}");
        assert_eq!(commits[1], merge);
    }
}

#[test]
fn an_embargo_extended_before_it_lifted_never_shows_in_any_revision() {
    let dir = repo();
    let d = dir.path();
    let body = |until: &str| format!("Intro.\n\n:::public embargo_until={until}\nThe canary extended-embargo.\n:::\n");
    write(d, "content/incidents/outage.md", &incident("public", &body("2026-11-02T00:00:00Z")));
    commit(d, "Open", ADA, "2026-11-01T09:00:00Z");
    write(d, "content/incidents/outage.md", &incident("public", &body("2027-06-01T00:00:00Z")));
    commit(d, "Extend the embargo", ADA, "2026-11-01T12:00:00Z");
    write(
        d,
        "content/incidents/outage.md",
        &incident("public", &body("2027-06-01T00:00:00Z").replace("Intro.", "Intro, amended.")),
    );
    commit(d, "Amend", ADA, "2026-11-03T12:00:00Z");
    let (_, files) = build(d, &["--now", "2026-11-29T00:00:00Z"]);
    assert!(holding(&files, "extended-embargo").is_empty(), "{:?}", holding(&files, "extended-embargo"));
    // Lifted in the current revision: shown now, and in no older one.
    let (_, later) = build(d, &["--now", "2027-07-01T00:00:00Z"]);
    assert!(!holding(&later, "extended-embargo").is_empty());
    let log = String::from_utf8_lossy(&later["incidents/outage/amendments/index.html"]).into_owned();
    assert_eq!(log.matches("extended-embargo").count(), 1, "only the current revision shows it: {log}");
}

#[test]
fn a_withdrawn_page_is_listed_where_the_public_saw_it_whatever_happens_to_it_later() {
    let dir = repo();
    let d = dir.path();
    write(d, "content/incidents/outage.md", &incident("public", "Intro."));
    let open = commit(d, "Open", ADA, "2026-11-01T09:00:00Z");
    // Narrowed and renamed to a telling name in one commit.
    run(git(d).args(["mv", "content/incidents/outage.md", "content/incidents/canary-telling-name.md"]));
    write(d, "content/incidents/canary-telling-name.md", &incident("internal", "Intro."));
    let narrow = commit(d, "Narrow", BO, "2026-11-02T09:00:00Z");
    let (_, first) = build(d, &[]);
    assert!(holding(&first, "telling-name").is_empty(), "{:?}", holding(&first, "telling-name"));
    let entry = json(&first, "api/disclosures.json")["withdrawn"][0].clone();
    assert_eq!(entry["source"], "content/incidents/outage.md");
    assert_eq!(entry["commit"], narrow.as_str());
    assert_eq!(entry["deleted"], false);
    assert_eq!(entry["revisions"][0]["commit"], open.as_str());
    // Renamed again, then deleted, in hidden-only commits: the public build does not move.
    run(git(d).args(["mv", "content/incidents/canary-telling-name.md", "content/incidents/other.md"]));
    commit(d, "Rename", BO, "2026-11-03T09:00:00Z");
    let (_, renamed) = build(d, &[]);
    assert_eq!(first, renamed, "a hidden rename changed the public build");
    std::fs::remove_file(d.join("content/incidents/other.md")).unwrap();
    commit(d, "Delete", BO, "2026-11-04T09:00:00Z");
    let (_, deleted) = build(d, &[]);
    assert_eq!(first, deleted, "a hidden deletion changed the public build");
}

#[test]
fn a_commit_dated_after_the_clock_lifts_no_embargo_and_ignored_files_make_the_build_dirty() {
    let dir = repo();
    let d = dir.path();
    let body = "Intro.\n\n:::public embargo_until=2099-01-01T00:00:00Z\nThe canary future-commit.\n:::\n";
    write(d, "content/incidents/outage.md", &incident("public", body));
    commit(d, "Open", ADA, "2026-11-01T09:00:00Z");
    write(d, "content/incidents/outage.md", &incident("public", &body.replace("Intro.", "Intro, again.")));
    commit(d, "From a machine whose clock is wrong", ADA, "2099-06-01T00:00:00Z");
    let (stderr, files) = build(d, &[]);
    assert!(holding(&files, "future-commit").is_empty(), "{:?}", holding(&files, "future-commit"));
    assert!(stderr.contains("commit-in-future"), "{stderr}");
    // A file git ignores is read by the build: the build says it is dirty.
    std::fs::write(d.join(".git/info/exclude"), "content/incidents/ignored.md\n").unwrap();
    write(d, "content/incidents/ignored.md", &incident("public", "Not in git."));
    let (_, files) = build(d, &[]);
    assert_eq!(json(&files, "build.json")["dirty"], true);
}

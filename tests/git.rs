//! Git history end to end: real repositories made in temp dirs with commits of fixed times and
//! authors (and no dependence on the machine's git configuration), built by the real binary.
//! Shown dates and commits, the public amendment log and `api/disclosures.json` with their
//! hashes, that edits of hidden text make no public revision and leave no trace in any public
//! file, `--rev` reproducing an old site byte for byte, and builds without history (no repo, a
//! shallow clone) that warn and still build.

mod common;

use common::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `git` isolated from the machine's configuration.
fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"]);
    cmd
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Commits everything in `dir` as `author` at `time` (RFC 3339), returning the commit id.
fn commit(dir: &Path, message: &str, author: (&str, &str), time: &str) -> String {
    run(git(dir).args(["add", "-A"]));
    run(git(dir)
        .args(["-c", &format!("user.name={}", author.0), "-c", &format!("user.email={}", author.1)])
        .args(["commit", "-q", "--allow-empty", "-m", message])
        .env("GIT_AUTHOR_DATE", time)
        .env("GIT_COMMITTER_DATE", time));
    run(git(dir).args(["rev-parse", "HEAD"])).trim().to_string()
}

const ADA: (&str, &str) = ("Ada Responder", "ada@example.org");
const BO: (&str, &str) = ("Bo Oncall", "bo@example.org");

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const CONFIG: &str = "title: Test status\nbase_url: https://status.example.org\naudiences: [public, internal]\n\
repo_url: https://git.example.org/private/kb\n";
const COMPONENTS: &str = "components:\n  - id: rpc\n    name: RPC gateway\n    visibility: public\n\
\x20 - id: signer\n    name: Bridge signer\n    visibility: internal\n";

/// The public incident at a stage of its life: its body sentence, its hidden block and hidden
/// update texts, and whether the second public update is there.
fn incident(sentence: &str, block: &str, hidden_update: &str, second_update: bool) -> String {
    let mut updates = String::from(
        "  - at: 2026-10-31T09:10:00Z\n    status: investigating\n    body: RPC requests time out.\n\
         \x20 - at: 2026-10-31T09:20:00Z\n    status: identified\n    visibility: internal\n    body: ",
    );
    updates.push_str(hidden_update);
    updates.push('\n');
    if second_update {
        updates.push_str("  - at: 2026-10-31T10:00:00Z\n    status: monitoring\n    body: A fix is rolled out.\n");
    }
    format!(
        "---\ntitle: RPC gateway outage\nseverity: sev2\nimpact: major\ncomponents: [rpc]\nvisibility: public\n\
         started_at: 2026-10-31T09:00:00Z\nupdates:\n{updates}---\n{sentence}\n\n:::internal\n{block}\n:::\n"
    )
}

const POSTMORTEM: &str = "---\ntitle: RPC outage review\nvisibility: public\nstatus: published\n\
published_at: 2026-11-01T12:00:00Z\nincidents: [outage]\n---\n## Summary\nWhat happened.\n## Impact\nSome.\n\
## Timeline\nThen.\n## Root cause\nA bug.\n## Resolution\nFixed.\n## Action items\nNone.\n";

const RUNBOOK: &str = "---\ntitle: Restart the gateway\nowners: [ops]\n---\n## Steps\n1. Drain.\n2. Restart.\n";

/// A repository whose history has every kind of change. Commit ids by name.
struct Repo {
    dir: tempfile::TempDir,
    ids: BTreeMap<&'static str, String>,
}

impl Repo {
    fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// `hidden`: whether the commits that only change hidden text are made. The other commits are
/// the same, at the same times, in both histories.
fn history(hidden: bool) -> Repo {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run(git(d).args(["init", "-q"]));
    let mut ids = BTreeMap::new();
    let block = "Paged the on-call (canary secret-block-one).";
    let update = "Root cause is the canary hidden-update-one.";
    write(d, "cairn.yaml", CONFIG);
    write(d, "content/components.yaml", COMPONENTS);
    write(d, "content/incidents/outage.md", &incident("The gateway was down for 47 minutes.", block, update, false));
    write(d, "content/postmortems/draft-review.md", POSTMORTEM);
    write(d, "content/runbooks/restart.md", RUNBOOK);
    ids.insert("create", commit(d, "Open the RPC outage", ADA, "2026-11-01T10:00:00Z"));
    write(d, "content/incidents/outage.md", &incident("The gateway was down for 47 minutes.", block, update, true));
    ids.insert("update", commit(d, "Post the monitoring update", ADA, "2026-11-02T10:00:00Z"));
    run(git(d).args(["mv", "content/postmortems/draft-review.md", "content/postmortems/outage-review.md"]));
    ids.insert("rename", commit(d, "Rename the review", BO, "2026-11-03T10:00:00Z"));
    let block2 = "Paged the on-call twice (canary secret-block-two).";
    let update2 = "Root cause is the canary hidden-update-two.";
    if hidden {
        write(
            d,
            "content/incidents/outage.md",
            &incident("The gateway was down for 47 minutes.", block2, update, true),
        );
        ids.insert("block", commit(d, "Internal: who was paged (canary commit-message)", BO, "2026-11-04T10:00:00Z"));
        write(
            d,
            "content/incidents/outage.md",
            &incident("The gateway was down for 47 minutes.", block2, update2, true),
        );
        ids.insert("hidden-update", commit(d, "Internal: root cause", BO, "2026-11-05T10:00:00Z"));
    } else {
        write(
            d,
            "content/incidents/outage.md",
            &incident("The gateway was down for 47 minutes.", block2, update2, true),
        );
    }
    let components = COMPONENTS.replace("Bridge signer", "Bridge signer (canary hidden-component)");
    if !hidden {
        // The hidden changes come with a public one instead of in commits of their own.
        write(d, "content/runbooks/restart.md", &RUNBOOK.replace("2. Restart.", "2. Restart slowly."));
        write(d, "content/components.yaml", &components);
    }
    write(d, "content/incidents/outage.md", &incident("The gateway was down for 52 minutes.", block2, update2, true));
    ids.insert("amend", commit(d, "Correct the outage length", ADA, "2026-11-06T10:00:00Z"));
    if hidden {
        write(d, "content/runbooks/restart.md", &RUNBOOK.replace("2. Restart.", "2. Restart slowly."));
        ids.insert("runbook", commit(d, "Internal runbook fix", BO, "2026-11-07T10:00:00Z"));
        write(d, "content/components.yaml", &components);
        ids.insert("component", commit(d, "Internal: rename the signer", BO, "2026-11-07T12:00:00Z"));
    }
    Repo { dir, ids }
}

/// Runs the real binary; its exit status must be success. Returns stderr.
fn cairn(args: &[&str], root: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .arg("--root")
        .arg(root)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "cairn {args:?} failed:\n{stderr}");
    stderr
}

fn build(root: &Path, out: &Path, extra: &[&str]) -> (String, BTreeMap<String, Vec<u8>>) {
    let mut args = vec!["build", "--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let stderr = cairn(&args, root);
    (stderr, tree(out))
}

fn html(files: &BTreeMap<String, Vec<u8>>, path: &str) -> scraper::Html {
    scraper::Html::parse_document(&String::from_utf8_lossy(files.get(path).unwrap_or_else(|| panic!("no {path}"))))
}

fn json(files: &BTreeMap<String, Vec<u8>>, path: &str) -> serde_json::Value {
    serde_json::from_slice(files.get(path).unwrap_or_else(|| panic!("no {path}"))).unwrap()
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn all_text(files: &BTreeMap<String, Vec<u8>>) -> String {
    files.iter().map(|(p, b)| format!("{p}\n{}\n", String::from_utf8_lossy(b))).collect()
}

#[test]
fn public_history_shows_public_revisions_only_with_an_amendment_log_and_hashes() {
    let repo = history(true);
    let out = tempfile::tempdir().unwrap();
    let (_, files) = build(repo.path(), &out.path().join("public"), &[]);
    let id = |name: &str| repo.ids[name].clone();

    // A clean tree builds at the time of the last commit the public sees: the amendment, not the
    // later hidden runbook fix.
    let stamp = json(&files, "build.json");
    assert_eq!(stamp["commit"], id("amend"));
    assert_eq!(stamp["commit_time"], "2026-11-06T10:00:00Z");
    assert_eq!(stamp["built_at"], "2026-11-06T10:00:00Z");
    assert_eq!(stamp["dirty"], false);

    let page = html(&files, "incidents/outage/index.html");
    let line = texts(&page, ".doc-history").join(" ");
    assert!(line.contains(&format!("Updated just now · {}", &id("amend")[..7])), "{line}");
    assert!(line.contains("created 1 Nov 2026") && line.contains("amended on 6 Nov 2026"), "{line}");
    assert_eq!(attrs(&page, ".doc-history time", "datetime")[0], "2026-11-06T10:00:00Z");
    assert_eq!(attrs(&page, ".doc-history a", "href"), ["../../incidents/outage/amendments/"]);

    // The amendment log: the first publication, the new update (an addition), the amendment; no
    // hidden edit.
    let log = html(&files, "incidents/outage/amendments/index.html");
    let heads = texts(&log, ".revision-head");
    assert_eq!(heads.len(), 3, "{heads:?}");
    assert!(heads[0].contains(&id("create")[..7]) && heads[0].contains("first published"));
    assert!(heads[1].contains(&id("update")[..7]) && heads[1].contains("addition"));
    assert!(heads[2].contains(&id("amend")[..7]) && heads[2].contains("amendment"));
    let removed = texts(&log, ".diff-del");
    let added = texts(&log, ".diff-add");
    assert!(removed.iter().any(|l| l.contains("47 minutes")) && added.iter().any(|l| l.contains("52 minutes")));
    assert!(added.iter().any(|l| l.contains("A fix is rolled out.")));

    // disclosures.json: the same three revisions, and the hash of the first is that of the text
    // the log shows.
    let disclosures = json(&files, "api/disclosures.json");
    let docs = disclosures["documents"].as_array().unwrap();
    let outage = docs.iter().find(|d| d["path"] == "incidents/outage/").unwrap();
    let revisions = outage["revisions"].as_array().unwrap();
    let commits: Vec<&str> = revisions.iter().map(|r| r["commit"].as_str().unwrap()).collect();
    assert_eq!(commits, [id("create"), id("update"), id("amend")]);
    assert_eq!(outage["amended"], "2026-11-06T10:00:00Z");
    assert_eq!(outage["first_published"], "2026-11-01T10:00:00Z");
    let amendments: Vec<bool> = revisions.iter().map(|r| r["amendment"].as_bool().unwrap()).collect();
    assert_eq!(amendments, [false, false, true]);
    let first_text = texts(&log, "pre.revision-text");
    let shown: String = {
        let sel = scraper::Selector::parse("pre.revision-text").unwrap();
        log.select(&sel).next().unwrap().text().collect()
    };
    assert!(first_text[0].contains("RPC requests time out."));
    assert_eq!(revisions[0]["sha256"], sha256(&shown), "the hash is of the public text shown");
    let hashes: Vec<&str> = revisions.iter().map(|r| r["sha256"].as_str().unwrap()).collect();
    assert!(hashes.iter().all(|h| h.len() == 64) && hashes[0] != hashes[1] && hashes[1] != hashes[2]);

    // The rename is followed: the post-mortem was created with the first commit.
    let pm = html(&files, "postmortems/outage-review/index.html");
    let line = texts(&pm, ".doc-history").join(" ");
    assert!(line.contains(&id("create")[..7]) && !line.contains("amended"), "{line}");
    assert!(
        docs.iter().any(|d| d["path"] == "postmortems/outage-review/" && d["revisions"].as_array().unwrap().len() == 1)
    );

    // Nothing hidden anywhere: no hidden word, no hidden commit or its time, no author, e-mail,
    // message or repository.
    let everything = all_text(&files);
    for needle in [
        "canary",
        &id("block"),
        &id("block")[..7],
        &id("hidden-update")[..7],
        &id("runbook")[..7],
        &id("component")[..7],
        "2026-11-07T12",
        "2026-11-04T10",
        "2026-11-05T10",
        "2026-11-07T10",
        "Ada",
        "ada@example.org",
        "Bo Oncall",
        "Correct the outage length",
        "git.example.org",
    ] {
        assert!(!everything.contains(needle), "the public build shows `{needle}`");
    }
}

/// `repo_public: true` (an open repository): the public build names the repository and the
/// authors of the commits it shows, never their e-mail nor the authors of hidden commits.
#[test]
fn an_open_repository_shows_its_link_and_authors_publicly() {
    let repo = history(true);
    let d = repo.path();
    write(d, "cairn.yaml", &format!("{CONFIG}repo_public: true\nrepo_branch: release/kb\n"));
    commit(d, "The repository is open", ADA, "2026-11-08T10:00:00Z");
    let out = tempfile::tempdir().unwrap();
    let (_, files) = build(d, &out.path().join("public"), &[]);
    let page = html(&files, "incidents/outage/index.html");
    let line = texts(&page, ".doc-history").join(" ");
    assert!(line.contains("by Ada Responder"), "{line}");
    assert!(!line.contains("Bo Oncall"), "only hidden commits of the incident are Bo's: {line}");
    let links = attrs(&page, "a", "href");
    assert!(
        links.iter().any(|h| h == "https://git.example.org/private/kb/blob/release/kb/content/incidents/outage.md"),
        "the edit link opens the configured branch: {links:?}"
    );
    assert!(!all_text(&files).contains("ada@example.org"));
}

/// Replaces every commit id (full and short) by the commit's subject, so that builds of two
/// histories can be compared although the ids of commits after a hidden one differ.
fn masked(files: &BTreeMap<String, Vec<u8>>, repo: &Repo) -> BTreeMap<String, String> {
    let log = run(git(repo.path()).args(["log", "--format=%H %s"]));
    files
        .iter()
        .map(|(path, bytes)| {
            let mut text = String::from_utf8_lossy(bytes).into_owned();
            for line in log.lines() {
                let (id, subject) = line.split_once(' ').unwrap();
                text = text.replace(id, &format!("<{subject}>")).replace(&id[..7], &format!("<{subject}>"));
            }
            (path.clone(), text)
        })
        .collect()
}

#[test]
fn hidden_commits_change_nothing_in_the_public_build() {
    let (with, without) = (history(true), history(false));
    let out = tempfile::tempdir().unwrap();
    let (_, a) = build(with.path(), &out.path().join("a"), &[]);
    let (_, b) = build(without.path(), &out.path().join("b"), &[]);
    let (a, b) = (masked(&a, &with), masked(&b, &without));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    let differ: Vec<&String> = a.keys().filter(|k| a[*k] != b[*k]).collect();
    if let Some(first) = differ.first() {
        let (x, y) = (&a[*first], &b[*first]);
        let at = x.bytes().zip(y.bytes()).position(|(p, q)| p != q).unwrap_or(0);
        panic!(
            "hidden commits changed {differ:?}; {first} at {at}: {:?} / {:?}",
            &x[at.saturating_sub(80)..(at + 80).min(x.len())],
            &y[at.saturating_sub(80)..(at + 80).min(y.len())]
        );
    }
    // The internal build sees them all.
    let (_, internal) = build(with.path(), &out.path().join("internal"), &["--audience", "internal"]);
    let stamp = json(&internal, "build.json");
    assert_eq!(stamp["commit"], with.ids["component"]);
}

#[test]
fn the_internal_build_has_every_commit_with_authors_messages_and_diffs() {
    let repo = history(true);
    let out = tempfile::tempdir().unwrap();
    let (_, files) = build(repo.path(), &out.path().join("internal"), &["--audience", "internal"]);
    let page = html(&files, "incidents/outage/history/index.html");
    let heads = texts(&page, ".revision-head");
    assert_eq!(heads.len(), 5, "every commit that touched the incident: {heads:?}");
    assert!(heads[0].contains(&repo.ids["amend"][..7]) && heads[0].contains("Ada Responder"));
    assert!(heads[2].contains(&repo.ids["block"][..7]) && heads[2].contains("Bo Oncall"));
    let subjects = texts(&page, ".revision-subject");
    assert_eq!(subjects[1], "Internal: root cause");
    // The oldest revision's diff to the current text shows the hidden edits too.
    let last = texts(&page, ".revision:last-child .diff-add").join("\n");
    assert!(last.contains("canary secret-block-two") && last.contains("52 minutes"), "{last}");
    let line = texts(&html(&files, "incidents/outage/index.html"), ".doc-history").join(" ");
    assert!(line.contains("by Ada Responder, Bo Oncall") && line.contains("history (5 revisions)"), "{line}");
    // The renamed post-mortem's history has both commits.
    let pm = texts(&html(&files, "postmortems/outage-review/history/index.html"), ".revision-head");
    assert_eq!(pm.len(), 2, "{pm:?}");
    // The runbook changed after the last incident that used it started? It names none: no diff.
    assert!(texts(&html(&files, "runbooks/restart/index.html"), ".changed-since").is_empty());
}

#[test]
fn rev_rebuilds_an_old_site_byte_for_byte_beside_uncommitted_changes() {
    let repo = history(true);
    let out = tempfile::tempdir().unwrap();
    // A checkout of the old commit, built as it is.
    let old = tempfile::tempdir().unwrap();
    run(git(old.path()).arg("clone").arg("-q").arg(repo.path()).arg("checkout"));
    let checkout = old.path().join("checkout");
    run(git(&checkout).args(["checkout", "-q", "--detach", &repo.ids["update"]]));
    let (_, expected) = build(&checkout, &out.path().join("expected"), &[]);
    assert_eq!(json(&expected, "build.json")["commit"], repo.ids["update"]);
    // The same commit read from the object database of a repository with uncommitted changes.
    write(repo.path(), "content/incidents/outage.md", "---\nbroken\n");
    let (_, rebuilt) = build(repo.path(), &out.path().join("rev"), &["--rev", &repo.ids["update"][..10]]);
    let differ: Vec<&String> = expected.keys().filter(|k| expected.get(*k) != rebuilt.get(*k)).collect();
    assert_eq!(expected.len(), rebuilt.len());
    assert!(differ.is_empty(), "--rev differs from a checkout in {differ:?}");
    // From a bare clone too.
    let bare = old.path().join("bare.git");
    run(git(old.path()).arg("clone").arg("-q").arg("--bare").arg(repo.path()).arg(&bare));
    let (_, from_bare) = build(&bare, &out.path().join("bare"), &["--rev", &repo.ids["update"]]);
    assert!(expected == from_bare, "--rev in a bare repository differs");
    // A revision that names nothing is a usage error.
    let bad = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["build", "--rev", "no-such-branch", "--root"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("names no commit"));
}

#[test]
fn uncommitted_changes_are_stamped_and_builds_without_history_warn_and_build() {
    let repo = history(true);
    let out = tempfile::tempdir().unwrap();
    write(repo.path(), "content/pages/new.md", "---\ntitle: New page\n---\nDraft.\n");
    let (stderr, files) = build(repo.path(), &out.path().join("dirty"), &[]);
    assert!(!stderr.contains("history-missing"), "{stderr}");
    let stamp = json(&files, "build.json");
    assert_eq!(stamp["dirty"], true);
    assert_eq!(stamp["commit"], repo.ids["amend"]);
    assert_ne!(stamp["built_at"], stamp["commit_time"], "a dirty tree builds at the clock's time");
    let line = texts(&html(&files, "pages/new/index.html"), ".doc-history").join(" ");
    assert!(line.contains("uncommitted changes"), "{line}");

    // A shallow clone: one commit of history, said once.
    let clones = tempfile::tempdir().unwrap();
    let shallow = clones.path().join("shallow");
    run(git(clones.path())
        .args(["clone", "-q", "--depth", "1"])
        .arg(format!("file://{}", repo.path().display()))
        .arg(&shallow));
    let (stderr, files) = build(&shallow, &out.path().join("shallow"), &[]);
    assert_eq!(stderr.matches("shallow clone").count(), 1, "{stderr}");
    let line = texts(&html(&files, "incidents/outage/index.html"), ".doc-history").join(" ");
    // The one commit of the clone stands for every file's creation.
    assert!(line.contains(&repo.ids["component"][..7]), "{line}");

    // No repository at all.
    let plain = clones.path().join("plain");
    copy_tree(repo.path(), &plain);
    std::fs::remove_dir_all(plain.join(".git")).ok();
    let (stderr, files) = build(&plain, &out.path().join("plain"), &["--now", "2026-11-26T12:00:00Z"]);
    assert_eq!(stderr.matches("not in a git repository").count(), 1, "{stderr}");
    assert!(!files.contains_key("api/disclosures.json"));
    assert!(json(&files, "build.json").get("commit").is_none());
    assert!(texts(&html(&files, "incidents/outage/index.html"), ".doc-history").is_empty());
}

#[test]
fn a_clean_checkout_builds_the_same_bytes_twice_and_skips_the_second_build() {
    let repo = history(true);
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("public");
    let (_, first) = build(repo.path(), &target, &[]);
    let stderr = cairn(&["build", "--output", target.to_str().unwrap()], repo.path());
    assert!(stderr.contains("is up to date"), "{stderr}");
    let again = tempfile::tempdir().unwrap();
    let (_, second) = build(repo.path(), &again.path().join("public"), &[]);
    assert!(first == second, "a clean tree must build the same bytes every time");
    // A new commit that changes nothing the public sees leaves the public build as it was.
    write(repo.path(), "content/runbooks/restart.md", RUNBOOK);
    commit(repo.path(), "Internal: revert the runbook fix", BO, "2026-11-08T10:00:00Z");
    let third = tempfile::tempdir().unwrap();
    let (_, after) = build(repo.path(), &third.path().join("public"), &[]);
    assert!(first == after, "a hidden commit changed the public build");
}

/// A branch's commits are older than the merge that brings them in: the stamp is the commit
/// whose tree the build equals (the merge), not the newest commit by time, so `--rev` of the
/// stamped commit rebuilds the same site.
#[test]
fn a_merged_branch_stamps_the_merge_and_its_rev_rebuilds_the_same_site() {
    let repo = history(false);
    let d = repo.path();
    run(git(d).args(["checkout", "-q", "-b", "runbook-fix", &repo.ids["amend"]]));
    write(d, "content/pages/about.md", "---\ntitle: About\nvisibility: public\n---\nWritten on a branch.\n");
    let branch = commit(d, "About page, written on a branch", BO, "2026-11-08T10:00:00Z");
    run(git(d).args(["checkout", "-q", "main"]));
    write(d, "content/runbooks/restart.md", &RUNBOOK.replace("2. Restart.", "2. Restart after draining."));
    let newest = commit(d, "Runbook edit on main, after the branch's commit", ADA, "2026-11-09T10:00:00Z");
    run(git(d)
        .args(["-c", "user.name=Di Lead", "-c", "user.email=di@example.org"])
        .args(["merge", "-q", "--no-ff", "--no-edit", "runbook-fix"])
        .env("GIT_AUTHOR_DATE", "2026-11-10T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-10T10:00:00Z"));
    let merge = run(git(d).args(["rev-parse", "HEAD"])).trim().to_string();
    // A commit after the merge that changes no input does not move the stamp either.
    write(d, "notes.txt", "not an input\n");
    commit(d, "Notes outside the inputs", ADA, "2026-11-11T10:00:00Z");
    let out = tempfile::tempdir().unwrap();
    for audience in ["public", "internal"] {
        let (_, files) = build(d, &out.path().join(audience), &["--audience", audience]);
        assert!(files.contains_key("pages/about/index.html"), "{audience}: the merged page is built");
        let stamp = json(&files, "build.json");
        assert_eq!(stamp["commit"], merge, "{audience}: stamped with the merge, not {newest} nor {branch}");
        assert_eq!(stamp["commit_time"], "2026-11-10T10:00:00Z");
        let (_, again) =
            build(d, &out.path().join(format!("{audience}-rev")), &["--audience", audience, "--rev", &merge]);
        let differ: Vec<&String> =
            files.keys().chain(again.keys()).filter(|k| files.get(*k) != again.get(*k)).collect();
        assert!(differ.is_empty(), "{audience}: --rev of the stamped commit differs in {differ:?}");
    }
}

/// Freshness: a runbook without `last_reviewed` counts from its last change in git, so one with
/// a review cadence becomes overdue; without git it has no date to count from.
#[test]
fn a_runbook_never_reviewed_is_due_from_its_last_change_in_git() {
    let repo = history(true);
    let d = repo.path();
    // Restart's last change is the commit "runbook" of 2026-11-07; 30 days later is 2026-12-07.
    let cadence = RUNBOOK
        .replace("2. Restart.", "2. Restart slowly.")
        .replace("owners: [ops]", "owners: [ops]\nreview_every: 30d");
    write(d, "content/runbooks/restart.md", &cadence);
    let touched = commit(d, "Review cadence for the restart runbook", ADA, "2026-11-08T09:00:00Z");
    let out = tempfile::tempdir().unwrap();
    let now = ["--audience", "internal", "--now", "2026-12-20T12:00:00Z"];
    let (_, files) = build(d, &out.path().join("git"), &now);
    let page = html(&files, "runbooks/restart/index.html");
    let overdue = texts(&page, ".callout-overdue").join(" ");
    // Its last change is the commit that set the cadence: due 2026-12-08, 12 days before now.
    assert!(overdue.contains("Review overdue by 12 days"), "{overdue} (last change {touched})");
    assert!(texts(&page, "dd").iter().any(|t| t.starts_with("Never; last changed")), "{:?}", texts(&page, "dd"));
    let list = html(&files, "runbooks/index.html");
    assert!(texts(&list, ".runbook-row .review-overdue").iter().any(|t| t.contains("12 days")));
    // The same files without git: nothing to count from.
    let plain = tempfile::tempdir().unwrap();
    copy_tree(d, plain.path());
    std::fs::remove_dir_all(plain.path().join(".git")).ok();
    let (_, files) = build(plain.path(), &out.path().join("plain"), &now);
    let page = html(&files, "runbooks/restart/index.html");
    assert!(texts(&page, ".callout-overdue").is_empty());
}

/// The example repository's own history shows on the example site. (The committed `public/`
/// is checked against a clone in `tests/output.rs`.)
#[test]
fn the_example_site_shows_its_own_history() {
    let root = example_root();
    if !root.join(".git").exists() {
        panic!("the example's history lives in git: run the tests in a clone of the repository");
    }
    let head = run(git(&root).args(["rev-parse", "HEAD"])).trim().to_string();
    let clone = tempfile::tempdir().unwrap();
    let dir: PathBuf = clone.path().join("repo");
    run(git(clone.path()).arg("clone").arg("-q").arg("--no-checkout").arg(&root).arg(&dir));
    let out = tempfile::tempdir().unwrap();
    let (_, files) = build(&dir, &out.path().join("internal"), &["--rev", &head, "--audience", "internal"]);
    let page = html(&files, "runbooks/bridge-halt/index.html");
    let line = texts(&page, ".doc-history").join(" ");
    assert!(line.starts_with("Updated") && line.contains("history ("), "{line}");
    let history = html(&files, "runbooks/bridge-halt/history/index.html");
    assert!(!texts(&history, ".revision-head").is_empty());
    let stamp = json(&files, "build.json");
    assert_eq!(stamp["dirty"], false);
    assert!(stamp["commit"].as_str().is_some_and(|c| c.len() == 40));
}

#[test]
fn check_warns_when_a_runbook_changed_after_its_last_review() {
    let repo = history(true);
    let d = repo.path();
    let reviewed = |date: &str, step: &str| {
        format!(
            "---\ntitle: Restart the gateway\nowners: [ops]\nlast_reviewed: {date}\n---\n## Steps\n1. Drain.\n2. {step}\n"
        )
    };
    write(d, "content/runbooks/restart.md", &reviewed("2026-11-08", "Restart."));
    commit(d, "Review the restart runbook", ADA, "2026-11-08T10:00:00Z");
    let check = || {
        let out = Command::new(env!("CARGO_BIN_EXE_cairn")).args(["check", "--root"]).arg(d).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    assert!(!check().contains("changed-since-review"), "{}", check());
    // A runbook reviewed before it was brought into git: adding it is no change after the review.
    write(
        d,
        "content/runbooks/imported.md",
        &reviewed("2026-05-01", "Restart.").replace("Restart the gateway", "Imported"),
    );
    commit(d, "Move the old runbooks into git", ADA, "2026-11-09T10:00:00Z");
    assert!(!check().contains("changed-since-review"), "{}", check());
    write(d, "content/runbooks/restart.md", &reviewed("2026-11-08", "Restart and watch the logs."));
    let changed = commit(d, "Watch the logs", BO, "2026-11-10T10:00:00Z");
    let report = check();
    assert!(
        report.contains("warning[changed-since-review]")
            && report.contains(&changed[..7])
            && report.contains("changed on 2026-11-10"),
        "{report}"
    );
    // Moving `last_reviewed` alone is the review: no warning.
    write(d, "content/runbooks/restart.md", &reviewed("2026-11-11", "Restart and watch the logs."));
    commit(d, "Reviewed", ADA, "2026-11-11T10:00:00Z");
    assert!(!check().contains("changed-since-review"), "{}", check());
}

#[test]
fn an_embargo_lifting_is_no_revision_and_appended_text_no_amendment() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run(git(d).args(["init", "-q"]));
    write(d, "cairn.yaml", CONFIG);
    write(d, "content/components.yaml", COMPONENTS);
    let page = |extra: &str| format!("---\ntitle: Disclosure\nvisibility: public\n---\nWe fixed a bug.\n{extra}");
    write(d, "content/pages/disclosure.md", &page(""));
    let first = commit(d, "Publish", ADA, "2026-11-01T10:00:00Z");
    write(
        d,
        "content/pages/disclosure.md",
        &page("\n:::public embargo_until=2026-12-01T00:00:00Z\nThe bug was in vexillum.\n:::\n"),
    );
    let second = commit(d, "Prepare the full disclosure", ADA, "2026-11-02T10:00:00Z");
    let out = tempfile::tempdir().unwrap();
    let revisions = |now: &str, name: &str| {
        let (_, files) = build(d, &out.path().join(name), &["--now", now]);
        let doc = json(&files, "api/disclosures.json")["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["path"] == "pages/disclosure/")
            .cloned()
            .unwrap();
        let list: Vec<(String, bool)> = doc["revisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["commit"].as_str().unwrap().to_string(), r["amendment"].as_bool().unwrap()))
            .collect();
        (list, all_text(&files))
    };
    let (before, text) = revisions("2026-11-20T00:00:00Z", "before");
    assert_eq!(before, [(first.clone(), false)], "the embargoed text is no public revision yet");
    assert!(!text.contains("vexillum") && !text.contains(&second[..7]));
    let (after, text) = revisions("2026-12-02T00:00:00Z", "after");
    assert_eq!(after, [(first, false), (second, false)], "shown once the embargo lifted, an addition");
    assert!(text.contains("vexillum"));
}

#[test]
fn uncommitted_edits_of_hidden_text_leave_the_public_build_clean_and_byte_identical() {
    let repo = history(true);
    let out = tempfile::tempdir().unwrap();
    let (_, clean) = build(repo.path(), &out.path().join("clean"), &[]);
    // Uncommitted: a rewording inside the internal block and of the hidden update of the public
    // incident, a new internal runbook, and the internal runbook removed.
    let block = "Paged everyone (canary dirty-block).";
    let update = "Root cause is the canary dirty-update.";
    write(
        repo.path(),
        "content/incidents/outage.md",
        &incident("The gateway was down for 52 minutes.", block, update, true),
    );
    write(repo.path(), "content/runbooks/new.md", &RUNBOOK.replace("Restart the gateway", "Canary dirty-runbook"));
    std::fs::remove_file(repo.path().join("content/runbooks/restart.md")).unwrap();
    let (_, dirty) = build(repo.path(), &out.path().join("dirty"), &[]);
    assert_eq!(json(&dirty, "build.json")["dirty"], false, "hidden edits only: the public build is the commit's");
    let differ: Vec<&String> = clean.keys().chain(dirty.keys()).filter(|k| clean.get(*k) != dirty.get(*k)).collect();
    assert!(differ.is_empty(), "hidden uncommitted edits changed public files: {differ:?}");
    // The internal build sees them: dirty, at the clock's time.
    let (_, internal) = build(repo.path(), &out.path().join("internal"), &["--audience", "internal"]);
    assert_eq!(json(&internal, "build.json")["dirty"], true);
    assert!(all_text(&internal).contains("dirty-block"));
    // A visible edit makes the public build dirty.
    write(
        repo.path(),
        "content/incidents/outage.md",
        &incident("The gateway was down for 53 minutes.", block, update, true),
    );
    let (_, visible) = build(repo.path(), &out.path().join("visible"), &[]);
    assert_eq!(json(&visible, "build.json")["dirty"], true);
}

#[test]
fn documents_the_public_saw_stay_listed_when_narrowed_or_deleted_and_hidden_edits_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run(git(d).args(["init", "-q"]));
    write(d, "cairn.yaml", CONFIG);
    write(d, "content/components.yaml", COMPONENTS);
    let page = |title: &str, visibility: &str, text: &str| {
        format!("---\ntitle: {title}\nvisibility: {visibility}\n---\n{text}\n")
    };
    write(d, "content/pages/leak.md", &page("Key leak notice", "public", "Rotate your keys."));
    write(d, "content/pages/old.md", &page("Old notice", "public", "Nothing to do."));
    write(d, "content/pages/secret.md", &page("Internal only", "internal", "canary never-public"));
    let publish = commit(d, "Publish the notices", ADA, "2026-11-01T10:00:00Z");
    write(d, "content/pages/leak.md", &page("Key leak notice", "internal", "Rotate your keys."));
    let narrow = commit(d, "Narrow the leak notice", BO, "2026-11-02T10:00:00Z");
    std::fs::remove_file(d.join("content/pages/old.md")).unwrap();
    std::fs::remove_file(d.join("content/pages/secret.md")).unwrap();
    let delete = commit(d, "Remove the old notice", BO, "2026-11-03T10:00:00Z");
    let out = tempfile::tempdir().unwrap();
    let (_, files) = build(d, &out.path().join("a"), &[]);
    let withdrawn = json(&files, "api/disclosures.json")["withdrawn"].as_array().unwrap().clone();
    let entry = |source: &str| withdrawn.iter().find(|w| w["source"] == source).cloned();
    let leak = entry("content/pages/leak.md").expect("the narrowed page is listed");
    assert_eq!(leak["title"], "Key leak notice");
    assert_eq!(leak["commit"], narrow.as_str());
    assert_eq!(leak["withdrawn"], "2026-11-02T10:00:00Z");
    assert_eq!(leak["deleted"], false);
    assert_eq!(leak["revisions"][0]["commit"], publish.as_str());
    let old = entry("content/pages/old.md").expect("the deleted page is listed");
    assert_eq!(old["commit"], delete.as_str());
    assert_eq!(old["deleted"], true);
    assert!(entry("content/pages/secret.md").is_none(), "never public, never listed: {withdrawn:?}");
    assert!(!all_text(&files).contains("never-public"));
    // Editing the now internal page changes nothing public, disclosures included.
    write(d, "content/pages/leak.md", &page("Key leak notice", "internal", "Rotate your keys (canary later-edit)."));
    commit(d, "Internal follow-up", BO, "2026-11-04T10:00:00Z");
    let (_, again) = build(d, &out.path().join("b"), &[]);
    assert_eq!(files, again, "a hidden edit of a withdrawn page changed the public build");
}

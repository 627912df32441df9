//! The mistakes a comms lead makes under pressure, each answered with one exact message that
//! names the cause, where it is and how to fix it, and an exit code: 2 for a command to correct,
//! 1 for the knowledge base (or its state) refusing it. Nothing is written when refused.

mod comms_repo;

use comms_repo::{INCIDENT, INCIDENT_PATH, Repo};

const NOW: &str = "2026-12-01T12:00:00Z";

fn repo_with_incident() -> Repo {
    let repo = Repo::new();
    repo.write(INCIDENT_PATH, INCIDENT);
    repo
}

/// Runs a command that must fail with `code`, print `stderr` exactly, and change no file.
fn refused(repo: &Repo, args: &[&str], code: i32, stderr: &str) {
    let before = repo.file(INCIDENT_PATH);
    let ran = repo.run(args, NOW);
    assert_eq!((ran.code, ran.stderr.as_str()), (code, stderr), "cairn {args:?}; stdout:\n{}", ran.stdout);
    assert_eq!(repo.file(INCIDENT_PATH), before, "a refused command wrote");
}

#[test]
fn an_update_in_the_future_is_refused_unless_forced() {
    let repo = repo_with_incident();
    refused(
        &repo,
        &["update", "rpc-errors", "-m", "Typo in the year.", "--at", "2027-12-01T12:30:00Z"],
        2,
        "error: the update's time 2027-12-01T12:30:00Z is in the future (now is 2026-12-01T12:00:00Z)\n  \
         help: check the date and the offset; pass --force if it is meant to be in the future\n",
    );
}

#[test]
fn a_forced_future_update_is_named_where_it_is_by_the_next_update_and_warned_by_check() {
    let repo = repo_with_incident();
    repo.ok(&["update", "rpc-errors", "-m", "Planned.", "--at", "2026-12-01T13:00:00Z", "--force"], NOW);
    refused(
        &repo,
        &["update", "rpc-errors", "-m", "Now."],
        1,
        "error: the latest update of 2026-12-01-rpc-errors is dated 2026-12-01T13:00:00Z, in the future (now is \
         2026-12-01T12:00:00Z), at content/incidents/2026-12-01-rpc-errors.md:12:9\n  \
         help: fix its time (`cairn check` warns about times in the future), then post this update\n",
    );
    let text = repo.file(INCIDENT_PATH);
    assert_eq!(text.lines().nth(11), Some("  - at: 2026-12-01T13:00:00Z"), "line 12 is not the future update:\n{text}");
    let ran = repo.run(&["check"], NOW);
    assert_eq!(ran.code, 0, "a warning fails check");
    assert!(
        ran.stdout.contains(
            "content/incidents/2026-12-01-rpc-errors.md:12:9: warning[future-time]: this update is in the future: \
             2026-12-01T13:00:00Z (now is 2026-12-01T12:00:00Z)\n"
        ),
        "{}{}",
        ran.stdout,
        ran.stderr
    );
}

#[test]
fn an_incident_starting_in_the_future_is_refused() {
    let repo = repo_with_incident();
    refused(
        &repo,
        &["new", "incident", "Halt", "-m", "Halted.", "--started-at", "2026-12-02T11:00:00Z"],
        2,
        "error: --started-at 2026-12-02T11:00:00Z is in the future (now is 2026-12-01T12:00:00Z)\n  \
         help: check the date and the offset; pass --force if it is meant to be in the future\n",
    );
}

#[test]
fn a_maintenance_window_wholly_in_the_past_is_refused() {
    let repo = repo_with_incident();
    refused(
        &repo,
        &["new", "maintenance", "Upgrade", "--start", "2026-11-01T06:00:00Z", "--end", "2026-11-01T08:00:00Z"],
        2,
        "error: the window ends at 2026-11-01T08:00:00Z, before now (2026-12-01T12:00:00Z): it is wholly in the \
         past\n  help: check the dates and offsets; pass --force to record a window after the fact\n",
    );
}

#[test]
fn an_empty_message_is_refused() {
    let repo = repo_with_incident();
    let expected = "error: the message is empty\n  help: say what is happening and what users should do, e.g. \
                    --message \"We are investigating.\"\n";
    refused(&repo, &["update", "rpc-errors", "-m", ""], 2, expected);
    refused(&repo, &["update", "rpc-errors", "-m", " \n\t"], 2, expected);
    refused(&repo, &["new", "incident", "Halt", "-m", ""], 2, expected);
}

#[test]
fn a_typo_in_the_front_matter_is_reported_as_such_even_for_the_exact_path() {
    let repo = repo_with_incident();
    repo.write(INCIDENT_PATH, &INCIDENT.replace("impact: major", "impcat: major"));
    let expected = "error: the incident `2026-12-01-rpc-errors` cannot be read: fix the problems of \
                    content/incidents/2026-12-01-rpc-errors.md first\n\
                    content/incidents/2026-12-01-rpc-errors.md:4:1: error[unknown-key]: unknown key `impcat`\n  \
                    help: did you mean `impact`? (a required key, missing here)\n1 error, 0 warnings\n";
    for name in [
        "rpc-errors",
        "2026-12-01-rpc-errors",
        "2026-12-01-rpc-errors.md",
        "../../content/incidents/2026-12-01-rpc-errors.md",
    ] {
        refused(&repo, &["update", name, "-m", "More."], 1, expected);
    }
}

#[test]
fn names_are_matched_alike_everywhere_with_suggestions() {
    let repo = repo_with_incident();
    refused(
        &repo,
        &["update", "rpc-erors", "-m", "More."],
        2,
        "error: no incident or maintenance window matches `rpc-erors`\n  help: did you mean `2026-12-01-rpc-errors` (incident)?\n",
    );
    refused(
        &repo,
        &["new", "postmortem", "rpc-erors"],
        2,
        "error: no incident matches `rpc-erors`\n  help: did you mean `2026-12-01-rpc-errors`?\n",
    );
    refused(
        &repo,
        &["publish", "rpc-erors", "--to", "public"],
        2,
        "error: no incident, maintenance window or post-mortem matches `rpc-erors`\n  help: did you mean `2026-12-01-rpc-errors` (incident)?\n",
    );
    // The part of a name `update` accepts, `new postmortem` accepts too.
    let out = repo.ok(&["new", "postmortem", "rpc-err"], NOW);
    assert!(out.contains("draft post-mortem of `2026-12-01-rpc-errors`"), "{out}");
}

#[test]
fn an_audience_typo_gets_a_suggestion() {
    let repo = repo_with_incident();
    refused(
        &repo,
        &["update", "rpc-errors", "--audience", "operatrs", "-m", "More."],
        2,
        "error: `operatrs` is not an audience of this site\n  help: did you mean `operators`? (this site's audiences \
         are: public, operators, internal)\n",
    );
    refused(
        &repo,
        &["update", "rpc-errors", "--status", "resovled", "-m", "More."],
        2,
        "error: `resovled` is not a status of an incident\n  help: did you mean `resolved`? (the statuses of an \
         incident are: investigating, identified, monitoring, resolved, postmortem, note)\n",
    );
}

#[test]
fn notes_come_after_resolved_and_updates_do_not() {
    let repo = repo_with_incident();
    refused(
        &repo,
        &["update", "rpc-errors", "--status", "note", "-m", "Report out."],
        2,
        "error: `note` is a post-resolution note, but 2026-12-01-rpc-errors is not resolved yet\n  help: resolve it \
         first (`cairn update 2026-12-01-rpc-errors --resolve -m ...`); until then use investigating, identified or \
         monitoring\n",
    );
    repo.ok(&["update", "rpc-errors", "--resolve", "-m", "Over."], NOW);
    refused(
        &repo,
        &["update", "rpc-errors", "--status", "monitoring", "-m", "Back."],
        1,
        "Refused: 2026-12-01-rpc-errors is already resolved; after `resolved` come only post-resolution notes. \
         Nothing was written.\n  help: to add a note (e.g. the root-cause report is out): `cairn update \
         2026-12-01-rpc-errors --status note -m \"...\"` (or --status postmortem); open a new incident (`cairn new \
         incident`) if the problem is back\n",
    );
}

#[test]
fn outside_a_knowledge_base_commands_say_so() {
    // A folder with no cairn.yaml in it or above it (a stray one in the system's temporary
    // folder would be found, as git finds a stray repository).
    let bases = [std::env::temp_dir(), "/dev/shm".into(), "/var/tmp".into()];
    let base = bases
        .iter()
        .find(|b| b.is_dir() && b.ancestors().all(|d| !d.join("cairn.yaml").exists()))
        .expect("a temporary folder with no cairn.yaml above it");
    let dir = tempfile::tempdir_in(base).unwrap();
    let sub = dir.path().join("content/incidents");
    std::fs::create_dir_all(&sub).unwrap();
    for args in [&["status"][..], &["update", "rpc", "-m", "x"], &["new", "incident", "X", "-m", "x"], &["check"]] {
        let out =
            std::process::Command::new(env!("CARGO_BIN_EXE_cairn")).args(args).current_dir(&sub).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!(
                "error: no cairn.yaml in {} or any folder above it\n  help: run cairn inside a knowledge base, pass \
                 --root DIR, or create one with `cairn init DIR`\n",
                sub.canonicalize().unwrap().display()
            ),
            "{args:?}"
        );
    }
}

#[test]
fn a_misspelt_required_heading_gets_did_you_mean() {
    let repo = repo_with_incident();
    repo.write(
        "content/postmortems/rpc-errors.md",
        "---\ntitle: RPC errors\nincidents: [2026-12-01-rpc-errors]\nstatus: published\nauthors: [sre]\n\
         published_at: 2026-12-01T11:00:00Z\n---\n## Summary\nS.\n## Impact\nI.\n## Timeline\nT.\n\
         ## Root causes\nR.\n## Resolution\nR.\n## Action items\nNone.\n",
    );
    let ran = repo.run(&["check"], NOW);
    assert_eq!(ran.code, 1);
    assert_eq!(
        ran.stdout.lines().filter(|l| l.contains(": error[")).collect::<Vec<_>>(),
        ["content/postmortems/rpc-errors.md:14:1: error[missing-section]: required section `## Root cause` is missing"],
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains(
            "  help: did you mean `## Root causes`? Rename it `## Root cause` (post-mortems need these sections, in \
             this order: Summary, Impact, Timeline, Root cause, Resolution, Action items)\n"
        ),
        "{}",
        ran.stdout
    );
}

#[test]
fn one_syntax_error_does_not_hide_the_other_problems_of_its_file() {
    let repo = repo_with_incident();
    repo.write(
        INCIDENT_PATH,
        &INCIDENT.replace("severity: sev2", "severity: [sev2").replace("impact: major", "impact: huge"),
    );
    let ran = repo.run(&["check", "--format", "json"], NOW);
    assert_eq!(ran.code, 1);
    let diagnostics: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let found: Vec<(String, u64, String)> = diagnostics
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["file"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let file = INCIDENT_PATH.to_string();
    assert_eq!(
        found,
        [("yaml-syntax".to_string(), 3, file.clone()), ("bad-value".to_string(), 4, file)],
        "{}",
        ran.stdout
    );
}

#[test]
fn github_annotations_name_files_from_the_top_of_the_repository() {
    let repo = Repo::new();
    // The knowledge base in a subfolder `kb/` of a git repository.
    let top = repo.root();
    std::fs::create_dir(top.join(".git")).unwrap();
    let kb = top.join("kb");
    std::fs::create_dir(&kb).unwrap();
    for entry in ["cairn.yaml", "content"] {
        std::fs::rename(top.join(entry), kb.join(entry)).unwrap();
    }
    std::fs::write(kb.join(INCIDENT_PATH), INCIDENT.replace("impact: major", "impact: huge")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["check", "--format", "github", "--now", NOW])
        .current_dir(kb.join("content"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("::error file=kb/content/incidents/2026-12-01-rpc-errors.md,line=4,col=9,title=bad-value::"),
        "{stdout}"
    );
}

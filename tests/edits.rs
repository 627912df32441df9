//! Edits that mean what they say: `cairn update` and `cairn new` with messages and titles made
//! to break YAML (line breaks an editor does not show, lookalike keys, leading spaces, trailing
//! blank lines, CR LF files). Each result is read back with cairn's own loader: exactly one new
//! update, with the requested status, time, visibility and text; the rest of the file byte for
//! byte; written by rename, with no temporary file left anywhere. A refused edit writes nothing.
#![cfg(unix)]

mod common;

use cairn::model::{Incident, IncidentStatus, Timestamp};
use common::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

const INCIDENT: &str = "2026-11-26-rpc-gateway-degradation";
const REL: &str = "content/incidents/2026-11-26-rpc-gateway-degradation.md";
const NOW: &str = "2026-11-26T23:00:00Z";

/// Messages and titles that a naive writer turns into other keys, other updates or other text.
const HOSTILE: &[&str] = &[
    "line one\u{2028}visibility: public",
    "para\u{2029}visibility: public\n  - at: 2026-11-26T15:00:00Z",
    "next line\u{85}visibility: public",
    "bare return\rvisibility: public",
    "  leading spaces\n    and an indented line",
    "trailing blank lines\n\n\n",
    "---\nvisibility: public\n---",
    "  - at: 2026-11-26T15:00:00Z\n    status: resolved\n    visibility: public\n    body: fake",
    "visibility: public",
    "# not a comment\n\ttab-indented\n\"quoted\" and 'single' and \\backslash",
    "Unicode: é, 障害, 🦀, \u{202e}reversed\u{202c}, \u{feff}bom, \u{7f}del, \u{1b}[31mansi",
];

/// Runs the binary with TMPDIR set to a folder that does not exist, and must still not exist
/// after it: an edit is checked in memory, never on a scratch copy in a temporary folder
/// (even one removed afterwards).
fn cairn(root: &Path, args: &[&str]) -> (bool, String) {
    let parent = tempfile::tempdir().unwrap();
    let tmp = parent.path().join("tmp");
    // The options go before a `--`, after which a title may start with `-`.
    let split = args.iter().position(|a| *a == "--").unwrap_or(args.len());
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(&args[..split])
        .arg("--root")
        .arg(root)
        .arg("--now")
        .arg(NOW)
        .args(&args[split..])
        .env("TMPDIR", &tmp)
        .env_remove("CI")
        .output()
        .unwrap();
    let left: Vec<_> = std::fs::read_dir(parent.path()).unwrap().collect();
    assert!(left.is_empty(), "the command used the temporary folder: {left:?}");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// The names in the folder `dir`.
fn folder(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// The incident `slug` as cairn's loader reads it, with no problem in its file.
fn load(root: &Path, slug: &str) -> Incident {
    let (sources, problems) = cairn::load::load(root);
    let own: Vec<_> = problems.iter().filter(|d| d.file.contains(slug)).collect();
    assert!(own.is_empty(), "{own:#?}");
    sources.incidents.into_iter().find(|i| i.meta.slug == slug).unwrap()
}

type Update = (Timestamp, IncidentStatus, String, Option<usize>, Option<u64>);

fn updates(incident: &Incident) -> Vec<Update> {
    incident.updates.iter().map(|u| (u.at, u.status, u.body.clone(), u.visibility, u.point.height)).collect()
}

fn time(text: &str) -> Timestamp {
    cairn::load::parse_time(text).unwrap()
}

/// `edited` is `original` with lines added at one place, nothing else changed.
fn only_added(original: &str, edited: &str) {
    let common = original.bytes().zip(edited.bytes()).take_while(|(a, b)| a == b).count();
    let start = original[..common].rfind('\n').map_or(0, |i| i + 1);
    assert!(edited.len() > original.len(), "nothing was added");
    assert!(edited.ends_with(&original[start..]), "the file changed elsewhere:\n{edited}");
}

/// Appends each hostile message in turn, with and without `--internal`, to `rel` (LF or CR LF),
/// and checks every result.
fn update_with_every_message(crlf: bool) {
    let repo = example_copy();
    let root = repo.path();
    let path = root.join(REL);
    if crlf {
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace('\n', "\r\n")).unwrap();
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let names = folder(path.parent().unwrap());
    let mut minute = 0;
    for message in HOSTILE {
        for internal in [false, true] {
            minute += 1;
            let at = format!("2026-11-26T14:{minute:02}:00Z");
            let before = std::fs::read_to_string(&path).unwrap();
            let inode = std::fs::metadata(&path).unwrap().ino();
            let old = updates(&load(root, INCIDENT));
            let mut args = vec!["update", INCIDENT, "--status", "monitoring", "--at", &at, "--message", message];
            if internal {
                args.push("--internal");
            }
            let (ok, out) = cairn(root, &args);
            assert!(ok, "{message:?}: {out}");
            let after = std::fs::read_to_string(&path).unwrap();
            let new = updates(&load(root, INCIDENT));
            let visibility = internal.then_some(2);
            let mut expected = old.clone();
            expected.push((time(&at), IncidentStatus::Monitoring, message.to_string(), visibility, None));
            assert_eq!(new, expected, "{message:?} (internal: {internal}):\n{after}");
            only_added(&before, &after);
            if crlf {
                assert!(!after.replace("\r\n", "").contains('\n'), "a line ending was changed: {after:?}");
            }
            let meta = std::fs::metadata(&path).unwrap();
            assert_ne!(meta.ino(), inode, "the file was written in place, not by rename");
            assert_eq!(meta.mode() & 0o777, 0o640, "permissions kept");
            assert_eq!(folder(path.parent().unwrap()), names, "a temporary file was left beside the incident");
            let who = if internal { "visible to internal only, not public" } else { "visible to public" };
            assert!(out.contains(who), "{out}");
        }
    }
}

#[test]
fn every_hostile_message_reads_back_exactly() {
    update_with_every_message(false);
}

#[test]
fn a_crlf_file_stays_crlf() {
    update_with_every_message(true);
}

#[test]
fn a_refused_update_writes_nothing() {
    let repo = example_copy();
    let root = repo.path();
    let path = root.join(REL);
    let before = std::fs::read(&path).unwrap();
    let inode = std::fs::metadata(&path).unwrap().ino();
    let names = folder(path.parent().unwrap());
    let cases: [&[&str]; 3] = [
        // Earlier than the last update: invalid once written.
        &["update", INCIDENT, "--at", "2026-11-26T09:00:00Z", "--message", "x\u{2028}visibility: public"],
        // Going backwards without --force.
        &["update", INCIDENT, "--status", "investigating", "--message", "x"],
        &["update", "no-such-incident", "--message", "x"],
    ];
    for args in cases {
        let (ok, out) = cairn(root, args);
        assert!(!ok, "{args:?}: {out}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "{args:?}");
        assert_eq!(std::fs::metadata(&path).unwrap().ino(), inode);
        assert_eq!(folder(path.parent().unwrap()), names);
    }
}

#[test]
fn new_incidents_keep_their_visibility_and_exact_title_and_message() {
    let repo = example_copy();
    let root = repo.path();
    for (n, text) in HOSTILE.iter().enumerate() {
        for public in [false, true] {
            let slug = format!("hostile-{n}-{public}");
            let mut args = vec!["new", "incident", "--slug", &slug, "--components", "rpc-gateway", "-m", text];
            if public {
                args.push("--public");
            }
            args.extend(["--", text]);
            let (ok, out) = cairn(root, &args);
            assert!(ok, "{text:?}: {out}");
            let incident = load(root, &slug);
            assert_eq!(incident.meta.title, *text);
            assert_eq!(incident.meta.visibility, public.then_some(0), "{text:?}");
            let first = updates(&incident);
            assert_eq!(first, [(time(NOW), IncidentStatus::Investigating, text.to_string(), None, None)]);
            let who = if public {
                "Visible to: public, operators and internal (as asked"
            } else {
                "Visible to: internal only, not public (the default"
            };
            assert!(out.contains(who), "{out}");
            assert_eq!(folder(&root.join("content/incidents")).iter().filter(|n| n.starts_with('.')).count(), 0);
        }
    }
    // A title without ASCII letters needs --slug; nothing is written without it.
    let names = folder(&root.join("content/incidents"));
    let (ok, out) = cairn(root, &["new", "incident", "障害", "--components", "rpc-gateway"]);
    assert!(!ok && out.contains("--slug"), "{out}");
    assert_eq!(folder(&root.join("content/incidents")), names);
}

#[test]
fn an_incident_opened_by_new_takes_updates_to_resolved() {
    let repo = example_copy();
    let root = repo.path();
    let (ok, out) = cairn(root, &["new", "incident", "Bridge delays", "--components", "eth-bridge", "-m", "Slow."]);
    assert!(ok, "{out}");
    let slug = "2026-11-26-bridge-delays";
    // A second later (after now: --force): an update's time to the second is also its default id.
    let at = "2026-11-26T23:00:01Z";
    let (ok, out) = cairn(root, &["update", slug, "--resolve", "--at", at, "--force", "--message", "Done.\n\n"]);
    assert!(ok, "{out}");
    let incident = load(root, slug);
    assert_eq!(incident.resolved_at, Some(time(at)));
    assert_eq!(updates(&incident)[1], (time(at), IncidentStatus::Resolved, "Done.\n\n".into(), None, None));
}

#[test]
fn nothing_is_written_through_a_linked_folder() {
    let repo = example_copy();
    let root = repo.path();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir(outside.path().join("maintenance")).unwrap();
    std::fs::rename(root.join("content/maintenance"), outside.path().join("kept")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("maintenance"), root.join("content/maintenance")).unwrap();
    let (ok, out) = cairn(
        root,
        &["new", "maintenance", "Upgrade", "--start", "2026-12-01T10:00:00Z", "--end", "2026-12-01T11:00:00Z"],
    );
    assert!(!ok && out.contains("symbolic link") && out.contains("Nothing was written"), "{out}");
    assert_eq!(std::fs::read_dir(outside.path().join("maintenance")).unwrap().count(), 0);
}

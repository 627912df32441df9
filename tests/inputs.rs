//! Inputs never leave the root: symbolic links anywhere in a repo (to files and folders outside
//! it) are warned about once each, never followed, and no byte behind them reaches a built site
//! or the output of `check`; the rest of the repo builds as usual. Also the limits, through the
//! real binary.
#![cfg(unix)]

mod common;

use common::*;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What no output may contain: it is only in files outside the repo.
const SECRET: &str = "CAIRN-TEST-SECRET-58b1e3";
const NOW: &str = "2026-11-26T12:00:00Z";

/// A folder outside every repo, holding secrets of every kind cairn reads.
fn outside() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("id_ed25519"), format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{SECRET}\n")).unwrap();
    std::fs::write(d.join("components.yaml"), format!("groups: {SECRET}\ncomponents: [{SECRET}]\n")).unwrap();
    std::fs::create_dir_all(d.join("assets")).unwrap();
    std::fs::write(d.join("assets/leak.css"), format!("/* {SECRET} */")).unwrap();
    std::fs::create_dir_all(d.join("templates")).unwrap();
    std::fs::write(d.join("templates/page.html"), format!("<p>{SECRET}</p>{{{{ page.title }}}}")).unwrap();
    std::fs::create_dir_all(d.join("pages")).unwrap();
    std::fs::write(d.join("pages/leak.md"), format!("---\ntitle: {SECRET}\nvisibility: public\n---\n{SECRET}\n"))
        .unwrap();
    let incident =
        std::fs::read_to_string(example_root().join("content/incidents/2026-11-26-rpc-gateway-degradation.md"))
            .unwrap()
            .replace("Elevated errors", SECRET);
    std::fs::write(d.join("incident.md"), incident).unwrap();
    dir
}

/// Runs the binary; its success and everything it printed.
fn cairn(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn")).args(args).env_remove("CI").output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Checks and builds `root` (public and internal); asserts that no secret is printed or
/// published, that each of `links` is warned about exactly once by each command, and whether
/// the builds succeed.
fn check_and_build(root: &Path, links: &[&str], builds: bool) -> Vec<serde_json::Value> {
    let root_arg = root.to_str().unwrap();
    let (_, json) = cairn(&["check", "--root", root_arg, "--now", NOW, "--format", "json"]);
    assert!(!json.contains(SECRET), "check --format json printed the secret:\n{json}");
    let (_, github) = cairn(&["check", "--root", root_arg, "--now", NOW, "--format", "github"]);
    assert!(!github.contains(SECRET), "check --format github printed the secret:\n{github}");
    let start = json.find('[').unwrap();
    let end = json.rfind(']').unwrap();
    let diagnostics: Vec<serde_json::Value> = serde_json::from_str(&json[start..=end]).unwrap();
    for link in links {
        let warned = diagnostics.iter().filter(|d| d["code"] == "symlink-refused" && d["file"] == *link).count();
        assert_eq!(warned, 1, "{link} warned {warned} times: {json}");
        let annotation = format!("::warning file={},line=1,col=1,title=symlink-refused::", link.replace(',', "%2C"));
        assert_eq!(github.matches(&annotation).count(), 1, "{link}: {github}");
    }
    let refused = diagnostics.iter().filter(|d| d["code"] == "symlink-refused").count();
    assert_eq!(refused, links.len(), "{json}");
    let out = tempfile::tempdir().unwrap();
    for audience in ["public", "internal"] {
        let target = out.path().join(audience);
        let (ok, printed) = cairn(&[
            "build",
            "--root",
            root_arg,
            "--now",
            NOW,
            "--audience",
            audience,
            "--output",
            target.to_str().unwrap(),
        ]);
        assert_eq!(ok, builds, "build {audience}:\n{printed}");
        assert!(!printed.contains(SECRET), "build printed the secret:\n{printed}");
        for link in links {
            assert_eq!(printed.matches(&format!("{link}:1:1: warning[symlink-refused]")).count(), 1, "{printed}");
        }
        if builds {
            assert!(target.join("index.html").is_file());
            for (file, bytes) in tree(&target) {
                assert!(!contains(&bytes, SECRET), "{audience}/{file} holds the secret");
            }
        } else {
            assert!(!target.exists(), "a failed build wrote output");
        }
    }
    diagnostics
}

#[test]
fn links_to_folders_and_files_outside_are_refused_and_the_rest_builds() {
    let secrets = outside();
    let s = secrets.path();
    let repo = example_copy();
    let r = repo.path();
    symlink(s.join("assets"), r.join("static")).unwrap();
    symlink(s.join("templates"), r.join("templates")).unwrap();
    symlink(s.join("incident.md"), r.join("content/incidents/2026-11-26-linked.md")).unwrap();
    // A folder of plain pages holding a link to a folder and one to a file.
    std::fs::create_dir_all(r.join("content/docs")).unwrap();
    symlink(s.join("pages"), r.join("content/docs/linked")).unwrap();
    symlink(s.join("id_ed25519"), r.join("content/docs/key.md")).unwrap();
    let links =
        ["content/docs/key.md", "content/docs/linked", "content/incidents/2026-11-26-linked.md", "static", "templates"];
    check_and_build(r, &links, true);
    // The root itself may be a link.
    let via = tempfile::tempdir().unwrap();
    let linked_root = via.path().join("kb");
    symlink(r, &linked_root).unwrap();
    check_and_build(&linked_root, &links, true);
}

#[test]
fn links_inside_static_and_the_theme_are_refused_at_any_depth() {
    let secrets = outside();
    let s = secrets.path();
    let repo = example_copy();
    let r = repo.path();
    std::fs::create_dir_all(r.join("static/deep/er")).unwrap();
    std::fs::write(r.join("static/deep/readme.txt"), "Kept.\n").unwrap();
    symlink(s.join("id_ed25519"), r.join("static/x")).unwrap();
    symlink(s.join("assets"), r.join("static/deep/er/y")).unwrap();
    std::fs::create_dir_all(r.join("themes/default/templates")).unwrap();
    std::fs::create_dir_all(r.join("themes/default/static")).unwrap();
    symlink(s.join("templates/page.html"), r.join("themes/default/templates/page.html")).unwrap();
    symlink(s.join("assets/leak.css"), r.join("themes/default/static/style.css")).unwrap();
    let links =
        ["static/deep/er/y", "static/x", "themes/default/static/style.css", "themes/default/templates/page.html"];
    check_and_build(r, &links, true);
    let out = tempfile::tempdir().unwrap();
    build_into(r, None, out.path(), now());
    assert_eq!(std::fs::read_to_string(out.path().join("deep/readme.txt")).unwrap(), "Kept.\n");
    assert!(!out.path().join("x").exists() && !out.path().join("deep/er/y").exists());
    assert!(std::fs::read_to_string(out.path().join("assets/style.css")).unwrap().len() > 100, "the built-in style");
}

#[test]
fn a_linked_components_file_or_config_is_not_read() {
    let secrets = outside();
    let s = secrets.path();
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    std::fs::create_dir_all(r.join("content")).unwrap();
    std::fs::write(r.join("cairn.yaml"), "title: Status\nbase_url: https://status.example.org\n").unwrap();
    std::fs::write(r.join("content/about.md"), "---\ntitle: About\n---\nHello.\n").unwrap();
    symlink(s.join("components.yaml"), r.join("content/components.yaml")).unwrap();
    check_and_build(r, &["content/components.yaml"], true);
    std::fs::remove_file(r.join("cairn.yaml")).unwrap();
    symlink(s.join("components.yaml"), r.join("cairn.yaml")).unwrap();
    let found = check_and_build(r, &["cairn.yaml", "content/components.yaml"], false);
    assert!(found.iter().any(|d| d["code"] == "missing-config" && d["message"].as_str().unwrap().contains("link")));
    // A linked `content` folder is refused as a whole.
    std::fs::remove_file(r.join("cairn.yaml")).unwrap();
    std::fs::write(r.join("cairn.yaml"), "title: Status\n").unwrap();
    std::fs::rename(r.join("content"), r.join("elsewhere")).unwrap();
    symlink(r.join("elsewhere"), r.join("content")).unwrap();
    let found = check_and_build(r, &["content"], false);
    assert!(found.iter().any(|d| d["code"] == "missing-content"));
}

#[test]
fn the_fingerprint_reads_nothing_behind_a_link() {
    let secrets = outside();
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    std::fs::create_dir_all(r.join("content")).unwrap();
    symlink(secrets.path().join("pages"), r.join("static")).unwrap();
    symlink(secrets.path().join("pages/leak.md"), r.join("content/leak.md")).unwrap();
    let files: Vec<PathBuf> = ["content", "static"]
        .iter()
        .flat_map(|d| cairn::load::files_sorted(&r.join(d)))
        .map(walkdir::DirEntry::into_path)
        .collect();
    assert!(files.is_empty(), "{files:?}");
}

#[test]
fn a_hundred_thousand_brackets_are_refused_before_parsing() {
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    std::fs::create_dir_all(r.join("content/incidents")).unwrap();
    std::fs::write(r.join("cairn.yaml"), "title: Status\n").unwrap();
    let front = format!("---\ntitle: x\ncomponents: {}\n---\nBody.\n", "[".repeat(100_000));
    std::fs::write(r.join("content/incidents/2026-01-01-deep.md"), front).unwrap();
    let (ok, printed) = cairn(&["check", "--root", r.to_str().unwrap(), "--now", NOW]);
    assert!(!ok, "{printed}");
    assert!(
        printed.contains(
            "content/incidents/2026-01-01-deep.md:3:44: error[too-deep]: lists and mappings nest more than 32 deep"
        ),
        "{printed}"
    );
    assert!(printed.contains("help: "), "{printed}");
    assert_eq!(printed.matches("error[").count(), 1, "one problem, not one per bracket: {printed}");
}

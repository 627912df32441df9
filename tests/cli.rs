//! The command line as users drive it: exit codes, diagnostic formats, the build summary.

mod common;

use common::*;
use std::process::Command;

fn cairn() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cairn"));
    c.env("SOURCE_DATE_EPOCH", "1795694400").env_remove("CI");
    c
}

fn broken_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path();
    assert!(cairn().arg("init").arg(kb).status().unwrap().success());
    let incident = kb.join("content/incidents/2026-01-10-rpc-latency.md");
    let text = std::fs::read_to_string(&incident).unwrap().replace("impact: minor", "impact: minr");
    std::fs::write(&incident, text).unwrap();
    let runbook = kb.join("content/runbooks/rpc-degradation.md");
    let text = std::fs::read_to_string(&runbook).unwrap().replace("owners: [sre]", "owner: [sre]");
    std::fs::write(&runbook, text).unwrap();
    dir
}

#[test]
fn check_reports_every_problem_like_a_compiler() {
    let repo = broken_repo();
    let out = cairn().arg("check").arg("--root").arg(repo.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.contains(
            &"content/incidents/2026-01-10-rpc-latency.md:5:9: error[bad-value]: `minr` is not a valid `impact`"
        ),
        "{stdout}"
    );
    assert!(
        lines.contains(&"  help: did you mean `minor`? (expected one of: none, minor, major, critical)"),
        "{stdout}"
    );
    assert!(
        lines.contains(&"content/runbooks/rpc-degradation.md:6:1: error[unknown-key]: unknown key `owner`"),
        "{stdout}"
    );
    assert!(lines.contains(&"  help: did you mean `owners`?"), "{stdout}");
}

#[test]
fn check_json_is_an_array_of_diagnostics() {
    let repo = broken_repo();
    let out = cairn().args(["check", "--format", "json", "--root"]).arg(repo.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2, "{v:#}");
    let first = &arr[0];
    assert_eq!(first["file"], "content/incidents/2026-01-10-rpc-latency.md");
    assert_eq!(first["line"], 5);
    assert_eq!(first["column"], 9);
    assert_eq!(first["severity"], "error");
    assert_eq!(first["code"], "bad-value");
    assert!(first["help"].as_str().unwrap().contains("minor"));
}

#[test]
fn exit_codes_distinguish_clean_problems_and_usage() {
    let dir = tempfile::tempdir().unwrap();
    assert!(cairn().arg("init").arg(dir.path()).status().unwrap().success());
    let ok = cairn().arg("check").arg("--root").arg(dir.path()).output().unwrap();
    assert_eq!(ok.status.code(), Some(0));
    // A warning only (a stray file) still exits 0.
    std::fs::write(dir.path().join("content/notes.txt"), "x").unwrap();
    let warn = cairn().arg("check").arg("--root").arg(dir.path()).output().unwrap();
    assert_eq!(warn.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&warn.stdout).contains("warning[ignored-file]"));
    let usage = cairn().arg("check").arg("--no-such-flag").output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
    let audience = cairn().args(["build", "--audience", "partners", "--root"]).arg(dir.path()).output().unwrap();
    assert_eq!(audience.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&audience.stderr).contains("public, operators, internal"));
}

#[test]
fn build_prints_a_one_line_summary_and_honours_flags() {
    let dir = tempfile::tempdir().unwrap();
    assert!(cairn().arg("init").arg(dir.path()).status().unwrap().success());
    let out_dir = dir.path().join("out");
    let out = cairn()
        .args(["build", "--audience", "internal", "--base-url", "https://preview.example.org/pr-7/", "--root"])
        .arg(dir.path())
        .arg("--output")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let summary: Vec<&str> = stderr.lines().filter(|l| l.starts_with("Built the internal site")).collect();
    assert_eq!(summary.len(), 1, "{stderr}");
    // The one warning: the temp dir is not a git repository, so pages have no history.
    assert!(stderr.contains("warning[history-missing]"), "{stderr}");
    assert!(
        summary[0].contains("1 incidents") && summary[0].contains("1 runbooks") && summary[0].contains("1 warning ")
    );
    let home = scraper::Html::parse_document(&std::fs::read_to_string(out_dir.join("index.html")).unwrap());
    assert_eq!(attrs(&home, "link[rel=canonical]", "href"), vec!["https://preview.example.org/pr-7/".to_string()]);
    let quiet = cairn().args(["build", "--quiet", "--root"]).arg(dir.path()).output().unwrap();
    assert!(quiet.status.success());
    assert!(quiet.stderr.is_empty(), "{}", String::from_utf8_lossy(&quiet.stderr));
    assert!(dir.path().join("public/index.html").exists());
}

#[test]
fn build_timings_list_every_stage() {
    let dir = tempfile::tempdir().unwrap();
    assert!(cairn().arg("init").arg(dir.path()).status().unwrap().success());
    let out = cairn().args(["build", "--timings", "--root"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let stages: Vec<&str> = stderr
        .lines()
        .skip_while(|l| !l.starts_with("stage "))
        .skip(1)
        .filter_map(|l| l.split("  ").next())
        .map(str::trim)
        .collect();
    for stage in ["fingerprint", "load", "validate", "resolve", "search text", "search index", "pages", "static search"]
    {
        assert!(stages.contains(&stage), "no `{stage}` in {stderr}");
    }
    assert_eq!(stages.last(), Some(&"total"), "{stderr}");
    // Each row: start <= end, and the length is their difference.
    for line in stderr.lines().skip_while(|l| !l.starts_with("stage ")).skip(1) {
        let numbers: Vec<f64> = line[20..].split_whitespace().take(3).map(|n| n.parse().unwrap()).collect();
        assert!(numbers[0] <= numbers[1] && (numbers[1] - numbers[0] - numbers[2]).abs() < 0.011, "{line}");
    }
}

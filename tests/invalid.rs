//! The broken-input corpus: every case in `tests/fixtures/invalid/<case>/` is a small repo with
//! something wrong, and an `expected` file listing exactly the diagnostics (`code file:line:col`)
//! that `cairn check` must report: no more, no fewer, each once. No case may make cairn panic.

mod common;

use cairn::diagnostics::Diagnostic;
use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let mut out: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    out.sort();
    out
}

fn expected(case: &Path) -> Vec<String> {
    std::fs::read_to_string(case.join("expected"))
        .unwrap_or_else(|_| panic!("{} has no `expected` file", case.display()))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

fn key(d: &Diagnostic) -> String {
    format!("{} {}:{}:{}", d.code, d.file, d.line, d.column)
}

#[test]
fn every_case_reports_its_diagnostics() {
    let now = cairn::load::parse_time("2026-11-26T12:00:00Z").unwrap();
    let cases = cases();
    assert!(cases.len() >= 20, "the corpus has only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let want = expected(case);
        assert!(!want.is_empty(), "{} expects nothing", case.display());
        let found = std::panic::catch_unwind(|| cairn::pipeline::check(case, now));
        let Ok(found) = found else {
            failures.push(format!("{}: cairn panicked", case.display()));
            continue;
        };
        let got: Vec<String> = found.iter().map(key).collect();
        let mut want_sorted = want.clone();
        want_sorted.sort();
        let mut got_sorted = got.clone();
        got_sorted.sort();
        if want_sorted != got_sorted {
            failures.push(format!(
                "{}: expected {want_sorted:#?}\ngot {got_sorted:#?}",
                case.file_name().unwrap().to_string_lossy()
            ));
        }
        for d in &found {
            assert!(!d.message.is_empty() && d.help.is_some(), "{}: diagnostic without help: {d}", case.display());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn build_refuses_every_case_and_writes_nothing() {
    let now = cairn::load::parse_time("2026-11-26T12:00:00Z").unwrap();
    for case in cases() {
        let out = tempfile::tempdir().unwrap();
        // Builds write their cache under the repo (`.cairn/`): build a copy, not the fixture.
        let repo = tempfile::tempdir().unwrap();
        common::copy_tree(&case, repo.path());
        let mut refused = false;
        // What the builds report: the same problems as `check`, though a build loads the bytes
        // its fingerprint read where `check` reads the files itself.
        let mut reported = Vec::new();
        for audience in [None, Some("internal")] {
            let target = out.path().join(audience.unwrap_or("public"));
            let opts = common::options(repo.path(), audience, Some(&target), now);
            match cairn::pipeline::build(&opts, &|_, _| {}) {
                Err(e) => {
                    refused = true;
                    assert!(!target.exists(), "{}: a refused build wrote output", case.display());
                    if let cairn::pipeline::BuildError::Invalid(problems) = e {
                        reported.extend(problems.iter().map(key));
                    }
                }
                Ok(report) => reported.extend(report.warnings.iter().map(key)),
            }
        }
        for w in expected(&case) {
            assert!(reported.contains(&w), "{}: the builds did not report `{w}`: {reported:#?}", case.display());
        }
        // Reminders (overdue reviews and action items, section order) warn without refusing.
        let only_warnings = cairn::pipeline::check(&case, now).iter().all(|d| !d.is_error());
        assert_eq!(refused, !only_warnings, "{}: refused = {refused}", case.display());
    }
}

//! `cairn init` scaffolds a knowledge base that checks clean and builds for every audience.

mod common;

use common::*;

#[test]
fn scaffold_checks_clean_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_cairn")).arg("init").arg(&kb).status().unwrap();
    assert!(status.success());
    let problems = cairn::pipeline::check(&kb, now());
    assert!(problems.is_empty(), "{problems:#?}");
    for audience in [None, Some("operators"), Some("internal")] {
        let out = dir.path().join(audience.unwrap_or("public"));
        build_into(&kb, audience, &out, now());
        let home = scraper::Html::parse_document(&std::fs::read_to_string(out.join("index.html")).unwrap());
        assert_eq!(texts(&home, "h1").len(), 1);
    }
    // A second init refuses to overwrite.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_cairn")).arg("init").arg(&kb).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
}

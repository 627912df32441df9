//! Nothing a build writes, moves or deletes goes through a symbolic link a contributor could have
//! committed: cairn's own `.cairn/` folder and the folders below it, the output when it sits in
//! the repository, and the lock, staging and previous-output names beside the output. Each case
//! drives the real binary on real links in temp dirs and checks that the build is refused (exit
//! 2, the link named with how to fix it) and that nothing behind the link changed. A link the
//! operator typed outside the repository (`--output /srv/www/site` with `/srv/www` a link) is
//! followed.
#![cfg(unix)]

mod common;

use common::blackbox::{NOW, example_copy};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

/// `cairn build` of `root` for the public audience, into `output` when given.
fn build(root: &Path, output: Option<&Path>) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cairn"));
    c.env_remove("CI").env_remove("SOURCE_DATE_EPOCH");
    c.args(["build", "--now", NOW, "--root"]).arg(root);
    if let Some(output) = output {
        c.arg("--output").arg(output);
    }
    c.output().unwrap()
}

/// A folder outside the repository with one file in it, to prove nothing there changed.
fn victim() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("public")).unwrap();
    std::fs::write(dir.path().join("public/keep.txt"), "precious").unwrap();
    std::fs::write(dir.path().join("target.txt"), "precious").unwrap();
    dir
}

/// Asserts that the build was refused as a usage error naming `link`, and that `victim` holds
/// exactly what [`victim`] put there.
fn refused(out: &std::process::Output, link: &Path, victim: &Path) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&link.display().to_string()), "the link is not named: {stderr}");
    assert!(stderr.contains("Remove the symlink") || stderr.contains("Remove it"), "no fix given: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let mut found: Vec<String> = walkdir::WalkDir::new(victim)
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap().path().strip_prefix(victim).unwrap().display().to_string())
        .collect();
    found.sort();
    assert_eq!(found, ["public", "public/keep.txt", "target.txt"]);
    assert_eq!(std::fs::read_to_string(victim.join("public/keep.txt")).unwrap(), "precious");
    assert_eq!(std::fs::read_to_string(victim.join("target.txt")).unwrap(), "precious");
}

#[test]
fn a_linked_search_index_folder_is_refused() {
    let repo = example_copy();
    let victim = victim();
    std::fs::create_dir(repo.path().join(".cairn")).unwrap();
    let link = repo.path().join(".cairn/index");
    symlink(victim.path(), &link).unwrap();
    let out = tempfile::tempdir().unwrap();
    refused(&build(repo.path(), Some(&out.path().join("site"))), &link, victim.path());
    assert!(!out.path().join("site").exists());
}

#[test]
fn a_linked_state_folder_is_refused() {
    let repo = example_copy();
    let victim = victim();
    let link = repo.path().join(".cairn");
    symlink(victim.path(), &link).unwrap();
    let out = tempfile::tempdir().unwrap();
    refused(&build(repo.path(), Some(&out.path().join("site"))), &link, victim.path());
    // A linked records folder is refused as well.
    std::fs::remove_file(&link).unwrap();
    std::fs::create_dir(&link).unwrap();
    symlink(victim.path(), link.join("builds")).unwrap();
    refused(&build(repo.path(), Some(&out.path().join("site"))), &link.join("builds"), victim.path());
}

#[test]
fn a_linked_lock_file_is_refused_and_its_target_kept() {
    let repo = example_copy();
    let victim = victim();
    let out = tempfile::tempdir().unwrap();
    let link = out.path().join(".site.lock");
    symlink(victim.path().join("target.txt"), &link).unwrap();
    refused(&build(repo.path(), Some(&out.path().join("site"))), &link, victim.path());
    assert!(!out.path().join("site").exists());
}

#[test]
fn a_linked_previous_output_is_refused() {
    let repo = example_copy();
    let victim = victim();
    let out = tempfile::tempdir().unwrap();
    let link = out.path().join(".site.prev");
    symlink(victim.path().join("public"), &link).unwrap();
    refused(&build(repo.path(), Some(&out.path().join("site"))), &link, victim.path());
    std::fs::remove_file(&link).unwrap();
    let link = out.path().join(".site.staging-1-0");
    symlink(victim.path().join("public"), &link).unwrap();
    refused(&build(repo.path(), Some(&out.path().join("site"))), &link, victim.path());
}

#[test]
fn a_committed_output_link_is_refused() {
    let repo = example_copy();
    let victim = victim();
    // The default output, `public/`, committed as a link.
    let link = repo.path().join("public");
    symlink(victim.path().join("public"), &link).unwrap();
    refused(&build(repo.path(), None), &link, victim.path());
    // The output given as typed, through a folder committed as a link inside the repository.
    let link = repo.path().join("site");
    symlink(victim.path(), &link).unwrap();
    refused(&build(repo.path(), Some(&repo.path().join("site/public"))), &link, victim.path());
    refused(&build(repo.path(), Some(&repo.path().join("site/new"))), &link, victim.path());
    // The output itself as a link outside the repository.
    let out = tempfile::tempdir().unwrap();
    let link = out.path().join("site");
    symlink(victim.path().join("public"), &link).unwrap();
    refused(&build(repo.path(), Some(&link)), &link, victim.path());
}

#[test]
fn a_link_the_operator_typed_outside_the_repository_is_followed() {
    let repo = example_copy();
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir(out.path().join("www")).unwrap();
    symlink(out.path().join("www"), out.path().join("current")).unwrap();
    let built = build(repo.path(), Some(&out.path().join("current/site")));
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    assert!(out.path().join("www/site/index.html").is_file());
    assert!(out.path().join("www/.site.lock").is_file());
}

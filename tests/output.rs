//! Output guarantees: the same input gives byte-identical trees, a failed build leaves the
//! previous output as it was, and the committed `public/` is what the example builds to.

mod common;

use common::*;

#[test]
fn building_twice_gives_identical_trees() {
    let a = build_example(None);
    let b = build_example(None);
    assert_eq!(a.files(), b.files());
    let c = build_example(Some("internal"));
    let d = build_example(Some("internal"));
    assert_eq!(c.files(), d.files());
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let repo = example_copy();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site");
    build_into(repo.path(), None, &target, now());
    let before = tree(&target);
    // Break one incident: a time without an offset.
    let incidents = repo.path().join("content/incidents");
    let victim = std::fs::read_dir(&incidents).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(&victim).unwrap();
    let broken = text.replacen("started_at: ", "started_at: 2026-01-01T00:00:00\nignored: ", 1);
    std::fs::write(&victim, broken).unwrap();
    let opts = options(repo.path(), None, Some(&target), now());
    assert!(cairn::pipeline::build(&opts, &|_, _| {}).is_err());
    assert_eq!(tree(&target), before, "the failed build changed the previous output");
    let mut siblings: Vec<_> =
        std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    siblings.sort();
    assert_eq!(siblings, [".site.lock", "site"], "unexpected leftovers");
}

#[test]
fn committed_public_dir_is_up_to_date() {
    // The committed build shows the example's own git history, and is stamped with the commit
    // that last changed what the public sees: it is rebuilt from a clone of this repository at
    // the same commit, with the working tree's inputs (committed or not) laid over it, exactly
    // as `cargo run --release -- build` builds it in a checkout.
    let committed = example_root().join("public");
    let stamp: serde_json::Value =
        serde_json::from_slice(&std::fs::read(committed.join("build.json")).expect("public/build.json")).unwrap();
    let built_at = cairn::load::parse_time(stamp["built_at"].as_str().unwrap()).unwrap();
    let git = |dir: &std::path::Path| {
        let mut cmd = std::process::Command::new("git");
        cmd.current_dir(dir).env("GIT_CONFIG_NOSYSTEM", "1").env("GIT_CONFIG_GLOBAL", "/dev/null");
        cmd
    };
    let head = git(&example_root()).args(["rev-parse", "HEAD"]).output().expect("git");
    assert!(head.status.success(), "the committed public/ shows the repository's history: run this in a git clone");
    let head = String::from_utf8(head.stdout).unwrap().trim().to_string();
    let shallow = git(&example_root()).args(["rev-parse", "--is-shallow-repository"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&shallow.stdout).trim(),
        "false",
        "needs the whole history: git fetch --unshallow"
    );
    let clone = tempfile::tempdir().unwrap();
    let repo = clone.path().join("repo");
    let cloned =
        git(clone.path()).args(["clone", "-q", "--no-checkout"]).arg(example_root()).arg(&repo).status().unwrap();
    assert!(cloned.success());
    assert!(git(&repo).args(["checkout", "-q", "--detach", &head]).status().unwrap().success());
    for input in ["cairn.yaml", "content", "templates", "themes", "static"] {
        let (from, to) = (example_root().join(input), repo.join(input));
        let _ = std::fs::remove_dir_all(&to);
        let _ = std::fs::remove_file(&to);
        if from.is_dir() {
            copy_tree(&from, &to);
        } else if from.is_file() {
            std::fs::copy(&from, &to).unwrap();
        }
    }
    let out = tempfile::tempdir().unwrap();
    let mut opts = options(&repo, None, Some(&out.path().join("site")), built_at);
    if stamp["dirty"] == false && stamp["commit_time"] == stamp["built_at"] {
        // Built from a clean tree at its commit's time: build it the same way.
        opts.now = None;
    }
    cairn::pipeline::build(&opts, &|_, _| {}).ok().expect("the example builds");
    let fresh = tree(&out.path().join("site"));
    let old = tree(&committed);
    let stale: Vec<&String> = fresh.keys().chain(old.keys()).filter(|k| fresh.get(*k) != old.get(*k)).collect();
    assert!(
        stale.is_empty(),
        "public/ is stale ({} files differ, e.g. {:?}); commit your changes to the inputs, then rebuild it with \
         `cargo run --release -- build` on the clean tree and commit public/ (it cannot be in the same commit: it \
         shows that commit's id)",
        stale.len(),
        stale.iter().take(5).collect::<Vec<_>>(),
    );
}

#[test]
fn internal_builds_never_go_to_public() {
    let repo = example_copy();
    let opts = options(repo.path(), Some("internal"), None, now());
    let report = cairn::pipeline::build(&opts, &|_, _| {}).ok().unwrap();
    assert_eq!(report.output, repo.path().join("public-internal"));
    assert!(!repo.path().join("public").exists());
    let ignore = std::fs::read_to_string(example_root().join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "/public-*/"), "public-internal/ must be git-ignored");
}

#[test]
fn unchanged_rebuilds_are_skipped_and_changes_are_never_served_stale() {
    let repo = example_copy();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site");
    let first = build_into(repo.path(), None, &target, now());
    assert!(!first.up_to_date);
    let before = tree(&target);
    let second = build_into(repo.path(), None, &target, now());
    assert!(second.up_to_date, "nothing changed: the build should be skipped");
    assert_eq!(second.files, first.files);
    assert_eq!(tree(&target), before);
    // Another time is another build (the stamp and time-dependent state change).
    let later = cairn::load::parse_time("2026-11-27T12:00:00Z").unwrap();
    assert!(!build_into(repo.path(), None, &target, later).up_to_date);
    // A changed document is rebuilt and shown at once.
    let page = repo.path().join("content/about.md");
    let text = std::fs::read_to_string(&page).unwrap().replacen("title: About this page", "title: About us", 1);
    std::fs::write(&page, text).unwrap();
    let third = build_into(repo.path(), None, &target, later);
    assert!(!third.up_to_date);
    let about = scraper::Html::parse_document(&std::fs::read_to_string(target.join("about/index.html")).unwrap());
    assert_eq!(texts(&about, "h1"), vec!["About us"]);
    // An output changed by hand is rebuilt too.
    std::fs::write(target.join("build.json"), "{}").unwrap();
    assert!(!build_into(repo.path(), None, &target, later).up_to_date);
    assert_ne!(std::fs::read_to_string(target.join("build.json")).unwrap(), "{}");
}

/// A static file at the path of a generated output (the sitemap, the search index) is an error
/// naming the static file, not a silent overwrite, and the build writes nothing. (A static page
/// at a page's path is refused earlier, as `script-in-static`.)
#[test]
fn a_static_file_clashing_with_an_output_is_an_error() {
    let repo = example_copy();
    std::fs::create_dir_all(repo.path().join("static/search")).unwrap();
    std::fs::write(repo.path().join("static/sitemap.xml"), "<urlset/>").unwrap();
    std::fs::write(repo.path().join("static/search/meta.json"), "{}").unwrap();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site");
    let opts = options(repo.path(), None, Some(&target), now());
    let Err(cairn::pipeline::BuildError::Invalid(problems)) = cairn::pipeline::build(&opts, &|_, _| {}) else {
        panic!("a build with clashing outputs succeeded");
    };
    let conflicts: Vec<(String, String)> =
        problems.iter().filter(|d| d.code == "path-conflict").map(|d| (d.file.clone(), d.message.clone())).collect();
    let own = |file: &str, path: &str| {
        (file.to_string(), format!("`{file}` would be written to `{path}`, where cairn writes a file of its own"))
    };
    assert_eq!(
        conflicts,
        vec![own("static/search/meta.json", "search/meta.json"), own("static/sitemap.xml", "sitemap.xml")],
        "{problems:?}"
    );
    assert!(!target.exists(), "a refused build wrote output");
}

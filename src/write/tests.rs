//! Unit tests of the writer: incremental reuse, leftovers of killed builds, path checks.

use super::*;

fn file(path: &str, bytes: &[u8]) -> OutputFile {
    OutputFile::new(path.into(), bytes.to_vec())
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

#[test]
fn replaces_the_whole_tree_touching_only_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("public");
    write_site(&target, &[file("a/index.html", b"1"), file("keep.txt", b"k")]).unwrap();
    let second = write_site(&target, &[file("b/c.txt", b"2"), file("keep.txt", b"k")]).unwrap();
    assert_eq!(second.stats, WriteStats { written: 2, unchanged: 0, removed: 0 }, "first staging is a fresh dir");
    let third = write_site(&target, &[file("b/c.txt", b"3"), file("keep.txt", b"k")]).unwrap();
    assert_eq!(third.stats, WriteStats { written: 1, unchanged: 1, removed: 1 });
    assert!(!target.join("a").exists());
    assert_eq!(std::fs::read(target.join("b/c.txt")).unwrap(), b"3");
    assert_eq!(names(tmp.path()), vec![".public.lock", ".public.prev", "public"]);
    assert!(third.manifest.matches(&target));
}

#[test]
fn a_file_and_a_folder_may_trade_places_between_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("public");
    write_site(&target, &[file("x", b"file"), file("y/z.txt", b"z")]).unwrap();
    write_site(&target, &[file("x", b"file"), file("y/z.txt", b"z")]).unwrap();
    // The base of the next staging folder has `x` as a file and `y` as a folder.
    let swapped = write_site(&target, &[file("x/inner.txt", b"in"), file("y", b"now a file")]).unwrap();
    assert_eq!(std::fs::read(target.join("x/inner.txt")).unwrap(), b"in");
    assert_eq!(std::fs::read(target.join("y")).unwrap(), b"now a file");
    assert!(swapped.manifest.matches(&target));
}

#[test]
fn leftovers_of_killed_builds_are_reused_or_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("public");
    // Two killed builds, no previous output: one leftover becomes the base, the other goes.
    for (name, content) in [(".public.staging-1-a", b"one"), (".public.staging-2-b", b"two")] {
        std::fs::create_dir_all(tmp.path().join(name).join("d")).unwrap();
        std::fs::write(tmp.path().join(name).join("d/f.txt"), content).unwrap();
    }
    let first = write_site(&target, &[file("d/f.txt", b"two")]).unwrap();
    assert_eq!(first.stats, WriteStats { written: 0, unchanged: 1, removed: 0 });
    assert_eq!(names(tmp.path()), vec![".public.lock", "public"]);
    // With a previous output, a leftover is only removed.
    write_site(&target, &[file("d/f.txt", b"three")]).unwrap();
    std::fs::create_dir_all(tmp.path().join(".public.staging-3-c")).unwrap();
    write_site(&target, &[file("d/f.txt", b"three")]).unwrap();
    assert_eq!(names(tmp.path()), vec![".public.lock", ".public.prev", "public"]);
}

#[cfg(unix)]
#[test]
fn links_in_the_base_never_lead_a_write_outside() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("public");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("page.html"), b"mine").unwrap();
    write_site(&target, &[file("page.html", b"x")]).unwrap();
    write_site(&target, &[file("page.html", b"x")]).unwrap();
    // Someone replaced files of the previous output with links out of it.
    let prev = tmp.path().join(".public.prev");
    std::fs::remove_file(prev.join("page.html")).unwrap();
    std::os::unix::fs::symlink(outside.join("page.html"), prev.join("page.html")).unwrap();
    std::os::unix::fs::symlink(&outside, prev.join("dir")).unwrap();
    write_site(&target, &[file("page.html", b"new"), file("dir/page.html", b"new")]).unwrap();
    assert_eq!(std::fs::read(outside.join("page.html")).unwrap(), b"mine");
    assert_eq!(names(&outside), vec!["page.html"]);
    assert!(std::fs::symlink_metadata(target.join("dir")).unwrap().is_dir());
}

#[test]
fn only_plain_relative_paths_are_written() {
    for bad in [
        "",
        "/etc/passwd",
        "../x",
        "a/../../x",
        "a/./b",
        ".",
        "..",
        "a//b",
        "a/",
        "a\\b",
        "..\\x",
        "a\0b",
        "C:",
        "c:/x",
        "C:x",
    ] {
        let refused = check_path(bad).expect_err(bad);
        assert_eq!(refused.kind(), io::ErrorKind::InvalidInput);
        assert!(refused.to_string().contains(&format!("`{bad}`")), "{refused}");
    }
    for good in ["index.html", "a/b/c.json", ".well-known/x", "a..b/c", "api/v2/summary.json", "a/b:c"] {
        check_path(good).unwrap();
    }
}

#[test]
fn a_refused_path_writes_nothing_anywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("site").join("public");
    let lock = OutputLock::acquire(&target, &|_| {}).unwrap();
    let staging = Staging::begin(&lock).unwrap();
    for bad in ["../escaped", "/tmp/escaped", "a/../../escaped", "a\\..\\..\\escaped"] {
        let refused = staging.put(bad, b"x").unwrap_err();
        assert!(refused.to_string().contains(bad), "{refused}");
    }
    assert!(staging.make_dirs(["../up/"].into_iter()).is_err());
    staging.finish().unwrap();
    assert_eq!(names(&tmp.path().join("site")), vec![".public.lock", "public"]);
    assert!(names(&target).is_empty());
}

#[test]
fn a_build_that_fails_after_begin_leaves_the_previous_output_and_no_staging() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("public");
    write_site(&target, &[file("a.txt", b"1")]).unwrap();
    write_site(&target, &[file("a.txt", b"2")]).unwrap();
    let lock = OutputLock::acquire(&target, &|_| {}).unwrap();
    let staging = Staging::begin(&lock).unwrap();
    staging.put("a.txt", b"3").unwrap();
    staging.put("b.txt", b"3").unwrap();
    drop(staging);
    assert_eq!(names(tmp.path()), vec![".public.lock", ".public.prev", "public"]);
    assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"2");
    // The next build starts from it, comparing every file it puts.
    drop(lock);
    let next = write_site(&target, &[file("a.txt", b"3")]).unwrap();
    assert_eq!(next.stats, WriteStats { written: 0, unchanged: 1, removed: 1 });
}

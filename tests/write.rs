//! The output as real processes leave it: builds of one output take turns, a killed build
//! leaves a whole output (the previous one or the new one, never a mix, never missing), a
//! skipped build is proven identical and reports its warnings again, and an output that
//! overlaps the sources is refused before anything moves.
//!
//! `a_killed_build_leaves_a_whole_output` kills 10 builds; `CAIRN_KILL_ITERATIONS=500` (and
//! `CAIRN_KILL_SEED=<n>` for other kill points) makes it a long soak.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-26T12:00:00Z";

fn cairn() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cairn"));
    c.env_remove("CI").env_remove("SOURCE_DATE_EPOCH");
    c
}

/// `cairn build` of `root` for `audience` into `output`.
fn build(root: &Path, audience: &str, output: &Path) -> Command {
    let mut c = cairn();
    c.args(["build", "--now", NOW, "--audience", audience, "--root"]).arg(root).arg("--output").arg(output);
    c
}

fn run(mut command: Command) -> std::process::Output {
    let out = command.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Names of the entries of `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

fn staging_leftovers(dir: &Path) -> Vec<String> {
    names(dir).into_iter().filter(|n| n.contains(".staging-")).collect()
}

/// Every entry below `dir` (folders as `path/`, links and files with their bytes).
fn entries(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        if entry.file_type().is_dir() {
            out.insert(format!("{rel}/"), Vec::new());
        } else {
            out.insert(rel, std::fs::read(entry.path()).unwrap_or_default());
        }
    }
    out
}

#[test]
fn concurrent_builds_of_one_output_take_turns() {
    let repo = example_copy();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site");
    let mut references = BTreeMap::new();
    for audience in ["public", "internal"] {
        let reference = out.path().join(format!("ref-{audience}"));
        run(build(repo.path(), audience, &reference));
        references.insert(audience, tree(&reference));
    }
    assert_ne!(references["public"], references["internal"]);
    for round in 0..2 {
        let children: Vec<Child> = ["public", "internal", "public", "internal"]
            .iter()
            .map(|audience| build(repo.path(), audience, &target).stderr(Stdio::piped()).spawn().unwrap())
            .collect();
        let mut waited = 0;
        for child in children {
            let done = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&done.stderr);
            assert!(done.status.success(), "{stderr}");
            waited += usize::from(stderr.contains("Waiting for the build in progress into"));
        }
        let got = tree(&target);
        assert!(
            got == references["public"] || got == references["internal"],
            "round {round}: the output is neither build ({} files; {} waited)",
            got.len(),
            waited
        );
        assert!(staging_leftovers(out.path()).is_empty(), "{:?}", names(out.path()));
    }
}

/// The lock is what makes builds take turns: a build finds it held, says so once with the
/// holder's pid, and writes nothing until it is released.
#[test]
fn a_build_waits_for_the_one_in_progress() {
    let repo = example_copy();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site");
    let mut held = std::fs::File::create(out.path().join(".site.lock")).unwrap();
    held.lock().unwrap();
    std::io::Write::write_all(&mut held, format!("{}\n", std::process::id()).as_bytes()).unwrap();
    let mut child = build(repo.path(), "public", &target).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    let first = rx.recv_timeout(Duration::from_secs(60)).expect("the waiting build says nothing");
    assert_eq!(
        first,
        format!(
            "Waiting for the build in progress into {} (process {}) to finish…",
            target.display(),
            std::process::id()
        )
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "the build did not wait");
    assert!(!target.exists() && staging_leftovers(out.path()).is_empty(), "it wrote while waiting");
    drop(held);
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(rest.iter().all(|l| !l.starts_with("Waiting")), "said more than once: {rest:?}");
    assert!(target.join("index.html").is_file());
}

/// A small deterministic generator (xorshift64*), for reproducible kill points.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

#[test]
fn a_killed_build_leaves_a_whole_output() {
    let iterations: usize = std::env::var("CAIRN_KILL_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let seed: u64 = std::env::var("CAIRN_KILL_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5eed_cafe);
    let repo = example_copy();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site");
    // Two different complete builds to alternate between, so that no build is skipped.
    let audiences = ["public", "internal"];
    let mut references = Vec::new();
    for audience in audiences {
        let reference = out.path().join(format!("ref-{audience}"));
        run(build(repo.path(), audience, &reference));
        references.push(tree(&reference));
    }
    // Before the first build succeeds there is no output; a kill must not make one.
    let mut child = build(repo.path(), audiences[0], &target).stderr(Stdio::null()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        !target.exists() || references.contains(&tree(&target)),
        "a first build killed early left a partial output"
    );
    // How long a build that replaces the output takes (the second one), to kill at any point.
    let mut typical = Duration::ZERO;
    for audience in audiences {
        let started = Instant::now();
        run(build(repo.path(), audience, &target));
        typical = started.elapsed();
    }
    let mut rng = Rng(seed);
    let mut outcomes = [0; 2];
    for i in 0..iterations {
        let audience = audiences[i % 2];
        let mut child =
            build(repo.path(), audience, &target).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let delay = Duration::from_micros(rng.below(typical.as_micros() as u64));
        std::thread::sleep(delay);
        // SIGKILL on unix: no destructor, no cleanup.
        let _ = child.kill();
        let _ = child.wait();
        let context = format!("iteration {i} (seed {seed}), killed after {delay:?} of about {typical:?}");
        assert!(target.exists(), "{context}: the output went missing");
        let got = tree(&target);
        let which = references.iter().position(|r| *r == got);
        assert!(which.is_some(), "{context}: the output is a mix ({} files)", got.len());
        outcomes[usize::from(which == Some(i % 2))] += 1;
        assert!(staging_leftovers(out.path()).len() <= 1, "{context}: leftovers pile up: {:?}", names(out.path()));
    }
    eprintln!("{iterations} kills: {} left the previous output, {} the new one", outcomes[0], outcomes[1]);
    run(build(repo.path(), "public", &target));
    assert_eq!(tree(&target), references[0]);
    assert!(staging_leftovers(out.path()).is_empty(), "{:?}", names(out.path()));
}

#[test]
fn a_skip_is_never_wrong() {
    let repo = example_copy();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site");
    assert!(!build_into(repo.path(), None, &target, now()).up_to_date);
    let reference = tree(&target);
    assert!(build_into(repo.path(), None, &target, now()).up_to_date);
    type Change = fn(&Path);
    let changes: [(&str, Change); 4] = [
        ("a deleted output file", |t| std::fs::remove_file(t.join("about/index.html")).unwrap()),
        ("an edited output file of the same size", |t| {
            let mut bytes = std::fs::read(t.join("index.html")).unwrap();
            let at = bytes.iter().position(|b| *b == b'<').unwrap();
            bytes[at + 1] = if bytes[at + 1] == b'x' { b'y' } else { b'x' };
            std::fs::write(t.join("index.html"), bytes).unwrap();
        }),
        ("an added output file", |t| std::fs::write(t.join("incidents/extra.html"), "x").unwrap()),
        ("a removed output folder", |t| std::fs::remove_dir_all(t.join("api")).unwrap()),
    ];
    for (what, change) in changes {
        change(&target);
        assert!(!build_into(repo.path(), None, &target, now()).up_to_date, "skipped after {what}");
        assert!(tree(&target) == reference, "{what}: the rebuild did not restore the output");
        assert!(build_into(repo.path(), None, &target, now()).up_to_date, "{what}: not skipped once restored");
    }
    // A theme change: a template of the site overriding the built-in one.
    let base = std::fs::read_to_string(example_root().join("themes/default/templates/base.html")).unwrap();
    std::fs::create_dir_all(repo.path().join("templates")).unwrap();
    std::fs::write(repo.path().join("templates/base.html"), base.replacen("</body>", "<p id=themed></p></body>", 1))
        .unwrap();
    assert!(!build_into(repo.path(), None, &target, now()).up_to_date, "skipped after a theme change");
    assert!(std::fs::read_to_string(target.join("index.html")).unwrap().contains("<p id=themed></p>"));
    let themed = tree(&target);
    // `--force` ignores the record.
    let mut forced = options(repo.path(), None, Some(&target), now());
    forced.force = true;
    let report = cairn::pipeline::build(&forced, &|_, _| {}).ok().unwrap();
    assert!(!report.up_to_date, "forced, yet skipped");
    assert_eq!(tree(&target), themed);
}

/// The fingerprint starts with a hash of the running executable's bytes
/// (`cairn::cache::executable_id`). That covers the built-in theme: every template and static
/// file of `themes/default/` is in the `cairn` executable byte for byte, so editing one and
/// rebuilding cairn changes the id, and no output of the old theme is reused.
#[test]
fn the_built_in_theme_is_part_of_the_executable_id() {
    let exe = std::fs::read(env!("CARGO_BIN_EXE_cairn")).unwrap();
    let theme = example_root().join("themes/default");
    let files: Vec<_> =
        ["templates", "static"].iter().flat_map(|d| cairn::load::files_sorted(&theme.join(d))).collect();
    assert!(files.len() > 10, "the theme has templates and static files");
    for file in files {
        let bytes = std::fs::read(file.path()).unwrap();
        assert!(memchr::memmem::find(&exe, &bytes).is_some(), "{} is not in the executable", file.path().display());
    }
}

#[test]
fn a_skipped_build_reports_its_warnings_again() {
    let dir = tempfile::tempdir().unwrap();
    assert!(cairn().arg("init").arg(dir.path()).status().unwrap().success());
    std::fs::write(dir.path().join("content/notes.txt"), "x").unwrap();
    for format in ["human", "github"] {
        let build = || {
            let out = run({
                let mut c = cairn();
                c.args(["build", "--now", NOW, "--format", format, "--root"]).arg(dir.path());
                c
            });
            let stderr = String::from_utf8(out.stderr).unwrap();
            let (warnings, summary) = stderr.trim_end().rsplit_once('\n').unwrap_or(("", &stderr));
            (warnings.to_string(), summary.to_string())
        };
        let (first, built) = build();
        let (again, skipped) = build();
        assert!(first.contains("ignored-file"), "{format}: {first}");
        assert_eq!(again, first, "{format}: the skipped build's warnings differ");
        assert!(skipped.contains("up to date"), "{format}: {skipped} (first: {built})");
    }
    let forced = run({
        let mut c = cairn();
        c.args(["build", "--force", "--now", NOW, "--root"]).arg(dir.path());
        c
    });
    assert!(String::from_utf8_lossy(&forced.stderr).contains("Built the public site"));
}

/// The fingerprint keys on the inputs below the root, and on the root as a canonical path:
/// `--root .` and the same folder spelt absolutely are one build, not two.
#[test]
fn one_root_spelt_two_ways_is_one_build() {
    let dir = tempfile::tempdir().unwrap();
    assert!(cairn().arg("init").arg(dir.path()).status().unwrap().success());
    let out = dir.path().join("out");
    let relative = run({
        let mut c = cairn();
        c.current_dir(dir.path()).args(["build", "--now", NOW, "--root", ".", "--output", "out"]);
        c
    });
    assert!(String::from_utf8_lossy(&relative.stderr).contains("Built the public site"));
    let absolute = run({
        let mut c = cairn();
        c.args(["build", "--now", NOW, "--root"]).arg(dir.path()).arg("--output").arg(&out);
        c
    });
    let stderr = String::from_utf8_lossy(&absolute.stderr);
    assert!(stderr.contains("is up to date"), "{stderr}");
}

#[test]
fn an_output_overlapping_the_sources_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("kb");
    let copy = example_copy();
    copy_tree(copy.path(), &root);
    std::fs::write(tmp.path().join("file.txt"), "not a folder").unwrap();
    let before = entries(tmp.path());
    let cases = [
        ("content", "it is the input"),
        (".", "it is the root"),
        ("content/incidents", "it is inside the input"),
        ("..", "it contains the root"),
        ("../file.txt", "it exists and is not a folder"),
        ("cairn.yaml", "it is the input"),
        (".git/site", "it is inside the input"),
    ];
    for (output, why) in cases {
        let out = cairn()
            .current_dir(&root)
            .args(["build", "--now", NOW, "--root", ".", "--output", output])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--output {output}: {stderr}");
        assert!(stderr.contains("refusing to build into") && stderr.contains(why), "--output {output}: {stderr}");
        assert!(stderr.contains(&root.join(output).display().to_string()), "--output {output}: {stderr}");
        assert!(entries(tmp.path()) == before, "--output {output} changed the sources");
    }
}

//! Output into a pipe that was closed early (`cairn search … --json | head -c 300`): cairn ends
//! quietly, as command-line tools do, instead of panicking with "failed printing to stdout".
#![cfg(unix)]

mod common;

use common::blackbox::{NOW, build, example_copy};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

#[test]
fn a_closed_pipe_ends_search_quietly() {
    let repo = example_copy();
    let out = tempfile::tempdir().unwrap();
    let built = build(repo.path(), "internal", &out.path().join("site"), NOW);
    assert!(built.ok(), "{}", built.stderr);
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["search", "--json", "--root"])
        .arg(repo.path())
        .arg("finality")
        .env("RUST_BACKTRACE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader is gone before cairn prints anything: its first write meets a closed pipe.
    drop(child.stdout.take());
    let done = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
    assert!(
        done.status.signal() == Some(libc::SIGPIPE) || done.status.success(),
        "ended with {:?}: {stderr}",
        done.status
    );
}

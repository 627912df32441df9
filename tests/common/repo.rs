//! Real git repositories in temp dirs, for the history tests: commands pinned against the
//! machine's git configuration, commits at controlled times by controlled authors.

use std::path::Path;
use std::process::Command;

pub const ADA: (&str, &str) = ("Ada Responder", "ada@example.org");
pub const BO: (&str, &str) = ("Bo Oncall", "bo@example.org");

/// `git` isolated from the machine's configuration.
pub fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"]);
    cmd
}

pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Commits everything in `dir` as `author` at `time` (RFC 3339), returning the commit id.
pub fn commit(dir: &Path, message: &str, author: (&str, &str), time: &str) -> String {
    run(git(dir).args(["add", "-A"]));
    run(git(dir)
        .args(["-c", &format!("user.name={}", author.0), "-c", &format!("user.email={}", author.1)])
        .args(["commit", "-q", "--allow-empty", "-m", message])
        .env("GIT_AUTHOR_DATE", time)
        .env("GIT_COMMITTER_DATE", time));
    run(git(dir).args(["rev-parse", "HEAD"])).trim().to_string()
}

pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

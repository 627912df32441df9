//! A small knowledge base in a temporary folder, and the cairn binary run inside it, as the comms
//! lead runs it: from `content/incidents/`, with `--now` fixed.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub const CONFIG: &str = "\
title: My Network Status
description: Live status of My Network.
base_url: https://status.example.org
audiences: [public, operators, internal]
chain: { name: My Network, block_time: 6s }
defaults: { runbooks: internal, incidents: internal, postmortems: internal, matrices: internal, maintenance: public }
";

pub const COMPONENTS: &str = "\
groups:
  - id: chain
    name: Chain
components:
  - id: consensus
    name: Consensus
    group: chain
    description: Block production and finality.
    visibility: public
  - id: rpc-gateway
    name: Public RPC
    group: chain
    description: JSON-RPC endpoints.
    visibility: public
";

pub struct Repo {
    pub dir: tempfile::TempDir,
}

/// What one command printed and how it ended.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cairn.yaml"), CONFIG).unwrap();
        std::fs::create_dir_all(dir.path().join("content/incidents")).unwrap();
        std::fs::create_dir_all(dir.path().join("content/maintenance")).unwrap();
        std::fs::write(dir.path().join("content/components.yaml"), COMPONENTS).unwrap();
        Repo { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Runs cairn in `content/incidents/`, with `--now now` after the arguments.
    pub fn run(&self, args: &[&str], now: &str) -> Ran {
        let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
            .args(args)
            .args(["--now", now])
            .current_dir(self.root().join("content/incidents"))
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap();
        Ran {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs a command that must succeed; returns what it printed.
    pub fn ok(&self, args: &[&str], now: &str) -> String {
        let ran = self.run(args, now);
        assert_eq!(ran.code, 0, "cairn {args:?} failed:\n{}{}", ran.stdout, ran.stderr);
        ran.stdout
    }

    /// Builds `audience`'s site at `now` (from the subfolder, into a folder outside it) and
    /// returns where it is.
    pub fn build(&self, audience: &str, now: &str) -> PathBuf {
        let out = self.root().join(format!("site-{audience}"));
        let out_text = out.to_str().unwrap().to_string();
        self.ok(&["build", "--audience", audience, "--output", &out_text, "--quiet"], now);
        out
    }

    pub fn file(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel)).unwrap()
    }
}

impl Repo {
    /// Writes `text` to `rel` under the root, creating folders.
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// An incident of [`Repo`], public, opened at 10:00 with one update.
pub const INCIDENT: &str = "\
---
title: RPC errors
severity: sev2
impact: major
components: [rpc-gateway]
visibility: public
started_at: 2026-12-01T10:00:00Z
updates:
  - at: 2026-12-01T10:00:00Z
    status: investigating
    body: We are investigating.
---
";
pub const INCIDENT_PATH: &str = "content/incidents/2026-12-01-rpc-errors.md";

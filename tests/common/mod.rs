//! Helpers shared by the end-to-end tests: build real sites into temp dirs and read them back.
#![allow(dead_code)]

use cairn::model::Timestamp;
use cairn::pipeline::{BuildOptions, BuildReport, build};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub mod blackbox;
pub mod browser;
pub mod repo;

#[allow(unused_imports)]
pub use blackbox::{copy_tree, example_copy, example_root, tree};

/// The fixed "now" the tests build with.
pub fn now() -> Timestamp {
    cairn::load::parse_time("2026-11-26T12:00:00Z").unwrap()
}

/// The options of a build of `root` for `audience` into `output` (the default folder when
/// `None`), with no base URL override.
pub fn options(root: &Path, audience: Option<&str>, output: Option<&Path>, now: Timestamp) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        audience: audience.map(String::from),
        output: output.map(Path::to_path_buf),
        base_url: None,
        now: Some(now),
        force: false,
        rev: None,
    }
}

/// Builds `root` for `audience` into `out`, panicking with the diagnostics if it fails.
pub fn build_into(root: &Path, audience: Option<&str>, out: &Path, now: Timestamp) -> BuildReport {
    let opts = options(root, audience, Some(out), now);
    match build(&opts, &|_, _| {}) {
        Ok(r) => r,
        Err(cairn::pipeline::BuildError::Invalid(d)) => {
            panic!("build failed:\n{}", d.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))
        }
        Err(cairn::pipeline::BuildError::Usage(m) | cairn::pipeline::BuildError::Io(m)) => panic!("{m}"),
    }
}

/// A built example site in a temp dir.
pub struct Built {
    pub dir: tempfile::TempDir,
    pub report: BuildReport,
}

impl Built {
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join("site").join(rel)
    }

    pub fn html(&self, rel: &str) -> scraper::Html {
        let text = std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        scraper::Html::parse_document(&text)
    }

    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        tree(&self.dir.path().join("site"))
    }
}

/// A copy of the example knowledge base made once per test process: builds write their cache
/// (`.cairn/`) under the root they build, and tests must not write into the repository.
pub fn example_repo() -> &'static Path {
    static COPY: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    COPY.get_or_init(example_copy).path()
}

pub fn build_example(audience: Option<&str>) -> Built {
    let dir = tempfile::tempdir().unwrap();
    let report = build_into(example_repo(), audience, &dir.path().join("site"), now());
    Built { dir, report }
}

/// Text content of every element matching `selector`.
pub fn texts(doc: &scraper::Html, selector: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel).map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")).collect()
}

/// An attribute of every element matching `selector`.
pub fn attrs(doc: &scraper::Html, selector: &str, attr: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel).filter_map(|e| e.value().attr(attr).map(String::from)).collect()
}

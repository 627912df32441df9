//! Bounded work: the limits every input is held to before it is parsed, far above any real
//! knowledge base, so that a hostile pull request cannot make `check` or `build` run for minutes
//! or fill memory. Each limit broken is a diagnostic naming the limit and how to stay under it.

use super::scan::scan;
use crate::diagnostics::{Diagnostic, Pos};
use std::path::Path;

/// Largest content file (markdown with its front matter): 4 MiB. The largest page of the example
/// is 11 KB; an incident with 500 updates weighs about 220 KB.
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// Largest YAML text (a front matter, a matrix, `components.yaml`, `cairn.yaml`): 1 MiB. The
/// example's updates average 440 bytes each, so 500 of them make about 220 KB.
pub const MAX_YAML_BYTES: usize = 1 << 20;

/// Deepest nesting of lists and mappings (block and flow together): 32. cairn's documents nest
/// four levels (the document, `updates`, an update, its values); libyaml's scanner takes time
/// quadratic in the depth of `[`/`{` nesting, and serde_yaml gives up at 128.
pub const MAX_DEPTH: usize = 32;

/// Aliases reported one by one in a file, before the rest are only counted.
const ALIASES_SHOWN: usize = 20;

/// `size` bytes in binary units, for messages.
pub fn human_size(size: u64) -> String {
    match size {
        s if s >= 1 << 20 => format!("{:.1} MiB", s as f64 / f64::from(1 << 20)),
        s if s >= 1 << 10 => format!("{:.1} KiB", s as f64 / f64::from(1 << 10)),
        s => format!("{s} bytes"),
    }
}

/// The diagnostic for a content file over [`MAX_FILE_BYTES`].
pub fn file_too_large(file: &Path, size: u64) -> Diagnostic {
    Diagnostic::error(
        file,
        Pos::START,
        "too-large",
        format!(
            "the file is {}; cairn reads content files of at most {} (4 MiB)",
            human_size(size),
            human_size(MAX_FILE_BYTES)
        ),
    )
    .with_help("split it into several documents; put logs and other large files in `static/` and link to them")
}

/// The diagnostic for YAML text over [`MAX_YAML_BYTES`]; `front_matter` when the text is the
/// front matter of a markdown file.
pub fn yaml_too_large(file: &Path, pos: Pos, size: usize, front_matter: bool) -> Diagnostic {
    let what = if front_matter { "front matter" } else { "YAML file" };
    let help = if front_matter {
        "an incident with 500 updates has about 220 KiB of front matter: move long text into the markdown \
         body below the front matter, or continue in a follow-up incident"
    } else {
        "split it into several files (one matrix per file, for example)"
    };
    Diagnostic::error(
        file,
        pos,
        "too-large",
        format!(
            "the {what} is {}; cairn reads at most {} (1 MiB) of YAML per file",
            human_size(size as u64),
            human_size(MAX_YAML_BYTES as u64)
        ),
    )
    .with_help(help)
}

/// File position of byte `offset` of `yaml`, whose first line is file line `first_line`
/// (columns count characters).
fn position(yaml: &str, offset: usize, first_line: usize) -> Pos {
    let before = yaml.get(..offset).unwrap_or(yaml);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos::new(first_line + before.matches('\n').count(), before[line_start..].chars().count() + 1)
}

/// Every limit `yaml` (starting on file line `first_line`) breaks, checked before it is parsed:
/// its size, its nesting depth and its aliases. Empty when it may be parsed.
pub fn check_yaml(file: &Path, yaml: &str, first_line: usize, front_matter: bool) -> Vec<Diagnostic> {
    if yaml.len() > MAX_YAML_BYTES {
        let pos = if front_matter { Pos::START } else { Pos::new(first_line, 1) };
        return vec![yaml_too_large(file, pos, yaml.len(), front_matter)];
    }
    let shape = scan(yaml, MAX_DEPTH);
    let mut problems = Vec::new();
    if let Some(at) = shape.too_deep_at {
        problems.push(
            Diagnostic::error(
                file,
                position(yaml, at, first_line),
                "too-deep",
                format!(
                    "lists and mappings nest more than {MAX_DEPTH} deep here ({} in this file); cairn accepts at most {MAX_DEPTH}",
                    shape.max_depth
                ),
            )
            .with_help(
                "cairn's documents nest four levels at most (the document, `updates`, an update, its values): \
                 remove the extra `[`, `{` or indentation",
            ),
        );
    }
    let count = shape.aliases.len();
    for (n, at) in shape.aliases.iter().take(ALIASES_SHOWN).enumerate() {
        let name: String = yaml[*at..].chars().take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c)).collect();
        let more = if n + 1 == ALIASES_SHOWN && count > ALIASES_SHOWN {
            format!(" ({} more aliases in this file are not shown)", count - ALIASES_SHOWN)
        } else {
            String::new()
        };
        problems.push(
            Diagnostic::error(
                file,
                position(yaml, *at, first_line),
                "yaml-alias",
                format!("`{name}` is a YAML alias; cairn does not accept aliases{more}"),
            )
            .with_help(
                "write the value out where it is used: an alias repeats another part of the file, and a few \
                 can stand for megabytes (anchors `&name` alone are fine)",
            ),
        );
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(yaml: &str) -> Vec<(&'static str, usize, usize)> {
        check_yaml(Path::new("f.md"), yaml, 2, true).iter().map(|d| (d.code, d.line, d.column)).collect()
    }

    #[test]
    fn real_front_matter_passes() {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("content/incidents/2026-11-20-finality-stall.md"),
        )
        .unwrap();
        let fm = super::super::yaml::split_front_matter(&text).unwrap();
        assert!(codes(fm.yaml).is_empty());
        assert!(
            codes("a: x *bold* text\nb: see [x] and {y}\nc: |\n  *x* [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n").is_empty()
        );
        assert!(codes("a: x *y\nb: 'it''s [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['\nc: \"*z\"\n").is_empty());
    }

    #[test]
    fn depth_aliases_and_size_are_found_where_they_are() {
        let deep = format!("title: x\nnested: {}\n", "[".repeat(40));
        assert_eq!(codes(&deep), [("too-deep", 3, 40)]);
        assert_eq!(codes("a: &x [1]\nb: *x\nc: [ *x ]\n"), [("yaml-alias", 3, 4), ("yaml-alias", 4, 6)]);
        let blocks: String = (0..40).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        assert_eq!(codes(&blocks), [("too-deep", 34, 33)]);
        let big = "a: x\n".repeat(MAX_YAML_BYTES / 5 + 1);
        assert_eq!(codes(&big), [("too-large", 1, 1)]);
        let many = "- *a\n".repeat(30);
        let found = check_yaml(Path::new("m.yaml"), &many, 1, false);
        assert_eq!(found.len(), ALIASES_SHOWN);
        assert!(found[ALIASES_SHOWN - 1].message.contains("10 more"), "{}", found[ALIASES_SHOWN - 1].message);
    }

    #[test]
    fn a_hundred_thousand_brackets_are_refused_at_once() {
        let yaml = "[".repeat(100_000);
        let found = codes(&yaml);
        assert_eq!(found, [("too-deep", 2, 33)]);
    }
}

//! Audience-fenced blocks inside markdown (`:::internal` … `:::`): finding them, checking them,
//! and dropping the ones an audience may not see. Dropped lines become empty lines, so line
//! numbers of everything that remains still match the file.

use crate::diagnostics::{Diagnostic, Pos};
use crate::load::parse_time;
use crate::model::{Audiences, Timestamp};
use std::path::Path;

/// One fenced block: its fence lines (0-based, within the body) and who may see it.
#[derive(Debug, Clone)]
pub struct Block {
    pub open: usize,
    pub close: usize,
    pub audience: usize,
    pub embargo_until: Option<Timestamp>,
}

/// Finds every audience block in a markdown body, skipping code fences. Problems are reported
/// against `file`, with body lines shifted to file lines by `body_line`.
pub fn scan(
    body: &str,
    audiences: &Audiences,
    file: &Path,
    (body_line, body_column): (usize, usize),
) -> (Vec<Block>, Vec<Diagnostic>) {
    let mut blocks = Vec::new();
    let mut problems = Vec::new();
    let mut code_fence: Option<&str> = None;
    let mut open: Option<(usize, usize, Option<Timestamp>)> = None;
    for (i, line) in body.lines().enumerate() {
        let t = line.trim();
        if let Some(fence) = code_fence {
            if t.starts_with(fence) {
                code_fence = None;
            }
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            code_fence = Some(&t[..3]);
            continue;
        }
        let Some(rest) = t.strip_prefix(":::") else {
            continue;
        };
        let indent = line.len() - line.trim_start().len();
        let pos = Pos::new(body_line + i, indent + 1 + body_column);
        // Position of a word of the fence line (its audience name or an option).
        let word_pos = |word: &str| {
            let at = line.find(word).unwrap_or(indent);
            Pos::new(body_line + i, line[..at].chars().count() + 1 + body_column)
        };
        let rest = rest.trim();
        if rest.is_empty() {
            match open.take() {
                Some((start, audience, embargo_until)) => {
                    blocks.push(Block { open: start, close: i, audience, embargo_until })
                }
                None => problems.push(
                    Diagnostic::error(file, pos, "unopened-block", "`:::` closes a block that was never opened")
                        .with_help(
                            "open audience blocks with `:::internal` (or another audience) on a line of its own",
                        ),
                ),
            }
            continue;
        }
        if let Some((start, _, _)) = open {
            problems.push(
                Diagnostic::error(file, pos, "nested-block", "audience blocks cannot be nested")
                    .with_help(format!("close the block opened on line {} with `:::` first", body_line + start)),
            );
            continue;
        }
        let mut words = rest.split_whitespace();
        let name = words.next().unwrap_or_default();
        let Some(audience) = audiences.rank(name) else {
            let names = audiences.0.join(", ");
            let help = match crate::diagnostics::suggest(name, audiences.0.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `:::{s}`? (audiences: {names})"),
                None => {
                    format!("blocks are fenced by an audience name from cairn.yaml: {names}")
                }
            };
            problems.push(
                Diagnostic::error(
                    file,
                    word_pos(name),
                    "unknown-audience",
                    format!("`{name}` is not an audience of this site"),
                )
                .with_help(help),
            );
            // Fail closed: treat an unknown fence as the most trusted audience.
            open = Some((i, audiences.most_trusted(), None));
            continue;
        };
        let mut embargo = None;
        for word in words {
            match word.strip_prefix("embargo_until=").map(|v| (v, parse_time(v))) {
                Some((_, Some(t))) => embargo = Some(t),
                Some((v, None)) => problems.push(
                    Diagnostic::error(
                        file,
                        word_pos(v),
                        "bad-time",
                        format!("`embargo_until` is not a valid time: `{v}`"),
                    )
                    .with_help(crate::load::time_help(v)),
                ),
                None => problems.push(
                    Diagnostic::error(file, word_pos(word), "bad-block", format!("unknown block option `{word}`"))
                        .with_help("the only block option is `embargo_until=TIME`"),
                ),
            }
        }
        open = Some((i, audience, embargo));
    }
    if let Some((start, _, _)) = open {
        let pos = Pos::new(body_line + start, 1 + body_column);
        problems.push(
            Diagnostic::error(file, pos, "unclosed-block", "this audience block is never closed")
                .with_help("close it with a line holding only `:::`; until then everything below it is hidden"),
        );
        blocks.push(Block { open: start, close: usize::MAX, audience: audiences.most_trusted(), embargo_until: None });
    }
    (blocks, problems)
}

/// Whether something with this visibility and embargo is part of `audience`'s build at `now`.
/// Embargoes hold back only the least trusted audience.
pub fn visible(visibility: usize, embargo_until: Option<Timestamp>, audience: usize, now: Timestamp) -> bool {
    visibility <= audience && !(audience == 0 && embargo_until.is_some_and(|t| t > now))
}

/// The body as `audience` may see it: hidden blocks and every fence line are blanked.
pub fn filter(body: String, blocks: &[Block], audience: usize, now: Timestamp) -> String {
    if blocks.is_empty() {
        return body;
    }
    let mut out = String::with_capacity(body.len());
    let mut blocks = blocks.iter().peekable();
    for (i, line) in body.split_inclusive('\n').enumerate() {
        while blocks.peek().is_some_and(|b| b.close < i) {
            blocks.next();
        }
        let keep = match blocks.peek() {
            Some(b) if b.open == i || b.close == i => false,
            Some(b) if b.open < i => visible(b.audience, b.embargo_until, audience, now),
            _ => true,
        };
        if keep {
            out.push_str(line);
        } else if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audiences() -> Audiences {
        Audiences(vec!["public".into(), "operators".into(), "internal".into()])
    }

    #[test]
    fn drops_hidden_blocks_and_keeps_line_numbers() {
        let body = "a\n:::internal\nsecret\n:::\nb\n```\n:::internal\n```\n";
        let (blocks, problems) = scan(body, &audiences(), Path::new("x.md"), (1, 0));
        assert!(problems.is_empty());
        assert_eq!(blocks.len(), 1);
        let now = Timestamp::UNIX_EPOCH;
        assert_eq!(filter(body.to_string(), &blocks, 0, now), "a\n\n\n\nb\n```\n:::internal\n```\n");
        assert_eq!(filter(body.to_string(), &blocks, 2, now), "a\n\nsecret\n\nb\n```\n:::internal\n```\n");
    }

    #[test]
    fn embargo_holds_back_only_the_public() {
        let body = ":::public embargo_until=2027-01-01T00:00:00Z\nnews\n:::\n";
        let (blocks, problems) = scan(body, &audiences(), Path::new("x.md"), (1, 0));
        assert!(problems.is_empty());
        let before = parse_time("2026-12-01T00:00:00Z").unwrap();
        let after = parse_time("2027-02-01T00:00:00Z").unwrap();
        assert!(!filter(body.to_string(), &blocks, 0, before).contains("news"));
        assert!(filter(body.to_string(), &blocks, 1, before).contains("news"));
        assert!(filter(body.to_string(), &blocks, 0, after).contains("news"));
    }

    #[test]
    fn reports_unclosed_and_unknown_fences() {
        let (_, problems) = scan("x\n:::secret\ny\n", &audiences(), Path::new("x.md"), (5, 0));
        let codes: Vec<_> = problems.iter().map(|d| (d.code, d.line)).collect();
        assert_eq!(codes, vec![("unknown-audience", 6), ("unclosed-block", 6)]);
    }
}

//! Audience-fenced blocks inside markdown (`:::internal` … `:::`), found from pulldown-cmark's own
//! reading of the text. A marker counts only where the parser sees the start of a line of a
//! top-level paragraph, so code, quotes, lists, tables and HTML can neither hide a marker nor fake
//! one; a marker-like line anywhere else is an error, never text on a page. Cutting removes whole
//! lines (the markers, and the blocks the audience may not see), so what remains is exactly the
//! text as if the hidden blocks had never been written: nothing of them shows, not even as blank
//! lines in a code block or the raw text of the status API. The result is a [`Markdown`], the only
//! kind of text the renderer and the search indexes accept; it remembers the file line of each of
//! its lines, for diagnostics.

use crate::diagnostics::Diagnostic;
use crate::load::parse_time;
use crate::model::{Audiences, TextOrigin, Timestamp};
use crate::text::markdown_options;
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use std::ops::Range;
use std::path::Path;

/// Markdown already cut to one audience: every block that audience may not see is gone, and no
/// marker is left. Only this module can make one, so text that did not go through the cut cannot
/// be rendered or indexed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Markdown {
    text: String,
    /// For each line of `text`, its 0-based line in the text as written; `None` when nothing was
    /// cut (the lines are the same).
    written_lines: Option<Vec<usize>>,
}

impl Markdown {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// The 0-based line, in the text as written, of 0-based line `line` of this text.
    pub fn written_line(&self, line: usize) -> usize {
        self.written_lines.as_ref().and_then(|m| m.get(line).copied()).unwrap_or(line)
    }

    fn uncut(text: String) -> Markdown {
        Markdown { text, written_lines: None }
    }

    /// Markdown written by a unit test.
    #[cfg(test)]
    pub(crate) fn trusted(text: impl Into<String>) -> Markdown {
        Markdown::uncut(text.into())
    }
}

/// One fenced block: the lines of its two markers (0-based, as CommonMark counts lines) and who
/// may see it.
#[derive(Debug, Clone)]
pub struct Block {
    pub open: usize,
    pub close: usize,
    pub audience: usize,
    pub embargo_until: Option<Timestamp>,
}

/// What a scan found: the blocks, and where cutting must give up (the first misplaced marker:
/// from there on the text is hidden from every audience but the most trusted).
#[derive(Debug, Clone, Default)]
pub struct Blocks {
    blocks: Vec<Block>,
    broken_from: Option<usize>,
}

/// Where a file's markdown is: its path and how positions inside the text map onto the file.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub file: &'a Path,
    pub origin: TextOrigin,
}

/// The lines of `text` as CommonMark counts them (ended by `\n`, `\r\n` or a lone `\r`): for each,
/// the byte range of its content and the byte offset where the next line starts.
fn lines(text: &str) -> Vec<(Range<usize>, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push((start..i, i + 1));
                start = i + 1;
            }
            b'\r' => {
                let next = if bytes.get(i + 1) == Some(&b'\n') { i + 2 } else { i + 1 };
                out.push((start..i, next));
                start = next;
                i = next - 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        out.push((start..bytes.len(), bytes.len()));
    }
    out
}

/// Characters an editor may show as a line break although CommonMark does not (so a marker after
/// one looks like a marker to its author).
fn is_unicode_break(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}' | '\u{0085}' | '\u{000B}' | '\u{000C}')
}

/// Characters that may stand before a marker on its line without being text: indentation,
/// invisible format characters, and the syntax of quotes, lists, tables and headings.
fn is_prefix(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
        || matches!(c, '>' | '-' | '*' | '+' | '|' | '#' | '.' | ')' | '[' | ']' | 'x' | 'X')
        || c.is_ascii_digit()
}

/// A run of colons (`:::`, or characters drawn like them) somewhere in the text. Each is either
/// a marker, code, or an error: a reader (or a reviewer looking at a diff) who sees `:::internal`
/// takes what follows for hidden, so no such text may reach a page as text.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// Byte offset of the run.
    at: usize,
    /// 0-based CommonMark line.
    line: usize,
    /// Only prefix characters (indentation, quote and list syntax, invisible format characters)
    /// stand before it on its line: it reads as a marker line.
    looks: bool,
    /// Only up to three ASCII spaces stand before it on its line, and it is three plain `:`: the
    /// form of a real marker.
    plain: bool,
    /// A Unicode line separator stands before it on its CommonMark line.
    after_separator: bool,
    /// Made of characters that look like `:` but are not.
    lookalike: bool,
}

fn candidates(text: &str, lines: &[(Range<usize>, usize)]) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (at, ascii) in crate::text::marker_runs(text) {
        let line = lines.partition_point(|(range, _)| range.end < at).min(lines.len().saturating_sub(1));
        let line_start = lines.get(line).map_or(0, |(r, _)| r.start);
        let before = &text[line_start..at];
        let mut after_separator = false;
        let mut looks = true;
        for c in before.chars().rev() {
            if is_unicode_break(c) {
                after_separator = true;
                break;
            }
            if !is_prefix(c) {
                looks = false;
                break;
            }
        }
        if !out.last().is_some_and(|c: &Candidate| c.line == line && !after_separator) {
            let plain = ascii && before.len() <= 3 && before.bytes().all(|b| b == b' ');
            out.push(Candidate { at, line, looks, plain, after_separator, lookalike: !ascii });
        }
    }
    out
}

/// How the parser reads the place of a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The start of a line of a top-level paragraph: a marker.
    Marker,
    /// Inside a fenced or indented code block: code, shown as written.
    Code,
    /// Anywhere else: a marker cairn cannot cut cleanly there.
    Misplaced(&'static str),
}

fn container(tag: &Tag<'_>) -> &'static str {
    match tag {
        Tag::BlockQuote(_) => "a blockquote",
        Tag::List(_) | Tag::Item => "a list item",
        Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell => "a table",
        Tag::Heading { .. } => "a heading",
        Tag::FootnoteDefinition(_) => "a footnote",
        Tag::HtmlBlock => "an HTML block",
        Tag::Link { .. } | Tag::Image { .. } => "a link",
        Tag::Emphasis | Tag::Strong | Tag::Strikethrough => "emphasis",
        _ => "a paragraph",
    }
}

/// Whether the source of a fenced code block ends with a fence that closes it: the fence
/// character of its opening line, at least as many times, and nothing else.
fn fence_closed(block: &str) -> bool {
    let mut lines = block.lines().map(|l| l.trim_start_matches([' ', '\t', '>']).trim_start());
    let Some(first) = lines.next() else { return false };
    let Some(fence) = first.chars().next().filter(|c| matches!(c, '`' | '~')) else { return false };
    let n = first.chars().take_while(|&c| c == fence).count();
    let Some(last) = lines.rev().find(|l| !l.trim().is_empty()) else { return false };
    let last = last.trim_end();
    last.chars().all(|c| c == fence) && last.chars().count() >= n
}

/// Classifies every candidate by walking the parser's events once.
fn places(text: &str, candidates: &[Candidate]) -> Vec<Place> {
    // Where no event covers a candidate (a link target, a reference definition), a marker line
    // is misplaced; a run in the middle of a line is part of an address.
    let mut out: Vec<Place> = candidates
        .iter()
        .map(|c| {
            if c.looks {
                Place::Misplaced("a place markdown does not read as text (a link target or reference definition)")
            } else {
                Place::Code
            }
        })
        .collect();
    let mut stack: Vec<&'static str> = Vec::new();
    let mut paragraph_only = Vec::new();
    let assign = |out: &mut Vec<Place>, range: &Range<usize>, place: &dyn Fn(&Candidate) -> Place| {
        let first = candidates.partition_point(|c| c.at < range.start);
        for (i, c) in candidates.iter().enumerate().skip(first) {
            if c.at >= range.end.max(range.start + 1) {
                break;
            }
            out[i] = place(c);
        }
    };
    for (event, range) in Parser::new_ext(text, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                // A fence never closed runs to the end of its container and swallows every block
                // below it: a marker line there is almost surely meant as one.
                let open = matches!(kind, CodeBlockKind::Fenced(_)) && !fence_closed(&text[range.clone()]);
                assign(&mut out, &range, &|c| {
                    if open && c.looks {
                        Place::Misplaced("a code block whose fence is never closed")
                    } else {
                        Place::Code
                    }
                });
                stack.push("a code block");
                paragraph_only.push(false);
            }
            Event::Start(tag) => {
                let top = stack.is_empty() && matches!(tag, Tag::Paragraph);
                stack.push(container(&tag));
                paragraph_only.push(top);
            }
            Event::End(TagEnd::CodeBlock) => {
                stack.pop();
                paragraph_only.pop();
            }
            Event::End(_) => {
                stack.pop();
                paragraph_only.pop();
            }
            Event::Text(_) if stack.last() == Some(&"a code block") => {}
            Event::Text(_) => {
                let top = paragraph_only.len() == 1 && paragraph_only[0];
                let inner = stack.iter().rev().find(|c| **c != "a paragraph").copied().unwrap_or("a paragraph");
                assign(&mut out, &range, &|c| {
                    if c.lookalike {
                        Place::Misplaced("text, written with characters that look like `:` but are not")
                    } else if c.at == range.start && top && c.plain {
                        Place::Marker
                    } else if !c.looks {
                        Place::Misplaced("the middle of a line (a marker starts its line, with nothing before it)")
                    } else if c.after_separator {
                        Place::Misplaced("the middle of a line (after a Unicode line separator)")
                    } else if top && !c.plain {
                        Place::Misplaced("the middle of a line (a marker starts its line, after at most three spaces)")
                    } else {
                        Place::Misplaced(inner)
                    }
                });
            }
            Event::Code(_) => {
                assign(&mut out, &range, &|c| if c.looks { Place::Misplaced("inline code") } else { Place::Code })
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                assign(&mut out, &range, &|c| if c.looks { Place::Misplaced("HTML") } else { Place::Code })
            }
            _ => {}
        }
    }
    out
}

/// How to fix a marker misplaced in `context` (one of the descriptions [`places`] gives).
fn misplaced_help(context: &str) -> &'static str {
    if context.contains("never closed") {
        "close the code block above with a fence line like the one that opened it (as many backticks \
         or tildes), so that this block is outside it"
    } else if context.contains("look like") {
        "write block markers with three ASCII colons, `:::audience` and `:::`, on lines of their own"
    } else if context.contains("middle of a line") {
        "put `:::audience` and `:::` on lines of their own with nothing before them (no invisible \
         characters, no text joined from other lines: write update bodies with `|`, not `>`); to show \
         `:::` as text, write `\\:::` or put it in backticks"
    } else {
        "put `:::audience` and `:::` on lines of their own, not indented and outside quotes, lists, \
         tables and HTML, with a blank line before and after the block; to show `:::` as text, \
         write `\\:::`"
    }
}

/// Finds every audience block of `text`, checking each marker. Problems point into `src`.
pub fn scan(text: &str, audiences: &Audiences, src: Source<'_>) -> (Blocks, Vec<Diagnostic>) {
    let mut found = Blocks::default();
    let mut problems = Vec::new();
    if !crate::text::has_marker_run(text) {
        return (found, problems);
    }
    let lines = lines(text);
    let candidates = candidates(text, &lines);
    let places = places(text, &candidates);
    let most = audiences.most_trusted();
    let mut open: Option<(usize, usize, Option<Timestamp>)> = None;
    let pos = |at: usize, line: usize| {
        let start = lines.get(line).map_or(0, |(r, _)| r.start);
        src.origin.pos(line, text[start..at].chars().count())
    };
    for (c, place) in candidates.iter().zip(places) {
        let error = |code: &'static str, message: String, help: String| {
            Diagnostic::error(src.file, pos(c.at, c.line), code, message).with_help(help)
        };
        match place {
            Place::Code => continue,
            Place::Misplaced(context) => {
                problems.push(error(
                    "misplaced-block",
                    format!("this `:::` block marker is in {context}, where cairn cannot cut the text cleanly"),
                    misplaced_help(context).into(),
                ));
                found.broken_from.get_or_insert(c.line);
                continue;
            }
            Place::Marker => {}
        }
        let line_end = lines.get(c.line).map_or(text.len(), |(r, _)| r.end);
        let rest = text[c.at + 3..line_end].trim();
        if rest.is_empty() {
            match open.take() {
                Some((start, audience, embargo_until)) => {
                    found.blocks.push(Block { open: start, close: c.line, audience, embargo_until })
                }
                None => problems.push(error(
                    "unopened-block",
                    "`:::` closes a block that was never opened".into(),
                    "open audience blocks with `:::internal` (or another audience) on a line of its own".into(),
                )),
            }
            continue;
        }
        if let Some((start, _, _)) = open {
            problems.push(error(
                "nested-block",
                "audience blocks cannot be nested".into(),
                format!("close the block opened on line {} with `:::` first", src.origin.pos(start, 0).line),
            ));
            found.broken_from.get_or_insert(c.line);
            continue;
        }
        let word_pos = |word: &str| {
            let at = c.at + 3 + text[c.at + 3..line_end].find(word).unwrap_or(0);
            pos(at, c.line)
        };
        let mut words = rest.split_whitespace();
        let name = words.next().unwrap_or_default();
        let Some(audience) = audiences.rank(name) else {
            let names = audiences.0.join(", ");
            let help = match crate::diagnostics::suggest(name, audiences.0.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `:::{s}`? (audiences: {names})"),
                None => format!("blocks are fenced by an audience name from cairn.yaml: {names}"),
            };
            problems.push(
                Diagnostic::error(
                    src.file,
                    word_pos(name),
                    "unknown-audience",
                    format!("`{name}` is not an audience of this site"),
                )
                .with_help(help),
            );
            // Fail closed: an unknown fence hides its text from all but the most trusted.
            open = Some((c.line, most, None));
            continue;
        };
        let mut embargo = None;
        for word in words {
            match word.strip_prefix("embargo_until=").map(|v| (v, parse_time(v))) {
                Some((_, Some(t))) => embargo = Some(t),
                Some((v, None)) => problems.push(
                    Diagnostic::error(
                        src.file,
                        word_pos(v),
                        "bad-time",
                        format!("`embargo_until` is not a valid time: `{v}`"),
                    )
                    .with_help(crate::load::time_help(v)),
                ),
                None => problems.push(
                    Diagnostic::error(src.file, word_pos(word), "bad-block", format!("unknown block option `{word}`"))
                        .with_help("the only block option is `embargo_until=TIME`"),
                ),
            }
        }
        open = Some((c.line, audience, embargo));
    }
    if let Some((start, _, _)) = open {
        problems.push(
            Diagnostic::error(
                src.file,
                src.origin.pos(start, 0),
                "unclosed-block",
                "this audience block is never closed",
            )
            .with_help("close it with a line holding only `:::`; until then everything below it is hidden"),
        );
        found.blocks.push(Block { open: start, close: usize::MAX, audience: most, embargo_until: None });
    }
    (found, problems)
}

/// Whether something with this visibility and embargo is part of `audience`'s build at `now`.
/// Embargoes hold back only the least trusted audience.
pub fn visible(visibility: usize, embargo_until: Option<Timestamp>, audience: usize, now: Timestamp) -> bool {
    visibility <= audience && !(audience == 0 && embargo_until.is_some_and(|t| t > now))
}

/// The text as `audience` may see it: the lines of hidden blocks and every marker line removed
/// (with their line breaks); after a misplaced marker, everything is hidden from all but the most
/// trusted. A hidden block takes one of the blank lines around it along (the one after it, when
/// there is one before it too; the one before it at the end of the text), as the writer would have deleted it: the text that remains is
/// the text as written without the block, down to its blank lines, which show in code blocks and
/// in the raw text of the status API.
pub fn cut(text: String, found: &Blocks, audience: usize, most: usize, now: Timestamp) -> Markdown {
    if found.blocks.is_empty() && found.broken_from.is_none() {
        return Markdown::uncut(text);
    }
    let lines = lines(&text);
    let blank = |i: usize| lines.get(i).is_none_or(|(range, _)| text[range.clone()].trim().is_empty());
    let mut out = String::with_capacity(text.len());
    let mut written_lines = Vec::with_capacity(lines.len());
    let mut blocks = found.blocks.iter().peekable();
    // Whether the last line kept was blank (the start of the text counts as blank), and whether
    // a hidden block was dropped since: then a blank line that follows goes with it.
    let (mut last_blank, mut dropped) = (true, false);
    let mut last_start = 0;
    for (i, (range, next)) in lines.iter().enumerate() {
        while blocks.peek().is_some_and(|b| b.close < i) {
            blocks.next();
        }
        let in_block = blocks.peek().filter(|b| b.open <= i);
        let (keep, hidden) = match in_block {
            Some(b) if b.open == i || b.close == i => (false, !visible(b.audience, b.embargo_until, audience, now)),
            Some(b) => {
                let shown = visible(b.audience, b.embargo_until, audience, now);
                (shown, !shown)
            }
            None => (true, false),
        };
        let broken = audience != most && found.broken_from.is_some_and(|from| i >= from);
        if !keep || broken {
            dropped |= hidden || broken;
            continue;
        }
        if dropped && last_blank && blank(i) {
            dropped = false;
            continue;
        }
        dropped = false;
        last_blank = blank(i);
        last_start = out.len();
        out.push_str(&text[range.start..*next]);
        written_lines.push(i);
    }
    // A hidden block at the end of the text takes the blank line before it along.
    if dropped && last_blank && written_lines.pop().is_some() {
        out.truncate(last_start);
    }
    Markdown { text: out, written_lines: Some(written_lines) }
}

/// Scans and cuts in one step, for text whose problems were reported elsewhere (by `validate`).
pub fn cut_to(text: String, audiences: &Audiences, src: Source<'_>, audience: usize, now: Timestamp) -> Markdown {
    let (found, _) = scan(&text, audiences, src);
    cut(text, &found, audience, audiences.most_trusted(), now)
}

#[cfg(test)]
mod tests;

//! YAML text helpers: splitting front matter off a markdown file, parsing it with serde_yaml, and
//! locating every key and sequence item so diagnostics can point at the exact line and column.

use crate::diagnostics::Pos;
use crate::model::{Loc, Locations};
use std::collections::BTreeMap;

/// A markdown file split into its front matter and body.
pub struct FrontMatter<'a> {
    pub yaml: &'a str,
    /// File line of the first YAML line.
    pub yaml_line: usize,
    pub body: &'a str,
    /// File line of the first body line.
    pub body_line: usize,
}

/// Splits `---` front matter off a markdown file. `Err` carries the line that is wrong.
pub fn split_front_matter(text: &str) -> Result<FrontMatter<'_>, (Pos, &'static str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return Err((Pos::START, "expected `---` on the first line to open the front matter"));
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut offset = yaml_start;
    for (line, raw) in (2..).zip(text[yaml_start..].split_inclusive('\n')) {
        let trimmed = raw.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let body_start = offset + raw.len();
            return Ok(FrontMatter {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[body_start..],
                body_line: line + 1,
            });
        }
        offset += raw.len();
    }
    Err((Pos::new(1, 1), "the front matter opened on line 1 is never closed with `---`"))
}

/// Parses YAML text into a value; on a syntax error returns its file position and message.
pub fn parse(yaml: &str, first_line: usize) -> Result<serde_yaml::Value, (Pos, String)> {
    if yaml.trim().is_empty() {
        return Ok(serde_yaml::Value::Mapping(Default::default()));
    }
    serde_yaml::from_str(yaml).map_err(|e| {
        let msg = e.to_string();
        let mut pos =
            e.location().map(|l| Pos::new(l.line() + first_line - 1, l.column())).unwrap_or(Pos::new(first_line, 1));
        // An unclosed quote or bracket, or a line that is not `key: value`, is reported where
        // scanning gave up (often the next line); point at where it started.
        let opened = [
            "while scanning a quoted scalar at ",
            "while parsing a flow sequence at ",
            "while parsing a flow mapping at ",
            "while scanning a simple key at ",
        ];
        if let Some(ctx) = opened.iter().find_map(|o| msg.split(o).nth(1))
            && let Some(p) = parse_line_column(ctx)
        {
            pos = Pos::new(p.line + first_line - 1, p.column);
        }
        // A duplicate key is reported at its mapping; point at the second occurrence.
        if let Some(key) = msg.strip_prefix("duplicate entry with key \"").and_then(|r| r.split('"').next()) {
            let mut found = yaml.lines().enumerate().filter(|(_, l)| {
                let t = l.trim_start().trim_start_matches("- ");
                t.starts_with(key) && t[key.len()..].starts_with(':')
            });
            if let Some((i, l)) = found.nth(1) {
                pos = Pos::new(i + first_line, l.find(key).unwrap_or(0) + 1);
            }
        }
        (pos, strip_positions(&msg))
    })
}

/// YAML parsed as far as it can be: when the whole does not parse, each top-level key with
/// its value is parsed on its own, so that one syntax error does not hide the problems of the
/// other keys.
pub struct Recovered {
    /// The mapping of the keys that could be read; `None` when nothing could be (the YAML is
    /// not a mapping of top-level keys, or only the whole is wrong, e.g. a key written twice).
    pub value: Option<serde_yaml::Value>,
    /// One syntax error per top-level key that could not be read (or the whole's only error).
    pub errors: Vec<(Pos, String)>,
    /// Top-level keys written but unreadable: they are there, so not to be reported missing.
    pub unreadable: Vec<String>,
    /// Where the keys read one by one are: each located on its own, since the locator, like the
    /// parser, loses its way after a syntax error (empty when the whole parsed).
    pub locations: Locations,
}

/// [`parse`], recovering from syntax errors key by key (see [`Recovered`]). A top-level key
/// starts on a line at column 1 that reads as `key:`; other lines (list items, flow
/// continuations, indented lines, stray text) belong to the key above them.
pub fn parse_recovering(yaml: &str, first_line: usize) -> Recovered {
    let whole = match parse(yaml, first_line) {
        Ok(value) => {
            return Recovered {
                value: Some(value),
                errors: Vec::new(),
                unreadable: Vec::new(),
                locations: Locations::default(),
            };
        }
        Err(e) => e,
    };
    let only_whole =
        |whole| Recovered { value: None, errors: vec![whole], unreadable: Vec::new(), locations: Locations::default() };
    // (0-based line where the key starts, byte offset, its name)
    let mut starts: Vec<(usize, usize, Option<String>)> = Vec::new();
    let mut offset = 0;
    for (i, line) in yaml.split_inclusive('\n').enumerate() {
        let key = (!line.starts_with([' ', '\t', '#', '-', '\r', '\n']))
            .then(|| key_split(line.trim_end()).map(|(k, _)| k))
            .flatten();
        if key.is_some() || i == 0 {
            starts.push((i, offset, key));
        }
        offset += line.len();
    }
    if starts.len() < 2 {
        return only_whole(whole);
    }
    let mut map = serde_yaml::Mapping::new();
    let mut errors = Vec::new();
    let mut unreadable = Vec::new();
    let mut locations = Locations::default();
    for (n, (line, from, key)) in starts.iter().enumerate() {
        let to = starts.get(n + 1).map_or(yaml.len(), |s| s.1);
        match parse(&yaml[*from..to], first_line + line) {
            Ok(serde_yaml::Value::Mapping(m)) => {
                for (path, loc) in locate(&yaml[*from..to], first_line + line).0 {
                    locations.0.entry(path).or_insert(loc);
                }
                for (k, v) in m {
                    if map.contains_key(&k) {
                        // The first is kept, as a reader of the file would take it.
                        let name = k.as_str().unwrap_or("?");
                        errors.push((Pos::new(first_line + line, 1), format!("duplicate entry with key \"{name}\"")));
                        continue;
                    }
                    map.insert(k, v);
                }
            }
            Ok(serde_yaml::Value::Null) => {}
            Ok(_) => return only_whole(whole),
            Err(e) => {
                errors.push(e);
                unreadable.extend(key.clone());
            }
        }
    }
    if errors.is_empty() {
        return only_whole(whole);
    }
    Recovered { value: Some(serde_yaml::Value::Mapping(map)), errors, unreadable, locations }
}

/// Drops serde_yaml's " at line N column M" fragments: they count lines of the front matter, not
/// of the file, and the position is reported separately anyway.
fn strip_positions(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 4..];
        match parse_line_column(after) {
            Some(p) => {
                let fragment = format!("line {} column {}", p.line, p.column);
                rest = after.strip_prefix(fragment.as_str()).unwrap_or(after);
            }
            None => {
                out.push_str(" at line ");
                rest = after.strip_prefix("line ").unwrap_or(after);
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads `line N column M` at the start of `text`.
fn parse_line_column(text: &str) -> Option<Pos> {
    let mut words = text.split_whitespace();
    (words.next()? == "line").then_some(())?;
    let line = words.next()?.trim_end_matches(',').parse().ok()?;
    (words.next()? == "column").then_some(())?;
    let column = words.next()?.trim_end_matches([',', ')']).parse().ok()?;
    Some(Pos::new(line, column))
}

/// One open container while scanning: a mapping key or a sequence item, at an indentation.
struct Frame {
    indent: usize,
    segment: String,
    /// For sequence items, the item's index.
    item: Option<usize>,
}

/// Turns byte offsets of a text into file positions (columns count characters). Linear over a
/// scan that asks in increasing order: a column is counted on from the one asked before when
/// it is on the same line, so a long line of many keys is not counted again for each of them.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    first_line: usize,
    /// The last offset asked, and its line and column.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str, first_line: usize) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { text, starts, first_line, last: std::cell::Cell::new((0, 0, 1)) }
    }

    fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= offset).saturating_sub(1);
        let (last_offset, last_line, last_column) = self.last.get();
        let (from, base) = if last_line == line && last_offset <= offset {
            (last_offset, last_column)
        } else {
            (self.starts[line], 1)
        };
        let column = base + self.text.get(from..offset).map_or(0, |t| t.chars().count());
        self.last.set((offset, line, column));
        Pos::new(line + self.first_line, column)
    }
}

/// Finds where every key and sequence item of block-style YAML starts, including inside flow
/// collections (`[a, b]`, `{ k: v }`, also over several lines).
pub fn locate(yaml: &str, first_line: usize) -> Locations {
    let index = LineIndex::new(yaml, first_line);
    let mut out = BTreeMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut block_scalar_indent: Option<usize> = None;
    let mut skip_until = 0;
    let mut line_start = 0;
    for raw_nl in yaml.split_inclusive('\n') {
        let start = line_start;
        line_start += raw_nl.len();
        if start < skip_until {
            continue;
        }
        let raw = raw_nl.trim_end_matches(['\n', '\r']);
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        let content = raw[indent..].trim_end();
        if let Some(parent) = block_scalar_indent {
            if content.is_empty() || indent > parent {
                continue;
            }
            block_scalar_indent = None;
        }
        if content.is_empty() || content.starts_with('#') || content == "---" {
            continue;
        }
        // Byte offset, within `raw`, of what is left to read on this line.
        let mut at = indent;
        let mut rest = content;
        if rest.starts_with("- ") || rest == "-" {
            let mut item = 0;
            while let Some(top) = stack.last() {
                if top.indent > indent {
                    stack.pop();
                } else if top.indent == indent && top.item.is_some() {
                    item = top.item.unwrap_or(0) + 1;
                    stack.pop();
                    break;
                } else {
                    break;
                }
            }
            let after = rest[1..].len() - rest[1..].trim_start().len() + 1;
            at += after;
            rest = rest[after..].trim_end();
            let path = join(&stack, &item.to_string());
            out.insert(path.clone(), Loc { key: index.pos(start + indent), value: index.pos(start + at) });
            stack.push(Frame { indent, segment: item.to_string(), item: Some(item) });
            if rest.starts_with('[') || rest.starts_with('{') {
                skip_until = scan_flow(yaml, start + at, &path, &index, &mut out);
                continue;
            }
            if rest.is_empty() || key_split(rest).is_none() {
                continue;
            }
        }
        let Some((key, value_offset)) = key_split(rest) else { continue };
        while stack.last().is_some_and(|top| top.indent >= at) {
            stack.pop();
        }
        let path = join(&stack, &key);
        let value_text = rest[value_offset..].trim_start();
        let value_at = at + rest.len() - value_text.len();
        let key_pos = index.pos(start + at);
        let value_pos = if value_text.is_empty() { key_pos } else { index.pos(start + value_at) };
        out.insert(path.clone(), Loc { key: key_pos, value: value_pos });
        if value_text.starts_with('|') || value_text.starts_with('>') {
            block_scalar_indent = Some(at);
        } else if value_text.starts_with('[') || value_text.starts_with('{') {
            skip_until = scan_flow(yaml, start + value_at, &path, &index, &mut out);
        }
        stack.push(Frame { indent: at, segment: key, item: None });
    }
    Locations(out)
}

fn join(stack: &[Frame], last: &str) -> String {
    let mut path = String::new();
    for f in stack {
        path.push_str(&f.segment);
        path.push('.');
    }
    path.push_str(last);
    path
}

/// Splits `key: value` (or `key:`) into the key and the offset of the value.
fn key_split(text: &str) -> Option<(String, usize)> {
    let (key, after) = if let Some(quoted) = text.strip_prefix('"') {
        let end = quoted.find('"')?;
        (quoted[..end].to_string(), end + 2)
    } else if let Some(quoted) = text.strip_prefix('\'') {
        let end = quoted.find('\'')?;
        (quoted[..end].to_string(), end + 2)
    } else {
        let end = text.find(": ").or_else(|| text.ends_with(':').then(|| text.len() - 1))?;
        let key = &text[..end];
        if key.is_empty() || key.contains(['[', '{', '"', '\'', '#']) || key.starts_with(['-', '>', '|', '&', '*']) {
            return None;
        }
        (key.trim_end().to_string(), end)
    };
    let rest = &text[after..];
    let rest = rest.strip_prefix(':')?;
    Some((key, text.len() - rest.len()))
}

/// Reads a flow scalar starting at `i` up to one of `stops`; returns it trimmed and the offset
/// where it ends.
fn flow_scalar(text: &str, i: usize, stops: &[u8]) -> (String, usize) {
    let bytes = text.as_bytes();
    if let Some(&q) = bytes.get(i).filter(|b| **b == b'"' || **b == b'\'') {
        let end = text[i + 1..].find(q as char).map_or(text.len(), |e| i + 1 + e);
        return (text[i + 1..end].to_string(), (end + 1).min(text.len()));
    }
    let mut end = i;
    while end < bytes.len() && !stops.contains(&bytes[end]) {
        end += 1;
    }
    (text[i..end].trim().to_string(), end)
}

/// Walks the flow collection that starts at `start` (`[` or `{`), recording every item and key
/// under `path`; returns the offset just past its closing bracket.
fn scan_flow(text: &str, start: usize, path: &str, index: &LineIndex<'_>, out: &mut BTreeMap<String, Loc>) -> usize {
    let bytes = text.as_bytes();
    let is_map = bytes[start] == b'{';
    let close = if is_map { b'}' } else { b']' };
    let mut i = start + 1;
    let mut item = 0;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
            i += 1;
        }
        if i >= bytes.len() {
            return bytes.len();
        }
        if bytes[i] == close {
            return i + 1;
        }
        let (child, key_pos) = if is_map {
            let (key, end) = flow_scalar(text, i, b":,}\n");
            let key_pos = index.pos(i);
            i = end;
            while i < bytes.len() && (bytes[i] == b':' || bytes[i] == b' ') {
                i += 1;
            }
            (format!("{path}.{key}"), key_pos)
        } else {
            item += 1;
            (format!("{path}.{}", item - 1), index.pos(i))
        };
        out.insert(child.clone(), Loc { key: key_pos, value: index.pos(i) });
        i = match bytes.get(i) {
            Some(b'[' | b'{') => scan_flow(text, i, &child, index, out),
            _ => flow_scalar(text, i, if is_map { b",}" } else { b",]" }).1,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_counts_lines() {
        let fm = split_front_matter("---\ntitle: x\n---\nbody\n").unwrap();
        assert_eq!(fm.yaml, "title: x\n");
        assert_eq!(fm.body, "body\n");
        assert_eq!(fm.body_line, 4);
        assert!(split_front_matter("title: x\n").is_err());
        assert!(split_front_matter("---\ntitle: x\n").is_err());
    }

    #[test]
    fn locates_nested_keys_items_and_flow_elements() {
        let yaml = "title: T\ncomponents: [consensus, rpc]\nupdates:\n  - at: 2026\n    status: x\n  - at: 2027\n    body: |\n      text: not a key\n    status: y\nrows:\n- id: a\n  runbooks:\n    - r1\n- id: b\n";
        let loc = locate(yaml, 2);
        assert_eq!(loc.key("title"), Pos::new(2, 1));
        assert_eq!(loc.value("components.1"), Pos::new(3, 25));
        assert_eq!(loc.key("updates.1.at"), Pos::new(7, 5));
        assert_eq!(loc.value("updates.1.at"), Pos::new(7, 9));
        assert_eq!(loc.key("updates.1.status"), Pos::new(10, 5));
        assert!(!loc.0.contains_key("updates.1.text"));
        assert_eq!(loc.key("rows.1.id"), Pos::new(15, 3));
        assert_eq!(loc.value("rows.0.runbooks.0"), Pos::new(14, 7));
    }

    #[test]
    fn a_long_line_of_keys_is_located_in_one_pass() {
        let keys: String = (0..40_000).map(|i| format!("k{i}: é, ")).collect();
        let yaml = format!("map: {{{keys}}}\nnext: 1\n");
        let loc = locate(&yaml, 1);
        let before: usize = (0..39_999).map(|i: usize| i.to_string().len() + 6).sum();
        assert_eq!(loc.key("map.k39999"), Pos::new(1, 7 + before));
        assert_eq!(loc.key("next"), Pos::new(2, 1));
        assert_eq!(loc.value("map.k1"), Pos::new(1, 18));
    }

    #[test]
    fn locates_inside_flow_mappings_and_multi_line_lists() {
        let yaml = "chain: { name: X, block_time: 6s }\ncomponents: [a,\n  b]\ntitle: é [x]\nnext: [é, z]\n";
        let loc = locate(yaml, 1);
        assert_eq!(loc.key("chain.block_time"), Pos::new(1, 19));
        assert_eq!(loc.value("components.1"), Pos::new(3, 3));
        assert_eq!(loc.key("next"), Pos::new(5, 1));
        assert_eq!(loc.value("next.1"), Pos::new(5, 11));
    }
}

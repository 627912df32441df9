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
    let mut line = 2;
    for raw in text[yaml_start..].split_inclusive('\n') {
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
        line += 1;
    }
    Err((Pos::new(1, 1), "the front matter opened on line 1 is never closed with `---`"))
}

/// Parses YAML text into a value; on a syntax error returns its file position and message.
pub fn parse(yaml: &str, first_line: usize) -> Result<serde_yaml::Value, (Pos, String)> {
    if yaml.trim().is_empty() {
        return Ok(serde_yaml::Value::Mapping(Default::default()));
    }
    serde_yaml::from_str(yaml).map_err(|e| {
        let pos =
            e.location().map(|l| Pos::new(l.line() + first_line - 1, l.column())).unwrap_or(Pos::new(first_line, 1));
        let msg = e.to_string();
        // serde_yaml appends " at line X column Y"; the position is reported separately.
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        (pos, msg)
    })
}

/// One open container while scanning: a mapping key or a sequence item, at an indentation.
struct Frame {
    indent: usize,
    segment: String,
    /// For sequence items, the item's index.
    item: Option<usize>,
}

/// Finds where every key and sequence item of block-style YAML starts. Flow sequences on one
/// line (`[a, b]`) are located element by element. Lines are shifted by `first_line - 1`.
pub fn locate(yaml: &str, first_line: usize) -> Locations {
    let mut out = BTreeMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut block_scalar_indent: Option<usize> = None;
    for (i, raw) in yaml.lines().enumerate() {
        let line = i + first_line;
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
        let mut col = indent;
        let mut rest = content;
        if rest.starts_with("- ") || rest == "-" {
            let mut index = 0;
            while let Some(top) = stack.last() {
                if top.indent > indent {
                    stack.pop();
                } else if top.indent == indent && top.item.is_some() {
                    index = top.item.unwrap_or(0) + 1;
                    stack.pop();
                    break;
                } else {
                    break;
                }
            }
            let dash = Pos::new(line, col + 1);
            let after = rest[1..].len() - rest[1..].trim_start().len() + 1;
            col += after;
            rest = rest[after..].trim_end();
            let path = join(&stack, &index.to_string());
            out.insert(path, Loc { key: dash, value: Pos::new(line, col + 1) });
            stack.push(Frame { indent, segment: index.to_string(), item: Some(index) });
            if rest.is_empty() {
                continue;
            }
            if key_split(rest).is_none() {
                continue;
            }
        }
        let Some((key, value_offset)) = key_split(rest) else {
            continue;
        };
        while stack.last().is_some_and(|top| top.indent >= col) {
            stack.pop();
        }
        let path = join(&stack, &key);
        let value_text = rest[value_offset..].trim_start();
        let value_col = col + rest.len() - rest[value_offset..].trim_start().len();
        let key_pos = Pos::new(line, col + 1);
        let value_pos = if value_text.is_empty() { key_pos } else { Pos::new(line, value_col + 1) };
        out.insert(path.clone(), Loc { key: key_pos, value: value_pos });
        if value_text.starts_with('|') || value_text.starts_with('>') {
            block_scalar_indent = Some(col);
        } else if value_text.starts_with('[') {
            locate_flow_items(&mut out, &path, value_text, line, value_col);
        }
        stack.push(Frame { indent: col, segment: key, item: None });
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

/// Records the position of each element of a one-line flow sequence `[a, b, c]`.
fn locate_flow_items(out: &mut BTreeMap<String, Loc>, path: &str, text: &str, line: usize, col: usize) {
    let Some(end) = text.find(']') else { return };
    let inner = &text[1..end];
    let mut offset = 1;
    for (index, part) in inner.split(',').enumerate() {
        let lead = part.len() - part.trim_start().len();
        if !part.trim().is_empty() {
            let pos = Pos::new(line, col + offset + lead + 1);
            out.insert(format!("{path}.{index}"), Loc { key: pos, value: pos });
        }
        offset += part.len() + 1;
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
        assert!(loc.0.get("updates.1.text").is_none());
        assert_eq!(loc.key("rows.1.id"), Pos::new(15, 3));
        assert_eq!(loc.value("rows.0.runbooks.0"), Pos::new(14, 7));
    }
}

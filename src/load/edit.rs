//! Edits of a document for the comms CLI, checked by reading them back: append a status update
//! (and set keys such as `resolved_at` or a window's `status`), widen the audience of a document
//! or of one of its updates, or write a new document. Guided by the YAML locator, an edit only
//! adds lines, so the author's comments, key order, quoting, line endings and body stay byte for
//! byte as written. The edited text is then parsed again, and refused unless its front matter
//! holds exactly the values it held before plus the new ones, and its body is unchanged.

use super::emit::{self, Style};
use super::limits::check_yaml;
use super::yaml::{locate, parse, split_front_matter};
use crate::model::Loc;
use serde_yaml::{Mapping, Value};
use std::path::Path;

/// A status update to append or to write: every value exactly as it must read back.
pub struct NewUpdate<'a> {
    /// An explicit id, when the update's time would not make a unique one.
    pub id: Option<&'a str>,
    /// RFC 3339.
    pub at: &'a str,
    pub status: &'a str,
    pub visibility: Option<&'a str>,
    pub body: &'a str,
}

impl NewUpdate<'_> {
    /// The update as the parsed front matter must hold it.
    fn expected(&self) -> Value {
        let mut m = Mapping::new();
        m.insert("at".into(), self.at.into());
        if let Some(id) = self.id {
            m.insert("id".into(), id.into());
        }
        m.insert("status".into(), self.status.into());
        if let Some(v) = self.visibility {
            m.insert("visibility".into(), v.into());
        }
        m.insert("body".into(), self.body.into());
        Value::Mapping(m)
    }

    /// The update as an item of a block list whose `-` is indented `pad`.
    fn write(&self, pad: &str, newline: &str, style: Style) -> String {
        let mut out = format!("{pad}- at: {}{newline}", emit::scalar(self.at, style));
        if let Some(id) = self.id {
            out.push_str(&format!("{pad}  id: {}{newline}", emit::scalar(id, style)));
        }
        out.push_str(&format!("{pad}  status: {}{newline}", emit::scalar(self.status, style)));
        if let Some(v) = self.visibility {
            out.push_str(&format!("{pad}  visibility: {}{newline}", emit::scalar(v, style)));
        }
        out.push_str(&format!("{pad}  body: {}", emit::text_value(self.body, pad.len() + 2, newline, style)));
        out
    }
}

/// A value of a new document's front matter.
pub enum Field<'a> {
    Text(&'a str),
    List(&'a [String]),
    Updates(&'a [NewUpdate<'a>]),
}

impl Field<'_> {
    fn expected(&self) -> Value {
        match self {
            Field::Text(t) => (*t).into(),
            Field::List(items) => Value::Sequence(items.iter().map(|i| i.as_str().into()).collect()),
            Field::Updates(updates) => Value::Sequence(updates.iter().map(NewUpdate::expected).collect()),
        }
    }
}

/// Why an edit was refused: the message names what to do.
pub type Refusal = String;

/// The front matter of `text` as parsed (after the limits are checked), and its body.
fn read_front_matter(text: &str) -> Result<(Mapping, &str), Refusal> {
    let fm = split_front_matter(text).map_err(|(_, message)| message.to_string())?;
    if let Some(d) = check_yaml(Path::new(""), fm.yaml, fm.yaml_line, true).first() {
        return Err(format!("line {}: {}", d.line, d.message));
    }
    match parse(fm.yaml, fm.yaml_line) {
        Ok(Value::Mapping(m)) => Ok((m, fm.body)),
        Ok(Value::Null) => Ok((Mapping::new(), fm.body)),
        Ok(_) => Err("the front matter is not a mapping of `key: value` lines".into()),
        Err((pos, message)) => Err(format!("line {}: {message}", pos.line)),
    }
}

/// Whether `text` reads back as exactly `expected` above exactly `body`.
fn reads_back(text: &str, expected: &Mapping, body: &str) -> bool {
    read_front_matter(text).is_ok_and(|(found, found_body)| found == *expected && found_body == body)
}

/// The line ending of `text`: CR LF when its first line ends so, LF otherwise.
fn newline_of(text: &str) -> &'static str {
    if text.split_inclusive('\n').next().is_some_and(|l| l.ends_with("\r\n")) { "\r\n" } else { "\n" }
}

/// Byte offset at which 1-based file line `line` starts (the text length past the end).
fn line_offset(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n').nth(line - 2).map_or(text.len(), |(i, _)| i + 1)
}

/// The front matter's YAML, its first file line, and the file line of the closing `---`.
fn front_matter(text: &str) -> Result<(&str, usize, usize), Refusal> {
    let fm = split_front_matter(text).map_err(|(_, message)| message.to_string())?;
    Ok((fm.yaml, fm.yaml_line, fm.body_line - 1))
}

/// File line after the last line of the top-level value that starts on `key_line`: the next
/// top-level key (or the closing `---`), less trailing blank lines and the comments above that
/// key unless `through_blank_lines` (blank lines may belong to the value: `|+` keeps them).
fn end_of_value(text: &str, key_line: usize, closing: usize, through_blank_lines: bool) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = closing;
    for line in key_line + 1..closing {
        let l = lines.get(line - 1).copied().unwrap_or("");
        if !l.is_empty() && !l.starts_with([' ', '\t', '#', '-']) {
            end = line;
            break;
        }
    }
    while !through_blank_lines
        && end > key_line + 1
        && lines.get(end - 2).is_some_and(|l| l.trim().is_empty() || l.starts_with('#'))
    {
        end -= 1;
    }
    end
}

/// `text` with `update` added as the last item of `updates:` (the key created if missing),
/// indented like the items already there, written in `style`; before the blank lines and
/// comments that end the list, or after them (`through_blank_lines`).
fn splice_update(
    text: &str,
    update: &NewUpdate<'_>,
    style: Style,
    through_blank_lines: bool,
) -> Result<String, Refusal> {
    let (yaml, first, closing) = front_matter(text)?;
    let locations = locate(yaml, first);
    let item_indent = locations.0.get("updates.0").map(|l| l.key.column - 1);
    let (insert_line, indent, header) = match locations.0.get("updates") {
        Some(loc) => {
            let line = text.lines().nth(loc.key.line - 1).unwrap_or("");
            let after = line.split_once(':').map_or("", |(_, v)| v.trim());
            if !after.is_empty() && !after.starts_with('#') {
                if after.starts_with("[]") {
                    return Err("`updates: []` is written in flow style; write `updates:` on its own line first".into());
                }
                return Err("`updates` is not a block list of updates; cannot append to it".into());
            }
            (end_of_value(text, loc.key.line, closing, through_blank_lines), item_indent.unwrap_or(2), false)
        }
        None => (closing, 2, true),
    };
    let newline = newline_of(text);
    let mut block = String::new();
    if header {
        block.push_str("updates:");
        block.push_str(newline);
    }
    block.push_str(&update.write(&" ".repeat(indent), newline, style));
    let at = line_offset(text, insert_line);
    Ok(format!("{}{block}{}", &text[..at], &text[at..]))
}

/// `text` with the line of the key located at `loc` holding `key: value` instead: its
/// indentation (and list dash) and its comment are kept.
fn replace_value(text: &str, loc: Loc, key: &str, value: &str) -> String {
    let start = line_offset(text, loc.key.line);
    let end = line_offset(text, loc.key.line + 1);
    let line = text[start..end].trim_end_matches(['\n', '\r']);
    let comment = line.find(" #").map(|i| &line[line[..i].trim_end().len()..]).unwrap_or("");
    let indent: String = line.chars().take(loc.key.column - 1).collect();
    let ending = &text[start + line.len()..end];
    format!("{}{indent}{key}: {value}{comment}{ending}{}", &text[..start], &text[end..])
}

/// `text` with the top-level key `key` set to the one-line `value`: inserted after the last of
/// `after` that exists (or before `updates:`); an existing key keeps its line and comment.
fn splice_key(text: &str, key: &str, value: &str, after: &[&str], style: Style) -> Result<String, Refusal> {
    let (yaml, first, closing) = front_matter(text)?;
    let locations = locate(yaml, first);
    let newline = newline_of(text);
    let value = emit::scalar(value, style);
    if let Some(loc) = locations.0.get(key) {
        return Ok(replace_value(text, *loc, key, &value));
    }
    let anchor = after.iter().filter_map(|k| locations.0.get(*k)).map(|l| l.key.line).max();
    let line = match anchor {
        Some(l) => end_of_value(text, l, closing, false),
        None => locations.0.get("updates").map_or(closing, |l| l.key.line),
    };
    let at = line_offset(text, line);
    Ok(format!("{}{key}: {value}{newline}{}", &text[..at], &text[at..]))
}

/// `text` with `key` of update `index` set to the one-line `value`: an existing key keeps its
/// line and comment; a new one goes on the line after the update's `status` (or `at`), at its
/// indentation.
fn splice_update_key(text: &str, index: usize, key: &str, value: &str, style: Style) -> Result<String, Refusal> {
    let (yaml, first, _) = front_matter(text)?;
    let locations = locate(yaml, first);
    let value = emit::scalar(value, style);
    let item = format!("updates.{index}");
    if let Some(loc) = locations.0.get(&format!("{item}.{key}")) {
        return Ok(replace_value(text, *loc, key, &value));
    }
    let anchor = ["status", "at", "id"]
        .iter()
        .filter_map(|k| locations.0.get(&format!("{item}.{k}")))
        .max_by_key(|l| l.key.line)
        .ok_or_else(|| format!("update {} has no `status` or `at` line to write `{key}` after", index + 1))?;
    let indent = " ".repeat(anchor.key.column - 1);
    let at = line_offset(text, anchor.key.line + 1);
    Ok(format!("{}{indent}{key}: {value}{}{}", &text[..at], newline_of(text), &text[at..]))
}

/// A top-level key to set to a one-line value, placed after the last of `after` written.
pub struct SetKey<'a> {
    pub key: &'a str,
    pub value: &'a str,
    pub after: &'a [&'a str],
}

/// The first of `tries` (ways of writing an edit) whose result reads back as `expected` above
/// the body of `text`, or why none does.
fn first_exact(
    text: &str,
    expected: &Mapping,
    tries: impl Iterator<Item = Result<String, Refusal>>,
    layout: &str,
) -> Result<String, Refusal> {
    let (_, body) = read_front_matter(text)?;
    let mut last_error = None;
    for edited in tries {
        match edited {
            Ok(edited) if reads_back(&edited, expected, body) => return Ok(edited),
            Ok(_) => {}
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        format!("the {layout} cannot be written into this file so that it reads back exactly as given (the front matter is laid out in a way cairn cannot edit)")
    }))
}

/// `text` with `update` appended to its `updates` and the top-level keys `set` (e.g.
/// `resolved_at`, a window's `status`). The result is parsed again: its front matter must be
/// the old one with exactly these changes and its body unchanged, or nothing is returned but
/// why. The update goes before the blank lines and comments that end the list, else after them
/// (they are part of the last update's text when it keeps its trailing newlines); in a readable
/// form, else with every value double-quoted.
pub fn append_update(text: &str, update: &NewUpdate<'_>, set: &[SetKey<'_>]) -> Result<String, Refusal> {
    let (before, _) = read_front_matter(text)?;
    let mut updates = match before.get("updates") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Sequence(items)) => items.clone(),
        Some(_) => return Err("`updates` is not a list of updates; cannot append to it".into()),
    };
    updates.push(update.expected());
    let mut expected = before.clone();
    expected.insert("updates".into(), Value::Sequence(updates));
    for s in set {
        expected.insert(s.key.into(), s.value.into());
    }
    let tries = [(Style::Readable, false), (Style::Quoted, false), (Style::Readable, true), (Style::Quoted, true)];
    let edits = tries.into_iter().map(|(style, through_blank_lines)| {
        let mut edited = splice_update(text, update, style, through_blank_lines);
        for s in set {
            edited = edited.and_then(|t| splice_key(&t, s.key, s.value, s.after, style));
        }
        edited
    });
    first_exact(text, &expected, edits, "update")
}

/// `text` with the `visibility` of the document (`update: None`) or of its update at `index` set
/// to `audience`; the top-level key goes after the last of `after` written. Read back exactly
/// as [`append_update`] is.
pub fn set_visibility(text: &str, update: Option<usize>, audience: &str, after: &[&str]) -> Result<String, Refusal> {
    let (before, _) = read_front_matter(text)?;
    let mut expected = before.clone();
    match update {
        None => {
            expected.insert("visibility".into(), audience.into());
        }
        Some(i) => {
            let item = expected
                .get_mut("updates")
                .and_then(Value::as_sequence_mut)
                .and_then(|items| items.get_mut(i))
                .and_then(Value::as_mapping_mut)
                .ok_or_else(|| format!("there is no update {} to publish", i + 1))?;
            item.insert("visibility".into(), audience.into());
        }
    }
    let edits = [Style::Readable, Style::Quoted].into_iter().map(|style| match update {
        None => splice_key(text, "visibility", audience, after, style),
        Some(i) => splice_update_key(text, i, "visibility", audience, style),
    });
    first_exact(text, &expected, edits, "visibility")
}

/// `text` with the explicit `id` of its update at `index` set (an update that gives its time's
/// id to a more widely visible one written in the same second). Read back exactly as
/// [`append_update`] is.
pub fn set_update_id(text: &str, index: usize, id: &str) -> Result<String, Refusal> {
    let (before, _) = read_front_matter(text)?;
    let mut expected = before.clone();
    let item = expected
        .get_mut("updates")
        .and_then(Value::as_sequence_mut)
        .and_then(|items| items.get_mut(index))
        .and_then(Value::as_mapping_mut)
        .ok_or_else(|| format!("there is no update {} to name", index + 1))?;
    item.insert("id".into(), id.into());
    let edits =
        [Style::Readable, Style::Quoted].into_iter().map(|style| splice_update_key(text, index, "id", id, style));
    first_exact(text, &expected, edits, "id")
}

/// A new markdown document: front matter with `fields` in order, then `body`; parsed again
/// and refused unless it reads back as exactly these values and this body.
pub fn new_document(fields: &[(&str, Field<'_>)], body: &str) -> Result<String, Refusal> {
    let expected: Mapping = fields.iter().map(|(k, v)| (Value::from(*k), v.expected())).collect();
    for style in [Style::Readable, Style::Quoted] {
        let mut text = String::from("---\n");
        for (key, value) in fields {
            match value {
                Field::Text(t) => text.push_str(&format!("{key}: {}\n", emit::scalar(t, style))),
                Field::List(items) => text.push_str(&format!("{key}: {}\n", emit::list(items, style))),
                Field::Updates(updates) => {
                    text.push_str(&format!("{key}:\n"));
                    for u in *updates {
                        text.push_str(&u.write("  ", "\n", style));
                    }
                }
            }
        }
        text.push_str("---\n");
        text.push_str(body);
        if reads_back(&text, &expected, body) {
            return Ok(text);
        }
    }
    Err("the document cannot be written so that it reads back exactly as given".into())
}

#[cfg(test)]
mod tests;

//! Surgical edits of a document's front matter for the comms CLI: append a status update, set a
//! top-level key. Guided by the YAML locator, they touch only the lines they add or change, so the
//! author's comments, key order, quoting and body stay byte for byte as written.

use super::yaml::{locate, split_front_matter};

/// A status update to append, its values already formatted as YAML scalars.
pub struct NewUpdate<'a> {
    pub at: &'a str,
    pub status: &'a str,
    pub visibility: Option<&'a str>,
    pub body: &'a str,
}

/// A string as a YAML double-quoted scalar (JSON's string syntax is valid YAML).
pub fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{}\"", text.replace('"', "'")))
}

/// Byte offset at which 1-based file line `line` starts (the text length past the end).
fn line_offset(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n').nth(line - 2).map_or(text.len(), |(i, _)| i + 1)
}

/// The front matter's YAML, its first file line, and the file line of the closing `---`.
fn front_matter(text: &str) -> Result<(&str, usize, usize), String> {
    let fm = split_front_matter(text).map_err(|(_, message)| message.to_string())?;
    Ok((fm.yaml, fm.yaml_line, fm.body_line - 1))
}

/// File line after the last line of the top-level value that starts on `key_line`: the next
/// top-level key (or the closing `---`), less trailing blank lines and the comments above that key.
fn end_of_value(text: &str, key_line: usize, closing: usize) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = closing;
    for line in key_line + 1..closing {
        let l = lines.get(line - 1).copied().unwrap_or("");
        if !l.is_empty() && !l.starts_with([' ', '\t', '#', '-']) {
            end = line;
            break;
        }
    }
    while end > key_line + 1 && lines.get(end - 2).is_some_and(|l| l.trim().is_empty() || l.starts_with('#')) {
        end -= 1;
    }
    end
}

/// Appends `update` as the last item of `updates:` (creating the key if missing), indented like
/// the items already there.
pub fn append_update(text: &str, update: &NewUpdate<'_>) -> Result<String, String> {
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
            (end_of_value(text, loc.key.line, closing), item_indent.unwrap_or(2), false)
        }
        None => (closing, 2, true),
    };
    let pad = " ".repeat(indent);
    let mut block = String::new();
    if header {
        block.push_str("updates:\n");
    }
    block.push_str(&format!("{pad}- at: {}\n{pad}  status: {}\n", update.at, update.status));
    if let Some(v) = update.visibility {
        block.push_str(&format!("{pad}  visibility: {v}\n"));
    }
    block.push_str(&format!("{pad}  body: |\n"));
    for l in update.body.trim_end().lines() {
        if l.trim().is_empty() {
            block.push('\n');
        } else {
            block.push_str(&format!("{pad}    {l}\n"));
        }
    }
    let at = line_offset(text, insert_line);
    let mut out = String::with_capacity(text.len() + block.len() + 1);
    out.push_str(&text[..at]);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&block);
    out.push_str(&text[at..]);
    Ok(out)
}

/// Sets top-level `key` to the scalar `value`: replaces the value on its line if the key exists,
/// else inserts `key: value` after the last of `after` that exists (or before `updates:`).
pub fn set_key(text: &str, key: &str, value: &str, after: &[&str]) -> Result<String, String> {
    let (yaml, first, closing) = front_matter(text)?;
    let locations = locate(yaml, first);
    if let Some(loc) = locations.0.get(key) {
        let start = line_offset(text, loc.key.line);
        let end = line_offset(text, loc.key.line + 1);
        let line = text[start..end].trim_end_matches(['\n', '\r']);
        let comment = line.find(" #").map(|i| &line[line[..i].trim_end().len()..]).unwrap_or("");
        let indent = &line[..loc.key.column - 1];
        let newline = &text[start + line.len()..end];
        return Ok(format!("{}{indent}{key}: {value}{comment}{newline}{}", &text[..start], &text[end..]));
    }
    let anchor = after.iter().filter_map(|k| locations.0.get(*k)).map(|l| l.key.line).max();
    let line = match anchor {
        Some(l) => end_of_value(text, l, closing),
        None => locations.0.get("updates").map_or(closing, |l| l.key.line),
    };
    let at = line_offset(text, line);
    Ok(format!("{}{key}: {value}\n{}", &text[..at], &text[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "---\n# who to call: sre\ntitle: \"X\"  # keep\nstarted_at: 2026-11-26T08:00:00Z\nupdates:\n  - at: 2026-11-26T08:10:00Z\n    status: investigating\n    body: |\n      First.\n\n      Second paragraph.\n\n# trailing note\nruntime: x\n---\nBody *kept*.\n";

    #[test]
    fn appending_keeps_everything_else() {
        let u = NewUpdate { at: "2026-11-26T09:00:00Z", status: "identified", visibility: None, body: "Found it." };
        let out = append_update(DOC, &u).unwrap();
        let expected = DOC.replace(
            "      Second paragraph.\n",
            "      Second paragraph.\n  - at: 2026-11-26T09:00:00Z\n    status: identified\n    body: |\n      Found it.\n",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn setting_a_missing_key_inserts_it_after_its_neighbour() {
        let out = set_key(DOC, "resolved_at", "2026-11-26T10:00:00Z", &["started_at"]).unwrap();
        assert!(out.contains("started_at: 2026-11-26T08:00:00Z\nresolved_at: 2026-11-26T10:00:00Z\nupdates:"), "{out}");
        let again = set_key(&out, "resolved_at", "2026-11-26T11:00:00Z", &[]).unwrap();
        assert_eq!(again, out.replace("T10:00:00Z", "T11:00:00Z"));
    }

    #[test]
    fn an_existing_key_keeps_its_comment() {
        let out = set_key(DOC, "title", "\"Y\"", &[]).unwrap();
        assert!(out.contains("title: \"Y\"  # keep\n"), "{out}");
    }
}

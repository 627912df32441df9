//! Typed reading of parsed YAML, field by field, so that every problem of a file is reported
//! (not just the first), each at the line and column of the key or value concerned.

use crate::diagnostics::{Diagnostic, suggest};
use crate::model::{Audiences, Date, Locations, Span, Timestamp};
use serde_yaml::{Mapping, Value};
use std::cell::RefCell;
use std::path::Path;
use time::format_description::well_known::Rfc3339;

/// What reading one file needs: where it is, where its keys are, and where problems go.
pub struct FileCx<'a> {
    pub file: &'a Path,
    /// File line of the first YAML line (after a front-matter `---`).
    pub yaml_line: usize,
    pub locations: &'a Locations,
    pub audiences: &'a Audiences,
    pub problems: RefCell<Vec<Diagnostic>>,
}

impl<'a> FileCx<'a> {
    pub fn new(file: &'a Path, yaml_line: usize, locations: &'a Locations, audiences: &'a Audiences) -> Self {
        FileCx { file, yaml_line, locations, audiences, problems: RefCell::new(Vec::new()) }
    }

    fn root_pos(&self) -> crate::diagnostics::Pos {
        crate::diagnostics::Pos::new(self.yaml_line, 1)
    }

    /// Reports a problem with the value at `path`.
    pub fn at_value(&self, path: &str, code: &'static str, message: String, help: String) {
        let pos = if path.is_empty() { self.root_pos() } else { self.locations.value(path) };
        self.problems.borrow_mut().push(Diagnostic::error(self.file, pos, code, message).with_help(help));
    }

    /// Reports a problem with the key at `path`.
    pub fn at_key(&self, path: &str, code: &'static str, message: String, help: String) {
        let pos = self.locations.key(path);
        self.problems.borrow_mut().push(Diagnostic::error(self.file, pos, code, message).with_help(help));
    }

    pub fn into_problems(self) -> Vec<Diagnostic> {
        self.problems.into_inner()
    }

    /// Reads the mapping at `value`, or reports that a mapping was expected.
    pub fn fields(&'a self, value: &'a Value, prefix: &str, known: &'static [&'static str]) -> Option<Fields<'a>> {
        match value {
            Value::Mapping(map) => Some(Fields { cx: self, map, prefix: prefix.to_string(), known }),
            other => {
                let what = if prefix.is_empty() { "the document" } else { prefix };
                self.at_value(
                    prefix,
                    "wrong-type",
                    format!("{what} should be a mapping of `key: value` lines, found {}", describe(other)),
                    format!("expected keys: {}", known.join(", ")),
                );
                None
            }
        }
    }
}

/// The keys of one YAML mapping, read one at a time; `finish` reports the keys nobody asked for.
pub struct Fields<'a> {
    cx: &'a FileCx<'a>,
    map: &'a Mapping,
    prefix: String,
    known: &'static [&'static str],
}

impl<'a> Fields<'a> {
    pub fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() { key.to_string() } else { format!("{}.{key}", self.prefix) }
    }

    /// The value of `key`; an explicit `null` counts as absent.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        debug_assert!(self.known.contains(&key), "{key} is not declared as known");
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn wrong_type(&self, key: &str, expected: &str, found: &Value, help: &str) {
        self.cx.at_value(
            &self.path(key),
            "wrong-type",
            format!("`{key}` should be {expected}, found {}", describe(found)),
            help.to_string(),
        );
    }

    /// Reports a missing required key, at the start of the enclosing mapping.
    pub fn missing(&self, key: &str, example: &str) {
        let pos = if self.prefix.is_empty() { self.cx.root_pos() } else { self.cx.locations.key(&self.prefix) };
        self.cx.problems.borrow_mut().push(
            Diagnostic::error(self.cx.file, pos, "missing-field", format!("required key `{key}` is missing"))
                .with_help(format!("add it, e.g. `{key}: {example}`")),
        );
    }

    /// Plain text: shown as written to everyone who sees what it belongs to, so a line that
    /// reads as an audience-block marker is an error (only markdown bodies are cut into blocks).
    pub fn string(&self, key: &str) -> Option<String> {
        let s = self.markdown(key)?;
        self.no_marker(&self.path(key), &s);
        Some(s)
    }

    /// Markdown text, which the site cuts into audience blocks later (update bodies, a matrix's
    /// description).
    pub fn markdown(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            other => {
                self.wrong_type(key, "text", other, "quote the value if it is meant as text");
                None
            }
        }
    }

    pub fn required_string(&self, key: &str, example: &str) -> Option<String> {
        let v = self.string(key);
        if v.is_none() && self.get(key).is_none() {
            self.missing(key, example);
        }
        v
    }

    pub fn required_markdown(&self, key: &str, example: &str) -> Option<String> {
        let v = self.markdown(key);
        if v.is_none() && self.get(key).is_none() {
            self.missing(key, example);
        }
        v
    }

    fn no_marker(&self, path: &str, text: &str) {
        if crate::text::has_marker_run(text) {
            self.cx.at_value(
                path,
                "block-in-plain-text",
                "this text holds something that reads as an audience-block marker (`:::`), but it is plain \
                 text, shown as written to everyone who sees it"
                    .into(),
                "audience blocks work only in markdown bodies (a document's body, an update's `body`); \
                 move the hidden part there inside a `:::audience` block, or keep it out of this field"
                    .into(),
            );
        }
    }

    pub fn strings(&self, key: &str) -> Vec<String> {
        match self.get(key) {
            None => Vec::new(),
            Some(Value::Sequence(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| match item {
                    Value::String(s) => {
                        self.no_marker(&format!("{}.{i}", self.path(key)), s);
                        Some(s.clone())
                    }
                    Value::Number(n) => Some(n.to_string()),
                    other => {
                        self.cx.at_value(
                            &format!("{}.{i}", self.path(key)),
                            "wrong-type",
                            format!("items of `{key}` should be text, found {}", describe(other)),
                            "write a list of names, e.g. `[a, b]`".into(),
                        );
                        None
                    }
                })
                .collect(),
            Some(other) => {
                self.wrong_type(key, "a list", other, &format!("write a list, e.g. `{key}: [a, b]`"));
                Vec::new()
            }
        }
    }

    pub fn time(&self, key: &str) -> Option<Timestamp> {
        let text = self.string(key)?;
        parse_time(&text).or_else(|| {
            self.cx.at_value(&self.path(key), "bad-time", time_message(key, &text), time_help(&text));
            None
        })
    }

    pub fn required_time(&self, key: &str) -> Option<Timestamp> {
        if self.get(key).is_none() {
            self.missing(key, "2026-11-20T14:05:00Z");
            return None;
        }
        self.time(key)
    }

    pub fn date(&self, key: &str) -> Option<Date> {
        let text = self.string(key)?;
        parse_date(&text).or_else(|| {
            self.cx.at_value(
                &self.path(key),
                "bad-date",
                format!("`{key}` is not a valid date: `{text}`"),
                "write a calendar date as YYYY-MM-DD, e.g. 2026-10-01".into(),
            );
            None
        })
    }

    pub fn span(&self, key: &str) -> Option<Span> {
        let text = self.string(key)?;
        parse_span(&text).or_else(|| {
            self.cx.at_value(
                &self.path(key),
                "bad-duration",
                format!("`{key}` is not a valid duration: `{text}`"),
                "write a number and a unit: s, m, h, d or w (e.g. 15m, 36h, 90d)".into(),
            );
            None
        })
    }

    pub fn uint(&self, key: &str) -> Option<u64> {
        match self.get(key)? {
            Value::Number(n) if n.as_u64().is_some() => n.as_u64(),
            other => {
                self.wrong_type(key, "a whole number", other, "write digits only, e.g. 1048601");
                None
            }
        }
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        match self.get(key)? {
            Value::Number(n) if n.as_i64().is_some() => n.as_i64(),
            other => {
                self.wrong_type(key, "a whole number", other, "write digits only, e.g. 10");
                None
            }
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong_type(key, "true or false", other, "write `true` or `false`");
                None
            }
        }
    }

    /// One of a closed set of names.
    pub fn choice<T>(&self, key: &str, parse: fn(&str) -> Option<T>, names: &[&str]) -> Option<T> {
        let text = self.string(key)?;
        parse(&text).or_else(|| {
            let mut help = format!("expected one of: {}", names.join(", "));
            if let Some(s) = suggest(&text, names.iter().copied()) {
                help = format!("did you mean `{s}`? ({help})");
            }
            self.cx.at_value(&self.path(key), "bad-value", format!("`{text}` is not a valid `{key}`"), help);
            None
        })
    }

    pub fn required_choice<T>(&self, key: &str, parse: fn(&str) -> Option<T>, names: &[&str]) -> Option<T> {
        if self.get(key).is_none() {
            self.missing(key, names[0]);
            return None;
        }
        self.choice(key, parse, names)
    }

    /// An audience name, as its rank.
    pub fn audience(&self, key: &str) -> Option<usize> {
        let text = self.string(key)?;
        self.cx.audiences.rank(&text).or_else(|| {
            let names: Vec<&str> = self.cx.audiences.0.iter().map(String::as_str).collect();
            let mut help = format!("audiences are declared in cairn.yaml: {}", names.join(", "));
            if let Some(s) = suggest(&text, names.iter().copied()) {
                help = format!("did you mean `{s}`? ({help})");
            }
            self.cx.at_value(
                &self.path(key),
                "unknown-audience",
                format!("`{text}` is not an audience of this site"),
                help,
            );
            None
        })
    }

    /// The items of a list of mappings (or any list), each with its path prefix.
    pub fn items(&self, key: &str) -> Vec<(String, &'a Value)> {
        match self.get(key) {
            None => Vec::new(),
            Some(Value::Sequence(items)) => {
                items.iter().enumerate().map(|(i, v)| (format!("{}.{i}", self.path(key)), v)).collect()
            }
            Some(other) => {
                self.wrong_type(key, "a list", other, &format!("start each item of `{key}` with `- `"));
                Vec::new()
            }
        }
    }

    /// Reports every key that is not one of the known keys, with a "did you mean" hint.
    pub fn finish(self) {
        for key in self.map.keys() {
            let name = match key {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => "(a non-text key)".to_string(),
            };
            if self.known.contains(&name.as_str()) {
                continue;
            }
            let help = match suggest(&name, self.known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("known keys here: {}", self.known.join(", ")),
            };
            self.cx.at_key(&self.path(&name), "unknown-key", format!("unknown key `{name}`"), help);
        }
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("the text `{s}`"),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(_) => "a tagged value".into(),
    }
}

/// Parses an RFC 3339 time with an offset, normalised to UTC.
/// A time whose UTC equivalent falls outside the years 0000 to 9999 is not a time.
pub fn parse_time(text: &str) -> Option<Timestamp> {
    Timestamp::parse(text.trim(), &Rfc3339).ok().and_then(|t| t.checked_to_offset(time::UtcOffset::UTC))
}

pub fn time_message(key: &str, text: &str) -> String {
    if parse_time(&format!("{text}Z")).is_some() {
        format!("`{key}` has no UTC offset: `{text}`")
    } else {
        format!("`{key}` is not a valid time: `{text}`")
    }
}

pub fn time_help(text: &str) -> String {
    if parse_time(&format!("{text}Z")).is_some() {
        format!("add the offset, e.g. `{text}Z` for UTC")
    } else {
        "write an RFC 3339 time with an offset, e.g. 2026-11-20T14:05:00Z".into()
    }
}

pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text.trim(), time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Parses `90d`, `36h`, `15m`, `30s`, `2w`.
pub fn parse_span(text: &str) -> Option<Span> {
    let t = text.trim();
    let unit = t.chars().last()?;
    let n: i64 = t[..t.len() - unit.len_utf8()].parse().ok()?;
    let factor = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        _ => return None,
    };
    let seconds = n.checked_mul(factor).filter(|_| n >= 0)?;
    Some(Span { seconds, text: t.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_need_an_offset() {
        assert!(parse_time("2026-11-20T14:05:00Z").is_some());
        assert!(parse_time("2026-11-20T16:05:00+02:00").is_some());
        assert!(parse_time("2026-11-20T14:05:00").is_none());
        assert!(time_help("2026-11-20T14:05:00").contains("14:05:00Z"));
    }

    #[test]
    fn spans_parse_units() {
        assert_eq!(parse_span("90d").unwrap().seconds, 90 * 86_400);
        assert_eq!(parse_span("15m").unwrap().seconds, 900);
        assert!(parse_span("fortnight").is_none());
        assert!(parse_span("10y").is_none());
        assert!(parse_span("99999999999999999w").is_none(), "overflow is not a duration");
    }
}

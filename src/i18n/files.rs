//! Message files: parsing one (`language`, `plural`, `numbers`, `dates`, `messages`), the
//! languages shipped (built in, a theme folder's `i18n/`, the site's `templates/i18n/`), and
//! loading one language complete, with a diagnostic naming the file and key of every gap.

use super::{Message, Messages, PluralRule};
use crate::diagnostics::{Diagnostic, Pos};
use crate::load::inputs;
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The default theme's message files, embedded like its templates.
const BUILTIN: &[(&str, &str)] = &[
    ("en", include_str!("../../themes/default/i18n/en.yaml")),
    ("de", include_str!("../../themes/default/i18n/de.yaml")),
    ("fr", include_str!("../../themes/default/i18n/fr.yaml")),
];

/// The largest message file read.
const MAX_MESSAGES_BYTES: u64 = 1024 * 1024;

/// A message file parsed: its settings (each optional in an override) and its messages.
#[derive(Default)]
struct Parsed {
    plural: Option<PluralRule>,
    thousands: Option<String>,
    decimal: Option<String>,
    months: Option<Vec<String>>,
    months_short: Option<Vec<String>>,
    weekdays: Option<Vec<String>>,
    messages: BTreeMap<String, Message>,
}

/// The built-in messages of `lang`, complete (the built-in files are checked by tests).
pub(super) fn builtin(lang: &str) -> Option<Messages> {
    let text = BUILTIN.iter().find(|(l, _)| *l == lang)?.1;
    let parsed = parse(text).ok()?;
    let mut m = empty(lang);
    apply(&mut m, parsed);
    Some(m)
}

fn empty(lang: &str) -> Messages {
    Messages {
        lang: lang.to_string(),
        plural: PluralRule::OneIsOne,
        thousands: ",".into(),
        decimal: ".".into(),
        months: Vec::new(),
        months_short: Vec::new(),
        weekdays: Vec::new(),
        messages: BTreeMap::new(),
    }
}

fn apply(m: &mut Messages, p: Parsed) {
    if let Some(v) = p.plural {
        m.plural = v;
    }
    if let Some(v) = p.thousands {
        m.thousands = v;
    }
    if let Some(v) = p.decimal {
        m.decimal = v;
    }
    if let Some(v) = p.months {
        m.months = v;
    }
    if let Some(v) = p.months_short {
        m.months_short = v;
    }
    if let Some(v) = p.weekdays {
        m.weekdays = v;
    }
    m.messages.extend(p.messages);
}

/// Parses one message file; the error says what is wrong and where, in words.
fn parse(text: &str) -> Result<Parsed, String> {
    let value: Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    let Value::Mapping(top) = value else {
        return Err("a message file is a mapping with `messages:` (and optionally `plural`, `numbers`, `dates`)".into());
    };
    let mut p = Parsed::default();
    for (k, v) in &top {
        match k.as_str() {
            Some("language") => {}
            Some("plural") => {
                let name = v.as_str().unwrap_or_default();
                p.plural = Some(PluralRule::parse(name).ok_or_else(|| {
                    format!("`plural: {name}` is not a plural rule: use one of {}", PluralRule::NAMES.join(", "))
                })?);
            }
            Some("numbers") => {
                p.thousands = v.get("thousands").and_then(Value::as_str).map(str::to_string);
                p.decimal = v.get("decimal").and_then(Value::as_str).map(str::to_string);
            }
            Some("dates") => {
                let list = |key: &str, len: usize| -> Result<Option<Vec<String>>, String> {
                    let Some(items) = v.get(key) else { return Ok(None) };
                    let items: Vec<String> = items
                        .as_sequence()
                        .into_iter()
                        .flatten()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect();
                    if items.len() != len {
                        return Err(format!("`dates.{key}` must list {len} names"));
                    }
                    Ok(Some(items))
                };
                p.months = list("months", 12)?;
                p.months_short = list("months_short", 12)?;
                p.weekdays = list("weekdays", 7)?;
            }
            Some("messages") => flatten("", v, &mut p.messages)?,
            _ => {
                return Err(format!(
                    "unknown key `{}`: a message file has `language`, `plural`, `numbers`, `dates` and `messages`",
                    k.as_str().unwrap_or("?")
                ));
            }
        }
    }
    Ok(p)
}

/// Nested mappings to dotted keys; a mapping of exactly `one` and `other` is a plural message.
fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, Message>) -> Result<(), String> {
    match v {
        Value::String(s) => {
            out.insert(prefix.to_string(), Message::Text(s.clone()));
        }
        Value::Mapping(map) => {
            let one = map.get("one").and_then(Value::as_str);
            let other = map.get("other").and_then(Value::as_str);
            if map.len() == 2
                && let (Some(one), Some(other)) = (one, other)
            {
                out.insert(prefix.to_string(), Message::Plural { one: one.into(), other: other.into() });
                return Ok(());
            }
            for (k, v) in map {
                let k = k.as_str().ok_or_else(|| format!("a key below `{prefix}` is not text"))?;
                let key = if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out)?;
            }
        }
        _ => return Err(format!("message `{prefix}` is not text (quote it)")),
    }
    Ok(())
}

/// The folders whose `<lang>.yaml` files add or override messages, in order: the theme
/// folder's `i18n/` (a theme on disk), then the site's `templates/i18n/`.
fn override_dirs(theme: &str) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let theme = Path::new(theme);
    if inputs::is_plain(theme) && theme.components().count() == 1 {
        dirs.push(Path::new("themes").join(theme).join("i18n"));
    }
    dirs.push(Path::new("templates").join("i18n"));
    dirs
}

/// `<lang>.yaml` files of one override folder: (language, path relative to the root).
fn files_in(root: &Path, dir: &Path) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = inputs::walk_below(root, dir)
        .files
        .into_iter()
        .filter_map(|e| {
            let path = e.into_path();
            let rel = path.strip_prefix(root).ok()?.to_path_buf();
            let lang = rel.file_name()?.to_str()?.strip_suffix(".yaml")?.to_string();
            (rel.parent() == Some(dir)).then_some((lang, rel))
        })
        .collect();
    found.sort();
    found
}

/// Every language a site with `theme` can choose: the built-in ones and those its theme
/// folder or `templates/i18n/` add, sorted.
pub fn shipped(root: &Path, theme: &str) -> Vec<String> {
    let mut langs: Vec<String> = BUILTIN.iter().map(|(l, _)| l.to_string()).collect();
    for dir in override_dirs(theme) {
        langs.extend(files_in(root, &dir).into_iter().map(|(l, _)| l));
    }
    langs.sort();
    langs.dedup();
    langs
}

/// The messages of `lang` for a site at `root` with `theme`: the built-in file, then each
/// override file of the language. Every key of the English messages must be present and no
/// other key may be: each gap is an error naming the file and key. `lang_pos` is where
/// `language:` is in `cairn.yaml`.
pub fn load(root: &Path, theme: &str, lang: &str, lang_pos: Pos) -> (std::sync::Arc<Messages>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let langs = shipped(root, theme);
    if !langs.iter().any(|l| l == lang) {
        problems.push(
            Diagnostic::error(
                Path::new("cairn.yaml"),
                lang_pos,
                "unknown-language",
                format!("language `{lang}` is not shipped: the languages are {}", langs.join(", ")),
            )
            .with_help(format!(
                "use one of them (`language: {}`), or add templates/i18n/{lang}.yaml with every message (see docs/languages.md)",
                langs.first().map_or("en", String::as_str)
            )),
        );
        return (Messages::english(), problems);
    }
    // English with its overrides: the reference for every key.
    let mut english = builtin("en").unwrap_or_else(|| empty("en"));
    let mut files: Vec<(String, Parsed)> = Vec::new();
    for dir in override_dirs(theme) {
        for (file_lang, rel) in files_in(root, &dir) {
            if file_lang != lang && file_lang != "en" {
                continue;
            }
            let label = crate::diagnostics::display_path(&rel);
            let text = inputs::read_file(&root.join(&rel), MAX_MESSAGES_BYTES)
                .map_err(|e| e.to_string())
                .and_then(|b| String::from_utf8(b).map_err(|_| "it is not UTF-8 text".to_string()));
            match text.and_then(|t| parse(&t)) {
                // English overrides may add keys (for the site's own templates): English is the
                // reference, so every other language must then have them too.
                Ok(parsed) if file_lang == "en" => apply(&mut english, parsed),
                Ok(parsed) => files.push((label, parsed)),
                Err(why) => problems.push(
                    Diagnostic::error(&rel, Pos::START, "messages", format!("cannot read message file: {why}"))
                        .with_help("a message file is YAML: `messages:` with one text per key (see docs/languages.md)"),
                ),
            }
        }
    }
    if lang == "en" {
        return (std::sync::Arc::new(english), problems);
    }
    let (mut m, mut last_file) = match builtin(lang) {
        Some(m) => (m, format!("<built-in theme>/i18n/{lang}.yaml")),
        None => (empty(lang), String::new()),
    };
    for (label, parsed) in files {
        unknown_keys(&english, &parsed, &label, &mut problems);
        apply(&mut m, parsed);
        last_file = label;
    }
    for (what, ok) in [
        ("dates.months", m.months.len() == 12),
        ("dates.months_short", m.months_short.len() == 12),
        ("dates.weekdays", m.weekdays.len() == 7),
    ] {
        if !ok {
            problems.push(missing(&last_file, what));
        }
    }
    for (key, message) in &english.messages {
        match (m.messages.get(key), message) {
            (None, _) => problems.push(missing(&last_file, key)),
            (Some(Message::Text(_)), Message::Plural { .. }) => problems.push(
                Diagnostic::error(
                    Path::new(&last_file),
                    Pos::START,
                    "messages",
                    format!("message `{key}` needs plural forms"),
                )
                .with_help("write it as `{one: …, other: …}`, as the English file does"),
            ),
            _ => {}
        }
    }
    (std::sync::Arc::new(m), problems)
}

fn missing(file: &str, key: &str) -> Diagnostic {
    Diagnostic::error(Path::new(file), Pos::START, "missing-message", format!("message `{key}` is missing"))
        .with_help(format!("add `{key}` to {file}: every key of the English messages needs a translation"))
}

/// An error for each key of `parsed` English does not have (a typo would otherwise be ignored).
fn unknown_keys(english: &Messages, parsed: &Parsed, file: &str, problems: &mut Vec<Diagnostic>) {
    for key in parsed.messages.keys().filter(|k| !english.messages.contains_key(*k)) {
        problems.push(
            Diagnostic::error(
                Path::new(file),
                Pos::START,
                "unknown-message",
                format!("no theme message is called `{key}`"),
            )
            .with_help("check the key against themes/default/i18n/en.yaml"),
        );
    }
}

/// The text of each built-in message file, for tests.
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    BUILTIN
}

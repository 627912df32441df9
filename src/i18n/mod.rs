//! The site in its readers' language: the theme's message files (`themes/default/i18n/<lang>.yaml`,
//! embedded; a theme folder's `i18n/` and the site's `templates/i18n/` add or override), one
//! language per site (`language:` in `cairn.yaml`), and the words, plurals, dates and numbers
//! every page shows drawn from them.
//!
//! Messages are theme data, never content: nothing here reads `Sources`. A message is text (the
//! templates escape it like any other value); `{name}` in it is replaced by the argument `name`.

mod files;

pub use files::{builtin_files, load, shipped};

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// One message: a text, or a text per plural category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Text(String),
    Plural { one: String, other: String },
}

/// How a language picks between `one` and `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluralRule {
    /// `one` for 1 only (English, German).
    OneIsOne,
    /// `one` for 0 and 1 (French).
    ZeroAndOneAreOne,
}

impl PluralRule {
    pub const NAMES: [&'static str; 2] = ["one-is-1", "one-is-0-or-1"];

    pub fn parse(text: &str) -> Option<PluralRule> {
        match text {
            "one-is-1" => Some(PluralRule::OneIsOne),
            "one-is-0-or-1" => Some(PluralRule::ZeroAndOneAreOne),
            _ => None,
        }
    }

    pub fn is_one(self, n: i64) -> bool {
        match self {
            PluralRule::OneIsOne => n == 1,
            PluralRule::ZeroAndOneAreOne => n == 0 || n == 1,
        }
    }
}

/// One language's messages, complete: every key of the English file is present (checked when
/// loaded), so a lookup of a theme key never falls back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Messages {
    /// The language code, as `<html lang>` and feeds print it (`en`, `de`, `fr`).
    pub lang: String,
    pub plural: PluralRule,
    /// Separators of large numbers and of decimals.
    pub thousands: String,
    pub decimal: String,
    /// Month names (12), short month names (12), weekday names from Monday (7).
    pub months: Vec<String>,
    pub months_short: Vec<String>,
    pub weekdays: Vec<String>,
    /// Dotted key (`status.operational`) to message.
    pub messages: BTreeMap<String, Message>,
}

impl Messages {
    /// The built-in English messages, which every other language must match key for key.
    pub fn english() -> Arc<Messages> {
        static EN: OnceLock<Arc<Messages>> = OnceLock::new();
        EN.get_or_init(|| Arc::new(files::builtin("en").expect("the built-in English messages parse"))).clone()
    }

    /// Whether this is the theme's own language (English), whose pages are the reference.
    pub fn is_english(&self) -> bool {
        self.lang == "en"
    }

    /// The message `key` with no argument; the key itself when there is none (never for a key
    /// of the theme: see [`Messages`]).
    pub fn text(&self, key: &str) -> String {
        self.format(key, None, &[])
    }

    /// The message `key`, with `{n}` the number `n` (which picks the plural form) and each
    /// `{name}` of `args` replaced.
    pub fn format(&self, key: &str, n: Option<i64>, args: &[(&str, &str)]) -> String {
        let template = match self.messages.get(key) {
            Some(Message::Text(t)) => t.as_str(),
            Some(Message::Plural { one, other }) => {
                if n.is_some_and(|n| self.plural.is_one(n)) {
                    one.as_str()
                } else {
                    other.as_str()
                }
            }
            None => return key.to_string(),
        };
        let number = n.map(|n| self.integer(n));
        fill(template, |name| {
            if name == "n" {
                return number.clone();
            }
            args.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        })
    }

    /// `n` with this language's thousands separator: "12,345", "12.345", "12 345".
    pub fn integer(&self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(&self.thousands);
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    }

    /// A number as written in English (`99.95`, `1,234.5`) rewritten with this language's
    /// separators; anything else unchanged.
    pub fn number_text(&self, text: &str) -> String {
        if self.is_english() || !text.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',' || c == '-') {
            return text.to_string();
        }
        text.chars()
            .map(|c| match c {
                ',' => self.thousands.clone(),
                '.' => self.decimal.clone(),
                c => c.to_string(),
            })
            .collect()
    }
}

impl Messages {
    /// What `cairn.js`, `live.js` and `search.js` need, as JSON: the plural rule, the short
    /// month names and the messages they show (`js.*`, `time.*`, `label.*`, due words).
    pub fn for_scripts(&self) -> String {
        let m: serde_json::Map<String, serde_json::Value> = self
            .messages
            .iter()
            .filter(|(k, _)| {
                ["js.", "time.", "label."].iter().any(|p| k.starts_with(p))
                    || matches!(k.as_str(), "common.was_due" | "common.due_by")
            })
            .map(|(k, v)| {
                let v = match v {
                    Message::Text(t) => serde_json::json!(t),
                    Message::Plural { one, other } => serde_json::json!({"one": one, "other": other}),
                };
                (k.clone(), v)
            })
            .collect();
        let plural = match self.plural {
            PluralRule::OneIsOne => PluralRule::NAMES[0],
            PluralRule::ZeroAndOneAreOne => PluralRule::NAMES[1],
        };
        serde_json::json!({"plural": plural, "months": self.months_short, "m": m}).to_string()
    }
}

/// `template` with each `{name}` replaced by `value(name)`; unknown names stay as written.
fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                match value(name) {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The template function `t`: `{{ t(k="nav.status") }}`, `{{ t(k="home.open", n=3) }}`, any other
/// argument filling its `{name}`. Its result is text, escaped like any value.
pub fn register(tera: &mut tera::Tera, messages: Arc<Messages>) {
    let m = messages.clone();
    tera.register_function("t", move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
        let key: String = kwargs.must_get::<&str>("k")?.to_string();
        if !m.messages.contains_key(&key) {
            return Err(tera::Error::message(format!(
                "no message `{key}` in the {} messages: add it to the theme's i18n files",
                m.lang
            )));
        }
        let n = kwargs.get::<tera::Value>("n")?.and_then(|v| v.as_i64());
        let args: Vec<(String, String)> = kwargs
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), Some("k" | "n")))
            .filter_map(|(k, v)| {
                let text = match v.as_str() {
                    Some(s) => s.to_string(),
                    None => match v.as_i64() {
                        Some(i) => m.integer(i),
                        None => v.to_string(),
                    },
                };
                Some((k.as_str()?.to_string(), text))
            })
            .collect();
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        Ok(m.format(&key, n, &args))
    });
    // The words the theme's scripts show, for `<html data-messages>` (JSON: text, not markup).
    let scripts = messages.for_scripts();
    tera.register_function("script_messages", move |_: tera::Kwargs, _: &tera::State| scripts.clone());
    let m = messages;
    tera.register_filter("num", move |v: tera::Value, _: tera::Kwargs, _: &tera::State| -> String {
        match v.as_i64() {
            Some(i) => m.integer(i),
            None => m.number_text(&v.to_string()),
        }
    });
}

#[cfg(test)]
mod tests;

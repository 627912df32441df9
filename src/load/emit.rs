//! Writing values as YAML that reads back as exactly the value written: a readable form where it
//! is safe (plain ids, literal block scalars for multi-line text) and a double-quoted scalar
//! with escapes otherwise. The edits re-parse what they write anyway; this is what makes the
//! readable form the common case.

/// How a value is written: readable where that is safe, or every value double-quoted (the
/// fallback when the readable form did not read back exactly).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Style {
    Readable,
    Quoted,
}

/// Whether YAML reads `c` as itself inside any scalar: printable (YAML 1.1's set, as libyaml
/// checks it), not a line break, not a byte order mark, not a tab.
fn plain_char(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// `text` as a YAML double-quoted scalar on one line: quotes, backslashes, every kind of line
/// break and every character that is not printable are escapes (`\n`, `\r`, `\t`, `\N`, `\L`,
/// `\P`, `\xXX`, `\uXXXX`).
pub fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if plain_char(c) => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Whether `text` may be written as a plain scalar and read back as the same text by
/// serde_yaml: a name that starts with a letter (`in_progress`) and is no keyword (`true`,
/// `null`, …), or an update id made of digits and dashes (`20261126-1405-2`).
fn plain_safe(text: &str) -> bool {
    let name = text.starts_with(|c: char| c.is_ascii_lowercase())
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !matches!(text, "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n");
    let id = text.starts_with(|c: char| c.is_ascii_digit())
        && text.contains('-')
        && !text.ends_with('-')
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    name || id
}

/// Whether `text` is a time, a date or a duration as cairn writes them (`2026-11-20T14:05:00Z`,
/// `2026-10-01`, `90d`), which serde_yaml reads as text when plain.
fn plain_time(text: &str) -> bool {
    let b = text.as_bytes();
    let date = b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-';
    let time = b.len() == 10 || (b.len() >= 20 && b[10] == b'T');
    let span = b.len() >= 2 && b[..b.len() - 1].iter().all(u8::is_ascii_digit) && b"smhdw".contains(&b[b.len() - 1]);
    (date && time && b.iter().all(|c| c.is_ascii_digit() || b"-:T.Z+".contains(c))) || span
}

/// A one-line value: plain when safe and `style` allows, double-quoted otherwise.
pub fn scalar(text: &str, style: Style) -> String {
    if style == Style::Readable && (plain_safe(text) || plain_time(text)) {
        text.to_string()
    } else {
        double_quoted(text)
    }
}

/// A flow list of one-line values: `[a, b]`.
pub fn list(items: &[String], style: Style) -> String {
    format!("[{}]", items.iter().map(|i| scalar(i, style)).collect::<Vec<_>>().join(", "))
}

/// Multi-line text as the value of a key whose own line is indented `key_indent` spaces: either
/// `|` with its indentation and chomping indicators and the text's lines indented two more than
/// the key, joined by `newline`, or one double-quoted line. The returned text starts with what
/// follows `key: ` and ends with `newline`.
pub fn text_value(text: &str, key_indent: usize, newline: &str, style: Style) -> String {
    let block = style == Style::Readable
        && text.chars().all(|c| c == '\n' || c == '\t' || plain_char(c))
        && text.chars().any(|c| !c.is_whitespace());
    if !block {
        return format!("{}{newline}", double_quoted(text));
    }
    let content = text.trim_end_matches('\n');
    let chomping = match text.len() - content.len() {
        0 => "-",
        1 => "",
        _ => "+",
    };
    // The content's indentation is found from its first line that is not empty: a text whose
    // first such line starts with a space or a tab needs it stated.
    let first = text.trim_start_matches('\n');
    let indicator = if first.starts_with([' ', '\t']) { "2" } else { "" };
    let pad = " ".repeat(key_indent + 2);
    let mut out = format!("|{indicator}{chomping}{newline}");
    for line in text.strip_suffix('\n').unwrap_or(text).split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push_str(newline);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text serde_yaml reads from `key: <value>`.
    fn read(value: &str) -> String {
        match serde_yaml::from_str::<serde_yaml::Value>(&format!("key: {value}")).unwrap() {
            serde_yaml::Value::Mapping(m) => m["key"].as_str().unwrap().to_string(),
            other => panic!("{other:?}"),
        }
    }

    const TEXTS: &[&str] = &[
        "Plain text.",
        "  leading spaces\nand more",
        "\tleading tab",
        "\n\nleading blank lines",
        "trailing blank lines\n\n\n",
        "one trailing newline\n",
        "---\n...\n# not a comment\nvisibility: public\n  - at: 2026-01-01T00:00:00Z\n",
        "line\u{2028}visibility: public",
        "para\u{2029}graph",
        "next\u{85}line",
        "bare\rreturn",
        "crlf\r\nline",
        "quote \" and backslash \\ and 'single'",
        "bom \u{feff} and \u{7f} and \u{1b}[31m and \u{0} and \u{9f}",
        "emoji 🦀 and é and 障害",
        "   \n  \n",
        "",
        "a\n   \nb",
        "x: y\n- z\n? w\n: v\n&a *a !t |\n>",
    ];

    #[test]
    fn every_text_reads_back_exactly_in_both_styles() {
        for text in TEXTS {
            for style in [Style::Readable, Style::Quoted] {
                let value = text_value(text, 0, "\n", style);
                assert_eq!(read(&value), *text, "{style:?} {value:?}");
                let crlf = text_value(text, 0, "\r\n", style);
                if !text.contains('\r') {
                    assert_eq!(read(&crlf), *text, "CRLF {style:?} {crlf:?}");
                }
                assert_eq!(read(&scalar(text, style)), *text, "{style:?} scalar");
            }
        }
    }

    #[test]
    fn readable_text_uses_a_block_when_it_is_safe() {
        assert_eq!(text_value("a\n\nb", 4, "\n", Style::Readable), "|-\n      a\n\n      b\n");
        assert_eq!(text_value("a\n", 4, "\n", Style::Readable), "|\n      a\n");
        assert_eq!(text_value(" a\n\n\n", 0, "\r\n", Style::Readable), "|2+\r\n   a\r\n\r\n\r\n");
        assert_eq!(text_value("a\u{2028}b", 4, "\n", Style::Readable), "\"a\\Lb\"\n");
        assert_eq!(scalar("rpc-gateway", Style::Readable), "rpc-gateway");
        assert_eq!(scalar("true", Style::Readable), "\"true\"");
        assert_eq!(scalar("1e5", Style::Readable), "\"1e5\"");
        assert_eq!(scalar("2026-11-20T14:05:00Z", Style::Readable), "2026-11-20T14:05:00Z");
        assert_eq!(scalar("2026-11-20T14:05:00Z", Style::Quoted), "\"2026-11-20T14:05:00Z\"");
        assert_eq!(scalar("2026-10-01", Style::Readable), "2026-10-01");
        assert_eq!(scalar("90d", Style::Readable), "90d");
        assert_eq!(read(&scalar("2026-10-01", Style::Readable)), "2026-10-01");
        assert_eq!(read(&scalar("90d", Style::Readable)), "90d");
    }
}

//! Plain text as Markdown that renders to the same text: what Statuspage and other tools store
//! as plain text must not turn into links, emphasis, headings or raw HTML once it is Markdown.

/// `text` escaped so that CommonMark renders it as the same characters, line breaks kept (each
/// single newline becomes a hard break, a blank line still separates paragraphs).
pub fn escape_plain(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.trim_matches('\n').split('\n').collect();
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in lines.iter().enumerate() {
        let line = line.trim_end();
        out.push_str(&escape_line(line));
        let next_blank = lines.get(i + 1).is_some_and(|l| l.trim().is_empty());
        if i + 1 < lines.len() {
            // A line break inside a paragraph stays a line break.
            if !line.is_empty() && !next_blank {
                out.push('\\');
            }
            out.push('\n');
        }
    }
    out
}

/// One line: the characters Markdown gives a meaning to anywhere are backslash-escaped
/// (CommonMark lets any ASCII punctuation be escaped), and those that only mean something at the
/// start of a line (headings, lists, quotes, setext underlines, block markers) only there.
/// Leading spaces, which would make a code block, go.
fn escape_line(line: &str) -> String {
    let line = line.trim_start();
    let mut out = String::with_capacity(line.len() + 8);
    // A list number at the start: `1.` or `1)`.
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    for (i, c) in line.char_indices() {
        let anywhere = matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '$' | '!');
        let at_start = i == 0 && matches!(c, '#' | '+' | '-' | '=' | ':' | '>');
        let list_number = digits > 0 && i == digits && matches!(c, '.' | ')');
        if anywhere || at_start || list_number {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_plain;

    fn html(md: &str) -> String {
        let mut out = String::new();
        pulldown_cmark::html::push_html(&mut out, pulldown_cmark::Parser::new(md));
        out
    }

    #[test]
    fn plain_text_stays_plain() {
        let text = "# not a heading\n<script>alert(1)</script> [x](javascript:alert(1)) *a* _b_\n\n1. no list\n    - no code\nhttps://example.org/a_b";
        let out = html(&escape_plain(text));
        for absent in ["<h1", "<script", "<a ", "<em", "<ol", "<ul", "<pre", "<code"] {
            assert!(!out.contains(absent), "{absent} in {out}");
        }
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{out}");
        assert!(out.contains("<br />"), "line breaks are kept: {out}");
        assert_eq!(out.matches("<p>").count(), 2, "{out}");
    }
}

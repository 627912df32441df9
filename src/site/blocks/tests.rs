//! Unit tests of audience blocks: where markers are read, how text is cut.

use super::*;

fn audiences() -> Audiences {
    Audiences(vec!["public".into(), "operators".into(), "internal".into()])
}

fn src() -> Source<'static> {
    Source { file: Path::new("x.md"), origin: TextOrigin::Lines { line: 1, column: 0 } }
}

fn problems(text: &str) -> Vec<(&'static str, usize, usize)> {
    scan(text, &audiences(), src()).1.iter().map(|d| (d.code, d.line, d.column)).collect()
}

fn public(text: &str) -> String {
    cut_to(text.to_string(), &audiences(), src(), 0, Timestamp::UNIX_EPOCH).text
}

#[test]
fn drops_hidden_blocks_as_if_never_written_and_remembers_lines() {
    let body = "a\n\n:::internal\nsecret\n:::\n\nb\n```\n:::internal\n```\n";
    assert!(problems(body).is_empty());
    let cut = cut_to(body.to_string(), &audiences(), src(), 0, Timestamp::UNIX_EPOCH);
    assert_eq!(cut.as_str(), "a\n\nb\n```\n:::internal\n```\n", "as if block and one blank line were never written");
    assert_eq!(cut.written_line(2), 6, "`b` is line 7 of the text as written");
    let all = cut_to(body.to_string(), &audiences(), src(), 2, Timestamp::UNIX_EPOCH);
    assert_eq!(all.as_str(), "a\n\nsecret\n\nb\n```\n:::internal\n```\n");
    assert_eq!(all.written_line(2), 3);
}

#[test]
fn embargo_holds_back_only_the_public() {
    let body = ":::public embargo_until=2027-01-01T00:00:00Z\nnews\n:::\n";
    let (found, problems) = scan(body, &audiences(), src());
    assert!(problems.is_empty());
    let before = parse_time("2026-12-01T00:00:00Z").unwrap();
    let after = parse_time("2027-02-01T00:00:00Z").unwrap();
    assert!(!cut(body.to_string(), &found, 0, 2, before).as_str().contains("news"));
    assert!(cut(body.to_string(), &found, 1, 2, before).as_str().contains("news"));
    assert!(cut(body.to_string(), &found, 0, 2, after).as_str().contains("news"));
}

#[test]
fn what_reads_as_a_marker_is_a_marker_or_an_error() {
    let misplaced = |text: &str| problems(text).iter().filter(|p| p.0 == "misplaced-block").count();
    // Lines joined by a folded YAML scalar (`body: >`) put the markers mid-line.
    assert_eq!(misplaced("Falling. :::internal secret ::: More."), 1);
    // Invisible characters before a marker, and colons of other scripts.
    assert_eq!(misplaced("a\n\n\u{200E}:::internal\nsecret\n\u{200E}:::\n"), 2);
    assert_eq!(misplaced("a\n\n\u{A789}\u{A789}\u{A789}internal\nsecret\n:::\n"), 1);
    // A fence never closed swallows the block below it.
    assert_eq!(misplaced("````sh\nx\n```\n\n:::internal\nsecret\n:::\n"), 2);
    // Code, escapes and addresses are text as written.
    assert!(problems("`:::internal` and `a:::b`, \\:::x, <https://a.example/:::b>\n").is_empty());
    assert!(problems("```\n:::internal\n```\n\n    :::internal\n").is_empty());
    assert_eq!(public("````sh\nx\n```\n\n:::internal\nsecret\n:::\n"), "````sh\nx\n```\n", "hidden from the marker on");
}

#[test]
fn reports_unclosed_and_unknown_fences() {
    assert_eq!(problems("x\n\n:::secret\ny\n"), vec![("unknown-audience", 3, 4), ("unclosed-block", 3, 1)]);
}

#[test]
fn the_parser_decides_what_is_code() {
    // Four spaces make an indented code line, not a fence: the block after it is real.
    assert_eq!(
        public("    ```\n\n:::internal\nsecret\n:::\n"),
        "    ```\n",
        "the block at the end takes the blank line before it"
    );
    // A block between two blank lines takes one of them along.
    assert_eq!(
        public("- item\n\n  ```\n  code\n\n:::internal\nx\n:::\n\nAfter.\n"),
        "- item\n\n  ```\n  code\n\nAfter.\n"
    );
    assert_eq!(public(":::internal\nx\n:::\n\nAfter.\n"), "After.\n");
    // Backticks in a backtick fence's info string make it inline code, not a fence.
    assert_eq!(public("```exnd status``` prints it\n\n:::internal\nsecret\n:::\n").matches("secret").count(), 0);
    // An unclosed fence in a list item ends with the item.
    assert_eq!(public("- item\n  ```\n\n:::internal\nsecret\n:::\n").matches("secret").count(), 0);
    // A non-breaking space is text to the parser, so no fence opens there.
    assert_eq!(public("\u{a0}```\n\n:::internal\nsecret\n:::\n").matches("secret").count(), 0);
    // A real fence keeps what it holds as code.
    assert!(problems("```\n:::internal\n```\n").is_empty());
    assert!(problems("~~~md\n> :::internal\n~~~\n").is_empty());
}

#[test]
fn markers_where_they_cannot_be_cut_are_errors() {
    for (text, line) in [
        ("> :::internal\n> secret\n> :::\n", 1),
        ("- item\n\n  :::internal\n  secret\n  :::\n", 3),
        ("- item\n:::internal\nsecret\n:::\n", 2),
        ("| a |\n|---|\n| :::internal |\n", 3),
        (":::internal\n---\n", 1),
        ("<div>\n:::internal\nsecret\n:::\n</div>\n", 2),
        ("text\u{2028}:::internal\u{2028}secret\u{2028}:::\n", 1),
        ("\u{a0}:::internal\nsecret\n:::\n", 1),
        ("`code\n:::internal\nsecret\n:::\n`\n", 2),
    ] {
        let found = problems(text);
        assert!(found.iter().any(|(code, l, _)| *code == "misplaced-block" && *l == line), "{text:?}: {found:?}");
        assert!(!public(text).contains("secret"), "{text:?} published its block");
    }
}

#[test]
fn escaped_markers_and_inline_colons_are_text() {
    assert!(problems("\\:::internal is how you write it\n\nTime 12:00:: and ::1 ok\n").is_empty());
    // Three colons in the middle of prose read as a marker joined to the line before.
    assert_eq!(problems("Time 12:00 ok :::\n"), vec![("misplaced-block", 1, 15)]);
    assert!(problems("Use `:::internal` to fence.\n").is_empty());
}

#[test]
fn crlf_and_lone_cr_end_lines() {
    assert_eq!(public("a\r\n\r\n:::internal\r\nsecret\r\n:::\r\n\r\nb\r\n"), "a\r\n\r\nb\r\n");
    assert_eq!(public("a\r\r:::internal\rsecret\r:::\rb"), "a\r\rb");
}

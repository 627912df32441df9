//! Edits read back exactly: hostile messages and titles, CR LF files, and the rest of the file
//! byte for byte.

use super::*;

const DOC: &str = "---\n# who to call: sre\ntitle: \"X\"  # keep\nstarted_at: 2026-11-26T08:00:00Z\nupdates:\n  - at: 2026-11-26T08:10:00Z\n    status: investigating\n    body: |\n      First.\n\n      Second paragraph.\n\n# trailing note\nruntime: x\n---\nBody *kept*.\n";

const MESSAGES: &[&str] = &[
    "Found it.",
    "  leading spaces",
    "trailing blank lines\n\n\n",
    "---\nvisibility: public\n  - at: 2026-01-01T00:00:00Z\n    status: resolved\n# comment",
    "line\u{2028}visibility: public",
    "para\u{2029}visibility: public",
    "nel\u{85}visibility: public",
    "bare\rvisibility: public",
    "\ttab first\n\ttab second",
    "quote \" backslash \\ emoji 🦀",
    "",
];

/// The updates of the front matter of `text`.
fn updates(text: &str) -> Vec<Value> {
    let (m, _) = read_front_matter(text).unwrap();
    m.get("updates").and_then(Value::as_sequence).cloned().unwrap_or_default()
}

/// `edited` is `original` with one run of lines inserted, and nothing else changed.
fn only_inserted(original: &str, edited: &str) -> bool {
    let common = original.bytes().zip(edited.bytes()).take_while(|(a, b)| a == b).count();
    let start = original[..common].rfind('\n').map_or(0, |i| i + 1);
    let tail = &original[start..];
    edited.len() > original.len() && edited.starts_with(&original[..start]) && edited.ends_with(tail)
}

#[test]
fn appending_keeps_everything_else() {
    let u =
        NewUpdate { id: None, at: "2026-11-26T09:00:00Z", status: "identified", visibility: None, body: "Found it.\n" };
    let out = append_update(DOC, &u, &[]).unwrap();
    let expected = DOC.replace(
        "      Second paragraph.\n",
        "      Second paragraph.\n  - at: 2026-11-26T09:00:00Z\n    status: identified\n    body: |\n      Found it.\n",
    );
    assert_eq!(out, expected);
}

#[test]
fn every_message_reads_back_exactly_and_nothing_else_changes() {
    for crlf in [false, true] {
        let original = if crlf { DOC.replace('\n', "\r\n") } else { DOC.to_string() };
        for message in MESSAGES {
            for visibility in [None, Some("internal")] {
                let u =
                    NewUpdate { id: None, at: "2026-11-26T09:00:00Z", status: "identified", visibility, body: message };
                let out = append_update(&original, &u, &[]).unwrap_or_else(|e| panic!("{message:?}: {e}"));
                let found = updates(&out);
                assert_eq!(found[..found.len() - 1], updates(&original)[..], "{message:?}");
                assert_eq!(found.last(), Some(&u.expected()), "{message:?}: {out}");
                assert!(only_inserted(&original, &out), "{message:?}: {out:?}");
                if crlf {
                    assert!(!out.replace("\r\n", "").contains('\n'), "CR LF kept: {out:?}");
                }
            }
        }
    }
}

#[test]
fn resolving_sets_resolved_at_and_a_missing_list_is_created() {
    let doc = "---\ntitle: X\nstarted_at: 2026-11-26T08:00:00Z\nimpact: minor\n---\nBody.\n";
    let u = NewUpdate { id: None, at: "2026-11-26T10:00:00Z", status: "resolved", visibility: None, body: "Done." };
    let out =
        append_update(doc, &u, &[SetKey { key: "resolved_at", value: "2026-11-26T10:00:00Z", after: &["started_at"] }])
            .unwrap();
    assert_eq!(
        out,
        "---\ntitle: X\nstarted_at: 2026-11-26T08:00:00Z\nresolved_at: 2026-11-26T10:00:00Z\nimpact: minor\nupdates:\n  - at: 2026-11-26T10:00:00Z\n    status: resolved\n    body: |-\n      Done.\n---\nBody.\n"
    );
}

#[test]
fn a_block_that_would_swallow_what_follows_falls_back_to_quotes() {
    // A kept trailing blank line would take in the blank line already after the list.
    let u = NewUpdate { id: None, at: "2026-11-26T09:00:00Z", status: "identified", visibility: None, body: "x\n\n" };
    let out = append_update(DOC, &u, &[]).unwrap();
    assert!(out.contains("    body: \"x\\n\\n\"\n"), "{out}");
    assert_eq!(updates(&out).last(), Some(&u.expected()));
}

#[test]
fn an_update_after_one_that_keeps_its_trailing_lines_keeps_them() {
    let first =
        NewUpdate { id: None, at: "2026-11-26T09:00:00Z", status: "identified", visibility: None, body: "kept\n\n\n" };
    let second =
        NewUpdate { id: None, at: "2026-11-26T09:05:00Z", status: "identified", visibility: None, body: "next" };
    let once = append_update(DOC, &first, &[]).unwrap();
    let twice = append_update(&once, &second, &[]).unwrap();
    let found = updates(&twice);
    assert_eq!(found[found.len() - 2..], [first.expected(), second.expected()]);
    assert!(only_inserted(&once, &twice));
}

#[test]
fn what_cannot_be_appended_is_refused() {
    let u = NewUpdate { id: None, at: "2026-11-26T09:00:00Z", status: "identified", visibility: None, body: "x" };
    assert!(append_update("---\ntitle: X\nupdates: []\n---\n", &u, &[]).unwrap_err().contains("flow style"));
    assert!(append_update("---\ntitle: X\nupdates: 3\n---\n", &u, &[]).is_err());
    assert!(append_update("---\na: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n---\n", &u, &[]).is_err());
    assert!(append_update("no front matter", &u, &[]).is_err());
}

#[test]
fn new_documents_read_back_exactly() {
    for title in MESSAGES {
        let components = vec!["rpc-gateway".to_string(), "x], visibility: public, y: [z".to_string()];
        let first =
            NewUpdate { id: None, at: "2026-11-26T09:00:00Z", status: "investigating", visibility: None, body: title };
        let fields = [
            ("title", Field::Text(title)),
            ("components", Field::List(&components)),
            ("started_at", Field::Text("2026-11-26T09:00:00Z")),
            ("updates", Field::Updates(std::slice::from_ref(&first))),
        ];
        let text = new_document(&fields, "## Summary\n\n").unwrap();
        let (m, body) = read_front_matter(&text).unwrap();
        assert_eq!(body, "## Summary\n\n");
        assert_eq!(m.len(), 4, "{text}");
        assert_eq!(m.get("title").and_then(Value::as_str), Some(*title));
        assert!(m.get("visibility").is_none());
        assert_eq!(m.get("updates"), Some(&Value::Sequence(vec![first.expected()])));
    }
}

#[test]
fn an_explicit_id_reads_back() {
    let u = NewUpdate {
        id: Some("20261126-0900-2"),
        at: "2026-11-26T09:00:00Z",
        status: "identified",
        visibility: None,
        body: "Again.",
    };
    let out = append_update(DOC, &u, &[]).unwrap();
    assert_eq!(updates(&out).last(), Some(&u.expected()));
    assert!(out.contains("  - at: 2026-11-26T09:00:00Z\n    id: 20261126-0900-2\n    status: identified\n"), "{out}");
}

#[test]
fn a_window_status_is_replaced_in_place() {
    let doc = "---\ntitle: W\nstatus: scheduled  # by hand\nupdates:\n  - at: 2026-11-26T08:00:00Z\n    status: scheduled\n    body: Planned.\n---\n";
    let u =
        NewUpdate { id: None, at: "2026-11-26T09:00:00Z", status: "in_progress", visibility: None, body: "Started." };
    let out = append_update(doc, &u, &[SetKey { key: "status", value: "in_progress", after: &[] }]).unwrap();
    assert!(out.starts_with("---\ntitle: W\nstatus: in_progress  # by hand\nupdates:\n"), "{out}");
    assert!(out.ends_with("    status: in_progress\n    body: |-\n      Started.\n---\n"), "{out}");
}

#[test]
fn visibility_is_widened_for_the_document_or_one_update() {
    let doc = "---\ntitle: X\nimpact: minor\nvisibility: internal # for now\nupdates:\n  - at: 2026-11-26T08:10:00Z\n    status: investigating\n    body: One.\n  - at: 2026-11-26T08:20:00Z\n    status: identified\n    visibility: internal\n    body: Two.\n---\nBody\n";
    let widened = set_visibility(doc, None, "public", &["impact"]).unwrap();
    assert_eq!(widened, doc.replace("visibility: internal # for now", "visibility: public # for now"));
    let second = set_visibility(doc, Some(1), "operators", &[]).unwrap();
    assert_eq!(second, doc.replace("    visibility: internal\n", "    visibility: operators\n"));
    let first = set_visibility(doc, Some(0), "public", &[]).unwrap();
    assert_eq!(
        first,
        doc.replace("    status: investigating\n", "    status: investigating\n    visibility: public\n")
    );
    let bare = "---\ntitle: X\nimpact: minor\nupdates:\n- at: 2026-11-26T08:10:00Z\n  status: investigating\n  body: One.\n---\n";
    assert_eq!(
        set_visibility(bare, None, "public", &["impact"]).unwrap(),
        bare.replace("impact: minor\n", "impact: minor\nvisibility: public\n")
    );
    assert_eq!(
        set_visibility(bare, Some(0), "public", &[]).unwrap(),
        bare.replace("  status: investigating\n", "  status: investigating\n  visibility: public\n")
    );
    let flow = "---\ntitle: X\nupdates:\n  - {at: 2026-11-26T08:10:00Z, status: investigating, body: One.}\n---\n";
    assert!(set_visibility(flow, Some(0), "public", &[]).is_err(), "a flow mapping cannot take a new line");
    assert!(set_visibility(doc, Some(5), "public", &[]).is_err());
}

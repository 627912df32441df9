//! The trust promise, one broken input at a time: each test writes a small repo that once made a
//! public build publish what it must not (or run, write or print what it must not), builds it for
//! real and reads the output back. The property test in `promise.rs` generates such inputs; these
//! are the cases found by hand, kept as regressions.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

/// A scaffolded knowledge base (public, operators and internal audiences) in a temp dir.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    cairn::cli::scaffold(dir.path()).unwrap();
    dir
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn cairn(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .arg("--root")
        .arg(root)
        .args(["--now", "2026-11-26T12:00:00Z"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Builds `root` for `audience` into a temp dir; every file's text, by path.
fn built(root: &Path, audience: Option<&str>) -> (tempfile::TempDir, Vec<(String, String)>) {
    let out = tempfile::tempdir().unwrap();
    build_into(root, audience, &out.path().join("site"), now());
    let files = tree(&out.path().join("site"))
        .into_iter()
        .map(|(p, b)| (p, String::from_utf8_lossy(&b).into_owned()))
        .collect();
    (out, files)
}

fn files_with<'a>(files: &'a [(String, String)], needle: &str) -> Vec<&'a str> {
    files.iter().filter(|(_, text)| text.contains(needle)).map(|(p, _)| p.as_str()).collect()
}

/// The number of documents of `audience`'s tantivy index under `root` that match `word`.
fn indexed(root: &Path, audience: &str, word: &str) -> usize {
    let index = cairn::search::SearchIndex::open(&cairn::search::index_dir(root, audience)).unwrap();
    let q = cairn::search::SearchQuery { text: word.into(), limit: 100, ..Default::default() };
    index.search(&q).unwrap().total
}

const INCIDENT_HEAD: &str = "---\ntitle: Slow blocks\nseverity: sev3\nimpact: minor\ncomponents: [consensus]\nvisibility: public\nstarted_at: 2026-11-20T10:00:00Z\n";

#[test]
fn blocks_are_cut_where_the_markdown_parser_reads_them_in_bodies_and_updates() {
    let kb = repo();
    let body = "Intro.\n\n    ```\n\n:::internal\nzqindentfence1\n:::\n\n```exnd status``` prints it\n\n:::internal\nzqinfostring2\n:::\n\n- item\n  ```\n\n:::internal\nzqlistfence3\n:::\n\n\u{a0}```\n\n:::operators\nzqnbspfence4\n:::\n";
    let updates = "updates:\n  - at: 2026-11-20T10:05:00Z\n    status: investigating\n    body: |\n      Looking into it.\n\n      :::internal\n      zqupdatebody5\n      :::\n";
    write(kb.path(), "content/incidents/2026-11-20-slow.md", &format!("{INCIDENT_HEAD}{updates}---\n{body}"));
    let canaries = ["zqindentfence1", "zqinfostring2", "zqlistfence3", "zqnbspfence4", "zqupdatebody5"];
    let (_public, files) = built(kb.path(), None);
    for c in canaries {
        assert!(files_with(&files, c).is_empty(), "{c} published in {:?}", files_with(&files, c));
        assert_eq!(indexed(kb.path(), "public", c), 0, "{c} in the public search index");
    }
    let (_internal, files) = built(kb.path(), Some("internal"));
    for c in canaries {
        assert!(!files_with(&files, c).is_empty(), "{c} missing from the internal build");
        assert!(indexed(kb.path(), "internal", c) > 0, "{c} missing from the internal search index");
    }
    // The block in the update body is gone from every public output that shows updates.
    let (_public, files) = built(kb.path(), None);
    for path in ["index.html", "api/v2/incidents.json", "feeds/incidents.atom", "incidents/2026-11-20-slow/index.html"]
    {
        let text = &files.iter().find(|(p, _)| p == path).unwrap().1;
        assert!(text.contains("Looking into it."), "{path} lacks the public part of the update");
    }
}

#[test]
fn a_public_runbook_names_no_hidden_component_anywhere() {
    let kb = repo();
    let components = std::fs::read_to_string(kb.path().join("content/components.yaml")).unwrap()
        + "  - id: zqsecretsigner\n    name: Zq secret signer\n    group: chain\n    visibility: internal\n";
    write(kb.path(), "content/components.yaml", &components);
    write(
        kb.path(),
        "content/runbooks/public-rb.md",
        "---\ntitle: Public runbook\ncomponents: [consensus, zqsecretsigner]\nvisibility: public\n---\nSteps.\n",
    );
    let (_dir, files) = built(kb.path(), None);
    assert!(files_with(&files, "zqsecretsigner").is_empty(), "{:?}", files_with(&files, "zqsecretsigner"));
    assert!(files_with(&files, "Zq secret signer").is_empty());
    let filters = &files.iter().find(|(p, _)| p == "search/filters.json").unwrap().1;
    assert!(filters.contains("consensus"), "the visible component is still a facet: {filters}");
    let (_dir, files) = built(kb.path(), Some("internal"));
    assert!(!files_with(&files, "zqsecretsigner").is_empty(), "the internal build names it");
}

/// The ids of the updates in the public API's incident list.
fn api_update_ids(files: &[(String, String)]) -> Vec<String> {
    let json: serde_json::Value =
        serde_json::from_str(&files.iter().find(|(p, _)| p == "api/v2/incidents.json").unwrap().1).unwrap();
    json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["incident_updates"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn update_ids_give_away_no_hidden_update() {
    let with_hidden = "updates:\n  - at: 2026-11-20T10:05:00Z\n    status: investigating\n    body: First.\n  - at: 2026-11-20T10:20:00Z\n    status: identified\n    visibility: internal\n    body: Hidden.\n  - at: 2026-11-20T10:40:00Z\n    status: monitoring\n    body: Third.\n  - at: 2026-11-20T10:50:00Z\n    status: monitoring\n    id: late-note\n    body: Fourth.\n---\nBody.\n";
    let without = with_hidden.replace(
        "  - at: 2026-11-20T10:20:00Z\n    status: identified\n    visibility: internal\n    body: Hidden.\n",
        "",
    );
    let (a, b) = (repo(), repo());
    write(a.path(), "content/incidents/2026-11-20-slow.md", &format!("{INCIDENT_HEAD}{with_hidden}"));
    write(b.path(), "content/incidents/2026-11-20-slow.md", &format!("{INCIDENT_HEAD}{without}"));
    let (_da, fa) = built(a.path(), None);
    let (_db, fb) = built(b.path(), None);
    let ids = api_update_ids(&fa);
    assert!(ids.contains(&"2026-11-20-slow-20261120-1040".to_string()), "{ids:?}");
    assert!(ids.contains(&"2026-11-20-slow-late-note".to_string()), "{ids:?}");
    assert_eq!(ids, api_update_ids(&fb));
    for path in
        ["api/v2/incidents.json", "feeds/incidents.atom", "feeds/incidents.rss", "incidents/2026-11-20-slow/index.html"]
    {
        let text = |f: &[(String, String)]| f.iter().find(|(p, _)| p == path).unwrap().1.clone();
        assert_eq!(text(&fa), text(&fb), "{path} depends on the hidden update");
    }
    // The same update has the same id and anchor in the internal build.
    let (_di, fi) = built(a.path(), Some("internal"));
    let page = &fi.iter().find(|(p, _)| p == "incidents/2026-11-20-slow/index.html").unwrap().1;
    assert!(page.contains("id=\"update-20261120-1040\"") && page.contains("id=\"update-20261120-1020\""));
}

#[test]
fn links_that_could_run_render_as_text_and_check_warns() {
    let kb = repo();
    let page = "---\ntitle: Links\nvisibility: public\n---\n[a](javascript:alert(1)) [b](JaVaScRiPt:alert(2)) [c](&#106;avascript:alert(3)) <javascript:alert(4)> [d][r] [e](vbscript:msgbox) [f](data:text/html,<script>alert(5)</script>) ![g](javascript:alert(6)) [ok](https://example.org) [doc](@/subscribe.md)\n\n[r]: javascript:alert(7)\n";
    write(kb.path(), "content/links.md", page);
    let (dir, _files) = built(kb.path(), None);
    let html =
        scraper::Html::parse_document(&std::fs::read_to_string(dir.path().join("site/links/index.html")).unwrap());
    let hrefs = attrs(&html, ".prose a[href]", "href");
    assert_eq!(hrefs, vec!["https://example.org".to_string(), "../subscribe/".to_string()]);
    assert!(attrs(&html, ".prose img", "src").is_empty());
    let out = cairn(kb.path(), &["check", "--format", "json"]);
    let diagnostics: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let unsafe_links = diagnostics.iter().filter(|d| d["code"] == "unsafe-link").count();
    assert_eq!(unsafe_links, 8, "{diagnostics:#?}");
}

#[test]
fn every_page_carries_a_content_security_policy_without_inline_script() {
    let (_dir, files) = built(example_repo(), Some("internal"));
    let mut pages = 0;
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        pages += 1;
        let html = scraper::Html::parse_document(text);
        let csp = attrs(&html, "meta[http-equiv=Content-Security-Policy]", "content");
        assert_eq!(csp.len(), 1, "{path}");
        let scripts_limited = csp[0].contains("script-src 'self'")
            || (csp[0].contains("default-src 'none'") && !csp[0].contains("script-src"));
        assert!(!csp[0].contains("unsafe-inline") && scripts_limited, "{path}: {}", csp[0]);
        assert!(attrs(&html, "script:not([src])", "type").is_empty() && !text.contains("<script>"), "{path}");
        assert!(!text.contains("<style"), "{path} has inline style");
    }
    assert!(pages > 50, "{pages} pages");
}

#[test]
fn calendar_text_cannot_start_a_line_of_its_own() {
    let kb = repo();
    let window = "---\ntitle: \"Upgrade\\rBEGIN:VEVENT\\r\\nSUMMARY:forged\\u2028END:VCALENDAR\"\ncomponents: [consensus]\nvisibility: public\nscheduled_for: 2026-12-01T10:00:00Z\nscheduled_until: 2026-12-01T11:00:00Z\nstatus: scheduled\n---\nBody.\n";
    write(kb.path(), "content/maintenance/2026-12-01-upgrade.md", window);
    let (dir, _) = built(kb.path(), None);
    let ics = std::fs::read_to_string(dir.path().join("site/calendar/maintenance.ics")).unwrap();
    let unfolded = ics.replace("\r\n ", "");
    let lines: Vec<&str> = unfolded.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines.iter().all(|l| !l.contains('\r') && !l.contains('\n')), "{ics:?}");
    let events = lines.iter().filter(|l| **l == "BEGIN:VEVENT").count();
    assert_eq!(events, 2, "one event per window (the scaffold has one): {ics}");
    assert_eq!(lines.iter().filter(|l| l.starts_with("SUMMARY:")).count(), 2);
    assert_eq!(lines.iter().filter(|l| **l == "END:VCALENDAR").count(), 1);
    let calendar: icalendar::Calendar = ics.parse().unwrap();
    assert_eq!(calendar.components.len(), 2);
}

#[test]
fn terminal_output_carries_no_escape_sequence() {
    let kb = repo();
    write(
        kb.path(),
        "content/incidents/2026-11-20-slow.md",
        &format!(
            "{}\"zq\\e[31mkey\": 1\nupdates:\n  - at: 2026-11-20T10:05:00Z\n    status: investigating\n    body: \"Bell\\a and \\e]0;title\\a\"\n---\nBody.\n",
            INCIDENT_HEAD.replace("title: Slow blocks", "title: \"Slow \\e[2J blocks\"")
        ),
    );
    let check = cairn(kb.path(), &["check"]);
    assert!(
        !check.stdout.contains(&0x1b) && !check.stderr.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("unknown-key"));
    let github = cairn(kb.path(), &["check", "--format", "github"]);
    assert!(!github.stdout.contains(&0x1b) && !github.stdout.contains(&0x07));
    // Without the broken key it builds; search prints the title and the update without escapes.
    write(
        kb.path(),
        "content/incidents/2026-11-20-slow.md",
        &format!(
            "{}updates:\n  - at: 2026-11-20T10:05:00Z\n    status: investigating\n    body: \"Bell\\a and \\e]0;title\\a zqbell\"\n---\nBody.\n",
            INCIDENT_HEAD.replace("title: Slow blocks", "title: \"Slow \\e[2J blocks\"")
        ),
    );
    assert!(cairn(kb.path(), &["build", "--quiet"]).status.success());
    let search = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["search", "zqbell", "--audience", "public", "--root"])
        .arg(kb.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&search.stdout);
    assert!(text.contains("Slow") && text.contains("zqbell"), "{text}");
    assert!(!search.stdout.contains(&0x1b) && !search.stdout.contains(&0x07), "{text:?}");
}

#[test]
fn any_script_makes_a_page_url_and_an_empty_one_is_an_error() {
    let kb = repo();
    write(kb.path(), "content/日本/概要.md", "---\ntitle: 概要\nvisibility: public\n---\nこんにちは\n");
    let (dir, _) = built(kb.path(), None);
    assert!(dir.path().join("site/ri-ben/gai-yao/index.html").is_file());
    write(kb.path(), "content/---/page.md", "---\ntitle: Dashes\nvisibility: public\n---\nx\n");
    let out = cairn(kb.path(), &["check", "--format", "json"]);
    let diagnostics: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        diagnostics.iter().any(|d| d["code"] == "bad-path" && d["file"] == "content/---/page.md"),
        "{diagnostics:#?}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn builds_at_the_edges_of_the_calendar_do_not_panic() {
    let kb = repo();
    write(
        kb.path(),
        "content/incidents/9999-12-31-late.md",
        "---\ntitle: Late\nseverity: sev4\nimpact: critical\ncomponents: [consensus]\nvisibility: public\nstarted_at: 9999-12-31T23:00:00Z\nupdates:\n  - at: 9999-12-31T23:59:59Z\n    status: investigating\n    body: Late.\n---\nx\n",
    );
    for now in
        ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59+23:59", "0000-01-01T00:00:00-23:59"]
    {
        for audience in ["public", "internal"] {
            let out = tempfile::tempdir().unwrap();
            let status = Command::new(env!("CARGO_BIN_EXE_cairn"))
                .args(["build", "--quiet", "--audience", audience, "--now", now, "--root"])
                .arg(kb.path())
                .arg("--output")
                .arg(out.path().join("site"))
                .status()
                .unwrap();
            assert!(status.success(), "{audience} at {now}");
        }
    }
    // A time that is in range as written but not once in UTC is refused as a time, not a panic.
    let refused =
        Command::new(env!("CARGO_BIN_EXE_cairn")).args(["check", "--now", "9999-12-31T23:59:59-23:59"]).output();
    assert_eq!(refused.unwrap().status.code(), Some(2));
    for epoch in ["253402300799", "-62167219200", "253402300800", "-99999999999999", "1e9"] {
        let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
            .args(["check", "--root"])
            .arg(kb.path())
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0..=2)), "SOURCE_DATE_EPOCH={epoch}: {out:?}");
    }
}

#[test]
fn the_base_url_must_be_a_web_address() {
    let kb = repo();
    let out = cairn(kb.path(), &["build", "--base-url", "javascript:alert(1)//"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let config = std::fs::read_to_string(kb.path().join("cairn.yaml")).unwrap();
    write(kb.path(), "cairn.yaml", &config.replace("https://status.example.org", "\"javascript:alert(1)\""));
    let out = cairn(kb.path(), &["check", "--format", "json"]);
    let diagnostics: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(diagnostics.iter().any(|d| d["code"] == "bad-url" && d["file"] == "cairn.yaml"), "{diagnostics:#?}");
}

#[test]
fn a_build_log_warns_only_about_what_its_audience_sees() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        "content/runbooks/vault-rotation.md",
        "---\ntitle: Vault rotation\nvisibility: internal\nowners: [security]\nreview_every: 30d\nlast_reviewed: 2026-01-01\n---\n## Steps\n\nRotate zqvaultsecret.\n",
    );
    let log = |audience: &str| {
        let out = cairn(root, &["build", "--audience", audience, "--output", &root.join(audience).to_string_lossy()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    };
    let public = log("public");
    assert!(!public.contains("vault-rotation"), "the public build's log names an internal runbook:\n{public}");
    assert!(log("internal").contains("vault-rotation.md"), "the internal build warns about its overdue review");
    let check = cairn(root, &["check"]);
    assert!(String::from_utf8_lossy(&check.stdout).contains("vault-rotation.md"), "check warns about everything");
}

#[test]
fn an_alias_cannot_take_the_place_of_a_generated_file_nor_a_hidden_folder() {
    let dir = repo();
    let root = dir.path();
    write(root, "content/about.md", "---\ntitle: About\naliases: [\"/build.json\"]\n---\nHello.\n");
    let out = cairn(root, &["build", "--output", &root.join("site").to_string_lossy()]);
    let text = String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success() && text.contains("path-conflict") && text.contains("build.json"), "{text}");
    write(root, "content/about.md", "---\ntitle: About\naliases: [\"/.cairn/x\"]\n---\nHello.\n");
    let out = cairn(root, &["build", "--output", &root.join("site").to_string_lossy()]);
    assert!(!out.status.success(), "an alias into a hidden folder is refused");
    assert!(!root.join("site/.cairn").exists());
}

#[test]
fn the_publish_preview_lists_all_an_update_will_show() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        "content/incidents/2026-11-20-slow.md",
        &format!(
            "{INCIDENT_HEAD}updates:\n  - at: 2026-11-20T10:05:00Z\n    status: investigating\n    visibility: internal\n    channel: Discord\n    author: zqauthor\n    progress: {{ label: zqprogress, percent: 40 }}\n    references:\n      - {{ kind: bounty, credit: zqcredit, amount: \"5\" }}\n    body: Looking.\n---\nBody.\n"
        ),
    );
    let out = cairn(root, &["publish", "2026-11-20-slow", "--update", "20261120-1005", "--to", "public"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    for shown in ["zqauthor", "zqprogress", "zqcredit"] {
        assert!(text.contains(shown), "the preview does not say `{shown}` becomes public:\n{text}");
    }
}

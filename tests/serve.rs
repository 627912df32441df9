//! `cairn serve` as a user runs it: the real binary on a free port of the loopback, pages
//! fetched over HTTP, the reload channel read as a browser reads it, files edited on disk.
//! An edit is seen after its reload event; a broken edit shows the overlay over the last good
//! site until the fix; traversal never reaches a file outside the served folder; `/api/search`
//! answers what `cairn search --json` prints.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-26T12:00:00Z";
const INCIDENT: &str = "content/incidents/2026-06-09-explorer-indexer-lag.md";
const INJECTED: &str =
    "<link rel=\"stylesheet\" href=\"/__cairn/live.css\"><script src=\"/__cairn/live.js\" defer></script>";
/// How long a rebuild may take on a loaded test machine.
const PATIENCE: Duration = Duration::from_secs(120);

/// A running `cairn serve`, stopped when dropped.
struct Serving {
    child: Child,
    addr: String,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(root: &Path, extra: &[&str]) -> Serving {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["serve", "--port", "0", "--now", NOW, "--root"])
        .arg(root)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("Serving at ").unwrap_or_else(|| panic!("no address printed: {line:?}"));
    let addr = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    Serving { child, addr }
}

/// A response: status, headers (names lower-cased) and body.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `head` (request line and headers, without the final blank line) as written, byte for
/// byte: HTTP clients clean up paths, and traversal attempts must reach the server unchanged.
fn raw(addr: &str, head: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.write_all(format!("{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = bytes[split + 4..].to_vec();
    if headers.iter().any(|(n, v)| n == "transfer-encoding" && v == "chunked") {
        body = dechunk(&body);
    }
    Reply { status, headers, body }
}

fn dechunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = bytes.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&bytes[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&bytes[end + 2..end + 2 + size]);
        bytes = &bytes[end + 4 + size..];
    }
}

fn get(addr: &str, path: &str) -> Reply {
    raw(addr, &format!("GET {path} HTTP/1.1"))
}

/// The events of the reload channel, as (name, data), read on a thread of their own.
fn events(addr: &str) -> Receiver<(String, String)> {
    events_of(addr, "")
}

/// [`events`], opened as the reload script of the page at `page` opens it.
fn events_of(addr: &str, page: &str) -> Receiver<(String, String)> {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!("GET /__cairn/events?page={page} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut name = String::new();
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            if let Some(n) = line.strip_prefix("event: ") {
                name = n.to_string();
            } else if let Some(data) = line.strip_prefix("data: ")
                && tx.send((name.clone(), data.to_string())).is_err()
            {
                return;
            }
        }
    });
    rx
}

/// Waits for the event `name`, skipping others.
#[track_caller]
fn wait_for(events: &Receiver<(String, String)>, name: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok((n, data)) if n == name => return data,
            Ok(_) => {}
            Err(e) => panic!("no `{name}` event: {e}"),
        }
    }
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} holds `{from}`");
    // As editors save: a new file renamed over the old one.
    let aside = path.with_file_name(".edit.tmp");
    std::fs::write(&aside, text.replacen(from, to, 1)).unwrap();
    std::fs::rename(aside, path).unwrap();
}

#[test]
fn an_edit_reloads_a_broken_edit_shows_its_problems_until_the_fix() {
    let repo = example_copy();
    let root = repo.path();
    let server = serve(root, &[]);
    let page = "/incidents/2026-06-09-explorer-indexer-lag/";
    let first = get(&server.addr, page);
    assert_eq!(first.status, 200);
    assert!(first.text().contains("Block explorer showed stale data for two hours"));
    assert!(first.text().contains(INJECTED), "pages get the reload script");
    let events = events(&server.addr);
    wait_for(&events, "hello");

    edit(root, INCIDENT, "stale data for two hours", "stale data for 121 minutes");
    wait_for(&events, "reload");
    let after = get(&server.addr, page).text();
    assert!(after.contains("stale data for 121 minutes"), "the edit is served after the reload event");
    assert!(
        get(&server.addr, "/incidents/page/2/").text().contains("stale data for 121 minutes"),
        "and the history too"
    );

    // A key cairn does not know, named in the message: the build fails, the last good page
    // stays, with the overlay, and what the user wrote is shown as text.
    let key = "\"<img src=x onerror=alert(1)>\": yes\nseverity: sev4";
    edit(root, INCIDENT, "severity: sev4", key);
    let problems: serde_json::Value = serde_json::from_str(&wait_for(&events, "problems")).unwrap();
    let error = problems.as_array().unwrap().iter().find(|p| p["severity"] == "error").expect("an error");
    assert_eq!(error["file"], INCIDENT);
    assert!(error["line"].as_u64().unwrap() >= 2 && error["column"].as_u64().unwrap() >= 1, "{error}");
    assert!(error["help"].is_string());
    let broken = get(&server.addr, page);
    assert_eq!(broken.status, 200, "the last good site is still served");
    let html = scraper::Html::parse_document(&broken.text());
    let overlay = texts(&html, "#cairn-overlay");
    assert_eq!(overlay.len(), 1, "open and new pages show the problems");
    assert!(overlay[0].contains(&format!("{INCIDENT}:{}:{}", error["line"], error["column"])), "{overlay:?}");
    assert!(overlay[0].contains("help:"));
    assert!(broken.text().contains("stale data for 121 minutes"), "the last good page under the overlay");
    assert!(error["message"].as_str().unwrap().contains("<img src=x"), "the message quotes the key: {error}");
    assert!(overlay[0].contains("<img src=x onerror=alert(1)>"), "shown as text: {overlay:?}");
    assert!(!broken.text().contains("<img src=x"), "never as markup");
    let served: serde_json::Value = serde_json::from_slice(&get(&server.addr, "/__cairn/problems").body).unwrap();
    assert_eq!(served, problems);

    edit(root, INCIDENT, key, "severity: sev4");
    wait_for(&events, "fixed");
    wait_for(&events, "reload");
    let fixed = get(&server.addr, page).text();
    assert!(!fixed.contains("cairn-overlay") && fixed.contains("stale data for 121 minutes"));
    assert_eq!(get(&server.addr, "/__cairn/problems").text(), "[]");
}

/// The paths a reload event lists.
fn reload_paths(data: &str) -> Vec<String> {
    let data: serde_json::Value = serde_json::from_str(data).unwrap();
    data["paths"].as_array().expect("a reload lists its paths").iter().map(|p| p.as_str().unwrap().into()).collect()
}

#[test]
fn a_body_edit_reloads_its_page_first_and_a_template_edit_the_open_pages() {
    let repo = example_copy();
    let root = repo.path();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    let server = serve(root, &[]);
    let page = "/incidents/2026-06-09-explorer-indexer-lag/";
    let file = "incidents/2026-06-09-explorer-indexer-lag/index.html";
    let events = events_of(&server.addr, page);
    wait_for(&events, "hello");

    // The quick pass: the page alone, before anything else of the rebuild.
    edit(root, INCIDENT, "Blocks, balances and transaction submission", "Blocks, balances and submission");
    assert_eq!(reload_paths(&wait_for(&events, "reload")), vec![file.to_string()]);
    assert!(get(&server.addr, page).text().contains("Blocks, balances and submission"));
    // Then the rest of the rebuild (the search texts hold the body), never the page again.
    let rest = reload_paths(&wait_for(&events, "reload"));
    assert!(!rest.is_empty() && !rest.contains(&file.to_string()), "{rest:?}");

    // A page template: the open page first, then every other page made with it.
    let theme = std::fs::read_to_string(example_root().join("themes/default/templates/incident.html")).unwrap();
    std::fs::write(root.join("templates/incident.html"), theme.replacen("</", "<!-- edited --></", 1)).unwrap();
    assert_eq!(reload_paths(&wait_for(&events, "reload")), vec![file.to_string()]);
    assert!(get(&server.addr, page).text().contains("<!-- edited -->"));
    let rest = reload_paths(&wait_for(&events, "reload"));
    assert!(rest.len() > 3 && rest.iter().all(|p| p.starts_with("incidents/") && p != file), "{rest:?}");
}

#[test]
fn a_commit_while_serving_moves_the_stamp_and_the_history() {
    use common::repo;
    let repo_dir = example_copy();
    let root = repo_dir.path();
    std::fs::write(root.join(".gitignore"), ".cairn/\n").unwrap();
    run_git(root, &["init", "-q"]);
    let first = repo::commit(root, "Example", repo::ADA, "2026-11-20T10:00:00Z");
    let server = serve(root, &[]);
    let page = "/incidents/2026-06-09-explorer-indexer-lag/";
    let commit_of = |html: &str| {
        let html = scraper::Html::parse_document(html);
        let selector = scraper::Selector::parse("code.commit").unwrap();
        html.select(&selector).next().and_then(|c| c.value().attr("title")).map(str::to_string)
    };
    assert_eq!(commit_of(&get(&server.addr, page).text()), Some(first.clone()));
    let events = events_of(&server.addr, page);
    wait_for(&events, "hello");

    edit(root, INCIDENT, "Blocks, balances and transaction submission", "Blocks, balances and submission");
    wait_for(&events, "reload");
    let dirty = get(&server.addr, page).text();
    assert!(dirty.contains("Blocks, balances and submission"));

    // Committing changes no input file: the watch sees the branch move.
    let second = repo::commit(root, "Shorter", repo::BO, "2026-11-21T10:00:00Z");
    wait_for(&events, "reload");
    let committed = get(&server.addr, page).text();
    assert_eq!(commit_of(&committed), Some(second), "the stamp names the new commit");
    assert_ne!(committed, dirty, "the page no longer says its text is uncommitted");
}

fn run_git(dir: &Path, args: &[&str]) {
    common::repo::run(common::repo::git(dir).args(args));
}

/// In Chromium: an open page reloads when an edit changed it, and only then.
#[test]
#[ignore = "needs Chromium: run by .ci/run with --include-ignored"]
fn open_pages_reload_only_when_they_changed() {
    let repo = example_copy();
    let root = repo.path();
    let server = serve(root, &[]);
    let events = events(&server.addr);
    wait_for(&events, "hello");
    let mut browser = common::browser::Browser::launch();
    let url = format!("http://{}/incidents/2026-06-09-explorer-indexer-lag/", server.addr);
    browser.navigate(&url);
    browser.wait_for("window.EventSource !== undefined");
    browser.eval("window.kept = true");

    // Another document's body: its page changes, this one does not and stays as it is.
    edit(
        root,
        "content/runbooks/exchange-guidance-chain-halt.md",
        "as soon as the status page",
        "once the status page",
    );
    wait_for(&events, "reload");
    wait_for(&events, "reload");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(browser.eval("window.kept === true"), serde_json::json!(true), "an unrelated edit left the page alone");

    // This document's body: the page reloads and shows it.
    edit(root, INCIDENT, "Blocks, balances and transaction submission", "Blocks, balances and submission");
    browser
        .wait_for("window.kept === undefined && document.body.innerText.includes('Blocks, balances and submission')");
}

#[test]
fn served_pages_are_the_bytes_a_build_writes_with_http_done_right() {
    let repo = example_copy();
    let root = repo.path();
    let server = serve(root, &[]);
    let built = tempfile::tempdir().unwrap();
    build_into(root, None, &built.path().join("site"), now());
    let file = |rel: &str| std::fs::read(built.path().join("site").join(rel)).unwrap();

    let home = get(&server.addr, "/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), Some("text/html; charset=utf-8"));
    let without_script = home.text().replacen(INJECTED, "", 1);
    assert_eq!(without_script.as_bytes(), file("index.html"), "the same bytes, apart from the script");

    for (path, media, rel) in [
        ("/assets/style.css", "text/css; charset=utf-8", "assets/style.css"),
        ("/assets/cairn.js", "text/javascript; charset=utf-8", "assets/cairn.js"),
        ("/api/v2/summary.json", "application/json", "api/v2/summary.json"),
        ("/sitemap.xml", "application/xml", "sitemap.xml"),
    ] {
        let reply = get(&server.addr, path);
        assert_eq!((reply.status, reply.header("content-type")), (200, Some(media)), "{path}");
        assert_eq!(reply.body, file(rel), "{path}: not an HTML page, served as built");
    }

    // Validators: the ETag and Last-Modified of a page make a second fetch a 304.
    let etag = home.header("etag").expect("an ETag").to_string();
    assert!(home.header("last-modified").is_some());
    let again = raw(&server.addr, &format!("GET / HTTP/1.1\r\nIf-None-Match: {etag}"));
    assert_eq!((again.status, again.body.len()), (304, 0));
    let since =
        raw(&server.addr, &format!("GET / HTTP/1.1\r\nIf-Modified-Since: {}", home.header("last-modified").unwrap()));
    assert_eq!(since.status, 304);

    // HEAD: the headers of GET, no body.
    let head = raw(&server.addr, "HEAD / HTTP/1.1");
    assert_eq!((head.status, head.body.len()), (200, 0));
    assert_eq!(head.header("content-length"), Some(home.body.len().to_string().as_str()));
    assert_eq!(head.header("etag"), Some(etag.as_str()));

    let missing = get(&server.addr, "/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().starts_with(&String::from_utf8(file("404.html")).unwrap()[..200]), "the theme's 404 page");
    assert_eq!(get(&server.addr, "/incidents").header("location"), Some("/incidents/"));
    assert_eq!(raw(&server.addr, "POST / HTTP/1.1\r\nContent-Length: 0").status, 405);
    assert_eq!(get(&server.addr, "/__cairn/live.js").header("content-type"), Some("text/javascript; charset=utf-8"));
}

#[test]
fn traversal_never_reaches_a_file_outside_the_served_site() {
    let repo = example_copy();
    let root = repo.path();
    // A secret beside the served folder, in the repo and above it.
    let marker = "secret-marker-5d1f";
    let config = std::fs::read_to_string(root.join("cairn.yaml")).unwrap();
    std::fs::write(root.join("cairn.yaml"), format!("{config}# {marker}\n")).unwrap();
    std::fs::write(root.join(".cairn-secret"), marker).unwrap();
    let server = serve(root, &[]);
    let served = root.join(".cairn/serve/public");
    assert!(served.join("index.html").is_file());
    // Links planted in the served folder, out to the repo.
    std::os::unix::fs::symlink(root.join("cairn.yaml"), served.join("config.yaml")).unwrap();
    std::os::unix::fs::symlink(root, served.join("repo")).unwrap();
    let attempts = [
        "/../../../cairn.yaml",
        "/../../../.cairn-secret",
        "/%2e%2e/%2e%2e/%2e%2e/cairn.yaml",
        "/%2E%2E/%2E%2E/%2E%2E/cairn.yaml",
        "/..%2f..%2f..%2fcairn.yaml",
        "/%2e%2e%2f%2e%2e%2f%2e%2e%2fcairn.yaml",
        "/..\\..\\..\\cairn.yaml",
        "/..%5c..%5c..%5ccairn.yaml",
        "/incidents/../../../../cairn.yaml",
        "/%252e%252e/%252e%252e/%252e%252e/cairn.yaml",
        "/config.yaml",
        "/repo/cairn.yaml",
        "/repo/.cairn-secret",
        "/index.html%00.yaml",
        "/%00",
        "//etc/passwd",
        "/./../cairn.yaml",
        "/%c0%ae%c0%ae/cairn.yaml",
    ];
    for path in attempts {
        let reply = get(&server.addr, path);
        assert!(!reply.text().contains(marker), "{path} reached a file outside the site");
        assert_ne!(reply.status, 200, "{path}");
    }
    let long = format!("/{}", "a/".repeat(3000));
    let reply = get(&server.addr, &long);
    assert!(reply.status == 400 || reply.status == 404 || reply.status == 414, "{}", reply.status);
    // An absolute form of the target is not followed out either.
    let absolute = raw(&server.addr, &format!("GET http://{}/../../../cairn.yaml HTTP/1.1", server.addr));
    assert!(!absolute.text().contains(marker));
}

#[test]
fn api_search_answers_what_cairn_search_prints() {
    let repo = example_copy();
    let root = repo.path();
    let server = serve(root, &[]);
    let path = "/api/search?q=finality&kind=incident&component=consensus";
    // The index is written beside the serving: wait for it.
    let deadline = Instant::now() + PATIENCE;
    let reply = loop {
        let reply = get(&server.addr, path);
        if reply.status == 200 || Instant::now() > deadline {
            break reply;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!((reply.status, reply.header("content-type")), (200, Some("application/json")));
    let api: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    let cli = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args([
            "search",
            "finality",
            "--kind",
            "incident",
            "--component",
            "consensus",
            "--json",
            "--audience",
            "public",
        ])
        .arg("--root")
        .arg(root)
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(api, printed);
    assert!(!api["results"]["hits"].as_array().unwrap().is_empty(), "finality finds the finality stall");
    let bad = get(&server.addr, "/api/search?q=x&kind=nope");
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("unknown kind"));
}

#[test]
fn a_restricted_audience_stays_on_this_machine_unless_allowed() {
    let repo = example_copy();
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["serve", "--audience", "internal", "--bind", "0.0.0.0", "--port", "0", "--root"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--allow-remote"), "{stderr}");
    assert!(!repo.path().join(".cairn/serve/internal").exists(), "nothing built or served");
}

#[test]
fn editor_saves_are_one_rebuild_and_scratch_files_none() {
    let repo = example_copy();
    let root = repo.path();
    let server = serve(root, &[]);
    let events = events(&server.addr);
    wait_for(&events, "hello");
    let dir = root.join("content/incidents");
    let source = std::fs::read_to_string(root.join(INCIDENT)).unwrap();

    // Swap files, backups and hidden files are not inputs: no rebuild, no reload.
    std::fs::write(dir.join(".2026-06-09-explorer-indexer-lag.md.swp"), "binary swap").unwrap();
    std::fs::write(dir.join("2026-06-09-explorer-indexer-lag.md~"), &source).unwrap();
    std::fs::write(dir.join("4913"), "").unwrap();
    std::fs::remove_file(dir.join("4913")).unwrap();
    assert!(events.recv_timeout(Duration::from_secs(3)).is_err(), "scratch files start no rebuild");

    // Vim's save: the file renamed away to a backup, a new one written in its place.
    std::fs::rename(root.join(INCIDENT), dir.join("2026-06-09-explorer-indexer-lag.md~")).unwrap();
    std::fs::write(root.join(INCIDENT), source.replacen("two hours", "122 minutes", 1)).unwrap();
    wait_for(&events, "reload");
    let page = get(&server.addr, "/incidents/2026-06-09-explorer-indexer-lag/");
    assert_eq!(page.status, 200, "the document never looked deleted for good");
    assert!(page.text().contains("122 minutes"));

    // Many files at once (a `git checkout`, say): every one is in the site when it settles.
    let title = "title: Block explorer showed stale data for two hours";
    for n in 0..20 {
        let text = source.replacen(title, &format!("title: Burst incident {n}"), 1);
        std::fs::write(dir.join(format!("2026-06-10-burst-{n}.md")), text).unwrap();
    }
    let deadline = Instant::now() + PATIENCE;
    loop {
        wait_for(&events, "reload");
        let served = |n: usize| get(&server.addr, &format!("/incidents/2026-06-10-burst-{n}/")).text();
        if (0..20).all(|n| served(n).contains(&format!("Burst incident {n}"))) {
            break;
        }
        assert!(Instant::now() < deadline, "the burst never settled into the site");
    }
}

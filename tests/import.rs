//! `cairn import statuspage`, driven as a user would: the real binary on Statuspage v2 API files
//! (tests/fixtures/statuspage/<provider>/, in the shape real pages serve: offsets, milliseconds,
//! groups, newest-first updates, hostile text) and on the same files served over HTTP; the
//! result must pass `cairn check` and its `api/v2` must say what the source said.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

fn provider(name: &str) -> PathBuf {
    example_root().join("tests/fixtures/statuspage").join(name)
}

fn sources(name: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(provider(name)).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

fn cairn(args: &[&std::ffi::OsStr]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn")).args(args).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn import(sources: &[String], into: &Path) -> String {
    let mut args: Vec<&std::ffi::OsStr> = vec!["import".as_ref(), "statuspage".as_ref()];
    args.extend(sources.iter().map(|s| std::ffi::OsStr::new(s.as_str())));
    args.extend(["--into".as_ref(), into.as_os_str()]);
    let (ok, text) = cairn(&args);
    assert!(ok, "import failed: {text}");
    text
}

/// Checked the day after the fixtures were captured: their last update is minutes after noon.
fn check_clean(root: &Path) {
    let (ok, text) = cairn(&[
        "check".as_ref(),
        "--now".as_ref(),
        "2026-11-27T00:00:00Z".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
    ]);
    assert!(ok && text.contains("No problems found"), "cairn check:\n{text}");
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

/// Every incident or window of the source, by name: its status and its updates in `display_at`
/// order (status, body).
fn by_name(files: &[PathBuf], key: &str) -> BTreeMap<String, (String, Vec<String>)> {
    let mut out = BTreeMap::new();
    for f in files {
        for i in read(f)[key].as_array().into_iter().flatten() {
            let mut ups: Vec<&Value> = i["incident_updates"].as_array().unwrap().iter().collect();
            ups.sort_by_key(|u| time(&u["display_at"]));
            let statuses = ups.iter().map(|u| u["status"].as_str().unwrap().to_string()).collect();
            out.insert(i["name"].as_str().unwrap().to_string(), (i["status"].as_str().unwrap().to_string(), statuses));
        }
    }
    out
}

fn time(v: &Value) -> i64 {
    cairn::load::parse_time(v.as_str().unwrap()).unwrap().unix_timestamp()
}

/// Imports `provider`'s files, checks and builds the result, and compares its API to the source.
fn round_trip(name: &str, srcs: &[String]) -> tempfile::TempDir {
    let kb = tempfile::tempdir().unwrap();
    let report = import(srcs, kb.path());
    assert!(report.contains("time zone"), "what is not carried over is said: {report}");
    check_clean(kb.path());
    let site = kb.path().join("site");
    build_into(kb.path(), None, &site, now());
    let files = sources(name);
    let summary = files.iter().find(|f| f.ends_with("summary.json")).map(|f| read(f)).unwrap();
    let built = read(&site.join("api/v2/summary.json"));
    assert_eq!(built["status"]["indicator"], summary["status"]["indicator"], "{name}: indicator");
    let statuses = |v: &Value| -> BTreeMap<String, String> {
        v["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["group"] == false)
            .map(|c| (c["name"].as_str().unwrap().to_string(), c["status"].as_str().unwrap().to_string()))
            .collect()
    };
    assert_eq!(statuses(&built), statuses(&summary), "{name}: component statuses");
    let api = read(&site.join("api/v2/incidents.json"));
    let mut want = by_name(&files, "incidents");
    // Statuspage's `update` status keeps the incident's state; a reopened incident's earlier
    // `resolved` is `monitoring` here.
    for (_, ups) in want.values_mut() {
        let mut last = "investigating".to_string();
        let final_resolved = ups.iter().rposition(|s| s == "resolved");
        for (i, s) in ups.iter_mut().enumerate() {
            if s == "update" {
                *s = last.clone();
            }
            if s == "resolved" && Some(i) != final_resolved {
                *s = "monitoring".into();
            }
            if s != "postmortem" {
                last = s.clone();
            }
        }
    }
    let got: BTreeMap<String, (String, Vec<String>)> = api["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let mut ups: Vec<String> = i["incident_updates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["status"].as_str().unwrap().into())
                .collect();
            ups.reverse();
            (i["name"].as_str().unwrap().to_string(), (i["status"].as_str().unwrap().to_string(), ups))
        })
        .collect();
    assert_eq!(got, want, "{name}: incidents");
    let api = read(&site.join("api/v2/scheduled-maintenances.json"));
    let want = by_name(&files, "scheduled_maintenances");
    let got: BTreeMap<String, String> = api["scheduled_maintenances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].as_str().unwrap().to_string(), m["status"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(got, want.into_iter().map(|(k, (s, _))| (k, s)).collect::<BTreeMap<_, _>>(), "{name}: maintenance");
    kb
}

fn paths(files: &[PathBuf]) -> Vec<String> {
    files.iter().map(|p| p.to_string_lossy().into_owned()).collect()
}

#[test]
fn relay_files_import_check_clean_and_serve_the_same_api() {
    let kb = round_trip("relay", &paths(&sources("relay")));
    let site = kb.path().join("site");
    // Per-update component states, post-mortem text, backfilled, old URLs.
    let api = read(&site.join("api/v2/incidents.json"));
    let open =
        api["incidents"].as_array().unwrap().iter().find(|i| i["name"] == "Elevated eth_getLogs latency").unwrap();
    let first = open["incident_updates"].as_array().unwrap().last().unwrap();
    assert_eq!(first["affected_components"][0]["new_status"], "degraded_performance");
    let halt = api["incidents"].as_array().unwrap().iter().find(|i| i["status"] == "postmortem").unwrap();
    assert!(halt["postmortem_body"].as_str().unwrap().contains("vote program"), "{}", halt["postmortem_body"]);
    let backfilled =
        api["incidents"].as_array().unwrap().iter().find(|i| i["name"] == "Missed webhooks on 12 September").unwrap();
    assert_eq!(backfilled["cairn"]["backfilled"], true);
    let redirect = std::fs::read_to_string(site.join("incidents/pm0sol0halt1/index.html")).unwrap();
    assert!(redirect.contains("rel=\"canonical\""), "{redirect}");
    // Hostile text stays text.
    let page = std::fs::read_to_string(site.join(format!(
        "{}index.html",
        halt["shortlink"].as_str().unwrap().trim_start_matches("https://status.relay.example/")
    )))
    .unwrap();
    let html = scraper::Html::parse_document(&page);
    assert!(
        attrs(&html, ".timeline img", "src").is_empty() && attrs(&html, ".timeline a", "href").is_empty(),
        "{page}"
    );
    assert!(texts(&html, ".timeline-body").iter().any(|t| t.contains("<img src=x onerror=alert(1)>")));
    assert!(texts(&html, ".badge-severity").is_empty(), "the severity set from impact is not public");
    let reopened = std::fs::read_dir(kb.path().join("content/incidents"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|t| t.contains("r30p3n0dash1"))
        .unwrap();
    assert!(reopened.contains("\\# Logins fail"), "markdown in plain text is escaped: {reopened}");
}

#[test]
fn bridge_files_import_check_clean_and_serve_the_same_api() {
    round_trip("bridge", &paths(&sources("bridge")));
}

#[test]
fn importing_again_rewrites_without_duplicating() {
    let kb = tempfile::tempdir().unwrap();
    let srcs = paths(&sources("relay"));
    import(&srcs, kb.path());
    let before = tree(kb.path());
    // A renamed incident upstream keeps its file: it is found by its old address.
    let renamed = tempfile::tempdir().unwrap();
    for f in sources("relay") {
        let text = std::fs::read_to_string(&f).unwrap().replace("Elevated eth_getLogs latency", "Slow eth_getLogs");
        std::fs::write(renamed.path().join(f.file_name().unwrap()), text).unwrap();
    }
    import(&srcs, kb.path());
    assert_eq!(tree(kb.path()), before, "same input, same files");
    import(&paths(&sources_in(renamed.path())), kb.path());
    let after = tree(kb.path());
    assert_eq!(after.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>(), "no new file");
    assert!(after.values().any(|t| String::from_utf8_lossy(t).contains("Slow eth_getLogs")));
    check_clean(kb.path());
}

fn sources_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

/// Serves `dir` as `/api/v2/<file>` over HTTP/1.1 on a local port until the test ends.
fn serve(dir: PathBuf) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).map_or(true, |n| n == 0) || header == "\r\n" {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let file = path.strip_prefix("/api/v2/").map(|f| dir.join(f));
            let (status, body) = match file.and_then(|f| std::fs::read(f).ok()) {
                Some(body) => ("200 OK", body),
                None => ("404 Not Found", b"{}".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
        }
    });
    format!("http://{addr}")
}

#[test]
fn a_page_url_is_fetched_and_imports_the_same() {
    for name in ["relay", "bridge"] {
        let url = serve(provider(name));
        let kb = round_trip(name, &[url]);
        let from_files = tempfile::tempdir().unwrap();
        import(&paths(&sources(name)), from_files.path());
        assert_eq!(tree(kb.path().join("content").as_path()), tree(&from_files.path().join("content")), "{name}");
    }
}

#[test]
fn a_file_that_is_not_statuspage_json_is_refused_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("summary.json");
    std::fs::write(&bad, "{\n  \"page\": {,\n}").unwrap();
    let (ok, text) =
        cairn(&["import".as_ref(), "statuspage".as_ref(), bad.as_os_str(), "--into".as_ref(), dir.path().as_os_str()]);
    assert!(!ok && text.contains("summary.json:2:12"), "{text}");
    std::fs::write(&bad, "{\"hello\": 1}").unwrap();
    let (ok, text) =
        cairn(&["import".as_ref(), "statuspage".as_ref(), bad.as_os_str(), "--into".as_ref(), dir.path().as_os_str()]);
    assert!(!ok && text.contains("not a Statuspage API file"), "{text}");
}

//! The HTTP side of `cairn serve`, on `tiny_http`: the served folder's files as a build wrote
//! them (with the reload script, and the problems of a broken build, added to HTML pages),
//! the reload channel, and `/api/search`. GET and HEAD only; ETag and Last-Modified with
//! conditional requests; the theme's 404 page for anything missing.

use super::events::Hub;
use super::paths::{self, Target};
use crate::diagnostics::Diagnostic;
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::Arc;
use tiny_http::{Header, Method, Request, Response, StatusCode};

/// Where the dev server's own files live; no site output is ever under it.
pub const PREFIX: &str = "/__cairn/";
const LIVE_JS: &str = include_str!("live.js");
const LIVE_CSS: &str = include_str!("live.css");
/// What is added before `</body>` of every HTML page served.
const INJECTED: &str =
    "<link rel=\"stylesheet\" href=\"/__cairn/live.css\"><script src=\"/__cairn/live.js\" defer></script>";

/// What every request handler shares.
pub struct Shared {
    /// The served folder.
    pub dir: PathBuf,
    pub hub: Hub,
    /// The search index of the served audience.
    pub index: PathBuf,
    pub audience: String,
}

type Reply = Response<Cursor<Vec<u8>>>;

fn header(name: &str, value: &str) -> Header {
    // Names and values here are ASCII without line breaks: they cannot fail.
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|()| Header::from_bytes(&b"X-Invalid"[..], &b"1"[..]).expect("a constant header is valid"))
}

fn text(status: u16, body: &str) -> Reply {
    Response::from_data(body.as_bytes().to_vec())
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}

/// Handles one request; SSE requests keep the calling thread until the page goes away.
pub fn handle(shared: &Arc<Shared>, request: Request) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    if !matches!(request.method(), Method::Get | Method::Head) {
        let reply = text(405, "cairn serve answers GET and HEAD only\n").with_header(header("Allow", "GET, HEAD"));
        send(request, reply);
        return;
    }
    if path == "/__cairn/events" {
        // The page's own path, to remake it first after an edit (nothing else is done with it).
        let page = params(query).into_iter().find(|(k, _)| k == "page").map(|(_, v)| v).unwrap_or_default();
        shared.hub.stream(request.into_writer(), page);
        return;
    }
    let reply = match path {
        "/__cairn/live.js" => asset(&request, LIVE_JS, "text/javascript; charset=utf-8"),
        "/__cairn/live.css" => asset(&request, LIVE_CSS, "text/css; charset=utf-8"),
        "/__cairn/problems" => json(200, shared.hub.problems().unwrap_or_else(|| "[]".into()).into_bytes()),
        "/api/search" => search(shared, query),
        _ if path.starts_with(PREFIX) => not_found(shared),
        _ => file(shared, &request, path, query),
    };
    send(request, reply);
}

/// Sends `reply` and closes the connection. tiny_http hands each connection to a pool of
/// threads that can leave a new connection queued behind idle keep-alive ones (two accepted at
/// once both count on the same idle thread): a browser opening several connections for one
/// page saw a script never load. A connection that ends with its response frees its thread at
/// once. tiny_http keeps `Connection` to itself, so the response is written here.
fn send(request: Request, reply: Reply) {
    let head = *request.method() == Method::Head;
    let status = reply.status_code();
    let mut text = format!("HTTP/1.1 {} {}\r\n", status.0, status.default_reason_phrase());
    for h in reply.headers() {
        text.push_str(&format!("{}: {}\r\n", h.field.as_str(), h.value.as_str()));
    }
    let body = reply.into_reader().into_inner();
    if status.0 != 304 {
        text.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    text.push_str("Connection: close\r\n\r\n");
    let mut writer = request.into_writer();
    let _ = writer
        .write_all(text.as_bytes())
        .and_then(|()| if head || status.0 == 304 { Ok(()) } else { writer.write_all(&body) })
        .and_then(|()| writer.flush());
}

fn json(status: u16, body: Vec<u8>) -> Reply {
    Response::from_data(body)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", "application/json"))
        .with_header(header("Cache-Control", "no-store"))
}

/// The value of the request's header `name`, if any.
fn request_header<'a>(request: &'a Request, name: &'static str) -> Option<&'a str> {
    request.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str())
}

/// A response with validators: 304 when the page's copy is current.
fn validated(request: &Request, bytes: Vec<u8>, media: &str, modified: Option<std::time::SystemTime>) -> Reply {
    let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&bytes));
    let modified = modified.map(httpdate::fmt_http_date);
    let fresh = match request_header(request, "If-None-Match") {
        Some(tags) => tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"),
        None => match (request_header(request, "If-Modified-Since"), &modified) {
            (Some(since), Some(m)) => {
                matches!((httpdate::parse_http_date(since), httpdate::parse_http_date(m)), (Ok(a), Ok(b)) if b <= a)
            }
            _ => false,
        },
    };
    let mut reply = if fresh {
        Response::from_data(Vec::new()).with_status_code(StatusCode(304))
    } else {
        // With its length, not chunked: a HEAD request learns the size too.
        Response::from_data(bytes).with_header(header("Content-Type", media)).with_chunked_threshold(usize::MAX)
    };
    reply.add_header(header("ETag", &etag));
    if let Some(m) = &modified {
        reply.add_header(header("Last-Modified", m));
    }
    // Always revalidated: the next edit changes it.
    reply.add_header(header("Cache-Control", "no-cache"));
    reply.add_header(header("X-Content-Type-Options", "nosniff"));
    reply
}

fn asset(request: &Request, text: &str, media: &str) -> Reply {
    validated(request, text.as_bytes().to_vec(), media, None)
}

/// `bytes` of an HTML page with the reload script, and the problems of a broken build, added.
fn inject(shared: &Shared, bytes: Vec<u8>) -> Vec<u8> {
    let mut added = String::from(INJECTED);
    if let Some(json) = shared.hub.problems()
        && let Ok(problems) = serde_json::from_str::<Vec<serde_json::Value>>(&json)
    {
        added.push_str(&overlay(&problems));
    }
    let at = find_body_end(&bytes).unwrap_or(bytes.len());
    let mut out = Vec::with_capacity(bytes.len() + added.len());
    out.extend_from_slice(&bytes[..at]);
    out.extend_from_slice(added.as_bytes());
    out.extend_from_slice(&bytes[at..]);
    out
}

/// Where the last `</body>` (any case) starts.
fn find_body_end(bytes: &[u8]) -> Option<usize> {
    let tag = b"</body";
    (0..bytes.len().saturating_sub(tag.len() - 1)).rev().find(|&i| bytes[i..i + tag.len()].eq_ignore_ascii_case(tag))
}

/// The overlay as HTML, every text escaped: what the script shows, for a page loaded while the
/// build is broken (and readable without JavaScript).
pub fn overlay(problems: &[serde_json::Value]) -> String {
    let field = |p: &serde_json::Value, k: &str| {
        crate::text::escape_markup(&match &p[k] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        })
    };
    let errors = problems.iter().filter(|p| p["severity"] == "error").count();
    let mut html = format!(
        "<section id=\"cairn-overlay\" role=\"alert\"><h2 class=\"cairn-overlay-title\">The last edit broke the build \
         ({errors} error{}); showing the last good site</h2><ol>",
        if errors == 1 { "" } else { "s" }
    );
    for p in problems {
        html.push_str(&format!(
            "<li class=\"cairn-overlay-{}\"><code class=\"cairn-overlay-where\">{}:{}:{}</code><span \
             class=\"cairn-overlay-message\"> {}[{}]: {}</span>",
            field(p, "severity"),
            field(p, "file"),
            field(p, "line"),
            field(p, "column"),
            field(p, "severity"),
            field(p, "code"),
            field(p, "message"),
        ));
        if !p["help"].is_null() {
            html.push_str(&format!("<p class=\"cairn-overlay-help\">help: {}</p>", field(p, "help")));
        }
        html.push_str("</li>");
    }
    html.push_str("</ol></section>");
    html
}

/// The problems of a failed build as the overlay and `/__cairn/problems` show them.
pub fn problems_json(problems: &[Diagnostic]) -> String {
    serde_json::to_string(problems).unwrap_or_else(|_| "[]".into())
}

fn not_found(shared: &Shared) -> Reply {
    match std::fs::read(shared.dir.join("404.html")) {
        Ok(bytes) => Response::from_data(inject(shared, bytes))
            .with_status_code(StatusCode(404))
            .with_header(header("Content-Type", "text/html; charset=utf-8"))
            .with_header(header("Cache-Control", "no-cache")),
        Err(_) => text(404, "not found\n"),
    }
}

fn file(shared: &Shared, request: &Request, path: &str, query: &str) -> Reply {
    match paths::resolve(&shared.dir, path) {
        Target::File(file) => {
            let Ok(bytes) = std::fs::read(&file) else { return not_found(shared) };
            let modified = std::fs::metadata(&file).and_then(|m| m.modified()).ok();
            let media = paths::media_type(&file);
            let bytes = if media.starts_with("text/html") { inject(shared, bytes) } else { bytes };
            validated(request, bytes, media, modified)
        }
        Target::Redirect(to) => {
            let to = if query.is_empty() { to } else { format!("{to}?{query}") };
            text(301, "moved\n").with_header(header("Location", &to))
        }
        Target::NotFound => not_found(shared),
        Target::Refused => text(400, "this path cannot name a file of the site\n"),
    }
}

/// The decoded `name=value` pairs of a query string (`+` is a space).
fn params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode =
                |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
            (decode(k), decode(v))
        })
        .collect()
}

/// The query `/api/search` was asked, or what is wrong with it.
pub fn search_query(query: &str) -> Result<crate::search::SearchQuery, String> {
    use crate::search as s;
    let mut q = s::SearchQuery { limit: 10, ..Default::default() };
    for (key, value) in params(query) {
        match key.as_str() {
            "q" => q.text = value,
            "kind" => q.kind = Some(s::parse_kind(&value)?),
            "component" => q.component = Some(value),
            "severity" => q.severity = Some(s::parse_severity(&value)?),
            "type" => q.incident_type = Some(value),
            "since" => q.since = Some(s::parse_day(&value)?),
            "until" => q.until = Some(s::parse_day(&value)?),
            "limit" => {
                q.limit =
                    value.parse().ok().filter(|n| (1..=1000).contains(n)).ok_or("limit is a number from 1 to 1000")?
            }
            other => {
                return Err(format!(
                    "unknown parameter `{other}`; one of: q, kind, component, severity, type, since, until, limit"
                ));
            }
        }
    }
    Ok(q)
}

fn search(shared: &Shared, query: &str) -> Reply {
    let error =
        |status: u16, message: String| json(status, serde_json::json!({ "error": message }).to_string().into_bytes());
    let q = match search_query(query) {
        Ok(q) => q,
        Err(e) => return error(400, e),
    };
    match crate::search::answer(&shared.index, &shared.audience, &q) {
        Ok(value) => json(200, serde_json::to_vec_pretty(&value).unwrap_or_default()),
        Err(e) => error(503, format!("the search index is not ready: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        assert_eq!(find_body_end(b"<body>a</BODY>"), Some(7));
        assert_eq!(find_body_end(b"<p>no end"), None);
        assert_eq!(find_body_end(b"</body></body>"), Some(7));
    }

    #[test]
    fn the_overlay_escapes_every_text() {
        let p = serde_json::json!([{ "file": "content/<x>.md", "line": 3, "column": 7, "severity": "error",
            "code": "yaml", "message": "<script>alert(1)</script>", "help": "use \"quotes\" & <b>" }]);
        let html = overlay(p.as_array().unwrap());
        assert!(html.contains("content/&lt;x&gt;.md:3:7"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains("<script") && !html.contains("<b>"));
    }

    #[test]
    fn search_parameters_are_checked() {
        let q = search_query("q=finality+stall&kind=incident&component=rpc%2Dgateway&limit=3").unwrap();
        assert_eq!((q.text.as_str(), q.component.as_deref(), q.limit), ("finality stall", Some("rpc-gateway"), 3));
        assert!(search_query("kind=nope").is_err());
        assert!(search_query("limit=0").is_err());
        assert!(search_query("page=2").is_err());
    }
}

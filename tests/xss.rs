//! No script runs that the site's author did not write: script payloads in every user-controlled
//! field (markdown links with `javascript:` in any case or entity-encoded, autolinks, reference
//! links, `vbscript:`, `data:text/html`, raw `<script>`, event-handler attributes, `"><svg onload>`
//! in titles, `</script>` in anything that could land inside a script or JSON, attribute-breaking
//! quotes), built for the public and internal audiences.
//!
//! - `links_and_attributes_cannot_run_script` (no browser): every `<a href>` (and every other URL
//!   attribute) of every page uses http(s), mailto or a relative URL; no element has an event
//!   handler attribute; no inline script holds a payload.
//! - `pages_carry_a_csp_that_blocks_inline_script` (no browser): every page has a
//!   Content-Security-Policy whose script directive does not allow inline script.
//! - `no_payload_runs_in_chromium` (headless Chromium over the DevTools pipe): every HTML page is
//!   loaded with a hook that records any call of the payloads' `__xss(n)` (and `alert`, `confirm`,
//!   `prompt`), console messages and CSP violations; every link whose scheme is not http(s)/mailto
//!   is clicked; the search page renders results for the payload documents; nothing may run, and
//!   an inline script injected on purpose must be blocked by the page's CSP.

#[path = "common/blackbox.rs"]
mod blackbox;
#[path = "common/browser.rs"]
mod browser;

use blackbox::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Every payload, each calling `__xss(n)` with a number that says which field and which payload
/// ran: `field * 100 + payload`. `markdown` adds what only makes sense in markdown (a reference
/// link definition on its own line).
fn payloads(field: usize, markdown: bool) -> String {
    let n = |k: usize| field * 100 + k;
    let mut s = format!(
        "payload{field} [a](javascript:__xss({})) [b](JaVaScRiPt:__xss({})) [c](&#106;avascript:__xss({})) \
         [d](java&#x09;script:__xss({})) <javascript:__xss({})> [e][r{field}] [f](vbscript:__xss({})) \
         [g](data:text/html,<script>__xss({})</script>) <script>__xss({})</script> <img src=x onerror=__xss({})> \
         \"><svg onload=__xss({})> </script><script>__xss({})</script> ' onmouseover='__xss({})' x=' \
         \" autofocus onfocus=\"__xss({})\" x=\" <a href=\"javascript:__xss({})\">h</a> ![i](javascript:__xss({})) \
         <iframe src=\"javascript:__xss({})\"></iframe> [j](  javascript:__xss({})) [k](<javascript:__xss({})>) \
         [l](data:text/html;base64,PHNjcmlwdD5fX3hzcygxKTwvc2NyaXB0Pg==) </textarea></title></style><script>__xss({})</script> \
         {{{{ 7*7 }}}} ${{__xss({})}}",
        n(1),
        n(2),
        n(3),
        n(4),
        n(5),
        n(6),
        n(7),
        n(8),
        n(9),
        n(10),
        n(11),
        n(12),
        n(13),
        n(14),
        n(15),
        n(16),
        n(17),
        n(18),
        n(19),
        n(20),
    );
    if markdown {
        write!(
            s,
            "\n\n[r{field}]: javascript:__xss({})\n\n<https://example.org/\"onmouseover=\"__xss({})>\n",
            n(21),
            n(22)
        )
        .unwrap();
    }
    s
}

/// The payloads that fit a name cairn also turns into a path segment (a runbook owner gets a
/// page of its own; a name hundreds of characters long is not one a file system takes).
fn short_payloads(field: usize) -> String {
    let n = |k: usize| field * 100 + k;
    format!("o{field}\"><svg onload=__xss({})>'><img src=x onerror=__xss({})>", n(1), n(2))
}

/// A YAML double-quoted scalar.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// Fields, by number, as they are reported.
struct Fields(Vec<String>);

impl Fields {
    fn add(&mut self, name: &str, markdown: bool) -> String {
        self.0.push(name.to_string());
        payloads(self.0.len() - 1, markdown)
    }

    fn add_short(&mut self, name: &str) -> String {
        self.0.push(name.to_string());
        short_payloads(self.0.len() - 1)
    }

    fn name(&self, n: u64) -> String {
        let field = (n / 100) as usize;
        format!("{} (payload {})", self.0.get(field).map_or("?", String::as_str), n % 100)
    }
}

/// A repo with every payload in every user-controlled field, all of it public.
fn payload_repo(dir: &Path) -> Fields {
    let mut f = Fields(Vec::new());
    let mut files: BTreeMap<&str, String> = BTreeMap::new();
    files.insert(
        "cairn.yaml",
        format!(
            "title: {}\ndescription: {}\nbase_url: https://status.example.org\naudiences: [public, operators, internal]\n\
             chain: {{ name: {}, block_time: 6s, explorer_url: \"https://explorer.example.org/block/{{height}}\" }}\n\
             repo_url: https://git.example.org/ops/kb\n\
             defaults: {{ incidents: public, postmortems: public, runbooks: public, matrices: public, maintenance: public }}\n",
            q(&f.add("site title", false)),
            q(&f.add("site description", false)),
            q(&f.add("chain name", false)),
        ),
    );
    files.insert(
        "content/components.yaml",
        format!(
            "groups:\n  - id: chain\n    name: {}\ncomponents:\n  - id: consensus\n    name: {}\n    group: chain\n    \
             description: {}\n    visibility: public\n  - id: rpc\n    name: {}\n    visibility: public\n",
            q(&f.add("group name", false)),
            q(&f.add("component name", false)),
            q(&f.add("component description", false)),
            q(&f.add("ungrouped component name", false)),
        ),
    );
    files.insert(
        "content/matrices/decisions.yaml",
        format!(
            "title: {}\nsummary: {}\ndescription: {}\nvisibility: public\nrows:\n  - id: halt\n    incident: {}\n    \
             severity: sev1\n    responsible: {}\n    approvals: [{}]\n    respond_within: 15m\n    disclose_within: 1h\n    \
             notify: [{}]\n    runbooks: [halt-runbook]\n",
            q(&f.add("matrix title", false)),
            q(&f.add("matrix summary", false)),
            q(&f.add("matrix description", true)),
            q(&f.add("matrix row incident", false)),
            q(&f.add("matrix row responsible", false)),
            q(&f.add("matrix row approvals", false)),
            q(&f.add("matrix row notify", false)),
        ),
    );
    files.insert(
        "content/runbooks/halt-runbook.md",
        format!(
            "---\ntitle: {}\nsummary: {}\nincident_types: [halt]\ncomponents: [consensus]\nowners: [{}]\n\
             last_reviewed: 2026-11-01\nreview_every: 90d\nvisibility: public\n---\n{}\n",
            q(&f.add("runbook title", false)),
            q(&f.add("runbook summary", false)),
            q(&f.add_short("runbook owner")),
            f.add("runbook body", true),
        ),
    );
    for (slug, resolved) in [("2026-11-20-halt", true), ("2026-11-25-open", false)] {
        let mut updates = format!(
            "  - at: {}T08:10:00Z\n    status: investigating\n    height: 1000\n    body: {}\n",
            &slug[..10],
            q(&f.add(&format!("incident {slug} update body"), true)),
        );
        if resolved {
            write!(
                updates,
                "  - at: {}T09:00:00Z\n    status: resolved\n    body: {}\n",
                &slug[..10],
                q(&f.add(&format!("incident {slug} resolving update body"), true))
            )
            .unwrap();
        }
        let text = format!(
            "---\ntitle: {}\nsummary: {}\ntype: halt\nseverity: sev1\nimpact: major\ncomponents: [consensus, rpc]\n\
             visibility: public\nstarted_at: {d}T08:00:00Z\ndetected_at: {d}T08:01:00Z\nacknowledged_at: {d}T08:02:00Z\n{}\
             halted_at_height: 999\nrunbooks: [halt-runbook]\n{}updates:\n{updates}---\n{}\n",
            q(&f.add(&format!("incident {slug} title"), false)),
            q(&f.add(&format!("incident {slug} summary"), false)),
            if resolved { format!("resolved_at: {}T09:00:00Z\n", &slug[..10]) } else { String::new() },
            if resolved { "postmortem: halt-postmortem\n" } else { "" },
            f.add(&format!("incident {slug} body"), true),
            d = &slug[..10],
        );
        files.insert(
            if resolved { "content/incidents/2026-11-20-halt.md" } else { "content/incidents/2026-11-25-open.md" },
            text,
        );
    }
    let mut pm = format!(
        "---\ntitle: {}\nsummary: {}\nincidents: [2026-11-20-halt]\nstatus: published\nauthors: [{}]\nreviewers: [{}]\n\
         published_at: 2026-11-24T10:00:00Z\nvisibility: public\naction_items:\n  - title: {}\n    owner: {}\n    \
         due: 2026-12-20\n    status: open\n    runbook: halt-runbook\n---\n",
        q(&f.add("postmortem title", false)),
        q(&f.add("postmortem summary", false)),
        q(&f.add("postmortem author", false)),
        q(&f.add("postmortem reviewer", false)),
        q(&f.add("action item title", false)),
        q(&f.add("action item owner", false)),
    );
    for section in ["Summary", "Impact", "Timeline", "Root cause", "Resolution", "Action items"] {
        write!(pm, "## {section}\n\n{}\n\n", f.add(&format!("postmortem section {section}"), true)).unwrap();
    }
    files.insert("content/postmortems/halt-postmortem.md", pm);
    files.insert(
        "content/maintenance/2026-12-03-upgrade.md",
        format!(
            "---\ntitle: {}\nsummary: {}\ncomponents: [consensus]\nscheduled_for: 2026-12-03T15:30:00Z\n\
             scheduled_until: 2026-12-03T16:30:00Z\nstatus: scheduled\nvisibility: public\nhalt_height: 1100000\nupdates:\n  \
             - at: 2026-11-26T10:00:00Z\n    status: scheduled\n    body: {}\n---\n{}\n",
            q(&f.add("maintenance title", false)),
            q(&f.add("maintenance summary", false)),
            q(&f.add("maintenance update body", true)),
            f.add("maintenance body", true),
        ),
    );
    files.insert(
        "content/notes.md",
        format!(
            "---\ntitle: {}\nsummary: {}\nweight: 5\n---\n{}\n",
            q(&f.add("page title", false)),
            q(&f.add("page summary", false)),
            f.add("page body", true),
        ),
    );
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    f
}

struct Sites {
    _dir: tempfile::TempDir,
    fields: Fields,
    /// Output folder of each audience built.
    outputs: Vec<(&'static str, std::path::PathBuf)>,
}

fn sites() -> Sites {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let fields = payload_repo(&root);
    let mut outputs = Vec::new();
    for audience in ["public", "internal"] {
        let out = dir.path().join(audience);
        let run = build(&root, audience, &out, NOW);
        assert!(run.ok(), "the payload repo must build for {audience} (payloads are text):\n{}", run.stderr);
        outputs.push((audience, out));
    }
    Sites { _dir: dir, fields, outputs }
}

/// The scheme of a URL as a browser reads it (leading C0 controls and spaces, then tabs and
/// newlines, ignored), lower-cased; `None` for a relative URL.
fn scheme(url: &str) -> Option<String> {
    let url: String =
        url.trim_start_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let end = url.find(':')?;
    let candidate = &url[..end];
    let mut chars = candidate.chars();
    (chars.next()?.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
        .then(|| candidate.to_ascii_lowercase())
}

fn html_pages(out: &Path) -> BTreeMap<String, String> {
    tree(out)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8_lossy(&b).into_owned()))
        .collect()
}

/// Attributes that hold a URL a browser may navigate to or load.
const URL_ATTRIBUTES: [&str; 8] = ["href", "src", "action", "formaction", "data", "poster", "xlink:href", "srcdoc"];

#[test]
fn links_and_attributes_cannot_run_script() {
    let sites = sites();
    let mut problems = Vec::new();
    let mut links = 0;
    for (audience, out) in &sites.outputs {
        for (path, html) in html_pages(out) {
            let doc = scraper::Html::parse_document(&html);
            for node in doc.tree.nodes() {
                let scraper::Node::Element(e) = node.value() else { continue };
                for (name, value) in e.attrs() {
                    let name = name.to_ascii_lowercase();
                    if name.starts_with("on") {
                        problems.push(format!("{audience} {path}: <{} {name}={value:?}>", e.name()));
                    }
                    if name == "srcdoc" {
                        problems.push(format!("{audience} {path}: <{} srcdoc>", e.name()));
                    }
                    if URL_ATTRIBUTES.contains(&name.as_str()) {
                        if e.name() == "a" && name == "href" {
                            links += 1;
                        }
                        if let Some(s) = scheme(value)
                            && !["http", "https", "mailto"].contains(&s.as_str())
                        {
                            problems.push(format!("{audience} {path}: <{} {name}={value:?}> uses {s}:", e.name()));
                        }
                    }
                }
                if e.name() == "script" {
                    let text: String =
                        node.children().filter_map(|c| c.value().as_text().map(|t| t.to_string())).collect();
                    if text.contains("__xss") {
                        problems.push(format!("{audience} {path}: a payload inside <script>: {text:?}"));
                    }
                }
            }
        }
    }
    assert!(links > 50, "only {links} links checked");
    assert!(problems.is_empty(), "{} ways for a payload to run:\n{}", problems.len(), problems.join("\n"));
}

/// The policy of a page: its `<meta http-equiv="Content-Security-Policy">` (a static host sends
/// no headers of the site's choosing).
fn csp(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("meta[http-equiv]").unwrap();
    doc.select(&sel)
        .find(|m| m.value().attr("http-equiv").is_some_and(|h| h.eq_ignore_ascii_case("content-security-policy")))
        .and_then(|m| m.value().attr("content").map(String::from))
}

/// Whether a policy blocks inline script: a `script-src` (or else `default-src`) directive that
/// does not allow `'unsafe-inline'`, any scheme-wide source or `data:`.
fn blocks_inline_script(policy: &str) -> bool {
    let directives: BTreeMap<String, Vec<String>> = policy
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            let name = words.next()?.to_ascii_lowercase();
            Some((name, words.map(str::to_ascii_lowercase).collect()))
        })
        .collect();
    let Some(sources) = directives.get("script-src").or_else(|| directives.get("default-src")) else { return false };
    !sources.iter().any(|s| ["'unsafe-inline'", "*", "data:", "http:", "https:"].contains(&s.as_str()))
}

#[test]
fn pages_carry_a_csp_that_blocks_inline_script() {
    assert!(blocks_inline_script("default-src 'self'; img-src 'self' data:"));
    assert!(!blocks_inline_script("default-src 'self' 'unsafe-inline'"));
    assert!(!blocks_inline_script("img-src 'self'"));
    let sites = sites();
    let mut problems = Vec::new();
    for (audience, out) in &sites.outputs {
        for (path, html) in html_pages(out) {
            match csp(&html) {
                None => problems.push(format!("{audience} {path}: no Content-Security-Policy")),
                Some(p) if !blocks_inline_script(&p) => {
                    problems.push(format!("{audience} {path}: policy {p:?} allows inline script"))
                }
                Some(_) => {}
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} pages without a policy that blocks inline script, e.g.:\n{}",
        problems.len(),
        problems.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// Installed before any script of every document: records what a payload would do.
const HOOK: &str = r#"(() => {
  const log = [];
  Object.defineProperty(window, '__xssLog', { value: log });
  const hit = (x) => { log.push(String(x)); console.error('XSS-HIT ' + x); };
  Object.defineProperty(window, '__xss', { value: hit });
  window.alert = window.confirm = window.prompt = hit;
  const csp = [];
  Object.defineProperty(window, '__cspLog', { value: csp });
  document.addEventListener('securitypolicyviolation', (e) => {
    csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
    console.error('CSP-VIOLATION ' + e.violatedDirective + ' ' + (e.sample || ''));
  });
})();"#;

/// Links of the current page whose scheme is not http(s) or mailto, after resolving.
const ODD_LINKS: &str = "[...document.querySelectorAll('a[href], area[href]')]\
    .filter(a => !['http:', 'https:', 'mailto:'].includes(a.protocol)).map(a => a.getAttribute('href'))";

#[test]
#[ignore = "needs Chromium: run by .ci/run with --include-ignored"]
fn no_payload_runs_in_chromium() {
    let sites = sites();
    let mut b = browser::Browser::launch();
    b.call("Page.enable", json!({}));
    b.call("Runtime.enable", json!({}));
    b.call("Log.enable", json!({}));
    b.call("Page.addScriptToEvaluateOnNewDocument", json!({ "source": HOOK }));
    let mut ran: Vec<String> = Vec::new();
    let mut odd_links = Vec::new();
    let mut unblocked = Vec::new();
    let mut pages = 0;
    for (audience, out) in &sites.outputs {
        let base = browser::serve(out.clone());
        let mut urls: Vec<String> = html_pages(out).into_keys().map(|p| format!("{base}{p}")).collect();
        // The search page renders results for the payload documents with the page's own script.
        urls.push(format!("{base}search/index.html?q=payload1"));
        urls.push(format!("{base}search/index.html?q=script"));
        for url in urls {
            pages += 1;
            b.events.clear();
            b.navigate(&url);
            if url.contains("?q=") {
                let _ = b.eval("new Promise(r => setTimeout(r, 400))");
            }
            let links = b.eval(ODD_LINKS);
            for href in links.as_array().into_iter().flatten() {
                odd_links.push(format!("{audience} {url}: {href}"));
            }
            // Click each of them, one at a time: a live `javascript:` link runs here, in the page
            // (a second click before the first one's navigation ran would cancel it).
            b.eval(
                "(async () => { for (const a of [...document.querySelectorAll('a[href], area[href]')]\
                 .filter(a => !['http:', 'https:', 'mailto:'].includes(a.protocol))) { \
                 a.click(); await new Promise(r => setTimeout(r, 40)); } })()",
            );
            let _ = b.eval("new Promise(r => setTimeout(r, 100))");
            // Calls of `__xss`, and scripts (not images) a policy had to stop.
            let log = b.eval(
                "(window.__xssLog || []).concat((window.__cspLog || []).filter(v => v.startsWith('script-src')))",
            );
            for hit in log.as_array().into_iter().flatten() {
                ran.push(format!("{audience} {url}: {}", describe(&sites.fields, hit)));
            }
            for e in &b.events {
                if let Some(text) = event_text(e)
                    && (text.contains("XSS-HIT")
                        || (text.contains("CSP-VIOLATION") && text.contains("script"))
                        || text.contains("Refused to execute")
                        || text.contains("Refused to run the JavaScript URL"))
                {
                    ran.push(format!("{audience} {url}: {text}"));
                }
            }
            // An inline script added now must be refused by the page's policy.
            let probe = b.eval(
                "(() => { const s = document.createElement('script'); s.textContent = 'window.__probe = 1'; \
                 document.head.appendChild(s); return window.__probe === 1; })()",
            );
            if probe == json!(true) {
                unblocked.push(format!("{audience} {url}"));
            }
            // The probe's own violation report is not the next page's business.
            let _ = b.eval("new Promise(r => setTimeout(r, 50))");
        }
    }
    ran.sort();
    ran.dedup();
    assert!(pages > 40, "only {pages} pages loaded");
    let mut failures = Vec::new();
    if !ran.is_empty() {
        failures.push(format!("{} payloads ran or were stopped only by a policy:\n{}", ran.len(), ran.join("\n")));
    }
    if !odd_links.is_empty() {
        failures.push(format!("{} links with a script-capable scheme:\n{}", odd_links.len(), odd_links.join("\n")));
    }
    if !unblocked.is_empty() {
        failures.push(format!(
            "{} pages run an injected inline script (no Content-Security-Policy blocks it), e.g. {}",
            unblocked.len(),
            unblocked.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn describe(fields: &Fields, hit: &Value) -> String {
    let text = hit.as_str().map_or_else(|| hit.to_string(), String::from);
    match text.trim().parse::<u64>() {
        Ok(n) => format!("__xss({n}) ran: {}", fields.name(n)),
        Err(_) => text,
    }
}

/// The text of a console or log event.
fn event_text(e: &Value) -> Option<String> {
    match e["method"].as_str()? {
        "Runtime.consoleAPICalled" => Some(
            e["params"]["args"]
                .as_array()?
                .iter()
                .map(|a| a["value"].as_str().map_or_else(|| a["description"].to_string(), String::from))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "Log.entryAdded" => Some(e["params"]["entry"]["text"].as_str()?.to_string()),
        "Page.javascriptDialogOpening" => Some(format!("XSS-HIT dialog {}", e["params"]["message"])),
        _ => None,
    }
}

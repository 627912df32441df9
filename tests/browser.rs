//! The static search in a real browser: the built example site served on localhost, headless
//! Chromium driven over the DevTools protocol (pipe transport, no driver binary), typing queries
//! into the search page and the header box and using the filters.

mod common;

use common::browser::{Browser, serve};
use serde_json::json;

const RESULT_TITLES: &str =
    "[...document.querySelectorAll('#cairn-search-results .search-result-title')].map(a => a.textContent)";

fn site() -> (common::Built, String) {
    let built = common::build_example(None);
    let url = serve(built.path(""));
    (built, url)
}

#[test]
#[ignore = "needs Chromium: run by .ci/run with --include-ignored"]
fn search_page_finds_as_you_type_highlights_and_filters() {
    let (built, url) = site();
    let page = built.html("search/index.html");
    let nojs = common::texts(&page, "#cairn-search-nojs").join(" ");
    assert!(nojs.contains("needs JavaScript") && nojs.contains("cairn search"), "{nojs}");
    assert_eq!(common::attrs(&page, "#cairn-search-nojs a", "href"), ["../incidents/"]);
    assert_eq!(common::attrs(&page, "form[data-search-page]", "hidden"), [""], "the form waits for JavaScript");
    let mut b = Browser::launch();
    b.open(&format!("{url}search/"));
    b.key("/");
    assert_eq!(b.eval("document.getElementById('cairn-search-nojs').hidden"), json!(true));
    assert_eq!(b.eval("document.activeElement.id"), json!("cairn-search-q"), "`/` focuses the search box");
    b.type_text("finality stall");
    let titles = b.wait_for(&format!("{RESULT_TITLES}.length > 1 && {RESULT_TITLES}"));
    let titles: Vec<&str> = titles.as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(titles[..2].contains(&"Finality stalled for 47 minutes on mainnet"), "{titles:?}");
    assert!(titles[..3].contains(&"Post-mortem: finality stall of 20 November"), "{titles:?}");
    let marks =
        b.eval("[...document.querySelectorAll('#cairn-search-results mark')].map(m => m.textContent.toLowerCase())");
    assert!(marks.as_array().unwrap().iter().any(|m| m == "finality"), "{marks}");
    assert_eq!(b.eval("new URLSearchParams(location.search).get('q')"), json!("finality stall"));

    b.eval("(() => { const s = document.querySelector('select[data-filter=kind]'); s.value = 'postmortem'; s.dispatchEvent(new Event('change')); })()");
    let kinds = b.wait_for(
        "(() => { const k = [...document.querySelectorAll('#cairn-search-results .search-result')].map(r => r.dataset.kind); \
         return k.length > 0 && k.every(x => x === 'postmortem') && k; })()",
    );
    assert_eq!(kinds, json!(["postmortem"]));
    assert_eq!(b.eval(&format!("{RESULT_TITLES}[0]")), json!("Post-mortem: finality stall of 20 November"));

    b.eval("(() => { const k = document.querySelector('select[data-filter=kind]'); k.value = ''; k.dispatchEvent(new Event('change')); \
            const c = document.querySelector('select[data-filter=component]'); c.value = 'block-explorer'; c.dispatchEvent(new Event('change')); })()");
    let titles = b.wait_for(&format!(
        "(() => {{ const t = {RESULT_TITLES}; return t.length > 0 && !t.includes('Post-mortem: finality stall of 20 November') && t; }})()"
    ));
    assert!(titles.as_array().unwrap().iter().all(|t| t != "Finality stalled for 47 minutes on mainnet"), "{titles}");
}

#[test]
#[ignore = "needs Chromium: run by .ci/run with --include-ignored"]
fn header_box_shows_results_on_any_page_and_the_page_reads_the_query_from_the_url() {
    let (_built, url) = site();
    let mut b = Browser::launch();
    b.open(&format!("{url}incidents/"));
    b.key("/");
    assert_eq!(b.eval("document.activeElement.id"), json!("cairn-site-search"));
    b.type_text("load balanc");
    let titles = b.wait_for(
        "[...document.querySelectorAll('.search-dropdown:not([hidden]) .search-result-title')].map(a => a.textContent)",
    );
    assert_eq!(titles[0], json!("RPC gateway load balancer migration"), "prefix of the last word matches: {titles}");
    b.key("ArrowDown");
    assert_eq!(b.eval("document.activeElement.textContent"), json!("RPC gateway load balancer migration"));
    b.key("Escape");
    assert_eq!(b.eval("document.querySelector('.search-dropdown').hidden"), json!(true));
    assert_eq!(b.eval("document.activeElement.id"), json!("cairn-site-search"));
    b.open(&format!("{url}search/?q=withdrawals+delayed&kind=incident"));
    let titles = b.wait_for(&format!("{RESULT_TITLES}.length > 0 && {RESULT_TITLES}"));
    assert_eq!(titles[0], json!("Ethereum bridge withdrawals delayed by up to 5 hours"));
    assert_eq!(b.eval("document.querySelector('select[data-filter=kind]').value"), json!("incident"));
}

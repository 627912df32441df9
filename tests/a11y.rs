//! Accessibility and layout in a real browser: axe-core (WCAG 2 A and AA, and best practice) on
//! every page kind of the public and internal example, in the light and the dark scheme, with no
//! console error; and where things land on the status home's first screen at 1280 × 800 and
//! 390 × 844. axe-core comes from the npm registry (`.ci/run` installs it into target/npm), or
//! from `AXE_CORE` (a path to axe.min.js).

mod common;

use common::browser::{Browser, serve};
use serde_json::{Value, json};
use std::path::PathBuf;

const IGNORE: &str = "needs Chromium and axe-core: run by .ci/run with --include-ignored";

fn axe_source() -> String {
    let path = std::env::var("AXE_CORE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| common::example_root().join("target/npm/node_modules/axe-core/axe.min.js"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{}: {e}; install it with `npm install --prefix target/npm axe-core@4.10.3`", path.display())
    })
}

/// One page of each kind (and the listings' variants) of the public build.
const PUBLIC_PAGES: &[&str] = &[
    "",
    "incidents/",
    "incidents/page/2/",
    "incidents/component/rpc-gateway/",
    "incidents/2026-11-26-rpc-gateway-degradation/",
    "incidents/2026-11-20-finality-stall/",
    "maintenance/",
    "maintenance/2026-12-03-v1-9-0-network-upgrade/",
    "maintenance/2026-11-04-rpc-gateway-lb-migration/",
    "postmortems/",
    "postmortems/finality-stall-2026-11-20/",
    "runbooks/",
    "runbooks/by-review/",
    "runbooks/exchange-guidance-chain-halt/",
    "runbooks/exchange-guidance-chain-halt/print/",
    "metrics/",
    "about/",
    "subscribe/",
    "search/?q=finalty",
    "404.html",
    "widget/index.html",
];

/// The kinds only the internal build has, and internal variants of the others.
const INTERNAL_PAGES: &[&str] = &[
    "",
    "incidents/2026-11-25-bridge-signer-timeouts/",
    "incidents/2026-11-20-finality-stall/",
    "matrices/",
    "matrices/decision-rights/",
    "matrices/disclosure/",
    "action-items/",
    "postmortems/attestation-verification-draft-2026-11/",
    "runbooks/finality-stall/",
    "runbooks/finality-stall/print/",
    "runbooks/by-component/consensus/",
    "metrics/",
    "search/?q=validator",
];

fn set_scheme(b: &mut Browser, dark: bool) {
    let value = if dark { "dark" } else { "light" };
    b.call("Emulation.setEmulatedMedia", json!({ "features": [{ "name": "prefers-color-scheme", "value": value }] }));
}

fn set_viewport(b: &mut Browser, width: u32, height: u32) {
    let mobile = width < 600;
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
    );
}

/// Opens `url` and waits until it has loaded and its scripts have run.
fn visit(b: &mut Browser, url: &str) {
    b.events.clear();
    b.call("Page.navigate", json!({ "url": url }));
    b.wait_for("document.readyState === 'complete'");
    std::thread::sleep(std::time::Duration::from_millis(400));
    b.eval("1");
}

/// Console errors, uncaught exceptions and failed loads seen since the last `visit`.
fn console_errors(b: &Browser) -> Vec<String> {
    b.events
        .iter()
        .filter_map(|e| match e["method"].as_str() {
            Some("Runtime.consoleAPICalled") if e["params"]["type"] == "error" => Some(e["params"]["args"].to_string()),
            Some("Runtime.exceptionThrown") => Some(e["params"]["exceptionDetails"].to_string()),
            Some("Log.entryAdded") if e["params"]["entry"]["level"] == "error" => {
                Some(format!("{} {}", e["params"]["entry"]["text"], e["params"]["entry"]["url"]))
            }
            _ => None,
        })
        .collect()
}

/// axe-core's violations on the open page, one line per rule and element.
fn violations(b: &mut Browser, axe: &str) -> Vec<String> {
    if b.eval("typeof axe") != json!("object") {
        b.eval(axe);
    }
    let result = b.eval(
        "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
           .then(r => r.violations.flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ') + ' — ' + n.failureSummary.split('\\n').slice(1, 2).join(''))))",
    );
    result
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect())
        .unwrap_or_default()
}

fn audit(audience: Option<&str>, pages: &[&str]) {
    let built = common::build_example(audience);
    let url = serve(built.path(""));
    let axe = axe_source();
    let mut b = Browser::launch();
    b.call("Runtime.enable", json!({}));
    b.call("Log.enable", json!({}));
    let mut problems = Vec::new();
    let mut audited = 0;
    for dark in [false, true] {
        set_scheme(&mut b, dark);
        for page in pages {
            visit(&mut b, &format!("{url}{page}"));
            let scheme = if dark { "dark" } else { "light" };
            for e in console_errors(&b) {
                problems.push(format!("/{page} ({scheme}) console: {e}"));
            }
            for v in violations(&mut b, &axe) {
                problems.push(format!("/{page} ({scheme}) {v}"));
            }
            audited += 1;
        }
    }
    assert_eq!(audited, pages.len() * 2);
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
#[ignore = "needs Chromium and axe-core: run by .ci/run with --include-ignored"]
fn public_pages_pass_axe_in_both_schemes_without_console_errors() {
    let _ = IGNORE;
    audit(None, PUBLIC_PAGES);
}

#[test]
#[ignore = "needs Chromium and axe-core: run by .ci/run with --include-ignored"]
fn internal_pages_pass_axe_in_both_schemes_without_console_errors() {
    audit(Some("internal"), INTERNAL_PAGES);
}

/// The box of the first element matching `selector`: `[top, bottom, left, width]`, or null.
fn rect(b: &mut Browser, selector: &str) -> Value {
    b.eval(&format!(
        "(() => {{ const e = document.querySelector({selector:?}); if (!e) return null; const r = e.getBoundingClientRect(); \
         return [r.top, r.bottom, r.left, r.width]; }})()"
    ))
}

#[test]
#[ignore = "needs Chromium and axe-core: run by .ci/run with --include-ignored"]
fn the_home_answers_the_first_questions_on_the_first_screen_at_both_widths() {
    let built = common::build_example(None);
    let url = serve(built.path(""));
    let mut b = Browser::launch();
    for (width, height) in [(1280u32, 800u32), (390, 844)] {
        set_viewport(&mut b, width, height);
        let mut header = Vec::new();
        for page in ["incidents/", "maintenance/2026-12-03-v1-9-0-network-upgrade/", "metrics/", ""] {
            visit(&mut b, &format!("{url}{page}"));
            let h = rect(&mut b, ".site-header");
            let brand = rect(&mut b, ".brand");
            header.push((h[1].as_f64().unwrap() - h[0].as_f64().unwrap(), brand[2].as_f64().unwrap()));
        }
        // One row, the same on every page: same height, brand at the same place.
        assert!(header.iter().all(|h| *h == header[0]), "{width}: header moves: {header:?}");
        assert!(header[0].0 <= 72.0, "{width}: the header is {} px tall", header[0].0);
        assert!(rect(&mut b, ".subscribe-menu summary")[1].as_f64().unwrap() <= 72.0, "{width}: Subscribe in the row");
        // Is it working, what is affected, what is being done, when is the next update.
        for (what, selector, need) in [
            ("overall status", ".overall-label", 0.0),
            ("affected components", ".overall-affected", 0.0),
            ("the open incident", "[data-live='incident-list'] .card-heading", 0.0),
            ("its latest update's status and time", "[data-live='incident-list'] .update-meta", 0.0),
            ("when the next update is due", "[data-live='incident-list'] .next-update", 0.0),
            ("what is being done (two lines of it)", "[data-live='incident-list'] .update-body", 48.0),
        ] {
            let r = rect(&mut b, selector);
            assert!(!r.is_null(), "{width}: no {what} ({selector})");
            let (top, bottom) = (r[0].as_f64().unwrap(), r[1].as_f64().unwrap());
            let visible_to = if need > 0.0 { top + need } else { bottom };
            assert!(
                top >= 0.0 && visible_to <= f64::from(height),
                "{width}×{height}: {what} is at {top:.0}–{bottom:.0}, below the first screen"
            );
        }
        // Nothing wider than the screen.
        let overflow = b.eval("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assert_eq!(overflow, json!(0), "{width}: the home scrolls sideways");
    }
}

//! Incremental rebuilds of `cairn serve` against full builds: a scripted series of edits (add,
//! change, rename, delete, break and fix, an internal block added to a public document, a
//! visibility change, a template, the configuration, a static file, components) is applied to
//! a copy of the example, and after each step the served folder of the public and of the
//! internal audience must equal, byte for byte, what `cairn build` writes for the repo as it
//! now is. Steps that touch only material the public may not see must not change one public
//! file; a local edit must remake few pages, a template edit only the pages made with it.

mod common;

use cairn::serve::rebuild::{Changes, Rebuilt, Served};
use common::*;
use std::collections::BTreeMap;
use std::path::Path;

const INCIDENT: &str = "content/incidents/2026-06-09-explorer-indexer-lag.md";

/// One audience's served site, beside the full builds it is compared with.
struct Audience {
    name: &'static str,
    served: Served,
}

fn served(root: &Path, name: &'static str) -> Audience {
    let opts = options(root, Some(name), None, now());
    let dir = root.join(".cairn").join("serve").join(name);
    let mut served = Served::new(opts, dir).unwrap();
    served.rebuild(&Changes::everything()).map_err(|p| format!("{p:?}")).unwrap();
    Audience { name, served }
}

/// What `cairn build` writes for `audience` of the repo as it is.
fn full_build(root: &Path, audience: &str) -> BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let mut opts = options(root, Some(audience), Some(&out.path().join("site")), now());
    opts.force = true;
    match cairn::pipeline::build(&opts, &|_, _| {}) {
        Ok(_) => tree(&out.path().join("site")),
        Err(cairn::pipeline::BuildError::Invalid(d)) => panic!("full build failed: {d:?}"),
        Err(_) => panic!("full build failed"),
    }
}

/// Panics naming the first files that differ.
#[track_caller]
fn assert_same(step: &str, audience: &str, served: &BTreeMap<String, Vec<u8>>, full: &BTreeMap<String, Vec<u8>>) {
    if served == full {
        return;
    }
    let only_served: Vec<_> = served.keys().filter(|k| !full.contains_key(*k)).take(5).collect();
    let only_full: Vec<_> = full.keys().filter(|k| !served.contains_key(*k)).take(5).collect();
    let differ: Vec<_> =
        served.iter().filter(|(k, v)| full.get(*k).is_some_and(|f| f != *v)).map(|(k, _)| k).take(5).collect();
    panic!(
        "step `{step}`, {audience}: the incremental site differs from a full build\n  only served: {only_served:?}\n  \
         only built: {only_full:?}\n  different bytes: {differ:?}"
    );
}

/// Applies `edit`, rebuilds both audiences with `changes`, and checks each against a full build;
/// returns what each rebuild did.
fn step(
    root: &Path,
    audiences: &mut [Audience],
    name: &str,
    changes: Changes,
    edit: impl FnOnce(&Path),
) -> Vec<Rebuilt> {
    edit(root);
    let mut done = Vec::new();
    for a in audiences.iter_mut() {
        let (rebuilt, _) = a.served.rebuild(&changes).unwrap_or_else(|p| panic!("step `{name}`, {}: {p:?}", a.name));
        assert_same(name, a.name, &tree(a.served.dir()), &full_build(root, a.name));
        done.push(rebuilt);
    }
    done
}

fn edit_file(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} holds `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

const NEW_INCIDENT: &str = "---
title: Sequencer paused block production
severity: sev3
impact: minor
components: [rpc-gateway]
visibility: public
started_at: 2026-11-25T08:00:00Z
resolved_at: 2026-11-25T09:00:00Z
updates:
  - at: 2026-11-25T08:10:00Z
    status: investigating
    body: We are looking into paused block production.
  - at: 2026-11-25T09:00:00Z
    status: resolved
    body: Block production resumed.
---
The sequencer paused for an hour. See [the explorer incident](@/incidents/2026-06-09-explorer-indexer-lag.md).
";

#[test]
fn incremental_rebuilds_equal_full_builds_after_every_edit() {
    let repo = example_copy();
    let root = repo.path();
    let mut audiences = vec![served(root, "public"), served(root, "internal")];
    for a in &audiences {
        assert_same("first build", a.name, &tree(a.served.dir()), &full_build(root, a.name));
    }
    let inputs = Changes { inputs: true, ..Changes::default() };

    let r = step(root, &mut audiences, "change a title", inputs.clone(), |root| {
        edit_file(root, INCIDENT, "title: Block explorer showed stale data for two hours", "title: Explorer lag");
    });
    for (a, r) in audiences.iter().zip(&r) {
        let total = a.served.site().unwrap().docs.len();
        assert!(r.written > 0 && r.rest, "{}: {r:?}", a.name);
        assert!(r.pages < total, "{}: a title remakes its page and those naming it, not all {total}", a.name);
    }

    step(root, &mut audiences, "add", inputs.clone(), |root| {
        std::fs::write(root.join("content/incidents/2026-11-25-sequencer-pause.md"), NEW_INCIDENT).unwrap();
    });
    step(root, &mut audiences, "rename", inputs.clone(), |root| {
        std::fs::rename(
            root.join("content/incidents/2026-11-25-sequencer-pause.md"),
            root.join("content/incidents/2026-11-25-sequencer-halt.md"),
        )
        .unwrap();
    });
    step(root, &mut audiences, "change a body", inputs.clone(), |root| {
        edit_file(
            root,
            "content/incidents/2026-11-25-sequencer-halt.md",
            "paused for an hour",
            "paused for 61 minutes",
        );
    });
    step(root, &mut audiences, "delete", inputs.clone(), |root| {
        std::fs::remove_file(root.join("content/incidents/2026-11-25-sequencer-halt.md")).unwrap();
    });

    // A broken edit leaves the last good site as it was; the fix brings the site up to date.
    let before: Vec<_> = audiences.iter().map(|a| tree(a.served.dir())).collect();
    edit_file(root, INCIDENT, "severity: sev4", "severity: [sev4");
    for (a, before) in audiences.iter_mut().zip(&before) {
        let Err(problems) = a.served.rebuild(&inputs) else { panic!("a broken front matter fails the build") };
        assert!(problems.iter().any(|p| p.is_error() && p.file == INCIDENT && p.line >= 4), "{problems:?}");
        assert_same("break", a.name, &tree(a.served.dir()), before);
    }
    step(root, &mut audiences, "fix", inputs.clone(), |root| {
        edit_file(root, INCIDENT, "severity: [sev4", "severity: sev4")
    });

    let r = step(root, &mut audiences, "internal block in a public document", inputs.clone(), |root| {
        let path = root.join(INCIDENT);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            format!("{text}\n:::internal\nOn-call note: rotate the indexer key, canary quiet-heron-41.\n:::\n"),
        )
        .unwrap();
    });
    assert_eq!((r[0].written, r[0].removed), (0, 0), "hidden material changes no public file: {:?}", r[0].paths);
    assert!(r[1].written > 0, "the internal site shows the block");

    step(root, &mut audiences, "visibility of a runbook", inputs.clone(), |root| {
        edit_file(root, "content/runbooks/hotfix-feature-flag.md", "visibility: operators", "visibility: public");
    });
    step(root, &mut audiences, "visibility of an incident", inputs.clone(), |root| {
        edit_file(root, INCIDENT, "visibility: public", "visibility: operators");
    });

    let r = step(root, &mut audiences, "template", inputs.clone(), |root| {
        let theme = example_root().join("themes/default/templates/maintenance.html");
        let text = std::fs::read_to_string(theme).unwrap();
        std::fs::create_dir_all(root.join("templates")).unwrap();
        std::fs::write(root.join("templates/maintenance.html"), text.replacen("</", "<!-- edited --></", 1)).unwrap();
    });
    for (a, r) in audiences.iter().zip(&r) {
        let site = a.served.site().unwrap();
        let windows = site.docs.iter().filter(|d| d.kind == cairn::model::Kind::Maintenance).count();
        assert_eq!(r.pages, windows, "{}: a page template remakes the pages made with it", a.name);
    }

    // A template that parses but fails to render: nothing of the new site is written.
    let before: Vec<_> = audiences.iter().map(|a| tree(a.served.dir())).collect();
    edit_file(root, "templates/maintenance.html", "<!-- edited -->", "{{ no_such_value.field }}");
    for (a, before) in audiences.iter_mut().zip(&before) {
        let Err(problems) = a.served.rebuild(&inputs) else { panic!("{}: an unknown value fails the page", a.name) };
        assert!(problems.iter().any(|p| p.is_error() && p.code == "template"), "{problems:?}");
        assert_same("render error", a.name, &tree(a.served.dir()), before);
    }
    step(root, &mut audiences, "template fixed", inputs.clone(), |root| {
        edit_file(root, "templates/maintenance.html", "{{ no_such_value.field }}", "<!-- edited -->");
    });

    step(root, &mut audiences, "components", inputs.clone(), |root| {
        edit_file(root, "content/components.yaml", "name: ", "name: The ");
    });
    step(root, &mut audiences, "static file", Changes { assets: true, ..Changes::default() }, |root| {
        std::fs::create_dir_all(root.join("static")).unwrap();
        std::fs::write(root.join("static/contact.txt"), "security@example.org\n").unwrap();
    });
    step(root, &mut audiences, "configuration", Changes { config: true, ..Changes::default() }, |root| {
        edit_file(root, "cairn.yaml", "title: Example Network Status", "title: EXN Status");
    });
    let r = step(root, &mut audiences, "nothing", inputs.clone(), |_| {});
    assert!(r.iter().all(|r| r.written == 0 && r.removed == 0 && r.pages == 0 && !r.rest), "{r:?}");
}

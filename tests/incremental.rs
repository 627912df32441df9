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
        let Err((problems, _)) = a.served.rebuild(&inputs) else { panic!("a broken front matter fails the build") };
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
        let Err((problems, _)) = a.served.rebuild(&inputs) else {
            panic!("{}: an unknown value fails the page", a.name)
        };
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

/// Changes to `files` (below the root), as the watch reports them.
fn changed(files: &[&str]) -> Changes {
    Changes { inputs: true, files: files.iter().map(|f| f.to_string()).collect(), ..Changes::default() }
}

/// Applies `edit`, then for each audience runs the quick pass (with the pages at `open` open in
/// a browser) and checks every page it wrote against a full build of the repo as it now is,
/// then rebuilds, checks the whole site again, and checks that the rebuild rewrote none of the
/// quick pass's pages. Returns the paths each quick pass wrote (`None`: it did not apply).
fn quick_step(
    root: &Path,
    audiences: &mut [Audience],
    name: &str,
    files: &[&str],
    open: &[&str],
    edit: impl FnOnce(&Path),
) -> Vec<Option<Vec<String>>> {
    edit(root);
    let changes = changed(files);
    let open: Vec<String> = open.iter().map(|p| p.to_string()).collect();
    let mut out = Vec::new();
    for a in audiences.iter_mut() {
        let quick = a.served.quick(&changes, &open);
        let full = full_build(root, a.name);
        if let Some(q) = &quick {
            let served = tree(a.served.dir());
            for path in &q.paths {
                assert!(
                    served.get(path) == full.get(path),
                    "step `{name}`, {}: the quick pass wrote {path} unlike a full build",
                    a.name
                );
            }
        }
        let (rebuilt, _) = a.served.rebuild(&changes).unwrap_or_else(|p| panic!("step `{name}`, {}: {p:?}", a.name));
        assert_same(name, a.name, &tree(a.served.dir()), &full);
        if let Some(q) = &quick {
            assert!(
                q.paths.iter().all(|p| !rebuilt.paths.contains(p)),
                "step `{name}`, {}: the rebuild rewrote a page of the quick pass: {:?} / {:?}",
                a.name,
                q.paths,
                rebuilt.paths
            );
        }
        out.push(quick.map(|q| q.paths));
    }
    out
}

fn page_of(a: &Audience, source: &str) -> String {
    let site = a.served.site().unwrap();
    let doc = site.docs.iter().find(|d| d.source == Path::new(source)).expect("the document is in the site");
    format!("{}index.html", doc.path)
}

#[test]
fn the_quick_pass_writes_what_a_full_build_writes_or_nothing() {
    let repo = example_copy();
    let root = repo.path();
    let mut audiences = vec![served(root, "public"), served(root, "internal")];
    let page = page_of(&audiences[0], INCIDENT);
    let open = format!("/{}", page.trim_end_matches("index.html"));

    // A sentence of the body: the document's page, at once, for both audiences.
    let q = quick_step(root, &mut audiences, "body sentence", &[INCIDENT], &[], |root| {
        edit_file(root, INCIDENT, "Blocks, balances and transaction submission", "Blocks, balances and submission");
    });
    assert_eq!(q, vec![Some(vec![page.clone()]), Some(vec![page.clone()])]);

    // An internal block in the body: nothing for the public, the page for the internal site.
    let q = quick_step(root, &mut audiences, "internal block", &[INCIDENT], &[], |root| {
        let text = std::fs::read_to_string(root.join(INCIDENT)).unwrap();
        std::fs::write(root.join(INCIDENT), format!("{text}\n:::internal\nKey rotated, canary tidal-owl-7.\n:::\n"))
            .unwrap();
    });
    assert_eq!(q, vec![Some(vec![]), Some(vec![page.clone()])], "hidden text changes no public page");

    // What the quick pass cannot prove goes to the rebuild alone.
    let q = quick_step(root, &mut audiences, "front matter", &[INCIDENT], &[], |root| {
        edit_file(root, INCIDENT, "severity: sev4", "severity: sev3");
    });
    assert_eq!(q, vec![None, None], "a front matter edit is not patched");
    let q = quick_step(root, &mut audiences, "new link", &[INCIDENT], &[], |root| {
        edit_file(
            root,
            INCIDENT,
            "were not affected.",
            "were not affected (see [guidance](@/runbooks/exchange-guidance-chain-halt.md)).",
        );
    });
    assert_eq!(q, vec![None, None], "a new link changes backlinks elsewhere");
    let q = quick_step(root, &mut audiences, "new heading", &[INCIDENT], &[], |root| {
        let text = std::fs::read_to_string(root.join(INCIDENT)).unwrap();
        std::fs::write(root.join(INCIDENT), format!("{text}\n## Follow-up\n\nNone.\n")).unwrap();
    });
    assert_eq!(q, vec![None, None], "a new heading is an anchor others may link to");
    let q = quick_step(
        root,
        &mut audiences,
        "new file",
        &["content/incidents/2026-11-25-sequencer-pause.md"],
        &[],
        |root| {
            std::fs::write(root.join("content/incidents/2026-11-25-sequencer-pause.md"), NEW_INCIDENT).unwrap();
        },
    );
    assert_eq!(q, vec![None, None], "a new document is resolved with the rest");

    // A post-mortem: a sentence goes quick; an emptied required section fails the build, and
    // the quick pass, which checks the sections too, writes nothing of it.
    const POSTMORTEM: &str = "content/postmortems/finality-stall-2026-11-20.md";
    let pm_page = page_of(&audiences[0], POSTMORTEM);
    let q = quick_step(root, &mut audiences, "post-mortem sentence", &[POSTMORTEM], &[], |root| {
        edit_file(root, POSTMORTEM, "no validator was jailed or slashed", "no validator was jailed, none slashed");
    });
    assert_eq!(q, vec![Some(vec![pm_page.clone()]), Some(vec![pm_page.clone()])]);
    let text = std::fs::read_to_string(root.join(POSTMORTEM)).unwrap();
    let (head, tail) = text.split_once("## Impact\n").unwrap();
    let emptied = format!("{head}## Impact\n\n## Timeline{}", tail.split_once("## Timeline").unwrap().1);
    std::fs::write(root.join(POSTMORTEM), emptied).unwrap();
    for a in audiences.iter_mut() {
        assert!(a.served.quick(&changed(&[POSTMORTEM]), &[]).is_none(), "{}: an empty section is a problem", a.name);
        let Err((problems, restored)) = a.served.rebuild(&changed(&[POSTMORTEM])) else { panic!("empty section") };
        assert!(problems.iter().any(|p| p.code == "empty-section"), "{problems:?}");
        assert!(restored.is_empty());
    }
    std::fs::write(root.join(POSTMORTEM), text).unwrap();
    for a in audiences.iter_mut() {
        a.served.rebuild(&changed(&[POSTMORTEM])).unwrap_or_else(|p| panic!("{p:?}"));
        assert_same("post-mortem fixed", a.name, &tree(a.served.dir()), &full_build(root, a.name));
    }

    // A page template: the pages open in a browser first.
    std::fs::create_dir_all(root.join("templates")).unwrap();
    let theme = std::fs::read_to_string(example_root().join("themes/default/templates/incident.html")).unwrap();
    let q = quick_step(root, &mut audiences, "template", &["templates/incident.html"], &[&open, "/nowhere/"], |root| {
        std::fs::write(root.join("templates/incident.html"), theme.replacen("</", "<!-- edited --></", 1)).unwrap();
    });
    assert_eq!(q, vec![Some(vec![page.clone()]), Some(vec![page.clone()])]);

    // A rebuild that fails after the quick pass puts back what the pass wrote.
    let before: Vec<_> = audiences.iter().map(|a| tree(a.served.dir())).collect();
    let home = std::fs::read_to_string(example_root().join("themes/default/templates/index.html")).unwrap();
    std::fs::write(root.join("templates/incident.html"), theme.replacen("</", "<!-- again --></", 1)).unwrap();
    std::fs::write(root.join("templates/index.html"), home.replacen("</", "{{ no_such_value.field }}</", 1)).unwrap();
    let changes = changed(&["templates/incident.html", "templates/index.html"]);
    for (a, before) in audiences.iter_mut().zip(&before) {
        let quick = a.served.quick(&changes, std::slice::from_ref(&open)).expect("the incident template renders");
        assert_eq!(quick.paths, vec![page.clone()]);
        let Err((problems, restored)) = a.served.rebuild(&changes) else { panic!("the home template fails") };
        assert!(problems.iter().any(|p| p.is_error() && p.code == "template"), "{problems:?}");
        assert_eq!(restored, vec![page.clone()]);
        assert_same("put back", a.name, &tree(a.served.dir()), before);
        // While the build is broken, the inputs are not those of the site served: no quick pass.
        assert!(a.served.quick(&changed(&[INCIDENT]), std::slice::from_ref(&open)).is_none());
    }
    std::fs::remove_file(root.join("templates/index.html")).unwrap();
    for a in audiences.iter_mut() {
        a.served.rebuild(&changed(&["templates/index.html"])).unwrap_or_else(|p| panic!("{p:?}"));
        assert_same("fixed", a.name, &tree(a.served.dir()), &full_build(root, a.name));
    }
}

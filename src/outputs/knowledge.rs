//! Pages for responders and reviewers: the runbooks index with one static page per sort order
//! and filter (no JavaScript needed), a printable view of each runbook, and the action items page.

use super::OutputFile;
use super::pages::{base_context, file_for};
use crate::diagnostics::Diagnostic;
use crate::model::Date;
use crate::render::{Renderer, root_prefix};
use crate::site::Site;
use crate::view::{self, RunbookListItem, runbook_list};
use serde::Serialize;
use std::collections::BTreeMap;

/// One link of the runbook index's filter or sort bar.
#[derive(Serialize)]
struct Choice {
    label: String,
    path: String,
    count: usize,
    current: bool,
}

#[derive(Serialize)]
struct Facet {
    name: String,
    choices: Vec<Choice>,
}

/// A page of the runbook index: which runbooks, in which order, under which heading.
struct IndexPage {
    path: String,
    heading: Option<String>,
    by_review: bool,
    keep: Box<dyn Fn(&RunbookListItem) -> bool>,
}

/// The id of an owner in a path.
fn owner_id(owner: &str) -> String {
    crate::text::slugify(owner)
}

pub fn files(site: &Site, r: &Renderer) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut push = |res: Result<OutputFile, Diagnostic>| match res {
        Ok(f) => files.push(f),
        Err(d) => problems.push(d),
    };
    if !site.runbooks.is_empty() {
        for page in index_pages(site) {
            push(runbook_index(site, r, &page));
        }
        for rb in &site.runbooks {
            push(print_view(site, r, rb));
        }
    }
    if crate::site::action_items_page(site) {
        push(action_items(site, r));
    }
    (files, problems)
}

fn index_pages(site: &Site) -> Vec<IndexPage> {
    let all = runbook_list(site);
    let mut pages = vec![
        IndexPage { path: "runbooks/".into(), heading: None, by_review: false, keep: Box::new(|_| true) },
        IndexPage {
            path: "runbooks/by-review/".into(),
            heading: Some(site.config.messages.text("runbooks.overdue_first")),
            by_review: true,
            keep: Box::new(|_| true),
        },
    ];
    let mut components = BTreeMap::new();
    let mut types = BTreeMap::new();
    let mut owners = BTreeMap::new();
    for rb in &all {
        components.extend(rb.components.iter().map(|c| (c.id.clone(), c.name.clone())));
        types.extend(rb.incident_types.iter().map(|t| (t.id.clone(), t.label.clone())));
        owners.extend(rb.owners.iter().map(|o| (owner_id(o), o.clone())));
    }
    for (id, name) in components {
        let key = id.clone();
        pages.push(IndexPage {
            path: format!("runbooks/by-component/{id}/"),
            heading: Some(site.config.messages.format("runbooks.by_component", None, &[("name", &name)])),
            by_review: false,
            keep: Box::new(move |rb| rb.components.iter().any(|c| c.id == key)),
        });
    }
    for (id, label) in types {
        let key = id.clone();
        pages.push(IndexPage {
            path: format!("runbooks/by-type/{id}/"),
            heading: Some(site.config.messages.format("runbooks.by_type", None, &[("name", &label)])),
            by_review: false,
            keep: Box::new(move |rb| rb.incident_types.iter().any(|t| t.id == key)),
        });
    }
    for (id, name) in owners {
        let key = id.clone();
        pages.push(IndexPage {
            path: format!("runbooks/by-owner/{id}/"),
            heading: Some(site.config.messages.format("runbooks.by_owner", None, &[("name", &name)])),
            by_review: false,
            keep: Box::new(move |rb| rb.owners.iter().any(|o| owner_id(o) == key)),
        });
    }
    pages
}

fn facets(site: &Site, all: &[RunbookListItem], current: &str) -> Vec<Facet> {
    let mut components: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut types: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut owners: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for rb in all {
        for c in &rb.components {
            components.entry(c.id.clone()).or_insert((c.name.clone(), 0)).1 += 1;
        }
        for t in &rb.incident_types {
            types.entry(t.id.clone()).or_insert((t.label.clone(), 0)).1 += 1;
        }
        for o in &rb.owners {
            owners.entry(owner_id(o)).or_insert((o.clone(), 0)).1 += 1;
        }
    }
    let choices = |prefix: &str, map: BTreeMap<String, (String, usize)>| -> Vec<Choice> {
        map.into_iter()
            .map(|(id, (label, count))| {
                let path = format!("runbooks/{prefix}/{id}/");
                Choice { current: path == current, label, path, count }
            })
            .collect()
    };
    vec![
        Facet {
            name: site.config.messages.text("runbooks.facet.component"),
            choices: choices("by-component", components),
        },
        Facet { name: site.config.messages.text("runbooks.facet.type"), choices: choices("by-type", types) },
        Facet { name: site.config.messages.text("runbooks.facet.owner"), choices: choices("by-owner", owners) },
    ]
}

fn runbook_index(site: &Site, r: &Renderer, page: &IndexPage) -> Result<OutputFile, Diagnostic> {
    let all = runbook_list(site);
    let facets = facets(site, &all, &page.path);
    let mut list: Vec<RunbookListItem> = all.into_iter().filter(|rb| (page.keep)(rb)).collect();
    if page.by_review {
        list.sort_by_key(|rb| (rb.due.is_none(), rb.due.unwrap_or(Date::MIN)));
    }
    let sorts = vec![
        Choice {
            label: site.config.messages.text("runbooks.sort.title"),
            path: "runbooks/".into(),
            count: 0,
            current: page.path == "runbooks/",
        },
        Choice {
            label: site.config.messages.text("runbooks.sort.review_due"),
            path: "runbooks/by-review/".into(),
            count: 0,
            current: page.path == "runbooks/by-review/",
        },
    ];
    let mut ctx = base_context(site, &page.path, "runbooks", &site.config.messages.text("nav.runbooks"));
    ctx.insert("root", &root_prefix(&page.path));
    ctx.insert("overdue_count", &list.iter().filter(|rb| rb.overdue_days.is_some()).count());
    ctx.insert("runbooks", &list);
    ctx.insert("facets", &facets);
    ctx.insert("sorts", &sorts);
    ctx.insert("filter", &page.heading);
    Ok(OutputFile::new(file_for(&page.path), r.render("runbooks.html", &ctx, &page.path)?.into_bytes()))
}

fn print_view(site: &Site, r: &Renderer, rb: &crate::site::ResolvedRunbook) -> Result<OutputFile, Diagnostic> {
    let doc = site.doc(rb.doc);
    let path = format!("{}print/", doc.path);
    let root = root_prefix(&path);
    let mut ctx = base_context(site, &path, "runbooks", &doc.title);
    ctx.insert("title", &doc.title);
    ctx.insert("back", &doc.path);
    ctx.insert("content", &view::markdown_html(site, doc, &doc.body, &root).0);
    ctx.insert("runbook", &view::runbook_detail(site, rb, &root));
    Ok(OutputFile::new(file_for(&path), r.render("runbook_print.html", &ctx, &path)?.into_bytes()))
}

fn action_items(site: &Site, r: &Renderer) -> Result<OutputFile, Diagnostic> {
    let (groups, total, overdue) = view::action_items_by_owner(site);
    let path = "action-items/";
    let mut ctx = base_context(site, path, "action-items", &site.config.messages.text("nav.action_items"));
    ctx.insert("owners", &groups);
    ctx.insert("open_count", &total);
    ctx.insert("overdue_count", &overdue);
    Ok(OutputFile::new(file_for(path), r.render("action_items.html", &ctx, path)?.into_bytes()))
}

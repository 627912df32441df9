//! HTML pages: one per visible document, the section listings, the status home and the 404 page.
//! Document pages render in parallel; the output order is fixed by path.

use super::OutputFile;
use crate::diagnostics::Diagnostic;
use crate::model::Kind;
use crate::render::context::*;
use crate::render::markdown::{self, MarkdownOptions, TocEntry};
use crate::render::{Renderer, root_prefix};
use crate::site::{Doc, DocId, Phase, Site};
use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

#[derive(Serialize)]
struct PageView {
    title: String,
    path: String,
    kind: &'static str,
    content: String,
    toc: Vec<TocEntry>,
    backlinks: Vec<DocRef>,
    source: String,
    edit_url: Option<String>,
    history_url: Option<String>,
    visibility: String,
    restricted: bool,
    summary: Option<String>,
}

/// The context every page starts from.
pub(super) fn base_context(site: &Site, path: &str, section: &str, title: &str) -> Context {
    let mut ctx = Context::new();
    ctx.insert("root", &root_prefix(path));
    ctx.insert("section", section);
    let page_title =
        if title.is_empty() { site.config.title.clone() } else { format!("{title} · {}", site.config.title) };
    ctx.insert("page_title", &page_title);
    ctx.insert("canonical", &format!("{}/{}", site.config.base_url, path));
    ctx
}

pub(super) fn file_for(path: &str) -> String {
    format!("{path}index.html")
}

fn page_view(site: &Site, doc: &Doc, root: &str) -> PageView {
    let rendered =
        markdown::render(&doc.body, &MarkdownOptions { links: &doc.links, root, raw_html: site.config.raw_html });
    let source = crate::diagnostics::display_path(&doc.source);
    let repo = site.config.repo_url.as_ref().filter(|_| !site.is_public());
    PageView {
        title: doc.title.clone(),
        path: doc.path.clone(),
        kind: doc.kind.singular(),
        content: rendered.html,
        toc: rendered.toc,
        backlinks: doc_refs(site, &doc.backlinks),
        edit_url: repo.map(|r| format!("{r}/blob/main/{source}")),
        history_url: repo.map(|r| format!("{r}/commits/main/{source}")),
        source,
        visibility: site.config.audiences.name(doc.visibility).to_string(),
        restricted: doc.visibility > 0,
        summary: doc.summary.clone(),
    }
}

fn section_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Page => "page",
        other => other.as_str(),
    }
}

/// Renders the page of one document.
fn document_page(site: &Site, r: &Renderer, id: DocId) -> Result<OutputFile, Diagnostic> {
    let doc = site.doc(id);
    let root = root_prefix(&doc.path);
    let mut ctx = base_context(site, &doc.path, section_of(doc.kind), &doc.title);
    ctx.insert("page", &page_view(site, doc, &root));
    let template = match doc.kind {
        Kind::Incident => {
            let inc = &site.incidents[site.slot(id)];
            ctx.insert("incident", &super::views::incident_detail(site, inc, &root));
            "incident.html"
        }
        Kind::Postmortem => {
            let pm = &site.postmortems[site.slot(id)];
            ctx.insert("postmortem", &super::views::postmortem_detail(site, pm, &root));
            "postmortem.html"
        }
        Kind::Runbook => {
            let rb = &site.runbooks[site.slot(id)];
            ctx.insert("runbook", &super::views::runbook_detail(site, rb, &root));
            "runbook.html"
        }
        Kind::Matrix => {
            let m = &site.matrices[site.slot(id)];
            ctx.insert("matrix", &super::views::matrix_detail(site, m, &root));
            "matrix.html"
        }
        Kind::Maintenance => {
            let m = &site.maintenance[site.slot(id)];
            ctx.insert("maintenance", &super::views::maintenance_detail(site, m, &root));
            "maintenance.html"
        }
        Kind::Page => "page.html",
    };
    let html = r.render(template, &ctx, &doc.path)?;
    Ok(OutputFile::new(file_for(&doc.path), html.into_bytes()))
}

#[derive(Serialize)]
struct GroupView {
    id: String,
    name: String,
    components: Vec<ComponentRef>,
}

fn listing(
    site: &Site,
    r: &Renderer,
    kind: Kind,
    template: &str,
    title: &str,
    fill: impl FnOnce(&mut Context),
) -> Result<OutputFile, Diagnostic> {
    let path = format!("{}/", kind.as_str());
    let mut ctx = base_context(site, &path, section_of(kind), title);
    fill(&mut ctx);
    Ok(OutputFile::new(file_for(&path), r.render(template, &ctx, &path)?.into_bytes()))
}

fn home(site: &Site, r: &Renderer) -> Result<OutputFile, Diagnostic> {
    let mut ctx = base_context(site, "", "status", "");
    let mut groups: Vec<GroupView> = site
        .groups
        .iter()
        .map(|g| GroupView {
            id: g.id.clone(),
            name: g.name.clone(),
            components: site
                .components
                .iter()
                .filter(|c| c.group.as_deref() == Some(g.id.as_str()))
                .filter_map(|c| component_ref(site, &c.id))
                .collect(),
        })
        .collect();
    let ungrouped: Vec<ComponentRef> = site
        .components
        .iter()
        .filter(|c| c.group.as_ref().is_none_or(|g| !site.groups.iter().any(|x| &x.id == g)))
        .filter_map(|c| component_ref(site, &c.id))
        .collect();
    if !ungrouped.is_empty() {
        groups.push(GroupView { id: "other".into(), name: "Other services".into(), components: ungrouped });
    }
    groups.retain(|g| !g.components.is_empty());
    ctx.insert("components_by_group", &groups);
    let open: Vec<IncidentSummary> =
        site.incidents.iter().filter(|i| i.is_open).map(|i| incident_summary(site, i, "")).collect();
    ctx.insert("open_incidents", &open);
    let recent: Vec<IncidentSummary> =
        site.incidents.iter().filter(|i| !i.is_open).take(10).map(|i| incident_summary(site, i, "")).collect();
    ctx.insert("recent_incidents", &recent);
    let phase = |p: Phase| -> Vec<MaintenanceSummary> {
        site.maintenance.iter().filter(|m| m.phase == p).map(|m| maintenance_summary(site, m)).collect()
    };
    ctx.insert("active_maintenance", &phase(Phase::Active));
    ctx.insert("upcoming_maintenance", &phase(Phase::Upcoming));
    let intro = site.home_intro.map(|id| {
        let doc = site.doc(id);
        markdown::render(&doc.body, &MarkdownOptions { links: &doc.links, root: "", raw_html: site.config.raw_html })
            .html
    });
    ctx.insert("intro_html", &intro);
    ctx.insert("history", &super::history::component_history(site, ""));
    ctx.insert("history_days", &site.config.history_days);
    ctx.insert(
        "major_weight_percent",
        &((super::history::downtime_weight(crate::model::Impact::Major) * 100.0).round() as u32),
    );
    Ok(OutputFile::new("index.html".into(), r.render("index.html", &ctx, "index.html")?.into_bytes()))
}

fn not_found(site: &Site, r: &Renderer) -> Result<OutputFile, Diagnostic> {
    let mut ctx = base_context(site, "", "none", "Page not found");
    // The 404 page is served at any depth: link from the site's absolute path.
    let base_path = site.config.base_url.splitn(4, '/').nth(3).unwrap_or("");
    let root = if base_path.is_empty() { "/".to_string() } else { format!("/{}/", base_path.trim_end_matches('/')) };
    ctx.insert("root", &root);
    Ok(OutputFile::new("404.html".into(), r.render("404.html", &ctx, "404.html")?.into_bytes()))
}

/// Every HTML page of the site. Document pages, the bulk, go to `sink` as they are rendered (so
/// they are never all held in memory); the home, 404 and listing pages are returned.
pub fn render_all(
    site: &Site,
    r: &Renderer,
    progress: &(dyn Fn() + Sync),
    sink: &super::Sink<'_>,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let docs: Vec<DocId> = (0..site.docs.len()).filter(|id| site.doc(*id).has_page()).collect();
    let mut problems: Vec<Diagnostic> = docs
        .par_iter()
        .filter_map(|id| {
            let out = document_page(site, r, *id).and_then(sink);
            progress();
            out.err()
        })
        .collect();
    // The history pages beside the few other pages: the home page alone works out every
    // component's day bars, and made after the history it kept one core idle at the end.
    let (history_problems, (files, others_problems)) = rayon::join(
        || {
            // Streamed as they are rendered: at 10,000 incidents the history is 25 MB of HTML.
            if site.count(Kind::Incident) > 0 { super::history::pages(site, r, sink) } else { Vec::new() }
        },
        || other_pages(site, r),
    );
    problems.extend(history_problems);
    problems.extend(others_problems);
    (files, problems)
}

/// The home page, the 404 page and the listings of the smaller sections.
fn other_pages(site: &Site, r: &Renderer) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut files = Vec::with_capacity(8);
    let mut push = |res: Result<OutputFile, Diagnostic>| match res {
        Ok(f) => files.push(f),
        Err(d) => problems.push(d),
    };
    push(home(site, r));
    push(not_found(site, r));
    if site.count(Kind::Postmortem) > 0 {
        push(listing(site, r, Kind::Postmortem, "postmortems.html", "Post-mortems", |ctx| {
            ctx.insert("postmortems", &super::views::postmortem_list(site));
        }));
    }
    if site.count(Kind::Matrix) > 0 {
        push(listing(site, r, Kind::Matrix, "matrices.html", "Decision matrices", |ctx| {
            ctx.insert("matrices", &super::views::matrix_list(site));
        }));
    }
    if site.count(Kind::Maintenance) > 0 {
        push(listing(site, r, Kind::Maintenance, "maintenances.html", "Maintenance", |ctx| {
            let phase = |p: Phase| -> Vec<MaintenanceSummary> {
                site.maintenance.iter().filter(|m| m.phase == p).map(|m| maintenance_summary(site, m)).collect()
            };
            ctx.insert("upcoming", &phase(Phase::Upcoming));
            ctx.insert("active", &phase(Phase::Active));
            let mut past = phase(Phase::Past);
            past.reverse();
            ctx.insert("past", &past);
        }));
    }
    (files, problems)
}

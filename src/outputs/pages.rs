//! HTML pages: one per visible document, the section listings, the status home and the 404 page.
//! Document pages render in parallel; the output order is fixed by path.

use super::OutputFile;
use crate::diagnostics::Diagnostic;
use crate::model::Kind;
use crate::render::{Renderer, root_prefix};
use crate::site::{DocId, Phase, Site};
use crate::view;
use rayon::prelude::*;
use tera::Context;

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
    ctx.insert("page", &view::page_view(site, doc, &root));
    let slot = site.slot(id);
    match doc.kind {
        Kind::Incident => ctx.insert("incident", &view::incident_detail(site, &site.incidents[slot], &root)),
        Kind::Postmortem => ctx.insert("postmortem", &view::postmortem_detail(site, &site.postmortems[slot], &root)),
        Kind::Runbook => ctx.insert("runbook", &view::runbook_detail(site, &site.runbooks[slot], &root)),
        Kind::Matrix => ctx.insert("matrix", &view::matrix_detail(site, &site.matrices[slot], &root)),
        Kind::Maintenance => ctx.insert("maintenance", &view::maintenance_detail(site, &site.maintenance[slot], &root)),
        Kind::Page => {}
    }
    let template = super::deps::page_template(doc.kind);
    let html = r.render(template, &ctx, &doc.path)?;
    Ok(OutputFile::new(file_for(&doc.path), html.into_bytes()))
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
    ctx.insert("components_by_group", &view::components_by_group(site));
    ctx.insert("open_incidents", &view::incident_summaries(site, site.incidents.iter().filter(|i| i.is_open), ""));
    let recent = site.incidents.iter().filter(|i| !i.is_open).take(10);
    ctx.insert("recent_incidents", &view::incident_summaries(site, recent, ""));
    ctx.insert("active_maintenance", &view::maintenance_in(site, Phase::Active));
    ctx.insert("upcoming_maintenance", &view::maintenance_in(site, Phase::Upcoming));
    let intro = site.home_intro.map(|id| {
        let doc = site.doc(id);
        view::markdown_html(site, doc, &doc.body, "").0
    });
    ctx.insert("intro_html", &intro);
    ctx.insert("history", &view::component_history(site, ""));
    ctx.insert("history_days", &site.config.history_days);
    ctx.insert("recent_days", &i64::from(site.config.history_days.max(1)).min(view::RECENT_DAYS));
    ctx.insert("major_weight_percent", &((view::downtime_weight(crate::model::Impact::Major) * 100.0).round() as u32));
    Ok(OutputFile::new("index.html".into(), r.render("index.html", &ctx, "index.html")?.into_bytes()))
}

fn not_found(site: &Site, r: &Renderer) -> Result<OutputFile, Diagnostic> {
    let mut ctx = base_context(site, "", "none", &site.config.messages.text("notfound.title"));
    // The 404 page is served at any depth: link from the site's absolute path.
    let base_path = site.config.base_url.splitn(4, '/').nth(3).unwrap_or("");
    let root = if base_path.is_empty() { "/".to_string() } else { format!("/{}/", base_path.trim_end_matches('/')) };
    ctx.insert("root", &root);
    Ok(OutputFile::new("404.html".into(), r.render("404.html", &ctx, "404.html")?.into_bytes()))
}

/// Every HTML page of the site. Document pages, the bulk, go to `sink` as they are rendered (so
/// they are never all held in memory); the home, 404 and listing pages are returned.
/// Only the pages in `selection` are made.
pub fn render_all(
    site: &Site,
    r: &Renderer,
    selection: &super::Selection,
    progress: &(dyn Fn() + Sync),
    sink: &super::Sink<'_>,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let docs: Vec<DocId> =
        (0..site.docs.len()).filter(|id| site.doc(*id).has_page() && selection.has_page(*id)).collect();
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
    if !selection.rest {
        return (Vec::new(), problems);
    }
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
        push(listing(
            site,
            r,
            Kind::Postmortem,
            "postmortems.html",
            &site.config.messages.text("nav.postmortems"),
            |ctx| {
                ctx.insert("postmortems", &view::postmortem_list(site));
            },
        ));
    }
    if site.count(Kind::Matrix) > 0 {
        push(listing(site, r, Kind::Matrix, "matrices.html", &site.config.messages.text("nav.matrices"), |ctx| {
            ctx.insert("matrices", &view::matrix_list(site));
        }));
    }
    if site.count(Kind::Maintenance) > 0 {
        push(listing(
            site,
            r,
            Kind::Maintenance,
            "maintenances.html",
            &site.config.messages.text("nav.maintenance"),
            |ctx| {
                ctx.insert("upcoming", &view::maintenance_in(site, Phase::Upcoming));
                ctx.insert("active", &view::maintenance_in(site, Phase::Active));
                let mut past = view::maintenance_in(site, Phase::Past);
                past.reverse();
                ctx.insert("past", &past);
            },
        ));
    }
    (files, problems)
}

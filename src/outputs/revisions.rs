//! Pages of documents' git history: the history page of each runbook, post-mortem, matrix and
//! incident in the most trusted build (every commit, with a diff to the current text), and in
//! the other builds the amendment log of each incident and post-mortem whose published text was
//! changed, plus the site-wide list of them (`amendments/`). All streamed to the sink.

use super::OutputFile;
use super::pages::{base_context, file_for};
use crate::diagnostics::Diagnostic;
use crate::render::{Renderer, root_prefix};
use crate::site::Site;
use crate::view;
use rayon::prelude::*;
use serde::Serialize;

fn history_page(site: &Site, r: &Renderer, id: usize) -> Option<Result<OutputFile, Diagnostic>> {
    let doc = site.doc(id);
    let path = view::history_page(site, doc)?;
    let page = view::history_view(site, doc)?;
    let mut ctx = base_context(
        site,
        &path,
        doc.kind.as_str(),
        &site.config.messages.format("revisions.history_of", None, &[("title", &doc.title)]),
    );
    ctx.insert("history", &page);
    Some(r.render("history.html", &ctx, &path).map(|html| OutputFile::new(file_for(&path), html.into_bytes())))
}

fn amendment_page(site: &Site, r: &Renderer, id: usize) -> Option<Result<OutputFile, Diagnostic>> {
    let doc = site.doc(id);
    let path = view::amendment_page(site, doc)?;
    let page = view::amendment_view(site, doc)?;
    let mut ctx = base_context(
        site,
        &path,
        doc.kind.as_str(),
        &site.config.messages.format("revisions.amendments_to", None, &[("title", &doc.title)]),
    );
    ctx.insert("amendments", &page);
    Some(r.render("amendments.html", &ctx, &path).map(|html| OutputFile::new(file_for(&path), html.into_bytes())))
}

/// One amended document in the site-wide list.
#[derive(Serialize)]
struct Amended {
    #[serde(flatten)]
    doc: view::DocRef,
    log: String,
    history: view::PageHistory,
}

/// The site-wide list of amended documents, most recently amended first.
fn amendment_index(site: &Site, r: &Renderer) -> Option<Result<OutputFile, Diagnostic>> {
    if site.most_trusted || !site.stamp.history {
        return None;
    }
    let mut list: Vec<(Option<crate::model::Timestamp>, Amended)> = site
        .docs
        .iter()
        .filter_map(|doc| {
            let log = view::amendment_page(site, doc)?;
            let when = doc.history.as_ref()?.amended()?.time;
            Some((when, Amended { doc: view::doc_ref(doc), log, history: view::page_history(site, doc)? }))
        })
        .collect();
    list.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.doc.path.cmp(&b.1.doc.path)));
    let path = "amendments/";
    let mut ctx = base_context(site, path, "amendments", &site.config.messages.text("revisions.amendments"));
    ctx.insert("amended", &list.into_iter().map(|(_, a)| a).collect::<Vec<_>>());
    ctx.insert("disclosures_path", &format!("{}api/disclosures.json", root_prefix(path)));
    Some(r.render("amendment_log.html", &ctx, path).map(|html| OutputFile::new(file_for(path), html.into_bytes())))
}

/// Every history page and amendment log, streamed to `sink`; the problems met.
pub fn pages(site: &Site, r: &Renderer, sink: &super::Sink<'_>) -> Vec<Diagnostic> {
    let mut problems: Vec<Diagnostic> = (0..site.docs.len())
        .into_par_iter()
        .flat_map_iter(|id| [history_page(site, r, id), amendment_page(site, r, id)].into_iter().flatten())
        .filter_map(|res| res.and_then(sink).err())
        .collect();
    if let Some(res) = amendment_index(site, r) {
        problems.extend(res.and_then(sink).err());
    }
    problems
}

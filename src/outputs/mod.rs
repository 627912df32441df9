//! Stage 4, outputs: every artefact of a site, each family a function of the resolved `Site`.
//! Every output is streamed to the staging directory as soon as it is made.

mod assets;
mod badges;
mod calendar;
pub mod conflicts;
pub mod deps;
mod disclosures;
mod favicon;
mod feeds;
mod history;
mod knowledge;
mod metrics;
mod pages;
mod redirects;
mod revisions;
mod search;
pub mod searchable;

pub use search::{Terms, is_stop_word};
mod sitemap;
mod stamp;
mod statusapi;
mod widget;

use crate::diagnostics::Diagnostic;
use crate::render::Renderer;
use crate::site::Site;
use std::path::Path;
use std::sync::Mutex;

/// One file of the built site: a `/`-separated path relative to the output root, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(path: String, bytes: Vec<u8>) -> OutputFile {
        OutputFile { path, bytes }
    }
}

/// Which outputs a (re)build makes. A build makes all of them; the dev server makes only those
/// whose inputs changed (see [`deps`]), and the pages of the documents being edited first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The pages of these documents (ids of the Site built), or of every document when `None`.
    pub pages: Option<std::collections::BTreeSet<crate::site::DocId>>,
    /// Everything that is not the page of one document: static files, the home, listings,
    /// history, status API, feeds, calendar, badges, widget, metrics, print views, sitemap,
    /// build stamp and the static search index.
    pub rest: bool,
}

impl Selection {
    /// Every output: what `cairn build` makes.
    pub fn all() -> Selection {
        Selection { pages: None, rest: true }
    }

    /// Nothing at all.
    pub fn none() -> Selection {
        Selection { pages: Some(Default::default()), rest: false }
    }

    /// Whether the page of document `id` is selected.
    pub fn has_page(&self, id: crate::site::DocId) -> bool {
        self.pages.as_ref().is_none_or(|p| p.contains(&id))
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        !self.rest && self.pages.as_ref().is_some_and(|p| p.is_empty())
    }
}

/// Where streamed outputs go: the staging directory, in a build. A failure comes back as a
/// diagnostic naming the file.
pub type Sink<'a> = dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync + 'a;

/// Writes every file of `site` to `sink` and returns how many there were. `root` is the repo root
/// (for theme overrides and `static/`); `docs` is what search sees of the site and `terms` its
/// words; `progress` is
/// called once per document page rendered. Every output is streamed as soon as it is made, so
/// no family of outputs is held in memory whole; two outputs with the same path are an error.
pub fn build_all(
    site: &Site,
    root: &Path,
    docs: &[searchable::SearchDoc],
    terms: &Terms,
    progress: &(dyn Fn() + Sync),
    sink: &Sink<'_>,
    clock: &crate::timings::Clock,
) -> (usize, Vec<Diagnostic>) {
    let globals = crate::view::globals(site);
    let renderer =
        match Renderer::new(root, &site.config.theme, site.config.theme_pos, &globals, site.config.messages.clone()) {
            Ok(r) => r,
            Err(problems) => return (0, problems),
        };
    build_selected(site, root, &renderer, &Selection::all(), docs, terms, progress, sink, clock)
}

/// [`build_all`] for the outputs in `selection` only, through `renderer` (made for this `site`:
/// its globals are the site's). `docs` and `terms` are used only when `selection.rest`. Two
/// selected outputs with the same path are an error; a clash with an output not selected is
/// not seen (the dev server selects everything when paths may have moved).
#[allow(clippy::too_many_arguments)]
pub fn build_selected(
    site: &Site,
    root: &Path,
    renderer: &Renderer,
    selection: &Selection,
    docs: &[searchable::SearchDoc],
    terms: &Terms,
    progress: &(dyn Fn() + Sync),
    sink: &Sink<'_>,
    clock: &crate::timings::Clock,
) -> (usize, Vec<Diagnostic>) {
    let taken: Mutex<conflicts::Taken> = Mutex::new(conflicts::Taken::default());
    // Who writes each page, for the message of a clash only: worked out at the first one.
    let page_sources = std::sync::OnceLock::new();
    let emit = |file: OutputFile| -> Result<(), Diagnostic> {
        let held = taken.lock().map_or(Ok(()), |mut t| t.take(&file.path));
        if let Err(holder) = held {
            // Name every file the user wrote that goes there: a static file, documents, aliases.
            let sources: Vec<std::path::PathBuf> = [file.path.as_str(), holder.as_str()]
                .iter()
                .flat_map(|path| {
                    let user_file = Path::new("static").join(path);
                    root.join(&user_file).is_file().then_some(user_file).into_iter().chain(
                        page_sources
                            .get_or_init(|| conflicts::page_sources(site))
                            .get(*path)
                            .into_iter()
                            .flatten()
                            .cloned(),
                    )
                })
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            return Err(conflicts::diagnostic(&file.path, &sources));
        }
        sink(file)
    };
    let mut problems = Vec::new();
    let put = |files: Vec<OutputFile>, problems: &mut Vec<Diagnostic>| {
        for file in files {
            if let Err(d) = emit(file) {
                problems.push(d);
            }
        }
    };
    // Static files first, so a clash with a generated file is reported at the generated one.
    if selection.rest {
        let (files, more) = assets::files(site, root);
        put(files, &mut problems);
        problems.extend(more);
    }
    // The pages on one side, everything else on the other: the smaller families are mostly
    // sequential, and running them beside the pages keeps both cores busy to the end.
    let (page_problems, other_problems) = rayon::join(
        || {
            clock.time("pages", || {
                let (files, mut problems) = pages::render_all(site, renderer, selection, progress, &emit);
                put(files, &mut problems);
                problems
            })
        },
        || {
            let mut problems = Vec::new();
            if !selection.rest {
                return problems;
            }
            let families =
                clock.time("knowledge, metrics", || [knowledge::files(site, renderer), metrics::files(site, renderer)]);
            for (files, more) in families {
                put(files, &mut problems);
                problems.extend(more);
            }
            let small = [sitemap::sitemap(site), sitemap::robots(site), stamp::stamp(site), calendar::file(site)];
            put(small.into(), &mut problems);
            put(disclosures::file(site).into_iter().collect(), &mut problems);
            problems.extend(clock.time("history pages", || revisions::pages(site, renderer, &emit)));
            clock.time("status api, feeds", || {
                put(statusapi::files(site), &mut problems);
                put(feeds::files(site), &mut problems);
            });
            put(redirects::files(site), &mut problems);
            put(badges::files(site), &mut problems);
            put(vec![favicon::file(site)], &mut problems);
            put(widget::files(site), &mut problems);
            if let Err(d) = clock.time("static search", || search::files(site, renderer, docs, terms, &emit)) {
                problems.push(d);
            }
            problems
        },
    );
    problems.extend(page_problems);
    problems.extend(other_problems);
    let count = taken.into_inner().map_or(0, |t| t.len());
    (count, problems)
}

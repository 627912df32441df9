//! The incident history by month, paginated, with static filter pages per component and per
//! impact. (The day bars of the status home are a view: `crate::view::component_history`.)

use super::OutputFile;
use crate::diagnostics::Diagnostic;
use crate::model::Impact;
use crate::render::{Renderer, root_prefix};
use crate::site::{ResolvedIncident, Site};
use crate::view::{IncidentSummary, MONTHS_PER_PAGE, incident_summary, months, page_path};
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;

#[derive(Serialize)]
struct MonthView<'a> {
    id: String,
    label: String,
    incidents: Vec<Cow<'a, IncidentSummary>>,
}

#[derive(Serialize)]
struct PageLink {
    number: usize,
    path: String,
    current: bool,
}

#[derive(Serialize)]
struct FilterLink {
    label: String,
    path: String,
    current: bool,
}

/// One listing of the incident history: all incidents, or those of one component or impact.
struct Listing<'a> {
    base: String,
    label: Option<String>,
    incidents: Vec<&'a ResolvedIncident>,
}

/// Every incident history page: `incidents/`, `incidents/page/N/`, and the same under
/// `incidents/component/<id>/` and `incidents/impact/<impact>/`.
pub fn pages(site: &Site, r: &Renderer, sink: &super::Sink<'_>) -> Vec<Diagnostic> {
    let mut listings =
        vec![Listing { base: "incidents/".into(), label: None, incidents: site.incidents.iter().collect() }];
    for (id, c) in site.components.iter().enumerate() {
        let list: Vec<&ResolvedIncident> = site.incidents.iter().filter(|i| i.components.contains(&id)).collect();
        listings.push(Listing {
            base: format!("incidents/component/{}/", c.id),
            label: Some(c.name.clone()),
            incidents: list,
        });
    }
    for impact in [Impact::Critical, Impact::Major, Impact::Minor, Impact::None] {
        let list: Vec<&ResolvedIncident> = site.incidents.iter().filter(|i| i.impact == impact).collect();
        listings.push(Listing {
            base: format!("incidents/impact/{}/", impact.as_str()),
            label: Some(site.config.messages.format(
                "incidents.impact_filter",
                None,
                &[("impact", &site.config.messages.text(impact.message_key()))],
            )),
            incidents: list,
        });
    }
    let filters = |current: &str, root: &str| -> (Vec<FilterLink>, Vec<FilterLink>) {
        let link =
            |label: String, base: String| FilterLink { current: base == current, path: format!("{root}{base}"), label };
        let components =
            site.components.iter().map(|c| link(c.name.clone(), format!("incidents/component/{}/", c.id))).collect();
        let impacts = [Impact::Critical, Impact::Major, Impact::Minor, Impact::None]
            .iter()
            .map(|i| link(site.config.messages.text(i.message_key()), format!("incidents/impact/{}/", i.as_str())))
            .collect();
        (components, impacts)
    };
    // Each incident is listed three or four times (all, its components, its impact); its
    // summary is made once, in parallel before any page, unless it links to other pages (then
    // it depends on the page's root). Made on demand instead, the pages that needed the same
    // summary at once waited for each other.
    let made: Vec<(IncidentSummary, bool)> =
        site.incidents.par_iter().map(|inc| incident_summary(site, inc, "", None)).collect();
    // Borrowed when made once: serialized straight from the memo, not copied for each page.
    let summary = |inc: &ResolvedIncident, root: &str| -> Cow<'_, IncidentSummary> {
        let (cached, rooted) = &made[site.slot(inc.doc)];
        if *rooted { Cow::Owned(incident_summary(site, inc, root, None).0) } else { Cow::Borrowed(cached) }
    };
    listings.par_iter().flat_map_iter(|listing| listing_pages(site, r, listing, &filters, &summary, sink)).collect()
}

/// An incident's summary on a page at `root`.
type Summary<'a> = dyn for<'i> Fn(&'i ResolvedIncident, &str) -> Cow<'a, IncidentSummary> + Sync + 'a;

/// The filter links (by component, by impact) of a page at `root`, marking the current one.
type Filters<'a> = dyn Fn(&str, &str) -> (Vec<FilterLink>, Vec<FilterLink>) + Sync + 'a;

/// Renders the pages of one history listing into `sink`; the problems found.
fn listing_pages(
    site: &Site,
    r: &Renderer,
    listing: &Listing<'_>,
    filters: &Filters<'_>,
    summary: &Summary<'_>,
    sink: &super::Sink<'_>,
) -> Vec<Diagnostic> {
    let month_list = months(&listing.incidents);
    let chunks: Vec<&[(String, Vec<&ResolvedIncident>)]> =
        if month_list.is_empty() { vec![&[]] } else { month_list.chunks(MONTHS_PER_PAGE).collect() };
    // The listing of all incidents is a long run of pages: its pages render in parallel too.
    chunks
        .par_iter()
        .enumerate()
        .filter_map(|(n, chunk)| {
            let path = page_path(&listing.base, n);
            let root = root_prefix(&path);
            let title = match &listing.label {
                None => site.config.messages.text("incidents.history"),
                Some(l) => site.config.messages.format("incidents.history_of", None, &[("what", l)]),
            };
            let mut ctx = super::pages::base_context(site, &path, "incidents", &title);
            let months: Vec<MonthView> = chunk
                .iter()
                .map(|(key, incidents)| {
                    let (y, m) = key.split_once('-').unwrap_or(("", "1"));
                    let month: usize = m.parse().unwrap_or(1);
                    MonthView {
                        id: key.clone(),
                        label: site.config.messages.format(
                            "time.month_year",
                            None,
                            &[
                                (
                                    "month",
                                    site.config.messages.months.get(month.clamp(1, 12) - 1).map_or("", String::as_str),
                                ),
                                ("year", y),
                            ],
                        ),
                        incidents: incidents.iter().map(|i| summary(i, &root)).collect(),
                    }
                })
                .collect();
            let open: Vec<Cow<'_, IncidentSummary>> = if n == 0 {
                listing.incidents.iter().filter(|i| i.is_open).map(|i| summary(i, &root)).collect()
            } else {
                Vec::new()
            };
            let pagination: Vec<PageLink> = (0..chunks.len())
                .map(|k| PageLink {
                    number: k + 1,
                    path: format!("{root}{}", page_path(&listing.base, k)),
                    current: k == n,
                })
                .collect();
            let (component_filters, impact_filters) = filters(&listing.base, &root);
            let feed = match listing.base.strip_prefix("incidents/component/") {
                Some(id) => format!("{root}feeds/components/{}", id.trim_end_matches('/')),
                None => format!("{root}feeds/incidents"),
            };
            ctx.insert("feed", &feed);
            ctx.insert("history_title", &title);
            ctx.insert("filter_label", &listing.label);
            ctx.insert("all_path", &format!("{root}incidents/"));
            ctx.insert("total", &listing.incidents.len());
            ctx.insert("open_incidents", &open);
            ctx.insert("months", &months);
            ctx.insert("pagination", &pagination);
            ctx.insert("component_filters", &component_filters);
            ctx.insert("impact_filters", &impact_filters);
            r.render("incidents.html", &ctx, &path)
                .and_then(|html| sink(OutputFile::new(format!("{path}index.html"), html.into_bytes())))
                .err()
        })
        .collect()
}

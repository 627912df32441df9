//! Incident history: the per-component day bars and uptime of the status home, and the incident
//! history by month, paginated, with static filter pages per component and per impact.

use super::OutputFile;
use crate::diagnostics::Diagnostic;
use crate::model::{Impact, Timestamp};
use crate::render::context::{IncidentSummary, incident_summary, incident_summary_rooted};
use crate::render::{Renderer, root_prefix};
use crate::site::{ResolvedIncident, Site};
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use time::{Duration, Time};

/// Months of incidents per history page.
pub const MONTHS_PER_PAGE: usize = 3;

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Share of an incident's duration counted as downtime, by impact (the footnote on the page says so).
pub fn downtime_weight(impact: Impact) -> f64 {
    match impact {
        Impact::Critical => 1.0,
        Impact::Major => 0.3,
        Impact::Minor | Impact::None => 0.0,
    }
}

#[derive(Serialize)]
pub struct DayCell {
    date: String,
    /// Worst impact that day, `ok` when no incident touched it.
    level: &'static str,
    text: String,
    href: Option<String>,
    /// One of the last 30 days, which narrow screens keep.
    recent: bool,
}

#[derive(Serialize)]
pub struct ComponentHistory {
    days: Vec<DayCell>,
    uptime: String,
    incidents: usize,
    summary: String,
}

fn span(inc: &ResolvedIncident, now: Timestamp) -> (Timestamp, Timestamp) {
    (inc.source.started_at, inc.source.resolved_at.unwrap_or(now).max(inc.source.started_at))
}

fn month_key(t: Timestamp) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}", t.year(), t.month() as u8)
}

/// The incidents grouped by the month they started in, newest first (the order of the history
/// pages). Incidents arrive newest first, so each month is one run: one pass, one key each.
fn months<'a>(incidents: &[&'a ResolvedIncident]) -> Vec<(String, Vec<&'a ResolvedIncident>)> {
    let mut out: Vec<(String, Vec<&ResolvedIncident>)> = Vec::new();
    for inc in incidents {
        let key = month_key(inc.source.started_at);
        match out.last_mut() {
            Some((last, list)) if *last == key => list.push(inc),
            _ => out.push((key, vec![inc])),
        }
    }
    out
}

/// Site path of page `n` (0-based) of a history listing rooted at `base` (`incidents/`).
fn page_path(base: &str, n: usize) -> String {
    if n == 0 { base.to_string() } else { format!("{base}page/{}/", n + 1) }
}

/// The day bars and uptime of every visible component over `history_days`, keyed by component id.
pub fn component_history(site: &Site, root: &str) -> BTreeMap<String, ComponentHistory> {
    let days = site.config.history_days.max(1) as i64;
    let today = site.now.to_offset(time::UtcOffset::UTC).date();
    let first = today - Duration::days(days - 1);
    let window_start = first.with_time(Time::MIDNIGHT).assume_utc();
    let window = (site.now - window_start).as_seconds_f64().max(1.0);
    let all: Vec<&ResolvedIncident> = site.incidents.iter().collect();
    let month_list: Vec<String> = months(&all).into_iter().map(|(key, _)| key).collect();
    let mut out = BTreeMap::new();
    for c in &site.components {
        let touching: Vec<&ResolvedIncident> =
            site.incidents.iter().filter(|i| i.source.components.contains(&c.id)).collect();
        let mut downtime = 0.0;
        let mut counted = 0;
        for inc in &touching {
            let (a, b) = span(inc, site.now);
            let (a, b) = (a.max(window_start), b.min(site.now));
            if b > a {
                counted += 1;
                downtime += (b - a).as_seconds_f64() * downtime_weight(inc.source.impact);
            }
        }
        // Only incidents overlapping the window can colour a day of it.
        let in_window: Vec<&ResolvedIncident> =
            touching.iter().copied().filter(|i| span(i, site.now).1 >= window_start).collect();
        let cells = (0..days)
            .map(|d| {
                let day = first + Duration::days(d);
                let start = day.with_time(Time::MIDNIGHT).assume_utc();
                let end = start + Duration::days(1);
                let that_day: Vec<&&ResolvedIncident> = in_window
                    .iter()
                    .filter(|i| {
                        let (a, b) = span(i, site.now);
                        a < end && b >= start
                    })
                    .collect();
                let label = crate::render::context::date_view(day).display;
                let worst = that_day.iter().map(|i| i.source.impact).max();
                let text = match that_day.len() {
                    0 => format!("{label}: no incidents"),
                    n => format!(
                        "{label}: {} ({})",
                        if n == 1 { "1 incident".to_string() } else { format!("{n} incidents") },
                        that_day.iter().map(|i| site.doc(i.doc).title.as_str()).collect::<Vec<_>>().join("; ")
                    ),
                };
                let href = match that_day.as_slice() {
                    [] => None,
                    [one] => Some(format!("{root}{}", site.doc(one.doc).path)),
                    [newest, ..] => {
                        let key = month_key(newest.source.started_at);
                        let page = month_list.iter().position(|m| *m == key).unwrap_or(0) / MONTHS_PER_PAGE;
                        Some(format!("{root}{}#month-{key}", page_path("incidents/", page)))
                    }
                };
                let iso_day = crate::render::context::date_view(day).iso;
                DayCell { date: iso_day, level: worst.map_or("ok", |w| w.as_str()), text, href, recent: days - d <= 30 }
            })
            .collect();
        let uptime = 100.0 * (1.0 - (downtime / window).min(1.0));
        let uptime = format!("{:.2}", (uptime * 100.0).floor() / 100.0);
        let summary = format!(
            "{uptime}% uptime over the last {days} days, {counted} incident{}",
            if counted == 1 { "" } else { "s" }
        );
        out.insert(c.id.clone(), ComponentHistory { days: cells, uptime, incidents: counted, summary });
    }
    out
}

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
    for c in &site.components {
        let list: Vec<&ResolvedIncident> =
            site.incidents.iter().filter(|i| i.source.components.contains(&c.id)).collect();
        listings.push(Listing {
            base: format!("incidents/component/{}/", c.id),
            label: Some(c.name.clone()),
            incidents: list,
        });
    }
    for impact in [Impact::Critical, Impact::Major, Impact::Minor, Impact::None] {
        let list: Vec<&ResolvedIncident> = site.incidents.iter().filter(|i| i.source.impact == impact).collect();
        listings.push(Listing {
            base: format!("incidents/impact/{}/", impact.as_str()),
            label: Some(format!("{} impact", impact.label())),
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
            .map(|i| link(i.label().to_string(), format!("incidents/impact/{}/", i.as_str())))
            .collect();
        (components, impacts)
    };
    // Each incident is listed three or four times (all, its components, its impact); its
    // summary is made once, in parallel before any page, unless it links to other pages (then
    // it depends on the page's root). Made on demand instead, the pages that needed the same
    // summary at once waited for each other.
    let made: Vec<(IncidentSummary, bool)> =
        site.incidents.par_iter().map(|inc| incident_summary_rooted(site, inc, "")).collect();
    // Borrowed when made once: serialized straight from the memo, not copied for each page.
    let summary = |inc: &ResolvedIncident, root: &str| -> Cow<'_, IncidentSummary> {
        let (cached, rooted) = &made[site.slot(inc.doc)];
        if *rooted { Cow::Owned(incident_summary(site, inc, root)) } else { Cow::Borrowed(cached) }
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
                None => "Incident history".to_string(),
                Some(l) => format!("Incident history: {l}"),
            };
            let mut ctx = super::pages::base_context(site, &path, "incidents", &title);
            let months: Vec<MonthView> = chunk
                .iter()
                .map(|(key, incidents)| {
                    let (y, m) = key.split_once('-').unwrap_or(("", "1"));
                    let month: usize = m.parse().unwrap_or(1);
                    MonthView {
                        id: key.clone(),
                        label: format!("{} {y}", MONTH_NAMES[month.clamp(1, 12) - 1]),
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

//! The history of each component on the status home: one bar per day over `history_days`, the
//! worst impact of each day, and the uptime over the window. Also how incidents are grouped by
//! month into the pages of the incident history, which the day bars link to.

use super::time::date_view;
use crate::model::{Impact, Timestamp};
use crate::site::{ResolvedIncident, Site};
use serde::Serialize;
use std::collections::BTreeMap;
use time::{Duration, Time};

/// Months of incidents per history page.
pub const MONTHS_PER_PAGE: usize = 3;

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

/// When an incident's impact lasted: from its start to its resolution, or to `now` while open.
fn span(inc: &ResolvedIncident, now: Timestamp) -> (Timestamp, Timestamp) {
    (inc.started_at, inc.resolved_at.unwrap_or(now).max(inc.started_at))
}

pub fn month_key(t: Timestamp) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}", t.year(), t.month() as u8)
}

/// The incidents grouped by the month they started in, newest first (the order of the history
/// pages). Incidents arrive newest first, so each month is one run: one pass, one key each.
pub fn months<'a>(incidents: &[&'a ResolvedIncident]) -> Vec<(String, Vec<&'a ResolvedIncident>)> {
    let mut out: Vec<(String, Vec<&ResolvedIncident>)> = Vec::new();
    for inc in incidents {
        let key = month_key(inc.started_at);
        match out.last_mut() {
            Some((last, list)) if *last == key => list.push(inc),
            _ => out.push((key, vec![inc])),
        }
    }
    out
}

/// Site path of page `n` (0-based) of a history listing rooted at `base` (`incidents/`).
pub fn page_path(base: &str, n: usize) -> String {
    if n == 0 { base.to_string() } else { format!("{base}page/{}/", n + 1) }
}

/// The latest moment the calendar holds, for spans that would run past it.
fn end_of_time() -> Timestamp {
    time::PrimitiveDateTime::MAX.assume_utc()
}

/// The day bars and uptime of every visible component over `history_days`, keyed by component id.
/// Date arithmetic is checked throughout: a build at the edge of the calendar (`--now
/// 9999-12-31T23:59:59Z`) shows fewer days rather than failing.
pub fn component_history(site: &Site, root: &str) -> BTreeMap<String, ComponentHistory> {
    let days = i64::from(site.config.history_days.max(1));
    let today = site.now.to_offset(time::UtcOffset::UTC).date();
    let first = today.checked_sub(Duration::days(days - 1)).unwrap_or(time::Date::MIN);
    let window_start = first.with_time(Time::MIDNIGHT).assume_utc();
    let window = (site.now - window_start).as_seconds_f64().max(1.0);
    let all: Vec<&ResolvedIncident> = site.incidents.iter().collect();
    let month_list: Vec<String> = months(&all).into_iter().map(|(key, _)| key).collect();
    let day_list: Vec<time::Date> =
        (0..days).map_while(|d| first.checked_add(Duration::days(d))).take_while(|d| *d <= today).collect();
    let mut out = BTreeMap::new();
    for (id, c) in site.components.iter().enumerate() {
        let touching: Vec<&ResolvedIncident> = site.incidents.iter().filter(|i| i.components.contains(&id)).collect();
        let mut downtime = 0.0;
        let mut counted = 0;
        for inc in &touching {
            let (a, b) = span(inc, site.now);
            let (a, b) = (a.max(window_start), b.min(site.now));
            if b > a {
                counted += 1;
                downtime += (b - a).as_seconds_f64() * downtime_weight(inc.impact);
            }
        }
        // Only incidents overlapping the window can colour a day of it.
        let in_window: Vec<&ResolvedIncident> =
            touching.iter().copied().filter(|i| span(i, site.now).1 >= window_start).collect();
        let total = day_list.len() as i64;
        let cells = day_list
            .iter()
            .enumerate()
            .map(|(d, day)| {
                let start = day.with_time(Time::MIDNIGHT).assume_utc();
                let end = start.checked_add(Duration::days(1)).unwrap_or_else(end_of_time);
                let that_day: Vec<&&ResolvedIncident> = in_window
                    .iter()
                    .filter(|i| {
                        let (a, b) = span(i, site.now);
                        a < end && b >= start
                    })
                    .collect();
                let label = date_view(*day).display;
                let worst = that_day.iter().map(|i| i.impact).max();
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
                        let key = month_key(newest.started_at);
                        let page = month_list.iter().position(|m| *m == key).unwrap_or(0) / MONTHS_PER_PAGE;
                        Some(format!("{root}{}#month-{key}", page_path("incidents/", page)))
                    }
                };
                DayCell {
                    date: date_view(*day).iso,
                    level: worst.map_or("ok", |w| w.as_str()),
                    text,
                    href,
                    recent: total - d as i64 <= 30,
                }
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

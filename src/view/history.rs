//! The history of each component on the status home: one bar per day over `history_days`, and
//! the uptime over the window, both computed from *impact windows*: an incident weighs on the
//! components it names from `started_at` to `contained_at` (or `resolved_at`, or the build's now
//! while neither is known), by the weight of its impact; maintenance windows and manual
//! overrides are shown but never counted. Also how incidents are grouped by month into the pages
//! of the incident history, which the day bars link to.

use super::time::{date_view, human_duration};
use crate::model::{ComponentStatus, Impact, Timestamp};
use crate::site::{ComponentId, Phase, ResolvedIncident, Site, status_impact};
use serde::Serialize;
use std::collections::BTreeMap;
use time::{Duration, Time};

/// Months of incidents per history page.
pub const MONTHS_PER_PAGE: usize = 3;

/// Days of history narrow screens show (the latest ones).
pub const RECENT_DAYS: i64 = 30;

/// Share of an impact window counted as downtime, by impact (the page states the method).
pub fn downtime_weight(impact: Impact) -> f64 {
    match impact {
        Impact::Critical => 1.0,
        Impact::Major => 0.3,
        Impact::Minor | Impact::None => 0.0,
    }
}

/// When an incident weighed on its components: from its start to its containment, else its
/// resolution, else `now` (still open and not contained).
pub fn impact_window(inc: &ResolvedIncident, now: Timestamp) -> (Timestamp, Timestamp) {
    let end = inc.contained_at.or(inc.resolved_at).unwrap_or(now);
    (inc.started_at, end.max(inc.started_at))
}

/// Stretches of time, each with the impact an incident recorded for a component over it.
type Spans = Vec<(Timestamp, Timestamp, Impact)>;

/// How an incident weighed on one component: within its impact window, the state it recorded for
/// the component from each moment on, as impacts (degraded: minor, partial outage: major, major
/// outage: critical). Empty when the incident does not name the component.
pub fn component_intervals(
    inc: &ResolvedIncident,
    component: ComponentId,
    now: Timestamp,
) -> Vec<(Timestamp, Timestamp, Impact)> {
    let (from, to) = impact_window(inc, now);
    let Some(impact) = inc.impacts.iter().find(|i| i.component == component) else { return Vec::new() };
    let segments = &impact.segments;
    segments
        .iter()
        .enumerate()
        .filter_map(|(k, (start, state))| {
            let end = segments.get(k + 1).map_or(to, |(next, _)| (*next).min(to));
            let start = (*start).max(from);
            (start <= end && start <= to).then_some((start, end, status_impact(*state)))
        })
        .collect()
}

/// Seconds of downtime in `[from, to)` from weighted intervals: at each instant the heaviest
/// interval counts, so overlapping incidents are not counted twice.
pub fn weighted_downtime(intervals: &[(Timestamp, Timestamp, f64)], from: Timestamp, to: Timestamp) -> f64 {
    let mut edges: Vec<Timestamp> = vec![from, to];
    for (a, b, w) in intervals {
        if *w > 0.0 && *b > from && *a < to {
            edges.push((*a).max(from));
            edges.push((*b).min(to));
        }
    }
    edges.sort();
    edges.dedup();
    edges
        .windows(2)
        .map(|pair| {
            let (a, b) = (pair[0], pair[1]);
            let heaviest =
                intervals.iter().filter(|(s, e, _)| *s <= a && *e >= b).map(|(_, _, w)| *w).fold(0.0, f64::max);
            (b - a).as_seconds_f64() * heaviest
        })
        .sum()
}

#[derive(Serialize)]
pub struct DayCell {
    date: String,
    /// Worst impact that day (`minor`, `major`, `critical`), else `maintenance` when a window
    /// ran that day, else `ok`. An incident without impact leaves the day `ok`.
    level: &'static str,
    text: String,
    href: Option<String>,
    /// One of the last `RECENT_DAYS` days, which narrow screens keep.
    recent: bool,
}

#[derive(Serialize)]
pub struct ComponentHistory {
    days: Vec<DayCell>,
    /// Uptime over the whole window, floored to two decimals ("99.96").
    uptime: String,
    /// Uptime over the last `RECENT_DAYS` days (what narrow screens show).
    uptime_recent: String,
    recent_days: i64,
    /// Incidents with an impact window in the whole window.
    incidents: usize,
    /// Downtime counted over the window, in words ("47 min"), or none.
    downtime: Option<String>,
    summary: String,
    /// The status set by hand in components.yaml, or none when derived.
    override_label: Option<String>,
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

/// `percent` floored to two decimals, as text.
fn percent_text(downtime: f64, span: f64) -> String {
    let uptime = 100.0 * (1.0 - (downtime / span.max(1.0)).min(1.0));
    format!("{:.2}", (uptime * 100.0).floor() / 100.0)
}

/// The day-bar level of a status set by hand.
fn override_level(s: ComponentStatus) -> Option<&'static str> {
    match s {
        ComponentStatus::Operational => None,
        ComponentStatus::UnderMaintenance => Some("maintenance"),
        ComponentStatus::DegradedPerformance => Some("minor"),
        ComponentStatus::PartialOutage => Some("major"),
        ComponentStatus::MajorOutage => Some("critical"),
    }
}

/// The day bars and uptime of every visible component over `history_days`, keyed by component id.
/// Date arithmetic is checked throughout: a build at the edge of the calendar (`--now
/// 9999-12-31T23:59:59Z`) shows fewer days rather than failing.
pub fn component_history(site: &Site, root: &str) -> BTreeMap<String, ComponentHistory> {
    let m = &site.config.messages;
    let days = i64::from(site.config.history_days.max(1));
    let now = site.now;
    let today = now.to_offset(time::UtcOffset::UTC).date();
    let first = today.checked_sub(Duration::days(days - 1)).unwrap_or(time::Date::MIN);
    let window_start = first.with_time(Time::MIDNIGHT).assume_utc();
    let recent_days = days.min(RECENT_DAYS);
    let recent_start = today
        .checked_sub(Duration::days(recent_days - 1))
        .unwrap_or(time::Date::MIN)
        .with_time(Time::MIDNIGHT)
        .assume_utc();
    let all: Vec<&ResolvedIncident> = site.incidents.iter().collect();
    let month_list: Vec<String> = months(&all).into_iter().map(|(key, _)| key).collect();
    let day_list: Vec<time::Date> =
        (0..days).map_while(|d| first.checked_add(Duration::days(d))).take_while(|d| *d <= today).collect();
    // Maintenance that happened (or is happening), clipped to now.
    let windows: Vec<_> = site
        .maintenance
        .iter()
        .filter(|m| m.phase != Phase::Upcoming && m.scheduled_for < now)
        .map(|m| (m, m.scheduled_for, m.scheduled_until.min(now).max(m.scheduled_for)))
        .collect();
    let mut out = BTreeMap::new();
    for (id, c) in site.components.iter().enumerate() {
        // Incidents naming the component whose impact window reaches into the history window,
        // each with the impact it recorded for the component over each stretch of that window.
        let touching: Vec<(&ResolvedIncident, Spans)> = site
            .incidents
            .iter()
            .map(|i| (i, component_intervals(i, id, now)))
            .filter(|(_, spans)| spans.iter().any(|(a, b, _)| *b >= window_start && *a <= now))
            .collect();
        let intervals: Vec<(Timestamp, Timestamp, f64)> = touching
            .iter()
            .flat_map(|(_, spans)| spans.iter().map(|(a, b, impact)| (*a, *b, downtime_weight(*impact))))
            .collect();
        let downtime = weighted_downtime(&intervals, window_start, now);
        let downtime_recent = weighted_downtime(&intervals, recent_start.max(window_start), now);
        let maintenance: Vec<_> = windows.iter().filter(|(m, _, _)| m.components.contains(&id)).collect();
        let total = day_list.len() as i64;
        let cells = day_list
            .iter()
            .enumerate()
            .map(|(d, day)| {
                let start = day.with_time(Time::MIDNIGHT).assume_utc();
                let end = start.checked_add(Duration::days(1)).unwrap_or_else(end_of_time);
                let in_day = |(a, b, _): &&(Timestamp, Timestamp, Impact)| *a < end && *b >= start;
                let that_day: Vec<&ResolvedIncident> =
                    touching.iter().filter(|(_, spans)| spans.iter().any(|s| in_day(&s))).map(|(i, _)| *i).collect();
                let windows_that_day: Vec<_> =
                    maintenance.iter().filter(|(_, a, b)| *a < end && *b >= start).map(|(m, _, _)| *m).collect();
                let label = date_view(&site.config.messages, *day).display;
                let mut parts = Vec::new();
                if !that_day.is_empty() {
                    let titles: Vec<&str> = that_day.iter().map(|i| site.doc(i.doc).title.as_str()).collect();
                    let count = m.format("history.incidents", Some(that_day.len() as i64), &[]);
                    parts.push(m.format("history.listed", None, &[("what", &count), ("titles", &titles.join("; "))]));
                }
                if !windows_that_day.is_empty() {
                    let titles: Vec<&str> = windows_that_day.iter().map(|m| site.doc(m.doc).title.as_str()).collect();
                    let what = m.text("history.maintenance");
                    parts.push(m.format("history.listed", None, &[("what", &what), ("titles", &titles.join("; "))]));
                }
                let worst = touching
                    .iter()
                    .flat_map(|(_, spans)| spans.iter().filter(|s| in_day(s)).map(|(_, _, impact)| *impact))
                    .filter(|i| *i != Impact::None)
                    .max();
                let mut level = match worst {
                    Some(w) => w.as_str(),
                    None if !windows_that_day.is_empty() => "maintenance",
                    None => "ok",
                };
                if *day == today
                    && c.overridden
                    && let Some(set) = override_level(c.status)
                {
                    parts.push(site.config.messages.format(
                        "history.set_by_hand",
                        None,
                        &[("status", &site.config.messages.text(c.status.message_key()))],
                    ));
                    if level == "ok" || level == "maintenance" {
                        level = set;
                    }
                }
                let text = if parts.is_empty() {
                    m.format("history.day_quiet", None, &[("day", &label)])
                } else {
                    m.format("history.day", None, &[("day", &label), ("what", &parts.join("; "))])
                };
                let href = match (that_day.as_slice(), windows_that_day.as_slice()) {
                    ([], []) => None,
                    ([one], _) => Some(format!("{root}{}", site.doc(one.doc).path)),
                    ([], [m, ..]) => Some(format!("{root}{}", site.doc(m.doc).path)),
                    ([newest, ..], _) => {
                        let key = month_key(newest.started_at);
                        let page = month_list.iter().position(|m| *m == key).unwrap_or(0) / MONTHS_PER_PAGE;
                        Some(format!("{root}{}#month-{key}", page_path("incidents/", page)))
                    }
                };
                DayCell {
                    date: date_view(&site.config.messages, *day).iso,
                    level,
                    text,
                    href,
                    recent: total - d as i64 <= RECENT_DAYS,
                }
            })
            .collect();
        let span = (now - window_start).as_seconds_f64();
        let uptime = m.number_text(&percent_text(downtime, span));
        let uptime_recent =
            m.number_text(&percent_text(downtime_recent, (now - recent_start.max(window_start)).as_seconds_f64()));
        let counted = touching.len();
        let downtime_text = (downtime >= 30.0).then(|| human_duration(&site.config.messages, downtime.round() as i64));
        let count = m.format("history.incidents", Some(counted as i64), &[]);
        let summary = match &downtime_text {
            Some(d) => m.format(
                "history.summary_downtime",
                Some(days),
                &[("uptime", &uptime), ("incidents", &count), ("downtime", d)],
            ),
            None => m.format("history.summary", Some(days), &[("uptime", &uptime), ("incidents", &count)]),
        };
        out.insert(
            c.id.clone(),
            ComponentHistory {
                days: cells,
                uptime,
                uptime_recent,
                recent_days,
                incidents: counted,
                downtime: downtime_text,
                summary,
                override_label: c.overridden.then(|| site.config.messages.text(c.status.message_key())),
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        crate::load::parse_time(s).unwrap()
    }

    #[test]
    fn overlapping_windows_count_the_heaviest_once() {
        let from = t("2026-11-20T00:00:00Z");
        let to = t("2026-11-21T00:00:00Z");
        // A critical hour, and a major one overlapping its second half and running 30 min past it.
        let intervals = [
            (t("2026-11-20T10:00:00Z"), t("2026-11-20T11:00:00Z"), 1.0),
            (t("2026-11-20T10:30:00Z"), t("2026-11-20T11:30:00Z"), 0.3),
        ];
        let seconds = weighted_downtime(&intervals, from, to);
        assert!((seconds - (3600.0 + 0.3 * 1800.0)).abs() < 1e-6, "{seconds}");
        // Clipped to the window.
        let clipped = weighted_downtime(&intervals, t("2026-11-20T10:45:00Z"), to);
        assert!((clipped - (900.0 + 0.3 * 1800.0)).abs() < 1e-6, "{clipped}");
        assert_eq!(weighted_downtime(&[], from, to), 0.0);
    }

    #[test]
    fn percentages_are_floored() {
        assert_eq!(percent_text(0.0, 100.0), "100.00");
        assert_eq!(percent_text(47.0 * 60.0, 89.5 * 86_400.0), "99.96");
        assert_eq!(percent_text(200.0, 100.0), "0.00");
    }
}

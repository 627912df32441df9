//! Derived incident figures: the response times of each incident, their medians and 90th
//! percentiles, and whether the disclosure deadline of its decision-matrix row was met.

use super::{ResolvedIncident, Site};
use crate::model::Timestamp;

/// The measured intervals, in order. Detection runs from `started_at`, acknowledgement from
/// `detected_at` (how fast the pager is answered), the rest again from `started_at`.
pub const MEASURES: [(&str, &str); 5] = [
    ("detect", "Time to detect"),
    ("acknowledge", "Time to acknowledge"),
    ("contain", "Time to contain"),
    ("fix", "Time to deploy a fix"),
    ("resolve", "Time to resolve"),
];

/// Seconds of each of [`MEASURES`] for one incident; `None` where a time is missing.
pub fn measures(inc: &ResolvedIncident) -> [Option<i64>; 5] {
    let s = inc;
    let since = |from: Option<Timestamp>, to: Option<Timestamp>| Some((to? - from?).whole_seconds());
    let start = Some(s.started_at);
    [
        since(start, s.detected_at),
        since(s.detected_at, s.acknowledged_at),
        since(start, s.contained_at),
        since(start, s.fix_deployed_at),
        since(start, s.resolved_at),
    ]
}

/// Whether `site` has a metrics page: every audience but the public, which has one unless
/// `metrics.public: false`; never without incidents.
pub fn metrics_page(site: &Site) -> bool {
    !site.incidents.is_empty() && (!site.is_public() || site.config.public_metrics)
}

/// Median (mean of the middle two for an even count) and nearest-rank 90th percentile.
pub fn median_p90(values: &[i64]) -> Option<(i64, i64)> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2 };
    let rank = (n * 9).div_ceil(10).max(1);
    Some((median, v[rank - 1]))
}

/// `2026-Q4` for a time in October–December 2026.
pub fn quarter(t: Timestamp) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{}-Q{}", t.year(), (t.month() as u8 - 1) / 3 + 1)
}

/// How an incident fared against its `disclose_within` deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The first public update came before the deadline.
    Met,
    /// The first public update came after it.
    Missed,
    /// No public update yet and the deadline has passed.
    Overdue,
    /// No public update yet, the deadline is still ahead.
    Pending,
    /// The incident is not public: there is nothing to disclose against.
    NotPublic,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Missed => "missed",
            Verdict::Overdue => "overdue",
            Verdict::Pending => "pending",
            Verdict::NotPublic => "not-public",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Disclosure {
    /// The time the clock starts: `acknowledged_at`, else `detected_at`, else `started_at`.
    pub from: Timestamp,
    pub deadline: Timestamp,
    pub first_public: Option<Timestamp>,
    pub verdict: Verdict,
}

/// The disclosure verdict of an incident whose type has a matrix row with `disclose_within`.
/// An update is public when neither it nor the incident is restricted; it counts from its
/// time, or from the end of its (or the incident's) embargo when that is later, and only once
/// that moment has come.
pub fn disclosure(site: &Site, inc: &ResolvedIncident) -> Option<Disclosure> {
    let within = site.row(inc.row?).disclose_within.as_ref()?;
    let s = inc;
    let from = s.acknowledged_at.or(s.detected_at).unwrap_or(s.started_at);
    let deadline = from.checked_add(time::Duration::seconds(within.seconds))?;
    let doc = site.doc(inc.doc);
    let public = doc.visibility == 0;
    let first_public = s
        .updates
        .iter()
        .filter(|u| public && u.visibility == 0)
        .map(|u| [Some(u.at), u.embargo_until, doc.embargo_until].into_iter().flatten().max().unwrap_or(u.at))
        .filter(|t| *t <= site.now)
        .min();
    let verdict = match first_public {
        Some(t) if t <= deadline => Verdict::Met,
        Some(_) => Verdict::Missed,
        None if !public => Verdict::NotPublic,
        None if site.now > deadline => Verdict::Overdue,
        None => Verdict::Pending,
    };
    Some(Disclosure { from, deadline, first_public, verdict })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p90_by_nearest_rank() {
        assert_eq!(median_p90(&[]), None);
        assert_eq!(median_p90(&[5]), Some((5, 5)));
        assert_eq!(median_p90(&[40, 10, 30, 20]), Some((25, 40)));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(median_p90(&ten), Some((5, 9)));
    }

    #[test]
    fn quarters_are_utc() {
        assert_eq!(quarter(crate::load::parse_time("2026-10-01T01:00:00+02:00").unwrap()), "2026-Q3");
        assert_eq!(quarter(crate::load::parse_time("2026-11-20T14:00:00Z").unwrap()), "2026-Q4");
    }
}

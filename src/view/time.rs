//! Times and durations as pages show them: UTC in one 24-hour format, in the site's language
//! (month names and date order from its message files), formatted once here so every output
//! agrees (the theme's script adds the reader's local time and keeps relative times fresh).

use crate::i18n::Messages;
use crate::model::{Date, Precision, Timestamp};
use serde::Serialize;

pub use crate::text::iso;

/// A moment as templates print it: `<time datetime="{{ t.iso }}">{{ t.display }}</time>`.
#[derive(Debug, Clone, Serialize)]
pub struct TimeView {
    pub iso: String,
    pub display: String,
    pub date: String,
    /// How precisely it is known: `exact`, `about` (shown "about …") or `day` (the date alone,
    /// and `iso` a date).
    pub precision: &'static str,
}

/// "20 Nov 2026", "20. Nov. 2026", "20 nov. 2026": `time.date` with the short month name.
fn date_text(m: &Messages, d: Date) -> String {
    let month = m.months_short.get(d.month() as usize - 1).map_or("", String::as_str);
    m.format("time.date", None, &[("day", &d.day().to_string()), ("month", month), ("year", &d.year().to_string())])
}

pub fn time_view(m: &Messages, t: Timestamp) -> TimeView {
    let t = t.to_offset(time::UtcOffset::UTC);
    let date = date_text(m, t.date());
    let clock = format!("{:02}:{:02}", t.hour(), t.minute());
    TimeView {
        iso: iso(t),
        display: m.format("time.datetime", None, &[("date", &date), ("time", &clock)]),
        date,
        precision: "exact",
    }
}

/// A moment known with `precision`: "about 20 Nov 2026, 20:15 UTC", or the day alone.
pub fn time_view_p(m: &Messages, t: Timestamp, precision: Precision) -> TimeView {
    match precision {
        Precision::Exact => time_view(m, t),
        Precision::About => {
            let v = time_view(m, t);
            TimeView { display: m.format("time.about", None, &[("when", &v.display)]), precision: "about", ..v }
        }
        Precision::Day => TimeView { precision: "day", ..date_view(m, t.to_offset(time::UtcOffset::UTC).date()) },
    }
}

pub fn date_view(m: &Messages, d: Date) -> TimeView {
    let date = date_text(m, d);
    TimeView {
        iso: format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day()),
        display: date.clone(),
        date,
        precision: "day",
    }
}

/// How far `t` is from `now` in words, as of the build: "just now", "40 min ago", "in 2 h",
/// "3 d ago" (the largest unit only, rounded down, as a glance needs).
pub fn relative(m: &Messages, t: Timestamp, now: Timestamp) -> String {
    let seconds = (t - now).whole_seconds();
    let span = seconds.unsigned_abs() as i64;
    let (unit, n) = match span {
        s if s < 60 => return m.text("time.just_now"),
        s if s < 3600 => ("time.minutes", s / 60),
        s if s < 86_400 => ("time.hours", s / 3600),
        s if s < 60 * 86_400 => ("time.days", s / 86_400),
        s if s < 730 * 86_400 => ("time.months", s / (30 * 86_400)),
        s => ("time.years", s / (365 * 86_400)),
    };
    let amount = m.format(unit, Some(n), &[]);
    m.format(if seconds < 0 { "time.ago" } else { "time.ahead" }, None, &[("amount", &amount)])
}

/// "47 min", "3 h 12 min", "2 d 4 h".
pub fn human_duration(m: &Messages, seconds: i64) -> String {
    let minutes = (seconds.max(0).saturating_add(30)) / 60;
    let unit = |key: &str, n: i64| m.format(key, Some(n), &[]);
    let pair = |a: String, b: String| m.format("time.pair", None, &[("a", &a), ("b", &b)]);
    match minutes {
        x if x < 60 => unit("time.minutes", x),
        x if x < 24 * 60 => match x % 60 {
            0 => unit("time.hours", x / 60),
            r => pair(unit("time.hours", x / 60), unit("time.minutes", r)),
        },
        x => match (x / 60) % 24 {
            0 => unit("time.days", x / 1440),
            h => pair(unit("time.days", x / 1440), unit("time.hours", h)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en() -> std::sync::Arc<Messages> {
        Messages::english()
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(&en(), 47 * 60), "47 min");
        assert_eq!(human_duration(&en(), 3 * 3600 + 12 * 60), "3 h 12 min");
        assert_eq!(human_duration(&en(), 2 * 86_400 + 4 * 3600), "2 d 4 h");
        assert!(human_duration(&en(), i64::MAX).ends_with(" d 15 h"), "no overflow on absurd spans");
    }

    #[test]
    fn relative_times_use_the_largest_unit() {
        let now = crate::load::parse_time("2026-11-26T12:00:00Z").unwrap();
        let at = |s: &str| relative(&en(), crate::load::parse_time(s).unwrap(), now);
        assert_eq!(at("2026-11-26T11:59:30Z"), "just now");
        assert_eq!(at("2026-11-26T11:20:00Z"), "40 min ago");
        assert_eq!(at("2026-11-26T13:00:00Z"), "in 1 h");
        assert_eq!(at("2026-11-20T14:05:00Z"), "5 d ago");
        assert_eq!(at("2026-06-09T12:00:00Z"), "5 mo ago");
    }

    #[test]
    fn imprecise_times_say_so() {
        let t = crate::load::parse_time("2026-11-20T20:15:00Z").unwrap();
        assert_eq!(time_view_p(&en(), t, Precision::About).display, "about 20 Nov 2026, 20:15 UTC");
        let day = time_view_p(&en(), t, Precision::Day);
        assert_eq!((day.display.as_str(), day.iso.as_str()), ("20 Nov 2026", "2026-11-20"));
    }

    #[test]
    fn times_are_utc() {
        let t = crate::load::parse_time("2026-11-20T16:05:00+02:00").unwrap();
        let v = time_view(&en(), t);
        assert_eq!(v.iso, "2026-11-20T14:05:00Z");
        assert_eq!(v.display, "20 Nov 2026, 14:05 UTC");
    }
}

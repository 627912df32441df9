//! Times and durations as pages show them: UTC in one 24-hour format, formatted once here so every
//! output agrees (the theme's script adds the reader's local time and keeps relative times fresh).

use crate::model::{Date, Timestamp};
use serde::Serialize;

pub use crate::text::iso;

/// A moment as templates print it: `<time datetime="{{ t.iso }}">{{ t.display }}</time>`.
#[derive(Debug, Clone, Serialize)]
pub struct TimeView {
    pub iso: String,
    pub display: String,
    pub date: String,
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

pub fn time_view(t: Timestamp) -> TimeView {
    let t = t.to_offset(time::UtcOffset::UTC);
    let date = format!("{} {} {}", t.day(), MONTHS[t.month() as usize - 1], t.year());
    TimeView { iso: iso(t), display: format!("{date}, {:02}:{:02} UTC", t.hour(), t.minute()), date }
}

pub fn date_view(d: Date) -> TimeView {
    let date = format!("{} {} {}", d.day(), MONTHS[d.month() as usize - 1], d.year());
    TimeView { iso: format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day()), display: date.clone(), date }
}

/// How far `t` is from `now` in words, as of the build: "just now", "40 min ago", "in 2 h",
/// "3 d ago" (the largest unit only, rounded down, as a glance needs).
pub fn relative(t: Timestamp, now: Timestamp) -> String {
    let seconds = (t - now).whole_seconds();
    let span = seconds.unsigned_abs();
    let amount = match span {
        s if s < 60 => return "just now".to_string(),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h", s / 3600),
        s if s < 60 * 86_400 => format!("{} d", s / 86_400),
        s if s < 730 * 86_400 => format!("{} mo", s / (30 * 86_400)),
        s => format!("{} y", s / (365 * 86_400)),
    };
    if seconds < 0 { format!("{amount} ago") } else { format!("in {amount}") }
}

/// "47 min", "3 h 12 min", "2 d 4 h".
pub fn human_duration(seconds: i64) -> String {
    let minutes = (seconds.max(0).saturating_add(30)) / 60;
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 24 * 60 => match m % 60 {
            0 => format!("{} h", m / 60),
            r => format!("{} h {r} min", m / 60),
        },
        m => match (m / 60) % 24 {
            0 => format!("{} d", m / 1440),
            h => format!("{} d {h} h", m / 1440),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(47 * 60), "47 min");
        assert_eq!(human_duration(3 * 3600 + 12 * 60), "3 h 12 min");
        assert_eq!(human_duration(2 * 86_400 + 4 * 3600), "2 d 4 h");
        assert!(human_duration(i64::MAX).ends_with(" d 15 h"), "no overflow on absurd spans");
    }

    #[test]
    fn relative_times_use_the_largest_unit() {
        let now = crate::load::parse_time("2026-11-26T12:00:00Z").unwrap();
        let at = |s: &str| relative(crate::load::parse_time(s).unwrap(), now);
        assert_eq!(at("2026-11-26T11:59:30Z"), "just now");
        assert_eq!(at("2026-11-26T11:20:00Z"), "40 min ago");
        assert_eq!(at("2026-11-26T13:00:00Z"), "in 1 h");
        assert_eq!(at("2026-11-20T14:05:00Z"), "5 d ago");
        assert_eq!(at("2026-06-09T12:00:00Z"), "5 mo ago");
    }

    #[test]
    fn times_are_utc() {
        let t = crate::load::parse_time("2026-11-20T16:05:00+02:00").unwrap();
        let v = time_view(t);
        assert_eq!(v.iso, "2026-11-20T14:05:00Z");
        assert_eq!(v.display, "20 Nov 2026, 14:05 UTC");
    }
}

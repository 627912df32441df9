//! Times and durations as pages show them: UTC, formatted once here so every output agrees.

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
    fn times_are_utc() {
        let t = crate::load::parse_time("2026-11-20T16:05:00+02:00").unwrap();
        let v = time_view(t);
        assert_eq!(v.iso, "2026-11-20T14:05:00Z");
        assert_eq!(v.display, "20 Nov 2026, 14:05 UTC");
    }
}

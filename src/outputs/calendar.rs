//! `calendar/maintenance.ics`: every visible maintenance window as an RFC 5545 event, so
//! exchanges can subscribe to upgrades in their calendar. Written by hand: a few properties,
//! with the RFC's escaping and 75-octet line folding, and no clock (DTSTAMP is the last update).

use super::OutputFile;
use crate::model::{MaintenanceStatus, Timestamp};
use crate::site::Site;

fn ics_time(t: Timestamp) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}{:02}{:02}T{:02}{:02}{:02}Z", t.year(), t.month() as u8, t.day(), t.hour(), t.minute(), t.second())
}

/// TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, every line
/// break (LF, CRLF, a lone CR, or a Unicode line separator) written as `\n`, and other control
/// characters dropped, so no text can end its line and start a property of its own.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' | '\u{0085}' | '\u{2028}' | '\u{2029}' | '\u{000B}' | '\u{000C}' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character (§3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

pub fn file(site: &Site) -> OutputFile {
    let base = &site.config.base_url;
    let host = base.split("://").nth(1).unwrap_or(base).split('/').next().unwrap_or("cairn");
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        format!("PRODID:-//cairn//{}//EN", escape(&site.config.title)),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", escape(&format!("{}: maintenance", site.config.title))),
    ];
    for m in &site.maintenance {
        let doc = site.doc(m.doc);
        let s = m;
        let stamp = s.updates.last().map_or(s.scheduled_for, |u| u.at);
        let url = format!("{base}/{}", doc.path);
        let latest = s.updates.last().map(|u| super::statusapi::unwrap_paragraphs(u.body.as_str())).unwrap_or_default();
        let mut description = doc.summary.clone().map(|t| format!("{t}\n\n")).unwrap_or_default();
        description.push_str(&latest);
        if let (Some((unit, n)), None) = (s.halt.units().first(), s.started_at) {
            let word = site.chain(s.chain).map_or_else(|| unit.label().to_string(), |c| c.unit_name(*unit));
            description
                .push_str(&format!("\n\nThe window starts at {} {n}; the time is an estimate.", word.to_lowercase()));
        }
        description.push_str(&format!("\n\nDetails: {url}"));
        let status = if s.status == MaintenanceStatus::Scheduled { "TENTATIVE" } else { "CONFIRMED" };
        lines.extend([
            "BEGIN:VEVENT".into(),
            format!("UID:maintenance-{}@{host}", doc.slug),
            format!("DTSTAMP:{}", ics_time(stamp)),
            format!("LAST-MODIFIED:{}", ics_time(stamp)),
            format!("SEQUENCE:{}", s.updates.len()),
            format!("DTSTART:{}", ics_time(s.scheduled_for)),
            format!("DTEND:{}", ics_time(s.scheduled_until)),
            format!("SUMMARY:{}", escape(&doc.title)),
            format!("DESCRIPTION:{}", escape(&description)),
            format!("URL:{url}"),
            format!("STATUS:{status}"),
            "TRANSP:OPAQUE".into(),
            "END:VEVENT".into(),
        ]);
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for l in &lines {
        fold(l, &mut out);
    }
    OutputFile::new("calendar/maintenance.ics".into(), out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", "é".repeat(60)), &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), format!("SUMMARY:{}", "é".repeat(60)));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
        assert_eq!(escape("T\rBEGIN:VEVENT\r\nx\u{2028}y\u{1b}"), "T\\nBEGIN:VEVENT\\nx\\ny");
    }
}

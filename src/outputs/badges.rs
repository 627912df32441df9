//! SVG status badges: `badges/status.svg` for the whole page and `badges/<component>.svg` for each
//! visible component, in the familiar two-part shape, with a `<title>` for screen readers.

use super::OutputFile;
use super::sitemap::xml_escape;
use crate::model::ComponentStatus;
use crate::site::{Indicator, Site};

/// Approximate width of text at 11px Verdana, the usual badge font.
fn text_width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii_uppercase() || c == 'm' || c == 'w' { 9 } else { 7 }).sum::<usize>() + 10
}

/// The value's background by severity: white text reads at 4.5:1 or more on each (the test
/// below measures it), and the label's #555 at 7.5:1.
fn colour(severity: u8) -> &'static str {
    match severity {
        0 => "#2e7d32",
        1 => "#1565c0",
        2 => "#9a5b00",
        3 => "#c2410c",
        _ => "#c62828",
    }
}

fn svg(label: &str, value: &str, severity: u8) -> String {
    let (lw, vw) = (text_width(label), text_width(value));
    let width = lw + vw;
    let title = xml_escape(&format!("{label}: {value}"));
    let (label, value) = (xml_escape(label), xml_escape(value));
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"20\" role=\"img\" aria-label=\"{title}\">\
<title>{title}</title>\
<rect width=\"{lw}\" height=\"20\" rx=\"3\" fill=\"#555\"/>\
<rect x=\"{lw}\" width=\"{vw}\" height=\"20\" rx=\"3\" fill=\"{fill}\"/>\
<rect x=\"{lw}\" width=\"4\" height=\"20\" fill=\"{fill}\"/>\
<g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\" text-anchor=\"middle\">\
<text x=\"{lx}\" y=\"14\">{label}</text><text x=\"{vx}\" y=\"14\">{value}</text></g></svg>\n",
        fill = colour(severity),
        lx = lw / 2,
        vx = lw + vw / 2,
    )
}

fn indicator_severity(i: Indicator) -> u8 {
    match i {
        Indicator::None => 0,
        Indicator::Maintenance => 1,
        Indicator::Minor => 2,
        Indicator::Major => 3,
        Indicator::Critical => 4,
    }
}

fn component_severity(s: ComponentStatus) -> u8 {
    match s {
        ComponentStatus::Operational => 0,
        ComponentStatus::UnderMaintenance => 1,
        ComponentStatus::DegradedPerformance => 2,
        ComponentStatus::PartialOutage => 3,
        ComponentStatus::MajorOutage => 4,
    }
}

pub fn files(site: &Site) -> Vec<OutputFile> {
    let mut out = vec![OutputFile::new(
        "badges/status.svg".into(),
        svg("status", site.overall.label(), indicator_severity(site.overall)).into_bytes(),
    )];
    for c in &site.components {
        out.push(OutputFile::new(
            format!("badges/{}.svg", c.id),
            svg(&c.name, c.status.label(), component_severity(c.status)).into_bytes(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::colour;
    use crate::render::highlight::contrast;

    fn rgb(hex: &str) -> [u8; 3] {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
        [(v >> 16) as u8, (v >> 8) as u8, v as u8]
    }

    #[test]
    fn white_text_reads_on_every_badge() {
        for severity in 0..=4 {
            let ratio = contrast(rgb(colour(severity)), [255, 255, 255]);
            assert!(ratio >= 4.5, "severity {severity}: {ratio:.2}:1");
        }
        assert!(contrast(rgb("#555555"), [255, 255, 255]) >= 4.5);
    }
}

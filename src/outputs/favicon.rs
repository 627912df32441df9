//! The favicon: `favicon.svg`, a disc in the colour of the overall status with its glyph (a tick,
//! a clock, an exclamation mark, a cross), so a pinned tab shows the status at a glance. Pages
//! link it, which also keeps browsers from asking for a missing `/favicon.ico`.

use super::OutputFile;
use crate::site::{Indicator, Site};

/// The disc's colour and the glyph's path (on a 32 × 32 grid) for an indicator.
fn look(indicator: Indicator) -> (&'static str, &'static str) {
    match indicator {
        Indicator::None => ("#15803d", "M9.5 16.5l4.5 4.5 8.5-9"),
        Indicator::Maintenance => ("#1d4ed8", "M16 9v7l4.5 3"),
        Indicator::Minor => ("#b45309", "M16 9v8M16 22v.5"),
        Indicator::Major => ("#c2410c", "M16 9v8M16 22v.5"),
        Indicator::Critical => ("#b91c1c", "M11 11l10 10M21 11l-10 10"),
    }
}

pub fn file(site: &Site) -> OutputFile {
    let (fill, glyph) = look(site.overall);
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\" width=\"32\" height=\"32\">\
<title>{}</title><circle cx=\"16\" cy=\"16\" r=\"15\" fill=\"{fill}\"/>\
<path d=\"{glyph}\" fill=\"none\" stroke=\"#fff\" stroke-width=\"3.5\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/></svg>\n",
        super::sitemap::xml_escape(site.overall.label())
    );
    OutputFile::new("favicon.svg".into(), svg.into_bytes())
}

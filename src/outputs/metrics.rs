//! The metrics page and `/api/metrics.json`: response times per incident, medians and 90th
//! percentiles per severity and per quarter, counts by component and type, inline SVG charts.

use super::OutputFile;
use super::pages::{base_context, file_for};
use crate::diagnostics::Diagnostic;
use crate::i18n::Messages;
use crate::render::Renderer;
use crate::site::metrics::{MEASURES, measures, median_p90, quarter};
use crate::site::{ResolvedIncident, Site};
use crate::view::{human_duration, iso};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct IncidentMetrics {
    slug: String,
    title: String,
    path: String,
    severity: Option<&'static str>,
    #[serde(rename = "type")]
    incident_type: Option<String>,
    quarter: String,
    started_at: String,
    /// Seconds per measure, by measure id; null where a time is missing.
    seconds: BTreeMap<&'static str, Option<i64>>,
    display: BTreeMap<&'static str, String>,
}

#[derive(Serialize, Clone)]
struct Stat {
    n: usize,
    median: i64,
    p90: i64,
    median_display: String,
    p90_display: String,
}

#[derive(Serialize)]
struct Group {
    key: String,
    count: usize,
    /// Per measure id; null when no incident of the group has it.
    stats: BTreeMap<&'static str, Option<Stat>>,
}

#[derive(Serialize)]
struct Count {
    id: String,
    label: String,
    count: usize,
}

#[derive(Serialize)]
struct Measure {
    id: &'static str,
    label: String,
}

#[derive(Serialize)]
struct Metrics {
    audience: String,
    generated_at: String,
    measures: Vec<Measure>,
    incidents: Vec<IncidentMetrics>,
    by_severity: Vec<Group>,
    by_quarter: Vec<Group>,
    by_component: Vec<Count>,
    by_type: Vec<Count>,
}

fn group(m: &Messages, key: String, incidents: &[&ResolvedIncident]) -> Group {
    let all: Vec<[Option<i64>; 5]> = incidents.iter().map(|i| measures(i)).collect();
    let stats = MEASURES
        .iter()
        .enumerate()
        .map(|(k, (id, _))| {
            let values: Vec<i64> = all.iter().filter_map(|m| m[k]).collect();
            let stat = median_p90(&values).map(|(median, p90)| Stat {
                n: values.len(),
                median,
                p90,
                median_display: human_duration(m, median),
                p90_display: human_duration(m, p90),
            });
            (*id, stat)
        })
        .collect();
    Group { key, count: incidents.len(), stats }
}

fn grouped(site: &Site, m: &Messages, key: impl Fn(&ResolvedIncident) -> String) -> Vec<Group> {
    let mut map: BTreeMap<String, Vec<&ResolvedIncident>> = BTreeMap::new();
    for inc in &site.incidents {
        map.entry(key(inc)).or_default().push(inc);
    }
    map.into_iter().map(|(k, v)| group(m, k, &v)).collect()
}

/// The metrics of `site`, their words (durations, labels) in `words`: English for the JSON,
/// which stays language-neutral, the site's language for the page.
fn compute(site: &Site, words: &Messages) -> Metrics {
    let incidents = site
        .incidents
        .iter()
        .map(|inc| {
            let doc = site.doc(inc.doc);
            let m = measures(inc);
            let w = words;
            IncidentMetrics {
                slug: doc.slug.clone(),
                title: doc.title.clone(),
                path: doc.path.clone(),
                severity: inc.severity.map(|s| s.as_str()),
                incident_type: inc.row.map(|r| site.row(r).id.clone()),
                quarter: quarter(inc.started_at),
                started_at: iso(inc.started_at),
                seconds: MEASURES.iter().zip(m).map(|((id, _), v)| (*id, v)).collect(),
                display: MEASURES.iter().zip(m).filter_map(|((id, _), v)| Some((*id, human_duration(w, v?)))).collect(),
            }
        })
        .collect();
    let mut components: BTreeMap<String, usize> = BTreeMap::new();
    let mut types: BTreeMap<String, usize> = BTreeMap::new();
    for inc in &site.incidents {
        for c in &inc.components {
            *components.entry(site.component(*c).id.clone()).or_default() += 1;
        }
        *types.entry(inc.row.map(|r| site.row(r).id.clone()).unwrap_or_default()).or_default() += 1;
    }
    let type_label = |id: &str| if id.is_empty() { words.text("metrics.no_type") } else { id.to_string() };
    let component_name =
        |id: &str| site.components.iter().find(|c| c.id == id).map_or_else(|| id.to_string(), |c| c.name.clone());
    Metrics {
        audience: site.audience_name().to_string(),
        generated_at: iso(site.now),
        measures: MEASURES
            .iter()
            .map(|(id, _)| Measure { id, label: words.text(&format!("metrics.measure.{id}")) })
            .collect(),
        incidents,
        by_severity: if site.incidents.iter().any(|i| i.severity.is_some()) {
            grouped(site, words, |i| i.severity.map_or_else(String::new, |s| s.as_str().to_string()))
        } else {
            Vec::new()
        },
        by_quarter: grouped(site, words, |i| quarter(i.started_at)),
        by_component: components
            .into_iter()
            .map(|(id, count)| Count { label: component_name(&id), id, count })
            .collect(),
        by_type: types.into_iter().map(|(id, count)| Count { label: type_label(&id), id, count }).collect(),
    }
}

/// A bar chart of one value per quarter, as inline SVG with a title; the page puts the same
/// numbers in a table beside it.
fn bar_chart(id: &str, title: &str, bars: &[(String, Option<f64>, String)]) -> String {
    let (w, h, left, bottom, top) = (480.0, 220.0, 16.0, 28.0, 24.0);
    let max = bars.iter().filter_map(|b| b.1).fold(0.0_f64, f64::max).max(1.0);
    let slot = (w - 2.0 * left) / bars.len().max(1) as f64;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-title\" \
         preserveAspectRatio=\"xMidYMid meet\"><title id=\"{id}-title\">{title}</title>\
         <line class=\"chart-axis\" x1=\"{left}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\"/>",
        y = h - bottom,
        x2 = w - left
    );
    for (i, (label, value, text)) in bars.iter().enumerate() {
        let x = left + slot * i as f64 + slot * 0.2;
        let bw = slot * 0.6;
        let cx = x + bw / 2.0;
        if let Some(v) = value {
            let bh = (h - bottom - top) * v / max;
            let y = h - bottom - bh;
            svg.push_str(&format!(
                "<rect class=\"chart-bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\"/>\
                 <text class=\"chart-value\" x=\"{cx:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\">{text}</text>",
                ty = y - 6.0
            ));
        }
        svg.push_str(&format!(
            "<text class=\"chart-label\" x=\"{cx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\">{label}</text>",
            ly = h - bottom + 18.0
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[derive(Serialize)]
struct Chart {
    id: String,
    title: String,
    svg: String,
    value_label: String,
    rows: Vec<(String, String)>,
}

fn charts(metrics: &Metrics, m: &Messages) -> Vec<Chart> {
    let mut out = Vec::new();
    let counts: Vec<(String, Option<f64>, String)> =
        metrics.by_quarter.iter().map(|g| (g.key.clone(), Some(g.count as f64), g.count.to_string())).collect();
    out.push(Chart {
        id: "chart-count".into(),
        title: m.text("metrics.chart.count"),
        svg: bar_chart("chart-count", &m.text("metrics.chart.count"), &counts),
        value_label: m.text("metrics.chart.incidents"),
        rows: counts.iter().map(|(k, _, t)| (k.clone(), t.clone())).collect(),
    });
    for id in ["contain", "resolve"] {
        let label = m.text(&format!("metrics.chart.median_{id}"));
        let bars: Vec<(String, Option<f64>, String)> = metrics
            .by_quarter
            .iter()
            .map(|g| {
                let stat = g.stats[id].as_ref();
                let text = stat.map_or_else(|| "—".to_string(), |s| s.median_display.clone());
                (g.key.clone(), stat.map(|s| s.median as f64 / 60.0), text)
            })
            .collect();
        let title = m.format("metrics.chart.per_quarter", None, &[("what", &label)]);
        out.push(Chart {
            id: format!("chart-{id}"),
            svg: bar_chart(&format!("chart-{id}"), &title, &bars),
            title,
            value_label: label,
            rows: bars.iter().map(|(k, _, t)| (k.clone(), t.clone())).collect(),
        });
    }
    out
}

/// How many incidents the metrics page lists one by one, newest first.
const PAGE_INCIDENTS: usize = 200;

pub fn files(site: &Site, r: &Renderer) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    if !crate::site::metrics::metrics_page(site) {
        return (Vec::new(), Vec::new());
    }
    let mut json = serde_json::to_vec_pretty(&compute(site, &Messages::english())).unwrap_or_default();
    let mut metrics = compute(site, &site.config.messages);
    json.push(b'\n');
    let path = "metrics/";
    let mut ctx = base_context(site, path, "metrics", &site.config.messages.text("nav.metrics"));
    ctx.insert("charts", &charts(&metrics, &site.config.messages));
    // The page lists the latest incidents one by one; the JSON has all of them.
    ctx.insert("incident_total", &metrics.incidents.len());
    metrics.incidents.truncate(PAGE_INCIDENTS);
    ctx.insert("metrics", &metrics);
    let page = r.render("metrics.html", &ctx, path).map(|html| OutputFile::new(file_for(path), html.into_bytes()));
    match page {
        Ok(f) => (vec![f, OutputFile::new("api/metrics.json".into(), json)], Vec::new()),
        Err(d) => (Vec::new(), vec![d]),
    }
}

//! What every template sees as `site`: the site's name and audience, the build stamp, the
//! navigation and the overall status.

use super::time::{iso, time_view};
use crate::model::Kind;
use crate::site::Site;
use serde::Serialize;

#[derive(Serialize)]
struct NavItem {
    title: String,
    path: String,
    section: &'static str,
}

#[derive(Serialize)]
struct BuildInfo {
    now: String,
    now_iso: String,
    version: &'static str,
    /// The commit the build comes from, when git history was read.
    source: Option<super::BuildSourceView>,
}

#[derive(Serialize)]
struct OverallView {
    indicator: &'static str,
    label: String,
    /// Components not operational, worst first (file order among equals).
    affected: Vec<super::refs::ComponentRef>,
    /// Visible components in all.
    component_count: usize,
}

#[derive(Serialize)]
struct ChainView {
    id: String,
    name: String,
    block_time: Option<String>,
}

/// What every template sees as `site`.
#[derive(Serialize)]
pub struct SiteGlobals {
    title: String,
    description: Option<String>,
    base_url: String,
    audience: String,
    audience_label: String,
    is_public: bool,
    /// The audiences this build may name: its own and the less trusted ones.
    audiences: Vec<String>,
    repo_url: Option<String>,
    /// The default chain (the one the header names).
    chain: Option<ChainView>,
    /// Every chain the site reports on, the default first.
    chains: Vec<ChainView>,
    build: BuildInfo,
    nav: Vec<NavItem>,
    overall: OverallView,
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn nav(site: &Site) -> Vec<NavItem> {
    let m = &site.config.messages;
    let mut items = vec![NavItem { title: m.text("nav.status"), path: String::new(), section: "status" }];
    let sections = [
        (Kind::Incident, "nav.incidents", "incidents"),
        (Kind::Maintenance, "nav.maintenance", "maintenance"),
        (Kind::Postmortem, "nav.postmortems", "postmortems"),
        (Kind::Runbook, "nav.runbooks", "runbooks"),
        (Kind::Matrix, "nav.matrices", "matrices"),
    ];
    for (kind, title, section) in sections {
        if site.docs.iter().any(|d| d.kind == kind) {
            items.push(NavItem { title: m.text(title), path: format!("{}/", kind.as_str()), section });
        }
    }
    if crate::site::metrics::metrics_page(site) {
        items.push(NavItem { title: m.text("nav.metrics"), path: "metrics/".into(), section: "metrics" });
    }
    if crate::site::action_items_page(site) {
        items.push(NavItem {
            title: m.text("nav.action_items"),
            path: "action-items/".into(),
            section: "action-items",
        });
    }
    // Top-level pages with a `weight` join the navigation; deeper pages are reached from them.
    for p in site.pages.iter().filter(|p| p.weight.is_some()) {
        let doc = site.doc(p.doc);
        if !doc.path.is_empty() && doc.path.matches('/').count() == 1 {
            items.push(NavItem { title: doc.title.clone(), path: doc.path.clone(), section: "page" });
        }
    }
    items
}

fn affected(site: &Site) -> Vec<super::refs::ComponentRef> {
    let mut ids: Vec<usize> = (0..site.components.len())
        .filter(|c| site.component(*c).status != crate::model::ComponentStatus::Operational)
        .collect();
    ids.sort_by_key(|c| std::cmp::Reverse(site.component(*c).status));
    super::refs::component_refs(site, &ids)
}

fn chain_view(c: &crate::site::ChainInfo) -> ChainView {
    ChainView { id: c.id.clone(), name: c.name.clone(), block_time: c.block_time.clone() }
}

pub fn globals(site: &Site) -> SiteGlobals {
    SiteGlobals {
        title: site.config.title.clone(),
        description: site.config.description.clone(),
        base_url: site.config.base_url.clone(),
        audience: site.audience_name().to_string(),
        audience_label: capitalize(site.audience_name()),
        is_public: site.is_public(),
        audiences: site.config.audiences.clone(),
        repo_url: site.config.repo_url.clone(),
        chain: site.config.chains.first().map(chain_view),
        chains: site.config.chains.iter().map(chain_view).collect(),
        build: BuildInfo {
            now: time_view(&site.config.messages, site.now).display,
            now_iso: iso(site.now),
            version: env!("CARGO_PKG_VERSION"),
            source: site.stamp.history.then(|| super::source_view(site)),
        },
        nav: nav(site),
        overall: OverallView {
            indicator: site.overall.as_str(),
            label: site.config.messages.text(site.overall.message_key()),
            affected: affected(site),
            component_count: site.components.len(),
        },
    }
}

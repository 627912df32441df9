//! The template engine: the built-in theme is embedded in the binary; a theme folder on disk
//! (`themes/<name>/`) and the site's own `templates/` override its templates by name.

use crate::diagnostics::{Diagnostic, Pos};
use std::path::Path;

/// The default theme's templates, embedded so a new knowledge base needs no theme copy.
const THEME_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    ("components.html", include_str!("../../themes/default/templates/components.html")),
    ("index.html", include_str!("../../themes/default/templates/index.html")),
    ("incidents.html", include_str!("../../themes/default/templates/incidents.html")),
    ("incident.html", include_str!("../../themes/default/templates/incident.html")),
    ("postmortems.html", include_str!("../../themes/default/templates/postmortems.html")),
    ("postmortem.html", include_str!("../../themes/default/templates/postmortem.html")),
    ("runbooks.html", include_str!("../../themes/default/templates/runbooks.html")),
    ("runbook.html", include_str!("../../themes/default/templates/runbook.html")),
    ("matrices.html", include_str!("../../themes/default/templates/matrices.html")),
    ("matrix.html", include_str!("../../themes/default/templates/matrix.html")),
    ("maintenances.html", include_str!("../../themes/default/templates/maintenances.html")),
    ("maintenance.html", include_str!("../../themes/default/templates/maintenance.html")),
    ("page.html", include_str!("../../themes/default/templates/page.html")),
    ("404.html", include_str!("../../themes/default/templates/404.html")),
    ("runbook_print.html", include_str!("../../themes/default/templates/runbook_print.html")),
    ("action_items.html", include_str!("../../themes/default/templates/action_items.html")),
    ("metrics.html", include_str!("../../themes/default/templates/metrics.html")),
    ("search.html", include_str!("../../themes/default/templates/search.html")),
];

/// The default theme's static files, published under `assets/`.
pub const THEME_STATIC: &[(&str, &str)] = &[
    ("style.css", include_str!("../../themes/default/static/style.css")),
    ("cairn.js", include_str!("../../themes/default/static/cairn.js")),
    ("live.js", include_str!("../../themes/default/static/live.js")),
    ("search.js", include_str!("../../themes/default/static/search.js")),
];

/// Template files found in `dir` (non-recursive names relative to it), sorted.
fn template_files(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut out = Vec::new();
    if dir.is_dir() {
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
            if entry.file_type().is_file()
                && let Ok(rel) = entry.path().strip_prefix(dir)
            {
                out.push((crate::diagnostics::display_path(rel), entry.path().to_path_buf()));
            }
        }
    }
    out
}

/// Builds the template engine for a site at `root` using theme `theme`.
pub fn load(root: &Path, theme: &str, theme_pos: Pos) -> Result<tera::Tera, Vec<Diagnostic>> {
    let mut sources: Vec<(String, String, String)> = Vec::new();
    if theme == "default" {
        for (name, text) in THEME_TEMPLATES {
            sources.push((name.to_string(), text.to_string(), format!("<built-in theme>/{name}")));
        }
    }
    let mut problems = Vec::new();
    let theme_dir = root.join("themes").join(theme).join("templates");
    if theme != "default" && !theme_dir.is_dir() {
        problems.push(
            Diagnostic::error(
                Path::new("cairn.yaml"),
                theme_pos,
                "unknown-theme",
                format!("theme `{theme}` not found"),
            )
            .with_help(format!("put it in themes/{theme}/templates, or use `theme: default`")),
        );
    }
    let overrides =
        [("themes/".to_string() + theme + "/templates", theme_dir), ("templates".into(), root.join("templates"))];
    for (label, dir) in overrides {
        for (name, path) in template_files(&dir) {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    sources.retain(|(n, _, _)| *n != name);
                    sources.push((name.clone(), text, format!("{label}/{name}")));
                }
                Err(e) => problems.push(Diagnostic::error(
                    Path::new(&format!("{label}/{name}")),
                    Pos::START,
                    "unreadable",
                    format!("cannot read template: {e}"),
                )),
            }
        }
    }
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html", ".xml", ".svg"]);
    if let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, t, _)| (n.as_str(), t.as_str()))) {
        problems.push(
            Diagnostic::error(Path::new("templates"), Pos::START, "template", format!("template error: {e}"))
                .with_help("fix the template named in the message (Tera 2 syntax)"),
        );
    }
    if problems.is_empty() { Ok(tera) } else { Err(problems) }
}

//! The template engine: the built-in theme is embedded in the binary; a theme folder on disk
//! (`themes/<name>/`) and the site's own `templates/` override its templates by name.

use crate::diagnostics::{Diagnostic, Pos};
use crate::load::inputs;
use std::path::Path;

/// The largest template read: as large as a content file may be.
const MAX_TEMPLATE_BYTES: u64 = crate::load::limits::MAX_FILE_BYTES;

/// The default theme's templates, embedded so a new knowledge base needs no theme copy.
const THEME_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    ("components.html", include_str!("../../themes/default/templates/components.html")),
    ("partials/notified.html", include_str!("../../themes/default/templates/partials/notified.html")),
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
    ("history.html", include_str!("../../themes/default/templates/history.html")),
    ("amendments.html", include_str!("../../themes/default/templates/amendments.html")),
    ("amendment_log.html", include_str!("../../themes/default/templates/amendment_log.html")),
];

/// The default theme's static files, published under `assets/`.
pub const THEME_STATIC: &[(&str, &str)] = &[
    ("style.css", include_str!("../../themes/default/static/style.css")),
    ("cairn.js", include_str!("../../themes/default/static/cairn.js")),
    ("live.js", include_str!("../../themes/default/static/live.js")),
    ("search.js", include_str!("../../themes/default/static/search.js")),
];

/// Template files below `rel` (a folder below `root`), by their path relative to it, sorted;
/// found through `load::inputs`, so no link is followed (the loader warns about links).
fn template_files(root: &Path, rel: &Path) -> Vec<(String, std::path::PathBuf)> {
    let dir = root.join(rel);
    inputs::walk_below(root, rel)
        .files
        .into_iter()
        .filter_map(|entry| {
            let name = crate::diagnostics::display_path(entry.path().strip_prefix(&dir).ok()?);
            // `templates/i18n/` holds the site's message files (see `crate::i18n`), no template.
            (!name.starts_with("i18n/")).then_some((name, entry.into_path()))
        })
        .collect()
}

/// Builds the template engine for a site at `root` using theme `theme`, its words from
/// `messages` (the `t` function, the `num` filter: see `crate::i18n::register`).
pub fn load(root: &Path, theme: &str, theme_pos: Pos, messages: Messages) -> Result<tera::Tera, Vec<Diagnostic>> {
    load_with_versions(root, theme, theme_pos, messages).map(|(tera, _)| tera)
}

type Messages = std::sync::Arc<crate::i18n::Messages>;

/// Each template's version: a hash of its text and of the texts of every template it may draw
/// on (see [`versions_of`]). A page made with a template whose version is unchanged is
/// unchanged, if what it shows is.
pub type Versions = std::collections::BTreeMap<String, u128>;

/// [`load`], with the version of every template.
pub fn load_with_versions(
    root: &Path,
    theme: &str,
    theme_pos: Pos,
    messages: Messages,
) -> Result<(tera::Tera, Versions), Vec<Diagnostic>> {
    let mut sources: Vec<(String, String, String)> = Vec::new();
    if theme == "default" {
        for (name, text) in THEME_TEMPLATES {
            sources.push((name.to_string(), text.to_string(), format!("<built-in theme>/{name}")));
        }
    }
    let mut problems = Vec::new();
    // A theme is one folder name below `themes/`: any other name names no folder.
    let plain = inputs::is_plain(Path::new(theme)) && Path::new(theme).components().count() == 1;
    let theme_rel = Path::new("themes").join(if plain { theme } else { "" }).join("templates");
    let found = plain
        && inputs::below_root(root, &theme_rel)
            .is_ok_and(|dir| std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()));
    if theme != "default" && !found {
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
    let mut overrides = vec![Path::new("templates").to_path_buf()];
    if plain {
        overrides.insert(0, theme_rel);
    }
    for dir in overrides {
        let label = crate::diagnostics::display_path(&dir);
        for (name, path) in template_files(root, &dir) {
            let text = inputs::read_file(&path, MAX_TEMPLATE_BYTES)
                .map_err(|e| e.to_string())
                .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string()));
            match text {
                Ok(text) => {
                    sources.retain(|(n, _, _)| *n != name);
                    sources.push((name.clone(), text, format!("{label}/{name}")));
                }
                Err(e) => problems.push(
                    Diagnostic::error(
                        Path::new(&format!("{label}/{name}")),
                        Pos::START,
                        "unreadable",
                        format!("cannot read template: {e}"),
                    )
                    .with_help("templates are UTF-8 text files of at most 4 MiB inside the repository"),
                ),
            }
        }
    }
    let fresh = || {
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".xml", ".svg"]);
        crate::i18n::register(&mut tera, messages.clone());
        tera
    };
    let mut tera = fresh();
    if let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, t, _)| (n.as_str(), t.as_str()))) {
        problems.push(template_error(&e.to_string(), &sources));
        problems.extend(more_template_errors(&e.to_string(), &sources, &fresh));
    }
    if problems.is_empty() {
        let versions = versions_of(sources.iter().map(|(n, t, _)| (n.as_str(), t.as_str())));
        Ok((tera, versions))
    } else {
        Err(problems)
    }
}

/// The version of each of `templates` (name, text): a hash of the texts of the template and of
/// every template it may draw on, transitively. A template draws on any template whose name
/// it holds as a quoted string (`extends`, `include`, whatever the syntax), and on every
/// template that defines a component (Tera components are global, called by name from any
/// template). This over-approximates what a template uses, never under.
pub fn versions_of<'a>(templates: impl Iterator<Item = (&'a str, &'a str)>) -> Versions {
    let templates: std::collections::BTreeMap<&str, &str> = templates.collect();
    let defines_components: Vec<&str> =
        templates.iter().filter(|(_, text)| opens_with(text, "{%", "component")).map(|(name, _)| *name).collect();
    let named = |text: &str, name: &str| {
        text.contains(&format!("\"{name}\""))
            || text.contains(&format!("'{name}'"))
            || text.contains(&format!("`{name}`"))
    };
    let mut versions = Versions::new();
    for name in templates.keys() {
        let mut closure: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
        let mut todo = vec![*name];
        while let Some(next) = todo.pop() {
            if !closure.insert(next) {
                continue;
            }
            let text = templates[next];
            if opens_with(text, "{{", "<") || opens_with(text, "{%", "component") {
                todo.extend(defines_components.iter().copied());
            }
            todo.extend(templates.keys().copied().filter(|other| named(text, other)));
        }
        let mut h = xxhash_rust::xxh3::Xxh3Default::new();
        for member in closure {
            for part in [member, templates[member]] {
                h.update(&(part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
        }
        versions.insert(name.to_string(), h.digest128());
    }
    versions
}

/// Whether some tag of `text` opening with `open` (`{%`, `{{`, with or without `-`) starts with
/// `word` after its blanks.
fn opens_with(text: &str, open: &str, word: &str) -> bool {
    text.match_indices(open).any(|(at, _)| {
        let rest = &text[at + open.len()..];
        rest.strip_prefix('-').unwrap_or(rest).trim_start().starts_with(word)
    })
}

/// Tera's message split into what went wrong and where: it reads `error: <what>\n --> <name>:<line>:<column>`
/// followed by a snippet of the line, which a diagnostic's position replaces.
pub(super) fn tera_message(message: &str) -> (String, Option<(String, usize, usize)>) {
    let what = message.lines().next().unwrap_or(message).trim_start_matches("error: ").trim().to_string();
    let at = message.lines().find_map(|l| l.trim().strip_prefix("--> ")).and_then(|at| {
        let mut parts = at.rsplitn(3, ':');
        let column = parts.next()?.parse().ok()?;
        let line = parts.next()?.parse().ok()?;
        Some((parts.next()?.to_string(), line, column))
    });
    (what, at)
}

/// Tera stops at the first template that does not parse; the others are found by setting each
/// broken one aside (the built-in theme's version stands in for a broken override) and
/// parsing the rest again, so that every broken template is reported at once. Only errors
/// with a place in a template are reported this way: one caused by setting a template aside
/// (a missing parent) has none.
fn more_template_errors(
    first: &str,
    sources: &[(String, String, String)],
    fresh: &dyn Fn() -> tera::Tera,
) -> Vec<Diagnostic> {
    let mut left: Vec<(String, String, String)> = sources.to_vec();
    let mut error = first.to_string();
    let mut seen = std::collections::BTreeSet::new();
    let mut found = Vec::new();
    while let (_, Some((name, _, _))) = tera_message(&error) {
        if !seen.insert(name.clone()) {
            break;
        }
        let builtin = THEME_TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, t)| t.to_string());
        let stand_in = left.iter().position(|(n, _, _)| *n == name);
        match (stand_in, builtin) {
            (Some(i), Some(text)) if left[i].1 != text => left[i].1 = text,
            (Some(i), _) => {
                left.remove(i);
            }
            (None, _) => break,
        }
        match fresh().add_raw_templates(left.iter().map(|(n, t, _)| (n.as_str(), t.as_str()))) {
            Ok(()) => break,
            Err(e) => {
                error = e.to_string();
                if let (_, Some((next, _, _))) = tera_message(&error)
                    && !seen.contains(&next)
                {
                    found.push(template_error(&error, sources));
                }
            }
        }
    }
    found
}

/// A template that does not parse, at its file, line and column.
fn template_error(message: &str, sources: &[(String, String, String)]) -> Diagnostic {
    let (what, at) = tera_message(message);
    let (file, pos) = match at {
        Some((name, line, column)) => {
            let label =
                sources.iter().find(|(n, _, _)| *n == name).map_or(format!("templates/{name}"), |s| s.2.clone());
            (label, Pos::new(line, column))
        }
        None => ("templates".to_string(), Pos::START),
    };
    Diagnostic::error(Path::new(&file), pos, "template", format!("template error: {what}"))
        .with_help("fix the template at this place (Tera 2 syntax), or delete the override to use the theme's")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_moves_with_what_the_template_draws_on_only() {
        let set = |base: &'static str, card: &'static str, page: &'static str, print: &'static str| {
            versions_of(
                [
                    ("base.html", base),
                    ("parts.html", card),
                    ("page.html", page),
                    ("print.html", print),
                    ("alone.html", "<p>{{ x }}</p>"),
                ]
                .into_iter(),
            )
        };
        let before = set(
            "<html>{% block body %}{% endblock %}</html>",
            "{% component card(x) %}{{ x }}{% endcomponent %}",
            "{% extends \"base.html\" %}{% block body %}{{ <card x=1/> }}{% endblock %}",
            "{% include 'alone.html' %}",
        );
        let base_edited = set(
            "<html lang=en>{% block body %}{% endblock %}</html>",
            "{% component card(x) %}{{ x }}{% endcomponent %}",
            "{% extends \"base.html\" %}{% block body %}{{ <card x=1/> }}{% endblock %}",
            "{% include 'alone.html' %}",
        );
        assert_ne!(before["page.html"], base_edited["page.html"], "page.html extends base.html");
        assert_ne!(before["base.html"], base_edited["base.html"]);
        assert_eq!(before["print.html"], base_edited["print.html"], "print.html does not draw on base.html");
        assert_eq!(before["alone.html"], base_edited["alone.html"]);
        let component_edited = set(
            "<html>{% block body %}{% endblock %}</html>",
            "{% component card(x) %}<b>{{ x }}</b>{% endcomponent %}",
            "{% extends \"base.html\" %}{% block body %}{{ <card x=1/> }}{% endblock %}",
            "{% include 'alone.html' %}",
        );
        assert_ne!(before["page.html"], component_edited["page.html"], "page.html calls a component");
        assert_ne!(before["parts.html"], component_edited["parts.html"]);
        for untouched in ["base.html", "print.html", "alone.html"] {
            assert_eq!(before[untouched], component_edited[untouched], "{untouched} calls no component");
        }
    }
}

//! Stage 3, render: markdown to HTML (pulldown-cmark + syntect) and pages through the theme's
//! Tera templates. One `Renderer` (one Tera instance, one syntax set) serves the whole build.
//! What the templates see is built in `crate::view`.

pub mod highlight;
pub mod markdown;
pub mod templates;

use crate::diagnostics::{Diagnostic, Pos};
use serde::Serialize;
use std::path::Path;

/// Relative prefix from a page at `path` (`incidents/x/`) to the site root (`../../`).
pub fn root_prefix(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Renders pages of one site through the theme.
pub struct Renderer {
    tera: tera::Tera,
    versions: templates::Versions,
}

impl Renderer {
    /// The theme `theme` of the repo at `root` (its overrides included), with `globals` as what
    /// every template sees as `site` and `messages` behind its `t` function and `num` filter.
    pub fn new(
        root: &Path,
        theme: &str,
        theme_pos: Pos,
        globals: &impl Serialize,
        messages: std::sync::Arc<crate::i18n::Messages>,
    ) -> Result<Renderer, Vec<Diagnostic>> {
        let (mut tera, versions) = templates::load_with_versions(root, theme, theme_pos, messages)?;
        tera.global_context().insert("site", globals);
        Ok(Renderer { tera, versions })
    }

    /// The version of every template (see [`templates::versions_of`]).
    pub fn versions(&self) -> &templates::Versions {
        &self.versions
    }

    /// Renders `template` with `context`; errors name the template and the page being built.
    pub fn render(&self, template: &str, context: &tera::Context, page: &str) -> Result<String, Diagnostic> {
        self.tera.render(template, context).map_err(|e| {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            let (what, at) = templates::tera_message(&message);
            let (file, pos) = match at {
                Some((name, line, column)) => (name, Pos::new(line, column)),
                None => (template.to_string(), Pos::START),
            };
            Diagnostic::error(
                Path::new("templates").join(file).as_path(),
                pos,
                "template",
                format!("rendering `{page}` failed: {what}"),
            )
            .with_help("fix the template, or the override of it in templates/")
        })
    }
}

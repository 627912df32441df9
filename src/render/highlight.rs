//! Code highlighting with syntect, as CSS classes (`hl-…`) so one markup serves the light and the
//! dark stylesheet. The syntax set is loaded once per process and shared by all threads.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Extra names responders use for languages syntect knows under another token.
fn alias(lang: &str) -> &str {
    match lang {
        "shell" | "console" | "zsh" => "bash",
        "yml" => "yaml",
        "jsonc" => "json",
        "py" => "python",
        "rs" => "rust",
        "js" => "javascript",
        other => other,
    }
}

/// Highlighted blocks already seen in this process, by language and text. Knowledge bases repeat
/// the same commands across many runbooks and incidents, and highlighting is the costliest part
/// of rendering; the cache holds small blocks only, and a bounded number of them.
type Memo = RwLock<HashMap<(String, String), Arc<str>>>;

const MEMO_MAX_ENTRIES: usize = 4096;
const MEMO_MAX_BLOCK: usize = 4096;

fn memo() -> &'static Memo {
    static MEMO: OnceLock<Memo> = OnceLock::new();
    MEMO.get_or_init(Memo::default)
}

/// Highlights `code` as `lang`; unknown languages come back escaped but unstyled.
pub fn highlight(code: &str, lang: &str) -> String {
    if code.len() > MEMO_MAX_BLOCK {
        return highlight_uncached(code, lang);
    }
    let key = (lang.to_string(), code.to_string());
    if let Some(html) = memo().read().ok().and_then(|m| m.get(&key).cloned()) {
        return html.to_string();
    }
    let html = highlight_uncached(code, lang);
    if let Ok(mut m) = memo().write()
        && m.len() < MEMO_MAX_ENTRIES
    {
        m.insert(key, Arc::from(html.as_str()));
    }
    html
}

fn highlight_uncached(code: &str, lang: &str) -> String {
    let set = syntaxes();
    let Some(syntax) = (!lang.is_empty()).then(|| set.find_syntax_by_token(alias(lang))).flatten() else {
        return escape(code);
    };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            return escape(code);
        }
    }
    generator.finalize()
}

/// The light and dark stylesheets for the highlight classes.
pub fn stylesheets() -> (String, String) {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    let css = |name: &str| {
        themes.themes.get(name).and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok()).unwrap_or_default()
    };
    (css("InspiredGitHub"), css("base16-ocean.dark"))
}

/// Escaping for HTML: see `escape_markup`.
pub use crate::text::escape_markup as escape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_known_languages_and_escapes_unknown() {
        let html = highlight("let x = 1;\n", "rust");
        assert!(html.contains("hl-"), "{html}");
        assert_eq!(highlight("<b>\n", "nope"), "&lt;b&gt;\n");
    }
}

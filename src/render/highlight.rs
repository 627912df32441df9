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

/// The code background of the default theme in each scheme (`--code-bg` in style.css).
const LIGHT_CODE_BG: [u8; 3] = [0xf6, 0xf8, 0xfa];
const DARK_CODE_BG: [u8; 3] = [0x0f, 0x12, 0x17];

/// The light and dark stylesheets for the highlight classes. Each token colour is moved towards
/// black (light) or white (dark) until it reads at 4.6:1 or more on the theme's code background,
/// and the themes' own backgrounds are dropped: the page's code background is the one measured.
pub fn stylesheets() -> (String, String) {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    let css = |name: &str, bg: [u8; 3]| {
        let raw = themes
            .themes
            .get(name)
            .and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok())
            .unwrap_or_default();
        readable(&raw, bg)
    };
    (css("InspiredGitHub", LIGHT_CODE_BG), css("base16-ocean.dark", DARK_CODE_BG))
}

/// WCAG relative luminance of an sRGB colour.
fn luminance(c: [u8; 3]) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.039_28 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])
}

/// WCAG contrast ratio of two colours.
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// `fg` mixed towards black or white (whichever is farther from `bg`) until it reaches 4.6:1.
fn adjusted(fg: [u8; 3], bg: [u8; 3]) -> [u8; 3] {
    let target = if luminance(bg) > 0.5 { 0.0 } else { 255.0 };
    let mut c = fg;
    for step in 0..=20 {
        if contrast(c, bg) >= 4.6 {
            break;
        }
        let t = f64::from(step + 1) / 20.0;
        c = fg.map(|v| (f64::from(v) + (target - f64::from(v)) * t).round() as u8);
    }
    c
}

/// The stylesheet with its background declarations dropped and every `color: #rrggbb` readable
/// on `bg`.
fn readable(css: &str, bg: [u8; 3]) -> String {
    let mut out = String::with_capacity(css.len());
    for line in css.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("background-color:") {
            continue;
        }
        let hex = trimmed.strip_prefix("color: #").and_then(|rest| rest.get(..6));
        let parsed = hex.and_then(|h| {
            let v = u32::from_str_radix(h, 16).ok()?;
            Some([(v >> 16) as u8, (v >> 8) as u8, v as u8])
        });
        match parsed {
            Some(fg) => {
                let [r, g, b] = adjusted(fg, bg);
                out.push_str(&format!(" color: #{r:02x}{g:02x}{b:02x};\n"));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// Escaping for HTML: see `escape_markup`.
pub use crate::text::escape_markup as escape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_token_colour_reads_on_its_code_background() {
        let (light, dark) = stylesheets();
        for (css, bg) in [(&light, LIGHT_CODE_BG), (&dark, DARK_CODE_BG)] {
            assert!(!css.contains("background-color"), "the page's code background is the one measured");
            let colours: Vec<&str> = css.lines().filter_map(|l| l.trim().strip_prefix("color: #")).collect();
            assert!(colours.len() > 5, "{css}");
            for c in colours {
                let v = u32::from_str_radix(&c[..6], 16).unwrap();
                let fg = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
                assert!(contrast(fg, bg) >= 4.5, "#{c} on {bg:?}");
            }
        }
        // The grey comments of the light theme (#969896, 2.9:1) were darkened.
        assert!(!light.contains("#969896"));
    }

    #[test]
    fn highlights_known_languages_and_escapes_unknown() {
        let html = highlight("let x = 1;\n", "rust");
        assert!(html.contains("hl-"), "{html}");
        assert_eq!(highlight("<b>\n", "nope"), "&lt;b&gt;\n");
    }
}

//! The site in its readers' language: the example builds in every shipped language, no English
//! UI string is left on a non-English build, dates and numbers follow the language, the
//! templates hold no bare text, and the reader's local time is added by the theme's script.

mod common;

use common::blackbox::{NOW, build, example_copy};
use scraper::{ElementRef, Html, Node};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn theme() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default")
}

/// The languages the theme ships: one message file each.
fn shipped() -> Vec<String> {
    let mut langs: Vec<String> = std::fs::read_dir(theme().join("i18n"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".yaml").map(str::to_string))
        .collect();
    langs.sort();
    langs
}

/// A message file's messages, by dotted key (plural forms as `key.one`, `key.other`).
fn messages(text: &str) -> BTreeMap<String, String> {
    fn walk(prefix: &str, v: &serde_yaml::Value, out: &mut BTreeMap<String, String>) {
        match v {
            serde_yaml::Value::Mapping(map) => {
                for (k, v) in map {
                    let k = k.as_str().unwrap();
                    walk(&if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") }, v, out);
                }
            }
            serde_yaml::Value::String(s) => {
                out.insert(prefix.to_string(), s.clone());
            }
            other => panic!("message {prefix} is not text: {other:?}"),
        }
    }
    let doc: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
    let mut out = BTreeMap::new();
    walk("", &doc["messages"], &mut out);
    out
}

fn messages_of(lang: &str) -> BTreeMap<String, String> {
    messages(&std::fs::read_to_string(theme().join(format!("i18n/{lang}.yaml"))).unwrap())
}

/// The literal pieces of a message between its `{placeholders}`, trimmed of punctuation.
fn fragments(message: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = message;
    loop {
        let (piece, next) = match rest.find('{') {
            Some(open) => (&rest[..open], rest[open..].find('}').map(|close| &rest[open + close + 1..])),
            None => (rest, None),
        };
        let piece = piece.trim_matches(|c: char| !c.is_alphanumeric());
        if piece.chars().filter(|c| c.is_alphabetic()).count() >= 3 {
            out.push(piece.to_string());
        }
        match next {
            Some(n) => rest = n,
            None => return out,
        }
    }
}

/// The English UI strings a build in `lang` must not show: the fragments of every English
/// message that are no fragment of `lang`'s messages (words both languages share, "Status",
/// "Incident", are not English leftovers) and that no content file holds (the content is
/// shown as written, in whatever language it is written).
fn english_leftovers(lang: &str, content: &str) -> BTreeSet<String> {
    let theirs: BTreeSet<String> = messages_of(lang).values().flat_map(|m| fragments(m)).collect();
    let content = content.to_lowercase();
    messages_of("en")
        .values()
        .flat_map(|m| fragments(m))
        .filter(|f| !theirs.contains(f) && !content.contains(&f.to_lowercase()))
        .collect()
}

/// Every text of a content file of the knowledge base at `root` (and its `cairn.yaml`).
fn content_text(root: &Path) -> String {
    let mut text = std::fs::read_to_string(root.join("cairn.yaml")).unwrap();
    for entry in walkdir::WalkDir::new(root.join("content")).into_iter().filter_map(Result::ok) {
        if entry.file_type().is_file() {
            text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    text
}

/// Whether `needle` occurs in `hay` as whole words.
fn has_words(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(at, _)| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Regions that show content as written, not the theme's words: rendered markdown, code, and
/// the scripts and styles.
const CONTENT_REGIONS: &[&str] = &["prose", "timeline-body", "update-body"];
const UI_ATTRIBUTES: &[&str] = &["title", "aria-label", "placeholder", "alt", "data-label"];

/// The UI texts of one page: its text nodes and UI attributes outside content regions.
fn ui_texts(html: &str) -> Vec<String> {
    fn walk(el: ElementRef<'_>, out: &mut Vec<String>) {
        let v = el.value();
        if matches!(v.name(), "script" | "style" | "pre" | "code") || v.classes().any(|c| CONTENT_REGIONS.contains(&c))
        {
            return;
        }
        for a in UI_ATTRIBUTES {
            if let Some(text) = v.attr(a) {
                out.push(text.to_string());
            }
        }
        for child in el.children() {
            match child.value() {
                Node::Text(t) => out.push(t.split_whitespace().collect::<Vec<_>>().join(" ")),
                Node::Element(_) => walk(ElementRef::wrap(child).unwrap(), out),
                _ => {}
            }
        }
    }
    let doc = Html::parse_document(html);
    let mut out = Vec::new();
    walk(doc.root_element(), &mut out);
    out
}

/// Each English leftover found on the HTML pages of `out`: (page, text, leftover).
fn leftovers_in(out: &Path, leftovers: &BTreeSet<String>) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(out).into_iter().filter_map(Result::ok) {
        // Every page: the theme's, the embeddable widget and the redirects of old addresses.
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        for text in ui_texts(&html) {
            for l in leftovers.iter().filter(|l| has_words(&text, l)) {
                let page = entry.path().strip_prefix(out).unwrap().display().to_string();
                found.push((page, text.clone(), l.clone()));
            }
        }
    }
    found
}

/// The example knowledge base in a temp dir, set to `language: lang`.
fn example_in(lang: &str) -> tempfile::TempDir {
    let dir = example_copy();
    let config = dir.path().join("cairn.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}language: {lang}\n")).unwrap();
    dir
}

fn built(root: &Path, audience: &str) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let run = build(root, audience, out.path(), NOW);
    assert!(run.ok(), "build failed: {}{}", run.stdout, run.stderr);
    out
}

fn page(out: &Path, path: &str) -> String {
    std::fs::read_to_string(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn english_german_and_french_are_shipped() {
    assert_eq!(shipped(), ["de", "en", "fr"]);
}

#[test]
fn every_language_has_every_english_key_and_no_other() {
    let en: BTreeSet<String> = messages_of("en").into_keys().collect();
    for lang in shipped() {
        let theirs: BTreeSet<String> = messages_of(&lang).into_keys().collect();
        assert_eq!(en.difference(&theirs).collect::<Vec<_>>(), Vec::<&String>::new(), "{lang}.yaml lacks these keys");
        assert_eq!(theirs.difference(&en).collect::<Vec<_>>(), Vec::<&String>::new(), "{lang}.yaml has unknown keys");
    }
}

#[test]
fn the_example_builds_in_every_shipped_language() {
    for lang in shipped() {
        let site = example_in(&lang);
        for audience in ["public", "internal"] {
            let out = built(site.path(), audience);
            let home = Html::parse_document(&page(out.path(), "index.html"));
            let html = home.select(&scraper::Selector::parse("html").unwrap()).next().unwrap();
            assert_eq!(html.value().attr("lang"), Some(lang.as_str()), "{lang} {audience}: <html lang>");
            let atom = page(out.path(), "feeds/incidents.atom");
            let feed = roxmltree::Document::parse(&atom).unwrap();
            let xml_lang = feed.root_element().attribute(("http://www.w3.org/XML/1998/namespace", "lang"));
            assert_eq!(xml_lang, Some(lang.as_str()), "{lang}: the Atom feed's xml:lang");
            let rss = page(out.path(), "feeds/incidents.rss");
            let rss = roxmltree::Document::parse(&rss).unwrap();
            let language = rss.descendants().find(|n| n.has_tag_name("language")).and_then(|n| n.text());
            assert_eq!(language, Some(lang.as_str()), "{lang}: the RSS feed's language");
            // Machine-readable outputs stay language-neutral.
            let summary: serde_json::Value = serde_json::from_str(&page(out.path(), "api/v2/summary.json")).unwrap();
            assert!(summary["status"]["indicator"].is_string());
            assert!(page(out.path(), "api/v2/summary.json").contains("\"operational\""));
        }
    }
}

#[test]
fn no_english_ui_string_remains_on_a_german_or_french_build() {
    for lang in ["de", "fr"] {
        let site = example_in(lang);
        let leftovers = english_leftovers(lang, &content_text(site.path()));
        assert!(leftovers.len() > 200, "{lang}: only {} English strings to look for", leftovers.len());
        for audience in ["public", "internal"] {
            let out = built(site.path(), audience);
            let found = leftovers_in(out.path(), &leftovers);
            assert!(
                found.is_empty(),
                "{lang} {audience}: English left on the pages: {:#?}",
                &found[..found.len().min(20)]
            );
        }
    }
}

#[test]
fn one_english_message_put_back_is_found() {
    // The same check, on a site whose override file puts one message back into English: the
    // check must see it (on the incident page's facts box), or it proves nothing.
    let site = example_in("de");
    let dir = site.path().join("templates/i18n");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("de.yaml"), "messages:\n  incident:\n    facts: Incident facts\n").unwrap();
    let leftovers = english_leftovers("de", &content_text(site.path()));
    assert!(leftovers.contains("Incident facts"));
    let out = built(site.path(), "public");
    let found = leftovers_in(out.path(), &leftovers);
    assert!(!found.is_empty() && found.iter().all(|(_, _, l)| l == "Incident facts"), "{found:#?}");
}

#[test]
fn dates_and_numbers_follow_the_language() {
    let incident = "incidents/2026-11-20-finality-stall/index.html";
    let upgrade = "maintenance/2026-12-03-v1-9-0-network-upgrade/index.html";
    let de = built(example_in("de").path(), "public");
    let fr = built(example_in("fr").path(), "public");
    let en = built(example_in("en").path(), "public");
    // Day, month and order from the message files; always UTC, 24-hour.
    assert!(page(de.path(), incident).contains("20. Nov. 2026, "), "German date");
    assert!(page(fr.path(), incident).contains("20 nov. 2026, "), "French date");
    assert!(page(en.path(), incident).contains("20 Nov 2026, "), "English date");
    for out in [&de, &fr, &en] {
        assert!(page(out.path(), incident).contains(" UTC</time>"), "times say UTC");
    }
    // Block heights are identifiers, copied into explorers and CLIs: never grouped.
    assert!(page(de.path(), upgrade).contains("#1100000"), "heights stay as they are");
    // A large number, grouped per language: the home page's bars over 1,200 days.
    let long = |lang: &str| {
        let site = example_in(lang);
        let config = site.path().join("cairn.yaml");
        let text = std::fs::read_to_string(&config).unwrap().replace("history_days: 90", "history_days: 1200");
        std::fs::write(&config, text).unwrap();
        let out = built(site.path(), "public");
        page(out.path(), "index.html")
    };
    assert!(long("de").contains("vor 1.200 Tagen"), "German thousands");
    assert!(long("fr").contains("il y a 1\u{202f}200 jours"), "French thousands");
    assert!(long("en").contains("1,200 days ago"), "English thousands");
    // A decimal: the uptime of the home page's bars.
    let uptime = |out: &Path| {
        let home = Html::parse_document(&page(out, "index.html"));
        let sel = scraper::Selector::parse(".legend-wide .uptime").unwrap();
        home.select(&sel).next().unwrap().text().next().unwrap().to_string()
    };
    assert!(
        uptime(de.path()).contains(',') && uptime(de.path()).ends_with(" % Verfügbarkeit"),
        "{}",
        uptime(de.path())
    );
    assert!(uptime(en.path()).contains('.') && uptime(en.path()).ends_with("% uptime"), "{}", uptime(en.path()));
    // Plurals per language: French counts 0 and 1 as one.
    let fr_home = page(fr.path(), "index.html");
    assert!(fr_home.contains("Incidents ouverts") || fr_home.contains("Incident ouvert"));
}

/// Text of a template outside its tags, expressions, statements and comments, and the literal
/// values of its UI attributes: what would reach the page untranslated.
fn bare_texts(template: &str) -> Vec<String> {
    // The page's body and container classes are names, not words.
    let mut text = template.to_string();
    for block in ["body_class", "container_class"] {
        let open = format!("{{% block {block} %}}");
        while let Some(at) = text.find(&open) {
            let end = text[at..].find("{% endblock").map_or(text.len(), |e| at + e);
            text.replace_range(at..end, " ");
        }
    }
    for (open, close) in [("{#", "#}"), ("{%", "%}"), ("{{", "}}"), ("<svg", "</svg>"), ("<!--", "-->")] {
        while let Some(at) = text.find(open) {
            let end = text[at..].find(close).map_or(text.len(), |e| at + e + close.len());
            text.replace_range(at..end, " \u{0} ");
        }
    }
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(lt) = rest.find('<') {
        out.push(rest[..lt].to_string());
        let Some(gt) = rest[lt..].find('>') else { break };
        let tag = &rest[lt..lt + gt];
        for a in UI_ATTRIBUTES {
            if let Some(at) = tag.find(&format!(" {a}=\"")) {
                let value = &tag[at + a.len() + 3..];
                out.push(value[..value.find('"').unwrap_or(value.len())].to_string());
            }
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push(rest.to_string());
    // What is not a word of any language: ids of formats and units.
    const ALLOWED: &[&str] =
        &["SVG", "ics", "SHA-256", "p90", "api/disclosures.json", "api/metrics.json", "Atom", "RSS"];
    out.into_iter()
        .flat_map(|t| t.split('\u{0}').map(str::to_string).collect::<Vec<_>>())
        .map(|t| t.trim().to_string())
        .filter(|t| t.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 2)
        .filter(|t| !ALLOWED.iter().any(|a| t.trim_matches(|c: char| !c.is_alphanumeric()) == *a))
        .filter(|t| !t.starts_with("cairn search "))
        .collect()
}

#[test]
fn templates_hold_no_bare_human_readable_text() {
    let mut found = Vec::new();
    // Every template, partials in subfolders included.
    let templates = theme().join("templates");
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&templates).sort_by_file_name() {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        checked += 1;
        for t in bare_texts(&text) {
            found.push(format!("{}: {t:?}", entry.path().strip_prefix(&templates).unwrap().display()));
        }
    }
    assert!(checked > 20 && templates.join("partials/notified.html").exists(), "{checked} templates");
    assert!(found.is_empty(), "text outside t(): {found:#?}");
    // The lint sees English put back, in a text node and in an attribute.
    assert_eq!(bare_texts("<p>{{ t(k=\"a\") }} Updated</p>"), ["Updated"]);
    assert_eq!(bare_texts("<nav aria-label=\"Main\">{{ x }}</nav>"), ["Main"]);
    assert!(bare_texts("<p class=\"x\">{{ t(k=\"a\") }}</p>{# a comment #}").is_empty());
}

#[test]
fn a_language_not_shipped_and_a_missing_message_are_errors() {
    let site = example_in("xx");
    let out = tempfile::tempdir().unwrap();
    let run = build(site.path(), "public", out.path(), NOW);
    assert!(!run.ok());
    assert!(
        run.stderr.contains("cairn.yaml:")
            && run.stderr.contains("language `xx` is not shipped: the languages are de, en, fr"),
        "{}",
        run.stderr
    );
    // A language added by the site must have every key: the gap names the file and the key.
    let site = example_in("nl");
    std::fs::create_dir_all(site.path().join("templates/i18n")).unwrap();
    let en = std::fs::read_to_string(theme().join("i18n/en.yaml")).unwrap();
    std::fs::write(site.path().join("templates/i18n/nl.yaml"), en.replace("    facts: \"Incident facts\"\n", ""))
        .unwrap();
    let run = build(site.path(), "public", out.path(), NOW);
    assert!(!run.ok());
    assert!(
        run.stderr.contains("templates/i18n/nl.yaml") && run.stderr.contains("message `incident.facts` is missing"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_site_overrides_and_adds_messages() {
    let site = example_in("de");
    std::fs::create_dir_all(site.path().join("templates/i18n")).unwrap();
    std::fs::write(site.path().join("templates/i18n/de.yaml"), "messages:\n  incident:\n    facts: Steckbrief\n")
        .unwrap();
    let out = built(site.path(), "public");
    assert!(page(out.path(), "incidents/2026-11-20-finality-stall/index.html").contains(">Steckbrief</h2>"));
}

#[test]
#[ignore = "needs Chromium: run by .ci/run with --include-ignored"]
fn the_script_adds_the_readers_local_time_in_their_language() {
    use common::browser::{Browser, serve};
    use serde_json::json;
    let site = example_in("de");
    let out = built(site.path(), "public");
    let url = serve(out.path().to_path_buf());
    let mut b = Browser::launch();
    b.call("Emulation.setTimezoneOverride", json!({ "timezoneId": "Asia/Tokyo" }));
    b.open(&format!("{url}incidents/2026-11-20-finality-stall/"));
    let local = b.wait_for(
        "(() => { const l = document.querySelector('time[datetime] + .t-local'); return l && l.textContent; })()",
    );
    let text = local.as_str().unwrap().to_string();
    // 20 Nov 14:05 UTC is 23:05 in Tokyo the same day; the zone is named.
    assert!(text.starts_with(" · ") && text.contains(':') && text.contains("GMT+9"), "{text}");
    let rel = b.eval("document.querySelector('.t-rel') ? document.querySelector('.t-rel').textContent : ''");
    let rel = rel.as_str().unwrap_or_default();
    assert!(rel.is_empty() || rel.contains("vor ") || rel.contains("in "), "relative time in German: {rel}");
}

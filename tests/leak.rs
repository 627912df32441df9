//! Leak test: the public build of the example, every file of it, holds no internal canary
//! phrase, no title of a non-public document and no text of a non-public update; the internal
//! build holds all of them. Visibility is worked out here from the content model's rules.

mod common;

use cairn::model::{Kind, PostmortemStatus, Sources};
use common::*;
use icalendar::Component as _;
use std::collections::BTreeSet;

/// Every `canary <word>-<word>-<n>` phrase written anywhere in the example's content.
fn canaries() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for entry in walkdir::WalkDir::new(example_root().join("content")) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("canary ") {
            let tail = &rest[i + 7..];
            let word: String = tail.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            if word.matches('-').count() == 2 && word.rsplit('-').next().unwrap().chars().all(|c| c.is_ascii_digit()) {
                out.insert(format!("canary {word}"));
            }
            rest = tail;
        }
    }
    out
}

fn sources() -> Sources {
    let (sources, problems) = cairn::load::load(&example_root());
    assert!(problems.is_empty(), "{problems:?}");
    sources
}

/// Titles of documents the public may not see (by the content model's rules).
fn hidden_titles(s: &Sources) -> Vec<String> {
    let now = now();
    let mut out = Vec::new();
    let drafts: BTreeSet<&str> =
        s.postmortems.iter().filter(|p| p.status == PostmortemStatus::Draft).map(|p| p.meta.slug.as_str()).collect();
    for m in s.metas() {
        let visibility = m.visibility.unwrap_or(s.config.defaults[&m.kind]);
        let embargoed = m.embargo_until.is_some_and(|t| t > now);
        let draft = m.kind == Kind::Postmortem && drafts.contains(m.slug.as_str());
        if visibility > 0 || embargoed || draft {
            out.push(m.title.clone());
        }
    }
    out
}

/// A distinctive run of plain words from each non-public update.
fn hidden_update_texts(s: &Sources) -> Vec<String> {
    let mut out = Vec::new();
    let snippets = |body: &str| -> Option<String> {
        body.lines()
            .map(str::trim)
            .filter(|l| l.len() > 30)
            .map(|l| l.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == ' ').collect::<String>())
            .find(|run| run.len() >= 20)
    };
    for inc in &s.incidents {
        for u in &inc.updates {
            if u.visibility.unwrap_or(0) > 0
                && let Some(snippet) = snippets(&u.body)
            {
                out.push(snippet);
            }
        }
    }
    out
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[test]
fn public_build_contains_nothing_internal() {
    let canaries = canaries();
    assert!(canaries.len() >= 20, "the example should carry canaries in every internal text: {}", canaries.len());
    let s = sources();
    let titles = hidden_titles(&s);
    let updates = hidden_update_texts(&s);
    assert!(titles.len() >= 10 && updates.len() >= 5, "{} titles, {} updates", titles.len(), updates.len());
    let public = build_example(None);
    let mut leaks = Vec::new();
    for (path, bytes) in public.files() {
        let text = String::from_utf8_lossy(&bytes);
        if text.to_lowercase().contains("canary") {
            leaks.push(format!("{path}: contains the word canary"));
        }
        for needle in canaries.iter().chain(&titles).chain(&updates) {
            if text.contains(needle.as_str()) || text.contains(&html_escape(needle)) {
                leaks.push(format!("{path}: {needle}"));
            }
        }
    }
    assert!(leaks.is_empty(), "public build leaks:\n{}", leaks.join("\n"));
}

#[test]
fn internal_build_contains_everything() {
    let canaries = canaries();
    let s = sources();
    let internal = build_example(Some("internal"));
    let all: String = internal.files().values().map(|b| String::from_utf8_lossy(b).into_owned()).collect();
    let (titles, updates) = (hidden_titles(&s), hidden_update_texts(&s));
    let missing: Vec<&String> = canaries
        .iter()
        .chain(&titles)
        .chain(&updates)
        .filter(|n| !all.contains(n.as_str()) && !all.contains(&html_escape(n)))
        .collect();
    assert!(missing.is_empty(), "internal build misses: {missing:#?}");
}

#[test]
fn operators_see_operators_text_but_not_internal_text() {
    let operators = build_example(Some("operators"));
    let all: String = operators.files().values().map(|b| String::from_utf8_lossy(b).into_owned()).collect();
    // From the example: an operators-only update and an internal-only update of the same incident.
    assert!(all.contains("canary lichen-walrus-52"), "operators update missing");
    assert!(!all.contains("canary thistle-raven-09"), "internal update leaked to operators");
    assert!(!all.contains("canary umber-mole-71"), "internal block leaked to operators");
    assert!(all.contains("canary ivory-puffin-38"), "operators block missing");
}

#[test]
fn embargoed_text_appears_publicly_only_after_its_time() {
    let before = build_example(None);
    let text = std::fs::read_to_string(before.path("incidents/2026-11-09-security-release-v1-8-2/index.html")).unwrap();
    assert!(!text.contains("vexillum"), "embargoed text published early");
    let operators = build_example(Some("operators"));
    let text =
        std::fs::read_to_string(operators.path("incidents/2026-11-09-security-release-v1-8-2/index.html")).unwrap();
    assert!(text.contains("vexillum"), "operators see embargoed text at once");
    let dir = tempfile::tempdir().unwrap();
    let later = cairn::load::parse_time("2027-01-16T00:00:00Z").unwrap();
    build_into(example_repo(), None, &dir.path().join("site"), later);
    let text = std::fs::read_to_string(dir.path().join("site/incidents/2026-11-09-security-release-v1-8-2/index.html"))
        .unwrap();
    assert!(text.contains("vexillum"), "embargo lifted, text must be public");
}

/// Every piece of text a machine-readable output holds, decoded by a real parser: JSON strings,
/// feed titles and contents, calendar property values (unfolded, unescaped), SVG and widget text.
fn decoded_texts(path: &str, bytes: &[u8]) -> Option<Vec<String>> {
    fn json_strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|v| json_strings(v, out)),
            serde_json::Value::Object(o) => o.iter().for_each(|(k, v)| {
                out.push(k.clone());
                json_strings(v, out)
            }),
            _ => {}
        }
    }
    let text = String::from_utf8_lossy(bytes).into_owned();
    let mut out = Vec::new();
    if path.ends_with(".json") {
        json_strings(&serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{path}: {e}")), &mut out);
    } else if path.ends_with(".atom") || path.ends_with(".rss") {
        let feed = feed_rs::parser::parse(bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        out.extend(feed.title.map(|t| t.content));
        for e in feed.entries {
            out.extend(e.title.map(|t| t.content));
            out.extend(e.content.and_then(|c| c.body));
            out.extend(e.summary.map(|s| s.content));
            out.extend(e.links.into_iter().map(|l| l.href));
        }
    } else if path.ends_with(".ics") {
        let calendar: icalendar::Calendar = text.parse().unwrap_or_else(|e| panic!("{path}: {e}"));
        for c in &calendar.components {
            if let Some(event) = c.as_event() {
                for p in event.properties().values() {
                    out.push(p.value().replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";"));
                }
            }
        }
    } else if path.ends_with(".svg") {
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        out.extend(doc.descendants().filter_map(|n| n.text()).map(String::from));
        out.extend(doc.descendants().flat_map(|n| n.attributes().map(|a| a.value().to_string())));
    } else if path.starts_with("widget/") {
        out.push(text.clone());
        let html = scraper::Html::parse_document(&text);
        out.push(html.root_element().text().collect::<String>());
    } else {
        return None;
    }
    Some(out)
}

#[test]
fn machine_readable_outputs_decoded_hold_nothing_internal() {
    let canaries = canaries();
    let s = sources();
    let (titles, updates) = (hidden_titles(&s), hidden_update_texts(&s));
    let hidden_components: Vec<&cairn::model::Component> =
        s.components.components.iter().filter(|c| c.visibility.unwrap_or(s.config.component_default) > 0).collect();
    assert!(hidden_components.len() >= 2);
    let public = build_example(None);
    let mut decoded = 0;
    let mut leaks = Vec::new();
    for (path, bytes) in public.files() {
        let Some(texts) = decoded_texts(&path, &bytes) else { continue };
        decoded += 1;
        for c in &hidden_components {
            if path.contains(&c.id) {
                leaks.push(format!("{path}: file for internal component {}", c.id));
            }
        }
        for t in &texts {
            let lower = t.to_lowercase();
            if lower.contains("canary") {
                leaks.push(format!("{path}: canary in `{t}`"));
            }
            for needle in canaries.iter().chain(&titles).chain(&updates) {
                if t.contains(needle.as_str()) {
                    leaks.push(format!("{path}: {needle}"));
                }
            }
            for c in &hidden_components {
                if t == &c.id || t.contains(&c.name) {
                    leaks.push(format!("{path}: internal component {}", c.id));
                }
            }
        }
    }
    // api/v2 (8) + feeds + calendar + badges + widget: the decoders ran on all of them.
    assert!(decoded >= 8 + 2 + 1 + 1 + 2, "only {decoded} machine-readable files decoded");
    assert!(leaks.is_empty(), "public machine-readable outputs leak:\n{}", leaks.join("\n"));
}

/// Both search indexes of the public build, decoded and queried rather than grepped: the static
/// JSON index (documents and terms) and the tantivy index of `cairn search`.
#[test]
fn public_search_indexes_hold_only_public_text() {
    let canaries = canaries();
    let s = sources();
    let titles = hidden_titles(&s);
    let updates = hidden_update_texts(&s);
    let public = build_example(None);
    let files = public.files();
    let mut docs = Vec::new();
    let mut terms = BTreeSet::new();
    for (path, bytes) in &files {
        if path.starts_with("search/d/") {
            let part: Vec<serde_json::Value> = serde_json::from_slice(bytes).unwrap();
            docs.extend(part);
        } else if path.starts_with("search/t/") {
            let shard: std::collections::BTreeMap<String, Vec<u32>> = serde_json::from_slice(bytes).unwrap();
            terms.extend(shard.into_keys());
        }
    }
    assert!(docs.len() >= 10 && terms.len() > 500, "{} documents, {} terms", docs.len(), terms.len());
    for d in &docs {
        let (title, url, text) = (d["t"].as_str().unwrap(), d["u"].as_str().unwrap(), d["x"].as_str().unwrap());
        assert!(
            files.contains_key(&format!("{url}index.html")),
            "static index returns {url}, which has no public page"
        );
        assert!(!titles.iter().any(|t| t == title), "static index holds the hidden document {title}");
        for needle in canaries.iter().chain(&updates) {
            assert!(!text.contains(needle.as_str()), "static index text of {url} holds {needle}");
        }
    }
    assert!(!terms.contains("canary"), "the word canary is indexed");
    for canary in &canaries {
        let words: Vec<String> = canary.split([' ', '-']).skip(1).take(2).map(str::to_lowercase).collect();
        assert!(!words.iter().all(|w| terms.contains(w)), "static index holds the words of {canary}");
    }

    let opts = options(&example_root(), None, None, now());
    let Ok((site, _)) = cairn::pipeline::resolve_site(&opts) else { panic!("the example resolves") };
    let dir = tempfile::tempdir().unwrap();
    cairn::search::write_index(dir.path(), &site).unwrap();
    let index_dir = cairn::search::index_dir(dir.path(), "public");
    let index = cairn::search::SearchIndex::open(&index_dir).unwrap();
    // The word list typos and prefixes are expanded from is the static index's terms, no more.
    let list = std::fs::read_to_string(index_dir.join("cairn-words")).unwrap();
    let listed: BTreeSet<String> = list.lines().map(String::from).collect();
    assert_eq!(listed, terms, "the tantivy word list and the static index's terms differ");
    let query = |text: &str| {
        index.search(&cairn::search::SearchQuery { text: text.into(), limit: 1000, ..Default::default() }).unwrap()
    };
    let everything = query("");
    assert_eq!(everything.total, docs.len(), "both indexes hold the same public documents");
    for hit in &everything.hits {
        assert!(files.contains_key(&format!("{}index.html", hit.path)), "tantivy index returns {}", hit.path);
        assert!(!titles.contains(&hit.title), "tantivy index holds the hidden document {}", hit.title);
    }
    for canary in &canaries {
        let r = query(&format!("\"{canary}\""));
        assert_eq!(r.total, 0, "the public tantivy index finds {canary}: {:?}", r.hits);
    }
    // Stemmed phrases also match public rewordings of a hidden update, so look at what comes back.
    for update in &updates {
        for hit in query(&format!("\"{update}\"")).hits {
            assert!(!hit.snippet.contains(update.as_str()), "the public tantivy index shows {update} in {}", hit.path);
        }
    }
    for title in &titles {
        let r = query(title);
        assert!(r.hits.iter().all(|h| &h.title != title), "the public tantivy index finds {title}");
    }
}

/// The public build of the example with its own git history (page history, amendment logs,
/// `api/disclosures.json`): every file, and every machine-readable one decoded, holds nothing
/// internal; no author, e-mail or commit message either.
#[test]
fn public_build_with_history_contains_nothing_internal() {
    let git = |dir: &std::path::Path| {
        let mut cmd = std::process::Command::new("git");
        cmd.current_dir(dir).env("GIT_CONFIG_NOSYSTEM", "1").env("GIT_CONFIG_GLOBAL", "/dev/null");
        cmd
    };
    let head = git(&example_root()).args(["rev-parse", "HEAD"]).output().expect("git");
    assert!(head.status.success(), "run the tests in a git clone of the repository");
    let head = String::from_utf8(head.stdout).unwrap().trim().to_string();
    let clone = tempfile::tempdir().unwrap();
    let repo = clone.path().join("repo");
    assert!(
        git(clone.path())
            .args(["clone", "-q", "--no-checkout"])
            .arg(example_root())
            .arg(&repo)
            .status()
            .unwrap()
            .success()
    );
    let out = tempfile::tempdir().unwrap();
    let mut opts = options(&repo, None, Some(&out.path().join("site")), now());
    opts.rev = Some(head);
    assert!(cairn::pipeline::build(&opts, &|_, _| {}).is_ok(), "the example builds at HEAD");
    let files = tree(&out.path().join("site"));
    assert!(files.contains_key("api/disclosures.json"), "the public build with history lists its disclosures");
    let s = sources();
    let needles: Vec<String> = canaries().into_iter().chain(hidden_titles(&s)).chain(hidden_update_texts(&s)).collect();
    let log = git(&example_root()).args(["log", "--format=%an%n%ae%n%s"]).output().unwrap();
    let people: BTreeSet<String> =
        String::from_utf8_lossy(&log.stdout).lines().take(3).filter(|l| l.contains('@')).map(String::from).collect();
    let mut leaks = Vec::new();
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        let decoded = decoded_texts(path, bytes).unwrap_or_else(|| vec![text.to_string()]);
        for t in decoded.iter().chain(std::iter::once(&text.to_string())) {
            if t.to_lowercase().contains("canary") {
                leaks.push(format!("{path}: the word canary"));
            }
            for needle in needles.iter().chain(&people) {
                if t.contains(needle.as_str()) || t.contains(&html_escape(needle)) {
                    leaks.push(format!("{path}: {needle}"));
                }
            }
        }
    }
    leaks.sort();
    leaks.dedup();
    assert!(leaks.is_empty(), "public build with history leaks:\n{}", leaks.join("\n"));
}

use super::*;

fn builtin(lang: &str) -> Messages {
    files::builtin(lang).unwrap()
}

#[test]
fn plurals_follow_each_language() {
    let (en, fr) = (builtin("en"), builtin("fr"));
    assert_eq!(en.format("history.incidents", Some(0), &[]), "0 incidents");
    assert_eq!(en.format("history.incidents", Some(1), &[]), "1 incident");
    assert_eq!(fr.format("history.incidents", Some(0), &[]), "0 incident");
    assert_eq!(fr.format("history.incidents", Some(2), &[]), "2 incidents");
}

#[test]
fn numbers_use_each_languages_separators() {
    assert_eq!(builtin("en").integer(1_100_000), "1,100,000");
    assert_eq!(builtin("de").integer(-1_100_000), "-1.100.000");
    assert_eq!(builtin("fr").integer(999), "999");
    assert_eq!(builtin("de").number_text("99.95"), "99,95");
    assert_eq!(builtin("en").number_text("99.95"), "99.95");
    assert_eq!(builtin("de").number_text("n/a"), "n/a");
}

#[test]
fn placeholders_are_filled_and_unknown_ones_kept() {
    assert_eq!(fill("{a} and {b} {c", |n| (n == "a").then(|| "x".to_string())), "x and {b} {c");
    assert_eq!(fill("{}{ x }", |_| Some("y".into())), "{}{ x }");
}

#[test]
fn every_built_in_language_parses_and_has_the_english_keys() {
    let en = builtin("en");
    for (lang, _) in builtin_files() {
        let m = builtin(lang);
        assert_eq!(m.messages.keys().collect::<Vec<_>>(), en.messages.keys().collect::<Vec<_>>(), "{lang}");
        assert_eq!((m.months.len(), m.months_short.len(), m.weekdays.len()), (12, 12, 7), "{lang}");
    }
}

//! Review rules for post-mortems (required sections, their order, lifecycle fields) and the
//! reminders that depend on the build's "now": overdue action items and runbooks due for review.

use crate::diagnostics::{Diagnostic, Pos};
use crate::model::*;

/// A level-2 section of a markdown body: its title and 0-based line within the body.
struct Section {
    title: String,
    line: usize,
    empty: bool,
}

/// The `## ` sections of `body`, as the markdown parser reads them (so a `## ` line inside code
/// or a quote is not a section).
fn sections_of(body: &str) -> Vec<Section> {
    use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
    let mut out: Vec<Section> = Vec::new();
    let mut depth = 0usize;
    let mut title: Option<(String, usize)> = None;
    for (event, range) in Parser::new_ext(body, crate::text::markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level: HeadingLevel::H2, .. }) if depth == 0 => {
                title = Some((String::new(), body[..range.start].matches('\n').count()));
                depth += 1;
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) if depth == 1 && title.is_some() => {
                depth -= 1;
                if let Some((text, line)) = title.take() {
                    out.push(Section { title: text.trim().to_string(), line, empty: true });
                }
            }
            Event::Text(t) | Event::Code(t) if title.is_some() => title.as_mut().map_or((), |(s, _)| s.push_str(&t)),
            Event::Start(_) => {
                if depth == 0
                    && let Some(last) = out.last_mut()
                {
                    last.empty = false;
                }
                depth += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {
                if depth == 0
                    && let Some(last) = out.last_mut()
                {
                    last.empty = false;
                }
            }
        }
    }
    out
}

/// The section of `sections` that reads as a misspelling of the required section `name`: not
/// itself a required section, and closer to `name` than to any other required one.
fn misspelt_section<'s>(sections: &'s [Section], name: &str, required: &[String]) -> Option<&'s Section> {
    let lower: Vec<String> = required.iter().map(|r| r.to_lowercase()).collect();
    sections.iter().find(|s| {
        let title = s.title.to_lowercase();
        !lower.contains(&title)
            && crate::diagnostics::suggest(&title, lower.iter().map(String::as_str)) == Some(&*name.to_lowercase())
    })
}

/// Where problems of a post-mortem as a whole point: its `status` key, else the front matter.
fn head(m: &Meta) -> Pos {
    if m.locations.0.contains_key("status") { m.locations.key("status") } else { Pos::START }
}

/// Required sections present, not empty and in order (a heading also counts as the section it
/// is an alias of, and a post-mortem may list its own `required_sections`; one published
/// elsewhere, with `external_url`, follows that report's structure and is not checked);
/// `in-review` needs reviewers and `published` a publication time. Drafts only get reminders.
pub fn postmortem_rules(pm: &Postmortem, config: &Config, out: &mut Vec<Diagnostic>) {
    let m = &pm.meta;
    let none: &[String] = &[];
    let required = match (&pm.external_url, &pm.required_sections) {
        (Some(_), _) => none,
        (None, Some(own)) => own.as_slice(),
        (None, None) => config.required_sections.as_slice(),
    };
    let aliases = &config.section_aliases;
    let names = |name: &str| -> Vec<String> {
        let mut all = vec![name.to_string()];
        all.extend(aliases.get(name).into_iter().flatten().cloned());
        all
    };
    let draft = pm.status == PostmortemStatus::Draft;
    let report = |code: &'static str, message: String| {
        let d = if draft {
            Diagnostic::warning(&m.source, head(m), code, message)
        } else {
            Diagnostic::error(&m.source, head(m), code, message)
        };
        d.with_help(format!("post-mortems need these sections, in this order: {}", required.join(", ")))
    };
    let sections = sections_of(&m.body);
    let mut found: Vec<(usize, &Section)> = Vec::new();
    for (rank, name) in required.iter().enumerate() {
        let accepted = names(name);
        match sections.iter().find(|s| accepted.iter().any(|a| s.title.eq_ignore_ascii_case(a))) {
            None => match misspelt_section(&sections, name, required) {
                // The mistake is the heading as written: point at it.
                Some(s) => {
                    let d = report("missing-section", format!("required section `## {name}` is missing"));
                    out.push(
                        Diagnostic { line: m.body_line + s.line, column: 1, ..d }.with_help(format!(
                            "did you mean `## {}`? Rename it `## {name}` (post-mortems need these sections, in this order: {})",
                            s.title,
                            required.join(", ")
                        )),
                    )
                }
                None => out.push(report("missing-section", format!("required section `## {name}` is missing"))),
            },
            Some(s) if s.empty => out.push(report("empty-section", format!("required section `## {name}` is empty"))),
            Some(s) => found.push((rank, s)),
        }
    }
    found.sort_by_key(|(_, s)| s.line);
    for pair in found.windows(2) {
        let ((before_rank, before), (rank, s)) = (pair[0], pair[1]);
        if rank < before_rank {
            out.push(
                Diagnostic::warning(
                    &m.source,
                    Pos::new(m.body_line + s.line, 1),
                    "section-order",
                    format!("section `## {}` comes after `## {}`", s.title, before.title),
                )
                .with_help(format!("readers expect the sections in this order: {}", required.join(", "))),
            );
        }
    }
    for (i, item) in pm.action_items.iter().enumerate() {
        if item.owner.is_none() && item.status == ActionStatus::Open {
            let path = format!("action_items.{i}");
            out.push(
                Diagnostic::warning(
                    &m.source,
                    m.locations.key(&path),
                    "action-item-no-owner",
                    format!("action item “{}” has no owner yet", item.title),
                )
                .with_help("add `owner:` once someone takes it; it is listed under “No owner yet” meanwhile"),
            );
        }
    }
    if pm.status == PostmortemStatus::InReview && pm.reviewers.is_empty() {
        out.push(
            Diagnostic::error(&m.source, head(m), "missing-reviewers", "a post-mortem in review has no `reviewers`")
                .with_help("list who reviews it, e.g. `reviewers: [core-devs]`, or keep it a draft"),
        );
    }
    if pm.status == PostmortemStatus::Published && pm.published_at.is_none() {
        out.push(
            Diagnostic::error(
                &m.source,
                head(m),
                "missing-published-at",
                "a published post-mortem has no `published_at`",
            )
            .with_help("add `published_at:` with the time it was merged, e.g. 2026-11-24T10:00:00Z"),
        );
    }
}

/// An incident names a post-mortem that does not name it back.
pub fn postmortem_pairs(s: &Sources, out: &mut Vec<Diagnostic>) {
    for inc in &s.incidents {
        let Some(slug) = &inc.postmortem else { continue };
        let Some(pm) = s.postmortems.iter().find(|p| &p.meta.slug == slug) else { continue };
        if !pm.incidents.contains(&inc.meta.slug) {
            out.push(
                Diagnostic::error(
                    &inc.meta.source,
                    inc.meta.locations.value("postmortem"),
                    "postmortem-mismatch",
                    format!("post-mortem `{slug}` does not list this incident"),
                )
                .with_help(format!("add `{}` to the `incidents` of that post-mortem", inc.meta.slug)),
            );
        }
    }
}

/// Whether `site` has the action items page: only the most trusted audience, and only with
/// post-mortems to list.
pub fn action_items_page(site: &super::Site) -> bool {
    site.most_trusted && !site.postmortems.is_empty()
}

/// The date a runbook is next due for review, when it has a cadence and a last review.
pub fn review_due(last_reviewed: Option<Date>, every: Option<&Span>) -> Option<Date> {
    last_reviewed?.checked_add(time::Duration::days(every?.seconds.div_euclid(86_400)))
}

/// Whole days by which `due` is past on the day of `now` (`None` when not past).
pub fn days_overdue(due: Date, now: Timestamp) -> Option<i64> {
    let today = now.to_offset(time::UtcOffset::UTC).date();
    (today > due).then(|| (today - due).whole_days())
}

/// Warnings that depend on "now": open action items past their due date, runbooks past review,
/// times in the future, windows over but still scheduled.
pub fn reminders(s: &Sources, now: Timestamp) -> Vec<Diagnostic> {
    let mut out = super::times::warnings(s, now);
    for pm in s.postmortems.iter() {
        let m = &pm.meta;
        for (i, item) in pm.action_items.iter().enumerate().filter(|(_, a)| a.status == ActionStatus::Open) {
            if let Some(days) = item.due.and_then(|d| days_overdue(d, now)) {
                out.push(
                    Diagnostic::warning(
                        &m.source,
                        m.locations.value(&format!("action_items.{i}.due")),
                        "action-item-overdue",
                        format!(
                            "action item “{}” ({}) is overdue by {days} day{}",
                            item.title,
                            item.owner.as_deref().unwrap_or("no owner yet"),
                            plural(days)
                        ),
                    )
                    .with_help("finish it and set `status: done`, move `due`, or set `status: wontfix`"),
                );
            }
        }
    }
    for rb in &s.runbooks {
        let m = &rb.meta;
        match (rb.review_every.as_ref(), rb.last_reviewed) {
            (Some(_), None) => out.push(
                Diagnostic::warning(
                    &m.source,
                    m.locations.key("review_every"),
                    "review-overdue",
                    "this runbook has a review cadence but has never been reviewed",
                )
                .with_help("review it and add `last_reviewed: YYYY-MM-DD`"),
            ),
            (Some(every), Some(_)) => {
                if let Some(days) =
                    review_due(rb.last_reviewed, rb.review_every.as_ref()).and_then(|d| days_overdue(d, now))
                {
                    out.push(
                        Diagnostic::warning(
                            &m.source,
                            m.locations.value("last_reviewed"),
                            "review-overdue",
                            format!("review overdue by {days} day{} (due every {})", plural(days), every.text),
                        )
                        .with_help("walk through the runbook, fix what changed and update `last_reviewed`"),
                    )
                }
            }
            _ => {}
        }
    }
    out
}

fn plural(n: i64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_skip_code_and_know_emptiness() {
        let s = sections_of("## A\n\n```\n## not\n```\n## B\n\n## C\ntext\n");
        let titles: Vec<(&str, usize, bool)> = s.iter().map(|s| (s.title.as_str(), s.line, s.empty)).collect();
        assert_eq!(titles, vec![("A", 0, false), ("B", 5, true), ("C", 7, false)]);
    }

    #[test]
    fn overdue_counts_whole_days() {
        let now = crate::load::parse_time("2026-11-26T12:00:00Z").unwrap();
        let due = crate::load::parse_date("2026-11-20").unwrap();
        assert_eq!(days_overdue(due, now), Some(6));
        assert_eq!(days_overdue(crate::load::parse_date("2026-11-26").unwrap(), now), None);
    }
}

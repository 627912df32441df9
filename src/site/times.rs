//! Warnings about times that depend on the build's "now": a time that says something already
//! happened but lies in the future, and a maintenance window that is over but still `scheduled`.
//! Both are accepted (a build shows what is written) but are almost always a slip of the date.

use crate::diagnostics::Diagnostic;
use crate::model::*;
use crate::text::iso;

/// Times of an incident that record what happened, by key.
fn incident_times(inc: &Incident) -> [(&'static str, Option<Timestamp>); 6] {
    [
        ("started_at", Some(inc.started_at)),
        ("detected_at", inc.detected_at),
        ("acknowledged_at", inc.acknowledged_at),
        ("contained_at", inc.contained_at),
        ("fix_deployed_at", inc.fix_deployed_at),
        ("resolved_at", inc.resolved_at),
    ]
}

fn future(m: &Meta, path: &str, what: String, t: Timestamp, now: Timestamp, help: &str) -> Diagnostic {
    Diagnostic::warning(
        &m.source,
        m.locations.value(path),
        "future-time",
        format!("{what} is in the future: {} (now is {})", iso(t), iso(now)),
    )
    .with_help(help)
}

const FIX_TIME: &str = "check the date and the offset: this time records something that happened";

/// Every time in the future that should be in the past, and every window over but `scheduled`.
pub fn warnings(s: &Sources, now: Timestamp) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let update_help = "an update records what was said when: check its date and offset (a promised time goes in \
                       `next_update`)";
    for inc in &s.incidents {
        let m = &inc.meta;
        for (key, t) in incident_times(inc) {
            if let Some(t) = t.filter(|t| *t > now) {
                out.push(future(m, key, format!("`{key}`"), t, now, FIX_TIME));
            }
        }
        for u in inc.updates.iter().filter(|u| u.at > now) {
            out.push(future(m, &format!("updates.{}.at", u.index), "this update".into(), u.at, now, update_help));
        }
    }
    for mt in &s.maintenance {
        let m = &mt.meta;
        for u in mt.updates.iter().filter(|u| u.at > now) {
            out.push(future(m, &format!("updates.{}.at", u.index), "this update".into(), u.at, now, update_help));
        }
        if mt.status == MaintenanceStatus::Scheduled && mt.scheduled_until <= now {
            let shown = if mt.halt.is_empty() { " (until then, pages show it completed, from its times)" } else { "" };
            out.push(
                Diagnostic::warning(
                    &m.source,
                    m.locations.value("status"),
                    "maintenance-not-closed",
                    format!("this window ended at {} and is still `scheduled`", iso(mt.scheduled_until)),
                )
                .with_help(format!(
                    "say how it went: `cairn update {} --status completed --message \"…\"`{shown}",
                    m.slug
                )),
            );
        }
    }
    for pm in &s.postmortems {
        if let Some(t) = pm.published_at.filter(|t| *t > now) {
            out.push(future(&pm.meta, "published_at", "`published_at`".into(), t, now, FIX_TIME));
        }
    }
    out
}

//! What `cairn notify` recorded as sent (`notify/state.json`), cut to what every build may show:
//! deliveries to channels of the public audience that have a `public_label`, of updates and
//! windows the build shows. Records of other channels are never read, so the public build is the
//! same whatever internal channels were sent; baseline records (known, never sent) are not shown.

use super::{Doc, Notice, ResolvedIncident, ResolvedMaintenance};
use crate::model::{Config, Kind, NotifyState, notice_key};

/// Fills `notified` of every update and window from `state`.
pub(super) fn attach(
    incidents: &mut [ResolvedIncident],
    maintenance: &mut [ResolvedMaintenance],
    docs: &[Doc],
    config: &Config,
    state: &NotifyState,
) {
    let shown: Vec<(&crate::model::Channel, &std::collections::BTreeMap<String, crate::model::Sent>)> = config
        .channels
        .iter()
        .filter(|c| c.audience == 0 && c.public_label.is_some())
        .filter_map(|c| state.channels.get(&c.name).map(|sent| (c, sent)))
        .collect();
    if shown.is_empty() {
        return;
    }
    let notices = |key: &str| -> Vec<Notice> {
        let mut out: Vec<Notice> = shown
            .iter()
            .filter_map(|(c, sent)| {
                let s = sent.get(key).filter(|s| s.delivery.is_some())?;
                let at = crate::load::parse_time(&s.sent_at)?;
                Some(Notice { label: c.public_label.clone()?, kind: c.kind, at })
            })
            .collect();
        out.sort_by(|a, b| a.at.cmp(&b.at).then(a.label.cmp(&b.label)));
        out
    };
    for inc in incidents {
        let slug = &docs[inc.doc].slug;
        for u in &mut inc.updates {
            u.notified = notices(&notice_key(Kind::Incident, slug, Some(&u.id)));
        }
    }
    for m in maintenance {
        let slug = &docs[m.doc].slug;
        m.notified = notices(&notice_key(Kind::Maintenance, slug, None));
        for u in &mut m.updates {
            u.notified = notices(&notice_key(Kind::Maintenance, slug, Some(&u.id)));
        }
    }
}

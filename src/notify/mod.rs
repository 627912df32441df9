//! `cairn notify`: sends the status updates and maintenance announcements that are new since the
//! last run to the channels of `notify:` in cairn.yaml, each fed from the resolved `Site` of its
//! audience, and records what was sent in `notify/state.json` (committed by CI), so nothing is
//! sent twice. A channel's first run records what exists as a baseline and sends nothing (or,
//! with `--since REV`, sends what is new since that revision).
//!
//! Reads the `Site` like every output; never the sources' texts.

mod deliver;
pub mod message;
mod plan;
pub mod text;

pub use plan::{Event, Notification, groups_by_incident, notifications};

use crate::model::{Channel, NOTIFY_STATE, NotifyState, Sent, Sources, Timestamp};
use crate::site::Site;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

/// What one run is asked to do.
pub struct Options<'a> {
    pub root: &'a Path,
    pub now: Timestamp,
    pub dry_run: bool,
    /// For channels without a record yet: send what is new since this revision instead of
    /// recording a baseline.
    pub since: Option<&'a str>,
    /// Only these channels (all when empty).
    pub only: &'a [String],
}

/// What happened on one channel.
#[derive(Debug, Default)]
pub struct ChannelReport {
    pub name: String,
    pub kind: String,
    /// Keys recorded as the baseline (known, not sent).
    pub baseline: usize,
    /// Keys and headlines sent (or that would be, on a dry run).
    pub sent: Vec<(String, String)>,
    /// The key that failed and why; what came after it waits for the next run.
    pub failed: Option<(String, String)>,
    pub pending: usize,
}

/// Runs `cairn notify` on `sources`. `Err` for a problem before anything was sent (a revision
/// that cannot be read, a state file that cannot be written).
pub fn run(sources: Sources, opts: &Options<'_>) -> Result<Vec<ChannelReport>, String> {
    let sources_state = sources.notified.clone();
    let mut state = sources_state.clone();
    let channels: Vec<Channel> = sources
        .config
        .channels
        .iter()
        .filter(|c| opts.only.is_empty() || opts.only.contains(&c.name))
        .cloned()
        .collect();
    if let Some(unknown) = opts.only.iter().find(|n| !sources.config.channels.iter().any(|c| &&c.name == n)) {
        return Err(format!("no channel is named `{unknown}` in cairn.yaml's notify.channels"));
    }
    let sites = sites_for(sources, &channels, opts.now);
    let most = sites.keys().last().copied().unwrap_or(0);
    let groups = sites.get(&most).map(groups_by_incident).unwrap_or_default();
    let since = match opts.since {
        Some(rev) if channels.iter().any(|c| !state.channels.contains_key(&c.name)) => {
            Some(keys_at(opts.root, rev, &channels, opts.now)?)
        }
        _ => None,
    };
    let env = |name: &str| std::env::var(name).ok();
    let now_text = crate::text::iso(opts.now);
    let mut jobs: Vec<(&Channel, Vec<Notification>, ChannelReport)> = Vec::new();
    for channel in &channels {
        let Some(site) = sites.get(&channel.audience) else { continue };
        let candidates = notifications(site, channel, &groups);
        let mut report =
            ChannelReport { name: channel.name.clone(), kind: channel.kind.as_str().into(), ..Default::default() };
        let to_send: Vec<Notification> = match state.channels.get(&channel.name) {
            Some(recorded) => candidates.into_iter().filter(|n| !recorded.contains_key(&n.key)).collect(),
            None => {
                // The channel's first run: what exists now (or at `--since`) is the baseline.
                let old = since.as_ref().and_then(|keys| keys.get(&channel.name));
                let (known, new): (Vec<Notification>, Vec<Notification>) =
                    candidates.into_iter().partition(|n| old.is_none_or(|keys| keys.contains(&n.key)));
                let records = state.channels.entry(channel.name.clone()).or_default();
                for n in &known {
                    records.insert(
                        n.key.clone(),
                        Sent { kind: n.event.as_str().into(), sent_at: now_text.clone(), delivery: None },
                    );
                }
                report.baseline = known.len();
                new
            }
        };
        jobs.push((channel, to_send, report));
    }
    if opts.dry_run {
        return Ok(jobs
            .into_iter()
            .map(|(_, list, mut report)| {
                report.sent = list.iter().map(|n| (n.key.clone(), headline(n))).collect();
                report
            })
            .collect());
    }
    let results: Vec<(ChannelReport, BTreeMap<String, Sent>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .into_iter()
            .map(|(channel, list, mut report)| {
                let env = &env;
                scope.spawn(move || {
                    let sent = deliver_all(channel, &list, opts.now, env, &mut report);
                    (report, sent)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a channel's thread does not panic")).collect()
    });
    let mut reports = Vec::new();
    for (report, sent) in results {
        state.channels.entry(report.name.clone()).or_default().extend(sent);
        reports.push(report);
    }
    state.version = 1;
    if state != sources_state {
        write_state(opts.root, &state)?;
    }
    Ok(reports)
}

/// The site of each audience a channel is fed from, and of the most trusted (for routing).
fn sites_for(sources: Sources, channels: &[Channel], now: Timestamp) -> BTreeMap<usize, Site> {
    let most = sources.config.audiences.most_trusted();
    let wanted: BTreeSet<usize> = channels.iter().map(|c| c.audience).chain([most]).collect();
    wanted.into_iter().map(|a| (a, crate::site::resolve(sources.clone(), a, now).0)).collect()
}

/// The notification keys each channel would have had at revision `rev` (judged at `now`).
fn keys_at(
    root: &Path,
    rev: &str,
    channels: &[Channel],
    now: Timestamp,
) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let repo = crate::git::Repo::open(root).map_err(|e| format!("--since reads a revision from git, but {e}"))?;
    let commit = repo.resolve(rev)?;
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    crate::git::export_tree(&repo, &commit, dir.path()).map_err(|e| format!("cannot read revision {rev}: {e}"))?;
    let (old, _) = crate::load::load(dir.path());
    let sites = sites_for(old, channels, now);
    let most = sites.keys().last().copied().unwrap_or(0);
    let groups = sites.get(&most).map(groups_by_incident).unwrap_or_default();
    Ok(channels
        .iter()
        .filter_map(|c| {
            let site = sites.get(&c.audience)?;
            Some((c.name.clone(), notifications(site, c, &groups).into_iter().map(|n| n.key).collect()))
        })
        .collect())
}

/// Writes the state file by rename, so a reader never sees half of it.
pub fn write_state(root: &Path, state: &NotifyState) -> Result<(), String> {
    let path = root.join(NOTIFY_STATE);
    let dir = path.parent().ok_or("the state file has no folder")?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut bytes = serde_json::to_vec_pretty(state).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    let mut file = tempfile::Builder::new()
        .prefix(".state-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    std::io::Write::write_all(&mut file, &bytes).map_err(|e| e.to_string())?;
    file.as_file().sync_all().map_err(|e| e.to_string())?;
    file.persist(&path).map_err(|e| format!("cannot write {}: {}", path.display(), e.error))?;
    Ok(())
}

/// Sends `list` on `channel` in order, at the channel's pace, stopping at the first failure
/// (what follows waits for the next run, so the order holds); returns what was sent.
fn deliver_all(
    channel: &Channel,
    list: &[Notification],
    now: Timestamp,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
    report: &mut ChannelReport,
) -> BTreeMap<String, Sent> {
    let mut sent = BTreeMap::new();
    let mut last: Option<Instant> = None;
    for (i, n) in list.iter().enumerate() {
        let delivery = message::delivery_id(&channel.name, &n.key);
        let outcome = message::request(channel, n, &delivery, now, env).and_then(|request| {
            if let Some(at) = last {
                let ready = at + channel.timing.interval;
                std::thread::sleep(ready.saturating_duration_since(Instant::now()));
            }
            last = Some(Instant::now());
            deliver::send(channel, &request, &delivery, now, env)
        });
        match outcome {
            Ok(()) => {
                report.sent.push((n.key.clone(), headline(n)));
                sent.insert(
                    n.key.clone(),
                    Sent { kind: n.event.as_str().into(), sent_at: crate::text::iso(now), delivery: Some(delivery) },
                );
            }
            Err(why) => {
                report.failed = Some((n.key.clone(), why));
                report.pending = list.len() - i;
                break;
            }
        }
    }
    sent
}

/// One line naming a notification, for the report.
pub fn headline(n: &Notification) -> String {
    let what = n.update.as_ref().map_or_else(|| "announced".to_string(), |u| u.status.clone());
    format!("{} {} ({what})", n.event.as_str(), n.subject.id)
}

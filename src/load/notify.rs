//! `notify:` in `cairn.yaml` (the channels `cairn notify` sends to) and `notify/state.json`
//! (what it sent), read into the model with a diagnostic at the line and column of each bad
//! value. The state file is an input like any other: `resolve` decides what of it a build shows.

use super::fields::{Fields, FileCx};
use super::{inputs, limits};
use crate::diagnostics::{Diagnostic, Pos};
use crate::model::{Channel, ChannelKind, NOTIFY_STATE, NotifyState, Smtp, SmtpTls, Timing};
use serde_yaml::Value;
use std::path::Path;
use std::time::Duration;

pub const NOTIFY_KEYS: &[&str] = &["channels"];
const CHANNEL_KEYS: &[&str] = &[
    "name",
    "kind",
    "audience",
    "groups",
    "public_label",
    "url",
    "url_env",
    "secret_env",
    "chat_id",
    "room",
    "smtp",
    "interval",
    "attempts",
    "backoff",
    "timeout",
];
const SMTP_KEYS: &[&str] = &["host", "port", "tls", "username", "from", "to"];

/// The channels of `notify:` (its value `v`), each checked: unique names, what its kind needs.
pub fn read_channels(cx: &FileCx<'_>, v: &Value) -> Vec<Channel> {
    let Some(f) = cx.fields(v, "notify", NOTIFY_KEYS) else { return Vec::new() };
    let mut out: Vec<Channel> = Vec::new();
    for (path, item) in f.items("channels") {
        let Some(c) = cx.fields(item, &path, CHANNEL_KEYS) else { continue };
        if let Some(channel) = read_channel(cx, &c, &path) {
            if out.iter().any(|o| o.name == channel.name) {
                cx.at_value(
                    &format!("{path}.name"),
                    "duplicate-channel",
                    format!("channel `{}` is named twice", channel.name),
                    "each channel's name is the key of what it was sent in notify/state.json: make it unique".into(),
                );
            } else {
                out.push(channel);
            }
        }
        c.finish();
    }
    f.finish();
    out
}

fn read_channel(cx: &FileCx<'_>, c: &Fields<'_>, path: &str) -> Option<Channel> {
    let name = c.required_string("name", "exchanges-webhook");
    if let Some(n) = &name {
        super::config::check_id(cx, &format!("{path}.name"), n);
    }
    let kind = c.required_choice("kind", ChannelKind::parse, ChannelKind::NAMES);
    let audience = c.audience("audience").unwrap_or(0);
    let groups = c.strings("groups");
    let public_label = c.string("public_label");
    if public_label.is_some() && audience > 0 {
        cx.at_value(
            &format!("{path}.public_label"),
            "private-channel-label",
            "`public_label` is shown on the public site, but this channel is fed from a more trusted audience".into(),
            "remove `public_label`: only channels of the public audience are shown on the site".into(),
        );
    }
    let env = |key: &str| {
        let v = c.string(key)?;
        if !is_env_name(&v) {
            cx.at_value(
                &format!("{path}.{key}"),
                "bad-env-name",
                format!("`{v}` is not the name of an environment variable"),
                format!(
                    "`{key}` names the variable that holds the secret, never the secret itself: \
                     e.g. `{key}: CAIRN_WEBHOOK_SECRET`"
                ),
            );
            return None;
        }
        Some(v)
    };
    let url = c.string("url");
    if let Some(u) = &url
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        cx.at_value(
            &format!("{path}.url"),
            "bad-url",
            format!("`{u}` is not an http(s) address"),
            "write the full address, e.g. `url: https://hooks.example.org/cairn`".into(),
        );
    }
    let url_env = env("url_env");
    let secret_env = env("secret_env");
    let chat_id = c.string("chat_id");
    let room = c.string("room");
    let smtp = c.get("smtp").and_then(|v| read_smtp(cx, v, &format!("{path}.smtp")));
    let timing = Timing {
        interval: duration(cx, c, "interval").unwrap_or(Timing::default().interval),
        attempts: c.uint("attempts").map_or(Timing::default().attempts, |n| n.clamp(1, 20) as u32),
        backoff: duration(cx, c, "backoff").unwrap_or(Timing::default().backoff),
        timeout: duration(cx, c, "timeout").unwrap_or(Timing::default().timeout),
    };
    let (name, kind) = (name?, kind?);
    // Written but unreadable counts as present: its own problem was reported.
    let written = |key: &str| c.get(key).is_some();
    let needs = |key: &str, present: bool, example: &str| {
        if !present && !written(key) {
            cx.at_key(
                path,
                "missing-field",
                format!("a {} channel needs `{key}`", kind.as_str()),
                format!("add it, e.g. `{key}: {example}`"),
            );
        }
    };
    match kind {
        ChannelKind::Webhook => {
            needs("url", url.is_some() || url_env.is_some(), "https://hooks.example.org/cairn");
            needs("secret_env", secret_env.is_some(), "CAIRN_WEBHOOK_SECRET");
        }
        ChannelKind::Slack | ChannelKind::Discord => {
            needs("url_env", url.is_some() || url_env.is_some(), "CAIRN_SLACK_WEBHOOK_URL");
        }
        ChannelKind::Telegram => {
            needs("chat_id", chat_id.is_some(), "\"-1001234567890\"");
            needs("secret_env", secret_env.is_some(), "CAIRN_TELEGRAM_TOKEN");
        }
        ChannelKind::Matrix => {
            needs("url", url.is_some() || url_env.is_some(), "https://matrix.example.org");
            needs("room", room.is_some(), "\"!ops:example.org\"");
            needs("secret_env", secret_env.is_some(), "CAIRN_MATRIX_TOKEN");
        }
        ChannelKind::Email => needs("smtp", smtp.is_some(), "{ host: smtp.example.org, from: …, to: […] }"),
    }
    Some(Channel {
        name,
        kind,
        audience,
        groups,
        public_label,
        url,
        url_env,
        secret_env,
        chat_id,
        room,
        smtp,
        timing,
        path: path.to_string(),
    })
}

fn read_smtp(cx: &FileCx<'_>, v: &Value, path: &str) -> Option<Smtp> {
    let s = cx.fields(v, path, SMTP_KEYS)?;
    let host = s.required_string("host", "smtp.example.org");
    let tls = s.choice("tls", SmtpTls::parse, SmtpTls::NAMES).unwrap_or(SmtpTls::Starttls);
    let port = match s.uint("port") {
        Some(p) if (1..=65535).contains(&p) => p as u16,
        Some(p) => {
            cx.at_value(
                &format!("{path}.port"),
                "bad-port",
                format!("`{p}` is not a TCP port"),
                "write a port between 1 and 65535, e.g. 587".into(),
            );
            587
        }
        None if tls == SmtpTls::Tls => 465,
        None => 587,
    };
    let from = s.required_string("from", "status@example.org");
    let to = s.strings("to");
    if to.is_empty() {
        s.missing("to", "[validators@example.org]");
    }
    let username = s.string("username");
    for (key, address) in
        from.iter().map(|f| ("from".to_string(), f)).chain(to.iter().enumerate().map(|(i, t)| (format!("to.{i}"), t)))
    {
        if address.parse::<lettre::Address>().is_err() && address.parse::<lettre::message::Mailbox>().is_err() {
            cx.at_value(
                &format!("{path}.{key}"),
                "bad-address",
                format!("`{address}` is not an e-mail address"),
                "write an address, e.g. `ops@example.org` or `Ops <ops@example.org>`".into(),
            );
        }
    }
    s.finish();
    Some(Smtp { host: host?, port, tls, username, from: from?, to })
}

/// A duration written `250ms`, `2s`, `1m`.
fn duration(cx: &FileCx<'_>, c: &Fields<'_>, key: &str) -> Option<Duration> {
    let text = c.string(key)?;
    parse_duration(&text).or_else(|| {
        cx.at_value(
            &c.path(key),
            "bad-duration",
            format!("`{key}` is not a duration: `{text}`"),
            "write a number and a unit: ms, s or m (e.g. 250ms, 2s, 1m)".into(),
        );
        None
    })
}

pub fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    let (n, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = n.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(n)),
        "s" => Some(Duration::from_secs(n)),
        "m" => Some(Duration::from_secs(n.checked_mul(60)?)),
        _ => None,
    }
}

/// Environment variable names as shells write them.
fn is_env_name(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with(|c: char| c.is_ascii_digit())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Reads `notify/state.json`: nothing when it is missing; a diagnostic when it cannot be used.
pub fn load_state(root: &Path, problems: &mut Vec<Diagnostic>) -> NotifyState {
    let rel = Path::new(NOTIFY_STATE);
    let bytes = match inputs::read(root, rel, limits::MAX_FILE_BYTES) {
        Ok(b) => b,
        Err(inputs::Refused::Missing) => return NotifyState::default(),
        Err(e) => {
            problems.push(
                Diagnostic::error(rel, Pos::START, "unreadable", format!("cannot read the file: {e}"))
                    .with_help("the state file of `cairn notify` must be a plain JSON file"),
            );
            return NotifyState::default();
        }
    };
    match serde_json::from_slice::<NotifyState>(&bytes) {
        Ok(state) => state,
        Err(e) => {
            problems.push(
                Diagnostic::error(
                    rel,
                    Pos::new(e.line().max(1), e.column().max(1)),
                    "bad-notify-state",
                    format!("invalid state file: {e}"),
                )
                .with_help(
                    "this file is written by `cairn notify`: restore it from git (`git checkout notify/state.json`)",
                ),
            );
            NotifyState::default()
        }
    }
}

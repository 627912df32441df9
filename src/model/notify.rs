//! What `cairn notify` is configured with (`notify:` in `cairn.yaml`) and what it recorded as
//! sent (`notify/state.json`), as written. Secrets are never here: a channel names the
//! environment variable that holds its key, token or password.

use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

named_enum!(
    /// Where a channel delivers.
    ChannelKind {
        Webhook = "webhook" / "Webhook",
        Slack = "slack" / "Slack",
        Discord = "discord" / "Discord",
        Telegram = "telegram" / "Telegram",
        Matrix = "matrix" / "Matrix",
        Email = "email" / "E-mail",
    }
);

named_enum!(
    /// How an SMTP connection is secured.
    SmtpTls {
        Starttls = "starttls" / "STARTTLS",
        Tls = "tls" / "TLS",
        None = "none" / "none (loopback only)",
    }
);

/// One channel of `notify.channels`.
#[derive(Debug, Clone)]
pub struct Channel {
    /// Unique id of the channel (`[a-z0-9-]`), the key of its records in the state file.
    pub name: String,
    pub kind: ChannelKind,
    /// Rank of the audience whose site it is fed from.
    pub audience: usize,
    /// Decision-matrix `notify` groups it serves; empty: every update of its audience.
    pub groups: Vec<String>,
    /// What a reader of the public site may see of it, for a public channel; without one, what
    /// it sent is never shown.
    pub public_label: Option<String>,
    /// The endpoint: webhook URL, Slack or Discord webhook, Telegram API or Matrix homeserver base.
    pub url: Option<String>,
    /// The environment variable holding the endpoint, when it is itself a secret (Slack, Discord).
    pub url_env: Option<String>,
    /// The environment variable holding the HMAC key, bot token, access token or SMTP password.
    pub secret_env: Option<String>,
    /// Telegram chat id.
    pub chat_id: Option<String>,
    /// Matrix room id (`!abc:example.org`).
    pub room: Option<String>,
    pub smtp: Option<Smtp>,
    pub timing: Timing,
    /// Where the channel is written in cairn.yaml (`notify.channels.0`), for diagnostics.
    pub path: String,
}

/// An e-mail channel's server and envelope.
#[derive(Debug, Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub from: String,
    pub to: Vec<String>,
}

/// A channel's pace: at most one message per `interval`, `attempts` tries per message with
/// `backoff` doubling between them (an HTTP 429's `Retry-After` instead, when longer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub interval: Duration,
    pub attempts: u32,
    pub backoff: Duration,
    pub timeout: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            interval: Duration::from_secs(1),
            attempts: 4,
            backoff: Duration::from_secs(2),
            timeout: Duration::from_secs(30),
        }
    }
}

/// What was sent to one channel for one notification key, as the state file records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sent {
    /// `incident-update`, `maintenance-scheduled` or `maintenance-update`.
    pub kind: String,
    /// When it was delivered (RFC 3339), or recorded as a baseline.
    pub sent_at: String,
    /// The delivery id the receiver saw; `null` for a baseline record (known, never sent).
    pub delivery: Option<String>,
}

/// The state file: per channel name, per notification key, what was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NotifyState {
    pub version: u32,
    pub channels: BTreeMap<String, BTreeMap<String, Sent>>,
}

/// Where the state file lives, relative to the root: committed by CI after each run.
pub const NOTIFY_STATE: &str = "notify/state.json";

/// The key of one notification in the state file: `incidents/<slug>/<update id>` for a status
/// update, `maintenance/<slug>` for a window's announcement, `maintenance/<slug>/<update id>`
/// for its updates. Made of ids that are the same in every build, so the sender and the site
/// find the same record.
pub fn notice_key(kind: crate::model::Kind, slug: &str, update: Option<&str>) -> String {
    match update {
        Some(id) => format!("{}/{slug}/{id}", kind.as_str()),
        None => format!("{}/{slug}", kind.as_str()),
    }
}

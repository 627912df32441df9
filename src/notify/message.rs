//! One notification as each kind of channel receives it: the signed webhook JSON (its format
//! is fixed and documented in docs/notify.md), a Slack, Discord, Telegram or Matrix message,
//! an e-mail. Every text comes from the notification (already cut to the channel's audience)
//! through the escaping of its target format.

use super::plan::{Event, Notification};
use super::text::{self, one_line, truncate};
use crate::model::{Channel, ChannelKind, Timestamp};
use crate::text::{escape_markup, iso};
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::Sha256;

/// What a channel is sent for one notification.
pub enum Request {
    Http { method: &'static str, url: String, headers: Vec<(String, String)>, body: Vec<u8> },
    Mail { subject: String, text: String, html: String },
}

/// The delivery id of `key` on `channel`: the same on every attempt and every run, so a
/// receiver (or Matrix, as the transaction id) can drop a repeat after a lost response.
pub fn delivery_id(channel: &str, key: &str) -> String {
    use sha2::Digest;
    let digest = Sha256::digest(format!("{channel}\n{key}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The webhook body: compact JSON, fields in the order of these structs (documented in
/// docs/notify.md), so the bytes depend on nothing but the notification.
pub fn webhook_payload(n: &Notification, delivery: &str) -> Vec<u8> {
    let s = &n.subject;
    let payload = Payload {
        version: 1,
        delivery,
        event: n.event.as_str(),
        embargo_lifted: n.embargo_lifted,
        audience: &n.audience,
        site: PayloadSite { title: &n.site_title, url: &n.site_url },
        subject: PayloadSubject {
            kind: if s.kind == crate::model::Kind::Incident { "incident" } else { "maintenance" },
            id: &s.id,
            title: &s.title,
            url: &s.url,
            status: &s.status,
            impact: s.impact.as_ref().map(|(i, _)| i.as_str()),
            scheduled_for: s.window.map(|(f, _)| iso(f)),
            scheduled_until: s.window.map(|(_, u)| iso(u)),
        },
        update: n.update.as_ref().map(|u| PayloadUpdate {
            id: &u.id,
            at: iso(u.at),
            status: &u.status,
            body: &u.body,
            url: &u.url,
            components: u.components.iter().map(|(id, name, status)| PayloadComponent { id, name, status }).collect(),
        }),
    };
    serde_json::to_vec(&payload).expect("the payload always serializes")
}

#[derive(Serialize)]
struct Payload<'a> {
    version: u32,
    delivery: &'a str,
    event: &'a str,
    embargo_lifted: bool,
    audience: &'a str,
    site: PayloadSite<'a>,
    subject: PayloadSubject<'a>,
    update: Option<PayloadUpdate<'a>>,
}

#[derive(Serialize)]
struct PayloadSite<'a> {
    title: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct PayloadSubject<'a> {
    kind: &'a str,
    id: &'a str,
    title: &'a str,
    url: &'a str,
    status: &'a str,
    impact: Option<&'a str>,
    scheduled_for: Option<String>,
    scheduled_until: Option<String>,
}

#[derive(Serialize)]
struct PayloadUpdate<'a> {
    id: &'a str,
    at: String,
    status: &'a str,
    body: &'a str,
    url: &'a str,
    components: Vec<PayloadComponent<'a>>,
}

#[derive(Serialize)]
struct PayloadComponent<'a> {
    id: &'a str,
    name: &'a str,
    status: &'a str,
}

/// `sha256=` and the lowercase hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    format!("sha256={}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// The message's parts as plain text: a headline, the body, the components, the link.
struct Parts {
    headline: String,
    lines: Vec<String>,
    body: String,
    url: String,
}

fn parts(n: &Notification) -> Parts {
    let s = &n.subject;
    let headline = match n.event {
        Event::MaintenanceScheduled => format!("Maintenance scheduled: {}", one_line(&s.title)),
        Event::MaintenanceUpdate => {
            format!("Maintenance: {} ({})", one_line(&s.title), n.update.as_ref().map_or("", |u| &u.status_label))
        }
        Event::IncidentUpdate => {
            format!("Incident: {} ({})", one_line(&s.title), n.update.as_ref().map_or("", |u| &u.status_label))
        }
    };
    let mut lines = Vec::new();
    if n.embargo_lifted {
        lines.push("Published now that its embargo has lifted.".to_string());
    }
    if let Some((from, until)) = s.window {
        lines.push(format!("Window: {} to {} (UTC)", iso(from), iso(until)));
    }
    if let Some((_, label)) = &s.impact {
        lines.push(format!("Impact: {}", one_line(label)));
    }
    if let Some(u) = &n.update {
        if !u.components.is_empty() {
            let list: Vec<String> = u
                .components
                .iter()
                .map(|(_, name, st)| format!("{} ({})", one_line(name), st.replace('_', " ")))
                .collect();
            lines.push(format!("Components: {}", list.join(", ")));
        }
        lines.push(format!("Posted {}", iso(u.at)));
    }
    let url = n.update.as_ref().map_or_else(|| s.url.clone(), |u| u.url.clone());
    Parts { headline, lines, body: n.update.as_ref().map(|u| u.body.clone()).unwrap_or_default(), url }
}

fn plain(p: &Parts) -> String {
    let mut out = p.headline.clone();
    if !p.body.is_empty() {
        out.push_str("\n\n");
        out.push_str(&p.body);
    }
    out.push_str("\n\n");
    for l in &p.lines {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(&p.url);
    out
}

fn html(p: &Parts) -> String {
    let mut out = format!("<p><strong>{}</strong></p>", escape_markup(&p.headline));
    for para in p.body.split("\n\n").filter(|x| !x.is_empty()) {
        out.push_str(&format!("<p>{}</p>", escape_markup(para).replace('\n', "<br>")));
    }
    out.push_str("<p>");
    for l in &p.lines {
        out.push_str(&escape_markup(l));
        out.push_str("<br>");
    }
    out.push_str(&format!("<a href=\"{0}\">{0}</a></p>", escape_markup(&p.url)));
    out
}

/// The request for `n` on `channel`; `env` reads an environment variable. `Err` says what is
/// missing (a secret not set).
pub fn request(
    channel: &Channel,
    n: &Notification,
    delivery: &str,
    now: Timestamp,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Request, String> {
    let secret = || -> Result<String, String> {
        let name = channel.secret_env.as_deref().ok_or("no `secret_env` is configured")?;
        env(name).filter(|v| !v.is_empty()).ok_or_else(|| format!("the environment variable {name} is not set"))
    };
    let url = || -> Result<String, String> {
        match (&channel.url, &channel.url_env) {
            (_, Some(name)) => {
                env(name).filter(|v| !v.is_empty()).ok_or_else(|| format!("the environment variable {name} is not set"))
            }
            (Some(url), None) => Ok(url.clone()),
            (None, None) => Err("no `url` is configured".into()),
        }
    };
    let json_post = |url: String, value: Value, mut headers: Vec<(String, String)>| {
        headers.push(("Content-Type".into(), "application/json".into()));
        Request::Http { method: "POST", url, headers, body: serde_json::to_vec(&value).expect("JSON serializes") }
    };
    let p = parts(n);
    Ok(match channel.kind {
        ChannelKind::Webhook => {
            let body = webhook_payload(n, delivery);
            let timestamp = now.unix_timestamp();
            let headers = vec![
                ("Content-Type".into(), "application/json".into()),
                ("X-Cairn-Event".into(), n.event.as_str().into()),
                ("X-Cairn-Delivery".into(), delivery.into()),
                ("X-Cairn-Timestamp".into(), timestamp.to_string()),
                ("X-Cairn-Signature".into(), signature(secret()?.as_bytes(), timestamp, &body)),
            ];
            Request::Http { method: "POST", url: url()?, headers, body }
        }
        ChannelKind::Slack => {
            let mut text = format!("*{}*", text::slack(&p.headline));
            if !p.body.is_empty() {
                text.push_str(&format!("\n{}", text::slack(&p.body)));
            }
            for l in &p.lines {
                text.push_str(&format!("\n{}", text::slack(l)));
            }
            text.push_str(&format!("\n<{}|View on the status page>", text::slack(&p.url)));
            json_post(url()?, json!({"text": truncate(&text, 3900), "unfurl_links": false}), Vec::new())
        }
        ChannelKind::Discord => {
            let mut text = format!("**{}**", text::discord(&p.headline));
            if !p.body.is_empty() {
                text.push_str(&format!("\n{}", text::discord(&truncate(&p.body, 1200))));
            }
            for l in &p.lines {
                text.push_str(&format!("\n{}", text::discord(l)));
            }
            text.push_str(&format!("\n<{}>", p.url));
            json_post(url()?, json!({"content": truncate(&text, 2000), "allowed_mentions": {"parse": []}}), Vec::new())
        }
        ChannelKind::Telegram => {
            let base = channel.url.clone().unwrap_or_else(|| "https://api.telegram.org".into());
            let mut text = format!("<b>{}</b>", text::telegram_html(&p.headline));
            if !p.body.is_empty() {
                text.push_str(&format!("\n\n{}", text::telegram_html(&truncate(&p.body, 3000))));
            }
            text.push('\n');
            for l in &p.lines {
                text.push_str(&format!("\n{}", text::telegram_html(l)));
            }
            text.push_str(&format!("\n<a href=\"{}\">View on the status page</a>", escape_markup(&p.url)));
            let value = json!({"chat_id": channel.chat_id, "text": text, "parse_mode": "HTML",
                               "link_preview_options": {"is_disabled": true}});
            json_post(format!("{}/bot{}/sendMessage", base.trim_end_matches('/'), secret()?), value, Vec::new())
        }
        ChannelKind::Matrix => {
            let room = channel.room.as_deref().ok_or("no `room` is configured")?;
            let room: String =
                percent_encoding::utf8_percent_encode(room, percent_encoding::NON_ALPHANUMERIC).to_string();
            let value = json!({
                "msgtype": "m.notice", "body": text::matrix_plain(&plain(&p)),
                "format": "org.matrix.custom.html", "formatted_body": html(&p), "m.mentions": {},
            });
            let url = format!(
                "{}/_matrix/client/v3/rooms/{room}/send/m.room.message/{delivery}",
                url()?.trim_end_matches('/')
            );
            let mut body = serde_json::to_vec(&value).expect("JSON serializes");
            body.shrink_to_fit();
            Request::Http {
                method: "PUT",
                url,
                headers: vec![
                    ("Content-Type".into(), "application/json".into()),
                    ("Authorization".into(), format!("Bearer {}", secret()?)),
                ],
                body,
            }
        }
        ChannelKind::Email => Request::Mail {
            subject: one_line(&format!("[{}] {}", n.site_title, p.headline)),
            text: plain(&p),
            html: html(&p),
        },
    })
}

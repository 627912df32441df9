//! Sending one request with retries: exponential backoff from the channel's `backoff`, an HTTP
//! 429's `Retry-After` honoured (up to five minutes), a 4xx other than 408 and 429 not retried
//! (the request itself is wrong), and e-mail over SMTP (lettre, blocking).

use super::message::Request;
use crate::model::{Channel, Smtp, SmtpTls, Timestamp};
use std::time::Duration;

/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// Why one attempt failed, and whether another may succeed.
enum Failure {
    Retry { why: String, after: Option<Duration> },
    Final(String),
}

/// Sends `request` on `channel`, trying up to `timing.attempts` times; `Err` says why the last
/// attempt failed.
pub fn send(
    channel: &Channel,
    request: &Request,
    delivery: &str,
    now: Timestamp,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), String> {
    let t = channel.timing;
    let mut wait = t.backoff;
    let mut attempt = 1;
    loop {
        let result = match request {
            Request::Http { method, url, headers, body } => http(t.timeout, method, url, headers, body),
            Request::Mail { subject, text, html } => match &channel.smtp {
                Some(smtp) => mail(channel, smtp, subject, text, html, delivery, now, env),
                None => Err(Failure::Final("no `smtp` is configured".into())),
            },
        };
        match result {
            Ok(()) => return Ok(()),
            Err(Failure::Final(why)) => return Err(why),
            Err(Failure::Retry { why, .. }) if attempt >= t.attempts => {
                return Err(format!("{why} (after {attempt} attempts)"));
            }
            Err(Failure::Retry { after, .. }) => {
                std::thread::sleep(after.map_or(wait, |a| a.min(MAX_RETRY_AFTER).max(wait)));
                wait = wait.saturating_mul(2);
                attempt += 1;
            }
        }
    }
}

fn http(timeout: Duration, method: &str, url: &str, headers: &[(String, String)], body: &[u8]) -> Result<(), Failure> {
    let agent: ureq::Agent =
        ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).build().into();
    let mut req = match method {
        "PUT" => agent.put(url),
        _ => agent.post(url),
    };
    for (k, v) in headers {
        req = req.header(k, v);
    }
    // The address may hold a token (Telegram, a Slack webhook): never print it.
    let response = req.send(body).map_err(|e| Failure::Retry { why: transport_error(&e), after: None })?;
    let status = response.status().as_u16();
    match status {
        200..=299 => Ok(()),
        429 => {
            let after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            Err(Failure::Retry { why: "HTTP 429 Too Many Requests".into(), after })
        }
        408 | 500..=599 => Err(Failure::Retry { why: format!("HTTP {status}"), after: None }),
        _ => Err(Failure::Final(format!("HTTP {status}: the receiver refused the request"))),
    }
}

/// A transport error without the address (which may hold a secret).
fn transport_error(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) => format!("connection failed: {}", io.kind()),
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => "TLS error".into(),
        _ => "request failed".into(),
    }
}

#[allow(clippy::too_many_arguments)]
fn mail(
    channel: &Channel,
    smtp: &Smtp,
    subject: &str,
    text: &str,
    html: &str,
    delivery: &str,
    now: Timestamp,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), Failure> {
    use lettre::message::{Mailbox, MultiPart};
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::extension::ClientId;
    use lettre::{Message, SmtpTransport, Transport};
    let bad = |what: &str, e: &dyn std::fmt::Display| Failure::Final(format!("{what}: {e}"));
    let from: Mailbox = smtp.from.parse().map_err(|e| bad("bad `from` address", &e))?;
    let mut builder = Message::builder()
        .from(from)
        .subject(subject)
        .message_id(Some(format!("<{delivery}@cairn.notify>")))
        .date(std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(now.unix_timestamp().max(0) as u64));
    for to in &smtp.to {
        builder = builder.to(to.parse::<Mailbox>().map_err(|e| bad("bad `to` address", &e))?);
    }
    let message = builder
        .multipart(MultiPart::alternative_plain_html(text.to_string(), html.to_string()))
        .map_err(|e| bad("cannot build the message", &e))?;
    let transport = match smtp.tls {
        SmtpTls::None => SmtpTransport::builder_dangerous(&smtp.host),
        SmtpTls::Starttls => SmtpTransport::starttls_relay(&smtp.host).map_err(|e| bad("TLS setup", &e))?,
        SmtpTls::Tls => SmtpTransport::relay(&smtp.host).map_err(|e| bad("TLS setup", &e))?,
    };
    let mut transport =
        transport.port(smtp.port).timeout(Some(channel.timing.timeout)).hello_name(ClientId::Domain("cairn".into()));
    if let Some(user) = &smtp.username {
        let name = channel
            .secret_env
            .as_deref()
            .ok_or_else(|| Failure::Final("no `secret_env` for the SMTP password".into()))?;
        let password =
            env(name).ok_or_else(|| Failure::Final(format!("the environment variable {name} is not set")))?;
        transport = transport.credentials(Credentials::new(user.clone(), password));
    }
    match transport.build().send(&message) {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(Failure::Final(format!("SMTP: {e}"))),
        Err(e) => Err(Failure::Retry { why: format!("SMTP: {e}"), after: None }),
    }
}

//! `cairn notify` end to end: the real binary, a real git repo in a temp dir, and real receivers
//! on 127.0.0.1 (HTTP over a TcpListener, a small SMTP server) that record what arrives, across
//! a scripted sequence of commits.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const SECRET: &str = "test-secret-key";

/// One HTTP request as a receiver got it.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// An HTTP status to answer, with a `Retry-After` value.
type Answer = (u16, Option<&'static str>);

/// An HTTP receiver: answers each request with the next scripted status (200 when none left).
struct Http {
    port: u16,
    got: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
}

impl Http {
    fn start() -> Http {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Mutex<VecDeque<Answer>>> = Arc::new(Mutex::new(VecDeque::new()));
        let (g, s) = (got.clone(), script.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    continue;
                }
                let mut parts = line.split_whitespace();
                let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
                let mut headers = Vec::new();
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    let (k, v) = h.split_once(':').unwrap();
                    headers.push((k.trim().to_string(), v.trim().to_string()));
                }
                let len: usize = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .map_or(0, |(_, v)| v.parse().unwrap());
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                g.lock().unwrap().push(Received { method, path, headers, body });
                let (status, retry) = s.lock().unwrap().pop_front().unwrap_or((200, None));
                let extra = retry.map(|r| format!("Retry-After: {r}\r\n")).unwrap_or_default();
                let _ =
                    write!(stream, "HTTP/1.1 {status} X\r\n{extra}Content-Length: 2\r\nConnection: close\r\n\r\nok");
            }
        });
        Http { port, got, script }
    }
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
    fn take(&self) -> Vec<Received> {
        std::mem::take(&mut *self.got.lock().unwrap())
    }
    fn fail_next(&self, answers: &[Answer]) {
        self.script.lock().unwrap().extend(answers.iter().copied());
    }
}

/// A small SMTP server: records the DATA of each message.
struct Smtp {
    port: u16,
    got: Arc<Mutex<Vec<String>>>,
}

impl Smtp {
    fn start() -> Smtp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let g = got.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let _ = stream.write_all(b"220 localhost ESMTP test\r\n");
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    let upper = line.to_ascii_uppercase();
                    if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        let _ = stream.write_all(b"250-localhost\r\n250 8BITMIME\r\n");
                    } else if upper.starts_with("DATA") {
                        let _ = stream.write_all(b"354 go ahead\r\n");
                        let mut data = String::new();
                        loop {
                            let mut l = String::new();
                            if reader.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                                break;
                            }
                            data.push_str(&l);
                        }
                        g.lock().unwrap().push(data);
                        let _ = stream.write_all(b"250 queued\r\n");
                    } else if upper.starts_with("QUIT") {
                        let _ = stream.write_all(b"221 bye\r\n");
                        break;
                    } else {
                        let _ = stream.write_all(b"250 ok\r\n");
                    }
                }
            }
        });
        Smtp { port, got }
    }
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.got.lock().unwrap())
    }
}

struct Receivers {
    public: Http,
    internal: Http,
    slack: Http,
    mail: Smtp,
}

fn config(r: &Receivers) -> String {
    format!(
        r#"title: Test Network Status
base_url: https://status.test
audiences: [public, internal]
defaults:
  incidents: public
  maintenance: public
  matrices: internal
notify:
  channels:
    - name: partners-webhook
      kind: webhook
      public_label: Partner webhook
      url: {}
      secret_env: CAIRN_TEST_SECRET
      interval: 0ms
      attempts: 2
      backoff: 10ms
    - name: exchanges-slack
      kind: slack
      groups: [exchanges]
      url_env: CAIRN_TEST_SLACK_URL
      interval: 0ms
      backoff: 10ms
    - name: internal-webhook
      kind: webhook
      audience: internal
      url: {}
      secret_env: CAIRN_TEST_SECRET
      interval: 0ms
      backoff: 10ms
    - name: ops-mail
      kind: email
      audience: internal
      interval: 0ms
      backoff: 10ms
      smtp: {{ host: 127.0.0.1, port: {}, tls: none, from: "Status <status@test>", to: [ops@test] }}
"#,
        r.public.url("/hook"),
        r.internal.url("/hook"),
        r.mail.port
    )
}

const MATRIX: &str = r#"title: Notify matrix
rows:
  - id: chain-halt
    incident: Chain halt
    notify: [exchanges]
  - id: minor
    incident: Minor
    notify: [wallets]
"#;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=T", "-c", "user.email=t@test", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", message, "--allow-empty"]);
}

fn notify(dir: &Path, r: &Receivers, now: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["notify", "--root"])
        .arg(dir)
        .args(["--now", now])
        .args(extra)
        .env("CAIRN_TEST_SECRET", SECRET)
        .env("CAIRN_TEST_SLACK_URL", r.slack.url("/slack"))
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

fn incident(updates: &str) -> String {
    let resolved = if updates.contains("status: resolved") { "resolved_at: 2026-11-21T01:00:00Z\n" } else { "" };
    format!(
        "---\ntitle: Block production halted\ntype: chain-halt\nseverity: sev1\nimpact: major\nstarted_at: 2026-11-20T14:00:00Z\n{resolved}updates:\n{updates}---\nBody.\n"
    )
}

const U1: &str = "  - at: 2026-11-20T14:05:00Z\n    status: investigating\n    body: Blocks stopped at 1048500. @everyone <!channel> *look*\n";
const U2: &str = "  - at: 2026-11-20T14:30:00Z\n    status: identified\n    body: A consensus bug.\n";
const U3: &str = "  - at: 2026-11-20T15:00:00Z\n    status: monitoring\n    body: Restarted.\n";
const U4: &str = "  - at: 2026-11-20T15:10:00Z\n    status: monitoring\n    visibility: internal\n    body: INTERNAL-ONLY validator 7 operator was paged.\n";
const U5: &str = "  - at: 2026-11-20T15:20:00Z\n    status: monitoring\n    embargo_until: 2026-11-21T00:00:00Z\n    body: EMBARGOED-FIX patched build shipped.\n";
const U6: &str = "  - at: 2026-11-21T01:00:00Z\n    status: resolved\n    body: All clear.\n";

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "cairn notify failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

fn setup() -> (tempfile::TempDir, Receivers) {
    let r = Receivers { public: Http::start(), internal: Http::start(), slack: Http::start(), mail: Smtp::start() };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("content/incidents")).unwrap();
    std::fs::create_dir_all(d.join("content/matrices")).unwrap();
    std::fs::write(d.join("cairn.yaml"), config(&r)).unwrap();
    std::fs::write(d.join("content/matrices/notify.yaml"), MATRIX).unwrap();
    std::fs::write(
        d.join("content/incidents/2026-01-old.md"),
        "---\ntitle: Old\ntype: minor\nseverity: sev3\nimpact: minor\nstarted_at: 2026-01-01T00:00:00Z\nresolved_at: 2026-01-01T00:10:00Z\nupdates:\n  - at: 2026-01-01T00:10:00Z\n    status: resolved\n    body: Old news.\n---\n",
    )
    .unwrap();
    git(d, &["init", "-q"]);
    commit(d, "start");
    (dir, r)
}

#[test]
fn the_scripted_sequence_reaches_each_channel_once_and_only_what_its_audience_sees() {
    let (dir, r) = setup();
    let d = dir.path();
    let state = d.join("notify/state.json");
    let inc = d.join("content/incidents/2026-11-20-halt.md");

    // First run: a baseline, nothing sent.
    let out = ok(&notify(d, &r, "2026-11-20T14:00:00Z", &[]));
    assert!(out.contains("recorded as the baseline"), "{out}");
    assert!(r.public.take().is_empty() && r.internal.take().is_empty() && r.mail.take().is_empty());
    let baseline: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(
        baseline["channels"]["partners-webhook"]["incidents/2026-01-old/20260101-0010"]["delivery"],
        serde_json::Value::Null
    );
    commit(d, "notify baseline");

    // A new incident: every channel gets its first update.
    std::fs::write(&inc, incident(U1)).unwrap();
    commit(d, "new incident");
    ok(&notify(d, &r, "2026-11-20T14:06:00Z", &[]));
    let got = r.public.take();
    assert_eq!(got.len(), 1);
    let expected = r#"{"version":1,"delivery":"DELIVERY","event":"incident-update","embargo_lifted":false,"audience":"public","site":{"title":"Test Network Status","url":"https://status.test"},"subject":{"kind":"incident","id":"2026-11-20-halt","title":"Block production halted","url":"https://status.test/incidents/2026-11-20-halt/","status":"investigating","impact":"major","scheduled_for":null,"scheduled_until":null},"update":{"id":"20261120-1405","at":"2026-11-20T14:05:00Z","status":"investigating","body":"Blocks stopped at 1048500. @everyone <!channel> look","url":"https://status.test/incidents/2026-11-20-halt/#update-20261120-1405","components":[]}}"#;
    let delivery = got[0].header("X-Cairn-Delivery").unwrap().to_string();
    assert_eq!(delivery.len(), 32);
    assert_eq!(String::from_utf8_lossy(&got[0].body), expected.replace("DELIVERY", &delivery));
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].path, "/hook");
    assert_eq!(got[0].header("X-Cairn-Event"), Some("incident-update"));
    let timestamp = got[0].header("X-Cairn-Timestamp").unwrap();
    assert_eq!(timestamp, "1795183560");
    // The signature as the documented shell snippet computes it (openssl), and as HMAC does.
    let signed = [timestamp.as_bytes(), b".", &got[0].body].concat();
    assert_eq!(got[0].header("X-Cairn-Signature").unwrap(), format!("sha256={}", openssl_hmac(&signed)));
    assert!(python_verifies(&got[0]), "the Python snippet of docs/notify.md accepts the delivery");
    let mut forged = got[0].clone();
    forged.body.push(b' ');
    assert!(!python_verifies(&forged), "and refuses a body changed in transit");
    let internal = r.internal.take();
    assert_eq!(internal.len(), 1);
    assert_eq!(internal[0].json()["audience"], "internal");
    let slack = r.slack.take();
    assert_eq!(slack.len(), 1, "the incident's row notifies exchanges");
    let text = slack[0].json()["text"].as_str().unwrap().to_string();
    assert!(text.contains("&lt;!channel&gt;") && !text.contains("<!channel>"), "{text}");
    let mail = r.mail.take();
    assert_eq!(mail.len(), 1);
    let unfolded = mail[0].replace("\r\n ", " ");
    assert!(
        unfolded.contains("Subject: [Test Network Status] Incident: Block production halted (Investigating)"),
        "{}",
        mail[0]
    );
    commit(d, "notified");

    // Two updates.
    std::fs::write(&inc, incident(&[U1, U2, U3].concat())).unwrap();
    commit(d, "two updates");
    ok(&notify(d, &r, "2026-11-20T15:01:00Z", &[]));
    let ids: Vec<String> =
        r.public.take().iter().map(|g| g.json()["update"]["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, ["20261120-1430", "20261120-1500"]);
    assert_eq!(r.internal.take().len(), 2);
    assert_eq!(r.slack.take().len(), 2);
    assert_eq!(r.mail.take().len(), 2);

    // An internal update reaches only the internal channels.
    std::fs::write(&inc, incident(&[U1, U2, U3, U4].concat())).unwrap();
    commit(d, "internal update");
    ok(&notify(d, &r, "2026-11-20T15:11:00Z", &[]));
    assert!(r.public.take().is_empty() && r.slack.take().is_empty());
    let internal = r.internal.take();
    assert_eq!(internal.len(), 1);
    assert!(String::from_utf8_lossy(&internal[0].body).contains("INTERNAL-ONLY"));
    assert!(r.mail.take()[0].contains("INTERNAL-ONLY"));

    // An embargoed update: internal now, the public channel when the embargo lifts.
    std::fs::write(&inc, incident(&[U1, U2, U3, U4, U5].concat())).unwrap();
    commit(d, "embargoed update");
    ok(&notify(d, &r, "2026-11-20T15:21:00Z", &[]));
    assert!(r.public.take().is_empty() && r.slack.take().is_empty());
    assert_eq!(r.internal.take().len(), 1);
    assert_eq!(r.mail.take().len(), 1);
    ok(&notify(d, &r, "2026-11-21T00:00:30Z", &[]));
    let lifted = r.public.take();
    assert_eq!(lifted.len(), 1);
    assert_eq!(lifted[0].json()["embargo_lifted"], true);
    assert_eq!(lifted[0].json()["update"]["id"], "20261120-1520");
    assert_eq!(r.slack.take().len(), 1);
    assert!(r.internal.take().is_empty() && r.mail.take().is_empty());

    // A failing receiver: 500 on both attempts, so the run fails; the next run delivers once.
    std::fs::write(&inc, incident(&[U1, U2, U3, U4, U5, U6].concat())).unwrap();
    commit(d, "resolved");
    r.public.fail_next(&[(500, None), (500, None)]);
    let failed = notify(d, &r, "2026-11-21T01:01:00Z", &[]);
    let stdout = String::from_utf8_lossy(&failed.stdout);
    assert_eq!(failed.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("partners-webhook (webhook): sent 0, FAILED at incidents/2026-11-20-halt/20261121-0100: HTTP 500 (after 2 attempts)"), "{stdout}");
    assert_eq!(r.public.take().len(), 2, "two attempts");
    assert_eq!(r.internal.take().len(), 1, "the other channels are not held back");
    assert_eq!(r.slack.take().len(), 1);
    assert_eq!(r.mail.take().len(), 1);
    let retry = ok(&notify(d, &r, "2026-11-21T01:05:00Z", &[]));
    let got = r.public.take();
    assert_eq!(got.len(), 1, "{retry}");
    assert_eq!(got[0].json()["update"]["id"], "20261121-0100");
    assert!(r.internal.take().is_empty() && r.slack.take().is_empty() && r.mail.take().is_empty());

    // A re-run sends nothing and leaves the state as it was.
    let before = std::fs::read(&state).unwrap();
    let again = ok(&notify(d, &r, "2026-11-21T02:00:00Z", &[]));
    assert!(again.contains("partners-webhook (webhook): sent 0"), "{again}");
    assert!(r.public.take().is_empty() && r.internal.take().is_empty() && r.slack.take().is_empty());
    assert!(r.mail.take().is_empty());
    assert_eq!(std::fs::read(&state).unwrap(), before);

    // The public channel's state records the delivery id the receiver saw.
    let recorded: serde_json::Value = serde_json::from_slice(&before).unwrap();
    assert_eq!(
        recorded["channels"]["partners-webhook"]["incidents/2026-11-20-halt/20261120-1405"]["delivery"],
        delivery.as_str()
    );
}

/// HMAC-SHA256 as the shell snippet of docs/notify.md computes it, with openssl.
fn openssl_hmac(data: &[u8]) -> String {
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha256", "-hmac", SECRET, "-r"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("openssl is installed");
    child.stdin.take().unwrap().write_all(data).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
}

/// Runs the Python verification snippet of docs/notify.md (taken from the doc itself) on a delivery.
fn python_verifies(r: &Received) -> bool {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/notify.md")).unwrap();
    let snippet = doc.split("```python\n").nth(1).unwrap().split("```").next().unwrap();
    // The snippet checks freshness against the clock; the test's deliveries are from --now.
    let snippet = snippet.replace("time.time()", "int(headers[\"X-Cairn-Timestamp\"])");
    let program = format!(
        "{snippet}\nimport sys\nbody = sys.stdin.buffer.read()\nheaders = {{\"X-Cairn-Timestamp\": sys.argv[1], \"X-Cairn-Signature\": sys.argv[2]}}\nsys.exit(0 if verify(sys.argv[3].encode(), headers, body) else 1)\n"
    );
    let mut child = Command::new("python3")
        .args(["-c", &program, r.header("X-Cairn-Timestamp").unwrap(), r.header("X-Cairn-Signature").unwrap(), SECRET])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("python3 is installed");
    child.stdin.take().unwrap().write_all(&r.body).unwrap();
    child.wait().unwrap().success()
}

#[test]
fn a_dry_run_sends_and_writes_nothing() {
    let (dir, r) = setup();
    let d = dir.path();
    ok(&notify(d, &r, "2026-11-20T14:00:00Z", &[]));
    let state = std::fs::read(d.join("notify/state.json")).unwrap();
    std::fs::write(d.join("content/incidents/2026-11-20-halt.md"), incident(U1)).unwrap();
    let out = ok(&notify(d, &r, "2026-11-20T14:06:00Z", &["--dry-run"]));
    assert!(out.contains("partners-webhook (webhook): would send 1"), "{out}");
    assert!(out.contains("internal-webhook (webhook): would send 1"), "{out}");
    assert!(r.public.take().is_empty() && r.internal.take().is_empty() && r.slack.take().is_empty());
    assert!(r.mail.take().is_empty());
    assert_eq!(std::fs::read(d.join("notify/state.json")).unwrap(), state);
}

#[test]
fn since_a_revision_sends_what_is_new_instead_of_a_baseline() {
    let (dir, r) = setup();
    let d = dir.path();
    std::fs::write(d.join("content/incidents/2026-11-20-halt.md"), incident(U1)).unwrap();
    commit(d, "new incident");
    let out = ok(&notify(d, &r, "2026-11-20T14:06:00Z", &["--since", "HEAD~1"]));
    assert!(out.contains("partners-webhook (webhook): sent 1, 1 already published recorded as the baseline"), "{out}");
    assert_eq!(r.public.take().len(), 1);
}

#[test]
fn a_429_is_retried_after_its_retry_after() {
    let (dir, r) = setup();
    let d = dir.path();
    ok(&notify(d, &r, "2026-11-20T14:00:00Z", &[]));
    std::fs::write(d.join("content/incidents/2026-11-20-halt.md"), incident(U1)).unwrap();
    r.public.fail_next(&[(429, Some("1"))]);
    let started = std::time::Instant::now();
    ok(&notify(d, &r, "2026-11-20T14:06:00Z", &["--channel", "partners-webhook"]));
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "Retry-After honoured");
    let got = r.public.take();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].header("X-Cairn-Delivery"), got[1].header("X-Cairn-Delivery"), "the same delivery id on a retry");
    assert!(r.internal.take().is_empty(), "--channel limits the run");
}

#[test]
fn chat_channels_get_escaped_messages_at_their_api_paths() {
    let (dir, r) = setup();
    let d = dir.path();
    let (chat, mx) = (Http::start(), Http::start());
    let config = format!(
        r#"title: Test Network Status
base_url: https://status.test
audiences: [public, internal]
defaults: {{ incidents: public, matrices: internal }}
notify:
  channels:
    - {{ name: community-discord, kind: discord, url: "{0}", interval: 0ms, backoff: 10ms }}
    - {{ name: pools-telegram, kind: telegram, url: "{1}", chat_id: "-100123", secret_env: CAIRN_TEST_SECRET, interval: 0ms, backoff: 10ms }}
    - {{ name: ops-matrix, kind: matrix, url: "{2}", room: "!ops:example.org", secret_env: CAIRN_TEST_SECRET, interval: 0ms, backoff: 10ms, attempts: 2 }}
"#,
        chat.url("/discord"),
        chat.url(""),
        mx.url("")
    );
    std::fs::write(d.join("cairn.yaml"), config).unwrap();
    commit(d, "chat channels");
    ok(&notify(d, &r, "2026-11-20T14:00:00Z", &[]));
    let evil = "  - at: 2026-11-20T14:05:00Z\n    status: investigating\n    body: \"@everyone @here @room <@123> <script>x</script> [click](https://evil.test) **bold**\"\n";
    std::fs::write(d.join("content/incidents/2026-11-20-halt.md"), incident(evil)).unwrap();
    mx.fail_next(&[(500, None)]);
    ok(&notify(d, &r, "2026-11-20T14:06:00Z", &[]));
    let got = chat.take();
    assert_eq!(got.len(), 2, "{got:?}");
    let matrix = mx.take();
    assert_eq!(matrix.len(), 2, "a 500 is retried");
    assert_eq!(matrix[0].path, matrix[1].path, "with the same transaction id");
    assert!(matrix[0].path.starts_with("/_matrix/client/v3/rooms/%21ops%3Aexample%2Eorg/send/m.room.message/"));
    assert_eq!(matrix[0].method, "PUT");
    assert_eq!(matrix[0].header("Authorization"), Some(format!("Bearer {SECRET}").as_str()));
    let m = matrix[0].json();
    assert!(!m["body"].as_str().unwrap().contains("@room"));
    assert!(m["formatted_body"].as_str().unwrap().contains("&lt;script&gt;"));
    assert!(!m["formatted_body"].as_str().unwrap().contains("<script>"));
    assert_eq!(m["m.mentions"], serde_json::json!({}));

    let discord = got.iter().find(|g| g.path == "/discord").unwrap().json();
    let content = discord["content"].as_str().unwrap();
    assert!(!content.contains("@everyone") && !content.contains("@here") && !content.contains("<@123>"), "{content}");
    assert!(content.contains("click \\(https\\://evil.test\\) bold"), "{content}");
    assert_eq!(discord["allowed_mentions"], serde_json::json!({"parse": []}));

    let telegram = got.iter().find(|g| g.path.ends_with("/sendMessage")).unwrap();
    assert_eq!(telegram.path, format!("/bot{SECRET}/sendMessage"));
    let t = telegram.json();
    assert_eq!(t["chat_id"], "-100123");
    assert_eq!(t["parse_mode"], "HTML");
    let text = t["text"].as_str().unwrap();
    assert!(text.contains("&lt;script&gt;") && !text.contains("<script>"), "{text}");
    assert!(text.contains("click (https://evil.test)"), "a contributor's link shows its address: {text}");
}

//! The reload channel: server-sent events to every open page (`/__cairn/events`). A page is
//! told `reload` after a rebuild that changed files, `problems` (the diagnostics, as JSON)
//! when a rebuild failed, and `fixed` when the next one succeeded; on connecting it is told
//! the server's id (`hello`) and, while the build is broken, the problems.

use std::io::Write;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

/// How often an idle connection is written to, so a closed one is noticed and let go.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// One event: its name and its data (one line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub name: &'static str,
    pub data: String,
}

impl Event {
    /// The event as the `text/event-stream` format writes it.
    fn wire(&self) -> String {
        // Data is one line: JSON without newlines, or a word.
        format!("event: {}\ndata: {}\n\n", self.name, self.data.replace('\n', " "))
    }
}

/// Every open page's channel, and the state a newly opened one is told.
pub struct Hub {
    id: String,
    state: Mutex<HubState>,
}

#[derive(Default)]
struct HubState {
    /// Each open page's channel, with the page's path (`/incidents/x/`, as the page says).
    clients: Vec<(Sender<Event>, String)>,
    /// The problems of the failed build, as JSON, while the build is broken.
    problems: Option<String>,
}

impl Hub {
    /// A hub; `id` tells pages which server process they talk to.
    pub fn new(id: String) -> Hub {
        Hub { id, state: Mutex::new(HubState::default()) }
    }

    /// Sends `event` to every open page.
    pub fn broadcast(&self, event: Event) {
        if let Ok(mut state) = self.state.lock() {
            state.clients.retain(|(c, _)| c.send(event.clone()).is_ok());
        }
    }

    /// Sets (or clears) the problems of the build, telling every open page.
    pub fn set_problems(&self, problems: Option<String>) {
        let was_broken = self.state.lock().map(|mut s| std::mem::replace(&mut s.problems, problems.clone()).is_some());
        match problems {
            Some(json) => self.broadcast(Event { name: "problems", data: json }),
            None if was_broken.unwrap_or(false) => self.broadcast(Event { name: "fixed", data: String::new() }),
            None => {}
        }
    }

    /// The problems of the build while it is broken, as JSON.
    pub fn problems(&self) -> Option<String> {
        self.state.lock().ok().and_then(|s| s.problems.clone())
    }

    /// The paths of the open pages (each once), as they gave them: the dev server remakes these
    /// first.
    pub fn open_pages(&self) -> Vec<String> {
        let mut pages: Vec<String> =
            self.state.lock().map(|s| s.clients.iter().map(|(_, p)| p.clone()).collect()).unwrap_or_default();
        pages.sort();
        pages.dedup();
        pages
    }

    /// Registers a page: the events it is to be told, starting with the hello.
    fn subscribe(&self, page: String) -> Receiver<Event> {
        let (tx, rx) = channel();
        let _ = tx.send(Event { name: "hello", data: self.id.clone() });
        if let Ok(mut state) = self.state.lock() {
            if let Some(p) = &state.problems {
                let _ = tx.send(Event { name: "problems", data: p.clone() });
            }
            state.clients.push((tx, page));
        }
        rx
    }

    /// Number of open pages.
    pub fn pages(&self) -> usize {
        self.state.lock().map(|s| s.clients.len()).unwrap_or(0)
    }

    /// Streams events to the page at `page` over `writer` (the raw connection) until it goes
    /// away.
    pub fn stream(&self, mut writer: Box<dyn Write + Send>, page: String) {
        let rx = self.subscribe(page);
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
                    X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\nretry: 500\n\n";
        if writer.write_all(head.as_bytes()).and_then(|()| writer.flush()).is_err() {
            return;
        }
        loop {
            let text = match rx.recv_timeout(KEEPALIVE) {
                Ok(event) => event.wire(),
                Err(RecvTimeoutError::Timeout) => ": keepalive\n\n".to_string(),
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if writer.write_all(text.as_bytes()).and_then(|()| writer.flush()).is_err() {
                return;
            }
        }
    }
}

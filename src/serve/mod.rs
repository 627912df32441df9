//! `cairn serve`: a live preview of one audience's site. The site is built into a folder of its
//! own (`.cairn/serve/<audience>/`, the same bytes `cairn build` writes), served over HTTP with
//! a reload script added to pages, and rebuilt incrementally whenever an input changes; open
//! pages reload, or show the problems of a broken edit over the last good site until the fix.
//! `/api/search` answers from the served audience's search index.
//!
//! - [`rebuild`]: the served folder and incremental rebuilds (what changed → what to remake);
//! - [`watch`]: `notify` events → debounced batches of changes;
//! - [`http`], [`paths`], [`events`]: files, traversal checks, the reload channel, search.

mod events;
pub mod http;
pub mod paths;
pub mod rebuild;
pub mod watch;

use crate::diagnostics::Diagnostic;
use crate::pipeline::BuildOptions;
use events::{Event, Hub};
use rebuild::{Changes, IndexJob, Rebuilt, Served};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

/// How to serve.
pub struct Options {
    /// Root, audience, now and base URL, as for a build (the output is the server's own).
    pub build: BuildOptions,
    pub bind: IpAddr,
    /// 0 for any free port.
    pub port: u16,
}

/// What the server tells its user, as it happens.
pub enum Report<'a> {
    /// The quick pass wrote the pages being edited or looked at (the rebuild follows).
    Quick(&'a Rebuilt),
    /// A (re)build succeeded.
    Built(&'a Rebuilt),
    /// A (re)build failed: the last good site is still served.
    Failed(&'a [Diagnostic]),
}

/// The folder `cairn serve` keeps the site of `audience` in, below the repo at `root`.
pub fn serve_dir(root: &Path, audience: &str) -> PathBuf {
    root.join(".cairn").join("serve").join(audience)
}

/// Whether `addr` is a loopback address (only this machine can reach it).
pub fn is_loopback(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => a.is_loopback(),
        IpAddr::V6(a) => a.is_loopback() || a.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

/// A server ready to run: site built (or its problems known), socket bound, inputs watched.
pub struct Server {
    http: Arc<tiny_http::Server>,
    shared: Arc<http::Shared>,
    served: Served,
    watch: watch::Watch,
    indexer: Arc<Indexer>,
    url: String,
    /// Held while serving: one server per audience and repo.
    _lock: crate::write::OutputLock,
}

impl Server {
    /// Locks the served folder (calling `waiting` with the holder's pid if another server holds
    /// it), starts watching, builds the site (reporting it) and binds the socket.
    pub fn start(opts: Options, waiting: &dyn Fn(Option<u32>), report: &dyn Fn(Report<'_>)) -> Result<Server, String> {
        let root = std::fs::canonicalize(&opts.build.root)
            .map_err(|e| format!("cannot read the repo at {}: {e}", opts.build.root.display()))?;
        let config = crate::load::config_only(&root);
        let rank = match &opts.build.audience {
            None => 0,
            Some(name) => config.audiences.rank(name).ok_or_else(|| {
                format!("unknown audience `{name}`; this site's audiences are: {}", config.audiences.0.join(", "))
            })?,
        };
        let audience = config.audiences.name(rank).to_string();
        let dir = serve_dir(&root, &audience);
        let lock = crate::write::OutputLock::acquire(&dir, waiting)
            .map_err(|e| format!("cannot lock {}: {e}", dir.display()))?;
        // Watching starts before the first build: an edit made meanwhile is not missed.
        let watch = watch::Watch::start(&root).map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        let build = BuildOptions { root: root.clone(), ..opts.build };
        let mut served =
            Served::new(build, dir.clone()).map_err(|e| format!("cannot prepare {}: {e}", dir.display()))?;
        let hub =
            Hub::new(format!("{}-{}", std::process::id(), crate::cache::executable_id().unwrap_or(0) % 1_000_000));
        let shared = Arc::new(http::Shared {
            dir: dir.clone(),
            hub,
            index: crate::search::index_dir(&root, &audience),
            audience,
        });
        let indexer = Indexer::start(root);
        rebuild_and_tell(&mut served, &Changes::everything(), &shared, &indexer, report);
        let http = tiny_http::Server::http(SocketAddr::new(opts.bind, opts.port)).map_err(|e| {
            format!("cannot listen on {}: {e} (choose another with --port)", SocketAddr::new(opts.bind, opts.port))
        })?;
        let port = http.server_addr().to_ip().map_or(opts.port, |a| a.port());
        let host = match opts.bind {
            // Bound to every interface: the address to open on this machine is the loopback one.
            IpAddr::V6(a) if a.is_unspecified() => "[::1]".into(),
            IpAddr::V6(a) => format!("[{a}]"),
            IpAddr::V4(a) if a.is_unspecified() => "127.0.0.1".into(),
            IpAddr::V4(a) => a.to_string(),
        };
        Ok(Server {
            http: Arc::new(http),
            shared,
            served,
            watch,
            indexer,
            url: format!("http://{host}:{port}/"),
            _lock: lock,
        })
    }

    /// The address to open.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The folder the site is served from.
    pub fn dir(&self) -> &Path {
        self.served.dir()
    }

    /// Serves and rebuilds until the watch ends (it does not, short of the process ending).
    pub fn run(mut self, report: &dyn Fn(Report<'_>)) {
        let http = self.http.clone();
        let shared = self.shared.clone();
        std::thread::spawn(move || {
            for request in http.incoming_requests() {
                let shared = shared.clone();
                std::thread::spawn(move || http::handle(&shared, request));
            }
        });
        while let Some(changes) = self.watch.next_batch() {
            rebuild_and_tell(&mut self.served, &changes, &self.shared, &self.indexer, report);
        }
    }
}

/// Rebuilds after `changes` (the quick pass first, see [`Served::quick`]), then tells the user
/// and the open pages how it went.
fn rebuild_and_tell(
    served: &mut Served,
    changes: &Changes,
    shared: &http::Shared,
    indexer: &Indexer,
    report: &dyn Fn(Report<'_>),
) {
    if let Some(quick) = served.quick(changes, &shared.hub.open_pages())
        && !quick.paths.is_empty()
    {
        shared.hub.broadcast(reload(&quick, false));
        report(Report::Quick(&quick));
    }
    match served.rebuild(changes) {
        Ok((rebuilt, job)) => {
            let was_broken = shared.hub.problems().is_some();
            shared.hub.set_problems(None);
            if rebuilt.written + rebuilt.removed > 0 || was_broken {
                shared.hub.broadcast(reload(&rebuilt, was_broken));
            }
            report(Report::Built(&rebuilt));
            if let Some(job) = job {
                indexer.submit(job);
            }
        }
        Err((mut problems, restored)) => {
            // What broke the build first: a warning is not what the writer has to fix now.
            problems.sort_by_key(|d| !d.is_error());
            shared.hub.set_problems(Some(http::problems_json(&problems)));
            if !restored.is_empty() {
                let back = Rebuilt { written: restored.len(), paths: restored, ..Rebuilt::default() };
                shared.hub.broadcast(reload(&back, false));
            }
            report(Report::Failed(&problems));
        }
    }
}

/// Past this many changed files a reload event does not list them: every page reloads.
const LISTED_PATHS: usize = 500;

/// The `reload` event after `rebuilt`: the paths written or removed, so that a page reloads
/// only when it changed (or a style sheet, script or image did); every page reloads when
/// `all` or when there are too many to list.
fn reload(rebuilt: &Rebuilt, all: bool) -> Event {
    let mut data = serde_json::json!({ "written": rebuilt.written, "removed": rebuilt.removed });
    if !all && rebuilt.paths.len() <= LISTED_PATHS {
        data["paths"] = serde_json::json!(rebuilt.paths);
    }
    Event { name: "reload", data: data.to_string() }
}

/// Writes the search index on a thread of its own, the latest Site first: a rebuild does not
/// wait for it, and a Site superseded before its turn is skipped.
struct Indexer {
    root: PathBuf,
    next: Mutex<Option<IndexJob>>,
    ready: Condvar,
}

impl Indexer {
    fn start(root: PathBuf) -> Arc<Indexer> {
        let indexer = Arc::new(Indexer { root, next: Mutex::new(None), ready: Condvar::new() });
        let worker = indexer.clone();
        std::thread::spawn(move || {
            loop {
                let job = {
                    let Ok(mut next) = worker.next.lock() else { return };
                    loop {
                        if let Some(job) = next.take() {
                            break job;
                        }
                        let Ok(guard) = worker.ready.wait(next) else { return };
                        next = guard;
                    }
                };
                if let Err(e) = crate::search::write_index_of(
                    &worker.root,
                    &job.of,
                    &job.docs,
                    job.words.iter().map(String::as_str),
                ) {
                    eprintln!("warning: {e}");
                }
            }
        });
        indexer
    }

    fn submit(&self, job: IndexJob) {
        if let Ok(mut next) = self.next.lock() {
            *next = Some(job);
            self.ready.notify_one();
        }
    }
}

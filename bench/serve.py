#!/usr/bin/env python3
"""Live-reload latency of `cairn serve` beside `hugo server` and `zola serve`, on the same pages.

usage: serve.py [--pages N] [--runs R] [--edits E] [--cairn PATH] [--hugo PATH] [--zola PATH]
                [--keep DIR]

For each tool in turn: generate the corpus (bench/gen_corpus.py, plus 10 runbooks and a page
template override in each dialect), start the server, fetch the edited pages once (Hugo
re-renders visited pages first), connect to its reload channel as the browser does (cairn:
server-sent events; Hugo and Zola: the livereload websocket), then R times each: change one
line of an incident, of a runbook, and of the incident page template, and time from just
before the write to the first reload message after which the page shows the change (messages
already sent for earlier edits are dropped before each write, and a reload whose page does not
show the edit yet is not counted as this edit's); after each timed edit the server is left to
go idle (no CPU used for 0.6 s), so that the rest of one edit's work (cairn: the rebuild after
its quick pass, and the search index) is not counted in the next. Prints medians per tool and kind,
the server's RSS after the first build, and after E more edits (memory growth).
Zola runs with `--debounce 15`, the debounce cairn uses (its default is 1000 ms).
"""
import base64, http.client, json, os, re, shutil, socket, statistics, struct, subprocess, sys
import tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = "2026-01-02T00:00:00Z"


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def fetch(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read().decode("utf-8", "replace")
    c.close()
    return r.status, body


def wait_ready(port, path, proc, limit=600):
    start = time.time()
    while time.time() - start < limit:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if fetch(port, path)[0] == 200:
                return time.time() - start
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"server not ready after {limit} s")


def rss_mib(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class SSE:
    """cairn's reload channel, opened as the reload script of the page at `page` opens it."""
    def __init__(self, port, page):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(f"GET /__cairn/events?page={page} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        self.buf = b""

    def drain(self):
        """Drops the events already sent (of earlier edits still being rebuilt)."""
        self.sock.settimeout(0.05)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                self.buf += data
        except (socket.timeout, BlockingIOError):
            pass
        if b"\n\n" in self.buf:
            self.buf = self.buf.rsplit(b"\n\n", 1)[1]

    def wait(self, name=b"reload", timeout=300):
        self.sock.settimeout(timeout)
        while True:
            while b"\n\n" in self.buf:
                block, self.buf = self.buf.split(b"\n\n", 1)
                if b"event: " + name in block:
                    return
            data = self.sock.recv(65536)
            if not data:
                raise SystemExit("event stream closed")
            self.buf += data


class LiveReload:
    """Hugo's and Zola's reload channel: the livereload protocol over a websocket."""
    def __init__(self, port, path="/livereload"):
        self.sock = socket.create_connection(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise SystemExit(f"no websocket: {head[:80]!r}")
        self.send(json.dumps({"command": "hello", "protocols": [
            "http://livereload.com/protocols/official-7"]}))

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        header = bytes([0x81, 0x80 | len(data)]) if len(data) < 126 else bytes([0x81, 0xFE]) + struct.pack(">H", len(data))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv_exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise SystemExit("websocket closed")
            out += chunk
        return out

    def message(self):
        b0, b1 = self.recv_exact(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", self.recv_exact(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self.recv_exact(8))[0]
        payload = self.recv_exact(n)
        return b0 & 0x0F, payload

    def drain(self):
        """Drops the messages already sent (of earlier edits still being rebuilt)."""
        self.sock.settimeout(0.05)
        try:
            while True:
                self.message()
        except (socket.timeout, BlockingIOError):
            pass

    def wait(self, timeout=300):
        self.sock.settimeout(timeout)
        while True:
            op, payload = self.message()
            if op == 1 and b'"reload"' in payload:
                return


def add_runbooks(root):
    """10 runbooks and a page template override in each dialect."""
    words = "drain the validator restart with safe mode check peers verify finality".split()
    os.makedirs(f"{root}/cairn/content/runbooks", exist_ok=True)
    os.makedirs(f"{root}/hugo/content/runbooks", exist_ok=True)
    os.makedirs(f"{root}/zola/content/runbooks", exist_ok=True)
    with open(f"{root}/zola/content/runbooks/_index.md", "w") as f:
        f.write('+++\ntitle = "Runbooks"\n+++\n')
    with open(f"{root}/hugo/content/runbooks/_index.md", "w") as f:
        f.write("---\ntitle: Runbooks\n---\n")
    for i in range(10):
        body = "\n\n".join(f"## Step {k}\n\n" + " ".join(words[(k + j) % len(words)] for j in range(60))
                           for k in range(6)) + "\n"
        with open(f"{root}/cairn/content/runbooks/rb{i:02d}.md", "w") as f:
            f.write(f"---\ntitle: Runbook {i}\nowners: [sre]\nvisibility: public\n---\n\n{body}")
        with open(f"{root}/hugo/content/runbooks/rb{i:02d}.md", "w") as f:
            f.write(f"---\ntitle: Runbook {i}\n---\n\n{body}")
        with open(f"{root}/zola/content/runbooks/rb{i:02d}.md", "w") as f:
            f.write(f"+++\ntitle = \"Runbook {i}\"\n+++\n\n{body}")
    # cairn: the incident page template, overridden in the site's templates/.
    os.makedirs(f"{root}/cairn/templates", exist_ok=True)
    shutil.copy(f"{HERE}/../themes/default/templates/incident.html", f"{root}/cairn/templates/incident.html")


def edit(path, n, template=False):
    """Changes one line of `path` (a marker that counts up), as an editor's write would."""
    with open(path) as f:
        text = f.read()
    marker = f"edit-{n:04d}"
    if template:
        new = re.sub(r"<i hidden>edit-\d+</i>", "", text)
        # Inside the page's content block, so that every page made with it changes (Go templates
        # drop HTML comments: an element it is).
        tag = f"<i hidden>{marker}</i>"
        new = new.replace("{% block content %}", "{% block content %}" + tag, 1) \
            if "{% block content %}" in new else new.replace("<h1>", "<h1>" + tag, 1)
    else:
        new = re.sub(r" edit-\d+\n", "\n", text, count=1)
        lines = new.split("\n")
        # The last line of prose of the body.
        idx = max(i for i, l in enumerate(lines) if l.strip() and not l.startswith(("#", "|", "-", "`", "+")))
        lines[idx] = lines[idx] + " " + marker
        new = "\n".join(lines)
    t0 = time.time()
    with open(path, "w") as f:
        f.write(new)
    return t0, marker


def until_shown(channel, port, page, marker, t0, limit=50):
    """Seconds from the write (at t0) to the first reload message after which the page shows
    the edit: a reload of an earlier edit, still on its way, is not counted as this one's."""
    for _ in range(limit):
        channel.wait()
        at = time.time()
        if marker in fetch(port, page)[1]:
            return at - t0
    raise SystemExit(f"{page} never showed {marker}")


def cpu_ticks(pid):
    """CPU time the process has used so far, all threads, in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_idle(pid, quiet=0.6, limit=120):
    """Waits until the server has used no CPU for `quiet` seconds: whatever it still does after
    the page showed the edit (the rest of a rebuild, a search index) must not be counted in the
    next edit's time."""
    start = time.time()
    last, since = cpu_ticks(pid), time.time()
    while time.time() - start < limit:
        time.sleep(0.1)
        now = cpu_ticks(pid)
        if now != last:
            last, since = now, time.time()
        elif time.time() - since >= quiet:
            return
    raise SystemExit(f"server still busy after {limit} s")


def run_tool(tool, binary, root, runs, extra_edits):
    port = free_port()
    site = f"{root}/{tool}"
    if tool == "cairn":
        cmd = [binary, "serve", "--port", str(port), "--now", NOW, "--root", site]
        incident, runbook = "/incidents/i000042/", "/runbooks/rb03/"
        files = {"incident": f"{site}/content/incidents/i000042.md", "runbook": f"{site}/content/runbooks/rb03.md",
                 "template": f"{site}/templates/incident.html"}
    elif tool == "hugo":
        cmd = [binary, "server", "--port", str(port), "--bind", "127.0.0.1", "--source", site, "--quiet"]
        incident, runbook = "/incidents/i000042/", "/runbooks/rb03/"
        files = {"incident": f"{site}/content/incidents/i000042.md", "runbook": f"{site}/content/runbooks/rb03.md",
                 "template": f"{site}/layouts/_default/single.html"}
    else:
        cmd = [binary, "--root", site, "serve", "--port", str(port), "--debounce", "15", "--force",
               "--output-dir", f"{site}/public-serve"]
        incident, runbook = "/incidents/i000042/", "/runbooks/rb03/"
        files = {"incident": f"{site}/content/incidents/i000042.md", "runbook": f"{site}/content/runbooks/rb03.md",
                 "template": f"{site}/templates/page.html"}
    started = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ready = wait_ready(port, incident, proc)
        fetch(port, runbook)
        first_rss, first_hwm = rss_mib(proc.pid)
        if tool == "cairn":
            channel = SSE(port, incident)
        else:
            body = fetch(port, incident)[1]
            m = re.search(r"livereload\.js\?[^\"']*port=(\d+)", body)
            ws_port = int(m.group(1)) if m else port
            channel = LiveReload(ws_port)
        wait_idle(proc.pid)
        out = {"ready": ready, "first_rss": first_rss, "first_hwm": first_hwm}
        n = 0
        for kind in ("incident", "runbook", "template"):
            times = []
            page = runbook if kind == "runbook" else incident
            for _ in range(runs):
                n += 1
                channel.drain()
                t0, marker = edit(files[kind], n, template=(kind == "template"))
                times.append(until_shown(channel, port, page, marker, t0))
                wait_idle(proc.pid)
            out[kind] = (statistics.median(times), min(times), max(times), 0)
        for _ in range(extra_edits):
            n += 1
            channel.drain()
            t0, marker = edit(files["incident"], n)
            until_shown(channel, port, incident, marker, t0)
            time.sleep(0.3)
        wait_idle(proc.pid)
        out["after_rss"], out["after_hwm"] = rss_mib(proc.pid)
        out["edits"] = n
        return out
    finally:
        proc.terminate()
        proc.wait()


def main():
    pages = int(arg("--pages", "10000"))
    runs = int(arg("--runs", "11"))
    extra = int(arg("--edits", "67"))
    tools = {"cairn": arg("--cairn", f"{HERE}/../target/release/cairn"),
             "hugo": arg("--hugo", shutil.which("hugo") or ""),
             "zola": arg("--zola", shutil.which("zola") or "/tmp/zola")}
    keep = arg("--keep", None)
    root = keep or tempfile.mkdtemp(prefix="cairn-serve-bench-")
    if not os.path.isdir(f"{root}/cairn"):
        subprocess.run([sys.executable, f"{HERE}/gen_corpus.py", str(pages), root], check=True)
        add_runbooks(root)
    results = {}
    try:
        for tool, binary in tools.items():
            if not binary or not os.path.exists(binary):
                print(f"{tool}: not found, skipped", file=sys.stderr)
                continue
            print(f"{tool}: serving {pages} pages…", file=sys.stderr)
            results[tool] = run_tool(tool, binary, root, runs, extra)
            print(f"  {results[tool]}", file=sys.stderr)
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    print(f"\n{pages} pages, medians of {runs} edits each (min–max), time from the write to the reload message:\n")
    print("| tool | first build, served | incident | runbook | template | RSS after first build | RSS after "
          "all edits (peak) |")
    print("|---|---|---|---|---|---|---|")
    for tool, r in results.items():
        cell = lambda k: f"{r[k][0] * 1000:.0f} ms ({r[k][1] * 1000:.0f}–{r[k][2] * 1000:.0f})" + \
            (f", {r[k][3]} stale" if r[k][3] else "")
        print(f"| {tool} | {r['ready']:.1f} s | {cell('incident')} | {cell('runbook')} | {cell('template')} | "
              f"{r['first_rss']:.0f} MiB | {r['after_rss']:.0f} MiB ({r['after_hwm']:.0f}) after {r['edits']} |")


if __name__ == "__main__":
    main()

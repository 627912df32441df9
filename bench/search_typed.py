#!/usr/bin/env python3
"""What a typed query costs the static search in a real browser (not a test).

usage: bench/search_typed.py SITE [QUERY ...]

Serves the built site SITE on localhost, opens its search page in headless Chromium (driven over
the DevTools pipe, no driver binary), types each query into the search box at a person's pace
(one key every 40 ms), waits for the results to settle, and reports every request the page made
for the static index (`search/…`) and their bytes as transferred, with search.js apart. Each
query starts from a fresh browser profile (nothing cached).

Build the 10,000-page corpus first, e.g.:
  python3 bench/gen_corpus.py 10000 /tmp/sb/corpus
  target/release/cairn build --root /tmp/sb/corpus/cairn -o /tmp/sb/site --now 2026-11-26T12:00:00Z
"""
import functools, http.server, json, os, shutil, subprocess, sys, tempfile, threading, time

QUERIES = ["rollback database", "gossip disk", "finality stall", "validator key rotation"]
KEY_MS = 40


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site):
    handler = functools.partial(Quiet, directory=site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, "http://127.0.0.1:%d/" % server.server_address[1]


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp()
        cmd_r, self.cmd_w = os.pipe()
        self.rep_r, rep_w = os.pipe()

        def fds():
            r, w = os.dup(cmd_r), os.dup(rep_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [os.environ.get("CHROMIUM", "chromium"), "--headless", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--disable-background-networking", "--remote-debugging-pipe",
             "--user-data-dir=" + self.profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=fds, close_fds=False)
        os.close(cmd_r)
        os.close(rep_w)
        self.reader = os.fdopen(self.rep_r, "rb")
        self.next = 0
        self.session = None
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})
        attached = self.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
        self.session = attached["sessionId"]

    def read(self):
        buf = b""
        while True:
            c = self.reader.read(1)
            if not c:
                raise RuntimeError("chromium closed the pipe")
            if c == b"\0":
                return json.loads(buf)
            buf += c

    def call(self, method, params=None):
        self.next += 1
        msg = {"id": self.next, "method": method, "params": params or {}}
        if self.session:
            msg["sessionId"] = self.session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self.read()
            if reply.get("id") == self.next:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def eval(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True})
        return r.get("result", {}).get("value")

    def close(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def measure(url, query):
    b = Browser()
    try:
        b.call("Network.enable")
        b.call("Page.enable")
        b.call("Page.navigate", {"url": url + "search/"})
        while b.eval("document.readyState === 'complete' && !!document.getElementById('cairn-search-q')") is not True:
            time.sleep(0.05)
        b.eval("document.getElementById('cairn-search-q').focus()")
        b.events.clear()
        for c in query:
            b.call("Input.insertText", {"text": c})
            time.sleep(KEY_MS / 1000)
        # Settle: results shown and no request in flight for a second.
        deadline = time.time() + 15
        while time.time() < deadline:
            time.sleep(1.0)
            before = len(b.events)
            b.eval("1")
            if len(b.events) == before and b.eval("document.querySelectorAll('#cairn-search-results li').length > 0"):
                break
        b.eval("1")
        urls, sizes = {}, {}
        for e in b.events:
            p = e.get("params", {})
            if e["method"] == "Network.responseReceived":
                urls[p["requestId"]] = p["response"]["url"]
            elif e["method"] == "Network.loadingFinished":
                sizes[p["requestId"]] = p["encodedDataLength"]
        index = [(urls[r], sizes.get(r, 0)) for r in urls if "/search/" in urls[r] and not urls[r].endswith("/search/")]
        shown = b.eval("document.querySelectorAll('#cairn-search-results li').length")
        return index, shown
    finally:
        b.close()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    site = sys.argv[1]
    queries = sys.argv[2:] or QUERIES
    server, url = serve(site)
    script = os.path.getsize(os.path.join(site, "assets", "search.js"))
    print("typed at %d ms a key on %s (search.js %.1f KB, fetched once per visit, not counted below)"
          % (KEY_MS, site, script / 1000))
    worst = 0
    for q in queries:
        index, shown = measure(url, q)
        total = sum(s for _, s in index)
        worst = max(worst, total)
        names = ", ".join(u.split("/search/")[1] for u, _ in index)
        print("%-26r %2d requests, %6.1f KB of index, %d results shown [%s]" % (q, len(index), total / 1000, shown, names))
    server.shutdown()
    print("worst query: %.1f KB of index" % (worst / 1000))


if __name__ == "__main__":
    main()

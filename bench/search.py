#!/usr/bin/env python3
"""Search benchmark (not a test) on a generated corpus.

usage: bench/search.py [N] [WORKDIR]      (defaults: 10000 pages, /tmp/cairn-search-bench)

Builds target/release/cairn if needed, generates N pages with bench/gen_corpus.py,
and reports:
  - how long the tantivy index takes to build (its stage in `cairn build --timings`; it is
    written on one thread beside the pages) and its size on disk;
  - median wall time of a whole `cairn search` process over 25 runs of several queries;
  - the static search: bytes the browser fetches for a typical query (search.js, meta.json,
    the term shards of the query's words, the files holding the first 10 results; the filter
    table only when a filter is used), ranked exactly as search.js ranks.

Static engine choice, measured on the same 10,000-page site (Nov 2026, 2-core shared machine):
  cairn's JSON index   26.9 MB in 10,193 files; built inside `cairn build` (no extra crates);
                       "finality stall" fetches 49.9 KB (search.js 9 KB, no wasm); MIT/Apache.
                       (Since then documents go four to a file: 14.9 MB in 2,693 files, 68-79 KB
                       per query; see the closing note of the performance issue.)
  pagefind 1.6.0 API   28.8 MB index; 28 s to index the 10,003 HTML pages from memory
                       (PagefindIndex::add_html_file, tokio); "finality stall" through its JS API
                       fetches 440 KB (two 100 KB index chunks, 71 KB meta, 60 KB wasm, 90 KB JS,
                       ten fragments), 127 KB more with its default UI; MIT. The crate pulls 183
                       crates and does not compile without its `serve` feature unless tokio's
                       `io-util` is enabled by someone else.
"""
import json, math, os, shutil, statistics, subprocess, sys, time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
WORK = sys.argv[2] if len(sys.argv) > 2 else "/tmp/cairn-search-bench"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAIRN = os.path.join(REPO, "target", "release", "cairn")
GEN = os.path.join(REPO, "bench", "gen_corpus.py")
NOW = "2026-11-26T12:00:00Z"
QUERIES = ["finality stall", "validator key rotation", "rpc latency", "\"memory leak\"", "withdrawal delay"]


def run(args, **kw):
    return subprocess.run(args, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def timed(args):
    t = time.perf_counter()
    run(args)
    return time.perf_counter() - t


def du(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def shard_key(term):
    k = term[:2]
    return k if all(c.isascii() and c.isalnum() for c in k) else "x%x" % ord(term[0])


def words(text):
    out, cur = [], ""
    for c in text.lower():
        if c.isalnum():
            cur += c
        elif cur:
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return [w for w in out if len(w) <= 40]


def static_bytes(site, query):
    """Files search.js fetches for `query` typed in full (last word as a prefix), and their bytes."""
    files = ["assets/search.js", "search/meta.json"]
    n = json.load(open(os.path.join(site, "search/meta.json")))["docs"]
    ws = words(query)
    scores, hits = {}, {}
    for i, w in enumerate(ws):
        shard = "search/t/%s.json" % shard_key(w)
        if shard not in files:
            files.append(shard)
        path = os.path.join(site, shard)
        terms = json.load(open(path)) if os.path.exists(path) else {}
        for term, lst in terms.items():
            if term != w and not (i == len(ws) - 1 and len(w) >= 2 and term.startswith(w)):
                continue
            idf = math.log(1 + n / lst[0])
            part = 1 if term == w else 0.5
            doc = 0
            for j in range(1, len(lst), 2):
                doc += lst[j]
                scores[doc] = scores.get(doc, 0) + lst[j + 1] * idf * part
                hits[doc] = hits.get(doc, 0) | (1 << i)
    top = sorted(scores, key=lambda d: (-bin(hits[d]).count("1"), -scores[d], d))[:10]
    per = json.load(open(os.path.join(site, "search/meta.json"))).get("chunk", 1)
    for d in top:
        chunk = "search/d/%d.json" % (d // per)
        if chunk not in files:
            files.append(chunk)
    return sum(os.path.getsize(os.path.join(site, f)) for f in files), len(files)


def main():
    if not os.path.exists(CAIRN):
        run(["cargo", "build", "--release"], cwd=REPO)
    corpus = os.path.join(WORK, "corpus")
    if not os.path.isdir(os.path.join(corpus, "cairn")):
        shutil.rmtree(WORK, ignore_errors=True)
        run([sys.executable, GEN, str(N), corpus])
    root = os.path.join(corpus, "cairn")
    out = os.path.join(WORK, "site")
    index = os.path.join(root, ".cairn")
    build = [CAIRN, "build", "--root", root, "--output", out, "--now", NOW, "--timings"]
    # The index is built on its own thread beside the pages; `--timings` gives its stage.
    stage_runs = []
    for _ in range(3):
        shutil.rmtree(index, ignore_errors=True)
        table = run(build).stderr.decode()
        row = next(l for l in table.splitlines() if l.startswith("search index"))
        stage_runs.append(float(row[20:].split()[2]))
    size = du(os.path.join(index, "index"))
    print(f"corpus: {N} pages in {root}")
    print(f"tantivy index: built in {statistics.median(stage_runs):.2f} s (median of 3, its stage in "
          f"`cairn build --timings`, one thread beside the pages); {size / 1e6:.1f} MB")
    static = du(os.path.join(out, "search"))
    nfiles = sum(len(fs) for _, _, fs in os.walk(os.path.join(out, "search")))
    print(f"static index: {static / 1e6:.1f} MB in {nfiles} files")
    for q in QUERIES:
        times = []
        for _ in range(25):
            times.append(timed([CAIRN, "search", "--root", root, q]))
        b, files = static_bytes(out, q)
        print(f"query {q!r:28} cairn search median {statistics.median(times) * 1000:6.1f} ms "
              f"(min {min(times) * 1000:.1f}); static search fetches {b / 1000:.1f} KB in {files} files")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark what git history costs a cairn build.

usage: bench/git_history.py [--docs 10000] [--commits 5000] [--runs 5] [--cairn PATH] [--keep]

Generates (under target/bench/) the synthetic knowledge base of bench/gen_corpus.py with --docs
incident pages, and turns it into a git repository of --commits commits with `git fast-import`:
the pages are added in batches by five authors, then every later commit edits one to three pages
(an amended public paragraph, an edit inside an `:::internal` block, a new line in a hidden
update), one page in a hundred is first added under another name and renamed later. Times and
authors are fixed, so the repository is the same on every run.

It then times, in rounds, medians of --runs runs each (output on the same file system):
  no git        a full build of a copy of the working tree without .git (the baseline)
  cold          a full build of the repository with no history cache (.cairn/history removed)
  full          a full build of the repository with the history cache of an earlier build
  noop          a rebuild with nothing changed (skipped by the build cache)
and prints the difference that history makes.
"""
import argparse, os, random, shutil, statistics, subprocess, sys, time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(REPO, "target", "bench")
NOW = "2026-11-26T00:00:00Z"
AUTHORS = [("Ada Responder", "ada@example.org"), ("Bo Oncall", "bo@example.org"),
           ("Cy Comms", "cy@example.org"), ("Di Lead", "di@example.org"), ("Ed Ops", "ed@example.org")]
EPOCH = 1735689600  # 2025-01-01T00:00:00Z


def generate(docs, commits, dest):
    """The repository at dest (made once per size)."""
    marker = os.path.join(dest, ".git", "cairn-bench-done")
    if os.path.exists(marker):
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    corpus = os.path.join(WORK, f"git-corpus-{docs}")
    if not os.path.isdir(os.path.join(corpus, "cairn")):
        shutil.rmtree(corpus, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(REPO, "bench", "gen_corpus.py"), str(docs), corpus], check=True)
    src = os.path.join(corpus, "cairn")
    names = sorted(os.listdir(os.path.join(src, "content", "incidents")))
    text = {f"content/incidents/{n}": open(os.path.join(src, "content", "incidents", n)).read() for n in names}
    fixed = {p: open(os.path.join(src, p)).read() for p in ("cairn.yaml", "content/components.yaml")}
    r = random.Random(11)
    renamed = {p: p.replace("/i", "/draft-i") for p in sorted(text) if r.random() < 0.01}
    os.makedirs(dest)
    subprocess.run(["git", "init", "-q", "-b", "main", dest], check=True)
    out = []
    mark = [0]

    def commit(k, message, changes):
        name, email = AUTHORS[k % len(AUTHORS)]
        when = EPOCH + k * 3600
        msg = message.encode()
        out.append(f"commit refs/heads/main\nauthor {name} <{email}> {when} +0000\n"
                   f"committer {name} <{email}> {when} +0000\ndata {len(msg)}\n".encode() + msg + b"\n")
        for op in changes:
            if op[0] == "M":
                data = op[2].encode()
                out.append(f"M 100644 inline {op[1]}\ndata {len(data)}\n".encode() + data + b"\n")
            else:
                out.append(f"R {op[1]} {op[2]}\n".encode())
        out.append(b"\n")

    current = {}
    adds = commits // 10
    per = -(-len(text) // adds)
    paths = sorted(text)
    k = 0
    for b in range(adds):
        batch = paths[b * per:(b + 1) * per]
        changes = [("M", p, fixed[p]) for p in fixed] if b == 0 else []
        for p in batch:
            where = renamed.get(p, p)
            current[p] = text[p]
            changes.append(("M", where, text[p]))
        commit(k, f"Add incidents {b * per}-{b * per + len(batch) - 1}", changes)
        k += 1
    pending = sorted(renamed)
    edits = commits - adds
    for e in range(edits):
        changes = []
        if pending and e % max(1, edits // max(1, len(renamed))) == 0:
            p = pending.pop()
            changes.append(("R", renamed[p], p))
            commit(k, f"Rename {os.path.basename(renamed[p])} to its final name", changes)
            k += 1
            continue
        for p in r.sample(paths, r.randint(1, 3)):
            kind = r.random()
            doc = current[p]
            if kind < 0.5:
                doc = doc.rstrip("\n") + f"\n\nAmended in revision {e}: the figures were corrected.\n"
            elif kind < 0.8:
                doc = doc.rstrip("\n") + f"\n\n:::internal\nInternal note {e}: who was paged.\n:::\n"
            else:
                # A hidden update before the final one (an internal note edited in).
                i = doc.rindex("  - at: ", 0, doc.index("    status: resolved"))
                at = doc[i + 8:doc.index("\n", i)]
                note = f"  - id: note-{e}\n    at: {at}\n    status: monitoring\n    visibility: internal\n    body: Hidden note {e}.\n"
                doc = doc[:i] + note + doc[i:]
            current[p] = doc
            where = renamed[p] if p in pending else p
            changes.append(("M", where, doc))
        commit(k, f"Edit {len(changes)} incident(s), revision {e}", changes)
        k += 1
    for p in pending:
        commit(k, "Rename the last drafts", [("R", renamed[p], p)])
        k += 1
    subprocess.run(["git", "-C", dest, "fast-import", "--quiet"], input=b"".join(out), check=True)
    subprocess.run(["git", "-C", dest, "reset", "-q", "--hard", "main"], check=True)
    subprocess.run(["git", "-C", dest, "gc", "-q"], check=True)
    open(marker, "w").write("done\n")
    return dest


def timed(cmd, cwd=None):
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr.decode(errors='replace')}")
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--docs", type=int, default=10000)
    p.add_argument("--commits", type=int, default=5000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--cairn", default=os.path.join(REPO, "target", "release", "cairn"))
    p.add_argument("--keep", action="store_true", help="keep the outputs")
    a = p.parse_args()
    repo = generate(a.docs, a.commits, os.path.join(WORK, f"git-{a.docs}-{a.commits}"))
    count = subprocess.run(["git", "-C", repo, "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout
    print(f"repository: {repo} ({count.strip()} commits, {a.docs} documents)")
    plain = repo + "-nogit"
    if not os.path.isdir(plain):
        shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git", ".cairn"))
    outs = os.path.join(WORK, "git-out")
    shutil.rmtree(outs, ignore_errors=True)
    os.makedirs(outs)
    build = lambda root, out: [a.cairn, "build", "--root", root, "--output", out, "--now", NOW, "--quiet"]
    samples = {"no git": [], "cold": [], "full": [], "noop": []}
    # One unmeasured build of each first (page cache, history cache).
    timed(build(plain, os.path.join(outs, "warm-plain")))
    timed(build(repo, os.path.join(outs, "warm-repo")))
    for i in range(a.runs):
        for label, root in (("no git", plain), ("cold", repo), ("full", repo)):
            if label == "cold":
                shutil.rmtree(os.path.join(root, ".cairn", "history"), ignore_errors=True)
            out = os.path.join(outs, f"{label.replace(' ', '')}-{i}")
            samples[label].append(timed(build(root, out)))
            if label == "full":
                samples["noop"].append(timed(build(root, out)))
    med = {k: statistics.median(v) for k, v in samples.items()}
    for k, v in samples.items():
        print(f"{k:>7}: median {med[k]:.2f} s  ({', '.join(f'{x:.2f}' for x in v)})")
    print(f"history adds {med['full'] - med['no git']:+.2f} s to a full build with its cache, "
          f"{med['cold'] - med['no git']:+.2f} s without it; a no-change rebuild takes {med['noop']:.2f} s")
    if not a.keep:
        shutil.rmtree(outs, ignore_errors=True)


if __name__ == "__main__":
    main()

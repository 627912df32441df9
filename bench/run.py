#!/usr/bin/env python3
"""Benchmark cairn against Hugo and Zola on the same synthetic knowledge base.

usage: bench/run.py [--sizes 1000,10000] [--runs 5] [--smoke] [--no-peers] [--cairn PATH] [--markdown FILE]

For each corpus size N, bench/gen_corpus.py writes the same N incident pages in the dialects of
cairn, Hugo and Zola (under target/bench/). Each generator then builds its dialect `--runs` times
into a fresh output directory, in rounds (cairn, Hugo, Zola, cairn, ...), after one unmeasured
build each from a reset page cache (see `reset_caches`), each build after the same preparation
(see `settle`); the script reports the median wall time and the median peak RSS
(from the kernel's rusage of the child), and the ratios cairn/Hugo and cairn/Zola.

cairn is measured three ways:
  full      a fresh output directory and no build cache (the worst case, like the peers' builds)
  update    one incident changed since the last build into the same output (the status page
            being rebuilt during an incident: everything is rendered, only changes are written)
  noop      nothing changed since the last build (skipped by the build cache)

Hugo comes from Debian's `hugo` package (installed with apt-get when missing and run as root);
Zola is used when a `zola` binary is on PATH. --smoke builds 200 pages once with cairn only and
checks the output, for CI.
"""
import argparse, datetime, os, platform, re, shutil, statistics, subprocess, sys, time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(REPO, "target", "bench")
NOW = "2026-11-26T00:00:00Z"


def run(cmd, cwd=None, env=None):
    """Runs cmd, returning (seconds, peak RSS in MiB). Fails loudly. The child's user and
    system CPU seconds are kept in `run.cpu`."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    run.cpu = (usage.ru_utime, usage.ru_stime)
    return elapsed, usage.ru_maxrss / 1024


def corpus(n):
    path = os.path.join(WORK, f"corpus-{n}")
    if not os.path.isdir(os.path.join(path, "cairn")):
        shutil.rmtree(path, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(REPO, "bench", "gen_corpus.py"), str(n), path], check=True)
    return path


def fresh_dir(tag):
    """A new, not yet existing output path. Outputs are removed only after all measurements:
    deleting tens of thousands of files is slow on some file systems and would disturb them."""
    base = os.path.join(WORK, "out")
    os.makedirs(base, exist_ok=True)
    return os.path.join(base, f"{tag}-{time.monotonic_ns()}")


def clean_outputs():
    shutil.rmtree(os.path.join(WORK, "out"), ignore_errors=True)


def ensure_cairn(path):
    if path:
        return path
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    return os.path.join(REPO, "target", "release", "cairn")


def ensure_hugo():
    if shutil.which("hugo"):
        return "hugo"
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "hugo"], stdout=subprocess.DEVNULL)
        if subprocess.run(["hugo", "version"], stdout=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL)
            subprocess.run(["apt-get", "install", "-y", "-qq", "hugo"], stdout=subprocess.DEVNULL)
    return "hugo" if shutil.which("hugo") else None


def median(samples):
    return statistics.median(samples)


def settle(paths):
    """Puts each measured build in the same state: the previous build's dirty pages written back
    (so their write-back does not land in this build), and this build's inputs (sources, binary,
    and for cairn's rebuilds the previous output) read into the page cache.

    The page cache is not dropped before each build (see `reset_caches`, done once per size):
    each build would then wait for the file system's bitmaps to be read from disk again."""
    os.sync()
    for path in paths:
        if os.path.isfile(path):
            with open(path, "rb") as f:
                while f.read(1 << 20):
                    pass
            continue
        for dirpath, _, names in os.walk(path):
            for name in names:
                try:
                    with open(os.path.join(dirpath, name), "rb") as f:
                        f.read()
                except OSError:
                    pass


def reset_caches():
    """Starts a benchmark from the same kernel state however long the machine has been up:
    dirty pages written back and the page cache dropped (when run as root). The block device's
    cache of inode tables grows with every file created and never shrinks on its own, and on
    this kernel every inode allocation looks a block up in it (`recently_deleted` on ext4
    without a journal): creating 10,000 directories with a file each took 0.5 s of system
    time after a drop and 6.6 s after a day of builds (perf: find_get_block_common)."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    except OSError:
        print("note: not root, so the page cache was not dropped; figures depend on what ran before")


def bench_size(n, runs, cairn, hugo, zola):
    """Each round builds once with every tool, one after the other, so that a slow spell of a
    shared machine hits all of them; medians are taken per tool over the rounds."""
    root = corpus(n)
    src = os.path.join(root, "cairn")
    cache = os.path.join(src, ".cairn")
    samples = {}

    def timed(label, cmd, inputs, before=None):
        if before:
            before()
        settle(inputs)
        t, m = run(cmd)
        samples.setdefault(label, []).append((t, m, *run.cpu))

    def cairn_cmd(dest):
        return [cairn, "build", "--root", src, "--output", dest, "--now", NOW, "--quiet"]

    peers = []
    if hugo:
        peers.append(("hugo", lambda: [hugo, "--source", os.path.join(root, "hugo"), "--destination",
                                       fresh_dir("hugo"), "--quiet"], [os.path.join(root, "hugo"), shutil.which(hugo)]))
    if zola:
        peers.append(("zola", lambda: [zola, "--root", os.path.join(root, "zola"), "build", "--output-dir",
                                       fresh_dir("zola")], [os.path.join(root, "zola"), shutil.which(zola)]))
    reset_caches()
    # One unmeasured build each first: disk reads of binaries, sources and the file system's
    # bitmaps after the reset are nobody's build time.
    run(cairn_cmd(fresh_dir("cairn")))
    for _, cmd, _ in peers:
        run(cmd())
    for _ in range(runs):
        timed("cairn full", cairn_cmd(fresh_dir("cairn")), [src, cairn],
              before=lambda: shutil.rmtree(cache, ignore_errors=True))
        for label, cmd, inputs in peers:
            timed(label, cmd(), inputs)
    steady = os.path.join(WORK, f"steady-{n}")
    prev = os.path.join(WORK, f".steady-{n}.prev")  # the output before, reused as staging
    run(cairn_cmd(steady))
    victim = os.path.join(src, "content", "incidents", "i000000.md")
    original = open(victim).read()

    def touch():
        text = open(victim).read()
        open(victim, "w").write(text.replace("\n---\n", f"\n---\nUpdated {time.monotonic_ns()}.\n", 1))

    try:
        for _ in range(runs):
            timed("cairn update", cairn_cmd(steady), [src, cairn, steady, prev], before=touch)
    finally:
        open(victim, "w").write(original)
    run(cairn_cmd(steady))
    for _ in range(runs):
        timed("cairn noop", cairn_cmd(steady), [src, cairn, steady, prev])
    return {label: {"label": label, "time": median([x[0] for x in xs]), "rss": median([x[1] for x in xs]),
                    "user": median([x[2] for x in xs]), "sys": median([x[3] for x in xs]), "runs": len(xs)}
            for label, xs in samples.items()}


def smoke(cairn):
    root = corpus(200)
    dest = fresh_dir("smoke")
    t, m = run([cairn, "build", "--root", os.path.join(root, "cairn"), "--output", dest, "--now", NOW, "--quiet"])
    incidents = os.path.join(dest, "incidents")
    pages = [d for d in os.listdir(incidents) if re.fullmatch(r"i\d{6}", d) and os.path.isfile(os.path.join(incidents, d, "index.html"))]
    if len(pages) != 200:
        sys.exit(f"smoke: expected 200 incident pages, found {len(pages)}")
    print(f"bench smoke: 200 pages built in {t:.2f} s, peak RSS {m:.0f} MiB")


def machine():
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model or platform.machine()}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="1000,10000")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--no-peers", action="store_true")
    p.add_argument("--cairn")
    p.add_argument("--markdown")
    a = p.parse_args()
    os.makedirs(WORK, exist_ok=True)
    cairn = ensure_cairn(a.cairn)
    if a.smoke:
        smoke(cairn)
        clean_outputs()
        return
    hugo = None if a.no_peers else ensure_hugo()
    zola = None if a.no_peers else shutil.which("zola")
    versions = []
    if hugo:
        versions.append(subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()[1])
    if zola:
        versions.append(subprocess.run([zola, "--version"], capture_output=True, text=True).stdout.strip())
    lines = [f"Machine: {machine()}; {datetime.date.today()}; medians of {a.runs} runs; peers: {', '.join(versions) or 'none'}", "",
             "| pages | cairn full | cairn update | cairn noop | Hugo | Zola | cairn/Hugo (time, RSS) | cairn/Zola (time, RSS) |",
             "|---|---|---|---|---|---|---|---|"]
    cpu = []
    for n in [int(s) for s in a.sizes.split(",")]:
        r = bench_size(n, a.runs, cairn, hugo, zola)
        cell = lambda k: f"{r[k]['time']:.2f} s, {r[k]['rss']:.0f} MiB" if k in r else "–"
        ratio = lambda k: (f"{r['cairn full']['time'] / r[k]['time']:.2f}, {r['cairn full']['rss'] / r[k]['rss']:.2f}"
                           if k in r else "–")
        lines.append(f"| {n:,} | {cell('cairn full')} | {cell('cairn update')} | {cell('cairn noop')} | {cell('hugo')} | "
                     f"{cell('zola')} | {ratio('hugo')} | {ratio('zola')} |")
        print(lines[-1], flush=True)
        cpu.append(f"| {n:,} | " + " | ".join(f"{r[k]['user']:.2f} + {r[k]['sys']:.2f}" if k in r else "–"
                                                for k in ["cairn full", "hugo", "zola"]) + " |")
    clean_outputs()
    lines += ["", "CPU seconds, user + system (medians):", "", "| pages | cairn full | Hugo | Zola |", "|---|---|---|---|"]
    lines += cpu
    text = "\n".join(lines)
    print("\n" + text)
    if a.markdown:
        open(a.markdown, "w").write(text + "\n")


if __name__ == "__main__":
    main()

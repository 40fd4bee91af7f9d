#!/usr/bin/env python3
"""Benchmark the full daemon path on a feed farm served by nginx on 127.0.0.1.

    bench/cycles.py [--feeds 1000 [10000 ...]] [--ticks 1] [--frac 0.1]

For each farm size it generates the farm with ../shared/bench/feedfarm.py,
serves it with nginx (../shared/bench/serve.sh), and runs `newswatch run`
(release build) with the shipped topics and speakers — the peace-talks topic
set to immediate alerts, mail to a Maildir so the outbox and the sender run
too — through three kinds of cycle:

  cold       empty database, every feed new
  unchanged  every source due again, every feed answers 304
  tick       after `feedfarm.py tick --frac F` (new and edited items in a
             fraction F of the feeds; alerts are queued and mailed)

A cycle is one daemon process started with every source due; its wall time
ends when every source has a new `fetches` row; for ticks the time the
outbox was empty (alerts delivered) is shown too. CPU time (user+sys of the
daemon) and peak RSS (VmHWM) are taken at the end (after the mail, for
ticks); CPU per thread (the writer, the poll threads, the checkpointer) at
the wall time, since the one writer thread bounds a cold cycle. Also printed: items stored, items/s, database size, and the
steady-state CPU estimate: the tick cycle's CPU spread over a 15-minute
poll interval (the tick's idle work included). Before it is stopped, the
daemon is left until its CPU has been still for 1.5 s, as it would be
between real cycles: the CPU it uses then (merging the search index once
idle) is printed as "idle work".

Needs nginx (apt-get install nginx-light) and python3; NEWSWATCH_SHARED
points at the shared material (default ../shared), NEWSWATCH_BIN at a
binary to use instead of building target/release/newswatch.
"""

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("NEWSWATCH_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
FARM = os.path.join(SHARED, "bench", "feedfarm.py")
SERVE = os.path.join(SHARED, "bench", "serve.sh")
# NEWSWATCH_BIN: a binary built elsewhere (e.g. with frame pointers for perf).
BIN = os.environ.get("NEWSWATCH_BIN", os.path.join(ROOT, "target", "release", "newswatch"))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def sh(*args, **kw):
    return subprocess.run(args, check=True, text=True, capture_output=True, **kw).stdout


def binaries_and_work(given, prefix):
    """The binaries to measure (the release build, built now, when none are
    given) and a fresh work folder nginx can read."""
    if not given:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix=prefix)
    os.chmod(work, 0o755)
    return given or [BIN], work


def shipped_topics(root=ROOT):
    """The shipped topics' TOML (config/topics/*.toml; the .model files
    beside them are read by the binary, not pasted into the config)."""
    folder = os.path.join(root, "config", "topics")
    return "".join(open(os.path.join(folder, n)).read() + "\n"
                   for n in sorted(os.listdir(folder)) if n.endswith(".toml"))


def write_config(work, port):
    urls = sh(sys.executable, FARM, "list", f"{work}/feeds", "--base", f"http://127.0.0.1:{port}").split()
    topics = shipped_topics()
    # Immediate alerts exercise the outbox and the sender on every tick.
    topics = topics.replace('alert = "digest"', 'alert = "immediate"')
    with open(f"{work}/nw.toml", "w") as f:
        f.write(f'[daemon]\ndatabase = "{work}/nw.db"\nlog = "error"\n\n')
        f.write(f'[email]\nmaildir = "{work}/Mail"\nfrom = "newswatch@bench.invalid"\n'
                f'to = ["analyst@bench.invalid"]\ngroup_window = "0s"\n'
                # The farm's items are dated June 2026: alert on them anyway.
                f'alert_max_age = "3650d"\n\n')
        for i, url in enumerate(urls, 1):
            f.write(f'[[source]]\nname = "farm{i:05d}"\nurl = "{url}"\n\n')
        f.write(topics)
    return len(urls)


def proc_stats(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime
    hwm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) // 1024
    return cpu, hwm


def thread_cpu(pid):
    """CPU seconds so far per thread name: the writer ("newswatch-write"),
    the poll threads ("tokio-rt-worker", summed), the checkpointer
    ("newswatch-check") and the rest."""
    by_name = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                head, tail = f.read().rsplit(")", 1)
        except OSError:
            continue  # the thread ended meanwhile
        name = head.split("(", 1)[1]
        fields = tail.split()
        by_name[name] = by_name.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return by_name


def describe_threads(by_name):
    short = {"newswatch-write": "writer", "tokio-rt-worker": "poll threads",
             "newswatch-check": "checkpointer", "newswatch": "main"}
    parts = [f"{short.get(n, n)} {t:.2f}" for n, t in sorted(by_name.items(), key=lambda kv: -kv[1]) if t >= 0.01]
    return ", ".join(parts) or "all under 0.01"


def query(db, sql):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def settle(pid, quiet=1.5, limit=120.0):
    """Wait until the daemon has used no CPU for `quiet` seconds (at most
    `limit`); returns its CPU time then."""
    last, still_since, t0 = proc_stats(pid)[0], time.monotonic(), time.monotonic()
    while time.monotonic() - t0 < limit:
        time.sleep(0.1)
        now = proc_stats(pid)[0]
        if now != last:
            last, still_since = now, time.monotonic()
        elif time.monotonic() - still_since >= quiet:
            break
    return last


def make_all_due(db):
    con = sqlite3.connect(db, timeout=10)
    con.execute("UPDATE sources SET next_poll_at = '2000-01-01T00:00:00Z' WHERE enabled = 1")
    con.commit()
    con.close()


def cycle(work, feeds, name, wait_outbox):
    db = f"{work}/nw.db"
    fetches_before = query(db, "SELECT count(*) FROM fetches") if os.path.exists(db) else 0
    if os.path.exists(db):
        make_all_due(db)
    log = open(f"{work}/daemon.log", "a")
    t0 = time.monotonic()
    proc = subprocess.Popen([BIN, "--config", f"{work}/nw.toml", "run"], stdout=subprocess.DEVNULL, stderr=log)
    cpu = rss = 0
    threads = {}
    wall = None  # every source fetched and stored
    try:
        while True:
            time.sleep(0.02)
            if proc.poll() is not None:
                sys.exit(f"daemon exited with {proc.returncode}; see {work}/daemon.log")
            try:
                if wall is None and query(db, "SELECT count(*) FROM fetches") - fetches_before >= feeds:
                    wall = time.monotonic() - t0
                    cpu, rss = proc_stats(proc.pid)
                    threads = thread_cpu(proc.pid)
                if wall is not None and (not wait_outbox or
                                         query(db, "SELECT count(*) FROM outbox WHERE status = 'pending'") == 0):
                    mailed = time.monotonic() - t0
                    cpu, rss = proc_stats(proc.pid)
                    break
            except sqlite3.Error:
                pass
        # A running daemon goes on to tidy up once idle (it merges the search
        # index a second after the last write): let it, as it would between
        # real cycles, and report that CPU apart.
        idle_cpu = settle(proc.pid) - cpu
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    items = query(db, "SELECT count(*) FROM items")
    new_items = query(db, f"SELECT coalesce(sum(items_new), 0) FROM (SELECT items_new FROM fetches ORDER BY id DESC LIMIT {feeds})")
    mails = query(db, "SELECT count(*) FROM outbox")
    size = os.path.getsize(db) // (1024 * 1024)
    mail_note = f" (mail out at {mailed:5.2f} s)" if wait_outbox else ""
    print(f"{feeds:6d} feeds  {name:<9}  wall {wall:6.2f} s{mail_note}  cpu {cpu:6.2f} s  peak rss {rss:4d} MB  "
          f"items {items:7d} (+{new_items}, {new_items / wall:8.0f}/s)  mails {mails:4d}  db {size:4d} MB  "
          f"then idle work {idle_cpu:5.2f} s cpu", flush=True)
    print(f"{'':6s}        {'':<9}  cpu by thread at the wall time (s): {describe_threads(threads)}", flush=True)
    return cpu + idle_cpu


def run_farm(feeds, ticks, frac, port):
    work = tempfile.mkdtemp(prefix="nwcycles.")
    os.chmod(work, 0o755)
    try:
        sh(sys.executable, FARM, "gen", f"{work}/feeds", "--feeds", str(feeds), "--seed", "bars")
        sh(SERVE, "start", f"{work}/feeds", str(port), f"{work}/srv")
        n = write_config(work, port)
        cycle(work, n, "cold", False)
        cycle(work, n, "unchanged", False)
        tick_cpu = 0.0
        for t in range(ticks):
            sh(sys.executable, FARM, "tick", f"{work}/feeds", "--frac", str(frac), "--seed", f"tick{t}")
            tick_cpu = cycle(work, n, "tick", True)
        if ticks:
            print(f"{feeds:6d} feeds  steady state, every source polled every 15 min with a tick's "
                  f"changes each time: {100 * tick_cpu / 900:.2f}% of one core", flush=True)
    finally:
        subprocess.run([SERVE, "stop", f"{work}/srv"], capture_output=True)
        subprocess.run(["rm", "-rf", work])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, nargs="+", default=[1000])
    ap.add_argument("--ticks", type=int, default=1)
    ap.add_argument("--frac", type=float, default=0.1)
    ap.add_argument("--port", type=int, default=18391)
    args = ap.parse_args()
    # Killed by a signal, still stop the daemon and nginx and remove the farm
    # (SystemExit runs the `finally` blocks; a stray daemon skews later runs).
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: sys.exit(128 + signum))
    if not os.path.exists(FARM):
        sys.exit(f"no feed farm at {FARM} (set NEWSWATCH_SHARED)")
    if "NEWSWATCH_BIN" not in os.environ:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    print(f"machine: {os.cpu_count()} cores, {sh('uname', '-srm').strip()}", flush=True)
    for feeds in args.feeds:
        run_farm(feeds, args.ticks, args.frac, args.port)


if __name__ == "__main__":
    main()

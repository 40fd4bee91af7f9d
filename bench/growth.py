#!/usr/bin/env python3
"""Long-run growth: 30 simulated days of polling, then retention.

    bench/growth.py [--feeds 200] [--days 30] [--per-day 4] [--frac 0.25] [--retention 7d]

Generates a feed farm (../shared/bench/feedfarm.py), then for each simulated
poll: `feedfarm.py tick` changes a fraction of the feeds, and the changed
feed files are brought in with `newswatch ingest --at TIME` — the same
transaction, detection and story path as a fetch, with a controllable
clock (simulated times end now). After every simulated day it prints the
database size and the latency of `items --since 1d`, `items` (newest 100)
and `search ceasefire` (median of 5 runs of the release binary, process
start included); at the end it runs `prune` with the retention and prints
the size again. (The farm dates its items around June 2026, so `--since 1d`
measures the index lookup of an empty range; `items` the newest-first scan.)

Needs python3 and sqlite3; no network (files are ingested, not fetched).
"""

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("NEWSWATCH_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
FARM = os.path.join(SHARED, "bench", "feedfarm.py")
BIN = os.environ.get("NEWSWATCH_BIN", os.path.join(ROOT, "target", "release", "newswatch"))


def run(*args, **kw):
    return subprocess.run(args, check=True, text=True, capture_output=True, **kw).stdout


def latency(cfg, *args):
    times = []
    for _ in range(5):
        t0 = time.monotonic()
        run(BIN, "--config", cfg, *args)
        times.append(time.monotonic() - t0)
    return statistics.median(times) * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--per-day", type=int, default=4)
    ap.add_argument("--frac", type=float, default=0.25)
    ap.add_argument("--retention", default="7d")
    args = ap.parse_args()
    if "NEWSWATCH_BIN" not in os.environ:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="nwgrowth.")
    feeds = f"{work}/feeds"
    run(sys.executable, FARM, "gen", feeds, "--feeds", str(args.feeds), "--seed", "growth")
    files = sorted(f for f in os.listdir(feeds) if not f.startswith("."))
    cfg = f"{work}/nw.toml"
    with open(cfg, "w") as f:
        f.write(f'[daemon]\ndatabase = "{work}/nw.db"\nlog = "error"\n\n')
        for i, name in enumerate(files, 1):
            f.write(f'[[source]]\nname = "farm{i:05d}"\nurl = "http://127.0.0.1:9/{name}"\n\n')
        folder = os.path.join(ROOT, "config", "topics")
        for t in sorted(n for n in os.listdir(folder) if n.endswith(".toml")):
            with open(os.path.join(folder, t)) as tf:
                f.write(tf.read() + "\n")
    source_of = {name: f"farm{i:05d}" for i, name in enumerate(files, 1)}
    end = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    start = end - dt.timedelta(days=args.days)
    step = dt.timedelta(hours=24 / args.per_day)
    at = start
    print(f"{args.feeds} feeds, {args.days} days x {args.per_day} polls, tick --frac {args.frac}", flush=True)
    print(f"{'day':>4} {'items':>8} {'versions':>9} {'db MB':>7} {'items --since 1d':>17} {'items (newest 100)':>19} {'search':>7}  (ms)", flush=True)
    mtimes = {}
    first = True
    for day in range(args.days):
        for p in range(args.per_day):
            if not first:
                run(sys.executable, FARM, "tick", feeds, "--frac", str(args.frac), "--seed", f"g{day}-{p}")
            changed = []
            for name in files:
                m = os.stat(f"{feeds}/{name}").st_mtime_ns
                if mtimes.get(name) != m:
                    mtimes[name] = m
                    changed.append(name)
            stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
            for name in changed:
                run(BIN, "--config", cfg, "ingest", "--source", source_of[name], "--at", stamp, f"{feeds}/{name}")
            first = False
            at += step
        db = f"{work}/nw.db"
        items = run("sqlite3", db, "SELECT count(*) FROM items").strip()
        versions = run("sqlite3", db, "SELECT count(*) FROM item_versions").strip()
        size = os.path.getsize(db) / 1048576
        since = latency(cfg, "items", "--since", "1d", "--limit", "100")
        newest = latency(cfg, "items", "--limit", "100")
        search = latency(cfg, "search", "ceasefire")
        print(f"{day + 1:4d} {items:>8} {versions:>9} {size:7.1f} {since:17.0f} {newest:19.0f} {search:7.0f}", flush=True)
    before = os.path.getsize(f"{work}/nw.db") / 1048576
    out = run(BIN, "--config", cfg, "prune", "--older-than", args.retention).strip()
    run("sqlite3", f"{work}/nw.db", "VACUUM")
    after = os.path.getsize(f"{work}/nw.db") / 1048576
    print(f"prune --older-than {args.retention}: {out}", flush=True)
    print(f"database {before:.1f} MB -> {after:.1f} MB after prune and VACUUM; "
          f"items --since 1d {latency(cfg, 'items', '--since', '1d', '--limit', '100'):.0f} ms, "
          f"search {latency(cfg, 'search', 'ceasefire'):.0f} ms", flush=True)
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()

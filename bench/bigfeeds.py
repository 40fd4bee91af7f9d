#!/usr/bin/env python3
"""Memory with big feeds: a cold `poll --all` of many multi-megabyte feeds.

    bench/bigfeeds.py [--feeds 40] [--items 1500] [--words 700] [BIN ...]

The farm of ../shared/bench has feeds of ~40 items (tens of KB); real
full-text feeds can be megabytes. This writes FEEDS RSS files of ITEMS
items of WORDS words each (the defaults give 9 MB a feed, under the 10 MB
`max_body`), serves them with nginx on 127.0.0.1 (gzip on the wire, as
../shared/bench/serve.sh does), and runs `newswatch poll --all` on an
empty database, then again (every feed answers 304), with the shipped
topics and speakers and the default `concurrency` (32). Prints wall time,
CPU time and peak RSS of each run, for each binary given (default: the
release build), so two builds can be compared. Needs nginx and GNU time
(apt-get install nginx-light time).
"""

import argparse
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cycles  # noqa: E402  (paths and helpers)

WORDS = ("peace talks ceasefire Kyiv Moscow delegation Istanbul minister statement "
         "agreement prisoners exchange sanctions energy grain corridor negotiations "
         "envoy summit").split()


def write_feeds(folder, feeds, items, words):
    os.makedirs(folder)
    rng = random.Random(1)
    for f in range(feeds):
        with open(f"{folder}/big{f:03d}.rss", "w") as out:
            out.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                      f"<title>Big {f}</title><link>http://example.org/{f}</link>"
                      "<description>big</description>\n")
            for i in range(items):
                body = " ".join(rng.choice(WORDS) for _ in range(words))
                out.write(f"<item><title>Item {f}-{i} {rng.choice(WORDS)} {rng.choice(WORDS)}</title>"
                          f"<link>http://example.org/{f}/{i}</link><guid>big-{f}-{i}</guid>"
                          f"<pubDate>Mon, 30 Nov 2026 {i % 24:02d}:{i % 60:02d}:00 GMT</pubDate>"
                          f"<description>&lt;p&gt;{body}&lt;/p&gt;</description></item>\n")
            out.write("</channel></rss>\n")


def write_config(work, port, feeds):
    with open(f"{work}/nw.toml", "w") as f:
        f.write(f'[daemon]\ndatabase = "{work}/nw.db"\nlog = "error"\n')
        for n in range(feeds):
            f.write(f'\n[[source]]\nname = "big{n:03d}"\nurl = "http://127.0.0.1:{port}/big{n:03d}.rss"\n')
        f.write("\n" + cycles.shipped_topics())


def poll(binary, work, name):
    timing = f"{work}/time"
    run = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", timing,
                          binary, "--config", f"{work}/nw.toml", "poll", "--all"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"{binary} failed:\n{run.stderr[-2000:]}")
    wall, user, system, rss_kb = open(timing).read().split()[-4:]
    items = cycles.query(f"{work}/nw.db", "SELECT count(*) FROM items")
    print(f"{name:9} "
          f"wall {float(wall):6.2f} s  cpu {float(user) + float(system):6.2f} s  "
          f"peak rss {int(rss_kb) // 1024:4d} MB  items {items}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=40)
    ap.add_argument("--items", type=int, default=1500)
    ap.add_argument("--words", type=int, default=700)
    ap.add_argument("--port", type=int, default=18393)
    ap.add_argument("binaries", nargs="*")
    args = ap.parse_args()
    binaries, work = cycles.binaries_and_work(args.binaries, "nwbig.")
    try:
        write_feeds(f"{work}/feeds", args.feeds, args.items, args.words)
        size = sum(os.path.getsize(f"{work}/feeds/{n}") for n in os.listdir(f"{work}/feeds"))
        print(f"{args.feeds} feeds, {size / args.feeds / 1e6:.1f} MB each, "
              f"{args.feeds * args.items} items; {os.cpu_count()} cores", flush=True)
        cycles.sh(cycles.SERVE, "start", f"{work}/feeds", str(args.port), f"{work}/srv")
        write_config(work, args.port, args.feeds)
        for binary in binaries:
            print(binary, flush=True)
            for name in ("nw.db", "nw.db-wal", "nw.db-shm"):
                if os.path.exists(f"{work}/{name}"):
                    os.remove(f"{work}/{name}")
            poll(binary, work, "cold")
            poll(binary, work, "unchanged")
    finally:
        subprocess.run([cycles.SERVE, "stop", f"{work}/srv"], capture_output=True)
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()

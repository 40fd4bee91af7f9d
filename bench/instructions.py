#!/usr/bin/env python3
"""Count the instructions of a cold poll, per pipeline stage (callgrind).

    bench/instructions.py [--feeds 100] [--tick] [BIN ...]

Wall and CPU time on a shared or virtual machine drift by tens of percent
between runs; instruction counts barely move, so this is the figure to
judge a CPU change by (A/B: give two binaries). It generates a farm with
../shared/bench/feedfarm.py (seed "bars", as bench/cycles.py), serves it
with nginx on 127.0.0.1, writes the same config as bench/cycles.py (shipped
topics and speakers), and runs `newswatch poll` on an empty database under
`valgrind --tool=callgrind` for each binary (default: the release build).
Prints the total and the inclusive count of each stage. About 30 s per
binary for 100 feeds. Needs valgrind (apt-get install valgrind) and nginx.

With --tick it then runs `feedfarm.py tick --frac 0.1` and counts a
second `poll --all` on the database the cold poll left (10% of the feeds
changed, the rest answer 304): the work of a tick, with the search-index
merging a cold poll leaves behind (a daemon does that once idle, so its
ticks cost somewhat less). The farm is restored between binaries.
"""

import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cycles  # noqa: E402  (farm, nginx and config helpers)

# Stage → the functions whose inclusive count stands for it: the first one
# a binary has (later names are those of older builds, so that an A/B run
# across a rename still compares like with like).
STAGES = [
    ("start-up: config", ["newswatch::config::load"]),
    ("start-up: sources", ["newswatch::store::sources::<impl newswatch::store::Store>::sync_config_sources"]),
    ("parse (feed-rs)", ["newswatch::parse::parse_document"]),
    ("normalise", ["newswatch::normalize::normalize"]),
    ("detect", ["newswatch::detect::Detector::analyse_folded"]),
    ("  topics", ["newswatch::detect::topics::TopicMatcher::match_folded"]),
    ("  fingerprint", ["newswatch::detect::stories::fingerprint_words"]),
    ("  quotes", ["newswatch::detect::statements::extract_quotes"]),
    ("write (SQLite)", ["newswatch::pipeline::commit::Committer::apply_all",
                        "newswatch::store::ingest::<impl newswatch::store::Store>::apply_fetches"]),
    ("  known items", ["newswatch::store::items::KnownItems::load",
                       "newswatch::store::ingest::KnownItems::load"]),
    ("  revisions", ["newswatch::detect::revisions::compare"]),
    ("  alert queries", ["newswatch::store::alerts::queue_alerts",
                         "newswatch::store::outbox::queue_alerts"]),
    ("  search index", ["newswatch::store::write::SearchWrites::apply",
                        "newswatch::store::ingest::SearchWrites::apply"]),
]


def callgrind(binary, work, args, out):
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
         binary, "--config", f"{work}/nw.toml", *args],
        capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"{binary} failed:\n{run.stderr[-2000:]}")
    total = int(re.search(r"Collected : (\d+)", run.stderr).group(1))
    annotate = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out],
                              capture_output=True, text=True).stdout
    stages = {}
    for label, functions in STAGES:
        for function in functions:
            counts = [int(m.group(1).replace(",", "")) for m in
                      re.finditer(r"^\s*([\d,]+) \([^)]*\)\s+\S*:" + re.escape(function) + r"(?: \[|$)",
                                  annotate, re.M)]
            # The largest line is the function itself; the others are code
            # inlined into it from other files.
            stages[label] = max(counts, default=0)
            if stages[label]:
                break
    return total, stages


def measure(binary, work, tick):
    """[(label, total, stages, items)] for the cold poll, and the tick."""
    for f in os.listdir(work):
        if f.startswith("nw.db"):
            os.remove(os.path.join(work, f))
    results = []
    total, stages = callgrind(binary, work, ["poll"], os.path.join(work, "callgrind.out"))
    results.append(("cold poll", total, stages, cycles.query(f"{work}/nw.db", "SELECT count(*) FROM items")))
    if tick:
        before = cycles.query(f"{work}/nw.db", "SELECT count(*) FROM items")
        cycles.sh(sys.executable, cycles.FARM, "tick", f"{work}/feeds", "--frac", "0.1", "--seed", "tick0")
        total, stages = callgrind(binary, work, ["poll", "--all"], os.path.join(work, "callgrind-tick.out"))
        after = cycles.query(f"{work}/nw.db", "SELECT count(*) FROM items")
        results.append(("tick poll", total, stages, after - before))
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=100)
    ap.add_argument("--port", type=int, default=18393)
    ap.add_argument("--tick", action="store_true", help="also count a poll after feedfarm.py tick")
    ap.add_argument("--keep", action="store_true",
                    help="keep the work folder (callgrind.out* for callgrind_annotate) and say where")
    ap.add_argument("bins", nargs="*")
    args = ap.parse_args()
    bins, work = cycles.binaries_and_work(args.bins, "nwinstr.")
    try:
        cycles.sh(sys.executable, cycles.FARM, "gen", f"{work}/pristine", "--feeds", str(args.feeds), "--seed", "bars")
        cycles.sh("cp", "-a", f"{work}/pristine", f"{work}/feeds")
        cycles.sh(cycles.SERVE, "start", f"{work}/feeds", str(args.port), f"{work}/srv")
        cycles.write_config(work, args.port)
        for binary in bins:
            # The same farm for every binary (a tick rewrites feeds).
            cycles.sh("sh", "-c", f"rm -rf {work}/feeds/* && cp -a {work}/pristine/. {work}/feeds/")
            for label, total, stages, items in measure(binary, work, args.tick):
                print(f"{binary}: {label}, {args.feeds} feeds, {items} items new, {total / 1e9:.3f} G instructions"
                      + (f" ({total / items / 1e3:.0f} k per new item)" if items else ""), flush=True)
                for stage, count in stages.items():
                    if count:
                        print(f"  {stage:<20} {count / 1e9:6.3f} G  {100 * count / total:5.1f}%", flush=True)
    finally:
        subprocess.run([cycles.SERVE, "stop", f"{work}/srv"], capture_output=True)
        if args.keep:
            print(f"kept {work} (callgrind_annotate {work}/callgrind.out)")
        else:
            subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()

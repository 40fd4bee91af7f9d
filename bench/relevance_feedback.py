#!/usr/bin/env python3
"""Relevance with an analyst who corrects what they are shown: December day by day.

    bench/relevance_feedback.py [--bin BIN] [--keep DIR] [--variants none,feedback,retrain]
                                [--from DAY --until DAY]

As bench/relevance_trial.py, the TASS 2025 headlines go into a fresh
database one publication day at a time (`newswatch ingest --at DAYT12:00:00Z`,
the shipped peace-talks topic as the shared check configures it), June to
November once. Then December, from a copy of that database for each variant:

- `none`: no one corrects anything (the primary figure);
- `feedback`: after each day's ingest, the analyst records
  `newswatch feedback ID relevant|irrelevant --topic peace-talks` for every
  item the topic matched that day (what reached the alerts and the digest),
  by its label (corpus/labels/relevance-tass-2025.tsv); borderline and
  unlabelled items get none. Items the topic did not match get none either:
  the analyst never saw them. The product then decides with it (the model
  adjusted to the labels, an item worded like a labelled one takes its
  label);
- `retrain`: the same feedback, and once a night `newswatch topic train
  peace-talks --labels JUNNOV.tsv` (the June-November rows of the labels,
  the file the shipped model was trained on, plus the stored feedback),
  which stores the model the next day's ingest uses.

`--from 2025-11-16 --until 2025-12-01` runs the same on the validation
split the model's settings are chosen on: the days before 16 November are
ingested, the topic's model is trained on their labels (`topic train
--labels`, stored in the database) and 16-30 November is fed day by day;
the nightly train then uses those labels. Changes to how feedback is used
are chosen there; December is only checked.

Each day's decisions are read right after its ingest, before that day's
feedback: progressive validation, no look-ahead. It prints December
precision and recall on the labels (borderline rows left out) per variant,
the number of feedback actions, and the time the nightly trains took.

Needs python3 and the release binary (default target/release/newswatch).
A few minutes (73 ingests, then 31 per variant, one process per feedback).
"""

import argparse
import collections
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from relevance_trial import DATA, LABELS, ROOT, TOPIC, feed, labels, pr  # noqa: E402

DECEMBER = "2025-12-01"


def run(args):
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {r.stderr.strip()}")
    return r.stdout


def config(work, db):
    cfg = os.path.join(work, os.path.basename(db) + ".toml")
    with open(cfg, "w") as f:
        f.write(f'[daemon]\ndatabase = "{db}"\n[[source]]\nname = "tass"\n'
                'url = "http://127.0.0.1:9/tass"\n')
        f.write(open(os.path.join(ROOT, "config/topics/peace-talks.toml")).read())
    return cfg


def ingest(binary, cfg, work, day, rows):
    path = os.path.join(work, f"tass-{day}.xml")
    with open(path, "w") as f:
        f.write(feed(rows))
    run([binary, "--config", cfg, "ingest", "--source", "tass", "--at", f"{day}T12:00:00Z", path])


def matched_today(db, urls):
    """Items of `urls` the topic matches now (own or via a story): id -> url."""
    con = sqlite3.connect(db)
    try:
        out = {}
        for iid, url in con.execute(
                "SELECT i.id, i.url FROM items i JOIN matches m ON m.item_id = i.id "
                "WHERE m.topic = ?", (TOPIC,)):
            if url in urls:
                out[iid] = url
        return out
    finally:
        con.close()


def december(binary, work, base_db, variant, days, by_day, lab, junnov):
    db = os.path.join(work, f"{variant}.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(base_db + suffix):
            shutil.copy(base_db + suffix, db + suffix)
    cfg = config(work, db)
    decided, actions, trains, said = set(), collections.Counter(), [], ""
    for day in days:
        ingest(binary, cfg, work, day, by_day[day])
        urls = {x["u"] for x in by_day[day]}
        today = matched_today(db, urls)
        decided |= set(today.values())
        if variant == "none":
            continue
        for iid, url in sorted(today.items()):
            if url not in lab:
                continue
            verdict = "relevant" if lab[url] else "irrelevant"
            run([binary, "--config", cfg, "feedback", str(iid), verdict, "--topic", TOPIC])
            actions[verdict] += 1
        if variant == "retrain":
            start = time.monotonic()
            said = run([binary, "--config", cfg, "topic", "train", TOPIC, "--labels", junnov])
            trains.append(time.monotonic() - start)
    return decided, actions, trains, said.split("\n")[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/newswatch"))
    ap.add_argument("--keep", help="work in this folder and keep it")
    ap.add_argument("--variants", default="none,feedback,retrain")
    ap.add_argument("--from", dest="start", default=DECEMBER, help="first checked day")
    ap.add_argument("--until", default="2026-01-01", help="first day not checked")
    args = ap.parse_args()
    data = json.load(open(DATA))
    lab = labels()
    by_day = collections.defaultdict(list)
    for x in data:
        by_day[x["d"][:10]].append(x)
    day_of = {x["u"]: x["d"][:10] for x in data}
    work = args.keep or tempfile.mkdtemp(prefix="nw-feedback-")
    os.makedirs(work, exist_ok=True)
    for f in os.listdir(work):
        if f.endswith((".db", ".db-wal", ".db-shm")):
            os.remove(os.path.join(work, f))
    # The labels before the checked days (June-November: what the shipped
    # model was trained on).
    junnov = os.path.join(work, "train.tsv")
    with open(LABELS) as src, open(junnov, "w") as out:
        for i, line in enumerate(src):
            url = line.split("\t", 1)[0]
            if i == 0 or day_of.get(url, args.start) < args.start:
                out.write(line)
    base = os.path.join(work, "base.db")
    cfg = config(work, base)
    for day in sorted(d for d in by_day if d < args.start):
        ingest(args.bin, cfg, work, day, by_day[day])
    if args.start != DECEMBER:
        run([args.bin, "--config", cfg, "topic", "train", TOPIC, "--labels", junnov])
    dec_days = sorted(d for d in by_day if args.start <= d < args.until)
    dec = lambda u: args.start <= day_of.get(u, "") < args.until
    print(f"{len(dec_days)} days checked from {args.start}, "
          f"{sum(len(by_day[d]) for d in dec_days)} items")
    for variant in args.variants.split(","):
        decided, actions, trains, said = december(
            args.bin, work, base, variant, dec_days, by_day, lab, junnov)
        line = f"{variant:9} {pr(decided, lab, dec)}"
        if actions:
            line += (f"; feedback {sum(actions.values())} ({actions['relevant']} relevant, "
                     f"{actions['irrelevant']} irrelevant)")
        if trains:
            line += (f"; {len(trains)} nightly trains, {sum(trains) / len(trains):.2f} s each "
                     f"(max {max(trains):.2f} s)")
        print(line, flush=True)
        if said:
            print(f"          the last night: {said}", flush=True)
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()

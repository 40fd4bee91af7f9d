#!/usr/bin/env python3
"""Relevance with the clock following the news: the TASS 2025 headlines fed day by day.

    bench/relevance_trial.py [--bin BIN] [--dump FILE] [--keep DIR]

The shared check (../shared/checks/relevance-tass-2025) ingests the whole
year at one fetch time, so the story window (72 hours from when an item is
seen) and the context terms (7 days from a name's last strong match) see
every item as recent. This script writes one feed file per publication day
and runs `newswatch ingest --at DAYT12:00:00Z` for each day in order on a
fresh database (the shipped peace-talks topic, as the check configures it),
so stories and context terms only ever see the past. It prints precision and
recall on the labels (corpus/labels/relevance-tass-2025.tsv, borderline rows
left out) for June-November and December:

- `as built`: the topic's own decisions (and what the story carries: from
  other outlets only, so nothing on one outlet);
- `(b) same-outlet story carry`: an item also relevant when another item of
  its story matched on its own (forward and backward, as the story carry
  works for other outlets; the 64-member cap of the backward carry is not
  applied), now that a story spans real days;
- `(a) context terms near the threshold` (needs --dump): an item the model
  puts under its threshold but above FRACTION of it is taken when its title
  or lead names a live context term (a name of two or more strong matches,
  the last of them in the 7 days before the item's day). The dump is the
  relevance harness's (`NEWSWATCH_DUMP=FILE cargo test --lib
  detect::relevance::tests` with NEWSWATCH_CORPUS set): 16-30 November
  scored by a model trained before 16 November (the validation the settings
  are chosen on), December by the shipped model. Names come from the story
  profiles the day-by-day database stores; strong matches are its own;
- `(a) demotion` (needs --dump): the other way round, a match the model
  makes without a query hit, under MULTIPLE times its threshold, is dropped
  when its title and lead name no live context term.

Needs python3 and the release binary (default target/release/newswatch).
About a minute (one `ingest` per publication day: 73 days). It works in a
temporary folder under /tmp that it removes when it ends, failed or not
(--keep DIR: works in DIR and keeps it).
"""

import argparse
import collections
import datetime
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from email.utils import format_datetime
from xml.sax.saxutils import escape

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("NEWSWATCH_SHARED", os.path.join(ROOT, "..", "shared"))
DATA = os.path.join(SHARED, "corpus/datasets/tass__english-headlines-2025.json")
LABELS = os.path.join(SHARED, "corpus/labels/relevance-tass-2025.tsv")
TOPIC = "peace-talks"
STRONG = 0.8  # detect::relevance::context::STRONG_PROBABILITY
EXPIRY_DAYS = 7  # context::EXPIRY_DAYS
MIN_COUNT = 2  # context::MIN_COUNT


# Settings are read on the first part and only checked on the second.
PERIODS = (("16-30 Nov", lambda d: d < "2025-12"), ("Dec", lambda d: d >= "2025-12"))

def feed(rows):
    out = ['<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
           "<title>TASS</title><link>https://tass.com</link><description>x</description>"]
    for x in rows:
        dt = format_datetime(datetime.datetime.fromisoformat(x["d"]).replace(
            hour=12, tzinfo=datetime.timezone.utc))
        out.append(f"<item><title>{escape(x['t'])}</title><link>{escape(x['u'])}</link>"
                   f"<guid>{escape(x['u'])}</guid><pubDate>{dt}</pubDate>"
                   f"<description>{escape(x.get('s', ''))}</description></item>")
    out.append("</channel></rss>\n")
    return "\n".join(out)


def labels():
    lab = {}
    with open(LABELS) as f:
        for i, line in enumerate(f):
            p = line.rstrip("\n").split("\t")
            if i and len(p) >= 2 and p[1] in ("0", "1"):
                lab[p[0]] = p[1] == "1"
    return lab


def pr(decided, lab, keep):
    tp = fp = fn = 0
    for url, rel in lab.items():
        if not keep(url):
            continue
        hit = url in decided
        tp += hit and rel
        fp += hit and not rel
        fn += rel and not hit
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return f"P {p:.3f} R {r:.3f} (tp {tp} fp {fp} fn {fn})"


def names(keys):
    """context::names: the profile's people and places, 3 characters or more."""
    out = []
    for k in (keys or "").split(" "):
        if len(k) > 3 and k[0] == "e" and k[2] == ":" and len(k[3:]) >= 3 and k[3:] not in out:
            out.append(k[3:])
    return out


def context_trial(rows, lab, keep, names_live, take):
    """The dump rows of one period (`keep` their day): precision and recall
    of the model's own decisions, and of those with context terms, where
    `take(q, p, cut, named)` decides an item (`q`: the query hit it; `cut`:
    its threshold; `named()`: its title or lead names a live context term)."""
    base, ctx = set(), set()
    for d, url, q, p, thr_u, thr in rows:
        if not keep(d):
            continue
        cut = thr if q else thr_u
        if p >= cut:
            base.add(url)
        if take(q, p, cut, lambda: names_live(d, url)):
            ctx.add(url)
    sub = {u: lab[u] for d, u, *_ in rows if keep(d)}
    return (f"model {pr(base, sub, lambda u: True)} -> with context "
            f"{pr(ctx, sub, lambda u: True)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/newswatch"))
    ap.add_argument("--dump", help="the relevance harness's NEWSWATCH_DUMP file, for (a)")
    ap.add_argument("--keep", help="work in this folder and keep it")
    args = ap.parse_args()
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        trial(args, args.keep)
    else:
        # The work folder goes when the trial ends, failed or not.
        with tempfile.TemporaryDirectory(prefix="nw-trial-") as work:
            trial(args, work)


def trial(args, work):
    """The day-by-day database in `work`, and the figures from it."""
    data = json.load(open(DATA))
    lab = labels()
    day_of = {x["u"]: x["d"][:10] for x in data}
    by_day = collections.defaultdict(list)
    for x in data:
        by_day[x["d"][:10]].append(x)
    db = os.path.join(work, "r.db")
    for f in (db, db + "-wal", db + "-shm"):
        if os.path.exists(f):
            os.remove(f)
    cfg = os.path.join(work, "r.toml")
    with open(cfg, "w") as f:
        f.write(f'[daemon]\ndatabase = "{db}"\n[[source]]\nname = "tass"\n'
                'url = "http://127.0.0.1:9/tass"\n')
        f.write(open(os.path.join(ROOT, "config/topics/peace-talks.toml")).read())
    for day in sorted(by_day):
        path = os.path.join(work, f"tass-{day}.xml")
        with open(path, "w") as f:
            f.write(feed(by_day[day]))
        run = subprocess.run([args.bin, "--config", cfg, "ingest", "--source", "tass",
                              "--at", f"{day}T12:00:00Z", path],
                             capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"ingest {path} failed: {run.stderr.strip()}")
    con = sqlite3.connect(db)
    items = {}
    for iid, url, story, keys in con.execute(
            "SELECT id, url, story_id, story_keys FROM items"):
        items[iid] = (url, story, keys)
    own, carried, strong = set(), set(), []
    for iid, terms, score, via in con.execute(
            "SELECT item_id, terms, score, via_story FROM matches WHERE topic = ?", (TOPIC,)):
        url = items[iid][0]
        if via is None:
            own.add(url)
            t = json.loads(terms)
            model = any(x.startswith("model ") for x in t)
            query = any(not x.startswith("model ") for x in t)
            if query and (not model or score >= STRONG):
                strong.append((day_of[url], items[iid][2]))
        else:
            carried.add(url)
    con.close()
    dec = lambda u: day_of.get(u, "") >= "2025-12"
    tune = lambda u: day_of.get(u, "") < "2025-12"
    print(f"{len(by_day)} days, {len(items)} items; matches: {len(own)} own, "
          f"{len(carried)} via a story")
    decided = own | carried
    print(f"as built:                     Jun-Nov {pr(decided, lab, tune)}; "
          f"Dec {pr(decided, lab, dec)}")
    # (b) The story carries the topic to every member, same outlet included.
    stories_with = {items[i][1] for i in items if items[i][0] in own and items[i][1]}
    same = decided | {items[i][0] for i in items if items[i][1] in stories_with}
    print(f"(b) same-outlet story carry:  Jun-Nov {pr(same, lab, tune)}; "
          f"Dec {pr(same, lab, dec)}")
    if not args.dump:
        return
    # (a) Live context terms per day, from the strong matches of earlier days.
    strong_by_day = collections.defaultdict(list)
    for day, keys in strong:
        strong_by_day[day].extend(names(keys))
    days = sorted(by_day)
    live = {}
    for d in days:
        start = datetime.date.fromisoformat(d)
        seen = collections.Counter()
        last = {}
        for back in range(1, 400):
            e = (start - datetime.timedelta(days=back)).isoformat()
            if e < days[0]:
                break
            for n in strong_by_day.get(e, []):
                seen[n] += 1
                last.setdefault(n, e)
        # A term lives while its last strong match is under EXPIRY_DAYS old.
        live[d] = {n for n, c in seen.items()
                   if c >= MIN_COUNT and (start - datetime.date.fromisoformat(last[n])).days
                   <= EXPIRY_DAYS}
    keys_of = {}
    for url, story, keys in items.values():
        keys_of[url] = keys
    url_of = {(x["d"][:10], x["t"]): x["u"] for x in data}
    rows = []
    for line in open(args.dump):
        d, r, q, p, thr_u, thr, vetoed, title = line.rstrip("\n").split("\t", 7)
        url = url_of.get((d, title))
        if url is None or url not in lab:
            continue
        # A vetoed item is not relevant whatever its probability.
        p = 0.0 if vetoed == "1" else float(p)
        rows.append((d, url, q == "1", p, float(thr_u), float(thr)))
    # Stop names: those alive on most days are the conflict's own (Russia,
    # Ukraine, Trump), not a sign of this occasion.
    share = collections.Counter(n for d in days for n in live[d])

    def names_live(stop):
        """named(day, url): whether the item names a term live that day,
        leaving out those live on `stop` or more of the days (stop names)."""
        def named(d, url):
            terms = {n for n in live[d] if share[n] / len(days) < stop}
            return bool(terms & set(names(keys_of.get(url))))
        return named

    for stop in (1.01, 0.5, 0.25):
        for frac in (0.3, 0.5, 0.7, 0.85):
            # Promotion: under the threshold but above `frac` of it, with a term.
            take = lambda q, p, cut, named: p >= cut or (p >= frac * cut and named())
            for part, keep in PERIODS:
                print(f"(a) stop {stop:.2f} fraction {frac:.2f} {part:9}: "
                      f"{context_trial(rows, lab, keep, names_live(stop), take)}")
    for stop in (1.01, 0.5):
        for mult in (1.5, 2.0, 3.0, 5.0):
            # Demotion: a model-only match under `mult` times its threshold needs a term.
            take = lambda q, p, cut, named: p >= cut and (q or p >= mult * cut or named())
            for part, keep in PERIODS:
                print(f"(a) demotion stop {stop:.2f} multiple {mult:.1f} {part:9}: "
                      f"{context_trial(rows, lab, keep, names_live(stop), take)}")


if __name__ == "__main__":
    main()

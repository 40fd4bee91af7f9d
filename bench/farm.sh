#!/usr/bin/env bash
# Benchmark: poll a feed farm served by nginx on 127.0.0.1 with the release binary.
#   bench/farm.sh [FEEDS]     (default 1000)
# The config polls every farm feed with the shipped topics and speakers
# (config/topics/*.toml) so detection runs as in production; NO_TOPICS=1
# leaves them out.
# Prints wall time, CPU time (user+sys) and peak RSS for the cold cycle (empty
# database) and the unchanged cycle (every feed answers 304), plus items stored
# and database size. Needs nginx (apt-get install nginx-light), python3 and
# ../shared/bench (feedfarm.py, serve.sh); NEWSWATCH_SHARED overrides that path.
set -euo pipefail
cd "$(dirname "$0")/.."
FEEDS=${1:-1000}
SHARED=${NEWSWATCH_SHARED:-$(cd .. && pwd)/shared}
PORT=${PORT:-18390}
[ -f "$SHARED/bench/feedfarm.py" ] || { echo "no feed farm at $SHARED/bench" >&2; exit 2; }
command -v nginx >/dev/null || apt-get install -y -qq nginx-light >/dev/null
WORK=$(mktemp -d /tmp/nwbench.XXXXXX); chmod 755 "$WORK"
trap '"$SHARED/bench/serve.sh" stop "$WORK/srv" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

cargo build --release -q
BIN=$PWD/target/release/newswatch
python3 "$SHARED/bench/feedfarm.py" gen "$WORK/feeds" --feeds "$FEEDS" --seed bars >/dev/null
"$SHARED/bench/serve.sh" start "$WORK/feeds" "$PORT" "$WORK/srv" >/dev/null
{ echo "[daemon]"; echo "database = \"$WORK/nw.db\""
  python3 "$SHARED/bench/feedfarm.py" list "$WORK/feeds" --base "http://127.0.0.1:$PORT" |
    awk '{n++; printf "\n[[source]]\nname = \"farm%05d\"\nurl = \"%s\"\n", n, $0}'
  [ -n "${NO_TOPICS:-}" ] || cat config/topics/*.toml
} >"$WORK/nw.toml"
expected=$(python3 -c "import json,os,sys;d=sys.argv[1]+'/.state';print(sum(len(json.load(open(os.path.join(d,f)))['items']) for f in os.listdir(d)))" "$WORK/feeds")

cycle() {  # name
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$BIN" --config "$WORK/nw.toml" poll --all >"$WORK/out" 2>&1 ||
    { cat "$WORK/out"; exit 1; }
  read -r wall user sys rss <"$WORK/time"
  items=$(sqlite3 "$WORK/nw.db" "select count(*) from items")
  size=$(du -k "$WORK/nw.db" | cut -f1)
  printf "%-10s %5s feeds  wall %6.2fs  cpu %6.2fs  peak rss %4d MB  items %6s/%s  db %5d MB  | %s\n" \
    "$1" "$FEEDS" "$wall" "$(echo "$user + $sys" | bc)" $((rss / 1024)) "$items" "$expected" $((size / 1024)) "$(tail -1 "$WORK/out")"
}
cycle cold
cycle unchanged

#!/usr/bin/env python3
"""Seeds for the `revise` fuzz target: real edits from the corpus histories.

    fuzz/revision_pairs.py HISTORY_DIR OUT_DIR [MAX]

Each history folder holds snapshots of one feed over time. An item (by guid,
id or link) whose title or text differs between two snapshots in a row gives
one seed: old title, old text, new title, new text, joined by NUL bytes (the
layout fuzz_targets/revise.rs splits). Seeds are named by content; at most
MAX (default 2000) are written, spread over every feed.
"""

import hashlib
import os
import sys
import xml.etree.ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


def text_of(el, *tags):
    for tag in tags:
        found = el.find(tag)
        if found is not None and (found.text or "").strip():
            return found.text
    return ""


def items(path):
    """key -> (title, text) of one snapshot; unreadable snapshots give {}."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return {}
    out = {}
    for item in root.iter("item"):
        key = text_of(item, "guid", "link")
        if key:
            out[key] = (text_of(item, "title"), text_of(item, CONTENT, "description"))
    for entry in root.iter(ATOM + "entry"):
        key = text_of(entry, ATOM + "id")
        if key:
            out[key] = (text_of(entry, ATOM + "title"),
                        text_of(entry, ATOM + "content", ATOM + "summary"))
    return out


def main():
    history, out_dir = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    pairs = []
    for feed in sorted(os.listdir(history)):
        folder = os.path.join(history, feed)
        if not os.path.isdir(folder):
            continue
        last = {}
        for snap in sorted(os.listdir(folder)):
            now = items(os.path.join(folder, snap))
            for key, new in now.items():
                old = last.get(key)
                if old is not None and old != new:
                    pairs.append("\0".join([old[0], old[1], new[0], new[1]]))
            last.update(now)
    step = max(1, -(-len(pairs) // limit))
    os.makedirs(out_dir, exist_ok=True)
    written = 0
    for pair in pairs[::step]:
        data = pair.encode("utf-8")
        name = "pair-" + hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
        written += 1
    print(f"revision_pairs: {written} of {len(pairs)} edits from {history}")


if __name__ == "__main__":
    main()

-- Retention and lookups by fetch.
-- Retention: bulky item text older than `[daemon] retention` is emptied;
-- pruned_at says when (titles, hashes, revisions with their diffs,
-- statements, shifts, stories and the outbox are never pruned).
ALTER TABLE item_versions ADD COLUMN pruned_at TEXT;
CREATE INDEX items_by_last_seen ON items(last_seen);

-- Alerts look up what one fetch brought (queue_alerts runs per fetch).
CREATE INDEX item_versions_by_fetch ON item_versions(fetch_id);

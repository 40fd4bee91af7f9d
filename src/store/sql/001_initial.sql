-- newswatch schema, version 1.
-- Times are RFC 3339 UTC text with second precision ("2026-05-04T19:46:55Z").
-- Views named v_* are the stable read-only interface for sqlite3 users.

CREATE TABLE sources (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    url              TEXT NOT NULL,               -- current URL; a permanent redirect (301/308) updates it
    config_url       TEXT NOT NULL,               -- URL as the user gave it (config or `sources add`)
    origin           TEXT NOT NULL CHECK (origin IN ('config', 'cli')),
    kind             TEXT NOT NULL DEFAULT 'news',
    language         TEXT,
    tags             TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    interval_s       INTEGER,                     -- fixed interval from config, NULL = adaptive
    poll_interval_s  INTEGER,                     -- regular interval last planned (adaptive or fixed)
    enabled          INTEGER NOT NULL DEFAULT 1,
    disabled_reason  TEXT,                        -- why enabled = 0 (410 Gone, user, removed from config)
    etag             TEXT,
    last_modified    TEXT,
    next_poll_at     TEXT NOT NULL,
    last_fetch_at    TEXT,
    last_ok_at       TEXT,
    last_status      TEXT,                        -- ok | not_modified | gone | error
    last_http_status INTEGER,
    last_error       TEXT,
    error_streak     INTEGER NOT NULL DEFAULT 0,  -- consecutive failed attempts
    last_new_item_at TEXT,
    created_at       TEXT NOT NULL
);

CREATE TABLE fetches (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    started_at    TEXT NOT NULL,
    duration_ms   INTEGER NOT NULL,
    url           TEXT NOT NULL,                  -- requested URL, or file:// for `ingest`
    http_status   INTEGER,
    outcome       TEXT NOT NULL,                  -- ok | not_modified | gone | error
    bytes         INTEGER NOT NULL DEFAULT 0,     -- body bytes after decompression
    items_seen    INTEGER NOT NULL DEFAULT 0,
    items_new     INTEGER NOT NULL DEFAULT 0,
    items_changed INTEGER NOT NULL DEFAULT 0,
    error         TEXT
);
CREATE INDEX fetches_by_source ON fetches(source_id, started_at);

CREATE TABLE items (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    guid          TEXT,                           -- newest guid the feed gave
    url           TEXT,                           -- canonical URL (tracking parameters stripped)
    title         TEXT NOT NULL,                  -- current title
    published_at  TEXT NOT NULL,                  -- feed's date, else first_seen
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    language      TEXT,
    author        TEXT,
    categories    TEXT NOT NULL DEFAULT '[]',     -- JSON array
    content_hash  TEXT NOT NULL,                  -- hash of the current version's title + text
    version_count INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX items_by_source ON items(source_id, published_at);
CREATE INDEX items_by_published ON items(published_at);
CREATE INDEX items_by_first_seen ON items(first_seen);

-- Every identity an item is known by within its source: g:<guid>, u:<canonical url>, h:<hash>.
-- No foreign key or index on item_id: rows are written for every new item and
-- looked up by (source_id, key) only; deleting a source deletes its keys by
-- source_id, and item pruning deletes keys first.
CREATE TABLE item_keys (
    source_id INTEGER NOT NULL,
    key       TEXT NOT NULL,
    item_id   INTEGER NOT NULL,
    PRIMARY KEY (source_id, key)
) WITHOUT ROWID;

-- Every distinct text state of an item, version 1 = first seen.
CREATE TABLE item_versions (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    seen_at      TEXT NOT NULL,
    fetch_id     INTEGER,                         -- fetches.id that brought it (may be pruned)
    title        TEXT NOT NULL,
    text         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    published_at TEXT,                            -- date the feed gave this state, if any
    UNIQUE (item_id, version)
);

-- Full-text index over the current version of each item (rowid = items.id).
-- Contentless: the text lives in item_versions; the index holds folded text
-- (lower case, ё→е, Latin diacritics removed) so Cyrillic search is case-insensitive.
CREATE VIRTUAL TABLE items_fts USING fts5(
    title, text,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Merge index segments 8 at a time instead of 4: about a third less merge
-- work on the write path, at the cost of a few more segments to read.
INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 8);

CREATE VIEW v_sources AS
SELECT s.name, s.url, s.enabled, s.disabled_reason, s.last_status, s.last_http_status,
       s.last_error, s.error_streak, s.last_fetch_at, s.last_ok_at, s.next_poll_at,
       s.last_new_item_at, s.kind, s.language, s.tags,
       (SELECT count(*) FROM items i WHERE i.source_id = s.id) AS items
FROM sources s;

CREATE VIEW v_items AS
SELECT i.id, s.name AS source, i.title, i.url, i.published_at, i.first_seen, i.last_seen,
       i.version_count AS versions, i.language, i.author, i.guid
FROM items i JOIN sources s ON s.id = i.source_id;

CREATE VIEW v_item_versions AS
SELECT v.item_id, v.version, v.seen_at, v.title, v.text, v.published_at, s.name AS source, i.url
FROM item_versions v JOIN items i ON i.id = v.item_id JOIN sources s ON s.id = i.source_id;

CREATE VIEW v_fetches AS
SELECT f.id, s.name AS source, f.started_at, f.duration_ms, f.url, f.http_status, f.outcome,
       f.bytes, f.items_seen, f.items_new, f.items_changed, f.error
FROM fetches f JOIN sources s ON s.id = f.source_id;

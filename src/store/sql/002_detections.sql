-- newswatch schema, version 2: what the detection stage finds.

-- Topic matches, per item version.
CREATE TABLE matches (
    item_id  INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    version  INTEGER NOT NULL,
    topic    TEXT NOT NULL,
    terms    TEXT NOT NULL,            -- JSON array of the query terms that hit
    score    REAL NOT NULL,
    seen_at  TEXT NOT NULL,
    PRIMARY KEY (item_id, version, topic)
) WITHOUT ROWID;
CREATE INDEX matches_by_topic ON matches(topic, seen_at);

-- One row per new version after the first: the change from the previous one.
CREATE TABLE revisions (
    id            INTEGER PRIMARY KEY,
    item_id       INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    from_version  INTEGER NOT NULL,
    to_version    INTEGER NOT NULL,
    seen_at       TEXT NOT NULL,
    significance  TEXT NOT NULL CHECK (significance IN ('cosmetic', 'minor', 'major')),
    reasons       TEXT NOT NULL,        -- JSON array of reason codes
    diff          TEXT NOT NULL,        -- JSON {title: [ops], text: [ops]}; op = {"Equal"|"Delete"|"Insert": "words"}
    changed_share REAL NOT NULL,
    topics        TEXT NOT NULL,        -- JSON array: topics either version matches
    flags         TEXT NOT NULL DEFAULT '[]', -- JSON: "flap" (back to an earlier text), "churn" (too many changes)
    reported      INTEGER NOT NULL DEFAULT 1  -- 0 when a guard says not to report it
);
CREATE INDEX revisions_by_time ON revisions(seen_at);
CREATE INDEX revisions_by_item ON revisions(item_id);

-- Quoted speech attributed to a configured speaker, per topic the item matched
-- (topic '' when it matched none).
CREATE TABLE statements (
    id       INTEGER PRIMARY KEY,
    item_id  INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    version  INTEGER NOT NULL,
    speaker  TEXT NOT NULL,
    topic    TEXT NOT NULL,
    text     TEXT NOT NULL,
    context  TEXT NOT NULL,
    seen_at  TEXT NOT NULL
);
CREATE INDEX statements_by_speaker ON statements(speaker, topic, seen_at);
CREATE INDEX statements_by_item ON statements(item_id);

-- A statement far from everything the speaker said on the topic recently,
-- with the closest earlier statement for side-by-side display.
CREATE TABLE shifts (
    id           INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    closest_id   INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    similarity   REAL NOT NULL,
    seen_at      TEXT NOT NULL
);
CREATE INDEX shifts_by_time ON shifts(seen_at);

-- One event reported by several items (across sources).
CREATE TABLE stories (
    id          INTEGER PRIMARY KEY,
    first_seen  TEXT NOT NULL,
    title       TEXT NOT NULL,           -- title of the first item
    items       INTEGER NOT NULL DEFAULT 1,
    sources     INTEGER NOT NULL DEFAULT 1
);
ALTER TABLE items ADD COLUMN story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL;
ALTER TABLE items ADD COLUMN fingerprint INTEGER;
-- (story_id, source_id): "does this story already have an item from this source?" is a seek.
CREATE INDEX items_by_story ON items(story_id, source_id);

CREATE VIEW v_matches AS
SELECT m.topic, m.item_id, m.version, m.terms, m.score, m.seen_at, i.title, i.url, s.name AS source
FROM matches m JOIN items i ON i.id = m.item_id JOIN sources s ON s.id = i.source_id;

CREATE VIEW v_changes AS
SELECT 'revision' AS kind, r.item_id, i.url, s.name AS source, r.from_version, r.to_version,
       r.seen_at, r.significance, r.reasons, r.topics, i.title
FROM revisions r JOIN items i ON i.id = r.item_id JOIN sources s ON s.id = i.source_id
WHERE r.reported = 1
UNION ALL
SELECT 'shift', st.item_id, i.url, s.name, NULL, st.version, sh.seen_at, 'major',
       json_array('statement_shift: ' || st.speaker), json_array(st.topic), i.title
FROM shifts sh JOIN statements st ON st.id = sh.statement_id
JOIN items i ON i.id = st.item_id JOIN sources s ON s.id = i.source_id;

CREATE VIEW v_statements AS
SELECT st.speaker, st.topic, st.text, st.seen_at, i.title, i.url, s.name AS source
FROM statements st JOIN items i ON i.id = st.item_id JOIN sources s ON s.id = i.source_id;

CREATE VIEW v_stories AS
SELECT st.id, st.first_seen, st.title, st.items, st.sources
FROM stories st;

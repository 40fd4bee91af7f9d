-- The story as the unit. A later report of a known story records what it
-- brings that the story's earlier reports did not (new figures, new
-- actors): a JSON array of phrases such as "new figure: 22 killed". Such a
-- report alerts again, as a 'development' threaded under the story's alert.
ALTER TABLE items ADD COLUMN story_news TEXT;

-- The outbox takes the new kind (SQLite cannot alter a CHECK: the table is
-- rebuilt with the same columns and rows).
DROP VIEW v_outbox;
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('story', 'development', 'revision', 'shift', 'digest')),
    dedupe_key      TEXT NOT NULL UNIQUE,  -- 'story-12', 'development-80', 'revision-40', 'shift-3', 'digest-7'
    topics          TEXT NOT NULL DEFAULT '[]', -- JSON array: immediate topics that caused it
    item_id         INTEGER REFERENCES items(id) ON DELETE CASCADE,
    story_id        INTEGER,
    revision_id     INTEGER REFERENCES revisions(id) ON DELETE CASCADE,
    shift_id        INTEGER REFERENCES shifts(id) ON DELETE CASCADE,
    digest_id       INTEGER REFERENCES digests(id) ON DELETE CASCADE,
    message_key     TEXT NOT NULL UNIQUE,  -- Message-ID is <message_key@domain of [email].from>
    parent_key      TEXT,                  -- message_key of the alert this one threads under
    created_at      TEXT NOT NULL,
    not_before      TEXT NOT NULL,         -- grouping window: wait for more outlets of a story
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    sent_at         TEXT,
    server_reply    TEXT,                  -- what the server said when it accepted
    subject         TEXT                   -- as last rendered
);
INSERT INTO outbox_new SELECT * FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE VIEW v_outbox AS
SELECT o.id, o.kind, o.status, o.topics, o.subject, o.created_at, o.attempts,
       o.next_attempt_at, o.last_error, o.sent_at, o.server_reply, o.message_key,
       o.parent_key, i.title AS item_title, i.url AS item_url, d.name AS digest
FROM outbox o LEFT JOIN items i ON i.id = o.item_id LEFT JOIN digests d ON d.id = o.digest_id;

-- Corrections of the grouping by the user (`stories merge`, `stories
-- split`), remembered: items keep the story the user gave them, and later
-- reports follow them there.
-- An item a merge moved keeps the story grouping gave it (story_grouped),
-- so later reports still meet it as that story's founder and follow the
-- merge to the story kept.
ALTER TABLE items ADD COLUMN story_grouped INTEGER;
CREATE TABLE story_corrections (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('merge', 'split')),
    story_id  INTEGER NOT NULL,          -- merge: the story kept; split: the story left
    other_id  INTEGER NOT NULL,          -- merge: the story merged into it (kept, empty); split: the new story
    items     TEXT NOT NULL DEFAULT '[]', -- JSON array of the item ids that moved
    at        TEXT NOT NULL
);

-- Each member's news, for sqlite3 users.
DROP VIEW v_story_members;
CREATE VIEW v_story_members AS
    SELECT i.story_id AS story_id, i.id AS item_id, s.name AS source, i.title AS title,
           i.url AS url, i.first_seen AS first_seen, i.story_why AS why, i.story_news AS news
    FROM items i JOIN sources s ON s.id = i.source_id
    WHERE i.story_id IS NOT NULL;

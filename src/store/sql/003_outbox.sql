-- newswatch schema, version 3: what the notifier sends.

-- Facts about this database file. 'instance' is random per database and goes
-- into every Message-ID, so two databases never mint the same one.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('instance', lower(hex(randomblob(6))));

-- One row per digest run (scheduled or by `digest --send`); the period it covers.
CREATE TABLE digests (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    slot          TEXT NOT NULL,       -- the scheduled time this run stands for (manual: when it was asked for)
    period_start  TEXT NOT NULL,
    period_end    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    manual        INTEGER NOT NULL DEFAULT 0,
    entries       INTEGER NOT NULL,    -- stories + revisions + shifts it reports
    sent          INTEGER NOT NULL,    -- 0 when empty and not sent
    -- What it covers, by row id: items, revisions and shifts with
    -- after_x < id <= upto_x. Ids, not times: a fetch that started before the
    -- digest but committed after it lands in the next digest, never in none.
    after_item     INTEGER NOT NULL,
    after_revision INTEGER NOT NULL,
    after_shift    INTEGER NOT NULL,
    upto_item      INTEGER NOT NULL,
    upto_revision  INTEGER NOT NULL,
    upto_shift     INTEGER NOT NULL
);
CREATE UNIQUE INDEX digests_by_slot ON digests(name, slot, manual);

-- Mail to deliver. A row is created in the same transaction as what caused
-- it and marked 'sent' only after the SMTP server accepted the message.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('story', 'revision', 'shift', 'digest')),
    dedupe_key      TEXT NOT NULL UNIQUE,  -- 'story:12', 'revision:40', 'shift:3', 'digest:7'
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
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

CREATE VIEW v_outbox AS
SELECT o.id, o.kind, o.status, o.topics, o.subject, o.created_at, o.attempts,
       o.next_attempt_at, o.last_error, o.sent_at, o.server_reply, o.message_key,
       o.parent_key, i.title AS item_title, i.url AS item_url, d.name AS digest
FROM outbox o LEFT JOIN items i ON i.id = o.item_id LEFT JOIN digests d ON d.id = o.digest_id;

-- Temporary context terms of a topic: people and places (names of the
-- items' event profiles) that appeared in items matching the topic
-- strongly, with when first and last and how often. A term not seen with a
-- strong match for a while expires (detect::relevance::context) and its row
-- is deleted on the next write for the topic.
CREATE TABLE context_terms (
    topic      TEXT NOT NULL,
    term       TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    count      INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (topic, term)
) WITHOUT ROWID;

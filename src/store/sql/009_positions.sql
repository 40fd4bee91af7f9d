-- Positions: each statement's issue and stance (detect::statements::position),
-- and when it was said (the item's published time, else when seen). A shift
-- now records a position change: closest_id is the statement whose stance
-- the new one replaces.
ALTER TABLE statements ADD COLUMN issue   TEXT NOT NULL DEFAULT 'other';
ALTER TABLE statements ADD COLUMN stance  TEXT NOT NULL DEFAULT 'statement';
ALTER TABLE statements ADD COLUMN object  TEXT NOT NULL DEFAULT '';
ALTER TABLE statements ADD COLUMN said_at TEXT;
CREATE INDEX statements_by_position ON statements(speaker, topic, issue);

DROP VIEW IF EXISTS v_statements;
CREATE VIEW v_statements AS
SELECT st.speaker, st.topic, st.text, st.seen_at, i.title, i.url, s.name AS source,
       st.issue, st.stance, st.object, coalesce(st.said_at, st.seen_at) AS said_at
FROM statements st JOIN items i ON i.id = st.item_id JOIN sources s ON s.id = i.source_id;

-- Each speaker's latest stance on each issue (statements with a stance).
CREATE VIEW v_positions AS
SELECT speaker, issue, stance, object, text, said_at, topic, title, url, source FROM (
  SELECT st.speaker, st.issue, st.stance, st.object, st.text,
         coalesce(st.said_at, st.seen_at) AS said_at, st.topic, i.title, i.url, s.name AS source,
         row_number() OVER (PARTITION BY st.speaker, st.issue
                            ORDER BY coalesce(st.said_at, st.seen_at) DESC, st.id DESC) AS n
  FROM statements st JOIN items i ON i.id = st.item_id JOIN sources s ON s.id = i.source_id
  WHERE st.stance != 'statement' AND st.topic != ''
) WHERE n = 1;

-- Position shifts: what a speaker said on an issue before and now.
CREATE VIEW v_shifts AS
SELECT sh.id, st.speaker, st.issue, st.topic,
       c.stance AS from_stance, c.text AS from_text, coalesce(c.said_at, c.seen_at) AS from_at,
       st.stance AS to_stance, st.text AS to_text, coalesce(st.said_at, st.seen_at) AS to_at,
       i.url, s.name AS source, sh.seen_at
FROM shifts sh
JOIN statements st ON st.id = sh.statement_id
JOIN statements c ON c.id = sh.closest_id
JOIN items i ON i.id = st.item_id JOIN sources s ON s.id = i.source_id;

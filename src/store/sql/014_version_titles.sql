-- The views name the title of the version a row was made on, as `v_changes`
-- does: a statement or a position under the title of the version the
-- statement was read from, a match under the title of the version it
-- matched (the item's latest title when that version is gone). Views only:
-- no row is rewritten.
DROP VIEW v_matches;
CREATE VIEW v_matches AS
SELECT m.topic, m.item_id, m.version, m.terms, m.score, m.seen_at,
       coalesce(mv.title, i.title) AS title, i.url, s.name AS source
FROM matches m JOIN items i ON i.id = m.item_id JOIN sources s ON s.id = i.source_id
LEFT JOIN item_versions mv ON mv.item_id = m.item_id AND mv.version = m.version;

DROP VIEW v_statements;
CREATE VIEW v_statements AS
SELECT st.speaker, st.topic, st.text, st.seen_at, coalesce(sv.title, i.title) AS title, i.url,
       s.name AS source, st.issue, st.stance, st.object, coalesce(st.said_at, st.seen_at) AS said_at
FROM statements st JOIN items i ON i.id = st.item_id JOIN sources s ON s.id = i.source_id
LEFT JOIN item_versions sv ON sv.item_id = st.item_id AND sv.version = st.version;

DROP VIEW v_positions;
CREATE VIEW v_positions AS
SELECT speaker, issue, stance, object, text, said_at, topic, title, url, source FROM (
  SELECT st.speaker, st.issue, st.stance, st.object, st.text,
         coalesce(st.said_at, st.seen_at) AS said_at, st.topic,
         coalesce(sv.title, i.title) AS title, i.url, s.name AS source,
         row_number() OVER (PARTITION BY st.speaker, st.issue
                            ORDER BY coalesce(st.said_at, st.seen_at) DESC, st.id DESC) AS n
  FROM statements st JOIN items i ON i.id = st.item_id JOIN sources s ON s.id = i.source_id
  LEFT JOIN item_versions sv ON sv.item_id = st.item_id AND sv.version = st.version
  WHERE st.stance != 'statement' AND st.topic != ''
) WHERE n = 1;

-- A churning item's combined alert looks up the item's alerts (the last one
-- sent, the one still waiting): by item, not through `outbox_due`, which
-- would read every alert ever sent. It also serves the cascade from items.
CREATE INDEX outbox_by_item ON outbox(item_id, revision_id);
-- Deleting a revision or a shift (when `sources remove` deletes a source's
-- items) cascades to its alerts: found through these, not by reading the
-- whole outbox once per deleted row. Most alerts have neither column set.
CREATE INDEX outbox_by_revision ON outbox(revision_id) WHERE revision_id IS NOT NULL;
CREATE INDEX outbox_by_shift ON outbox(shift_id) WHERE shift_id IS NOT NULL;

-- Reasons in words in the database too: `v_changes` says why a shift is
-- one as `changes` does ("position changed: SPEAKER on ISSUE, FROM → TO"),
-- where it said `statement_shift: SPEAKER`. Revisions' reasons have been
-- stored in words since they were first written so; the Rust step of this
-- migration rewrites the codes of older rows ("share_changed: 0.61" →
-- "text rewritten (61% of words)"), as `text::readable_reason` shows them.
-- A revision is listed under the title it brought, a shift under the title
-- of the version its statement was read from (the item's latest when that
-- version is gone), as `changes` lists them.
DROP VIEW v_changes;
CREATE VIEW v_changes AS
SELECT 'revision' AS kind, r.item_id, i.url, s.name AS source, r.from_version, r.to_version,
       r.seen_at, r.significance, r.reasons, r.topics, coalesce(rv.title, i.title) AS title
FROM revisions r JOIN items i ON i.id = r.item_id JOIN sources s ON s.id = i.source_id
LEFT JOIN item_versions rv ON rv.item_id = r.item_id AND rv.version = r.to_version
WHERE r.reported = 1
UNION ALL
SELECT 'shift', st.item_id, i.url, s.name, NULL, st.version, sh.seen_at, 'major',
       json_array('position changed: ' || st.speaker || ' on ' || st.issue || ', '
                  || prev.stance || ' → ' || st.stance),
       json_array(st.topic), coalesce(sv.title, i.title)
FROM shifts sh JOIN statements st ON st.id = sh.statement_id
JOIN statements prev ON prev.id = sh.closest_id
JOIN items i ON i.id = st.item_id JOIN sources s ON s.id = i.source_id
LEFT JOIN item_versions sv ON sv.item_id = st.item_id AND sv.version = st.version;

-- Story evidence: each item's event profile (names, figures, event words
-- of its title and lead; detect::stories::event), so the story index can be
-- rebuilt after a restart, and why it joined its story (NULL: it founded it).
ALTER TABLE items ADD COLUMN story_keys TEXT;
ALTER TABLE items ADD COLUMN story_why TEXT;

-- A story's reports in order, with why each joined (NULL: it founded it).
CREATE VIEW v_story_members AS
    SELECT i.story_id AS story_id, i.id AS item_id, s.name AS source, i.title AS title,
           i.url AS url, i.first_seen AS first_seen, i.story_why AS why
    FROM items i JOIN sources s ON s.id = i.source_id
    WHERE i.story_id IS NOT NULL;

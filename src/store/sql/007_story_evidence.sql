-- Story evidence: each item's event profile (names, figures, event words
-- of its title and lead; detect::stories::event), so the story index can be
-- rebuilt after a restart, and why it joined its story (NULL: it founded it).
ALTER TABLE items ADD COLUMN story_keys TEXT;
ALTER TABLE items ADD COLUMN story_why TEXT;

-- newswatch schema: a topic match carried by the item's story.

-- The story whose own matches made this item relevant to the topic (NULL:
-- the item matched the topic on its own).
ALTER TABLE matches ADD COLUMN via_story INTEGER;

-- Every foreign key that cascades has an index on its child column, so
-- deleting a statement (its shifts) or a digest (its outbox rows) finds
-- the rows to delete by a search, not a scan of the whole table.
CREATE INDEX shifts_by_statement ON shifts(statement_id);
CREATE INDEX shifts_by_closest ON shifts(closest_id);
CREATE INDEX outbox_by_digest ON outbox(digest_id) WHERE digest_id IS NOT NULL;

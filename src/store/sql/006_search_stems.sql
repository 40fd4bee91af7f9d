-- Search by stem, as topics match: each field of the index holds its
-- folded words, a mark, then the stem of each word in the same order
-- (text::search_document), so `search Путин` finds «Путина». The index is
-- contentless, so it cannot be rebuilt in SQL: the migration's own step
-- (schema.rs, reindex_search) fills it from every item's current version.
DROP TABLE items_fts;
CREATE VIRTUAL TABLE items_fts USING fts5(
    title, text,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 8);

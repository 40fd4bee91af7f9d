-- What users said about items (`newswatch feedback`): per item and topic,
-- relevant or not. The item's title and text are kept with the label so
-- that it still trains the topic's model after the item is pruned.
CREATE TABLE IF NOT EXISTS feedback (
    item_id INTEGER NOT NULL,
    topic TEXT NOT NULL,
    relevant INTEGER NOT NULL CHECK (relevant IN (0, 1)),
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    language TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (item_id, topic)
);

-- Models trained by `newswatch topic train` (they replace the topic's
-- configured model until trained again).
CREATE TABLE IF NOT EXISTS topic_models (
    topic TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    examples INTEGER NOT NULL,
    trained_at TEXT NOT NULL
);

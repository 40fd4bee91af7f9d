-- Daemon runs: when `newswatch run` started, whether it is alive (heartbeat)
-- and how it ended, for `newswatch status` and for operators' own queries.
CREATE TABLE runs (
    id             INTEGER PRIMARY KEY,
    started_at     TEXT NOT NULL,
    pid            INTEGER NOT NULL,
    version        TEXT NOT NULL,          -- newswatch version that ran
    config         TEXT NOT NULL,          -- config file it was started with
    heartbeat_at   TEXT NOT NULL,          -- refreshed every minute by the scheduler loop
    reloads        INTEGER NOT NULL DEFAULT 0,
    last_reload_at TEXT,
    stopped_at     TEXT,                   -- NULL: running, or ended without a clean stop
    stop_reason    TEXT                    -- 'SIGTERM', 'SIGINT' or the error it stopped on
);
CREATE INDEX runs_by_start ON runs(started_at);

//! The crash test's checks of the database and the SMTP server after a
//! kill.

use super::*;

/// Messages the SMTP server stored so far (a directory count: cheap enough
/// to poll every millisecond).
pub(super) fn received(smtp: &SmtpServer) -> usize {
    std::fs::read_dir(smtp.dir().join("msgs"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| {
                    let n = e.file_name();
                    let n = n.to_string_lossy();
                    !n.starts_with('.') && n.ends_with(".json")
                })
                .count()
        })
        .unwrap_or(0)
}

/// After a kill, the SMTP server may still finish a transaction whose DATA
/// had fully arrived (that is the at-least-once window). A connection's end
/// also cancels a transaction still waiting: once every connection of the
/// killed run is gone, nothing more from that run can be stored.
pub(super) fn settle(smtp: &SmtpServer) {
    wait_until(
        "the SMTP server to see the killed run's connections close",
        Duration::from_secs(60),
        || smtp.open_connections() == 0,
    );
}

pub(super) fn one<T: rusqlite::types::FromSql>(db: &Connection, sql: &str) -> T {
    db.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

pub(super) fn strings(db: &Connection, sql: &str, params: impl rusqlite::Params) -> Vec<String> {
    let mut stmt = db.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    stmt.query_map(params, |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// What the database says after a kill.
#[derive(Default)]
pub(super) struct Snapshot {
    /// Highest `fetches.id`: fetches above it happened in a later round.
    pub(super) max_fetch: i64,
    /// message_key of every outbox row recorded as sent.
    pub(super) sent: BTreeSet<String>,
    pub(super) outbox: i64,
    pub(super) items: i64,
}

/// The checks after every kill: the file is a sound database, and every
/// source fetched successfully during the round (`fetches.id > after`) holds
/// every item its feed served in that round (feeds change only between
/// rounds, so such a fetch saw exactly `feeds[i]`; a 304 means its ETag,
/// stored with the items of the fetch that got it, is the current one).
pub(super) fn check_db(env: &Env, feeds: &[Feed], after: i64, round: &str) -> Snapshot {
    if !env.db.exists() {
        return Snapshot::default();
    }
    let db = env.db();
    let integrity: String = one(&db, "PRAGMA integrity_check");
    assert_eq!(integrity, "ok", "{round}: integrity_check");
    let fk: i64 = one(&db, "SELECT count(*) FROM pragma_foreign_key_check");
    assert_eq!(fk, 0, "{round}: foreign_key_check");
    let tables: i64 = one(
        &db,
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'
         AND name IN ('sources', 'fetches', 'items', 'item_versions', 'outbox')",
    );
    if tables < 5 {
        // Killed before the schema was complete: each migration is one
        // transaction, the next start goes on from the last one committed.
        return Snapshot::default();
    }
    let failed: i64 = one(&db, "SELECT count(*) FROM outbox WHERE status = 'failed'");
    assert_eq!(failed, 0, "{round}: no message given up on");

    let fetched = strings(
        &db,
        "SELECT DISTINCT s.name FROM fetches f JOIN sources s ON s.id = f.source_id
         WHERE f.id > ?1 AND f.outcome IN ('ok', 'not_modified')",
        [after],
    );
    for name in &fetched {
        let feed = &feeds[feed_index(name)];
        let stored: BTreeSet<String> = strings(
            &db,
            "SELECT i.guid FROM items i JOIN sources s ON s.id = i.source_id WHERE s.name = ?1",
            [name],
        )
        .into_iter()
        .collect();
        let served = feed.guids();
        let missing: Vec<&String> = served.difference(&stored).collect();
        assert!(
            missing.is_empty(),
            "{round}: {name} was fetched successfully in this round but lacks {missing:?}\n\
             its last fetches: {:?}\n--- daemon log (end)\n{}",
            strings(
                &db,
                "SELECT f.id || ' ' || f.outcome || ' seen=' || f.items_seen || ' new=' || f.items_new
                 FROM fetches f JOIN sources s ON s.id = f.source_id
                 WHERE s.name = ?1 ORDER BY f.id DESC LIMIT 5",
                [name]
            ),
            log_tail(env)
        );
        let phantom: Vec<&String> = stored.difference(&served).collect();
        assert!(phantom.is_empty(), "{round}: {name} stores {phantom:?}");
    }
    Snapshot {
        max_fetch: one(&db, "SELECT coalesce(max(id), 0) FROM fetches"),
        sent: strings(
            &db,
            "SELECT message_key FROM outbox WHERE status = 'sent'",
            [],
        )
        .into_iter()
        .collect(),
        outbox: one(&db, "SELECT count(*) FROM outbox"),
        items: one(&db, "SELECT count(*) FROM items"),
    }
}

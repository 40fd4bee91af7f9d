//! How the shared vocabulary (`model`) is written in SQL: one mapping per
//! type, so no statement spells a class name itself.
//!
//! A significance is stored as its name ([`Significance::as_str`]), which is
//! what `sqlite3` users read in `revisions.significance`; a statement that
//! filters by class binds [`at_least`], and one that orders by class sorts
//! in Rust by the enum's order.

use rusqlite::ToSql;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};

use crate::model::Significance;

impl ToSql for Significance {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Significance {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value
            .as_str()?
            .parse()
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// The names of `min` and the classes above it, as a JSON list for
/// `significance IN (SELECT value FROM json_each(?))`.
pub(super) fn at_least(min: Significance) -> String {
    let names: Vec<&str> = min.and_above().map(Significance::as_str).collect();
    serde_json::to_string(&names).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significance_reads_back_what_it_wrote() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for s in Significance::ALL {
            let back: Significance = conn.query_row("SELECT ?1", [s], |r| r.get(0)).unwrap();
            assert_eq!(back, s);
            let stored: String = conn.query_row("SELECT ?1", [s], |r| r.get(0)).unwrap();
            assert_eq!(stored, s.as_str());
        }
        let bad = conn.query_row("SELECT 'huge'", [], |r| r.get::<_, Significance>(0));
        assert!(bad.is_err());
        assert_eq!(at_least(Significance::Minor), r#"["minor","major"]"#);
    }
}

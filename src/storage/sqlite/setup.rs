//! Creating the schema of an empty database, and adding what later versions added.

use rusqlite::Connection;

use super::map_err;
use crate::storage::StorageResult;

const SCHEMA_SQL: &str = include_str!("../../../assets/catalog/schema.sql");
const SHOPWS_SQL: &str = include_str!("../../../assets/shopws.sql");

pub fn ensure_schema(conn: &Connection) -> StorageResult<()> {
    let exists: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='configuration'",
            [],
            |r| r.get(0),
        )
        .map_err(map_err)?;
    if exists == 0 {
        conn.execute_batch(&format!("BEGIN; {SCHEMA_SQL}\n{SHOPWS_SQL}\n COMMIT;"))
            .map_err(map_err)?;
    } else {
        // Side tables added by later versions.
        conn.execute_batch(SHOPWS_SQL).map_err(map_err)?;
        for (table, column, decl) in ADDED_COLUMNS {
            let present: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name = ?2",
                    [table, column],
                    |r| r.get(0),
                )
                .map_err(map_err)?;
            if present == 0 {
                // Names come from the constant below, never from input.
                conn.execute_batch(&format!(
                    "ALTER TABLE \"{table}\" ADD COLUMN \"{column}\" {decl}"
                ))
                .map_err(map_err)?;
            }
        }
    }
    Ok(())
}

/// Columns of shopws's side tables added after their first release (table, column, type).
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    (
        "shopws_admin_session",
        "reauth_at",
        "INTEGER NOT NULL DEFAULT 0",
    ),
    ("shopws_admin_session", "user_agent", "TEXT DEFAULT NULL"),
    (
        "shopws_login_throttle",
        "lockouts",
        "INTEGER NOT NULL DEFAULT 0",
    ),
];

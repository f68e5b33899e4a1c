//! What a MySQL database is, found at start: the table prefix, an empty database to create
//! PrestaShop's structure in, or an existing PrestaShop 8/9 shop to attach to. PrestaShop's
//! tables are never altered; shopws's own are created once, named `<prefix>shopws_…`.

use mysql::prelude::Queryable;
use mysql::PooledConn;

use super::{map_err, run_script};
use crate::storage::{StorageError, StorageResult};

const PS_SCHEMA: &str = include_str!("../../../assets/catalog/schema.mysql.sql");
const SHOPWS_SCHEMA: &str = include_str!("../../../assets/shopws.mysql.sql");

/// The prefix a new database gets, as PrestaShop's installer proposes.
const DEFAULT_PREFIX: &str = "ps_";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// shopws created PrestaShop's structure in an empty database.
    Created,
    /// The database holds a shop PrestaShop installed; shopws serves it beside PrestaShop.
    Attached,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Created => "created",
            Origin::Attached => "attached",
        }
    }
}

pub(super) struct Found {
    pub prefix: String,
    pub origin: Origin,
    pub version: String,
}

fn refuse(msg: String) -> StorageError {
    StorageError::Refused(msg)
}

/// Prefixes are spliced into table names: letters, digits and `_` only.
fn checked_prefix(p: &str) -> StorageResult<String> {
    if p.len() <= 32 && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(p.to_string())
    } else {
        Err(refuse(format!(
            "table prefix {p:?}: letters, digits and _ only, at most 32 characters"
        )))
    }
}

/// Every prefix under which the database holds PrestaShop's configuration table.
fn prefixes(c: &mut PooledConn) -> StorageResult<Vec<String>> {
    c.query(
        "SELECT LEFT(TABLE_NAME, CHAR_LENGTH(TABLE_NAME) - CHAR_LENGTH('configuration')) \
         FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '%configuration' \
           AND COLUMN_NAME IN ('id_configuration','name','value','id_shop','id_shop_group') \
         GROUP BY TABLE_NAME HAVING COUNT(*) = 5 ORDER BY 1",
    )
    .map_err(map_err)
}

fn table_exists(c: &mut PooledConn, name: &str) -> StorageResult<bool> {
    let n: Option<i64> = c
        .exec_first(
            "SELECT COUNT(*) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
            (name,),
        )
        .map_err(map_err)?;
    Ok(n.unwrap_or(0) > 0)
}

fn table_count(c: &mut PooledConn) -> StorageResult<i64> {
    let n: Option<i64> = c
        .query_first(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
        )
        .map_err(map_err)?;
    Ok(n.unwrap_or(0))
}

/// Finds (or, in an empty database, creates) the shop, under a lock so that nodes starting
/// together create it once. Where named locks are not available (a Galera cluster refuses
/// them) setup runs without one: there, start one node (or run one CLI command) first.
pub(super) fn prepare(
    c: &mut PooledConn,
    prefix: Option<&str>,
    existing_only: bool,
) -> StorageResult<Found> {
    let locked: Result<Option<Option<i64>>, _> =
        c.query_first("SELECT GET_LOCK('shopws:setup', 60)");
    match locked {
        Ok(Some(Some(1))) => {
            let found = find_or_create(c, prefix, existing_only);
            let _ = c.query_drop("DO RELEASE_LOCK('shopws:setup')");
            found
        }
        Ok(_) => Err(refuse(
            "another process is setting up this database (lock shopws:setup held for 60 s)".into(),
        )),
        Err(e) => {
            tracing::warn!(error = %e, "no named lock for setup; going on without");
            find_or_create(c, prefix, existing_only)
        }
    }
}

fn find_or_create(
    c: &mut PooledConn,
    prefix: Option<&str>,
    existing_only: bool,
) -> StorageResult<Found> {
    let found = prefixes(c)?;
    let prefix =
        match prefix {
            Some(p) => checked_prefix(p)?,
            None => match found.as_slice() {
                [one] => one.clone(),
                [] if table_count(c)? == 0 => DEFAULT_PREFIX.to_string(),
                [] => return Err(refuse(
                    "this database holds tables but no PrestaShop shop (no <prefix>configuration \
                     table); point --database at the shop's database, or at an empty one for \
                     shopws to create"
                        .into(),
                )),
                many => {
                    return Err(refuse(format!(
                        "this database holds several PrestaShop installs (table prefixes: {}); \
                     choose one with --table-prefix",
                        many.join(", ")
                    )))
                }
            },
        };
    if !table_exists(c, &format!("{prefix}configuration"))? {
        if existing_only {
            return Err(refuse(format!(
                "no PrestaShop tables ({prefix}configuration) in this database yet"
            )));
        }
        create(c, &prefix)?;
        return Ok(Found {
            prefix,
            origin: Origin::Created,
            version: "9.0.0".into(),
        });
    }
    let version = version(c, &prefix)?;
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 8 {
        return Err(refuse(format!(
            "this is a PrestaShop {version} database: shopws serves PrestaShop 8 and 9 \
             databases (upgrade the shop first)"
        )));
    }
    let origin = if table_exists(c, &format!("{prefix}shopws_meta"))? {
        let meta = format!("`{prefix}shopws_meta`");
        let v: Option<String> = c
            .exec_first(
                format!("SELECT `value` FROM {meta} WHERE `name` = 'origin'"),
                (),
            )
            .map_err(map_err)?;
        // Side tables of a newer release are created by the same script.
        side_tables(c, &prefix)?;
        if v.as_deref() == Some("created") {
            Origin::Created
        } else {
            Origin::Attached
        }
    } else {
        side_tables(c, &prefix)?;
        mark(c, &prefix, Origin::Attached)?;
        tracing::info!(prefix = %prefix, version = %version, "attached to an existing PrestaShop shop; shopws's own tables created");
        Origin::Attached
    };
    Ok(Found {
        prefix,
        origin,
        version,
    })
}

/// shopws's own tables, created when one is missing: once they exist, the database user needs
/// no right to create tables (MySQL checks that right even for `CREATE TABLE IF NOT EXISTS`).
fn side_tables(c: &mut PooledConn, prefix: &str) -> StorageResult<()> {
    let wanted: Vec<String> = SHOPWS_SCHEMA
        .lines()
        .filter_map(|l| l.strip_prefix("CREATE TABLE IF NOT EXISTS `PREFIX_"))
        .filter_map(|rest| rest.split('`').next())
        .map(|t| format!("{prefix}{t}"))
        .collect();
    for t in &wanted {
        if !table_exists(c, t)? {
            return run_script(c, &SHOPWS_SCHEMA.replace("PREFIX_", prefix)).map_err(|e| match e {
                StorageError::Other(m) if m.contains("error 1142") => refuse(format!(
                    "shopws's own tables ({prefix}shopws_…) do not exist yet and this database \
                         user may not create them: start once with a user allowed to CREATE \
                         tables in this database (afterwards SELECT, INSERT, UPDATE and DELETE \
                         suffice) — {m}"
                )),
                other => other,
            });
        }
    }
    Ok(())
}

fn version(c: &mut PooledConn, prefix: &str) -> StorageResult<String> {
    let v: Option<String> = c
        .query_first(format!(
            "SELECT `value` FROM `{prefix}configuration` WHERE `name` = 'PS_VERSION_DB' \
             ORDER BY id_shop IS NULL DESC, id_configuration LIMIT 1"
        ))
        .map_err(map_err)?;
    v.ok_or_else(|| {
        refuse(format!(
            "{prefix}configuration has no PS_VERSION_DB: not a PrestaShop database shopws knows"
        ))
    })
}

fn mark(c: &mut PooledConn, prefix: &str, origin: Origin) -> StorageResult<()> {
    c.exec_drop(
        format!(
            "INSERT INTO `{prefix}shopws_meta` (`name`, `value`) VALUES ('origin', ?) \
             ON DUPLICATE KEY UPDATE `value` = `value`"
        ),
        (origin.as_str(),),
    )
    .map_err(map_err)
}

/// PrestaShop's structure and shopws's tables in an empty database (DDL commits as it goes:
/// a failure half-way leaves tables behind, and the next start reports them).
fn create(c: &mut PooledConn, prefix: &str) -> StorageResult<()> {
    tracing::info!(prefix = %prefix, "creating PrestaShop's tables");
    run_script(c, &PS_SCHEMA.replace("PREFIX_", prefix))?;
    run_script(c, &SHOPWS_SCHEMA.replace("PREFIX_", prefix))?;
    mark(c, prefix, Origin::Created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_that_could_break_a_table_name_are_refused() {
        assert_eq!(checked_prefix("ps_").ok().as_deref(), Some("ps_"));
        assert_eq!(checked_prefix("").ok().as_deref(), Some(""));
        assert!(checked_prefix("ps`; DROP").is_err());
        assert!(checked_prefix("a-b").is_err());
    }
}

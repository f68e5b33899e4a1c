//! The SQLite backend on a real database file.

use rusqlite::StatementStatus;

use super::*;

use super::temp_store as store;

fn link(tx: &mut dyn Tx, category: i64, product: i64, position: i64) -> StorageResult<()> {
    tx.insert(
        "category_product",
        &[
            ("id_category", Value::Int(category)),
            ("id_product", Value::Int(product)),
            ("position", Value::Int(position)),
        ],
    )
    .map(|_| ())
}

fn last_position(rd: &mut dyn Reader, category: i64) -> StorageResult<Option<Value>> {
    rd.max(
        "category_product",
        "position",
        &[("id_category", Value::Int(category))],
    )
}

#[test]
fn max_is_the_largest_value_under_the_key() {
    let (_dir, s) = store();
    s.write(&mut |tx| {
        assert_eq!(last_position(tx, 7)?, None, "no row: no maximum");
        for (product, position) in [(1, 3), (2, 9), (3, 5)] {
            link(tx, 7, product, position)?;
        }
        link(tx, 8, 4, 40)?;
        assert_eq!(
            last_position(tx, 7)?,
            Some(Value::Int(9)),
            "inside the write"
        );
        Ok(())
    })
    .expect("write");
    s.read(&mut |rd| {
        assert_eq!(last_position(rd, 7)?, Some(Value::Int(9)));
        assert_eq!(last_position(rd, 8)?, Some(Value::Int(40)));
        assert_eq!(last_position(rd, 9)?, None);
        // Every pair of the key must match.
        let both = rd.max(
            "category_product",
            "position",
            &[
                ("id_category", Value::Int(7)),
                ("id_product", Value::Int(3)),
            ],
        )?;
        assert_eq!(both, Some(Value::Int(5)));
        Ok(())
    })
    .expect("read");
}

/// Virtual-machine steps SQLite has run for the cached statement `text` so far.
fn steps(c: &Connection, text: &str) -> i32 {
    c.prepare_cached(text)
        .expect("prepare")
        .get_status(StatementStatus::VmStep)
}

#[test]
fn max_seeks_the_index_instead_of_reading_the_key_rows() {
    const ROWS: i64 = 20_000;
    let (_dir, s) = store();
    s.write(&mut |tx| {
        for product in 1..=ROWS {
            link(tx, 7, product, product * 2)?;
        }
        link(tx, 8, 1, 1)
    })
    .expect("write");
    let c = lock(&s.writer);
    let got = last_position(&mut Conn(&c), 7).expect("max");
    assert_eq!(got, Some(Value::Int(ROWS * 2)));
    let seek = steps(
        &c,
        &sql::max(&LITE, "category_product", "position", &["id_category"]),
    );
    // What the maximum cost before: every position of the category read back.
    let all = r#"SELECT "position" FROM "category_product" WHERE "id_category" = ?"#;
    let n = Conn(&c)
        .select(&Select {
            table: "category_product",
            columns: &["position"],
            key: vec![("id_category", Value::Int(7))],
            order: &[],
            ..Default::default()
        })
        .expect("select")
        .len();
    assert_eq!(n as i64, ROWS);
    let scan = steps(&c, all);
    assert!(
        seek < 50,
        "MAX should be one probe of (id_category, position), not a scan: {seek} steps"
    );
    assert!(
        scan > ROWS as i32,
        "reading the rows steps through each: {scan}"
    );
}

fn credential(tx: &mut dyn Tx, digest: &str) -> StorageResult<i64> {
    tx.insert(
        "shopws_key_credential",
        &[
            ("id_webservice_account", Value::Int(1)),
            ("digest", Value::from(digest)),
            ("hint", Value::from("…abcd")),
            ("created_at", Value::from("2026-01-01 00:00:00")),
        ],
    )
}

fn uses(rd: &mut dyn Reader, id: i64) -> StorageResult<Vec<Value>> {
    Ok(rd
        .select(&Select {
            table: "shopws_key_credential",
            columns: &["use_count", "last_used_ip"],
            key: vec![("id", Value::Int(id))],
            order: &[],
            ..Default::default()
        })?
        .into_iter()
        .next()
        .unwrap_or_default())
}

#[test]
fn increment_adds_in_the_database_and_writes_the_other_values() {
    let (_dir, s) = store();
    s.write(&mut |tx| {
        let a = credential(tx, "a")?;
        let b = credential(tx, "b")?;
        let key = [("id", Value::Int(a))];
        let also = [("last_used_ip", Value::from("192.0.2.1"))];
        assert_eq!(
            tx.increment("shopws_key_credential", &[("use_count", 3)], &also, &key)?,
            1
        );
        assert_eq!(
            tx.increment("shopws_key_credential", &[("use_count", 4)], &[], &key)?,
            1
        );
        assert_eq!(uses(tx, a)?, vec![Value::Int(7), Value::from("192.0.2.1")]);
        assert_eq!(
            uses(tx, b)?,
            vec![Value::Int(0), Value::Null],
            "other rows untouched"
        );
        // No row, no key, nothing to set: nothing changes.
        let none = [("id", Value::Int(999))];
        assert_eq!(
            tx.increment("shopws_key_credential", &[("use_count", 1)], &[], &none)?,
            0
        );
        assert_eq!(
            tx.increment("shopws_key_credential", &[("use_count", 1)], &[], &[])?,
            0
        );
        assert_eq!(tx.increment("shopws_key_credential", &[], &[], &key)?, 0);
        assert_eq!(uses(tx, b)?[0], Value::Int(0));
        Ok(())
    })
    .expect("write");
}

fn known(rd: &mut dyn Reader) -> StorageResult<Vec<Vec<Value>>> {
    rd.select(&Select {
        table: "shopws_login_known",
        columns: &["subject", "last_ok"],
        key: vec![],
        order: &["subject"],
        ..Default::default()
    })
}

#[test]
fn upsert_inserts_then_updates_the_row_with_that_key() {
    let (_dir, s) = store();
    let row = |subject: &str, at: i64| vec![Value::from(subject), Value::Int(at)];
    s.write(&mut |tx| {
        let key = |s: &str| [("subject", Value::from(s))];
        tx.upsert(
            "shopws_login_known",
            &key("a"),
            &[("last_ok", Value::Int(1))],
        )?;
        tx.upsert(
            "shopws_login_known",
            &key("b"),
            &[("last_ok", Value::Int(2))],
        )?;
        tx.upsert(
            "shopws_login_known",
            &key("a"),
            &[("last_ok", Value::Int(3))],
        )?;
        assert_eq!(known(tx)?, vec![row("a", 3), row("b", 2)]);
        Ok(())
    })
    .expect("write");
    // A key of two columns (category_product's primary key). Nothing to write: a missing
    // row gets its defaults, an existing one stays as it is.
    s.write(&mut |tx| {
        let pair = [
            ("id_category", Value::Int(2)),
            ("id_product", Value::Int(5)),
        ];
        tx.upsert("category_product", &pair, &[])?;
        assert_eq!(last_position(tx, 2)?, Some(Value::Int(0)));
        tx.upsert("category_product", &pair, &[("position", Value::Int(8))])?;
        assert_eq!(last_position(tx, 2)?, Some(Value::Int(8)));
        tx.upsert("category_product", &pair, &[])?;
        assert_eq!(last_position(tx, 2)?, Some(Value::Int(8)));
        assert_eq!(known(tx)?, vec![row("a", 3), row("b", 2)]);
        Ok(())
    })
    .expect("write");
    let err =
        s.write(&mut |tx| tx.upsert("shopws_login_known", &[], &[("last_ok", Value::Int(1))]));
    assert!(matches!(err, Err(StorageError::Invalid(_))), "{err:?}");
}

#[test]
fn writers_on_two_handles_of_one_file_lose_no_increment() {
    const EACH: i64 = 200;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.db").to_string_lossy().into_owned();
    let first = SqliteStore::open(&path, 1).expect("open");
    let mut id = 0;
    first
        .write(&mut |tx| {
            id = credential(tx, "a")?;
            Ok(())
        })
        .expect("write");
    let second = SqliteStore::open(&path, 1).expect("open again");
    std::thread::scope(|scope| {
        for s in [&first, &second] {
            scope.spawn(move || {
                for _ in 0..EACH {
                    let key = [("id", Value::Int(id))];
                    // Another handle may hold the file: retry as a node would.
                    loop {
                        let r = s.write(&mut |tx| {
                            tx.increment("shopws_key_credential", &[("use_count", 1)], &[], &key)
                                .map(|_| ())
                        });
                        match r {
                            Err(StorageError::Busy) => std::thread::yield_now(),
                            other => break other.expect("increment"),
                        }
                    }
                }
            });
        }
    });
    let mut got = Vec::new();
    first
        .read(&mut |rd| {
            got = uses(rd, id)?;
            Ok(())
        })
        .expect("read");
    assert_eq!(got[0], Value::Int(2 * EACH));
}

#[test]
fn lock_rows_says_whether_the_rows_exist_and_changes_nothing() {
    let (_dir, s) = store();
    s.write(&mut |tx| {
        let a = credential(tx, "a")?;
        let before = uses(tx, a)?;
        assert!(tx.lock_rows("shopws_key_credential", &[("id", Value::Int(a))])?);
        assert!(!tx.lock_rows("shopws_key_credential", &[("id", Value::Int(a + 1000))])?);
        // An empty key matches nothing, never the whole table.
        assert!(!tx.lock_rows("shopws_key_credential", &[])?);
        assert_eq!(uses(tx, a)?, before);
        Ok(())
    })
    .expect("write");
}

//! The SQLite backend on a real database file.

use rusqlite::StatementStatus;

use super::*;

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.db");
    let s = SqliteStore::open(&path.to_string_lossy(), 1).expect("open");
    (dir, s)
}

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
        &sql::max("category_product", "position", &["id_category"]),
    );
    // What the maximum cost before: every position of the category read back.
    let all = r#"SELECT "position" FROM "category_product" WHERE "id_category" = ?"#;
    let n = Conn(&c)
        .select(&Select {
            table: "category_product",
            columns: &["position"],
            key: vec![("id_category", Value::Int(7))],
            order: &[],
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

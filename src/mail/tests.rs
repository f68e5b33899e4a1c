#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The outbox's claiming and backoff, and an order's e-mail, on a real SQLite database.

use crate::storage::{self, SeedMode, Select, Store, Value};

use super::order_mail::Money;
use super::outbox::{self, backoff_ms, claim, ClaimRule, NewMail};
use super::{queue_order_mail, queue_state_mail};

struct Db {
    store: Box<dyn Store>,
    dir: tempfile::TempDir,
}

impl Db {
    fn new(mode: SeedMode) -> Db {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = storage::open(&Self::url(&dir), 1).expect("database");
        store.seed(mode).expect("seed");
        Db { store, dir }
    }
    fn url(dir: &tempfile::TempDir) -> String {
        format!("sqlite:{}", dir.path().join("shop.db").display())
    }
    /// Another node on the same database.
    fn other(&self) -> Box<dyn Store> {
        storage::open(&Self::url(&self.dir), 1).expect("database")
    }
    fn queue(&self, recipient: &str) -> i64 {
        let mut id = 0;
        self.store
            .write(&mut |tx| {
                id = outbox::queue(
                    tx,
                    &NewMail {
                        id_order: 1,
                        id_shop: 1,
                        id_lang: 1,
                        template: "in_transit",
                        recipient,
                        recipient_name: "Ada",
                        subject: "s",
                        text: "t",
                        html: "h",
                    },
                    1_000,
                )?;
                Ok(())
            })
            .expect("queue");
        id
    }
    fn row(&self, id: i64) -> Vec<Value> {
        self.store
            .first_row(&Select {
                table: outbox::TABLE,
                columns: &["state", "attempts", "claim", "last_error", "next_at"],
                key: vec![("id", Value::Int(id))],
                ..Default::default()
            })
            .expect("read")
            .expect("row")
    }
}

/// A claim with no maximum age in sight.
fn take(
    store: &dyn Store,
    token: &str,
    now_ms: i64,
    lease_ms: i64,
    limit: u64,
) -> storage::StorageResult<Vec<outbox::Claimed>> {
    claim(
        store,
        token,
        ClaimRule {
            now_ms,
            lease_ms,
            limit,
            max_age_ms: i64::MAX,
        },
    )
}

#[test]
fn rows_older_than_the_maximum_age_expire_instead_of_being_sent() {
    let db = Db::new(SeedMode::Reference);
    let old = db.queue("old@example.com");
    let rule = |now_ms| ClaimRule {
        now_ms,
        lease_ms: 500,
        limit: 10,
        max_age_ms: 10_000,
    };
    // Queued at 1,000: still young at 11,000.
    let a = claim(db.store.as_ref(), "A", rule(11_000)).unwrap();
    assert_eq!(a.len(), 1);
    outbox::mark_failed_attempt(db.store.as_ref(), &a[0], "down", Some(11_001)).unwrap();
    assert!(claim(db.store.as_ref(), "B", rule(11_002))
        .unwrap()
        .is_empty());
    assert_eq!(db.row(old)[0].to_text(), outbox::EXPIRED);
    assert!(!db.row(old)[3].to_text().is_empty());
}

#[test]
fn backoff_doubles_from_the_base_up_to_the_cap() {
    assert_eq!(backoff_ms(1, 100, 10_000), 100);
    assert_eq!(backoff_ms(2, 100, 10_000), 200);
    assert_eq!(backoff_ms(3, 100, 10_000), 400);
    assert_eq!(backoff_ms(8, 100, 10_000), 10_000);
    assert_eq!(backoff_ms(0, 100, 10_000), 100);
    // No overflow however many attempts.
    assert_eq!(backoff_ms(1_000, i64::MAX / 2, i64::MAX), i64::MAX);
}

#[test]
fn a_claimed_row_is_no_one_elses_until_its_lease_ends() {
    let db = Db::new(SeedMode::Reference);
    let id = db.queue("ada@example.com");
    let node2 = db.other();
    let now = 2_000;
    let a = take(db.store.as_ref(), "A", now, 500, 10).unwrap();
    assert_eq!(a.len(), 1);
    assert_eq!((a[0].id, a[0].attempts), (id, 1));
    // Another node, during the lease: nothing.
    assert!(take(node2.as_ref(), "B", now + 499, 500, 10)
        .unwrap()
        .is_empty());
    // After it (node A died mid-send): node 2 takes it, a second attempt.
    let b = take(node2.as_ref(), "B", now + 501, 500, 10).unwrap();
    assert_eq!((b.len(), b[0].attempts), (1, 2));
    // A's late result does not count; B's does.
    assert!(!outbox::mark_sent(db.store.as_ref(), &a[0]).unwrap());
    assert!(outbox::mark_sent(node2.as_ref(), &b[0]).unwrap());
    assert_eq!(db.row(id)[0].to_text(), outbox::SENT);
    assert!(take(db.store.as_ref(), "C", now + 10_000, 500, 10)
        .unwrap()
        .is_empty());
}

#[test]
fn a_row_is_due_again_after_its_backoff_and_fails_for_good_when_told() {
    let db = Db::new(SeedMode::Reference);
    let id = db.queue("ada@example.com");
    // Not due before its time.
    assert!(take(db.store.as_ref(), "A", 999, 500, 10)
        .unwrap()
        .is_empty());
    let a = take(db.store.as_ref(), "A", 1_000, 500, 10).unwrap();
    outbox::mark_failed_attempt(db.store.as_ref(), &a[0], "421 busy", Some(5_000)).unwrap();
    let row = db.row(id);
    assert_eq!(row[0].to_text(), outbox::QUEUED);
    assert_eq!(row[3].to_text(), "421 busy");
    assert!(take(db.store.as_ref(), "B", 4_999, 500, 10)
        .unwrap()
        .is_empty());
    let b = take(db.store.as_ref(), "B", 5_000, 500, 10).unwrap();
    assert_eq!(b[0].attempts, 2);
    outbox::mark_failed_attempt(db.store.as_ref(), &b[0], "550 no such user", None).unwrap();
    let row = db.row(id);
    assert_eq!(row[0].to_text(), outbox::FAILED);
    assert_eq!(row[3].to_text(), "550 no such user");
    assert!(take(db.store.as_ref(), "C", 100_000, 500, 10)
        .unwrap()
        .is_empty());
}

#[test]
fn a_released_row_is_due_at_once_without_the_attempt_counted() {
    let db = Db::new(SeedMode::Reference);
    let id = db.queue("ada@example.com");
    let a = take(db.store.as_ref(), "A", 2_000, 1_000_000_000_000_000, 10).unwrap();
    assert!(outbox::release(db.store.as_ref(), &a[0]).unwrap());
    let row = db.row(id);
    assert_eq!(row[1].as_i64(), Some(0));
    assert_eq!(row[2].to_text(), "");
    // Due now (not after the long lease): another claim takes it as a first attempt.
    let b = take(db.store.as_ref(), "B", outbox::now_ms(), 500, 10).unwrap();
    assert_eq!((b.len(), b[0].attempts), (1, 1));
    // A's release, late, changes nothing.
    assert!(!outbox::release(db.store.as_ref(), &a[0]).unwrap());
}

#[test]
fn claims_take_due_rows_in_order_and_at_most_the_batch() {
    let db = Db::new(SeedMode::Reference);
    let ids: Vec<i64> = (0..5)
        .map(|i| db.queue(&format!("c{i}@example.com")))
        .collect();
    let first = take(db.store.as_ref(), "A", 2_000, 500, 3).unwrap();
    assert_eq!(first.iter().map(|c| c.id).collect::<Vec<_>>(), ids[..3]);
    let rest = take(db.store.as_ref(), "B", 2_000, 500, 3).unwrap();
    assert_eq!(rest.iter().map(|c| c.id).collect::<Vec<_>>(), ids[3..]);
}

#[test]
fn dropping_marks_every_queued_row() {
    let db = Db::new(SeedMode::Reference);
    let id = db.queue("ada@example.com");
    assert_eq!(outbox::drop_queued(db.store.as_ref(), "off").unwrap(), 1);
    assert_eq!(db.row(id)[0].to_text(), outbox::DROPPED);
    assert!(take(db.store.as_ref(), "A", 100_000, 500, 10)
        .unwrap()
        .is_empty());
}

#[test]
fn money_is_rounded_to_the_currency_and_written_as_the_language_does() {
    assert_eq!(Money::new("€", 2, "en").format("76.965000"), "€76.97");
    assert_eq!(Money::new("€", 2, "fr").format("1234.5"), "1234,50\u{a0}€");
    assert_eq!(Money::new("¥", 0, "en").format("-12.5"), "-¥13");
    assert_eq!(Money::new("€", 2, "en").format("n/a"), "n/a");
}

#[test]
fn an_order_mail_is_queued_in_the_orders_language_with_its_variables() {
    let db = Db::new(SeedMode::Demo);
    let mut queued = None;
    db.store
        .write(&mut |tx| {
            tx.update(
                "orders",
                &[("id_lang", Value::Int(2))],
                &[("id_order", Value::Int(1))],
            )?;
            queued = queue_order_mail(
                tx,
                1,
                "in_transit",
                &[("followup", "https://t.example/X1".into())],
            )?;
            Ok(())
        })
        .unwrap();
    let id = queued.expect("queued");
    let row = db
        .store
        .first_row(&Select {
            table: outbox::TABLE,
            columns: &[
                "recipient",
                "subject",
                "body_text",
                "body_html",
                "id_lang",
                "state",
            ],
            key: vec![("id", Value::Int(id))],
            ..Default::default()
        })
        .unwrap()
        .unwrap();
    assert_eq!(row[0].to_text(), "pub@prestashop.com");
    assert_eq!(row[1].to_text(), "[PrestaShop] Colis en transit");
    assert!(
        row[2].to_text().contains("Bonjour John DOE"),
        "{}",
        row[2].to_text()
    );
    assert!(row[2].to_text().contains("XKBKNABJK"));
    assert!(row[2].to_text().contains("https://t.example/X1"));
    assert!(row[3]
        .to_text()
        .contains("<a href=\"https://t.example/X1\">"));
    assert_eq!(row[4].as_i64(), Some(2));
    assert_eq!(row[5].to_text(), outbox::QUEUED);

    // Unknown language: English; unknown template: nothing queued.
    db.store
        .write(&mut |tx| {
            tx.update(
                "orders",
                &[("id_lang", Value::Int(0))],
                &[("id_order", Value::Int(1))],
            )?;
            let id = queue_order_mail(tx, 1, "order_conf", &[])?.expect("queued");
            let subject = tx.select(&Select {
                table: outbox::TABLE,
                columns: &["subject", "body_text"],
                key: vec![("id", Value::Int(id))],
                ..Default::default()
            })?;
            assert_eq!(subject[0][0].to_text(), "[PrestaShop] Order confirmation");
            assert!(
                subject[0][1].to_text().contains("Total paid: €61.80"),
                "{}",
                subject[0][1].to_text()
            );
            assert_eq!(queue_order_mail(tx, 1, "a_modules_own", &[])?, None);
            assert!(matches!(
                queue_order_mail(tx, 999_999, "order_conf", &[]),
                Err(storage::StorageError::NotFound)
            ));
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_shops_own_mail_settings_override_the_values_for_all_shops() {
    let db = Db::new(SeedMode::Reference);
    db.store
        .write(&mut |tx| {
            tx.insert(
                "configuration",
                &[
                    ("id_shop_group", Value::Int(1)),
                    ("id_shop", Value::Int(1)),
                    ("name", Value::from("PS_SHOP_EMAIL")),
                    ("value", Value::from("shop1@example.com")),
                    ("date_add", Value::from("2026-01-01 00:00:00")),
                    ("date_upd", Value::from("2026-01-01 00:00:00")),
                ],
            )?;
            Ok(())
        })
        .unwrap();
    let mut seen = Vec::new();
    db.store
        .read(&mut |rd| {
            seen = vec![
                super::smtp::Settings::load(rd, 1)?,
                super::smtp::Settings::load(rd, 2)?,
            ];
            Ok(())
        })
        .unwrap();
    assert_eq!(seen[0].from_email, "shop1@example.com");
    assert_eq!(seen[1].from_email, "pub@prestashop.com");
    // The seed's method 1: the local mail server.
    assert_eq!(seen[1].method, super::smtp::Method::Local);
    // The password never shows in debug output.
    let s = super::smtp::Settings::from_values(&[("PS_MAIL_PASSWD".into(), "hunter2-x".into())]);
    assert!(!format!("{s:?}").contains("hunter2-x"));
}

#[test]
fn a_state_sends_its_templates_mail_only_with_send_email() {
    let db = Db::new(SeedMode::Demo);
    db.store
        .write(&mut |tx| {
            tx.update(
                "orders",
                &[("id_lang", Value::Int(2))],
                &[("id_order", Value::Int(1))],
            )?;
            // State 4 "Shipped": send_email, template `shipped`.
            let id = queue_state_mail(tx, 1, 4, &[])?.expect("queued");
            let row = tx.select(&Select {
                table: outbox::TABLE,
                columns: &["template", "subject"],
                key: vec![("id", Value::Int(id))],
                ..Default::default()
            })?;
            assert_eq!(row[0][0].to_text(), "shipped");
            assert_eq!(row[0][1].to_text(), "[PrestaShop] Expédiée");
            // State 5 "Delivered": no e-mail.
            assert_eq!(queue_state_mail(tx, 1, 5, &[])?, None);
            assert!(matches!(
                queue_state_mail(tx, 1, 999, &[]),
                Err(storage::StorageError::NotFound)
            ));
            Ok(())
        })
        .unwrap();
}

#[test]
fn every_method_and_encryption_gives_a_transport_or_none() {
    use super::smtp::{Method, Settings};
    let settings = |method: &str, enc: &str| {
        Settings::from_values(&[
            ("PS_MAIL_METHOD".into(), method.into()),
            ("PS_MAIL_SERVER".into(), "smtp.example.com".into()),
            ("PS_MAIL_SMTP_PORT".into(), "587".into()),
            ("PS_MAIL_USER".into(), "u".into()),
            ("PS_MAIL_PASSWD".into(), "p".into()),
            ("PS_MAIL_SMTP_ENCRYPTION".into(), enc.into()),
        ])
    };
    let t = std::time::Duration::from_secs(1);
    for enc in ["off", "tls", "ssl", "TLS", ""] {
        assert!(settings("2", enc).transport(t).unwrap().is_some(), "{enc}");
    }
    assert!(settings("1", "off").transport(t).unwrap().is_some());
    assert!(settings("3", "off").transport(t).unwrap().is_none());
    assert_eq!(settings("3", "off").method, Method::Never);
    assert_eq!(settings("", "").method, Method::Local);
}

//! E-mails of order events through the outbox and the background sender, received by a local
//! SMTP sink: the in-transit e-mail of `PUT /api/order_carriers/{id}?sendemail=1`, in the
//! order's language; "never send e-mails"; retries while the mail server is down; a `kill -9`
//! with a queued e-mail; the SMTP password kept out of the log.

use std::time::{Duration, Instant};

use crate::smtp_sink::{free_port, Sink};
use crate::support::TestShop;

/// The sender's pace in these tests: fast polls and retries.
const PACE: &[&str] = &[
    "--mail",
    "on",
    "--mail-poll",
    "100ms",
    "--mail-retry",
    "300ms",
    "--mail-retry-max",
    "1s",
];

/// [`PACE`] with a short lease and SMTP timeout.
fn fast() -> Vec<&'static str> {
    let mut v = PACE.to_vec();
    v.extend(["--mail-lease", "3s", "--mail-timeout", "2s"]);
    v
}

const TRACKING_URL: &str = "https://track.example/parcel?n=@";

fn set_config(shop: &TestShop, name: &str, value: &str) {
    let n = shop.sql_i64(
        "SELECT COUNT(*) FROM {configuration} WHERE name = ?",
        &[name.into()],
    );
    assert!(n >= 1, "configuration {name} exists");
    shop.sql_exec(
        "UPDATE {configuration} SET value = ? WHERE name = ?",
        &[value.into(), name.into()],
    );
}

/// SMTP to the sink's port, unencrypted.
fn smtp_to(shop: &TestShop, port: u16) {
    set_config(shop, "PS_MAIL_METHOD", "2");
    set_config(shop, "PS_MAIL_SERVER", "127.0.0.1");
    set_config(shop, "PS_MAIL_SMTP_PORT", &port.to_string());
    set_config(shop, "PS_MAIL_SMTP_ENCRYPTION", "off");
}

/// Carrier 2 (the demo orders' carrier) gets a tracking URL; order 1 is in `lang`.
fn prepare_order(shop: &TestShop, lang: i64) {
    shop.sql_exec(
        "UPDATE {carrier} SET url = ? WHERE id_carrier = 2",
        &[TRACKING_URL.into()],
    );
    shop.sql_exec(
        "UPDATE {orders} SET id_lang = ? WHERE id_order = 1",
        &[lang.into()],
    );
}

fn put_tracking(shop: &TestShop, query: &str, number: &str) -> u16 {
    let body = format!(
        "<prestashop><order_carrier><id>1</id><id_order>1</id_order><id_carrier>2</id_carrier>\
         <tracking_number>{number}</tracking_number></order_carrier></prestashop>"
    );
    let r = shop.send("PUT", &format!("/api/order_carriers/1{query}"), &body);
    assert_eq!(r.status, 200, "{}", r.body);
    r.status
}

fn outbox(shop: &TestShop) -> Vec<Vec<Option<String>>> {
    shop.sql_rows(
        "SELECT state, attempts, last_error, template, recipient FROM {shopws_mail_outbox} ORDER BY id",
        &[],
    )
}

/// Waits until `check` holds on the outbox rows, at most `limit`.
fn wait_outbox(
    shop: &TestShop,
    limit: Duration,
    check: impl Fn(&[Vec<Option<String>>]) -> bool,
) -> Vec<Vec<Option<String>>> {
    let end = Instant::now() + limit;
    loop {
        let rows = outbox(shop);
        if check(&rows) || Instant::now() > end {
            return rows;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn col(row: &[Option<String>], i: usize) -> String {
    row[i].clone().unwrap_or_default()
}

#[test]
fn in_transit_mail_arrives_in_the_orders_language_with_the_tracking_url() {
    let sink = Sink::start();
    let shop = TestShop::start_with(&fast());
    smtp_to(&shop, sink.port);
    prepare_order(&shop, 2);

    // Without sendemail: the update alone, no e-mail.
    put_tracking(&shop, "", "NOMAIL1");
    assert!(outbox(&shop).is_empty());

    put_tracking(&shop, "?sendemail=1", "TRK123");
    let got = sink.wait_for(1, Duration::from_secs(20));
    assert_eq!(got.len(), 1, "one e-mail arrived");
    let m = &got[0];
    assert_eq!(m.to, vec!["<pub@prestashop.com>".to_string()]);
    assert_eq!(m.from, "<pub@prestashop.com>");
    assert_eq!(m.subject(), "[PrestaShop] Colis en transit");
    let text = m.text();
    assert!(text.contains("Bonjour John DOE"), "{text}");
    assert!(text.contains("Numéro de suivi : TRK123"), "{text}");
    assert!(
        text.contains("https://track.example/parcel?n=TRK123"),
        "{text}"
    );
    // Text and HTML parts (PS_MAIL_TYPE 3), the link clickable in the HTML.
    assert!(text.contains("Content-Type: text/plain"), "{text}");
    assert!(
        text.contains("<a href=\"https://track.example/parcel?n=TRK123\">"),
        "{text}"
    );
    let rows = wait_outbox(&shop, Duration::from_secs(5), |r| {
        r.len() == 1 && col(&r[0], 0) == "sent"
    });
    assert_eq!(col(&rows[0], 0), "sent");
    assert_eq!(col(&rows[0], 3), "in_transit");

    // English order: the English words.
    prepare_order(&shop, 1);
    put_tracking(&shop, "?sendemail=1", "TRK456");
    let got = sink.wait_for(2, Duration::from_secs(20));
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].subject(), "[PrestaShop] Package in transit");
    assert!(got[1].text().contains("Tracking number: TRK456"));

    // A carrier without a tracking URL: nothing queued, as PrestaShop.
    shop.sql_exec("UPDATE {carrier} SET url = '' WHERE id_carrier = 2", &[]);
    put_tracking(&shop, "?sendemail=1", "TRK789");
    assert_eq!(outbox(&shop).len(), 2);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sink.received().len(), 2);
}

#[test]
fn never_send_emails_sends_nothing() {
    let sink = Sink::start();
    let shop = TestShop::start_with(&fast());
    smtp_to(&shop, sink.port);
    set_config(&shop, "PS_MAIL_METHOD", "3");
    prepare_order(&shop, 1);
    put_tracking(&shop, "?sendemail=1", "TRK1");
    let rows = wait_outbox(&shop, Duration::from_secs(10), |r| {
        r.len() == 1 && col(&r[0], 0) != "queued"
    });
    assert_eq!(col(&rows[0], 0), "dropped", "{rows:?}");
    // Switched back on: the dropped e-mail stays unsent.
    set_config(&shop, "PS_MAIL_METHOD", "2");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(sink.received().is_empty());
    assert_eq!(col(&outbox(&shop)[0], 0), "dropped");
}

#[test]
fn a_mail_server_down_at_first_gets_the_mail_once_it_is_up() {
    let port = free_port();
    let shop = TestShop::start_with(&fast());
    smtp_to(&shop, port);
    prepare_order(&shop, 1);
    put_tracking(&shop, "?sendemail=1", "TRK1");
    // Tried and failed at least twice while nothing listens.
    let rows = wait_outbox(&shop, Duration::from_secs(20), |r| {
        r.len() == 1 && col(&r[0], 1).parse::<i64>().unwrap_or(0) >= 2
    });
    assert_eq!(col(&rows[0], 0), "queued", "{rows:?}");
    assert!(!col(&rows[0], 2).is_empty(), "the last error is kept");
    let sink = Sink::start_on(port);
    let got = sink.wait_for(1, Duration::from_secs(20));
    assert_eq!(got.len(), 1);
    assert!(got[0].text().contains("TRK1"));
    let rows = wait_outbox(&shop, Duration::from_secs(5), |r| col(&r[0], 0) == "sent");
    assert_eq!(col(&rows[0], 0), "sent");
    assert_eq!(col(&rows[0], 2), "", "the error is cleared once sent");
    // Sent once.
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(sink.received().len(), 1);
}

#[test]
fn attempts_are_bounded_then_the_mail_is_marked_failed() {
    let port = free_port();
    let mut args = fast();
    args.extend(["--mail-attempts", "3"]);
    let shop = TestShop::start_with(&args);
    smtp_to(&shop, port);
    prepare_order(&shop, 1);
    put_tracking(&shop, "?sendemail=1", "TRK1");
    let rows = wait_outbox(&shop, Duration::from_secs(30), |r| {
        r.len() == 1 && col(&r[0], 0) == "failed"
    });
    assert_eq!(col(&rows[0], 0), "failed", "{rows:?}");
    assert_eq!(col(&rows[0], 1), "3");
    assert!(!col(&rows[0], 2).is_empty());
}

#[test]
fn a_queued_mail_survives_kill_9() {
    let port = free_port();
    let mut first = TestShop::start_with(&fast());
    smtp_to(&first, port);
    prepare_order(&first, 1);
    put_tracking(&first, "?sendemail=1", "TRKKILL");
    wait_outbox(&first, Duration::from_secs(20), |r| {
        r.len() == 1 && col(&r[0], 1).parse::<i64>().unwrap_or(0) >= 1
    });
    first.signal("KILL");
    first.wait_exit(Duration::from_secs(10)).expect("killed");
    let sink = Sink::start_on(port);
    // Nobody sends while no shopws runs.
    std::thread::sleep(Duration::from_millis(500));
    assert!(sink.received().is_empty());
    let second = TestShop::start_on(&first.db, &first.key, &fast());
    let got = sink.wait_for(1, Duration::from_secs(30));
    assert_eq!(got.len(), 1, "the e-mail queued before the kill arrives");
    assert!(got[0].text().contains("TRKKILL"));
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(sink.received().len(), 1, "and only once");
    assert_eq!(col(&outbox(&second)[0], 0), "sent");
    drop(second);
    // `first` is dropped last: it owns the test database.
    drop(first);
}

#[test]
fn the_smtp_password_is_used_but_never_logged() {
    const PASSWORD: &str = "Zq8-unusual-SMTP-secret";
    let sink = Sink::start();
    let shop = TestShop::start_logged_with(&fast());
    smtp_to(&shop, sink.port);
    set_config(&shop, "PS_MAIL_USER", "mailer@shop.example");
    set_config(&shop, "PS_MAIL_PASSWD", PASSWORD);
    prepare_order(&shop, 1);
    put_tracking(&shop, "?sendemail=1", "TRK1");
    let got = sink.wait_for(1, Duration::from_secs(20));
    assert_eq!(got.len(), 1);
    assert!(
        got[0].auth.contains(PASSWORD),
        "the client logged in with the password: {:?}",
        got[0].auth
    );
    let log = std::fs::read_to_string(shop.log.as_ref().expect("log")).expect("read log");
    assert!(log.contains("e-mail sent"), "the log covers the sending");
    assert!(!log.contains(PASSWORD), "password in the log");
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD
        .encode(format!("\0mailer@shop.example\0{PASSWORD}"));
    assert!(!log.contains(&b64), "encoded password in the log");
}

#[test]
fn two_nodes_on_one_database_send_each_mail_once() {
    let sink = Sink::start();
    let first = TestShop::start_with(&fast());
    smtp_to(&first, sink.port);
    prepare_order(&first, 1);
    let second = TestShop::start_on(&first.db, &first.key, &fast());
    for i in 0..6 {
        let node = if i % 2 == 0 { &first } else { &second };
        put_tracking(node, "?sendemail=1", &format!("TRKN{i}"));
    }
    let got = sink.wait_for(6, Duration::from_secs(30));
    assert_eq!(got.len(), 6);
    std::thread::sleep(Duration::from_millis(1000));
    let got = sink.received();
    for i in 0..6 {
        let n = got
            .iter()
            .filter(|m| m.text().contains(&format!("TRKN{i}\r\n")))
            .count();
        assert_eq!(n, 1, "TRKN{i} sent once");
    }
    drop(second);
    drop(first);
}

#[test]
fn a_node_killed_mid_send_leaves_the_mail_to_the_next_once_its_lease_is_over() {
    let sink = Sink::start();
    sink.stall(1);
    // The first node's SMTP conversation hangs longer than the test takes to kill it.
    let mut slow = PACE.to_vec();
    slow.extend(["--mail-timeout", "5s", "--mail-lease", "6s"]);
    let mut first = TestShop::start_with(&slow);
    smtp_to(&first, sink.port);
    prepare_order(&first, 1);
    put_tracking(&first, "?sendemail=1", "TRKLEASE");
    let end = Instant::now() + Duration::from_secs(20);
    while sink.connections() == 0 && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(sink.connections(), 1, "the sender connected");
    first.signal("KILL");
    first.wait_exit(Duration::from_secs(10)).expect("killed");
    // Killed mid-send: the row is still claimed, leased until `next_at`.
    let row = first.sql_rows(
        "SELECT state, claim, next_at FROM {shopws_mail_outbox}",
        &[],
    );
    assert_eq!(row.len(), 1);
    assert_eq!(col(&row[0], 0), "queued");
    assert!(!col(&row[0], 1).is_empty(), "claimed by the killed node");
    let lease_end: u128 = col(&row[0], 2).parse().expect("next_at");
    let second = TestShop::start_on(&first.db, &first.key, &slow);
    let got = sink.wait_for(1, Duration::from_secs(30));
    let arrived = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis();
    assert_eq!(got.len(), 1, "sent by the next node");
    assert!(got[0].text().contains("TRKLEASE"));
    assert!(
        arrived >= lease_end,
        "not before the lease was over ({arrived} < {lease_end})"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sink.received().len(), 1);
    assert_eq!(col(&outbox(&second)[0], 0), "sent");
    drop(second);
    drop(first);
}

#[test]
fn a_tls_mismatch_is_an_error_retried_and_the_sender_goes_on() {
    let sink = Sink::start();
    let shop = TestShop::start_with(&fast());
    smtp_to(&shop, sink.port);
    // TLS from the first byte, to a server that speaks plain SMTP.
    set_config(&shop, "PS_MAIL_SMTP_ENCRYPTION", "ssl");
    prepare_order(&shop, 1);
    put_tracking(&shop, "?sendemail=1", "TRKTLS");
    let rows = wait_outbox(&shop, Duration::from_secs(20), |r| {
        r.len() == 1 && !col(&r[0], 2).is_empty()
    });
    assert_eq!(col(&rows[0], 0), "queued", "{rows:?}");
    assert!(sink.received().is_empty());
    set_config(&shop, "PS_MAIL_SMTP_ENCRYPTION", "off");
    let got = sink.wait_for(1, Duration::from_secs(20));
    assert_eq!(got.len(), 1);
    assert!(got[0].text().contains("TRKTLS"));
}

#[test]
fn an_order_whose_customer_is_gone_refuses_the_mail_and_the_update() {
    let shop = TestShop::start_with(&fast());
    prepare_order(&shop, 1);
    shop.sql_exec("DELETE FROM {customer} WHERE id_customer = 1", &[]);
    let body =
        "<prestashop><order_carrier><id>1</id><id_order>1</id_order><id_carrier>2</id_carrier>\
                <tracking_number>TRKGONE</tracking_number></order_carrier></prestashop>";
    let r = shop.send("PUT", "/api/order_carriers/1?sendemail=1", body);
    assert_eq!(r.status, 500, "{}", r.body);
    assert_eq!(r.codes(), vec![1030]);
    let kept = shop.sql_strings(
        "SELECT tracking_number FROM {order_carrier} WHERE id_order_carrier = 1",
        &[],
    );
    assert_eq!(
        kept,
        vec![String::new()],
        "the update is rolled back with it"
    );
    assert!(outbox(&shop).is_empty());
    // Without sendemail the update is made as usual.
    put_tracking(&shop, "", "TRKGONE");
}

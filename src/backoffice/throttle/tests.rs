//! The limits on a real database file.

use super::*;

use crate::storage::sqlite::temp_store as store;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("ip")
}

const T0: i64 = 1_800_000_000;

/// `n` wrong passwords at `now`; how many were let through to the password check.
fn fail(s: &dyn Store, a: &Attempt, n: usize, now: i64) -> usize {
    (0..n)
        .filter(|_| a.reserve_at(s, now).expect("reserve").is_ok())
        .count()
}

/// What would hold an attempt back now, without counting it.
fn refusal(s: &dyn Store, a: &Attempt, now: i64) -> Option<Refusal> {
    let mut out = None;
    s.write(&mut |tx| {
        out = a.look(tx, now)?.1;
        Ok(())
    })
    .expect("look");
    out
}

fn known(s: &dyn Store, a: &Attempt, now: i64) -> bool {
    let mut known = false;
    s.write(&mut |tx| {
        known = a.known_at(tx, now)?;
        Ok(())
    })
    .expect("look");
    known
}

#[test]
fn the_pair_locks_after_five_and_repeated_lockouts_double() {
    let (_d, s) = store();
    let a = Attempt::login("a@example.com", ip("198.51.100.1"));
    assert_eq!(fail(&s, &a, 8, T0), 5, "five guesses, then locked");
    let r = refusal(&s, &a, T0 + 10).expect("locked");
    assert_eq!((r.limit, r.wait), (Limit::Pair, 900 - 10));
    // The lock runs out; five more failures lock twice as long.
    let t1 = T0 + 901;
    assert_eq!(fail(&s, &a, 6, t1), 5);
    assert_eq!(refusal(&s, &a, t1).map(|r| r.wait), Some(1800));
    // A day without a lock-out forgives the earlier ones.
    let t2 = t1 + 1800 + MAX_LOCK + 1;
    assert_eq!(fail(&s, &a, 5, t2), 5);
    assert_eq!(refusal(&s, &a, t2).map(|r| r.wait), Some(900));
    // The same e-mail from another address is not locked.
    let elsewhere = Attempt::login("a@example.com", ip("198.51.100.2"));
    assert_eq!(refusal(&s, &elsewhere, t2), None);
}

#[test]
fn the_right_password_is_forgiven() {
    let (_d, s) = store();
    let a = Attempt::login("a@example.com", ip("198.51.100.1"));
    assert_eq!(fail(&s, &a, 4, T0), 4);
    // The fifth attempt locks the pair when it is counted, but it is the right password.
    let r = a.reserve_at(&s, T0).expect("reserve").expect("allowed");
    assert!(refusal(&s, &Attempt::login("a@example.com", ip("198.51.100.1")), T0).is_some());
    r.succeeded_at(&s, T0).expect("forgive");
    assert_eq!(fail(&s, &a, 10, T0 + 1), 5, "a fresh start for the pair");
}

#[test]
fn an_address_locks_after_twenty_whatever_the_e_mail_ipv6_by_64() {
    let (_d, s) = store();
    for i in 0..20 {
        let a = Attempt::login(
            &format!("u{i}@example.com"),
            ip(&format!("2001:db8::{i:x}")),
        );
        assert_eq!(fail(&s, &a, 1, T0), 1, "{i}");
    }
    let same = Attempt::login("x@example.com", ip("2001:db8::ffff:1"));
    let r = refusal(&s, &same, T0).expect("the /64 is locked");
    assert_eq!((r.limit, r.wait), (Limit::Address, 900));
    let other = Attempt::login("x@example.com", ip("2001:db8:0:1::1"));
    assert_eq!(refusal(&s, &other, T0), None, "another /64");
    // A right password from the address takes its own count back.
    let (_d2, s2) = store();
    for i in 0..19 {
        let a = Attempt::login(&format!("u{i}@example.com"), ip("192.0.2.1"));
        fail(&s2, &a, 1, T0);
    }
    let ok = Attempt::login("ops@example.com", ip("192.0.2.1"));
    for _ in 0..3 {
        let r = ok.reserve_at(&s2, T0).expect("reserve").expect("allowed");
        r.succeeded_at(&s2, T0).expect("forgive");
    }
    assert_eq!(
        fail(
            &s2,
            &Attempt::login("z@example.com", ip("192.0.2.1")),
            3,
            T0
        ),
        1
    );
}

#[test]
fn the_account_slows_down_across_addresses_but_does_not_lock() {
    let (_d, s) = store();
    let from = |i: usize| Attempt::login("ops@example.com", ip(&format!("203.0.113.{i}")));
    // Two guesses from each of five addresses: the free ones.
    for i in 0..5 {
        assert_eq!(fail(&s, &from(i), 2, T0), 2);
    }
    // Now every attempt waits for the previous one: 1 s, then 2 s, 4 s…
    let r = refusal(&s, &from(50), T0).expect("slowed");
    assert_eq!((r.limit, r.wait), (Limit::Account, 1));
    assert_eq!(fail(&s, &from(6), 5, T0 + 1), 1);
    assert_eq!(refusal(&s, &from(7), T0 + 1).map(|r| r.wait), Some(2));
    assert_eq!(fail(&s, &from(8), 5, T0 + 3), 1);
    assert_eq!(refusal(&s, &from(9), T0 + 3).map(|r| r.wait), Some(4));
    // Never more than a minute.
    let mut t = T0 + 7;
    for i in 10..30 {
        let r = refusal(&s, &from(i), t).map(|r| r.wait).unwrap_or(0);
        assert!(r <= MAX_DELAY, "{r}");
        t += r;
        assert_eq!(fail(&s, &from(i), 1, t), 1);
    }
    assert_eq!(refusal(&s, &from(99), t).map(|r| r.wait), Some(MAX_DELAY));
    // The right password after the wait passes, from any address.
    let r = from(100)
        .reserve_at(&s, t + MAX_DELAY)
        .expect("reserve")
        .expect("after the wait");
    r.succeeded_at(&s, t + MAX_DELAY).expect("forgive");
    // Quiet for 15 minutes: back to normal.
    let later = t + MAX_DELAY + WINDOW + 1;
    assert_eq!(fail(&s, &from(101), 1, later), 1);
    assert_eq!(refusal(&s, &from(102), later), None);
}

#[test]
fn addresses_logged_in_from_are_not_slowed_down() {
    let (_d, s) = store();
    let usual = Attempt::login("ops@example.com", ip("2001:db8:5:6::10"));
    let r = usual.reserve_at(&s, T0).expect("reserve").expect("allowed");
    r.succeeded_at(&s, T0).expect("login");
    for i in 0..12 {
        let a = Attempt::login("ops@example.com", ip(&format!("203.0.113.{i}")));
        fail(&s, &a, 1, T0 + 1);
    }
    let stranger = Attempt::login("ops@example.com", ip("192.0.2.1"));
    assert_eq!(
        refusal(&s, &stranger, T0 + 1).map(|r| r.limit),
        Some(Limit::Account)
    );
    // The same /64, another address: known.
    let home = Attempt::login("ops@example.com", ip("2001:db8:5:6::99"));
    assert_eq!(refusal(&s, &home, T0 + 1), None);
    // Thirty days later it has to log in again to be known.
    let much_later = T0 + KNOWN_FOR + 2;
    for i in 0..12 {
        let a = Attempt::login("ops@example.com", ip(&format!("203.0.113.{i}")));
        fail(&s, &a, 1, much_later);
    }
    assert_eq!(
        refusal(&s, &home, much_later).map(|r| r.limit),
        Some(Limit::Account)
    );
    // A re-authentication does not make an address known.
    let (_d2, s2) = store();
    let r = Attempt::reauth("ops@example.com", ip("192.0.2.7"))
        .reserve_at(&s2, T0)
        .expect("reserve")
        .expect("allowed");
    r.succeeded_at(&s2, T0).expect("forgive");
    assert!(!known(
        &s2,
        &Attempt::login("ops@example.com", ip("192.0.2.7")),
        T0
    ));
    assert!(known(&s, &usual, T0 + 1));
}

#[test]
fn re_authentication_shares_the_pair_limit_only() {
    let (_d, s) = store();
    let re = Attempt::reauth("ops@example.com", ip("198.51.100.1"));
    assert_eq!(fail(&s, &re, 7, T0), 5);
    let login = Attempt::login("ops@example.com", ip("198.51.100.1"));
    assert_eq!(refusal(&s, &login, T0).map(|r| r.limit), Some(Limit::Pair));
    // Nothing counted against the address or the account.
    let other = Attempt::login("dev@example.com", ip("198.51.100.1"));
    assert_eq!(refusal(&s, &other, T0), None);
}

#[test]
fn messages() {
    let m = |wait| {
        Refusal {
            limit: Limit::Pair,
            wait,
        }
        .message()
    };
    assert_eq!(m(1), "Too many failed attempts. Try again in 1 second.");
    assert_eq!(m(8), "Too many failed attempts. Try again in 8 seconds.");
    assert_eq!(m(900), "Too many failed attempts. Try again in 15 minutes.");
    assert_eq!(m(890), "Too many failed attempts. Try again in 15 minutes.");
    assert_eq!(m(61), "Too many failed attempts. Try again in 2 minutes.");
}

#[test]
fn two_nodes_counting_at_once_give_no_extra_guesses() {
    let (dir, first) = store();
    let path = dir.path().join("t.db");
    let second =
        crate::storage::sqlite::SqliteStore::open(&path.to_string_lossy(), 1).expect("open");
    let allowed = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for (node, s) in [(0, &first), (1, &second)] {
            let allowed = &allowed;
            scope.spawn(move || {
                for i in 0..12 {
                    // The same pair from both nodes; each guess also a new e-mail from the
                    // address, so the address's count is shared too.
                    let pair = Attempt::login("a@example.com", ip("198.51.100.1"));
                    let other =
                        Attempt::login(&format!("n{node}-{i}@example.com"), ip("198.51.100.1"));
                    let n = fail(s, &pair, 1, T0) + fail(s, &other, 1, T0);
                    allowed.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
                }
            });
        }
    });
    // Five for the pair, then the address's twenty failures (the pair's five among them).
    assert_eq!(allowed.into_inner(), 20);
    let r = refusal(
        &first,
        &Attempt::login("z@example.com", ip("198.51.100.1")),
        T0,
    );
    assert_eq!(r.map(|r| r.limit), Some(Limit::Address));
    let r = refusal(
        &second,
        &Attempt::login("a@example.com", ip("198.51.100.1")),
        T0,
    );
    assert!(r.is_some());
}

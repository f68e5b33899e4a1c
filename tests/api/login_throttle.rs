//! Login throttling over HTTP: parallel guesses, guesses spread over many addresses, and
//! IPv6 addresses counted per /64. Addresses are simulated with `X-Forwarded-For` from a
//! server that trusts the loopback proxy.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use crate::backoffice::{client, create_admin, hidden, set_cookie};
use crate::support::TestShop;

const EMAIL: &str = "ops@example.com";
const PASSWORD: &str = "another long password";
const WRONG: &str = "wrong password!!";

/// Failures allowed per e-mail and address before the lock-out.
const PAIR_LIMIT: usize = 5;

struct Attempt {
    status: u16,
    body: String,
    retry_after: Option<u64>,
}

impl Attempt {
    fn checked(&self) -> bool {
        self.status == 401 && self.body.contains("Invalid e-mail or password")
    }

    fn held_back(&self) -> bool {
        self.status == 429
            && self.body.contains("Too many failed attempts")
            && self.retry_after.is_some_and(|s| s >= 1)
    }
}

/// A fresh login form: the pre-session cookie and its token.
fn login_form(http: &reqwest::blocking::Client, url: &str) -> (String, String) {
    let page = http
        .get(format!("{url}/admin/"))
        .send()
        .expect("login page");
    let pre = set_cookie(&page, "shopws_login").expect("pre-session cookie");
    let pre = pre.split(';').next().unwrap_or_default().to_string();
    (pre, hidden(&page.text().unwrap_or_default(), "csrf"))
}

fn post_login(
    http: &reqwest::blocking::Client,
    url: &str,
    form: &(String, String),
    email: &str,
    password: &str,
    from: Option<&str>,
) -> Attempt {
    let mut rb = http
        .post(format!("{url}/admin/login"))
        .header("Origin", url)
        .header("Cookie", &form.0)
        .form(&[
            ("csrf", form.1.as_str()),
            ("email", email),
            ("password", password),
        ]);
    if let Some(ip) = from {
        rb = rb.header("X-Forwarded-For", ip);
    }
    let r = rb.send().expect("login");
    let status = r.status().as_u16();
    let retry_after = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    Attempt {
        status,
        body: r.text().unwrap_or_default(),
        retry_after,
    }
}

fn login_from(
    shop: &TestShop,
    http: &reqwest::blocking::Client,
    email: &str,
    password: &str,
    from: &str,
) -> Attempt {
    let form = login_form(http, &shop.url);
    post_login(http, &shop.url, &form, email, password, Some(from))
}

#[test]
fn parallel_wrong_passwords_get_no_more_guesses_than_the_limit() {
    const PARALLEL: usize = 30;
    let shop = TestShop::start();
    create_admin(&shop, EMAIL, PASSWORD);
    let http = client();
    let forms: Vec<_> = (0..PARALLEL)
        .map(|_| login_form(&http, &shop.url))
        .collect();
    let start = Arc::new(Barrier::new(PARALLEL));
    let threads: Vec<_> = forms
        .into_iter()
        .map(|form| {
            let (start, url) = (start.clone(), shop.url.clone());
            std::thread::spawn(move || {
                let http = client();
                start.wait();
                post_login(&http, &url, &form, EMAIL, WRONG, None)
            })
        })
        .collect();
    let results: Vec<Attempt> = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    let checked = results.iter().filter(|r| r.checked()).count();
    let held_back = results.iter().filter(|r| r.held_back()).count();
    assert_eq!(
        checked + held_back,
        PARALLEL,
        "every answer is either a wrong password or the lock-out: {:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(
        (1..=PAIR_LIMIT).contains(&checked),
        "{checked} of {PARALLEL} parallel guesses were checked (at most {PAIR_LIMIT} allowed)"
    );
    let right = post_login(
        &http,
        &shop.url,
        &login_form(&http, &shop.url),
        EMAIL,
        PASSWORD,
        None,
    );
    assert!(right.held_back(), "locked, even with the right password");
}

#[test]
fn many_addresses_cannot_guess_one_account_at_full_speed() {
    const ADDRESSES: usize = 40;
    let shop = TestShop::start_with(&["--trusted-proxies", "127.0.0.1"]);
    create_admin(&shop, EMAIL, PASSWORD);
    let http = client();
    // The employee's usual address: they logged in from it before.
    let usual = "198.51.100.7";
    assert_eq!(login_from(&shop, &http, EMAIL, PASSWORD, usual).status, 303);

    let (mut checked, mut held_back) = (0, 0);
    for a in 1..=ADDRESSES {
        let from = format!("203.0.113.{a}");
        for _ in 0..PAIR_LIMIT {
            let r = login_from(&shop, &http, EMAIL, WRONG, &from);
            if r.checked() {
                checked += 1;
            } else {
                assert!(r.held_back(), "{from}: {} {}", r.status, r.body);
                held_back += 1;
            }
        }
    }
    let total = ADDRESSES * PAIR_LIMIT;
    assert_eq!(checked + held_back, total);
    assert!(
        checked <= 20,
        "{checked} of {total} guesses from {ADDRESSES} addresses were checked"
    );

    // The slowdown does not lock the employee out: from the usual address at once...
    assert_eq!(login_from(&shop, &http, EMAIL, PASSWORD, usual).status, 303);
    // ...and from a new one after a short wait.
    let new = "192.0.2.99";
    let mut r = login_from(&shop, &http, EMAIL, PASSWORD, new);
    if r.status == 429 {
        let wait = r.retry_after.unwrap_or(0);
        assert!((1..=60).contains(&wait), "a short wait: {wait} s");
        std::thread::sleep(Duration::from_secs(wait) + Duration::from_millis(300));
        r = login_from(&shop, &http, EMAIL, PASSWORD, new);
    }
    assert_eq!(
        r.status, 303,
        "the right password after the wait: {}",
        r.body
    );
    // The guessing addresses themselves are still locked out for this account.
    assert!(login_from(&shop, &http, EMAIL, PASSWORD, "203.0.113.1").held_back());
}

#[test]
fn ipv6_addresses_are_counted_per_64() {
    const ADDRESS_LIMIT: usize = 20;
    let shop = TestShop::start_with(&["--trusted-proxies", "127.0.0.1"]);
    let http = client();
    // Every guess from another address of the same /64, each for another e-mail.
    for i in 1..=ADDRESS_LIMIT {
        let r = login_from(
            &shop,
            &http,
            &format!("nobody{i}@example.com"),
            WRONG,
            &format!("2001:db8:1:2::{i:x}"),
        );
        assert!(r.checked(), "guess {i}: {}", r.status);
    }
    let same_64 = login_from(
        &shop,
        &http,
        "someone@example.com",
        WRONG,
        "2001:db8:1:2:ffff:ffff:ffff:fffe",
    );
    assert!(same_64.held_back(), "same /64: {}", same_64.status);
    let next_64 = login_from(
        &shop,
        &http,
        "someone@example.com",
        WRONG,
        "2001:db8:1:3::1",
    );
    assert!(next_64.checked(), "another /64: {}", next_64.status);
}

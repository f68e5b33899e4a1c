//! Login throttling over HTTP: parallel guesses.

use std::sync::{Arc, Barrier};

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

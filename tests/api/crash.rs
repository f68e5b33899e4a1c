//! `kill -9` in the middle of writes: every write the server acknowledged is still there,
//! with the values sent, after a restart on the same database file, and the file is sound.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::support::TestShop;

/// One acknowledged write: where it went and the name it was given.
#[derive(Debug, Clone)]
struct Acked {
    resource: &'static str,
    id: i64,
    name: String,
    /// `rate` of a tax, `id_lang` of a tag, `active` of a manufacturer.
    other: String,
}

const RESOURCES: [&str; 3] = ["taxes", "tags", "manufacturers"];

fn body(resource: &str, name: &str, other: &str) -> String {
    match resource {
        "taxes" => format!(
            "<prestashop><tax><rate>{other}</rate><active>1</active><name><language id=\"1\">{name}</language></name></tax></prestashop>"
        ),
        "tags" => format!(
            "<prestashop><tag><id_lang>{other}</id_lang><name>{name}</name></tag></prestashop>"
        ),
        _ => format!(
            "<prestashop><manufacturer><active>{other}</active><name>{name}</name></manufacturer></prestashop>"
        ),
    }
}

fn created_id(body: &str) -> Option<i64> {
    let doc = roxmltree::Document::parse(body).ok()?;
    let entity = doc.root_element().first_element_child()?;
    entity
        .children()
        .find(|n| n.has_tag_name("id"))?
        .text()?
        .trim()
        .parse()
        .ok()
}

/// Text of the entity's element `name`; for an i18n field, its language 1 value.
fn field(body: &str, name: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(body).ok()?;
    let node = doc.descendants().find(|n| n.has_tag_name(name))?;
    let text = match node.children().find(|n| n.has_tag_name("language")) {
        Some(lang) => lang.text(),
        None => node.text(),
    };
    Some(text.unwrap_or_default().trim().to_string())
}

/// `threads` clients posting until `stop`; what the server acknowledged with 201 and an id.
fn writers(
    shop: &TestShop,
    round: usize,
    threads: usize,
    stop: &Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<Vec<Acked>>> {
    (0..threads)
        .map(|t| {
            let url = shop.url.clone();
            let key = shop.key.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let http = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .expect("client");
                let mut acked = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let resource = RESOURCES[(t + n) % RESOURCES.len()];
                    let name = format!("crash r{round} t{t} n{n}");
                    let other = match resource {
                        "taxes" => format!("{}.{:03}", 1 + n % 50, (t * 7 + n) % 1000),
                        "tags" => ["1", "2"][n % 2].to_string(),
                        _ => ["0", "1"][n % 2].to_string(),
                    };
                    n += 1;
                    let sent = http
                        .post(format!("{url}/api/{resource}"))
                        .basic_auth(&key, Some(""))
                        .body(body(resource, &name, &other))
                        .send();
                    // Once the server is gone every request fails: only 201s count.
                    let Ok(r) = sent else {
                        std::thread::sleep(Duration::from_millis(20));
                        continue;
                    };
                    let status = r.status().as_u16();
                    let Ok(text) = r.text() else { continue };
                    if status == 201 {
                        let id = created_id(&text)
                            .unwrap_or_else(|| panic!("201 without an id: {text}"));
                        acked.push(Acked {
                            resource,
                            id,
                            name,
                            other,
                        });
                    } else {
                        assert!(status >= 500, "{resource}: {status} {text}");
                    }
                }
                acked
            })
        })
        .collect()
}

/// The field a write sets besides its name, and whether `got` is the value sent.
fn other_matches(a: &Acked, got: &str) -> bool {
    match a.resource {
        "taxes" => got.parse::<f64>().ok() == a.other.parse::<f64>().ok(),
        _ => got == a.other,
    }
}

fn other_field(resource: &str) -> &'static str {
    match resource {
        "taxes" => "rate",
        "tags" => "id_lang",
        _ => "active",
    }
}

/// Reads each write back on its own (several clients at once).
fn check_each(shop: &TestShop, acked: &[Acked]) {
    let size = acked.len().div_ceil(4).max(1);
    std::thread::scope(|s| {
        for chunk in acked.chunks(size) {
            s.spawn(move || {
                for a in chunk {
                    let r = shop.get(&format!("/api/{}/{}", a.resource, a.id));
                    assert_eq!(r.status, 200, "acknowledged {a:?} is gone: {}", r.body);
                    assert_eq!(
                        field(&r.body, "name").as_deref(),
                        Some(a.name.as_str()),
                        "{a:?}"
                    );
                    let got = field(&r.body, other_field(a.resource)).unwrap_or_default();
                    assert!(other_matches(a, &got), "{a:?}: {got}");
                }
            });
        }
    });
}

/// Reads all writes back through one full list per resource.
fn check_listed(shop: &TestShop, acked: &[Acked]) {
    for resource in RESOURCES {
        let other = other_field(resource);
        let r = shop.get(&format!(
            "/api/{resource}?display=[id,name,{other}]&filter[name]=[crash]%25&language=1"
        ));
        assert_eq!(r.status, 200, "{}", r.body);
        let doc = r.xml();
        let mut rows = std::collections::HashMap::new();
        for e in doc
            .root_element()
            .first_element_child()
            .expect("list")
            .children()
        {
            if !e.is_element() {
                continue;
            }
            let text = |name: &str| {
                let n = e.children().find(|n| n.has_tag_name(name));
                let n = n.map(|n| {
                    n.children()
                        .find(|c| c.has_tag_name("language"))
                        .unwrap_or(n)
                });
                n.and_then(|n| n.text())
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            };
            let id: i64 = text("id").parse().expect("id");
            rows.insert(id, (text("name"), text(other)));
        }
        for a in acked.iter().filter(|a| a.resource == resource) {
            let (name, got) = rows
                .get(&a.id)
                .unwrap_or_else(|| panic!("acknowledged {a:?} is not listed"));
            assert_eq!(name, &a.name, "{a:?}");
            assert!(other_matches(a, got), "{a:?}: {got}");
        }
    }
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let first = TestShop::start();
    let (db, key) = (first.db.clone(), first.key.clone());
    let mut acked: Vec<Acked> = Vec::new();
    let mut fresh: Vec<Acked> = Vec::new();
    let mut current = Some(first);
    // The first shop owns the database's directory: it is kept (dead) until the end.
    let mut keep = Vec::new();
    for round in 0..3 {
        let mut shop = match current.take() {
            Some(s) => s,
            None => TestShop::start_on(&db, &key, &[]),
        };
        // The writes acknowledged just before the last kill, one by one.
        check_each(&shop, &fresh);
        shop.assert_integrity();
        check_listed(&shop, &acked);
        let stop = Arc::new(AtomicBool::new(false));
        let handles = writers(&shop, round, 8, &stop);
        std::thread::sleep(Duration::from_millis(1500));
        // Killed while the writers are still sending.
        shop.signal("KILL");
        let status = shop.wait_exit(Duration::from_secs(10)).expect("killed");
        assert!(!status.success());
        std::thread::sleep(Duration::from_millis(200));
        stop.store(true, Ordering::Relaxed);
        let before = acked.len();
        for h in handles {
            acked.extend(h.join().expect("writer"));
        }
        fresh = acked[before..].to_vec();
        assert!(
            acked.len() > before + 8,
            "round {round}: only {} writes acknowledged",
            acked.len() - before
        );
        keep.push(shop);
    }
    let last = TestShop::start_on(&db, &key, &[]);
    last.assert_integrity();
    check_each(&last, &fresh);
    check_listed(&last, &acked);
    // Ids are never handed out twice.
    for r in RESOURCES {
        let mut ids: Vec<i64> = acked
            .iter()
            .filter(|a| a.resource == r)
            .map(|a| a.id)
            .collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "{r}: an id was acknowledged twice");
    }
    // The restarted server takes writes again.
    let r = last.send("POST", "/api/tags", &body("tags", "after the crashes", "1"));
    assert_eq!(r.status, 201, "{}", r.body);
}

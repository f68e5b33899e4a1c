//! What the key form says, turned into typed settings: expiry, IP allowlist, rate limit,
//! permissions, shops and a custom key, each refused with the message the form shows
//! (PrestaShop's wording for the key). Pure functions of the form, the catalog and the clock.

use super::super::grid;
use super::super::web::{field, fields};
use crate::accounts::{self, key, Account, Permissions, Policy};
use crate::catalog::Catalog;

/// What the form says, as typed (re-shown on error).
pub struct Typed {
    pub key_mode: String,
    pub custom_key: String,
    pub description: String,
    pub active: bool,
    pub expires_in: String,
    pub expires: String,
    pub ip_allowlist: String,
    pub rate: String,
    pub burst: String,
    pub perms: Permissions,
    pub shops: Vec<i64>,
}

/// Shown when a custom key passes PrestaShop's rules but is easy to guess.
pub const WEAK_KEY: &str = "This key is too easy to guess: use at least 9 different characters and no runs like AAAAAA or 123456.";

impl Typed {
    pub fn from_form(f: &[(String, String)]) -> Self {
        let expires = field(f, "expires").trim().to_string();
        // A form without the preset list (scripts) means "the date given, if any".
        let expires_in = if f.iter().any(|(k, _)| k == "expires_in") {
            field(f, "expires_in").to_string()
        } else if expires.is_empty() {
            String::new()
        } else {
            "date".into()
        };
        Typed {
            key_mode: field(f, "key_mode").to_string(),
            custom_key: field(f, "custom_key").trim().to_string(),
            description: field(f, "description").to_string(),
            active: field(f, "active") != "0",
            expires_in,
            expires,
            ip_allowlist: field(f, "ip_allowlist").trim().to_string(),
            rate: field(f, "rate").trim().to_string(),
            burst: field(f, "burst").trim().to_string(),
            perms: grid::from_form(f),
            shops: fields(f, "shop").filter_map(|v| v.parse().ok()).collect(),
        }
    }

    pub fn from_account(a: &Account) -> Self {
        let list: Vec<String> = a
            .policy
            .ip_allowlist
            .iter()
            .map(|n| n.to_string())
            .collect();
        Typed {
            key_mode: String::new(),
            custom_key: String::new(),
            description: a.description.clone(),
            active: a.active,
            expires_in: if a.expires_at.is_some() {
                "date".into()
            } else {
                String::new()
            },
            expires: a.expires_at.clone().unwrap_or_default(),
            ip_allowlist: list.join(", "),
            rate: a
                .policy
                .rate_per_sec
                .map(|r| r.to_string())
                .unwrap_or_default(),
            burst: a.policy.burst.map(|b| b.to_string()).unwrap_or_default(),
            perms: a.permissions.clone(),
            shops: a.shops.clone(),
        }
    }

    pub fn blank() -> Self {
        Typed {
            key_mode: String::new(),
            custom_key: String::new(),
            description: String::new(),
            active: true,
            expires_in: String::new(),
            expires: String::new(),
            ip_allowlist: String::new(),
            rate: String::new(),
            burst: String::new(),
            perms: Permissions::new(),
            shops: Vec::new(),
        }
    }

    /// The key typed by hand, when the form asks for one instead of a generated key.
    pub fn custom(&self) -> Option<&str> {
        (self.key_mode == "custom").then_some(self.custom_key.as_str())
    }

    /// The expiry to store, or the message explaining why it cannot be.
    pub fn expiry(&self) -> Result<Option<String>, String> {
        match self.expires_in.as_str() {
            "" => Ok(None),
            "date" => {
                let e = &self.expires;
                let full = if e.len() == 10 {
                    format!("{e} 23:59:59")
                } else {
                    e.clone()
                };
                let f = time::macros::format_description!(
                    "[year]-[month]-[day] [hour]:[minute]:[second]"
                );
                if time::PrimitiveDateTime::parse(&full, &f).is_err() {
                    return Err(
                        "The expiry date must read YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.".into(),
                    );
                }
                Ok(Some(full))
            }
            days => match days.parse::<i64>() {
                Ok(d) if (1..=3660).contains(&d) => Ok(Some(crate::clock::now_plus(d * 86_400))),
                _ => Err("Choose an expiry from the list.".into()),
            },
        }
    }

    /// The IP allowlist and rate limit.
    pub fn policy(&self) -> Result<Policy, String> {
        let ip_allowlist = accounts::parse_allowlist(&self.ip_allowlist)?;
        let number = |s: &str, what: &str| -> Result<Option<u32>, String> {
            if s.is_empty() {
                return Ok(None);
            }
            match s.parse::<u32>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => Err(format!("The {what} must be a whole number above 0.")),
            }
        };
        let rate_per_sec = number(&self.rate, "rate limit")?;
        let burst = number(&self.burst, "burst")?;
        if burst.is_some() && rate_per_sec.is_none() {
            return Err("A burst needs a rate limit.".into());
        }
        Ok(Policy {
            ip_allowlist,
            rate_per_sec,
            burst,
        })
    }

    /// The shops to store: every shop (`None`) when there is only one, else the ones ticked.
    pub fn chosen_shops(&self, shops: &[(i64, String)]) -> Result<Option<Vec<i64>>, String> {
        if shops.len() <= 1 {
            return Ok(None);
        }
        let picked: Vec<i64> = shops
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| self.shops.contains(id))
            .collect();
        if picked.is_empty() {
            return Err(
                "Choose at least one shop: a key without a shop is refused everywhere (error 132)."
                    .into(),
            );
        }
        Ok(Some(picked))
    }
}

/// A new or edited key's settings, checked.
#[derive(Debug)]
pub struct Checked {
    /// The ticks on resources the catalog has, without the methods a resource forbids.
    pub perms: Permissions,
    pub expires: Option<String>,
    pub policy: Policy,
    /// `None`: every shop.
    pub shops: Option<Vec<i64>>,
    /// The key typed by hand (new keys only).
    pub custom: Option<String>,
}

/// Checks what the new and edit forms share, in the order the messages come: permissions,
/// expiry, policy, shops. `Err` is the message to show.
pub fn check(catalog: &Catalog, t: &Typed, shops: &[(i64, String)]) -> Result<Checked, String> {
    let perms = accounts::clean_permissions(catalog, &t.perms).map_err(|e| e.to_string())?;
    Ok(Checked {
        perms,
        expires: t.expiry()?,
        policy: t.policy()?,
        shops: t.chosen_shops(shops)?,
        custom: None,
    })
}

/// [`check`], then the custom key if there is one: PrestaShop's rules and messages, then
/// guessability.
pub fn check_new(catalog: &Catalog, t: &Typed, shops: &[(i64, String)]) -> Result<Checked, String> {
    let mut c = check(catalog, t, shops)?;
    if let Some(k) = t.custom() {
        key::validate(k).map_err(|e| e.to_string())?;
        if key::weak(k) {
            return Err(WEAK_KEY.into());
        }
        c.custom = Some(k.to_string());
    }
    Ok(c)
}

/// How long the current secret keeps working after a rotation, in seconds.
pub fn overlap(f: &[(String, String)]) -> Result<i64, String> {
    match field(f, "overlap") {
        "0" => Ok(0),
        "3600" => Ok(3600),
        "86400" => Ok(86_400),
        "604800" => Ok(604_800),
        _ => Err("Choose how long the current secret keeps working.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Method, MethodSet};

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn catalog() -> &'static Catalog {
        Catalog::embedded().expect("catalog")
    }

    fn one_shop() -> Vec<(i64, String)> {
        vec![(1, "Main".into())]
    }

    fn new_key(pairs: &[(&str, &str)]) -> Result<Checked, String> {
        check_new(catalog(), &Typed::from_form(&form(pairs)), &one_shop())
    }

    fn custom(k: &str) -> Result<Checked, String> {
        new_key(&[("key_mode", "custom"), ("custom_key", k)])
    }

    fn unix_of(s: &str) -> i64 {
        let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        time::PrimitiveDateTime::parse(s, &f)
            .expect("date")
            .assume_utc()
            .unix_timestamp()
    }

    #[test]
    fn expiry_choices() {
        let expiry = |pairs: &[(&str, &str)]| Typed::from_form(&form(pairs)).expiry();
        assert_eq!(expiry(&[]), Ok(None), "no expiry by default");
        assert_eq!(expiry(&[("expires_in", "")]), Ok(None), "Never");
        assert_eq!(
            expiry(&[("expires_in", ""), ("expires", "2030-01-01")]),
            Ok(None),
            "a date left in the field does not count when Never is chosen"
        );
        for days in [1, 30, 90, 365] {
            let got = expiry(&[("expires_in", &days.to_string())])
                .expect("preset")
                .expect("a date");
            let secs = unix_of(&got) - crate::clock::unix();
            assert!(
                (days * 86_400 - 5..=days * 86_400).contains(&secs),
                "{days}: {got}"
            );
        }
        for wrong in ["0", "-1", "3661", "soon", "1.5"] {
            assert_eq!(
                expiry(&[("expires_in", wrong)]),
                Err("Choose an expiry from the list.".into()),
                "{wrong}"
            );
        }
        assert_eq!(
            expiry(&[("expires_in", "date"), ("expires", "2031-02-03")]),
            Ok(Some("2031-02-03 23:59:59".into())),
            "a day lasts until its end"
        );
        assert_eq!(
            expiry(&[("expires_in", "date"), ("expires", " 2031-02-03 08:15:00 ")]),
            Ok(Some("2031-02-03 08:15:00".into()))
        );
        // Scripts that post no preset list: the date alone decides.
        assert_eq!(
            expiry(&[("expires", "2031-02-03")]),
            Ok(Some("2031-02-03 23:59:59".into()))
        );
        for wrong in [
            "2031-02-30",
            "03/02/2031",
            "2031-02-03T08:15:00",
            "tomorrow",
        ] {
            assert_eq!(
                expiry(&[("expires_in", "date"), ("expires", wrong)]),
                Err("The expiry date must read YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.".into()),
                "{wrong}"
            );
        }
        assert!(
            expiry(&[("expires_in", "date")]).is_err(),
            "the date chosen but not given"
        );
    }

    #[test]
    fn ip_allowlist() {
        let policy = |list: &str| Typed::from_form(&form(&[("ip_allowlist", list)])).policy();
        let nets = |list: &str| -> Vec<String> {
            policy(list)
                .expect("valid")
                .ip_allowlist
                .iter()
                .map(|n| n.to_string())
                .collect()
        };
        assert!(nets("").is_empty());
        assert!(nets("  \n ").is_empty());
        assert_eq!(
            nets("203.0.113.7, 10.0.0.0/8\n2001:db8::/32 192.0.2.1"),
            [
                "203.0.113.7/32",
                "10.0.0.0/8",
                "2001:db8::/32",
                "192.0.2.1/32"
            ]
        );
        assert_eq!(nets("2001:db8::1"), ["2001:db8::1/128"]);
        assert_eq!(
            policy("10.0.0.0/8, 300.1.1.1"),
            Err("not an IP address or network: 300.1.1.1".into())
        );
        assert_eq!(
            policy("10.0.0.0/33"),
            Err("not an IP address or network: 10.0.0.0/33".into())
        );
        assert_eq!(
            policy("example.com"),
            Err("not an IP address or network: example.com".into())
        );
    }

    #[test]
    fn rate_limit_and_burst() {
        let policy = |rate: &str, burst: &str| {
            Typed::from_form(&form(&[("rate", rate), ("burst", burst)])).policy()
        };
        let p = policy("", "").expect("none");
        assert_eq!((p.rate_per_sec, p.burst), (None, None));
        assert_eq!(p, Policy::default(), "no limit, no allowlist");
        let p = policy(" 5 ", "").expect("rate");
        assert_eq!((p.rate_per_sec, p.burst), (Some(5), None));
        let p = policy("5", "20").expect("rate and burst");
        assert_eq!((p.rate_per_sec, p.burst), (Some(5), Some(20)));
        for wrong in ["0", "-3", "2.5", "many", "99999999999"] {
            assert_eq!(
                policy(wrong, ""),
                Err("The rate limit must be a whole number above 0.".into()),
                "{wrong}"
            );
            assert_eq!(
                policy("5", wrong),
                Err("The burst must be a whole number above 0.".into()),
                "{wrong}"
            );
        }
        assert_eq!(policy("", "10"), Err("A burst needs a rate limit.".into()));
    }

    #[test]
    fn grid_ticks_become_permissions() {
        let c = new_key(&[
            ("perm", "products:GET"),
            ("perm", "products:HEAD"),
            ("perm", "products:PUT"),
            ("perm", "customers:DELETE"),
            // Methods are PrestaShop's, exactly: anything else is no tick.
            ("perm", "orders:get"),
            ("perm", "orders:TRACE"),
            ("perm", "orders"),
            // A method the resource forbids is dropped, as the grid greys it out.
            ("perm", "search:POST"),
            ("perm", "search:GET"),
        ])
        .expect("valid");
        let mut products = MethodSet::default();
        for m in [Method::Get, Method::Head, Method::Put] {
            products.insert(m);
        }
        assert_eq!(c.perms.get("products"), Some(&products));
        assert_eq!(
            c.perms.get("customers").map(|m| m.contains(Method::Delete)),
            Some(true)
        );
        assert!(!c.perms.contains_key("orders"), "no valid tick on orders");
        let search = c.perms.get("search").copied().unwrap_or_default();
        assert!(search.contains(Method::Get) && !search.contains(Method::Post));
        assert_eq!(c.perms.len(), 3);
        assert!(
            new_key(&[]).expect("valid").perms.is_empty(),
            "no tick, no permission"
        );
        assert_eq!(
            new_key(&[("perm", "dragons:GET")]).err(),
            Some("unknown resource \"dragons\"".into())
        );
    }

    #[test]
    fn custom_key_messages_are_prestashops() {
        assert_eq!(custom("").err(), Some("This field is required.".into()));
        assert_eq!(custom("   ").err(), Some("This field is required.".into()));
        assert_eq!(
            custom("ABCDEFGHJKLMNPQRSTUVWXYZ2345678").err(),
            Some("Key length must be 32 characters long.".into()),
            "31 characters"
        );
        assert_eq!(
            custom("ABCDEFGHJKLMNPQRSTUVWXYZ234567899").err(),
            Some("Key length must be 32 characters long.".into()),
            "33 characters"
        );
        let only = "Only non-accented characters, numbers, and the following special characters are allowed: @ ? # - _";
        for wrong in [
            "ABCDEFGHJKLMNPQRSTUVWXYZ2345678É",
            "ABCDEFGHJKLMNPQRSTUVWXYZ2345678!",
            "ABCDEFGHJKLMNPQRSTUVW YZ23456789",
            "ABCDEFGHJKLMNPQRSTUVWXYZ2345678/",
        ] {
            assert_eq!(custom(wrong).err(), Some(only.into()), "{wrong}");
        }
        // Every special character PrestaShop allows, and lower case.
        let fine = custom("k3y@With?Some#Spe-cial_Chars9QxZ").expect("valid");
        assert_eq!(
            fine.custom.as_deref(),
            Some("k3y@With?Some#Spe-cial_Chars9QxZ")
        );
        // Surrounding blanks are not part of the key.
        let trimmed = custom("  7QPLM2XKR9TBWN4ZJ8HDC6FVGS3YEAU5 ").expect("valid");
        assert_eq!(
            trimmed.custom.as_deref(),
            Some("7QPLM2XKR9TBWN4ZJ8HDC6FVGS3YEAU5")
        );
        // A generated key (the default) has nothing to check.
        assert_eq!(new_key(&[("custom_key", "x")]).expect("valid").custom, None);
    }

    #[test]
    fn guessable_custom_keys_are_refused() {
        for weak in [
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "ABABABABABABABABABABABABABABABAB",
            "12345678123456781234567812345678",
            // Nine different characters, but a run of six consecutive ones.
            "ABCDEFXQXQXQXQXQXQXQXQXQXQXQXQXW",
            "Q7Q7Q7Q7AAAAAAZ9Z9Z9R2R2R2M4M4M4",
        ] {
            assert_eq!(custom(weak).err(), Some(WEAK_KEY.into()), "{weak}");
        }
        assert!(custom("7QPLM2XKR9TBWN4ZJ8HDC6FVGS3YEAU5").is_ok());
    }

    #[test]
    fn shops_and_rotation_overlap() {
        let two = vec![(1, "Main".to_string()), (2, "Outlet".to_string())];
        let t = |pairs: &[(&str, &str)]| Typed::from_form(&form(pairs));
        assert_eq!(t(&[]).chosen_shops(&one_shop()), Ok(None), "one shop: all");
        assert_eq!(
            t(&[("shop", "2"), ("shop", "9"), ("shop", "x")]).chosen_shops(&two),
            Ok(Some(vec![2])),
            "unknown shops are ignored"
        );
        assert_eq!(
            t(&[("shop", "1"), ("shop", "2")]).chosen_shops(&two),
            Ok(Some(vec![1, 2]))
        );
        assert!(t(&[]).chosen_shops(&two).is_err(), "at least one");
        assert!(check(catalog(), &t(&[("shop", "9")]), &two)
            .err()
            .is_some_and(|m| m.contains("error 132")));

        let overlap = |v: &str| overlap(&form(&[("overlap", v)]));
        assert_eq!(overlap("0"), Ok(0));
        assert_eq!(overlap("3600"), Ok(3600));
        assert_eq!(overlap("86400"), Ok(86_400));
        assert_eq!(overlap("604800"), Ok(604_800));
        assert!(overlap("60").is_err() && overlap("").is_err());
    }

    #[test]
    fn messages_come_in_the_form_order() {
        // Several mistakes at once: the first in the form's order is the one shown.
        assert_eq!(
            new_key(&[
                ("perm", "dragons:GET"),
                ("expires_in", "soon"),
                ("rate", "0"),
                ("key_mode", "custom"),
            ])
            .err(),
            Some("unknown resource \"dragons\"".into())
        );
        assert_eq!(
            new_key(&[
                ("expires_in", "soon"),
                ("rate", "0"),
                ("key_mode", "custom")
            ])
            .err(),
            Some("Choose an expiry from the list.".into())
        );
        assert_eq!(
            new_key(&[("rate", "0"), ("key_mode", "custom")]).err(),
            Some("The rate limit must be a whole number above 0.".into())
        );
        assert_eq!(
            new_key(&[("key_mode", "custom")]).err(),
            Some("This field is required.".into())
        );
    }

    #[test]
    fn a_key_re_shown_as_it_is_stored() {
        let t = Typed::from_form(&form(&[
            ("description", "  ERP sync "),
            ("active", "0"),
            ("ip_allowlist", " 10.0.0.0/8 "),
        ]));
        assert_eq!(
            t.description, "  ERP sync ",
            "the description is kept as typed"
        );
        assert!(!t.active);
        assert_eq!(t.ip_allowlist, "10.0.0.0/8");
        assert!(
            Typed::from_form(&form(&[])).active,
            "enabled unless unticked"
        );
        assert!(Typed::blank().active && Typed::blank().perms.is_empty());
    }
}

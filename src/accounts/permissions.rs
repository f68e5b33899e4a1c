//! Permission sets: parsed from `RESOURCE=METHODS` grants, checked against the catalog, the
//! two presets, and how they are written down for people and the audit log.

use super::{AccountError, Permissions};
use crate::catalog::{Catalog, Method, MethodSet};

/// Permissions from grants such as `customers=GET,HEAD` (the CLI's `--allow`): methods are
/// case-insensitive, `ALL` or `*` stands for every method the resource allows, and a resource
/// granted twice gets both sets. A method named for a resource that forbids it is refused
/// (such a grant could never be used), with the methods the resource allows.
pub fn parse_grants(catalog: &Catalog, grants: &[String]) -> Result<Permissions, AccountError> {
    let mut p = Permissions::new();
    // Methods named one by one, as opposed to those ALL stands for.
    let mut named = Permissions::new();
    for spec in grants {
        let (res, methods) = spec
            .split_once('=')
            .ok_or_else(|| AccountError::BadGrant(spec.clone()))?;
        let res = res.trim();
        let set = p.entry(res.to_string()).or_insert(MethodSet::EMPTY);
        for m in methods.split(',') {
            let m = m.trim().to_ascii_uppercase();
            if m == "ALL" || m == "*" {
                *set = MethodSet::ALL;
                continue;
            }
            let method = Method::parse(&m).ok_or(AccountError::UnknownMethod(m))?;
            set.insert(method);
            named.entry(res.to_string()).or_default().insert(method);
        }
    }
    for (res, methods) in &named {
        let r = catalog
            .get(res)
            .ok_or_else(|| AccountError::UnknownResource(res.clone()))?;
        let allowed = MethodSet::ALL.minus(r.forbidden);
        let refused = methods.minus(allowed);
        if !refused.is_empty() {
            return Err(AccountError::MethodNotAllowed {
                resource: res.clone(),
                refused,
                allowed,
            });
        }
    }
    clean_permissions(catalog, &p)
}

/// Checks resource names against the catalog and drops methods the resource forbids.
pub fn clean_permissions(catalog: &Catalog, p: &Permissions) -> Result<Permissions, AccountError> {
    let mut out = Permissions::new();
    for (res, methods) in p {
        let r = catalog
            .get(res)
            .ok_or_else(|| AccountError::UnknownResource(res.clone()))?;
        let m = methods.minus(r.forbidden);
        if !m.is_empty() {
            out.insert(res.clone(), m);
        }
    }
    Ok(out)
}

/// Every method the resource allows, on every resource.
pub fn all_permissions(catalog: &Catalog) -> Permissions {
    catalog
        .resources()
        .map(|r| (r.api.clone(), MethodSet::ALL.minus(r.forbidden)))
        .collect()
}

/// GET and HEAD on every resource.
pub fn read_only_permissions(catalog: &Catalog) -> Permissions {
    catalog
        .resources()
        .map(|r| (r.api.clone(), MethodSet::READ))
        .collect()
}

/// `customers=GET,HEAD products=GET`.
pub fn permission_summary(p: &Permissions) -> String {
    let parts: Vec<String> = p
        .iter()
        .map(|(r, m)| {
            let ms: Vec<&str> = m.iter().map(|m| m.as_str()).collect();
            format!("{r}={}", ms.join(","))
        })
        .collect();
    parts.join(" ")
}

/// The difference between two sets of permissions, e.g. `+products:POST -customers:DELETE`.
pub fn permission_diff(old: &Permissions, new: &Permissions) -> String {
    let flat = |p: &Permissions| -> std::collections::BTreeSet<String> {
        p.iter()
            .flat_map(|(r, ms)| ms.iter().map(move |m| format!("{r}:{}", m.as_str())))
            .collect()
    };
    let (o, n) = (flat(old), flat(new));
    let mut parts: Vec<String> = n.difference(&o).map(|x| format!("+{x}")).collect();
    parts.extend(o.difference(&n).map(|x| format!("-{x}")));
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::testing::perms;
    use crate::catalog::Method::{Delete, Get, Head, Patch, Post, Put};

    fn catalog() -> &'static Catalog {
        Catalog::embedded().expect("catalog")
    }

    fn grants(specs: &[&str]) -> Result<Permissions, AccountError> {
        let specs: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
        parse_grants(catalog(), &specs)
    }

    fn set(methods: &[Method]) -> MethodSet {
        methods.iter().copied().collect()
    }

    #[test]
    fn grants_name_resources_and_methods() {
        let p = grants(&["customers=get, Head", " products = PUT", "products=POST"]).unwrap();
        assert_eq!(
            p,
            perms(&[
                ("customers", MethodSet::READ),
                ("products", set(&[Put, Post])),
            ])
        );
        assert_eq!(
            permission_summary(&p),
            "customers=GET,HEAD products=PUT,POST"
        );
    }

    #[test]
    fn all_in_a_grant_means_every_method_the_resource_allows() {
        let p = grants(&["customers=ALL", "stock_availables=*", "stocks=all"]).unwrap();
        assert_eq!(p["customers"], MethodSet::ALL);
        assert_eq!(p["stock_availables"], set(&[Get, Put, Patch, Head]));
        assert_eq!(p["stocks"], MethodSet::READ);
    }

    #[test]
    fn methods_a_resource_forbids_are_refused_with_those_it_allows() {
        let message = |specs: &[&str]| grants(specs).map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            message(&["stocks=POST"]),
            "stocks does not allow POST; it allows GET, HEAD"
        );
        assert_eq!(
            message(&["customers=GET", "stocks=get,delete,post"]),
            "stocks does not allow POST, DELETE; it allows GET, HEAD"
        );
        assert_eq!(
            message(&["stock_availables=GET", "stock_availables=POST"]),
            "stock_availables does not allow POST; it allows GET, PUT, PATCH, HEAD"
        );
        assert_eq!(
            message(&["warehouses=DELETE"]),
            "warehouses does not allow DELETE; it allows GET, PUT, POST, PATCH, HEAD"
        );
        // Every forbidden pair of the catalog, alone or next to an allowed method.
        let c = catalog();
        let mut pairs = 0;
        for r in c.resources() {
            for m in r.forbidden.iter() {
                for spec in [format!("{}={m}", r.api), format!("{}=GET,{m}", r.api)] {
                    let refused = grants(&[spec.as_str()]);
                    assert!(
                        matches!(&refused, Err(AccountError::MethodNotAllowed { resource, refused, allowed })
                            if *resource == r.api
                                && *refused == MethodSet::from_iter([m])
                                && *allowed == MethodSet::ALL.minus(r.forbidden)),
                        "{spec}: {refused:?}"
                    );
                }
                pairs += 1;
            }
        }
        assert_eq!(
            pairs, 15,
            "search 4, stock_availables 2, stock_movements 4, stocks 4, warehouses 1"
        );
        // ALL still means what the resource allows.
        assert_eq!(grants(&["stocks=ALL"]).unwrap()["stocks"], MethodSet::READ);
    }

    #[test]
    fn malformed_grants_are_refused() {
        let message = |specs: &[&str]| grants(specs).map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            message(&["customers"]),
            "--allow takes RESOURCE=METHOD,METHOD (got customers)"
        );
        assert_eq!(message(&["customers=GET,FETCH"]), "unknown method FETCH");
        assert_eq!(message(&["customers="]), "unknown method ");
        assert_eq!(
            message(&["customers=GET", "nothing=GET"]),
            "unknown resource \"nothing\""
        );
        assert!(matches!(
            grants(&["Customers=GET"]),
            Err(AccountError::UnknownResource(r)) if r == "Customers"
        ));
    }

    #[test]
    fn presets_cover_every_resource() {
        let c = catalog();
        let all = all_permissions(c);
        let read = read_only_permissions(c);
        assert_eq!(all.len(), c.resources().count());
        assert_eq!(read.len(), c.resources().count());
        assert!(read.values().all(|m| *m == MethodSet::READ));
        for r in c.resources() {
            assert_eq!(all[&r.api], MethodSet::ALL.minus(r.forbidden), "{}", r.api);
        }
        assert_eq!(all["products"], MethodSet::ALL);
        assert_eq!(all["stocks"], MethodSet::READ);
        assert_eq!(all["search"], MethodSet::READ);
        assert_eq!(all["warehouses"], set(&[Get, Put, Post, Patch, Head]));
        // Read-only is also what "all" leaves on read-only resources.
        assert_eq!(clean_permissions(c, &read).unwrap(), read);
    }

    #[test]
    fn cleaning_drops_forbidden_methods_and_emptied_resources() {
        let p = perms(&[
            ("stocks", set(&[Get, Post])),
            ("stock_movements", set(&[Delete])),
            ("customers", MethodSet::ALL),
        ]);
        assert_eq!(
            clean_permissions(catalog(), &p).unwrap(),
            perms(&[("customers", MethodSet::ALL), ("stocks", set(&[Get]))])
        );
        let unknown = perms(&[("nothing", MethodSet::READ)]);
        assert!(matches!(
            clean_permissions(catalog(), &unknown),
            Err(AccountError::UnknownResource(r)) if r == "nothing"
        ));
    }

    #[test]
    fn diff_lists_additions_then_removals() {
        let old = perms(&[
            ("customers", set(&[Get, Delete])),
            ("products", set(&[Get])),
        ]);
        let new = perms(&[
            ("customers", set(&[Get])),
            ("orders", set(&[Head])),
            ("products", set(&[Get, Post])),
        ]);
        assert_eq!(
            permission_diff(&old, &new),
            "+orders:HEAD +products:POST -customers:DELETE"
        );
        assert_eq!(
            permission_diff(&new, &old),
            "+customers:DELETE -orders:HEAD -products:POST"
        );
        assert_eq!(permission_diff(&old, &old), "");
        assert_eq!(
            permission_diff(&Permissions::new(), &Permissions::new()),
            ""
        );
        assert_eq!(permission_summary(&Permissions::new()), "");
    }
}

//! Permission sets: parsed from `RESOURCE=METHODS` grants, checked against the catalog, the
//! two presets, and how they are written down for people and the audit log.

use super::{AccountError, Permissions};
use crate::catalog::{Catalog, Method, MethodSet};

/// Permissions from grants such as `customers=GET,HEAD` (the CLI's `--allow`): methods are
/// case-insensitive, `ALL` or `*` stands for every method the resource allows, and a resource
/// granted twice gets both sets.
pub fn parse_grants(catalog: &Catalog, grants: &[String]) -> Result<Permissions, AccountError> {
    let mut p = Permissions::new();
    for spec in grants {
        let (res, methods) = spec
            .split_once('=')
            .ok_or_else(|| AccountError::BadGrant(spec.clone()))?;
        let set = p.entry(res.trim().to_string()).or_insert(MethodSet::EMPTY);
        for m in methods.split(',') {
            let m = m.trim().to_ascii_uppercase();
            if m == "ALL" || m == "*" {
                *set = MethodSet::ALL;
                continue;
            }
            let method = Method::parse(&m).ok_or(AccountError::UnknownMethod(m))?;
            set.insert(method);
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

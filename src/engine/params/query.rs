//! The request's parameters, decoded as PHP fills `$_GET`: `a[b][c]=v` nests, `a[]=v` appends.

#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Str(String),
    Map(Vec<(String, Param)>),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    v: Vec<(String, Param)>,
}

fn insert(map: &mut Vec<(String, Param)>, keys: &[String], value: String) {
    let Some((first, rest)) = keys.split_first() else {
        return;
    };
    let key = if first.is_empty() {
        let next = match map.iter().filter_map(|(k, _)| k.parse::<u64>().ok()).max() {
            None => 0,
            // After the largest index nothing can be appended: PHP drops the value too.
            Some(m) => match m.checked_add(1) {
                Some(n) => n,
                None => return,
            },
        };
        next.to_string()
    } else {
        first.clone()
    };
    if rest.is_empty() {
        match map.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = Param::Str(value),
            None => map.push((key, Param::Str(value))),
        }
        return;
    }
    let idx = match map.iter().position(|(k, _)| *k == key) {
        Some(i) => i,
        None => {
            map.push((key, Param::Map(Vec::new())));
            map.len() - 1
        }
    };
    if !matches!(map[idx].1, Param::Map(_)) {
        map[idx].1 = Param::Map(Vec::new());
    }
    if let Param::Map(inner) = &mut map[idx].1 {
        insert(inner, rest, value);
    }
}

fn split_name(name: &str) -> Vec<String> {
    let Some(open) = name.find('[') else {
        return vec![name.replace(['.', ' '], "_")];
    };
    if !name[open..].contains(']') {
        return vec![name.replacen('[', "_", 1).replace(['.', ' '], "_")];
    }
    let mut keys = vec![name[..open].replace(['.', ' '], "_")];
    let mut rest = &name[open..];
    while let Some(r) = rest.strip_prefix('[') {
        let Some(close) = r.find(']') else { break };
        keys.push(r[..close].to_string());
        rest = &r[close + 1..];
        if keys.len() > 16 {
            break;
        }
    }
    keys
}

impl Params {
    pub fn parse(raw: &str) -> Params {
        let mut p = Params::default();
        p.merge_raw(raw);
        p
    }
    pub fn merge_raw(&mut self, raw: &str) {
        for (n, (k, v)) in form_urlencoded::parse(raw.as_bytes()).enumerate() {
            if n >= 1000 {
                break;
            }
            let keys = split_name(&k);
            if keys.first().is_none_or(|k| k.is_empty()) {
                continue;
            }
            insert(&mut self.v, &keys, v.into_owned());
        }
    }
    pub fn get(&self, name: &str) -> Option<&Param> {
        self.v.iter().find(|(n, _)| n == name).map(|(_, p)| p)
    }
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Param::as_str)
    }
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Param)> {
        self.v.iter().map(|(n, p)| (n.as_str(), p))
    }
    pub fn remove(&mut self, name: &str) -> Option<Param> {
        let i = self.v.iter().position(|(n, _)| n == name)?;
        Some(self.v.remove(i).1)
    }
}

impl Param {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Param::Str(s) => Some(s),
            Param::Map(_) => None,
        }
    }
    pub fn as_map(&self) -> Option<&[(String, Param)]> {
        match self {
            Param::Map(m) => Some(m),
            Param::Str(_) => None,
        }
    }
}

pub fn split_path_query(path: &str) -> (&str, Option<&str>) {
    match path.find('&') {
        Some(i) => (&path[..i], Some(&path[i + 1..])),
        None => (path, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Param {
        Param::Str(v.to_string())
    }

    #[test]
    fn brackets_nest_and_append() {
        let p = Params::parse("a[b][c]=1&a[]=2&a[]=3&x.y=4");
        let a = p.get("a").and_then(Param::as_map).unwrap();
        assert_eq!(a[0].0, "b");
        assert_eq!(a[1], ("0".to_string(), s("2")));
        assert_eq!(a[2], ("1".to_string(), s("3")));
        assert_eq!(p.get_str("x_y"), Some("4"));
    }

    #[test]
    fn nothing_is_appended_after_the_largest_index() {
        let p = Params::parse("a[18446744073709551615]=1&a[]=2&b[7]=x&b[]=y");
        assert_eq!(
            p.get("a").and_then(Param::as_map),
            Some(&[("18446744073709551615".to_string(), s("1"))][..])
        );
        let b = p.get("b").and_then(Param::as_map).unwrap();
        assert_eq!(b[1], ("8".to_string(), s("y")));
    }
}

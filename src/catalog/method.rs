//! The six webservice methods and sets of them (permissions, forbidden methods).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Get,
    Put,
    Post,
    Patch,
    Delete,
    Head,
}

impl Method {
    /// In the order PrestaShop prints them in the root resource list.
    pub const ALL: [Method; 6] = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Patch,
        Method::Delete,
        Method::Head,
    ];

    /// Exact, case-sensitive, as PrestaShop compares `ps_method` and the request method.
    pub fn parse(s: &str) -> Option<Method> {
        Some(match s {
            "GET" => Method::Get,
            "PUT" => Method::Put,
            "POST" => Method::Post,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            "HEAD" => Method::Head,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }

    pub fn lower(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Put => "put",
            Method::Post => "post",
            Method::Patch => "patch",
            Method::Delete => "delete",
            Method::Head => "head",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A small set of methods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct MethodSet(u8);

impl MethodSet {
    pub const EMPTY: MethodSet = MethodSet(0);
    pub const ALL: MethodSet = MethodSet(0b11_1111);
    pub const READ: MethodSet = MethodSet(1 << (Method::Get as u8) | 1 << (Method::Head as u8));

    pub fn contains(self, m: Method) -> bool {
        self.0 & m.bit() != 0
    }
    pub fn insert(&mut self, m: Method) {
        self.0 |= m.bit();
    }
    pub fn remove(&mut self, m: Method) {
        self.0 &= !m.bit();
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn minus(self, other: MethodSet) -> MethodSet {
        MethodSet(self.0 & !other.0)
    }
    pub fn iter(self) -> impl Iterator<Item = Method> {
        Method::ALL.into_iter().filter(move |m| self.contains(*m))
    }
}

impl FromIterator<Method> for MethodSet {
    fn from_iter<I: IntoIterator<Item = Method>>(iter: I) -> Self {
        let mut s = MethodSet::EMPTY;
        for m in iter {
            s.insert(m);
        }
        s
    }
}

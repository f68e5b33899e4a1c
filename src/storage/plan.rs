//! Query plans: what the engine asks of a backend. Plans name tables and columns from the
//! catalog only and carry user values separately, so every backend binds them.

use crate::catalog::{Lookup, Restriction};

use super::Value;

/// Values that plans refer to symbolically (`:shop`, `:lang` in the catalog).
#[derive(Debug, Clone)]
pub struct Context {
    pub shop: i64,
    pub shop_group: i64,
    /// Shops a list is restricted to.
    pub shops: Vec<i64>,
    pub default_lang: i64,
    pub now: String,
}

impl Context {
    /// `:shop`, `:lang`, `:now` or a literal from the catalog's storage file.
    pub fn symbol(&self, v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::String(s) if s == ":shop" => Value::Int(self.shop),
            serde_json::Value::String(s) if s == ":lang" => Value::Int(self.default_lang),
            serde_json::Value::String(s) if s == ":now" => Value::Text(self.now.clone()),
            serde_json::Value::String(s) => Value::Text(s.clone()),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map(Value::Int)
                .unwrap_or_else(|| Value::Real(n.as_f64().unwrap_or(0.0))),
            serde_json::Value::Bool(b) => Value::Int(i64::from(*b)),
            _ => Value::Null,
        }
    }
}

/// A column of the result.
#[derive(Debug, Clone)]
pub enum Col {
    Main(String),
    /// Column of the `_lang` table for the plan's `langs[index]`.
    Lang(String, usize),
    Lookup(Lookup),
}

/// What a condition compares.
#[derive(Debug, Clone)]
pub enum Target {
    Main(String),
    /// True when any of the plan's languages matches.
    AnyLang(String),
    Lookup(Lookup),
}

#[derive(Debug, Clone)]
pub enum Op {
    /// Equal to any of the values.
    In(Vec<String>),
    /// Different from every value.
    NotIn(Vec<String>),
    Like(String),
    Between(String, String),
    Gt(String),
    Lt(String),
}

#[derive(Debug, Clone)]
pub struct Cond {
    pub target: Target,
    pub op: Op,
    /// Compare as text without regard to case (MySQL's default collation).
    pub text: bool,
}

#[derive(Debug, Clone)]
pub struct OrderBy {
    pub col: Col,
    pub desc: bool,
    pub text: bool,
}

#[derive(Debug, Clone)]
pub enum ShopFilter {
    None,
    /// `EXISTS` a row in this `_shop` table for one of the context shops.
    Linked {
        table: String,
    },
    /// Rows of the context shops, or shared rows of the shop group.
    Column,
    /// Rows whose `id_shop` is one of the context shops.
    Row,
}

#[derive(Debug, Clone)]
pub struct LangSpec {
    pub table: String,
    pub has_id_shop: bool,
    pub langs: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct ListPlan {
    pub table: String,
    pub primary: String,
    pub lang: Option<LangSpec>,
    pub shop: ShopFilter,
    pub restriction: Option<Restriction>,
    pub select: Vec<Col>,
    pub conds: Vec<Cond>,
    pub order: Vec<OrderBy>,
    /// (offset, count)
    pub limit: Option<(u64, u64)>,
}

impl ListPlan {
    pub fn new(table: &str, primary: &str) -> Self {
        ListPlan {
            table: table.to_string(),
            primary: primary.to_string(),
            lang: None,
            shop: ShopFilter::None,
            restriction: None,
            select: Vec::new(),
            conds: Vec::new(),
            order: Vec::new(),
            limit: None,
        }
    }
}

/// A simple lookup on any table: `SELECT columns FROM table WHERE key = … AND null IS NULL
/// AND any IN (…) ORDER BY order LIMIT limit`. Literals end with `..Default::default()`.
#[derive(Debug, Clone, Default)]
pub struct Select<'a> {
    pub table: &'a str,
    pub columns: &'a [&'a str],
    pub key: Vec<(&'a str, Value)>,
    pub order: &'a [&'a str],
    /// Columns that must be NULL.
    pub null: &'a [&'a str],
    /// A column equal to one of these values (none: no row).
    pub any: Option<(&'a str, Vec<Value>)>,
    /// A second column equal to one of its values (both lists must match).
    pub any_also: Option<(&'a str, Vec<Value>)>,
    pub limit: Option<u64>,
}

impl Select<'_> {
    /// True when the select can find no row whatever the data (`IN ()`, `LIMIT 0`): the
    /// backends answer it without a statement, a round trip saved on a server database.
    pub fn finds_nothing(&self) -> bool {
        let empty = |a: &Option<(&str, Vec<Value>)>| a.as_ref().is_some_and(|(_, v)| v.is_empty());
        empty(&self.any) || empty(&self.any_also) || self.limit == Some(0)
    }
}

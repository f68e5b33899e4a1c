//! Plans → SQL text with `?` placeholders and the values to bind, in order, for either
//! backend. One builder, one [`Dialect`] for what differs (identifier quoting, the table
//! prefix, case-insensitive comparison, upserts): identifiers come from the catalog or
//! shopws's own schema and are always quoted; values are never spliced.

mod assoc;
mod search;
mod select;
mod write;

pub use assoc::{assoc, assoc_union, UnionLayout};
pub use search::search;
pub use select::{count, list, max};
pub use write::{
    accumulate, delete, delete_below, increment, insert, insert_ignore, insert_rows, lock_rows,
    select, update, upsert, ROWS_PER_INSERT,
};

use super::Value;

pub struct Sql {
    pub text: String,
    pub params: Vec<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Mysql,
}

/// How one backend spells what the plans say.
#[derive(Debug, Clone)]
pub struct Dialect {
    pub kind: Kind,
    /// Prepended to every table name (`ps_` on a PrestaShop database, empty on SQLite).
    pub prefix: String,
}

impl Dialect {
    pub fn sqlite() -> Self {
        Dialect {
            kind: Kind::Sqlite,
            prefix: String::new(),
        }
    }

    pub fn mysql(prefix: &str) -> Self {
        Dialect {
            kind: Kind::Mysql,
            prefix: prefix.to_string(),
        }
    }

    fn quote(&self) -> char {
        match self.kind {
            Kind::Sqlite => '"',
            Kind::Mysql => '`',
        }
    }

    /// Appends a quoted identifier (column or alias-free name).
    pub fn push_ident(&self, out: &mut String, ident: &str) {
        let q = self.quote();
        out.push(q);
        if ident.contains(q) {
            let doubled: String = [q, q].iter().collect();
            out.push_str(&ident.replace(q, &doubled));
        } else {
            out.push_str(ident);
        }
        out.push(q);
    }

    /// Appends a quoted table name, with the prefix.
    pub fn push_table(&self, out: &mut String, table: &str) {
        if self.prefix.is_empty() {
            self.push_ident(out, table);
        } else {
            self.push_ident(out, &format!("{}{table}", self.prefix));
        }
    }

    pub fn ident(&self, ident: &str) -> String {
        let mut s = String::with_capacity(ident.len() + 2);
        self.push_ident(&mut s, ident);
        s
    }

    pub fn table(&self, table: &str) -> String {
        let mut s = String::with_capacity(table.len() + self.prefix.len() + 2);
        self.push_table(&mut s, table);
        s
    }

    /// A join done in the order written: SQLite's planner, without statistics, would
    /// otherwise start from a whole table (every product) rather than from an index range
    /// of a few rows, and MySQL's may too.
    pub fn join_in_order(&self) -> &'static str {
        match self.kind {
            Kind::Sqlite => " CROSS JOIN ",
            Kind::Mysql => " STRAIGHT_JOIN ",
        }
    }

    /// What follows a text expression to compare it as PrestaShop does (case and accents
    /// ignored). MySQL's `utf8mb4_general_ci` columns already do; SQLite's default comparison
    /// is binary, and its `PS_CI` collation is general_ci's (see `sqlite::collation`).
    pub fn nocase(&self) -> &'static str {
        match self.kind {
            Kind::Sqlite => " COLLATE PS_CI",
            Kind::Mysql => "",
        }
    }
}

/// Appends `?,?,?` (at least one mark: `IN ()` is not SQL everywhere).
fn push_marks(out: &mut String, n: usize) {
    for i in 0..n.max(1) {
        if i > 0 {
            out.push(',');
        }
        out.push('?');
    }
}

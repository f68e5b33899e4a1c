//! List, count, association and maximum statements.

use super::{push_marks, Dialect, Sql};
use crate::catalog::Lookup;
use crate::storage::plan::{Col, Cond, Context, ListPlan, Op, OrderBy, ShopFilter, Target};
use crate::storage::Value;

fn symbol(v: &serde_json::Value, ctx: &Context) -> Value {
    ctx.symbol(v)
}

/// Builds the statement in one buffer, binding values in the order their `?` appear. Every
/// read request builds one, so it appends rather than formats pieces.
struct Builder<'a> {
    d: &'a Dialect,
    plan: &'a ListPlan,
    ctx: &'a Context,
    out: String,
    params: Vec<Value>,
}

impl Builder<'_> {
    fn word(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn ident(&mut self, s: &str) {
        self.d.push_ident(&mut self.out, s);
    }

    fn table(&mut self, s: &str) {
        self.d.push_table(&mut self.out, s);
    }

    /// `alias.ident`, e.g. `m."id_product"`.
    fn qualified(&mut self, alias: &str, ident: &str) {
        self.out.push_str(alias);
        self.out.push('.');
        self.d.push_ident(&mut self.out, ident);
    }

    fn lang_alias(&mut self, i: usize) {
        self.out.push('l');
        self.out.push_str(&i.to_string());
    }

    fn lookup(&mut self, l: &Lookup) {
        // A lookup of the row itself (products.type reads product.product_type by
        // id_product) is a plain column: no correlated subquery per row.
        let own_row = l.table == self.plan.table
            && l.r#where.is_empty()
            && l.r#match.len() == 1
            && l.r#match
                .iter()
                .all(|(theirs, ours)| theirs == ours && *ours == self.plan.primary);
        if own_row {
            self.qualified("m", &l.select);
            return;
        }
        self.word("(SELECT ");
        self.qualified("x", &l.select);
        self.word(" FROM ");
        self.table(&l.table);
        self.word(" x WHERE ");
        for (n, (theirs, ours)) in l.r#match.iter().enumerate() {
            if n > 0 {
                self.word(" AND ");
            }
            self.qualified("x", theirs);
            self.word(" = ");
            self.qualified("m", ours);
        }
        for (col, v) in &l.r#where {
            self.word(" AND ");
            self.qualified("x", col);
            self.word(" = ?");
            self.params.push(symbol(v, self.ctx));
        }
        self.word(" LIMIT 1)");
    }

    fn col(&mut self, c: &Col) {
        match c {
            Col::Main(name) => self.qualified("m", name),
            Col::Lang(name, i) => {
                self.lang_alias(*i);
                self.out.push('.');
                self.ident(name);
            }
            Col::Lookup(l) => self.lookup(l),
        }
    }

    fn uses_lang(&self) -> bool {
        let lang_col = |c: &Col| matches!(c, Col::Lang(..));
        self.plan.select.iter().any(lang_col) || self.plan.order.iter().any(|o| lang_col(&o.col))
    }

    fn from(&mut self) {
        let p = self.plan;
        self.word(" FROM ");
        self.table(&p.table);
        self.word(" m");
        if let (Some(lang), true) = (&p.lang, self.uses_lang()) {
            for (i, id) in lang.langs.iter().enumerate() {
                self.word(" LEFT JOIN ");
                self.table(&lang.table);
                self.out.push(' ');
                self.lang_alias(i);
                self.word(" ON ");
                self.lang_alias(i);
                self.out.push('.');
                self.ident(&p.primary);
                self.word(" = ");
                self.qualified("m", &p.primary);
                self.word(" AND ");
                self.lang_alias(i);
                self.word(".");
                self.ident("id_lang");
                self.word(" = ?");
                self.params.push(Value::Int(*id));
                if lang.has_id_shop {
                    self.word(" AND ");
                    self.lang_alias(i);
                    self.word(".");
                    self.ident("id_shop");
                    self.word(" = ?");
                    self.params.push(Value::Int(self.ctx.shop));
                }
            }
        }
    }

    fn in_list(&mut self, ids: &[i64]) {
        push_marks(&mut self.out, ids.len());
        if ids.is_empty() {
            self.params.push(Value::Null);
        }
        self.params.extend(ids.iter().map(|id| Value::Int(*id)));
    }

    fn filters(&mut self) {
        let p = self.plan;
        self.word(" WHERE 1=1");
        let shops = &self.ctx.shops;
        match &p.shop {
            ShopFilter::None => {}
            ShopFilter::Linked { table } => {
                self.word(" AND EXISTS (SELECT 1 FROM ");
                self.table(table);
                self.word(" s WHERE ");
                self.qualified("s", &p.primary);
                self.word(" = ");
                self.qualified("m", &p.primary);
                self.word(" AND ");
                self.qualified("s", "id_shop");
                self.word(" IN (");
                self.in_list(shops);
                self.word("))");
            }
            ShopFilter::Row => {
                self.word(" AND ");
                self.qualified("m", "id_shop");
                self.word(" IN (");
                self.in_list(shops);
                self.word(")");
            }
            ShopFilter::Column => {
                self.word(" AND (");
                self.qualified("m", "id_shop");
                self.word(" IN (");
                self.in_list(shops);
                self.word(") OR (");
                self.qualified("m", "id_shop");
                self.word(" = 0 AND ");
                self.qualified("m", "id_shop_group");
                self.word(" = ?))");
                self.params.push(Value::Int(self.ctx.shop_group));
            }
        }
        if let Some(r) = &p.restriction {
            self.word(if r.exists {
                " AND EXISTS (SELECT 1 FROM "
            } else {
                " AND NOT EXISTS (SELECT 1 FROM "
            });
            self.table(&r.table);
            self.word(" r WHERE 1=1");
            for (theirs, ours) in &r.r#match {
                self.word(" AND ");
                self.qualified("r", theirs);
                self.word(" = ");
                self.qualified("m", ours);
            }
            self.word(")");
        }
        for c in &p.conds {
            self.word(" AND (");
            self.cond(c);
            self.word(")");
        }
    }

    fn cond(&mut self, c: &Cond) {
        // Text order is binding order: the expression (and any value it binds) comes first.
        let mut wrapped = false;
        match &c.target {
            Target::Main(col) => self.qualified("m", col),
            Target::Lookup(l) => self.lookup(l),
            Target::AnyLang(col) => {
                let Some(lang) = &self.plan.lang else {
                    self.word("0");
                    return;
                };
                let (table, has_shop, langs) = (&lang.table, lang.has_id_shop, &lang.langs);
                self.word("EXISTS (SELECT 1 FROM ");
                self.table(table);
                self.word(" lx WHERE ");
                self.qualified("lx", &self.plan.primary);
                self.word(" = ");
                self.qualified("m", &self.plan.primary);
                self.word(" AND ");
                self.qualified("lx", "id_lang");
                self.word(" IN (");
                self.in_list(langs);
                self.word(")");
                if has_shop {
                    self.word(" AND ");
                    self.qualified("lx", "id_shop");
                    self.word(" = ?");
                    self.params.push(Value::Int(self.ctx.shop));
                }
                self.word(" AND ");
                self.qualified("lx", col);
                wrapped = true;
            }
        }
        if c.text {
            self.word(self.d.nocase());
        }
        let values: Vec<&String> = match &c.op {
            // `IN ()` is not SQL everywhere: an empty list matches nothing, its negation all.
            Op::In(vals) if vals.is_empty() => {
                self.word(" IS NULL AND 0");
                vec![]
            }
            Op::NotIn(vals) if vals.is_empty() => {
                self.word(" IS NULL OR 1");
                vec![]
            }
            Op::In(vals) | Op::NotIn(vals) => {
                self.word(if matches!(c.op, Op::In(_)) {
                    " IN ("
                } else {
                    " NOT IN ("
                });
                for i in 0..vals.len() {
                    self.word(if i > 0 { ",?" } else { "?" });
                }
                self.word(")");
                vals.iter().collect()
            }
            Op::Like(v) => {
                self.word(" LIKE ?");
                vec![v]
            }
            Op::Between(a, b) => {
                self.word(" BETWEEN ? AND ?");
                vec![a, b]
            }
            Op::Gt(v) => {
                self.word(" > ?");
                vec![v]
            }
            Op::Lt(v) => {
                self.word(" < ?");
                vec![v]
            }
        };
        self.params
            .extend(values.into_iter().map(|v| Value::Text(v.clone())));
        if wrapped {
            self.word(")");
        }
    }

    fn order(&mut self) {
        self.word(" ORDER BY ");
        let mut has_primary = false;
        for (n, OrderBy { col, desc, text }) in self.plan.order.iter().enumerate() {
            if matches!(col, Col::Main(c) if *c == self.plan.primary) {
                has_primary = true;
            }
            if n > 0 {
                self.word(", ");
            }
            self.col(col);
            if *text {
                self.word(self.d.nocase());
            }
            self.word(if *desc { " DESC" } else { " ASC" });
        }
        if !has_primary {
            // Stable pagination: PrestaShop has no default order; ids ascending is what
            // MySQL returns in practice.
            if !self.plan.order.is_empty() {
                self.word(", ");
            }
            self.qualified("m", &self.plan.primary);
            self.word(" ASC");
        }
    }
}

pub fn list(d: &Dialect, plan: &ListPlan, ctx: &Context) -> Sql {
    let mut b = Builder {
        d,
        plan,
        ctx,
        out: String::with_capacity(256 + 48 * plan.select.len()),
        params: Vec::new(),
    };
    b.word("SELECT ");
    for (n, c) in plan.select.iter().enumerate() {
        if n > 0 {
            b.word(", ");
        }
        b.col(c);
    }
    b.from();
    b.filters();
    b.order();
    if let Some((offset, count)) = plan.limit {
        b.word(" LIMIT ? OFFSET ?");
        b.params.push(Value::Int(count.min(i64::MAX as u64) as i64));
        b.params
            .push(Value::Int(offset.min(i64::MAX as u64) as i64));
    }
    Sql {
        text: b.out,
        params: b.params,
    }
}

pub fn count(d: &Dialect, plan: &ListPlan, ctx: &Context) -> Sql {
    // The common unfiltered list of a shop-linked resource counts the link table alone: one
    // index scan instead of a correlated EXISTS per row.
    if let (ShopFilter::Linked { table }, true, None) =
        (&plan.shop, plan.conds.is_empty(), &plan.restriction)
    {
        let mut params = Vec::new();
        let marks = vec!["?"; ctx.shops.len().max(1)].join(",");
        if ctx.shops.is_empty() {
            params.push(Value::Null);
        }
        params.extend(ctx.shops.iter().map(|s| Value::Int(*s)));
        // One row per (entity, shop): with one shop a plain count is exact.
        let what = if ctx.shops.len() == 1 {
            "COUNT(*)".to_string()
        } else {
            format!("COUNT(DISTINCT s.{})", d.ident(&plan.primary))
        };
        return Sql {
            text: format!(
                "SELECT {what} FROM {t} s WHERE s.{shop} IN ({marks})",
                t = d.table(table),
                shop = d.ident("id_shop"),
            ),
            params,
        };
    }
    let mut b = Builder {
        d,
        plan,
        ctx,
        out: String::from("SELECT COUNT(*)"),
        params: Vec::new(),
    };
    b.from();
    b.filters();
    Sql {
        text: b.out,
        params: b.params,
    }
}

/// `SELECT MAX(column) FROM table WHERE k1 = ? AND …`: SQLite's min/max optimisation answers
/// it from an index on (k1, …, column) by seeking its last entry under the key, one probe
/// instead of a scan of the key's rows.
pub fn max(d: &Dialect, table: &str, column: &str, key: &[&str]) -> String {
    let mut out = String::with_capacity(64 + 24 * key.len());
    out.push_str("SELECT MAX(");
    d.push_ident(&mut out, column);
    out.push_str(") FROM ");
    d.push_table(&mut out, table);
    for (i, k) in key.iter().enumerate() {
        out.push_str(if i == 0 { " WHERE " } else { " AND " });
        d.push_ident(&mut out, k);
        out.push_str(" = ?");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(table: &str, theirs: &str, ours: &str) -> Col {
        Col::Lookup(Lookup {
            table: table.into(),
            select: "product_type".into(),
            r#match: [(theirs.to_string(), ours.to_string())].into(),
            r#where: Default::default(),
            map: Default::default(),
            otherwise: None,
            absent: None,
        })
    }

    #[test]
    fn max_binds_every_key_column() {
        let lite = Dialect::sqlite();
        assert_eq!(
            max(&lite, "category_product", "position", &["id_category"]),
            r#"SELECT MAX("position") FROM "category_product" WHERE "id_category" = ?"#
        );
        assert_eq!(
            max(&lite, "t", "n", &["a", "b"]),
            r#"SELECT MAX("n") FROM "t" WHERE "a" = ? AND "b" = ?"#
        );
        assert_eq!(max(&lite, "t", "n", &[]), r#"SELECT MAX("n") FROM "t""#);
    }

    #[test]
    fn a_lookup_of_the_row_itself_is_a_plain_column() {
        let ctx = Context {
            shop: 1,
            shop_group: 1,
            shops: vec![1],
            default_lang: 1,
            now: String::new(),
        };
        let mut plan = ListPlan::new("product", "id_product");
        plan.select = vec![
            lookup("product", "id_product", "id_product"),
            lookup("product_shop", "id_product", "id_product"),
            lookup("product", "id_category_default", "id_category_default"),
        ];
        let text = list(&Dialect::sqlite(), &plan, &ctx).text;
        assert!(
            text.starts_with(
                r#"SELECT m."product_type", (SELECT x."product_type" FROM "product_shop""#
            ),
            "{text}"
        );
        // Same table but not by its key: another row may match, so the subquery stays.
        assert!(
            text.contains(
                r#"(SELECT x."product_type" FROM "product" x WHERE x."id_category_default""#
            ),
            "{text}"
        );
    }
}

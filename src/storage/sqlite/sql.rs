//! Plans → SQLite SQL text with `?` placeholders and the values to bind, in order.
//! Identifiers come from the catalog and are always quoted; values are never spliced.

use crate::catalog::{AssocStorage, Lookup};
use crate::storage::plan::{Col, Cond, Context, ListPlan, Op, OrderBy, ShopFilter, Target};
use crate::storage::Value;

pub struct Sql {
    pub text: String,
    pub params: Vec<Value>,
}

pub fn q(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

pub fn symbol(v: &serde_json::Value, ctx: &Context) -> Value {
    ctx.symbol(v)
}

struct Builder<'a> {
    plan: &'a ListPlan,
    ctx: &'a Context,
    params: Vec<Value>,
}

impl Builder<'_> {
    fn lookup(&mut self, l: &Lookup) -> String {
        let mut s = format!("(SELECT x.{} FROM {} x WHERE ", q(&l.select), q(&l.table));
        let mut first = true;
        for (theirs, ours) in &l.r#match {
            if !first {
                s.push_str(" AND ");
            }
            first = false;
            s.push_str(&format!("x.{} = m.{}", q(theirs), q(ours)));
        }
        for (col, v) in &l.r#where {
            s.push_str(&format!(" AND x.{} = ?", q(col)));
            self.params.push(symbol(v, self.ctx));
        }
        s.push_str(" LIMIT 1)");
        s
    }

    fn col(&mut self, c: &Col) -> String {
        match c {
            Col::Main(name) => format!("m.{}", q(name)),
            Col::Lang(name, i) => format!("l{i}.{}", q(name)),
            Col::Lookup(l) => self.lookup(l),
        }
    }

    fn uses_lang(&self) -> bool {
        let lang_col = |c: &Col| matches!(c, Col::Lang(..));
        self.plan.select.iter().any(lang_col) || self.plan.order.iter().any(|o| lang_col(&o.col))
    }

    fn from(&mut self) -> String {
        let p = self.plan;
        let mut s = format!(" FROM {} m", q(&p.table));
        if let (Some(lang), true) = (&p.lang, self.uses_lang()) {
            for (i, id) in lang.langs.iter().enumerate() {
                s.push_str(&format!(
                    " LEFT JOIN {t} l{i} ON l{i}.{k} = m.{k} AND l{i}.\"id_lang\" = ?",
                    t = q(&lang.table),
                    k = q(&p.primary)
                ));
                self.params.push(Value::Int(*id));
                if lang.has_id_shop {
                    s.push_str(&format!(" AND l{i}.\"id_shop\" = ?"));
                    self.params.push(Value::Int(self.ctx.shop));
                }
            }
        }
        s
    }

    fn in_list(&mut self, ids: &[i64]) -> String {
        let marks = vec!["?"; ids.len().max(1)].join(",");
        if ids.is_empty() {
            self.params.push(Value::Null);
        }
        for id in ids {
            self.params.push(Value::Int(*id));
        }
        marks
    }

    fn filters(&mut self) -> String {
        let p = self.plan;
        let mut s = String::from(" WHERE 1=1");
        match &p.shop {
            ShopFilter::None => {}
            ShopFilter::Linked { table } => {
                let shops = self.ctx.shops.clone();
                let marks = self.in_list(&shops);
                s.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM {t} s WHERE s.{k} = m.{k} AND s.\"id_shop\" IN ({marks}))",
                    t = q(table),
                    k = q(&p.primary)
                ));
            }
            ShopFilter::Row => {
                let shops = self.ctx.shops.clone();
                let marks = self.in_list(&shops);
                s.push_str(&format!(" AND m.\"id_shop\" IN ({marks})"));
            }
            ShopFilter::Column => {
                let shops = self.ctx.shops.clone();
                let marks = self.in_list(&shops);
                s.push_str(&format!(
                    " AND (m.\"id_shop\" IN ({marks}) OR (m.\"id_shop\" = 0 AND m.\"id_shop_group\" = ?))"
                ));
                self.params.push(Value::Int(self.ctx.shop_group));
            }
        }
        if let Some(r) = &p.restriction {
            let mut sub = format!("SELECT 1 FROM {} r WHERE 1=1", q(&r.table));
            for (theirs, ours) in &r.r#match {
                sub.push_str(&format!(" AND r.{} = m.{}", q(theirs), q(ours)));
            }
            let not = if r.exists { "" } else { "NOT " };
            s.push_str(&format!(" AND {not}EXISTS ({sub})"));
        }
        for c in &p.conds {
            s.push_str(" AND ");
            let cond = self.cond(c);
            s.push_str(&cond);
        }
        s
    }

    fn cond(&mut self, c: &Cond) -> String {
        let (expr, wrap) = match &c.target {
            Target::Main(col) => (format!("m.{}", q(col)), None),
            Target::Lookup(l) => (self.lookup(l), None),
            Target::AnyLang(col) => {
                let (table, has_shop, langs) = match &self.plan.lang {
                    Some(l) => (l.table.clone(), l.has_id_shop, l.langs.clone()),
                    None => return "0".to_string(),
                };
                let marks = self.in_list(&langs);
                let mut pre = format!(
                    "EXISTS (SELECT 1 FROM {t} lx WHERE lx.{k} = m.{k} AND lx.\"id_lang\" IN ({marks})",
                    t = q(&table),
                    k = q(&self.plan.primary)
                );
                if has_shop {
                    pre.push_str(" AND lx.\"id_shop\" = ?");
                    self.params.push(Value::Int(self.ctx.shop));
                }
                pre.push_str(" AND ");
                (format!("lx.{}", q(col)), Some(pre))
            }
        };
        // The expression appears once, so any parameters it bound stay in order.
        let e = if c.text {
            format!("{expr} COLLATE NOCASE")
        } else {
            expr
        };
        let mut push = |v: &String| self.params.push(Value::Text(v.clone()));
        let body = match &c.op {
            Op::In(vals) => {
                vals.iter().for_each(&mut push);
                format!("{e} IN ({})", vec!["?"; vals.len()].join(","))
            }
            Op::NotIn(vals) => {
                vals.iter().for_each(&mut push);
                format!("{e} NOT IN ({})", vec!["?"; vals.len()].join(","))
            }
            Op::Like(p) => {
                push(p);
                format!("{e} LIKE ?")
            }
            Op::Between(a, b) => {
                push(a);
                push(b);
                format!("{e} BETWEEN ? AND ?")
            }
            Op::Gt(v) => {
                push(v);
                format!("{e} > ?")
            }
            Op::Lt(v) => {
                push(v);
                format!("{e} < ?")
            }
        };
        match wrap {
            Some(pre) => format!("{pre}{body})"),
            None => body,
        }
    }

    fn order(&mut self) -> String {
        let mut parts = Vec::new();
        let mut has_primary = false;
        for OrderBy { col, desc, text } in &self.plan.order {
            if matches!(col, Col::Main(c) if *c == self.plan.primary) {
                has_primary = true;
            }
            let e = self.col(col);
            let nocase = if *text { " COLLATE NOCASE" } else { "" };
            parts.push(format!(
                "{e}{nocase} {}",
                if *desc { "DESC" } else { "ASC" }
            ));
        }
        if !has_primary {
            // Stable pagination: PrestaShop has no default order; ids ascending is what
            // MySQL returns in practice.
            parts.push(format!("m.{} ASC", q(&self.plan.primary)));
        }
        format!(" ORDER BY {}", parts.join(", "))
    }
}

pub fn list(plan: &ListPlan, ctx: &Context) -> Sql {
    let mut b = Builder {
        plan,
        ctx,
        params: Vec::new(),
    };
    let cols: Vec<String> = plan.select.iter().map(|c| b.col(c)).collect();
    let mut text = format!("SELECT {}", cols.join(", "));
    let from = b.from();
    text.push_str(&from);
    let filters = b.filters();
    text.push_str(&filters);
    let order = b.order();
    text.push_str(&order);
    if let Some((offset, count)) = plan.limit {
        text.push_str(" LIMIT ? OFFSET ?");
        b.params.push(Value::Int(count.min(i64::MAX as u64) as i64));
        b.params
            .push(Value::Int(offset.min(i64::MAX as u64) as i64));
    }
    Sql {
        text,
        params: b.params,
    }
}

pub fn count(plan: &ListPlan, ctx: &Context) -> Sql {
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
            format!("COUNT(DISTINCT s.{})", q(&plan.primary))
        };
        return Sql {
            text: format!(
                "SELECT {what} FROM {t} s WHERE s.\"id_shop\" IN ({marks})",
                t = q(table)
            ),
            params,
        };
    }
    let mut b = Builder {
        plan,
        ctx,
        params: Vec::new(),
    };
    let mut text = String::from("SELECT COUNT(*)");
    let from = b.from();
    text.push_str(&from);
    let filters = b.filters();
    text.push_str(&filters);
    Sql {
        text,
        params: b.params,
    }
}

pub fn assoc(a: &AssocStorage, owners: &[i64], ctx: &Context) -> Sql {
    let mut params = Vec::new();
    let owner = match &a.via {
        Some(_) => format!("v.{}", q(&a.owner)),
        None => format!("t.{}", q(&a.owner)),
    };
    let cols: Vec<String> = a
        .columns
        .0
        .iter()
        .map(|(_, c)| format!("t.{}", q(c)))
        .collect();
    let distinct = if a.distinct { "DISTINCT " } else { "" };
    let mut text = format!(
        "SELECT {distinct}{owner}, {} FROM {} t",
        cols.join(", "),
        q(&a.table)
    );
    if let Some(via) = &a.via {
        text.push_str(&format!(
            " JOIN {} v ON v.{k} = t.{k}",
            q(&via.table),
            k = q(&via.key)
        ));
    }
    let marks = vec!["?"; owners.len().max(1)].join(",");
    if owners.is_empty() {
        params.push(Value::Null);
    }
    params.extend(owners.iter().map(|o| Value::Int(*o)));
    text.push_str(&format!(" WHERE {owner} IN ({marks})"));
    for (col, v) in &a.r#where {
        // Unary plus: filter on it, but let the owner index drive the lookup.
        text.push_str(&format!(" AND +t.{} = ?", q(col)));
        params.push(symbol(v, ctx));
    }
    let mut order = vec![owner.clone()];
    order.extend(a.order.iter().map(|c| format!("t.{}", q(c))));
    text.push_str(&format!(" ORDER BY {}", order.join(", ")));
    Sql { text, params }
}

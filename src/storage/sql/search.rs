//! The statements of the product search (see `storage::search`), on PrestaShop's tables.

use super::{Dialect, Sql};
use crate::storage::search::{Prefix, Scope, SearchRead};
use crate::storage::Value;

struct B<'a> {
    d: &'a Dialect,
    out: String,
    params: Vec<Value>,
}

impl B<'_> {
    fn w(&mut self, s: &str) -> &mut Self {
        self.out.push_str(s);
        self
    }
    fn t(&mut self, table: &str, alias: &str) -> &mut Self {
        self.d.push_table(&mut self.out, table);
        self.out.push(' ');
        self.out.push_str(alias);
        self
    }
    /// `alias."column"`
    fn c(&mut self, alias: &str, col: &str) -> &mut Self {
        self.out.push_str(alias);
        self.out.push('.');
        self.d.push_ident(&mut self.out, col);
        self
    }
    fn v(&mut self, v: Value) -> &mut Self {
        self.out.push('?');
        self.params.push(v);
        self
    }
    fn int(&mut self, i: i64) -> &mut Self {
        self.v(Value::Int(i))
    }

    /// `w.id_lang = ? AND w.id_shop = ?` on a `search_word` alias.
    fn scope(&mut self, w: &str, s: Scope) -> &mut Self {
        self.c(w, "id_lang").w(" = ").int(s.lang).w(" AND ");
        self.c(w, "id_shop").w(" = ").int(s.shop)
    }

    fn range(&mut self, w: &str, p: &Prefix) -> &mut Self {
        self.w("(")
            .c(w, "word")
            .w(" >= ")
            .v(Value::from(p.lo.as_str()));
        self.w(" AND ")
            .c(w, "word")
            .w(" < ")
            .v(Value::from(p.hi.as_str()));
        self.w(")")
    }

    /// A join kept in the order written (words, then their index rows, then products).
    fn join(&mut self) -> &mut Self {
        let j = self.d.join_in_order();
        self.w(j)
    }

    /// `JOIN product_shop ps …` restricted to rows PrestaShop searches.
    fn product_shop(&mut self, si: &str, shop: i64) -> &mut Self {
        self.join().t("product_shop", "ps").w(" ON ");
        self.c("ps", "id_product").w(" = ").c(si, "id_product");
        self.w(" AND ").c("ps", "id_shop").w(" = ").int(shop);
        self.w(" AND ").c("ps", "active").w(" = 1 AND ");
        self.c("ps", "indexed")
            .w(" = 1 AND ")
            .c("ps", "visibility")
            .w(" IN (");
        self.v(Value::from("both"))
            .w(", ")
            .v(Value::from("search"))
            .w(")")
    }
}

pub fn search(d: &Dialect, q: &SearchRead) -> Sql {
    let mut b = B {
        d,
        out: String::with_capacity(1024),
        params: Vec::new(),
    };
    match q {
        SearchRead::Count { scope, prefix, cap } => {
            b.w("SELECT COUNT(*) FROM (SELECT 1 AS one FROM ")
                .t("search_word", "sw");
            b.join().t("search_index", "si").w(" ON ");
            b.c("si", "id_word").w(" = ").c("sw", "id_word");
            b.product_shop("si", scope.shop);
            b.w(" WHERE ")
                .scope("sw", *scope)
                .w(" AND ")
                .range("sw", prefix);
            b.w(" LIMIT ").int(i64::try_from(*cap).unwrap_or(i64::MAX));
            b.w(") n");
        }
        SearchRead::Rank {
            scope,
            any,
            group,
            limit,
        } => rank(&mut b, *scope, any, *group, *limit),
    }
    Sql {
        text: b.out,
        params: b.params,
    }
}

fn rank(b: &mut B, scope: Scope, any: &[Vec<Prefix>], group: Option<i64>, limit: u64) {
    let mut all: Vec<&Prefix> = Vec::new();
    for p in any.iter().flatten() {
        if !all.contains(&p) {
            all.push(p);
        }
    }
    b.w("SELECT ")
        .c("si", "id_product")
        .w(", SUM(")
        .c("si", "weight")
        .w(") AS score");
    if any.iter().all(|words| words.len() == 1) {
        // Single words: driven by the words in range (index seeks), then their index rows.
        b.w(" FROM ").t("search_word", "sw");
        b.join().t("search_index", "si").w(" ON ");
        b.c("si", "id_word").w(" = ").c("sw", "id_word");
    } else {
        // Several words to a list: its products are those of its rarest word having each
        // other word (a key probe each), so a common word is never read whole; then their
        // own index rows (a few dozen each) give the score.
        b.w(" FROM (");
        for (i, words) in any.iter().enumerate() {
            if i > 0 {
                b.w(" UNION ");
            }
            candidates(b, scope, words);
        }
        b.w(") cand");
        b.join().t("search_index", "si").w(" ON ");
        b.c("si", "id_product").w(" = cand.id_product");
        b.join().t("search_word", "sw").w(" ON ");
        b.c("sw", "id_word").w(" = ").c("si", "id_word");
    }
    b.product_shop("si", scope.shop);
    b.w(" WHERE ").scope("sw", scope).w(" AND (");
    if all.is_empty() {
        b.w("0");
    }
    for (i, p) in all.iter().enumerate() {
        if i > 0 {
            b.w(" OR ");
        }
        b.range("sw", p);
    }
    b.w(")");
    // In an active category (visible to the visitors' group when groups are on): the
    // product's links first, then each category by key (not every active category).
    b.w(" AND EXISTS (SELECT 1 FROM ")
        .t("category_product", "cp");
    b.join().t("category", "c").w(" ON ");
    b.c("c", "id_category").w(" = ").c("cp", "id_category");
    if let Some(g) = group {
        b.join().t("category_group", "cg").w(" ON ");
        b.c("cg", "id_category").w(" = ").c("cp", "id_category");
        b.w(" AND ").c("cg", "id_group").w(" = ").int(g);
    }
    b.w(" WHERE ")
        .c("cp", "id_product")
        .w(" = ")
        .c("si", "id_product");
    b.w(" AND ").c("c", "active").w(" = 1)");
    // Named in the language, and so is its default category (PrestaShop's inner joins).
    b.w(" AND EXISTS (SELECT 1 FROM ")
        .t("product_lang", "pl")
        .w(" WHERE ");
    b.c("pl", "id_product")
        .w(" = ")
        .c("si", "id_product")
        .w(" AND ");
    b.c("pl", "id_lang").w(" = ").int(scope.lang).w(" AND ");
    b.c("pl", "id_shop").w(" = ").int(scope.shop).w(")");
    b.w(" AND EXISTS (SELECT 1 FROM ")
        .t("category_lang", "cl")
        .w(" WHERE ");
    b.c("cl", "id_category")
        .w(" = ")
        .c("ps", "id_category_default")
        .w(" AND ");
    b.c("cl", "id_lang").w(" = ").int(scope.lang).w(" AND ");
    b.c("cl", "id_shop").w(" = ").int(scope.shop).w(")");
    b.w(" GROUP BY ").c("si", "id_product");
    b.w(" ORDER BY score DESC, ")
        .c("si", "id_product")
        .w(" ASC LIMIT ");
    b.int(i64::try_from(limit).unwrap_or(i64::MAX));
}

/// `SELECT id_product` of the products having a word in each range of `words`, found from
/// the first range.
fn candidates(b: &mut B, scope: Scope, words: &[Prefix]) {
    let Some((first, rest)) = words.split_first() else {
        b.w("SELECT 0 AS id_product");
        return;
    };
    b.w("SELECT ")
        .c("x0", "id_product")
        .w(" AS id_product FROM ");
    b.t("search_word", "y0");
    b.join().t("search_index", "x0").w(" ON ");
    b.c("x0", "id_word").w(" = ").c("y0", "id_word");
    b.w(" WHERE ")
        .scope("y0", scope)
        .w(" AND ")
        .range("y0", first);
    for p in rest {
        // The words in range (an index range), then whether the product has one (a
        // primary key probe each).
        b.w(" AND EXISTS (SELECT 1 FROM ").t("search_word", "y");
        b.join().t("search_index", "x").w(" ON ");
        b.c("x", "id_word").w(" = ").c("y", "id_word").w(" WHERE ");
        b.c("x", "id_product")
            .w(" = ")
            .c("x0", "id_product")
            .w(" AND ");
        b.scope("y", scope).w(" AND ").range("y", p).w(")");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_ranges_and_every_value_is_bound() {
        let any = vec![vec![Prefix::new("shirt"), Prefix::new("blue")]];
        let s = search(
            &Dialect::mysql("ps_"),
            &SearchRead::Rank {
                scope: Scope { lang: 1, shop: 1 },
                any: &any,
                group: None,
                limit: 10,
            },
        );
        assert!(s.text.contains("`ps_search_word` sw"), "{}", s.text);
        assert!(s.text.contains("sw.`word` >= ? AND sw.`word` < ?"));
        assert!(!s.text.contains("shirt") && !s.text.contains("LIKE"));
        assert_eq!(s.text.matches('?').count(), s.params.len());
    }
}

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

    /// `(…) w`: the ids of the words in any of the ranges, once each (a word two ranges
    /// match counts once), one index range each. Not `range OR range` on a joined table:
    /// SQLite 3.50 reads that as every word of the language there.
    fn words(&mut self, scope: Scope, all: &[&Prefix]) -> &mut Self {
        self.w("(");
        if all.is_empty() {
            self.w("SELECT 0 AS id_word");
        }
        for (i, p) in all.iter().enumerate() {
            if i > 0 {
                self.w(" UNION ");
            }
            self.w("SELECT ").c("sw", "id_word").w(" AS id_word FROM ");
            self.t("search_word", "sw").w(" WHERE ").scope("sw", scope);
            self.w(" AND ").range("sw", p);
        }
        self.w(") w")
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
        SearchRead::Words {
            scope,
            prefix,
            limit,
        } => {
            b.w("SELECT ").c("sw", "id_word").w(" FROM ");
            b.t("search_word", "sw").w(" WHERE ").scope("sw", *scope);
            b.w(" AND ").range("sw", prefix).w(" LIMIT ");
            b.int(i64::try_from(*limit).unwrap_or(i64::MAX));
        }
        SearchRead::Top { word, page } => {
            // One word: a product's score is the weight of its one row, read in the order
            // of an index (id_word, weight DESC, id_product) where there is one.
            b.w("SELECT ")
                .c("si", "id_product")
                .w(", ")
                .c("si", "weight");
            b.w(" AS score FROM ").t("search_index", "si").w(" WHERE ");
            b.c("si", "id_word").w(" = ").int(*word);
            b.w(" ORDER BY ").c("si", "weight").w(" DESC, ");
            b.c("si", "id_product").w(" ASC LIMIT ");
            b.int(i64::try_from(page.1).unwrap_or(i64::MAX))
                .w(" OFFSET ");
            b.int(i64::try_from(page.0).unwrap_or(i64::MAX));
        }
        SearchRead::Rank { scope, any, page } => rank(&mut b, *scope, any, *page),
        SearchRead::Eligible {
            scope,
            products,
            group,
        } => eligible(&mut b, *scope, products, *group),
    }
    Sql {
        text: b.out,
        params: b.params,
    }
}

fn rank(b: &mut B, scope: Scope, any: &[Vec<Prefix>], page: (u64, u64)) {
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
        .w(") AS score FROM ");
    if any.iter().any(|words| words.len() > 1) {
        // Several words to a list: its products are those of its rarest word having each
        // other word (a key probe each), so a common word is never read whole; their score
        // is a key probe per word in range.
        b.w("(");
        for (i, words) in any.iter().enumerate() {
            if i > 0 {
                b.w(" UNION ");
            }
            candidates(b, scope, words);
        }
        b.w(") cand");
        b.join().words(scope, &all);
        b.join().t("search_index", "si").w(" ON ");
        b.c("si", "id_word").w(" = w.id_word AND ");
        b.c("si", "id_product").w(" = cand.id_product");
    } else {
        // Single words: driven by the words in range, then their index rows.
        b.words(scope, &all);
        b.join().t("search_index", "si").w(" ON ");
        b.c("si", "id_word").w(" = w.id_word");
    }
    b.w(" GROUP BY ").c("si", "id_product");
    b.w(" ORDER BY score DESC, ")
        .c("si", "id_product")
        .w(" ASC LIMIT ");
    b.int(i64::try_from(page.1).unwrap_or(i64::MAX))
        .w(" OFFSET ");
    b.int(i64::try_from(page.0).unwrap_or(i64::MAX));
}

/// Which of `products` PrestaShop's search may show: active, visible in search and indexed
/// in the shop, named in the language, in an active category (visible to `group` when
/// given), its default category named in the language.
fn eligible(b: &mut B, scope: Scope, products: &[i64], group: Option<i64>) {
    b.w("SELECT ").c("ps", "id_product").w(" FROM ");
    b.t("product_shop", "ps").w(" WHERE ");
    b.c("ps", "id_product").w(" IN (");
    if products.is_empty() {
        b.v(crate::storage::Value::Null);
    }
    for (i, id) in products.iter().enumerate() {
        if i > 0 {
            b.w(",");
        }
        b.int(*id);
    }
    b.w(") AND ").c("ps", "id_shop").w(" = ").int(scope.shop);
    b.w(" AND ").c("ps", "active").w(" = 1 AND ");
    b.c("ps", "indexed")
        .w(" = 1 AND ")
        .c("ps", "visibility")
        .w(" IN (");
    b.v(Value::from("both"))
        .w(", ")
        .v(Value::from("search"))
        .w(")");
    // The product's links first, then each category by key (not every active category).
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
        .c("ps", "id_product");
    b.w(" AND ").c("c", "active").w(" = 1)");
    // Named in the language, and so is its default category (PrestaShop's inner joins).
    b.w(" AND EXISTS (SELECT 1 FROM ")
        .t("product_lang", "pl")
        .w(" WHERE ");
    b.c("pl", "id_product")
        .w(" = ")
        .c("ps", "id_product")
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
}

/// `SELECT id_product` of the products having a word in each range of `words`, found from
/// the first range.
fn candidates(b: &mut B, scope: Scope, words: &[Prefix]) {
    let Some((first, rest)) = words.split_first() else {
        b.w("SELECT 0 AS id_product");
        return;
    };
    // Distinct: a product with two words in the first range would count its words twice.
    b.w("SELECT DISTINCT ")
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
        has_word(b, scope, "x0", p);
    }
}

/// `AND EXISTS` a word of the product `alias.id_product` in the range: the words in range
/// (an index range), then whether the product has one (a primary key probe each).
fn has_word(b: &mut B, scope: Scope, alias: &str, p: &Prefix) {
    b.w(" AND EXISTS (SELECT 1 FROM ").t("search_word", "y");
    b.join().t("search_index", "x").w(" ON ");
    b.c("x", "id_word").w(" = ").c("y", "id_word").w(" WHERE ");
    b.c("x", "id_product")
        .w(" = ")
        .c(alias, "id_product")
        .w(" AND ");
    b.scope("y", scope).w(" AND ").range("y", p).w(")");
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
                page: (0, 10),
            },
        );
        assert!(s.text.contains("`ps_search_word` sw"), "{}", s.text);
        assert!(!s.text.contains(" OR "), "{}", s.text);
        assert!(s.text.contains("sw.`word` >= ? AND sw.`word` < ?"));
        assert!(!s.text.contains("shirt") && !s.text.contains("LIKE"));
        assert_eq!(s.text.matches('?').count(), s.params.len());
    }
}

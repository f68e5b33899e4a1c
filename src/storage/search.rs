//! What the search of products asks of a backend: statements on PrestaShop's own index
//! tables (`search_word`, `search_index`), so that an index built by PrestaShop is read as it
//! is and one built by shopws is read by PrestaShop.

/// A word prefix as a range of the unique index `search_word (id_lang, id_shop, word)`:
/// `lo <= word < hi`. A prefix `LIKE 'w%'` under a custom collation is not answered from an
/// index by SQLite; a range is, on both backends (words are stored folded to lower case, so
/// the binary order of SQLite and the general_ci order of MySQL agree on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    pub lo: String,
    pub hi: String,
}

impl Prefix {
    /// The words starting with `p` (which must not be empty).
    pub fn new(p: &str) -> Prefix {
        let mut hi: Vec<char> = p.chars().collect();
        // The smallest string above every word starting with `p`: its last character plus
        // one (a character that has no successor is dropped, widening to the shorter prefix).
        while let Some(last) = hi.pop() {
            if let Some(next) = char::from_u32(u32::from(last) + 1) {
                hi.push(next);
                break;
            }
        }
        Prefix {
            lo: p.to_string(),
            hi: hi.into_iter().collect(),
        }
    }
}

/// The language and shop an index lookup is for (words are stored per both).
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub lang: i64,
    pub shop: i64,
}

/// A read of the index.
#[derive(Debug, Clone)]
pub enum SearchRead<'a> {
    /// How many index rows of products active, visible in search and indexed in the shop
    /// have a word in the range, counted up to `cap` (`[n]`): 0 tells a word PrestaShop
    /// drops, and the counts which word of an expression has the fewest products.
    Count {
        scope: Scope,
        prefix: &'a Prefix,
        cap: u64,
    },
    /// The ids of the words in the range (`[id_word]`), at most `limit`.
    Words {
        scope: Scope,
        prefix: &'a Prefix,
        limit: u64,
    },
    /// [`Rank`](Self::Rank) for a query of one word whose range holds a single word: the
    /// products of that word by weight, then id.
    Top { word: i64, page: (u64, u64) },
    /// Products by relevance (`[id_product, score]`, score descending, then id; `page` is
    /// (offset, count)): those having, for one of the `any` lists, a word in each of its
    /// ranges; the score is the sum of the weights of their words in any of the ranges. Each
    /// list starts with its range of fewest products: the products of a list of several
    /// words are found from it.
    Rank {
        scope: Scope,
        any: &'a [Vec<Prefix>],
        page: (u64, u64),
    },
    /// Which of `products` (`[id_product]`) the search may show: active, visible in search
    /// and indexed in the shop, named in the language, in an active category (visible to
    /// `group` when given) and whose default category is named in the language.
    Eligible {
        scope: Scope,
        products: &'a [i64],
        group: Option<i64>,
    },
}

#[cfg(test)]
mod tests {
    use super::Prefix;

    #[test]
    fn a_prefix_is_a_range() {
        assert_eq!(
            Prefix::new("shirt"),
            Prefix {
                lo: "shirt".into(),
                hi: "shiru".into()
            }
        );
        assert_eq!(Prefix::new("az9").hi, "az:");
    }
}

//! The search settings of PrestaShop's configuration. Writes take them from the shop
//! snapshot of the request (read at most once a second: a change made in PrestaShop's back
//! office applies within a second); a reindex command and a search read them afresh.

use std::collections::HashMap;

use super::words::Rules;
use crate::storage::{Reader, Select, StorageResult, Value};

/// Field weights (PS_SEARCH_WEIGHT_*), indexing switch and word rules.
#[derive(Debug, Clone)]
pub struct Config {
    /// PS_SEARCH_INDEXATION: products are indexed when they are written.
    pub indexation: bool,
    pub pname: i64,
    pub reference: i64,
    pub shortdesc: i64,
    pub desc: i64,
    pub cname: i64,
    pub mname: i64,
    pub tag: i64,
    pub attribute: i64,
    pub feature: i64,
    pub min_len: usize,
    pub max_len: usize,
    /// PS_SEARCH_BLACKLIST by language (`|`-separated; the value for all languages under 0).
    blacklists: HashMap<i64, String>,
    /// PS_GROUP_FEATURE_ACTIVE and PS_UNIDENTIFIED_GROUP: the group whose categories a
    /// webservice search (a visitor, no customer) may show, when groups are on.
    pub visitor_group: Option<i64>,
    /// The installed languages: the index has words in each.
    pub langs: Vec<i64>,
}

const NAMES: &[&str] = &[
    "PS_SEARCH_INDEXATION",
    "PS_SEARCH_WEIGHT_PNAME",
    "PS_SEARCH_WEIGHT_REF",
    "PS_SEARCH_WEIGHT_SHORTDESC",
    "PS_SEARCH_WEIGHT_DESC",
    "PS_SEARCH_WEIGHT_CNAME",
    "PS_SEARCH_WEIGHT_MNAME",
    "PS_SEARCH_WEIGHT_TAG",
    "PS_SEARCH_WEIGHT_ATTRIBUTE",
    "PS_SEARCH_WEIGHT_FEATURE",
    "PS_SEARCH_MINWORDLEN",
    "PS_SEARCH_MAX_WORD_LENGTH",
    "PS_SEARCH_BLACKLIST",
    "PS_GROUP_FEATURE_ACTIVE",
    "PS_UNIDENTIFIED_GROUP",
];

impl Config {
    pub fn load<R: Reader + ?Sized>(rd: &mut R) -> StorageResult<Config> {
        let rows = rd.select(&Select {
            table: "configuration",
            columns: &[
                "id_configuration",
                "name",
                "value",
                "id_shop",
                "id_shop_group",
            ],
            order: &["id_configuration"],
            any: Some(("name", NAMES.iter().map(|n| Value::from(*n)).collect())),
            ..Default::default()
        })?;
        // The value for all shops wins, as the rest of shopws reads settings.
        let mut values: HashMap<String, (i64, String)> = HashMap::new();
        for r in &rows {
            let global = r[3].is_null() && r[4].is_null();
            let name = r[1].to_text();
            if global || !values.contains_key(&name) {
                values.insert(name, (r[0].as_i64().unwrap_or(0), r[2].to_text()));
            }
        }
        let num = |n: &str, d: i64| {
            values
                .get(n)
                .and_then(|(_, v)| v.trim().parse::<i64>().ok())
                .unwrap_or(d)
        };
        let mut blacklists = HashMap::new();
        if let Some((id, v)) = values.get("PS_SEARCH_BLACKLIST") {
            blacklists.insert(0, v.clone());
            // A multilingual setting keeps its values in configuration_lang.
            for r in rd.select(&Select {
                table: "configuration_lang",
                columns: &["id_lang", "value"],
                key: vec![("id_configuration", Value::Int(*id))],
                ..Default::default()
            })? {
                blacklists.insert(r[0].as_i64().unwrap_or(0), r[1].to_text());
            }
        }
        let langs = rd
            .select(&Select {
                table: "lang",
                columns: &["id_lang"],
                order: &["id_lang"],
                ..Default::default()
            })?
            .iter()
            .filter_map(|r| r[0].as_i64())
            .collect();
        Ok(Config {
            langs,
            indexation: num("PS_SEARCH_INDEXATION", 1) != 0,
            pname: num("PS_SEARCH_WEIGHT_PNAME", 6),
            reference: num("PS_SEARCH_WEIGHT_REF", 10),
            shortdesc: num("PS_SEARCH_WEIGHT_SHORTDESC", 1),
            desc: num("PS_SEARCH_WEIGHT_DESC", 1),
            cname: num("PS_SEARCH_WEIGHT_CNAME", 3),
            mname: num("PS_SEARCH_WEIGHT_MNAME", 3),
            tag: num("PS_SEARCH_WEIGHT_TAG", 4),
            attribute: num("PS_SEARCH_WEIGHT_ATTRIBUTE", 2),
            feature: num("PS_SEARCH_WEIGHT_FEATURE", 2),
            min_len: usize::try_from(num("PS_SEARCH_MINWORDLEN", 3)).unwrap_or(3),
            max_len: usize::try_from(num("PS_SEARCH_MAX_WORD_LENGTH", 15))
                .unwrap_or(15)
                .clamp(1, 30),
            blacklists,
            visitor_group: (num("PS_GROUP_FEATURE_ACTIVE", 0) != 0)
                .then(|| num("PS_UNIDENTIFIED_GROUP", 1)),
        })
    }

    /// The word rules for one language.
    pub fn rules(&self, lang: i64) -> Rules {
        let blacklist = self
            .blacklists
            .get(&lang)
            .or_else(|| self.blacklists.get(&0))
            .map(String::as_str)
            .unwrap_or("");
        Rules {
            min_len: self.min_len,
            max_len: self.max_len,
            blacklist: Vec::new(),
        }
        .with_blacklist(blacklist)
    }
}

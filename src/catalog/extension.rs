//! The shape of `storage.json`: where PrestaShop's PHP-computed fields and associations live
//! in the database. Names in it are schema identifiers and are trusted like the catalog itself.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ExtensionFile {
    #[serde(default)]
    pub computed: BTreeMap<String, Lookup>,
    #[serde(default)]
    pub associations: BTreeMap<String, AssocStorage>,
    /// i18n fields whose PHP getter reads a column of the resource's `_lang` table (one value
    /// per language) and that have no setter: `resource.field` -> column.
    #[serde(default)]
    pub lang_getters: BTreeMap<String, String>,
    #[serde(default)]
    pub restrictions: BTreeMap<String, Restriction>,
    /// Resources whose lists only show rows of the request's shops (`id_shop` column).
    #[serde(default)]
    pub row_shop: Vec<String>,
}

/// A value read from another table: `SELECT select FROM table WHERE match... AND where...`.
#[derive(Debug, Clone, Deserialize)]
pub struct Lookup {
    pub table: String,
    pub select: String,
    /// their column -> our (main table) column
    pub r#match: BTreeMap<String, String>,
    #[serde(default)]
    pub r#where: BTreeMap<String, serde_json::Value>,
    /// Stored value -> rendered value; values not listed render as `otherwise`.
    #[serde(default)]
    pub map: BTreeMap<String, String>,
    #[serde(default)]
    pub otherwise: Option<String>,
    /// What PrestaShop's getter returns when nothing is found (`0`, `false`, `""`); without
    /// it the value is NULL.
    #[serde(default)]
    pub absent: Option<serde_json::Value>,
}

impl Lookup {
    pub fn translate(&self, v: super::Value) -> super::Value {
        if self.map.is_empty() && self.otherwise.is_none() {
            return v;
        }
        match self.map.get(&v.to_text()).or(self.otherwise.as_ref()) {
            Some(t) => super::Value::Text(t.clone()),
            None => v,
        }
    }
}

/// Rows of a link table that form one association of an entity.
#[derive(Debug, Clone, Deserialize)]
pub struct AssocStorage {
    pub table: String,
    /// Column holding the owner entity's id (on `via.table` when `via` is set).
    pub owner: String,
    /// Output sub-field name -> column of `table`, in output order.
    pub columns: indexmap_lite::OrderedMap,
    #[serde(default)]
    pub order: Vec<String>,
    #[serde(default)]
    pub r#where: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub via: Option<Via>,
    #[serde(default)]
    pub distinct: bool,
    /// "replace": the set is replaced on write. Absent: written values are ignored, as PS does
    /// for associations without a setter.
    #[serde(default)]
    pub write: Option<String>,
    /// Extra columns written with every item (":shop", ":now" or a literal).
    #[serde(default)]
    pub constants: BTreeMap<String, serde_json::Value>,
    /// Parallel to `columns`: the scale of each DECIMAL column (from the schema), which its
    /// values are rendered with (`79.000000`).
    #[serde(skip)]
    pub decimals: Vec<Option<usize>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Via {
    pub table: String,
    pub key: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Restriction {
    pub exists: bool,
    pub table: String,
    pub r#match: BTreeMap<String, String>,
}

/// JSON objects keep their order here: the association's sub-fields are rendered in it.
pub mod indexmap_lite {
    use serde::de::{MapAccess, Visitor};
    use serde::{Deserialize, Deserializer};
    use std::fmt;

    #[derive(Debug, Clone, Default)]
    pub struct OrderedMap(pub Vec<(String, String)>);

    impl<'de> Deserialize<'de> for OrderedMap {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = OrderedMap;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("an object of strings")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<OrderedMap, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, v)) = m.next_entry::<String, String>()? {
                        out.push((k, v));
                    }
                    Ok(OrderedMap(out))
                }
            }
            d.deserialize_map(V)
        }
    }
}

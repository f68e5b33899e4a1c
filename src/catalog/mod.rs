//! The resource catalog: PrestaShop's 64 webservice resources as data.
//!
//! Loaded once at start-up from the embedded `resources.json` (generated from PrestaShop 9's
//! sources) and `storage.json` (where PHP-computed values live). Everything the engine knows
//! about a resource — node names, fields, validators, associations, tables — comes from here,
//! so field and table names in SQL can only ever be catalog names.

mod extension;
mod method;
mod model;
mod value;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

pub use extension::{AssocStorage, Lookup, Restriction, Via};
pub use method::{Method, MethodSet};
pub use value::Value;

const RESOURCES_JSON: &str = include_str!("../../assets/catalog/resources.json");
const STORAGE_JSON: &str = include_str!("../../assets/catalog/storage.json");
const SCHEMA_SQL: &str = include_str!("../../assets/catalog/schema.sql");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Int,
    Bool,
    String,
    Float,
    Date,
    Html,
    Nothing,
    Sql,
    Unknown,
}

/// Where a field's value is stored.
#[derive(Debug, Clone)]
pub enum Storage {
    /// Column of the resource's main table.
    Main(String),
    /// Column of the `_lang` table (one value per language).
    Lang(String),
    /// Read from another table (a PHP getter in PrestaShop).
    Lookup(Lookup),
    /// Column of the `_lang` table read by a PHP getter, one value per language; never
    /// written (currencies' `names`).
    LangGetter(String),
    /// Computed by a resource module, or not stored at all.
    Virtual,
}

#[derive(Debug, Clone)]
pub enum Xlink {
    None,
    /// `{wsUrl}{resource}/{value}`
    Resource(String),
    /// `{wsUrl}{resource}/{sub}/{entity id}/{value}` (products' cover image)
    Nested {
        resource: String,
        sub: String,
    },
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub kind: FieldType,
    pub storage: Storage,
    pub i18n: bool,
    pub required: bool,
    /// PrestaShop `setter: false`: sending it is error 93.
    pub read_only: bool,
    /// PrestaShop's synopsis `readOnly`: setter false or null.
    pub synopsis_read_only: bool,
    /// Has a PHP getter: rendered with `notFilterable="true"`, rejected by filters (#34).
    pub computed: bool,
    /// Has a PHP setter method (passwords, cover image…): handled by a resource module.
    pub setter_fn: Option<String>,
    pub hidden: bool,
    pub not_output: bool,
    pub validators: Vec<String>,
    pub size: Option<(usize, usize)>,
    pub values: Option<Vec<String>>,
    pub range: Option<(i64, i64)>,
    pub default: Option<String>,
    pub allow_null: bool,
    /// Column accepts NULL (omitted values are stored as NULL rather than the type default).
    pub nullable: bool,
    /// Scale of a DECIMAL column: values render with this many decimals.
    pub decimals: Option<usize>,
    /// What an empty value is stored as, where the column cannot hold `''`: `0` in an integer
    /// column, the column's default in an enum without `''` (what MySQL would otherwise turn
    /// the empty text into, with a warning).
    pub empty: Option<String>,
    /// Also stored in the `_shop` table (multishop copy).
    pub shop_copy: bool,
    pub xlink: Xlink,
    pub in_definition: bool,
    /// Modifier run before validation, with the methods it runs on
    /// (e.g. `modifierWsLinkRewrite` on POST: slugs from the name).
    pub modifier: Option<(String, MethodSet)>,
}

impl Field {
    pub fn is_id(&self) -> bool {
        self.name == "id"
    }

    /// What PrestaShop's getter returns when its lookup finds nothing (`0`, `false`, `""`).
    pub fn absent(&self) -> Option<&serde_json::Value> {
        match &self.storage {
            Storage::Lookup(l) => l.absent.as_ref(),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct AssocField {
    pub name: String,
    pub required: bool,
    pub xlink: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Association {
    pub name: String,
    /// Element name of each item (`nodeType`).
    pub node_type: String,
    /// `api` attribute (absent for virtual entities).
    pub api: Option<String>,
    pub virtual_entity: bool,
    pub item_xlink: Option<String>,
    pub fields: Vec<AssocField>,
    pub storage: Option<AssocStorage>,
}

impl Association {
    pub fn writable(&self) -> bool {
        self.storage
            .as_ref()
            .is_some_and(|s| s.write.as_deref() == Some("replace"))
    }
}

#[derive(Debug, Clone)]
pub struct LangTable {
    pub table: String,
    pub has_id_shop: bool,
}

/// How list queries are restricted to the request's shop.
#[derive(Debug, Clone)]
pub enum ShopScope {
    None,
    /// Rows linked through `<table>_shop`.
    Linked(String),
    /// Rows carry `id_shop`/`id_shop_group` columns (stock_availables).
    Column,
    /// Rows carry the shop they were made in (customers, orders, carts: PrestaShop's
    /// Shop::addSqlRestriction on lists).
    Row,
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub api: String,
    pub description: String,
    pub class_name: String,
    pub specific: bool,
    pub forbidden: MethodSet,
    pub singular: String,
    pub plural: String,
    pub table: String,
    pub primary: String,
    pub lang: Option<LangTable>,
    pub shop: ShopScope,
    pub fields: Vec<Field>,
    pub associations: Vec<Association>,
    pub restriction: Option<Restriction>,
}

impl Resource {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
    pub fn association(&self, name: &str) -> Option<&Association> {
        self.associations.iter().find(|a| a.name == name)
    }
    pub fn has_i18n(&self) -> bool {
        self.fields.iter().any(|f| f.i18n)
    }
    /// Fields that exist for the webservice: not hidden.
    pub fn visible_fields(&self) -> impl Iterator<Item = (usize, &Field)> {
        self.fields.iter().enumerate().filter(|(_, f)| !f.hidden)
    }
    /// Has a real table behind it (every resource but images and search).
    pub fn is_entity(&self) -> bool {
        !self.table.is_empty()
    }
}

#[derive(Debug)]
pub struct Catalog {
    pub prestashop_version: String,
    resources: Vec<Arc<Resource>>,
    by_api: HashMap<String, usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog file is not valid: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("storage.json names {0}, which is not in the catalog")]
    Unknown(String),
}

impl Catalog {
    /// The embedded catalog, parsed once.
    pub fn embedded() -> Result<&'static Catalog, &'static CatalogError> {
        static CATALOG: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
        CATALOG
            .get_or_init(|| Catalog::parse(RESOURCES_JSON, STORAGE_JSON, SCHEMA_SQL))
            .as_ref()
    }

    /// `schema_sql` is the SQLite schema: the scales of its DECIMAL columns are what
    /// association values (which have no field definition) are rendered with.
    pub fn parse(
        resources_json: &str,
        storage_json: &str,
        schema_sql: &str,
    ) -> Result<Catalog, CatalogError> {
        let file: model::CatalogFile = serde_json::from_str(resources_json)?;
        let mut ext: extension::ExtensionFile = serde_json::from_str(storage_json)?;
        let scales = decimal_columns(schema_sql);
        let mut resources = Vec::new();
        for def in file.resources {
            resources.push(Arc::new(build_resource(def, &mut ext, &scales)));
        }
        if let Some(k) = ext
            .computed
            .keys()
            .chain(ext.associations.keys())
            .chain(ext.lang_getters.keys())
            .next()
        {
            return Err(CatalogError::Unknown(k.clone()));
        }
        resources.sort_by(|a, b| a.api.cmp(&b.api));
        let by_api = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.api.clone(), i))
            .collect();
        Ok(Catalog {
            prestashop_version: file.prestashop_version,
            resources,
            by_api,
        })
    }

    pub fn get(&self, api: &str) -> Option<&Arc<Resource>> {
        self.by_api.get(api).map(|&i| &self.resources[i])
    }

    /// Alphabetical, as PrestaShop lists them.
    pub fn resources(&self) -> impl Iterator<Item = &Arc<Resource>> {
        self.resources.iter()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.resources.iter().map(|r| r.api.as_str())
    }
}

/// (table, column) → scale of every `DECIMAL(p,s)` column of the schema.
type Scales = HashMap<(String, String), usize>;

/// Reads the column scales out of the generated schema: `CREATE TABLE "t" (` opens a table,
/// each `"column" DECIMAL(p,s)` line inside it is a decimal column.
fn decimal_columns(schema_sql: &str) -> Scales {
    let mut out = HashMap::new();
    let mut table: Option<&str> = None;
    for line in schema_sql.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("CREATE TABLE \"") {
            table = rest.split('"').next();
            continue;
        }
        if line.starts_with(')') {
            table = None;
            continue;
        }
        let (Some(t), Some(rest)) = (table, line.strip_prefix('"')) else {
            continue;
        };
        let Some((column, ty)) = rest.split_once('"') else {
            continue;
        };
        if let Some(scale) = decimal_scale(&ty.trim_start().to_ascii_lowercase()) {
            out.insert((t.to_string(), column.to_string()), scale);
        }
    }
    out
}

fn build_resource(
    def: model::ResourceDef,
    ext: &mut extension::ExtensionFile,
    scales: &Scales,
) -> Resource {
    let table = def.table.clone().unwrap_or_default();
    let lang = def.lang_table.clone().map(|t| LangTable {
        table: t,
        has_id_shop: def.lang_table_has_id_shop,
    });
    let shop = match (def.shop_association.as_deref(), &def.shop_table) {
        (Some("shop"), Some(t)) => ShopScope::Linked(t.clone()),
        (Some("fk_shop"), _) => ShopScope::Column,
        _ if ext.row_shop.contains(&def.api) => ShopScope::Row,
        _ => ShopScope::None,
    };
    let fields = def
        .fields
        .into_iter()
        .map(|f| build_field(&def.api, &table, &def.hidden_fields, f, ext))
        .collect();
    let associations = def
        .associations
        .into_iter()
        .map(|a| {
            let storage = ext
                .associations
                .remove(&format!("{}.{}", def.api, a.name))
                .map(|mut st| {
                    st.decimals = st
                        .columns
                        .0
                        .iter()
                        .map(|(_, col)| scales.get(&(st.table.clone(), col.clone())).copied())
                        .collect();
                    st
                });
            Association {
                node_type: a.resource,
                api: if a.virtual_entity {
                    None
                } else {
                    Some(a.api.unwrap_or_else(|| a.name.clone()))
                },
                virtual_entity: a.virtual_entity,
                item_xlink: a.item_xlink,
                fields: a
                    .fields
                    .into_iter()
                    .map(|f| AssocField {
                        name: f.name,
                        required: f.required,
                        xlink: f.xlink_resource,
                    })
                    .collect(),
                storage,
                name: a.name,
            }
        })
        .collect();
    let restriction = ext.restrictions.remove(&def.api);
    Resource {
        singular: def.object_node_name.unwrap_or_else(|| def.api.clone()),
        plural: def.objects_node_name.unwrap_or_else(|| def.api.clone()),
        class_name: def.class.unwrap_or_default(),
        specific: def.specific_management,
        forbidden: def
            .forbidden_methods
            .iter()
            .filter_map(|m| Method::parse(m))
            .collect(),
        primary: def.primary.unwrap_or_default(),
        description: def.description,
        api: def.api,
        table,
        lang,
        shop,
        fields,
        associations,
        restriction,
    }
}

fn build_field(
    api: &str,
    table: &str,
    hidden: &[String],
    f: model::FieldDef,
    ext: &mut extension::ExtensionFile,
) -> Field {
    let kind = match f.kind.as_deref() {
        Some("int") => FieldType::Int,
        Some("bool") => FieldType::Bool,
        Some("string") => FieldType::String,
        Some("float") => FieldType::Float,
        Some("date") => FieldType::Date,
        Some("html") => FieldType::Html,
        Some("nothing") => FieldType::Nothing,
        Some("sql") => FieldType::Sql,
        _ => FieldType::Unknown,
    };
    let lookup = ext.computed.remove(&format!("{api}.{}", f.name));
    let lang_getter = ext.lang_getters.remove(&format!("{api}.{}", f.name));
    let storage = match (lookup, lang_getter, &f.db) {
        (Some(l), _, _) => Storage::Lookup(l),
        (None, Some(c), _) => Storage::LangGetter(c),
        (None, None, Some(db)) if db.table == table => Storage::Main(db.column.clone()),
        (None, None, Some(db)) => Storage::Lang(db.column.clone()),
        (None, None, None) => Storage::Virtual,
    };
    let setter_false = matches!(f.setter, Some(serde_json::Value::Bool(false)));
    let setter_fn = match &f.setter {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let getter = matches!(f.getter, Some(serde_json::Value::String(_)));
    let decimals = f.db.as_ref().and_then(|d| decimal_scale(&d.mysql_type));
    let size = f.size.as_ref().and_then(|v| match v {
        serde_json::Value::Number(n) => n.as_u64().map(|m| (0, m as usize)),
        serde_json::Value::Object(o) => Some((
            o.get("min").and_then(|x| x.as_u64()).unwrap_or(0) as usize,
            o.get("max").and_then(|x| x.as_u64()).unwrap_or(u64::MAX) as usize,
        )),
        _ => None,
    });
    let xlink = match &f.xlink_resource {
        Some(serde_json::Value::String(s)) => Xlink::Resource(s.clone()),
        Some(serde_json::Value::Object(o)) => {
            let res = o
                .get("resourceName")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            match o.get("subResourceName").and_then(|v| v.as_str()) {
                Some(sub) => Xlink::Nested {
                    resource: res,
                    sub: sub.to_string(),
                },
                None => Xlink::Resource(res),
            }
        }
        _ => Xlink::None,
    };
    let default = f.default.as_ref().and_then(|v| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_string()),
        _ => None,
    });
    let empty = f.db.as_ref().and_then(|d| {
        let t = d.mysql_type.to_ascii_lowercase();
        let integer = ["int", "tinyint", "smallint", "mediumint", "bigint"]
            .iter()
            .any(|k| t.starts_with(k));
        match &d.enum_values {
            _ if integer => Some("0".to_string()),
            Some(vals) if !vals.iter().any(|v| v.is_empty()) => {
                d.default.clone().or_else(|| vals.first().cloned())
            }
            _ => None,
        }
    });
    Field {
        empty,
        i18n: f.i18n,
        required: f.required,
        read_only: setter_false,
        synopsis_read_only: setter_false || matches!(f.setter, Some(serde_json::Value::Null)),
        computed: getter,
        setter_fn,
        hidden: f.hidden || hidden.contains(&f.name),
        not_output: f.not_output,
        validators: f.validate_methods,
        size,
        values: f.values,
        range: f.range.map(|r| (r.min, r.max)),
        default,
        allow_null: f.allow_null,
        nullable: f.db.as_ref().is_some_and(|d| !d.not_null),
        decimals,
        shop_copy: f.db_shop.is_some() && f.db.as_ref().is_some_and(|d| d.table == table),
        xlink,
        in_definition: f.db.is_some(),
        modifier: f.modifier.map(|m| {
            let methods = m
                .http_methods
                .iter()
                .filter_map(|x| Method::parse(x))
                .collect();
            (m.modifier, methods)
        }),
        kind,
        storage,
        name: f.name,
    }
}

/// `decimal(20,6)` → 6 (also with what follows the type on a schema line)
fn decimal_scale(mysql_type: &str) -> Option<usize> {
    let rest = mysql_type.strip_prefix("decimal(")?;
    let (_, scale) = rest.split_once(',')?;
    scale.split(')').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_loads_every_resource() {
        let c = Catalog::embedded().expect("catalog");
        assert_eq!(c.resources().count(), 64);
        let p = c.get("products").expect("products");
        assert_eq!(p.singular, "product");
        assert_eq!(p.field("price").and_then(|f| f.decimals), Some(6));
        assert!(p
            .field("manufacturer_name")
            .is_some_and(|f| f.computed && f.read_only));
        let s = c.get("stock_movements").expect("stock_movements");
        assert_eq!(s.plural, "stock_mvts");
        assert!(c
            .get("products")
            .is_some_and(|p| p.association("categories").is_some_and(|a| a.writable())));
    }

    #[test]
    fn association_columns_know_their_decimal_scale() {
        let c = Catalog::embedded().expect("catalog");
        let rows = c
            .get("orders")
            .and_then(|o| o.association("order_rows"))
            .and_then(|a| a.storage.as_ref())
            .expect("order_rows storage");
        let scale = |name: &str| {
            rows.columns
                .0
                .iter()
                .position(|(n, _)| n == name)
                .and_then(|i| rows.decimals[i])
        };
        assert_eq!(scale("product_price"), Some(6));
        assert_eq!(scale("unit_price_tax_incl"), Some(6));
        assert_eq!(scale("product_quantity"), None);
        assert_eq!(scale("id"), None);
        assert_eq!(rows.decimals.len(), rows.columns.0.len());
    }
}

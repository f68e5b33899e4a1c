//! The shape of `resources.json`: PrestaShop's webservice resources as data.
//!
//! Only what the engine uses is typed; unknown keys are ignored so the file can grow.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct CatalogFile {
    pub prestashop_version: String,
    pub resources: Vec<ResourceDef>,
}

#[derive(Debug, Deserialize)]
pub struct ResourceDef {
    pub api: String,
    pub description: String,
    #[serde(default)]
    pub class: Option<String>,
    #[serde(default)]
    pub specific_management: bool,
    #[serde(default)]
    pub forbidden_methods: Vec<String>,
    #[serde(default)]
    pub object_node_name: Option<String>,
    #[serde(default)]
    pub objects_node_name: Option<String>,
    #[serde(default)]
    pub table: Option<String>,
    #[serde(default)]
    pub primary: Option<String>,
    #[serde(default)]
    pub lang_table: Option<String>,
    #[serde(default)]
    pub lang_table_has_id_shop: bool,
    #[serde(default)]
    pub shop_association: Option<String>,
    #[serde(default)]
    pub shop_table: Option<String>,
    #[serde(default)]
    pub hidden_fields: Vec<String>,
    #[serde(default)]
    pub fields: Vec<FieldDef>,
    #[serde(default)]
    pub associations: Vec<AssociationDef>,
}

#[derive(Debug, Deserialize)]
pub struct FieldDef {
    pub name: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub i18n: bool,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    pub not_output: bool,
    #[serde(default)]
    pub validate_methods: Vec<String>,
    #[serde(default)]
    pub size: Option<serde_json::Value>,
    #[serde(default)]
    pub values: Option<Vec<String>>,
    #[serde(default)]
    pub range: Option<RangeDef>,
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    #[serde(default)]
    pub allow_null: bool,
    #[serde(default)]
    pub getter: Option<serde_json::Value>,
    #[serde(default)]
    pub setter: Option<serde_json::Value>,
    #[serde(default)]
    pub xlink_resource: Option<serde_json::Value>,
    #[serde(default)]
    pub modifier: Option<ModifierDef>,
    #[serde(default)]
    pub db: Option<DbColumn>,
    #[serde(default)]
    pub db_shop: Option<DbColumn>,
}

/// A PHP method PrestaShop runs on the field for some HTTP methods before validation.
#[derive(Debug, Deserialize)]
pub struct ModifierDef {
    pub modifier: String,
    #[serde(default)]
    pub http_methods: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct RangeDef {
    pub min: i64,
    pub max: i64,
}

#[derive(Debug, Deserialize)]
pub struct DbColumn {
    pub table: String,
    pub column: String,
    pub mysql_type: String,
    #[serde(default)]
    pub not_null: bool,
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub enum_values: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
pub struct AssociationDef {
    pub name: String,
    pub resource: String,
    #[serde(default)]
    pub api: Option<String>,
    #[serde(default)]
    pub virtual_entity: bool,
    #[serde(default)]
    pub item_xlink: Option<String>,
    #[serde(default)]
    pub fields: Vec<AssociationFieldDef>,
}

#[derive(Debug, Deserialize)]
pub struct AssociationFieldDef {
    pub name: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub xlink_resource: Option<String>,
}

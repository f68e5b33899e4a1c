//! The back office's pages, rendered by askama (auto-escaping) templates.

use askama::Template;

pub type Flash = (&'static str, String);

#[derive(Template)]
#[template(path = "admin/login.html")]
pub struct Login<'a> {
    pub prefix: &'a str,
    pub user: String,
    pub csrf: String,
    pub flashes: Vec<Flash>,
    pub email: String,
}

pub struct KeyRow {
    pub id: i64,
    pub hint: String,
    pub description: String,
    pub active: bool,
    pub summary: String,
    pub last_used: String,
    pub expires: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "admin/webservice.html")]
pub struct Webservice<'a> {
    pub prefix: &'a str,
    pub user: String,
    pub csrf: String,
    pub flashes: Vec<Flash>,
    pub enabled: bool,
    pub endpoint: String,
    pub keys: Vec<KeyRow>,
}

pub struct Cell {
    pub method: &'static str,
    pub checked: bool,
    pub forbidden: bool,
}

pub struct GridRow {
    pub resource: String,
    pub cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "admin/key_new.html")]
pub struct KeyNew<'a> {
    pub prefix: &'a str,
    pub user: String,
    pub csrf: String,
    pub flashes: Vec<Flash>,
    pub custom_key: String,
    pub description: String,
    pub expires: String,
    /// (method, column label) in PrestaShop's order.
    pub methods: Vec<(&'static str, &'static str)>,
    pub rows: Vec<GridRow>,
}

#[derive(Template)]
#[template(path = "admin/key_reveal.html")]
pub struct KeyReveal<'a> {
    pub prefix: &'a str,
    pub user: String,
    pub csrf: String,
    pub flashes: Vec<Flash>,
    pub key: String,
    pub endpoint: String,
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub target: String,
    pub details: String,
    pub result: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct Audit<'a> {
    pub prefix: &'a str,
    pub user: String,
    pub csrf: String,
    pub flashes: Vec<Flash>,
    pub entries: Vec<AuditRow>,
}

//! The back office's pages, rendered by askama (auto-escaping) templates.

use askama::Template;

pub type Flash = (&'static str, String);

/// What every page's frame needs: where links go, who is logged in, the CSRF token.
pub struct Chrome {
    pub prefix: String,
    pub user: String,
    pub admin: bool,
    pub csrf: String,
    pub flashes: Vec<Flash>,
}

#[derive(Template)]
#[template(path = "admin/login.html")]
pub struct Login {
    pub c: Chrome,
    pub email: String,
}

pub struct KeyRow {
    pub id: i64,
    pub hint: String,
    pub description: String,
    pub active: bool,
    pub expired: bool,
    pub rotating: bool,
    pub summary: String,
    pub last_used: String,
    pub last_used_ip: String,
    pub expires: String,
    pub created: String,
}

/// The key list's filter row and sort, echoed back into the page.
#[derive(Default, Clone)]
pub struct ListQuery {
    pub hint: String,
    pub description: String,
    pub status: String,
    pub sort: String,
    pub page: usize,
}

/// A sortable column's header link: it toggles the direction, the arrow shows the current one.
pub struct SortLink {
    pub href: String,
    pub arrow: &'static str,
}

pub struct SortLinks {
    pub id: SortLink,
    pub hint: SortLink,
    pub last_used: SortLink,
    pub expires: SortLink,
    pub created: SortLink,
}

pub struct PageLink {
    pub number: usize,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "admin/webservice.html")]
pub struct Webservice {
    pub c: Chrome,
    pub enabled: bool,
    pub cgi: bool,
    pub endpoint: String,
    pub warnings: Vec<String>,
    pub keys: Vec<KeyRow>,
    pub total: usize,
    pub matching: usize,
    pub q: ListQuery,
    pub sorts: SortLinks,
    pub pages: Vec<PageLink>,
    pub sudo_needed: bool,
    /// (value, label) of the multistore context; empty with a single shop.
    pub scopes: Vec<(String, String)>,
    pub shop_states: Vec<ShopState>,
}

pub struct ShopState {
    pub name: String,
    pub enabled: bool,
    pub own: bool,
}

pub struct Cell {
    pub method: &'static str,
    pub checked: bool,
    pub forbidden: bool,
}

pub struct GridRow {
    pub resource: String,
    pub description: String,
    pub sensitive: bool,
    pub cells: Vec<Cell>,
}

pub struct GridGroup {
    pub name: &'static str,
    pub slug: &'static str,
    pub rows: Vec<GridRow>,
}

/// The head of the edit form: what is known about the key, never its secret.
pub struct KeyHead {
    pub id: i64,
    pub hint: String,
    pub created: String,
    pub created_by: String,
    pub last_used: String,
    pub expired: bool,
    pub credentials: Vec<CredentialRow>,
}

pub struct CredentialRow {
    pub hint: String,
    pub created: String,
    pub last_used: String,
    pub last_ip: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "admin/key_form.html")]
pub struct KeyForm<'a> {
    pub c: Chrome,
    /// `None` for a new key.
    pub head: Option<KeyHead>,
    pub key_mode: String,
    pub custom_key: String,
    pub description: String,
    pub active: bool,
    pub expires_in: String,
    pub expires: String,
    pub ip_allowlist: String,
    pub rate: String,
    pub burst: String,
    /// (method, column label) in PrestaShop's order.
    pub methods: Vec<(&'static str, &'static str)>,
    pub groups: Vec<GridGroup>,
    /// Empty unless there is more than one shop.
    pub shops: Vec<ShopChoice>,
    pub sudo_needed: bool,
    /// Single-use token: reloading the page that answers the form must not create or
    /// rotate a second time.
    pub nonce: String,
    pub tools: &'a KeyTools,
}

pub struct ShopChoice {
    pub id: i64,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "admin/key_reveal.html")]
pub struct KeyReveal {
    pub c: Chrome,
    pub key: String,
    pub endpoint: String,
    /// The shop URL the PHP client is given (the endpoint without `api/`).
    pub shop_url: String,
    pub rotated: bool,
    pub old_valid_until: String,
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub target: String,
    pub details: String,
    /// The first words of long details (the whole text folds out).
    pub details_short: String,
    pub result: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct Audit {
    pub c: Chrome,
    pub entries: Vec<AuditRow>,
    pub action: String,
    /// `audit.csv` with the page's filters.
    pub export_href: String,
    pub export_limit: usize,
    pub retention_days: i64,
    pub sudo_needed: bool,
}

pub struct SessionRow {
    pub handle: String,
    pub current: bool,
    pub created: String,
    pub last_seen: String,
    pub ip: String,
    pub user_agent: String,
}

#[derive(Template)]
#[template(path = "admin/account.html")]
pub struct AccountPage {
    pub c: Chrome,
    pub role: String,
    pub sessions: Vec<SessionRow>,
    pub totp_enabled: bool,
    pub totp_required: bool,
    pub recovery_left: i64,
    pub sudo_needed: bool,
}

/// The second step of a login: the code of the authenticator app or a recovery code.
#[derive(Template)]
#[template(path = "admin/totp_code.html")]
pub struct TotpCode {
    pub c: Chrome,
}

/// Setting up the second factor: the secret as a QR code, a URI and base32 text.
#[derive(Template)]
#[template(path = "admin/totp_enrol.html")]
pub struct TotpEnrol {
    pub c: Chrome,
    /// Where the form with the first code goes.
    pub action: String,
    /// A `data:` PNG (empty when the URI does not fit a QR code).
    pub qr: String,
    pub uri: String,
    pub secret: String,
    /// Enrolment forced at login (the employee must use a second factor).
    pub at_login: bool,
}

/// The recovery codes, shown once.
#[derive(Template)]
#[template(path = "admin/totp_codes.html")]
pub struct TotpCodes {
    pub c: Chrome,
    pub codes: Vec<String>,
    pub next: String,
}

pub struct RefParam {
    pub name: String,
    pub description: String,
}

pub struct RefOp {
    pub method: String,
    pub path: String,
    pub summary: String,
}

pub struct RefField {
    pub name: String,
    pub kind: String,
    pub required: bool,
    pub max: String,
    pub values: String,
    pub read_only: bool,
    pub notes: String,
}

pub struct RefResource {
    pub name: String,
    pub description: String,
    pub ops: Vec<RefOp>,
    pub fields: Vec<RefField>,
    pub associations: String,
}

#[derive(Template)]
#[template(path = "admin/reference.html")]
pub struct Reference<'a> {
    pub c: Chrome,
    pub params: &'a [RefParam],
    pub resources: &'a [RefResource],
}

/// The key page's tools: "Test this key" and the permission import (the export is a link).
#[derive(Default)]
pub struct KeyTools {
    /// The address typed for the test (may be empty).
    pub test_ip: String,
    /// The test's answer per shop, once run.
    pub test: Option<Vec<ProbeShop>>,
    /// What the key's policies decide that the test cannot (traffic, addresses, time).
    pub test_notes: Vec<String>,
    /// The document in the import box (kept when refused or previewed).
    pub import_json: String,
    /// "Also apply description and policies".
    pub with_settings: bool,
    /// What importing the document would change, once previewed.
    pub preview: Option<ImportPreview>,
}

/// `GET /api/` on one shop, and `GET /api/RESOURCE` for each resource the key holds.
pub struct ProbeShop {
    pub title: String,
    /// `GET /api/?id_shop=2`
    pub request: String,
    /// `200`, `401 #20/#21`, …
    pub answer: String,
    pub ok: bool,
    pub why: String,
    pub rows: Vec<ProbeRow>,
}

pub struct ProbeRow {
    pub resource: String,
    /// `GET, HEAD`
    pub methods: String,
    pub answer: String,
    pub ok: bool,
    pub why: String,
}

pub struct ImportPreview {
    /// `+products:POST`, `-customers:DELETE`, …
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Description and policies, when they are applied and differ.
    pub settings: Vec<String>,
    /// The whole change in the audit log's words; sent back with "Apply" so that what is
    /// applied is what was shown.
    pub expect: String,
    /// The password is asked for again (a powerful grant, not typed in the last ten minutes).
    pub sudo: bool,
}

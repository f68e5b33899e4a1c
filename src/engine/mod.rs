//! The resource engine: catalog → query plan → rows → XML/JSON.
//!
//! The HTTP layer authenticates and hands over a [`Request`]; the engine checks the resource
//! and method, resolves the shop context, runs the catalog-driven read or write, and renders
//! the result. Resources with behaviour of their own plug in through [`special`].

pub mod access;
pub mod after_commit;
pub mod behaviour;
pub mod binary;
pub mod error;
pub mod fragments;
pub mod params;
mod read;
pub mod render;
pub mod shop;
pub mod special;
pub mod write;

use std::sync::Arc;

use crate::accounts::KeyInfo;
use crate::catalog::{Catalog, Method, Resource};
use crate::engine::params::Params;
use crate::storage::{Context, Store};
pub use error::{ApiError, ApiResult};
pub use render::Format;
use shop::{ShopCache, ShopInfo};

/// Engine-wide settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Canonical base URL of the shop, e.g. `http://127.0.0.1:8080/` (xlinks are built on it).
    pub base_url: String,
    /// PrestaShop's JSON quirks (empty list `[]`, falsy values dropped from single entities).
    pub json_ps_quirks: bool,
    /// JSON integers as numbers (PrestaShop 9.0 under PHP 8.1) instead of strings (≤ 1.7 and
    /// 8.2+, the default; protocol §5.7).
    pub json_numbers: bool,
    /// Responses larger than this are streamed (without `Content-Sha1`).
    pub buffer_limit: usize,
    /// Where attachment files live (PrestaShop's `download/`).
    pub download_dir: std::path::PathBuf,
    /// The pictures' folder, laid out as PrestaShop's `img/` (`p/1/2/3/123.jpg`, `c/4.jpg`).
    pub images_dir: std::path::PathBuf,
    /// Megabytes of rendered list items kept for reuse while the database is unchanged
    /// (0: none).
    pub fragment_cache_mb: u64,
}

pub struct Engine {
    pub catalog: &'static Catalog,
    pub store: Arc<dyn Store>,
    pub settings: Settings,
    /// What each resource does beyond generic CRUD.
    pub behaviours: behaviour::Registry,
    /// Rendered list items kept for reuse (`Settings::fragment_cache_mb`).
    pub fragments: fragments::Fragments,
    shop: ShopCache,
}

/// An authenticated webservice request.
pub struct Request {
    pub method: Method,
    /// Path segments after `/api/` (the first is the resource).
    pub segments: Vec<String>,
    pub params: Params,
    pub body: bytes::Bytes,
    /// The body's declared `Content-Type`.
    pub content_type: Option<String>,
    /// The parts of a `multipart/form-data` body (uploads); empty for any other body.
    pub form: Vec<binary::FormPart>,
    /// `If-None-Match` / `If-Modified-Since`, for binary answers.
    pub conditional: binary::Conditional,
    pub format: Format,
    pub key: std::sync::Arc<KeyInfo>,
}

/// A finished response body.
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    /// False for PrestaShop's bare answers (DELETE, not found).
    pub has_body: bool,
    pub total_count: Option<u64>,
    /// Set when the body is file bytes (a picture, an attachment), not a document.
    pub binary: Option<Box<binary::Binary>>,
}

impl Reply {
    pub fn doc(status: u16, body: Vec<u8>) -> Self {
        Reply {
            status,
            body,
            has_body: true,
            total_count: None,
            binary: None,
        }
    }
    pub fn empty(status: u16) -> Self {
        Reply {
            status,
            body: Vec::new(),
            has_body: false,
            total_count: None,
            binary: None,
        }
    }
    /// File bytes with their own type and caching headers.
    pub fn file(body: Vec<u8>, meta: binary::Binary) -> Self {
        Reply {
            status: 200,
            body,
            has_body: true,
            total_count: None,
            binary: Some(Box::new(meta)),
        }
    }
}

/// Where large bodies go while they are produced. The HTTP layer decides whether to keep
/// them (to hash them) or to start streaming.
pub trait Out {
    /// Takes the bytes in `buf` (leaving it empty).
    fn emit(&mut self, buf: &mut Vec<u8>) -> ApiResult<()>;
    /// The list's total row count, known before its rows (for `X-Total-Count`).
    fn total(&mut self, n: u64);
}

/// Everything one request needs to know about its shop, languages and links.
pub struct Ctx {
    pub info: Arc<ShopInfo>,
    pub langs: Vec<i64>,
    pub ws: String,
    pub db: Context,
    /// The request's `sendemail` parameter is `1` (in the query, or a field of a form body):
    /// the e-mail PrestaShop sends on request with some writes (`order_carriers`'s
    /// parcel in transit, `order_histories`'s state e-mail).
    pub send_email: bool,
}

/// Whether `sendemail` is `1` (the HTTP layer has merged a form body's into the parameters).
fn send_email(req: &Request) -> bool {
    req.params
        .get_str("sendemail")
        .is_some_and(|v| v.trim() == "1")
}

impl Engine {
    pub fn new(catalog: &'static Catalog, store: Arc<dyn Store>, settings: Settings) -> Self {
        let fragments = fragments::Fragments::new(settings.fragment_cache_mb);
        Engine {
            catalog,
            store,
            settings,
            behaviours: special::registry(),
            fragments,
            // Below a second, so that a switch or shop change made elsewhere (another node,
            // PrestaShop's back office) is in force here within one.
            shop: ShopCache::new(std::time::Duration::from_millis(800)),
        }
    }

    pub fn shop_info(&self) -> ApiResult<Arc<ShopInfo>> {
        Ok(self.shop.get(self.store.as_ref())?)
    }

    /// Shop facts without touching the database, while the cache is fresh.
    pub fn cached_shop_info(&self) -> Option<Arc<ShopInfo>> {
        self.shop.fresh()
    }

    pub fn invalidate(&self) {
        self.shop.invalidate();
    }

    pub fn ws_url(&self) -> String {
        format!("{}api/", self.settings.base_url)
    }

    /// Shop context (protocol §1.14), after authentication.
    fn context(&self, req: &Request, info: Arc<ShopInfo>) -> ApiResult<Ctx> {
        let p = &req.params;
        let (shop, shops) = access::shops(&info, p, &req.key.shops)?;
        let langs = params::language::parse(
            p.get_str("language"),
            &info.installed_langs,
            &info.active_langs,
        )?;
        Ok(Ctx {
            db: Context {
                shop,
                shop_group: info.group_of(shop),
                shops,
                default_lang: info.default_lang,
                now: crate::clock::now_in(&info.zone),
            },
            langs,
            ws: self.ws_url(),
            info,
            send_email: send_email(req),
        })
    }

    /// Runs a request after authentication (pipeline steps 6–13).
    pub fn handle(&self, req: &Request, out: &mut dyn Out) -> ApiResult<Reply> {
        let info = self.shop_info()?;
        let ctx = self.context(req, info)?;
        let res_name = req.segments.first().map(String::as_str).unwrap_or("");
        if res_name.is_empty() {
            let mut body = Vec::new();
            render::root::render(
                &mut body,
                self.catalog,
                &req.key.permissions,
                &ctx.info.shop_name,
                &ctx.ws,
                req.format,
            );
            return Ok(Reply::doc(200, body));
        }
        let r = access::resource(self.catalog, &req.key.permissions, res_name, req.method)?;
        for b in self.behaviours.of(&r.api) {
            if let Some(reply) = b.handle(self, r, req, &ctx)? {
                return Ok(reply);
            }
        }
        self.entity(r, req, &ctx, out)
    }

    fn entity(
        &self,
        r: &Resource,
        req: &Request,
        ctx: &Ctx,
        out: &mut dyn Out,
    ) -> ApiResult<Reply> {
        let id_seg = req.segments.get(1).map(String::as_str).unwrap_or("");
        match req.method {
            Method::Get | Method::Head => {
                if id_seg.is_empty() {
                    if let Some(s) = req.params.get_str("schema") {
                        return read::schema(self, r, s, ctx, req.format);
                    }
                    read::list(self, r, req, ctx, out)
                } else {
                    let id = parse_id(id_seg).ok_or_else(ApiError::not_found_empty)?;
                    read::one(self, r, id, req, ctx)
                }
            }
            Method::Post => write::create(self, r, req, ctx),
            Method::Put | Method::Patch => write::update(self, r, req, ctx),
            Method::Delete => write::delete(self, r, req, ctx, id_seg),
        }
    }
}

/// Strict numeric ids: `/api/products/1abc` is not product 1 (PrestaShop's int cast).
pub fn parse_id(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 18 {
        return None;
    }
    s.parse().ok().filter(|i| *i > 0)
}

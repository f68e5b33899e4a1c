//! `/api/images/…` (protocol §8.1, business rules §6): pictures of products and of
//! categories, manufacturers, suppliers and stores, as PrestaShop's
//! `WebserviceSpecificManagementImages` serves them, on files laid out as PrestaShop's `img/`.
//!
//! Upload work (decode, resize, encode) runs before any transaction; files are written under
//! temporary names and renamed into place once all are ready.

mod customization_uploads;
mod customizations;
mod defaults;
mod demo;
mod entities;
mod errors;
mod files;
mod general;
mod layout;
mod listing;
pub mod process;
mod products;
mod serve;
mod types;
mod upload;

pub use demo::give_pictures;
pub use entities::EntityPictures;
pub use errors::too_large;
pub use files::is_temp_name;
pub use layout::Kind;
pub use products::ProductPictures;

use crate::catalog::Resource;
use crate::engine::behaviour::Behaviour;
use crate::engine::{ApiResult, Ctx, Engine, Reply, Request};

use listing::{Doc, Item};

/// The families `GET /api/images` lists, in PrestaShop's order.
const FAMILIES: [&str; 7] = [
    "general",
    "products",
    "categories",
    "manufacturers",
    "suppliers",
    "stores",
    "customizations",
];

pub struct Images;

impl Behaviour for Images {
    fn handle(
        &self,
        e: &Engine,
        _r: &Resource,
        req: &Request,
        ctx: &Ctx,
    ) -> ApiResult<Option<Reply>> {
        // A trailing slash adds an empty last segment: `images/products/` is the listing.
        let mut segs: Vec<&str> = req.segments[1..].iter().map(String::as_str).collect();
        while segs.last() == Some(&"") {
            segs.pop();
        }
        route(e, req, ctx, &segs).map(Some)
    }
}

fn route(e: &Engine, req: &Request, ctx: &Ctx, segs: &[&str]) -> ApiResult<Reply> {
    let Some((family, rest)) = segs.split_first() else {
        return Ok(families(ctx, req));
    };
    match *family {
        "general" => general::route(e, req, ctx, rest),
        "customizations" => customizations::route(e, req, ctx, rest),
        f => match Kind::from_segment(f) {
            Some(Kind::Products) => products::route(e, req, ctx, rest),
            Some(kind) => entities::route(e, req, ctx, kind, rest),
            None => Err(errors::family_unknown(f, &FAMILIES)),
        },
    }
}

/// `GET /api/images`: the families, with PrestaShop's static rights (not the key's).
fn families(ctx: &Ctx, req: &Request) -> Reply {
    let items = FAMILIES
        .iter()
        .map(|f| {
            Item::with_rights(
                f,
                format!("{}images/{f}", ctx.ws),
                [true, false, false, false, false, true],
            )
        })
        .collect();
    Doc {
        lists: vec![("image_types", vec![], items)],
    }
    .reply(req.format)
}

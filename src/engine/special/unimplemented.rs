//! Routes PrestaShop serves with specific management classes that shopws does not have yet:
//! answered with PrestaShop's own "not implemented" error rather than as table rows.

use crate::catalog::Resource;
use crate::engine::behaviour::Behaviour;
use crate::engine::{ApiError, ApiResult, Ctx, Engine, Reply, Request};

/// `search`.
pub struct NotImplemented;

impl Behaviour for NotImplemented {
    fn handle(
        &self,
        _e: &Engine,
        r: &Resource,
        _req: &Request,
        _ctx: &Ctx,
    ) -> ApiResult<Option<Reply>> {
        Err(ApiError::new(
            501,
            124,
            format!(
                "The specific management class is not implemented for the \"{}\" entity.",
                r.api
            ),
        ))
    }
}

/// `attachments/file/…`: the attachment rows themselves are generic.
pub struct AttachmentFiles;

impl Behaviour for AttachmentFiles {
    fn handle(
        &self,
        _e: &Engine,
        _r: &Resource,
        req: &Request,
        _ctx: &Ctx,
    ) -> ApiResult<Option<Reply>> {
        if req.segments.get(1).map(String::as_str) == Some("file") {
            return Err(ApiError::not_implemented("attachments"));
        }
        Ok(None)
    }
}

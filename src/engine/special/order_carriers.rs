//! Order carriers: with `sendemail=1`, a successful update queues the "in transit" e-mail to
//! the order's customer (PrestaShop's OrderCarrier::sendInTransitEmail) — only when the
//! carrier has a tracking URL, whose `@` becomes the tracking number. The e-mail is queued in
//! the request's transaction and sent in the background (see [`crate::mail`]).

use crate::engine::behaviour::{Behaviour, Save};
use crate::engine::{ApiError, ApiResult};
use crate::storage::{Select, StorageError, Tx, Value};

use super::Staged;

pub struct OrderCarriers;

impl Behaviour for OrderCarriers {
    fn after_save(&self, tx: &mut dyn Tx, s: &Save, st: &Staged) -> ApiResult<()> {
        if s.created || !s.ctx.send_email {
            return Ok(());
        }
        let row = tx
            .select(&Select {
                table: "order_carrier",
                columns: &["id_order", "id_carrier", "tracking_number"],
                key: vec![("id_order_carrier", Value::Int(st.id))],
                ..Default::default()
            })?
            .into_iter()
            .next()
            .ok_or_else(|| not_loaded("order carrier"))?;
        let (id_order, id_carrier) = (super::int(&row[0]), super::int(&row[1]));
        let tracking = row[2].to_text().trim().to_string();
        let url = tx
            .select(&Select {
                table: "carrier",
                columns: &["url"],
                key: vec![("id_carrier", Value::Int(id_carrier))],
                ..Default::default()
            })?
            .into_iter()
            .next()
            .ok_or_else(|| not_loaded("carrier"))?[0]
            .to_text();
        let url = url.trim();
        if url.is_empty() {
            return Ok(());
        }
        let extra = [
            ("followup", url.replace('@', &tracking)),
            ("shipping_number", tracking),
        ];
        match crate::mail::queue_order_mail(tx, id_order, "in_transit", &extra) {
            Ok(_) => Ok(()),
            Err(StorageError::NotFound) => Err(not_loaded("order or customer")),
            Err(e) => Err(e.into()),
        }
    }
}

/// PrestaShop answers 500 when what the e-mail needs does not load; the update is rolled back
/// with it here, so the answer tells the whole story.
fn not_loaded(what: &str) -> ApiError {
    ApiError::new(
        500,
        1030,
        format!("The in-transit e-mail could not be sent: the {what} does not exist"),
    )
}

//! Carriers: the `id_tax_rules_group` setter (PrestaShop's Carrier::setTaxRulesGroup) replaces
//! the carrier's tax rules group in the shops of the request.

use crate::engine::behaviour::{Behaviour, Save};
use crate::engine::ApiResult;
use crate::engine::Ctx;
use crate::storage::{StorageResult, Tx, Value};

use super::Staged;

pub fn after_save(tx: &mut dyn Tx, st: &Staged, ctx: &Ctx) -> StorageResult<()> {
    let Some(group) = st
        .setters
        .iter()
        .find(|(n, _)| n == "id_tax_rules_group")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
    else {
        return Ok(());
    };
    for shop in &ctx.db.shops {
        tx.delete(
            "carrier_tax_rules_group_shop",
            &[
                ("id_carrier", Value::Int(st.id)),
                ("id_shop", Value::Int(*shop)),
            ],
        )?;
        tx.insert_ignore(
            "carrier_tax_rules_group_shop",
            &[
                ("id_carrier", Value::Int(st.id)),
                ("id_tax_rules_group", Value::Int(group)),
                ("id_shop", Value::Int(*shop)),
            ],
        )?;
    }
    Ok(())
}

pub struct Carriers;

impl Behaviour for Carriers {
    fn after_save(&self, tx: &mut dyn Tx, s: &Save, st: &Staged) -> ApiResult<()> {
        Ok(after_save(tx, st, s.ctx)?)
    }
}

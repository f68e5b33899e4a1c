//! Order references: nine random upper-case letters, drawn again until no order has them
//! (PrestaShop's Order::generateReference).

use crate::storage::{Select, StorageResult, Tx, Value};

const LETTERS: &[u8; 26] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn draw() -> String {
    (0..9)
        .map(|_| char::from(LETTERS[rand::random_range(0..LETTERS.len())]))
        .collect()
}

/// A reference no order has. Checked inside the order's transaction; orders' `reference`
/// has no unique key in PrestaShop's schema, so two writers drawing the same letters at the
/// same instant (one chance in 26⁹ per pair) would both keep them, as in PrestaShop.
pub fn unused(tx: &mut dyn Tx) -> StorageResult<String> {
    loop {
        let r = draw();
        let taken = tx.select(&Select {
            table: "orders",
            columns: &["id_order"],
            key: vec![("reference", Value::from(r.as_str()))],
            limit: Some(1),
            ..Default::default()
        })?;
        if taken.is_empty() {
            return Ok(r);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn nine_upper_case_letters() {
        for _ in 0..100 {
            let r = super::draw();
            assert_eq!(r.len(), 9);
            assert!(r.bytes().all(|b| b.is_ascii_uppercase()), "{r}");
        }
    }
}

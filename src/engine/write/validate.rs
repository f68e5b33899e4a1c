//! PrestaShop's field validation (ObjectModel::validateField) with its messages (#84/#85).

use crate::catalog::{Field, Resource};

use super::validators::{check, ps_strlen, Check};

fn empty(v: &str) -> bool {
    v.is_empty()
}

/// PHP `empty()`: validators never see "" or "0".
fn php_empty(v: &str) -> bool {
    v.is_empty() || v == "0"
}

/// Checks one value; `Err` carries PrestaShop's message.
pub fn field(r: &Resource, f: &Field, value: Option<&str>, required: bool) -> Result<(), String> {
    let prop = format!("{}->{}", r.class_name, f.name);
    let v = value.unwrap_or("");
    if required && empty(v) {
        return Err(format!("Property {prop} is empty."));
    }
    if let Some(values) = &f.values {
        if !empty(v) && !values.iter().any(|x| x == v) {
            return Err(format!(
                "Property {prop} has a bad value (allowed values are: {}).",
                values.join(", ")
            ));
        }
    }
    if let Some((min, max)) = f.size {
        let n = ps_strlen(v);
        if n < min || n > max {
            return Err(format!(
                "The length of property {prop} is currently {n} chars. It must be between {min} and {max} chars."
            ));
        }
    }
    if let Some((min, max)) = f.range {
        if let Ok(n) = v.trim().parse::<i64>() {
            if n < min || n > max {
                return Err(format!(
                    "The range of property {prop} is currently {n}. It must be between {min} and {max}."
                ));
            }
        }
    }
    if !php_empty(v) {
        // Only the model definition's own validator runs at save time (the last one listed).
        if let Some(rule) = f.validators.last() {
            if matches!(check(rule, v), Check::Invalid) {
                return Err(format!("Property {prop} is not valid"));
            }
        }
    }
    Ok(())
}

//! Values worked out from the database that live exactly as long as the [`ShopInfo`]
//! snapshot they hang on (one second): each kind is computed once per snapshot, by the first
//! request that needs it, instead of on every write (search settings for every product
//! saved, say). A module keeps its own type here without the snapshot knowing about it.
//!
//! [`ShopInfo`]: super::ShopInfo

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Slot = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
pub struct Derived {
    values: Mutex<HashMap<TypeId, Slot>>,
}

impl Derived {
    /// The value of type `T` for this snapshot, computed by `make` the first time. Two
    /// requests racing may both compute it; either result is kept (they read the same data).
    pub fn get_or_try<T, E>(&self, make: impl FnOnce() -> Result<T, E>) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
    {
        let id = TypeId::of::<T>();
        if let Some(v) = self.values.lock().ok().and_then(|m| m.get(&id).cloned()) {
            if let Ok(v) = v.downcast::<T>() {
                return Ok(v);
            }
        }
        let v = Arc::new(make()?);
        if let Ok(mut m) = self.values.lock() {
            m.insert(id, v.clone());
        }
        Ok(v)
    }
}

/// A copy starts empty: what was derived belongs to the snapshot it was derived for.
impl Clone for Derived {
    fn clone(&self) -> Self {
        Derived::default()
    }
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.values.lock().map(|m| m.len()).unwrap_or(0);
        write!(f, "Derived({n} values)")
    }
}

#[cfg(test)]
mod tests {
    use super::Derived;

    #[test]
    fn computed_once_per_snapshot_and_not_copied() {
        let d = Derived::default();
        let mut calls = 0;
        for _ in 0..3 {
            let v = d
                .get_or_try(|| -> Result<u32, ()> {
                    calls += 1;
                    Ok(7)
                })
                .unwrap_or_default();
            assert_eq!(*v, 7);
        }
        assert_eq!(calls, 1);
        let copy = d.clone();
        let v = copy.get_or_try(|| -> Result<u32, ()> { Ok(8) });
        assert_eq!(v.map(|v| *v), Ok(8));
        let failed = d.get_or_try(|| -> Result<String, &str> { Err("no") });
        assert_eq!(failed.err(), Some("no"));
    }
}

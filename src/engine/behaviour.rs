//! What a resource may do beyond generic CRUD, as one trait, and the registry that finds the
//! behaviours of a resource by name.
//!
//! The generic engine reads and writes any catalog resource on its own; a resource with rules
//! of its own (hashing, trees, stock, prices, whole routes such as images or search) is a
//! module implementing [`Behaviour`] and registered in [`super::special::registry`]. Adding
//! one is adding a module and a line there, never editing the engine.

use std::collections::HashMap;

use crate::catalog::Resource;
use crate::engine::params::Params;
use crate::storage::{Reader, Tx, Value};

use super::after_commit::AfterCommit;
use super::render::{Entity, Projection};
use super::write::body::InputEntity;
use super::write::Staged;
use super::{ApiResult, Ctx, Engine, Reply, Request};

/// One entity being written: what the hooks of a save share.
pub struct Save<'a> {
    pub resource: &'a Resource,
    pub ctx: &'a Ctx,
    /// The entity as the client sent it (fields, associations).
    pub input: &'a InputEntity,
    /// Stored main-table values before this write; `None` when the entity is created, and
    /// in [`Behaviour::prepare`], which runs before anything is read.
    pub current: Option<&'a HashMap<String, Value>>,
    pub created: bool,
    /// What [`Behaviour::prepare`] computed for this entity.
    pub prepared: &'a Prepared,
}

/// Values computed before the transaction, by name, for the hooks inside it.
pub type Prepared = HashMap<&'static str, Value>;

/// Hooks a resource module implements; every default does nothing, so a module implements
/// only what it changes. Hooks given a `Tx` run inside the write transaction of the request:
/// an error rolls the whole request back and is the answer.
pub trait Behaviour: Send + Sync {
    /// Answers a whole request itself (routes that are not rows of a table). `None`: the
    /// generic engine handles it.
    fn handle(
        &self,
        _e: &Engine,
        _r: &Resource,
        _req: &Request,
        _ctx: &Ctx,
    ) -> ApiResult<Option<Reply>> {
        Ok(None)
    }

    /// Values PrestaShop computes in PHP getters, for a batch of loaded entities, inside the
    /// request's read.
    fn fill(
        &self,
        _rd: &mut dyn Reader,
        _r: &Resource,
        _p: &Projection,
        _ents: &mut [Entity],
        _params: &Params,
        _ctx: &Ctx,
    ) -> ApiResult<()> {
        Ok(())
    }

    /// Before the transaction opens: slow work that needs no database (password hashing),
    /// so the single writer is never held by it.
    fn prepare(&self, _s: &Save, _out: &mut Prepared) -> ApiResult<()> {
        Ok(())
    }

    /// Checks and derived values, before the entity's rows are written.
    fn before_save(&self, _tx: &mut dyn Tx, _s: &Save, _st: &mut Staged) -> ApiResult<()> {
        Ok(())
    }

    /// Writes an association whose rules are more than replacing link rows. `None`: the
    /// generic writer does it.
    fn write_association(
        &self,
        _tx: &mut dyn Tx,
        _s: &Save,
        _id: i64,
        _name: &str,
        _items: &[Vec<(String, String)>],
    ) -> Option<ApiResult<()>> {
        None
    }

    /// Side effects once the entity and its associations are written.
    fn after_save(&self, _tx: &mut dyn Tx, _s: &Save, _st: &Staged) -> ApiResult<()> {
        Ok(())
    }

    /// Before an entity is deleted, ahead of [`before_delete`](Self::before_delete): what must
    /// follow the delete outside the database (files on disk, caches), queued on `later` from
    /// the rows as they are now. It runs once the delete has committed, and is dropped when the
    /// entity is refused or the transaction rolls back.
    fn after_delete_commit(
        &self,
        _tx: &mut dyn Tx,
        _r: &Resource,
        _id: i64,
        _later: &mut AfterCommit,
    ) -> ApiResult<()> {
        Ok(())
    }

    /// Before an entity is deleted: `false` refuses it (PrestaShop's delete() returning false,
    /// answered with #88); otherwise what goes with it may be removed here.
    fn before_delete(&self, _tx: &mut dyn Tx, _r: &Resource, _id: i64) -> ApiResult<bool> {
        Ok(true)
    }

    /// Clean-up once the entity's own rows are deleted.
    fn after_delete(&self, _tx: &mut dyn Tx, _r: &Resource, _id: i64) -> ApiResult<()> {
        Ok(())
    }
}

/// Behaviours by resource name, in registration order.
#[derive(Default)]
pub struct Registry {
    by_resource: HashMap<&'static str, Vec<&'static dyn Behaviour>>,
}

impl Registry {
    /// Registers `b` for each of `resources`; several behaviours may share a resource and
    /// run in the order they were added.
    pub fn add(&mut self, resources: &[&'static str], b: &'static dyn Behaviour) -> &mut Self {
        for r in resources {
            self.by_resource.entry(r).or_default().push(b);
        }
        self
    }

    pub fn of(&self, resource: &str) -> &[&'static dyn Behaviour] {
        self.by_resource
            .get(resource)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn resources(&self) -> impl Iterator<Item = &str> {
        self.by_resource.keys().copied()
    }
}

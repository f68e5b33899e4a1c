//! Work that may only happen once a write transaction has committed: removing files, forgetting
//! cached entries. Done inside the transaction, it would be done even when the transaction
//! rolls back (a later hook fails, the commit fails), and a file removed cannot come back.
//!
//! Code inside [`Engine::transaction_then`] queues jobs on an [`AfterCommit`], computed from
//! the rows as the transaction sees them; they run, in order, only once it has committed.

use crate::storage::Tx;

use super::{ApiResult, Engine};

type Job = Box<dyn FnOnce(&Engine)>;

/// Jobs waiting for their transaction's commit.
#[derive(Default)]
pub struct AfterCommit {
    jobs: Vec<Job>,
}

impl AfterCommit {
    pub fn push(&mut self, job: impl FnOnce(&Engine) + 'static) {
        self.jobs.push(Box::new(job));
    }

    /// A point to [`forget_since`](Self::forget_since): the jobs queued so far.
    pub fn mark(&self) -> usize {
        self.jobs.len()
    }

    /// Drops the jobs queued after `mark` (what one entity queued before it was refused).
    pub fn forget_since(&mut self, mark: usize) {
        self.jobs.truncate(mark);
    }

    fn run(self, e: &Engine) {
        for job in self.jobs {
            job(e);
        }
    }
}

impl Engine {
    /// A write transaction whose `f` may queue work on the [`AfterCommit`] it is given; that
    /// work runs once the transaction has committed, and never when it is rolled back. A
    /// backend may run `f` again (a deadlock retried): each attempt starts with an empty queue.
    pub fn transaction_then<T>(
        &self,
        mut f: impl FnMut(&mut dyn Tx, &mut AfterCommit) -> ApiResult<T>,
    ) -> ApiResult<T> {
        let mut later = AfterCommit::default();
        let out = self.store.transaction(|tx| {
            later = AfterCommit::default();
            f(tx, &mut later)
        })?;
        later.run(self);
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::sync::Arc;

    use super::*;
    use crate::catalog::Catalog;
    use crate::engine::{ApiError, Settings};
    use crate::storage::Value;

    fn engine(store: crate::storage::sqlite::SqliteStore) -> Engine {
        Engine::new(
            Catalog::embedded().expect("catalog"),
            Arc::new(store),
            Settings {
                base_url: "http://localhost/".into(),
                json_ps_quirks: false,
                json_numbers: false,
                buffer_limit: 1024,
                download_dir: "download".into(),
                images_dir: "img".into(),
                fragment_cache_mb: 0,
            },
        )
    }

    fn write(tx: &mut dyn Tx, name: &str) -> ApiResult<()> {
        tx.insert(
            "configuration",
            &[
                ("name", Value::from(name)),
                ("value", Value::from("1")),
                ("date_add", Value::from("2026-01-01 00:00:00")),
                ("date_upd", Value::from("2026-01-01 00:00:00")),
            ],
        )?;
        Ok(())
    }

    #[test]
    fn jobs_run_after_a_commit_only() {
        let (_d, s) = crate::storage::sqlite::temp_store();
        let e = engine(s);
        let ran = Rc::new(RefCell::new(Vec::new()));
        let r = ran.clone();
        e.transaction_then(|tx, later| {
            write(tx, "SHOPWS_AFTER_COMMIT_A")?;
            let r = r.clone();
            // The row is committed by the time the job runs.
            later.push(move |e: &Engine| {
                let seen = e
                    .store
                    .first_row(&crate::storage::Select {
                        table: "configuration",
                        columns: &["name"],
                        key: vec![("name", Value::from("SHOPWS_AFTER_COMMIT_A"))],
                        ..Default::default()
                    })
                    .expect("read");
                r.borrow_mut().push(("a", seen.is_some()));
            });
            Ok(())
        })
        .expect("committed");
        assert_eq!(*ran.borrow(), vec![("a", true)]);

        let r = ran.clone();
        let failed = e.transaction_then(|tx, later| -> ApiResult<()> {
            write(tx, "SHOPWS_AFTER_COMMIT_B")?;
            let r = r.clone();
            later.push(move |_: &Engine| r.borrow_mut().push(("b", true)));
            Err(ApiError::new(500, 1, "no"))
        });
        assert!(failed.is_err());
        assert_eq!(
            ran.borrow().len(),
            1,
            "a rolled-back transaction runs nothing"
        );

        let r = ran.clone();
        e.transaction_then(|_, later| {
            let mark = later.mark();
            let r1 = r.clone();
            later.push(move |_: &Engine| r1.borrow_mut().push(("refused", true)));
            later.forget_since(mark);
            let r2 = r.clone();
            later.push(move |_: &Engine| r2.borrow_mut().push(("kept", true)));
            Ok(())
        })
        .expect("committed");
        assert_eq!(ran.borrow()[1..], [("kept", true)]);
    }
}

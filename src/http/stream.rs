//! The body sink the engine writes lists into: kept in memory up to a limit (so the answer can
//! carry `Content-Sha1` and honour `Local-Content-Sha1`), streamed beyond it.

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use crate::engine::error::{ApiError, ApiResult};
use crate::engine::Out;

pub type Chunks = mpsc::Receiver<Result<Bytes, std::io::Error>>;

/// What the HTTP side needs to start a streamed answer.
pub struct Started {
    pub chunks: Chunks,
    pub total: Option<u64>,
}

pub struct Sink {
    held: Vec<u8>,
    limit: usize,
    start: Option<oneshot::Sender<Started>>,
    total: Option<u64>,
    tx: Option<mpsc::Sender<Result<Bytes, std::io::Error>>>,
}

impl Sink {
    pub fn new(limit: usize, start: oneshot::Sender<Started>) -> Self {
        Sink {
            held: Vec::new(),
            limit,
            start: Some(start),
            total: None,
            tx: None,
        }
    }

    pub fn streaming(&self) -> bool {
        self.tx.is_some()
    }

    /// What was held back, when the response never started streaming.
    pub fn into_held(self) -> Vec<u8> {
        self.held
    }

    fn send(&mut self, bytes: Vec<u8>) -> ApiResult<()> {
        let Some(tx) = &self.tx else { return Ok(()) };
        // Back-pressure: the blocking producer waits for the client.
        tx.blocking_send(Ok(Bytes::from(bytes)))
            .map_err(|_| ApiError::internal())
    }

    /// Sends the rest of the body after the engine finished (streaming case).
    pub fn finish(&mut self, tail: Vec<u8>) -> ApiResult<()> {
        self.send(tail)
    }
}

impl Out for Sink {
    fn total(&mut self, n: u64) {
        self.total = Some(n);
    }

    fn emit(&mut self, buf: &mut Vec<u8>) -> ApiResult<()> {
        // The engine's buffer is handed over whole and replaced by one of the same capacity:
        // the next chunk is about as large, and growing a buffer from nothing copies it over
        // and over (a 1,000-product page is 6.6 MB).
        let cap = buf.capacity();
        if self.tx.is_some() {
            let chunk = std::mem::replace(buf, Vec::with_capacity(cap));
            return self.send(chunk);
        }
        if self.held.is_empty() {
            self.held = std::mem::replace(buf, Vec::with_capacity(cap));
        } else {
            self.held.append(buf);
        }
        if self.held.len() > self.limit {
            let (tx, rx) = mpsc::channel(8);
            if let Some(start) = self.start.take() {
                let started = Started {
                    chunks: rx,
                    total: self.total,
                };
                start.send(started).map_err(|_| ApiError::internal())?;
            }
            self.tx = Some(tx);
            let first = std::mem::take(&mut self.held);
            self.send(first)?;
        }
        Ok(())
    }
}

//! The body sink the engine writes lists into: kept in memory up to a limit (so the answer can
//! carry `Content-Sha1` and honour `Local-Content-Sha1`), streamed beyond it.

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use crate::engine::error::{ApiError, ApiResult};
use crate::engine::Out;

pub type Chunks = mpsc::Receiver<Result<Bytes, std::io::Error>>;

pub struct Sink {
    held: Vec<u8>,
    limit: usize,
    start: Option<oneshot::Sender<Chunks>>,
    tx: Option<mpsc::Sender<Result<Bytes, std::io::Error>>>,
}

impl Sink {
    pub fn new(limit: usize, start: oneshot::Sender<Chunks>) -> Self {
        Sink {
            held: Vec::new(),
            limit,
            start: Some(start),
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
    fn emit(&mut self, buf: &mut Vec<u8>) -> ApiResult<()> {
        if self.tx.is_some() {
            let chunk = std::mem::take(buf);
            return self.send(chunk);
        }
        self.held.append(buf);
        if self.held.len() > self.limit {
            let (tx, rx) = mpsc::channel(8);
            if let Some(start) = self.start.take() {
                start.send(rx).map_err(|_| ApiError::internal())?;
            }
            self.tx = Some(tx);
            let first = std::mem::take(&mut self.held);
            self.send(first)?;
        }
        Ok(())
    }
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Integration tests: each starts the real `shopws` binary on a free port with its own SQLite
//! file and talks HTTP to it.

mod support;

mod auth;
mod backoffice;
mod catalog;
mod crash;
mod database;
mod errors;
mod json;
mod listing;
mod login_throttle;
mod permissions;
mod prices;
mod server;
mod slow;
mod write_load;
mod writes;

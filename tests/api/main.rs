#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Integration tests: each starts the real `shopws` binary on a free port with its own database
//! and talks HTTP to it. The database is a SQLite file, or a fresh MySQL/MariaDB database when
//! SHOPWS_TEST_MYSQL names a server (`mysql://USER:PASSWORD@HOST:PORT`, a user that may
//! create databases); `scripts/test.sh` runs these tests once on each.

mod support;

mod activity;
mod attachments;
mod auth;
mod backoffice;
mod carts;
mod catalog;
mod checkout;
mod crash;
mod database;
mod doctor;
mod errors;
mod images;
mod json;
mod keytools;
mod leftovers;
mod listing;
mod login_throttle;
mod mail;
mod openapi;
mod operations;
mod order_states;
mod permissions;
mod prices;
mod replies;
mod search;
mod server;
mod slow;
mod smtp_sink;
mod totp;
mod write_load;
mod writes;

//! shopws: a PrestaShop-compatible commerce Webservice.
//!
//! Layers, outermost first: [`cli`] (the binary's verbs) → [`http`] (routing, keys, headers,
//! error documents) → [`engine`] (catalog-driven reads and writes, XML/JSON output) →
//! [`storage`] (backends behind one trait). [`catalog`] is the data describing every
//! resource; [`accounts`] holds webservice keys and permissions; [`employees`] the back-office
//! accounts (password policy, Argon2id hashes), used by the CLI and the back office alike;
//! [`mail`] the e-mails sent to customers on order events (an outbox and a background sender);
//! [`openapi`] the OpenAPI document generated from the catalog; [`activity`] the API activity
//! per key, counted in memory and written behind the requests.

pub mod accounts;
pub mod activity;
pub mod app;
pub mod audit;
pub mod backoffice;
pub mod catalog;
pub mod cli;
pub mod client_ip;
pub mod clock;
pub mod employees;
pub mod engine;
pub mod http;
pub mod mail;
pub mod openapi;
pub mod storage;

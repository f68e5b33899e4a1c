//! E-mails to customers on order events (confirmation, state changes, parcel in transit).
//!
//! They never make a request wait for a mail server, nor fail because of one: the order code
//! queues an e-mail in its own write transaction ([`queue_order_mail`]), so the e-mail exists
//! if and only if the change commits, and the [`sender`] sends the outbox in the background by
//! SMTP, as the shop's mail settings (`PS_MAIL_*`) say, retrying with exponential backoff.
//! Nothing is lost in a restart: the outbox is a table, and a message being sent is leased,
//! so several nodes on one database never send it twice and one killed mid-send is replaced.
//!
//! Layers: [`templates`] (the words), [`order_mail`] (an order's variables; [`state_mail`]
//! picks the template of an order state), [`outbox`] (the
//! table: queue, claim, mark), [`smtp`] (settings → lettre transport and message), [`sender`]
//! (the loop).

pub mod order_mail;
pub mod outbox;
pub mod sender;
pub mod smtp;
pub mod state_mail;
pub mod templates;

#[cfg(test)]
mod tests;

pub use order_mail::queue_order_mail;
pub use sender::{Options, Sender};
pub use state_mail::queue_state_mail;

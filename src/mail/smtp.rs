//! The shop's mail settings (PrestaShop's `PS_MAIL_*` configuration values, as its back office
//! writes them under Advanced Parameters › E-mail) and the SMTP transport and message built
//! from them with `lettre`.
//!
//! `PS_MAIL_METHOD`: 1 is PHP's `mail()` function in PrestaShop, which hands the message to
//! the machine's own mail server; shopws has no such function and sends by SMTP to
//! `localhost:25`, unencrypted and without login, which is what that server listens on. 2 is
//! SMTP with `PS_MAIL_SERVER`, `PS_MAIL_SMTP_PORT`, `PS_MAIL_USER`, `PS_MAIL_PASSWD` and
//! `PS_MAIL_SMTP_ENCRYPTION` (`off`, `tls` = STARTTLS, `ssl` = TLS from the first byte). 3 is
//! "Never send e-mails". `PS_MAIL_TYPE`: 1 HTML, 2 text, 3 both.

use std::time::Duration;

use lettre::message::header::ContentTransferEncoding;
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport};

use crate::storage::{Reader, Select, StorageResult, Value};

use super::outbox::Claimed;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// PrestaShop's `mail()`: SMTP to the local mail server.
    Local,
    Smtp,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    Off,
    StartTls,
    Tls,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailType {
    Html,
    Text,
    Both,
}

/// A secret that never shows in `Debug` output or logs.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub method: Method,
    pub server: String,
    pub port: u16,
    pub user: String,
    pub password: Secret,
    pub encryption: Encryption,
    pub from_email: String,
    pub from_name: String,
    pub mail_type: MailType,
}

const NAMES: &[&str] = &[
    "PS_MAIL_METHOD",
    "PS_MAIL_SERVER",
    "PS_MAIL_SMTP_PORT",
    "PS_MAIL_USER",
    "PS_MAIL_PASSWD",
    "PS_MAIL_SMTP_ENCRYPTION",
    "PS_MAIL_TYPE",
    "PS_SHOP_EMAIL",
    "PS_SHOP_NAME",
];

/// Configuration values `names` as shop `shop` sees them: its own value, else the value for
/// all shops. (Values set for a shop group are not read: the outbox keeps the shop only.)
pub fn config(
    rd: &mut dyn Reader,
    names: &[&str],
    shop: i64,
) -> StorageResult<Vec<(String, String)>> {
    let rows = rd.select(&Select {
        table: "configuration",
        columns: &["name", "value", "id_shop", "id_shop_group"],
        any: Some(("name", names.iter().map(|n| Value::from(*n)).collect())),
        order: &["id_configuration"],
        ..Default::default()
    })?;
    let mut out: Vec<(String, String, bool)> = Vec::new();
    for r in rows {
        let id_shop = r[2].as_i64().unwrap_or(0);
        let own = match (id_shop, r[3].as_i64().unwrap_or(0)) {
            (0, 0) => false,
            (s, _) if s == shop && shop != 0 => true,
            _ => continue,
        };
        let name = r[0].to_text();
        match out.iter_mut().find(|(n, _, _)| *n == name) {
            Some(e) if own || !e.2 => {
                e.1 = r[1].to_text();
                e.2 = own;
            }
            Some(_) => {}
            None => out.push((name, r[1].to_text(), own)),
        }
    }
    Ok(out.into_iter().map(|(n, v, _)| (n, v)).collect())
}

impl Settings {
    /// The settings shop `shop` sends with, read now (a change made in PrestaShop's back office
    /// is in force at the next message).
    pub fn load(rd: &mut dyn Reader, shop: i64) -> StorageResult<Settings> {
        let values = config(rd, NAMES, shop)?;
        Ok(Self::from_values(&values))
    }

    pub fn from_values(values: &[(String, String)]) -> Settings {
        let get = |name: &str| {
            values
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let method = match get("PS_MAIL_METHOD").as_str() {
            "2" => Method::Smtp,
            "3" => Method::Never,
            _ => Method::Local,
        };
        let encryption = match get("PS_MAIL_SMTP_ENCRYPTION").to_ascii_lowercase().as_str() {
            "tls" => Encryption::StartTls,
            "ssl" => Encryption::Tls,
            _ => Encryption::Off,
        };
        let mail_type = match get("PS_MAIL_TYPE").as_str() {
            "1" => MailType::Html,
            "2" => MailType::Text,
            _ => MailType::Both,
        };
        Settings {
            method,
            server: get("PS_MAIL_SERVER"),
            port: get("PS_MAIL_SMTP_PORT").parse().unwrap_or(25),
            user: get("PS_MAIL_USER"),
            // Not trimmed: a password may end with a space.
            password: Secret(
                values
                    .iter()
                    .find(|(n, _)| n == "PS_MAIL_PASSWD")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            ),
            encryption,
            from_email: get("PS_SHOP_EMAIL"),
            from_name: get("PS_SHOP_NAME"),
            mail_type,
        }
    }

    /// The SMTP transport these settings describe (`None` when sending is off).
    pub fn transport(&self, timeout: Duration) -> Result<Option<SmtpTransport>, String> {
        let builder = match (self.method, self.encryption) {
            (Method::Never, _) => return Ok(None),
            (Method::Local, _) => SmtpTransport::builder_dangerous("localhost").port(25),
            (Method::Smtp, Encryption::Off) => {
                SmtpTransport::builder_dangerous(self.server.as_str()).port(self.port)
            }
            (Method::Smtp, Encryption::StartTls) => SmtpTransport::starttls_relay(&self.server)
                .map_err(|e| format!("SMTP server {}: {e}", self.server))?
                .port(self.port),
            (Method::Smtp, Encryption::Tls) => SmtpTransport::relay(&self.server)
                .map_err(|e| format!("SMTP server {}: {e}", self.server))?
                .port(self.port),
        };
        let builder = builder.timeout(Some(timeout));
        let builder = if self.method == Method::Smtp && !self.user.is_empty() {
            builder.credentials(Credentials::new(self.user.clone(), self.password.0.clone()))
        } else {
            builder
        };
        Ok(Some(builder.build()))
    }

    /// The message of a claimed row, from the shop's address, in the shop's mail type. An error
    /// here is permanent (an address that is not one): retrying would not help.
    pub fn message(&self, c: &Claimed) -> Result<Message, String> {
        let from: Mailbox = format_mailbox(&self.from_name, &self.from_email).map_err(|e| {
            format!(
                "shop e-mail address (PS_SHOP_EMAIL) {:?}: {e}",
                self.from_email
            )
        })?;
        let to: Mailbox = format_mailbox(&c.recipient_name, &c.recipient)
            .map_err(|e| format!("recipient address {:?}: {e}", c.recipient))?;
        let builder = Message::builder()
            .from(from)
            .to(to)
            .subject(c.subject.clone());
        let text = || {
            SinglePart::builder()
                .header(lettre::message::header::ContentType::TEXT_PLAIN)
                .body(
                    Body::new_with_encoding(
                        c.text.clone(),
                        ContentTransferEncoding::QuotedPrintable,
                    )
                    .unwrap_or_else(Body::new),
                )
        };
        let html = || {
            SinglePart::builder()
                .header(lettre::message::header::ContentType::TEXT_HTML)
                .body(
                    Body::new_with_encoding(
                        c.html.clone(),
                        ContentTransferEncoding::QuotedPrintable,
                    )
                    .unwrap_or_else(Body::new),
                )
        };
        let built = match self.mail_type {
            MailType::Html => builder.singlepart(html()),
            MailType::Text => builder.singlepart(text()),
            MailType::Both => builder.multipart(
                MultiPart::alternative()
                    .singlepart(text())
                    .singlepart(html()),
            ),
        };
        built.map_err(|e| format!("message: {e}"))
    }
}

fn format_mailbox(name: &str, email: &str) -> Result<Mailbox, String> {
    let address = email
        .trim()
        .parse::<lettre::Address>()
        .map_err(|e| e.to_string())?;
    let name = name.trim();
    Ok(Mailbox::new(
        (!name.is_empty()).then(|| name.to_string()),
        address,
    ))
}

//! `shopws admin create|passwd|list|totp-require|totp-reset`: back-office employees. Passwords come from a terminal
//! prompt or standard input, never from the command line.

use std::io::{BufRead, IsTerminal};

use clap::{Subcommand, ValueEnum};

use super::{open_store, seed_if_empty, Global};
use crate::employees;

#[derive(Subcommand, Debug)]
pub enum AdminAction {
    /// Create an employee (password: 12 to 128 characters, not a common one).
    Create {
        #[arg(long, env = "SHOPWS_ADMIN_EMAIL")]
        email: String,
        /// `admin`: every back-office right; `viewer`: read-only.
        #[arg(long, env = "SHOPWS_ADMIN_ROLE", value_enum, default_value_t = Role::Admin)]
        role: Role,
    },
    /// Set an employee's password (same policy) and end all of their sessions.
    Passwd {
        #[arg(long, env = "SHOPWS_ADMIN_EMAIL")]
        email: String,
    },
    /// List employees: id, e-mail, role, status, second factor, last login.
    List,
    /// Require (or, with --off, stop requiring) a second factor (TOTP) for an employee: one
    /// who has none is sent to set it up right after the password at the next login.
    TotpRequire {
        #[arg(long, env = "SHOPWS_ADMIN_EMAIL")]
        email: String,
        #[arg(long)]
        off: bool,
    },
    /// Reset an employee's second factor (lost device and recovery codes): the secret and the
    /// recovery codes are deleted; if it is required, they set it up again at the next login.
    TotpReset {
        #[arg(long, env = "SHOPWS_ADMIN_EMAIL")]
        email: String,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Viewer,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Admin => employees::ROLE_ADMIN,
            Role::Viewer => employees::ROLE_VIEWER,
        }
    }
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let p = rpassword::prompt_password("Password (12 to 128 characters): ")?;
        let again = rpassword::prompt_password("Same password again: ")?;
        if p != again {
            anyhow::bail!("the passwords differ");
        }
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub fn run(g: &Global, action: AdminAction) -> anyhow::Result<()> {
    let store = open_store(g)?;
    seed_if_empty(store.as_ref(), g, false)?;
    match action {
        AdminAction::Create { email, role } => {
            let password = read_password()?;
            let id = employees::create(store.as_ref(), &email, &password, role.as_str())?;
            println!(
                "created employee #{id} ({}, {})",
                email.trim().to_lowercase(),
                role.as_str()
            );
        }
        AdminAction::Passwd { email } => {
            let password = read_password()?;
            let id = employees::set_password(store.as_ref(), &email, &password)?;
            println!(
                "password changed for employee #{id} ({}); their sessions are closed",
                email.trim().to_lowercase()
            );
        }
        AdminAction::List => {
            println!(
                "{:<5} {:<32} {:<7} {:<9} {:<9} LAST LOGIN",
                "ID", "E-MAIL", "ROLE", "STATUS", "TOTP"
            );
            for u in employees::list(store.as_ref())? {
                let t = employees::totp::state(store.as_ref(), u.id)?;
                let totp = match (t.enabled, t.required) {
                    (true, true) => "required",
                    (true, false) => "on",
                    (false, true) => "pending",
                    (false, false) => "off",
                };
                println!(
                    "{:<5} {:<32} {:<7} {:<9} {:<9} {}",
                    u.id,
                    u.email,
                    u.role,
                    if u.disabled { "disabled" } else { "enabled" },
                    totp,
                    u.last_login_at.as_deref().unwrap_or("never")
                );
            }
        }
        AdminAction::TotpRequire { email, off } => {
            let (id, email) = find(store.as_ref(), &email)?;
            employees::totp::set_required(store.as_ref(), id, !off)?;
            let action = if off {
                "totp.not_required"
            } else {
                "totp.required"
            };
            store.write(&mut |tx| crate::audit::employee(tx, action, id, &email, ""))?;
            if off {
                println!("employee #{id} ({email}) no longer needs a second factor");
            } else {
                println!(
                    "employee #{id} ({email}) must use a second factor; without one, their \
                     sessions are closed and they set it up at the next login"
                );
            }
        }
        AdminAction::TotpReset { email } => {
            let (id, email) = find(store.as_ref(), &email)?;
            let was = employees::totp::disable(store.as_ref(), id)?;
            store.write(&mut |tx| {
                crate::audit::employee(
                    tx,
                    "totp.reset",
                    id,
                    &email,
                    if was { "" } else { "was off" },
                )
            })?;
            println!("second factor of employee #{id} ({email}) reset; recovery codes deleted");
        }
    }
    Ok(())
}

/// The id and normalised e-mail of an employee.
fn find(store: &dyn crate::storage::Store, email: &str) -> anyhow::Result<(i64, String)> {
    let email = employees::policy::normalise_email(email);
    employees::list(store)?
        .into_iter()
        .find(|u| u.email == email)
        .map(|u| (u.id, u.email))
        .ok_or_else(|| anyhow::anyhow!("no employee has this e-mail address"))
}

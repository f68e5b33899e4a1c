//! `shopws admin create --email E`: the first (or another) back-office employee. The password
//! comes from a terminal prompt or standard input, never from the command line.

use std::io::{BufRead, IsTerminal};

use clap::Subcommand;

use super::{open_store, seed_if_empty, Global};
use crate::backoffice::users;

#[derive(Subcommand, Debug)]
pub enum AdminAction {
    /// Create an employee with every back-office right.
    Create {
        #[arg(long, env = "SHOPWS_ADMIN_EMAIL")]
        email: String,
    },
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let p = rpassword::prompt_password("Password (12 characters or more): ")?;
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
        AdminAction::Create { email } => {
            let password = read_password()?;
            let id = users::create(store.as_ref(), &email, &password)?;
            println!("created employee #{id} ({})", email.trim().to_lowercase());
        }
    }
    Ok(())
}

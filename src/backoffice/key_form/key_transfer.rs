//! "Export permissions (JSON)" and "Import permissions": a key's configuration without its
//! secret as a download, and a document read back into a key — checked strictly, previewed
//! as the permission diff, then applied with the key form's rules (the password again for a
//! powerful grant, an audit row with the diff). On the new-key page an import only fills the
//! form. The format is [`crate::accounts::transfer`]'s.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, Response, StatusCode};

use super::handlers::{load, shop_list, Change, Failed, KeyPage};
use super::input::Typed;
use crate::accounts;
use crate::accounts::transfer::{self, Changes, Transfer};
use crate::audit::Actor;
use crate::backoffice::grid;
use crate::backoffice::guard::{AdminPost, Page};
use crate::backoffice::pages::{ImportPreview, KeyTools};
use crate::backoffice::web::{blocking, field, internal, plain, prefix, redirect, Resp};
use crate::backoffice::BackOffice;

/// The download: `Content-Disposition: attachment`, the same bytes for the same key.
pub async fn export(
    State(st): State<Arc<BackOffice>>,
    Path(id): Path<i64>,
    Page(_auth): Page,
) -> Resp {
    let st2 = st.clone();
    let found = blocking(move || accounts::get(st2.engine.store.as_ref(), id).ok())
        .await
        .flatten();
    let Some(a) = found else {
        return plain(StatusCode::NOT_FOUND, "404 Not Found: no such key");
    };
    let mut r = Response::new(Body::from(transfer::export(&a)));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"shopws-key-{id}-permissions.json\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// What was typed in the import box.
struct Posted {
    json: String,
    with_settings: bool,
}

impl Posted {
    fn of(f: &[(String, String)]) -> Posted {
        Posted {
            json: field(f, "json").to_string(),
            with_settings: field(f, "with_settings") == "1",
        }
    }

    fn tools(&self) -> KeyTools {
        KeyTools {
            import_json: self.json.clone(),
            with_settings: self.with_settings,
            ..KeyTools::default()
        }
    }
}

fn preview(c: &Changes, sudo: bool) -> ImportPreview {
    let (added, removed) = c
        .permissions
        .split(' ')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .partition(|p| p.starts_with('+'));
    ImportPreview {
        added,
        removed,
        settings: c.settings.clone(),
        expect: c.describe(),
        sudo,
    }
}

/// Import into an existing key: a preview first (`step` other than `apply`), then the change.
/// A refused document, a wrong password or a preview that no longer matches change nothing.
pub async fn import(
    State(st): State<Arc<BackOffice>>,
    Path(id): Path<i64>,
    AdminPost { form: f, auth }: AdminPost,
) -> Resp {
    let mut page = match load(&st, &auth, id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(account) = page.account.clone() else {
        return internal();
    };
    let posted = Posted::of(&f);
    page.tools = posted.tools();
    let current = Typed::from_account(&account);
    let t = match transfer::parse(st.engine.catalog, &posted.json) {
        Ok(t) => t,
        Err(e) => {
            let msg = format!("{e} Nothing was changed.");
            return page.refuse(&current, msg, StatusCode::BAD_REQUEST);
        }
    };
    let changes = Changes::of(&account, &t, posted.with_settings);
    let password = account.permissions != t.permissions && grid::powerful(&t.permissions);
    page.tools.preview = Some(preview(&changes, password && !auth.session.sudo()));
    let step = field(&f, "step");
    if step != "apply" || field(&f, "expect") != changes.describe() {
        let flashes = if step == "apply" {
            vec![(
                "error",
                "The key or the file changed since the preview: nothing was changed. Check what the import does now, then apply it."
                    .to_string(),
            )]
        } else {
            Vec::new()
        };
        return page.render(&current, flashes, StatusCode::OK);
    }
    let with_settings = posted.with_settings;
    let work = move |st: &BackOffice, actor: &Actor| {
        transfer::import(st.engine.store.as_ref(), id, &t, with_settings, actor).map_err(
            |e| match e {
                accounts::AccountError::Storage(_) => Failed::Internal,
                other => Failed::Refused(other.to_string()),
            },
        )
    };
    let done = |_: Changes| {
        redirect(&format!(
            "{}/webservice/keys/{id}?done=imported",
            prefix(&st)
        ))
    };
    let change = Change {
        password,
        once: false,
    };
    page.carry_out(&current, &f, change, work, done).await
}

/// Import on the new-key page: the document's permissions (and, when asked, description and
/// policies) fill the form; nothing is saved until the form is.
pub async fn import_new(
    State(st): State<Arc<BackOffice>>,
    AdminPost { form: f, auth }: AdminPost,
) -> Resp {
    let posted = Posted::of(&f);
    let shops = shop_list(&st).await;
    let mut blank = Typed::blank();
    blank.shops = shops.iter().map(|(id, _)| *id).collect();
    let page = KeyPage {
        st: &st,
        auth: &auth,
        shops,
        account: None,
        tools: posted.tools(),
    };
    let t = match transfer::parse(st.engine.catalog, &posted.json) {
        Ok(t) => t,
        Err(e) => {
            let msg = format!("{e} Nothing was changed.");
            return page.refuse(&blank, msg, StatusCode::BAD_REQUEST);
        }
    };
    let filled = fill(blank, &t, posted.with_settings);
    let n = t.permissions.len();
    let msg = format!(
        "The file's permissions are ticked below ({n} resource{}): review them and save. Nothing is saved until then.",
        if n == 1 { "" } else { "s" }
    );
    page.render(&filled, vec![("success", msg)], StatusCode::OK)
}

/// The new-key form with the document's permissions, and its description and policies when
/// `with_settings`.
fn fill(mut t: Typed, doc: &Transfer, with_settings: bool) -> Typed {
    t.perms = doc.permissions.clone();
    if with_settings {
        t.description = doc.description.clone();
        if let Some(e) = &doc.expires_at {
            t.expires_in = "date".into();
            t.expires = e.clone();
        }
        t.ip_allowlist = doc
            .policy
            .ip_allowlist
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        t.rate = doc
            .policy
            .rate_per_sec
            .map(|r| r.to_string())
            .unwrap_or_default();
        t.burst = doc.policy.burst.map(|b| b.to_string()).unwrap_or_default();
    }
    t
}

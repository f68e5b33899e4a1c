-- shopws's own tables, beside PrestaShop's (which stay exactly as PrestaShop writes them).
-- API keys are never stored in clear: webservice_account.key holds a 31-character placeholder
-- and the credential below holds HMAC-SHA-256(pepper, upper(key)).
CREATE TABLE IF NOT EXISTS "shopws_key_credential" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "id_webservice_account" INTEGER NOT NULL,
  "digest" TEXT NOT NULL,
  "digest_alg" TEXT NOT NULL DEFAULT 'hmac-sha256-v1',
  "hint" TEXT NOT NULL,
  "created_at" TEXT NOT NULL,
  "created_by" TEXT NOT NULL DEFAULT 'cli',
  "expires_at" TEXT DEFAULT NULL,
  "revoked_at" TEXT DEFAULT NULL,
  "last_used_at" TEXT DEFAULT NULL,
  "last_used_ip" TEXT DEFAULT NULL,
  "use_count" INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS "shopws_key_credential__digest" ON "shopws_key_credential" ("digest");
CREATE INDEX IF NOT EXISTS "shopws_key_credential__account" ON "shopws_key_credential" ("id_webservice_account");

CREATE TABLE IF NOT EXISTS "shopws_key_policy" (
  "id_webservice_account" INTEGER PRIMARY KEY,
  "ip_allowlist" TEXT DEFAULT NULL,
  "rate_per_sec" REAL DEFAULT NULL,
  "burst" INTEGER DEFAULT NULL,
  "updated_at" TEXT NOT NULL,
  "updated_by" TEXT NOT NULL DEFAULT 'cli'
);

CREATE TABLE IF NOT EXISTS "shopws_audit" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "at" TEXT NOT NULL,
  "actor_type" TEXT NOT NULL,
  "actor_id" TEXT DEFAULT NULL,
  "ip" TEXT DEFAULT NULL,
  "user_agent" TEXT DEFAULT NULL,
  "action" TEXT NOT NULL,
  "target_type" TEXT DEFAULT NULL,
  "target_id" TEXT DEFAULT NULL,
  "target_hint" TEXT DEFAULT NULL,
  "details" TEXT DEFAULT NULL,
  "result" TEXT NOT NULL DEFAULT 'ok'
);

-- Back office: employees, server-side sessions (shared by every node through the database)
-- and login throttling. Passwords are Argon2id PHC strings; sessions are stored by the
-- SHA-256 of their cookie value, never the value itself.
CREATE TABLE IF NOT EXISTS "shopws_admin_user" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "email" TEXT NOT NULL,
  "password_phc" TEXT NOT NULL,
  "role" TEXT NOT NULL DEFAULT 'admin',
  "disabled" INTEGER NOT NULL DEFAULT 0,
  "created_at" TEXT NOT NULL,
  "last_login_at" TEXT DEFAULT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS "shopws_admin_user__email" ON "shopws_admin_user" ("email");

CREATE TABLE IF NOT EXISTS "shopws_admin_session" (
  "id_digest" TEXT PRIMARY KEY,
  "user_id" INTEGER NOT NULL,
  "csrf_secret" TEXT NOT NULL,
  "created_at" INTEGER NOT NULL,
  "last_seen_at" INTEGER NOT NULL,
  "ip" TEXT DEFAULT NULL,
  "reauth_at" INTEGER NOT NULL DEFAULT 0,
  "user_agent" TEXT DEFAULT NULL
);

CREATE TABLE IF NOT EXISTS "shopws_login_throttle" (
  "subject" TEXT PRIMARY KEY,
  "failures" INTEGER NOT NULL DEFAULT 0,
  "window_start" INTEGER NOT NULL,
  "locked_until" INTEGER NOT NULL DEFAULT 0,
  "lockouts" INTEGER NOT NULL DEFAULT 0
);

-- An employee's second factor (RFC 6238 TOTP). `secret` is sealed with the server pepper
-- (a random nonce and the secret XOR an HMAC-SHA-256 stream), never in clear; `enabled_at`
-- NULL while an enrolment waits for its first code; `last_step` refuses a code twice;
-- `required` makes the employee enrol at the next login.
CREATE TABLE IF NOT EXISTS "shopws_admin_totp" (
  "user_id" INTEGER PRIMARY KEY,
  "secret" TEXT DEFAULT NULL,
  "enabled_at" INTEGER DEFAULT NULL,
  "last_step" INTEGER NOT NULL DEFAULT 0,
  "required" INTEGER NOT NULL DEFAULT 0
);

-- Single-use recovery codes: only their SHA-256.
CREATE TABLE IF NOT EXISTS "shopws_admin_recovery_code" (
  "user_id" INTEGER NOT NULL,
  "digest" TEXT NOT NULL,
  "used_at" INTEGER DEFAULT NULL,
  PRIMARY KEY ("user_id", "digest")
);

-- A login whose password was right and whose second factor is awaited (or whose employee
-- must enrol first): the SHA-256 of the cookie value, valid five minutes, never a session.
CREATE TABLE IF NOT EXISTS "shopws_admin_pending_login" (
  "id_digest" TEXT PRIMARY KEY,
  "user_id" INTEGER NOT NULL,
  "csrf_secret" TEXT NOT NULL,
  "created_at" INTEGER NOT NULL,
  "ip" TEXT DEFAULT NULL,
  "user_agent" TEXT DEFAULT NULL
);

-- Addresses (IPv6: their /64) an employee logged in from: exempt from the per-account
-- slowdown for 30 days, so an attacker guessing from elsewhere cannot lock the employee out.
CREATE TABLE IF NOT EXISTS "shopws_login_known" (
  "subject" TEXT PRIMARY KEY,
  "last_ok" INTEGER NOT NULL
);

-- The search index read in weight order for one word (`/api/search?query=word`), from the
-- index alone: PrestaShop's MySQL table has its primary key (id_word, id_product) clustered
-- with the weight; SQLite's table would be read row by row for the weight.
CREATE INDEX IF NOT EXISTS "search_index__word_weight" ON "search_index" ("id_word", "weight" DESC, "id_product");

-- E-mails to send (order confirmations, state changes, parcels in transit): queued in the
-- transaction of the change that causes them, sent by a background loop with retries. A row
-- being sent is leased: `next_at` (Unix milliseconds) is moved past the lease and `claim`
-- names the sender, so two nodes never send it both, and a node killed mid-send lets another
-- take it once the lease is over. `state`: queued, sent, failed (attempts exhausted),
-- dropped (sending disabled in the shop's settings) or expired (still unsent when older than
-- the sender's --mail-max-age; `queued_ms` is when it was queued).
CREATE TABLE IF NOT EXISTS "shopws_mail_outbox" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "id_order" INTEGER NOT NULL DEFAULT 0,
  "id_shop" INTEGER NOT NULL DEFAULT 1,
  "id_lang" INTEGER NOT NULL DEFAULT 0,
  "template" TEXT NOT NULL,
  "recipient" TEXT NOT NULL,
  "recipient_name" TEXT NOT NULL DEFAULT '',
  "subject" TEXT NOT NULL,
  "body_text" TEXT NOT NULL,
  "body_html" TEXT NOT NULL,
  "state" TEXT NOT NULL DEFAULT 'queued',
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "next_at" INTEGER NOT NULL,
  "queued_ms" INTEGER NOT NULL DEFAULT 0,
  "claim" TEXT NOT NULL DEFAULT '',
  "last_error" TEXT NOT NULL DEFAULT '',
  "created_at" TEXT NOT NULL,
  "sent_at" TEXT DEFAULT NULL
);
CREATE INDEX IF NOT EXISTS "shopws_mail_outbox__due" ON "shopws_mail_outbox" ("state", "next_at");

-- API activity per key (the back office's activity page), written behind the requests by
-- every node every few seconds and kept rolling: hourly buckets for 8 days (counts added by
-- each node: `hour` is Unix seconds / 3600), and the latest requests of each key (a fixed
-- number per key, older ones deleted). Never a key: `path` has `ws_key` taken out.
CREATE TABLE IF NOT EXISTS "shopws_api_activity" (
  "id_webservice_account" INTEGER NOT NULL,
  "hour" INTEGER NOT NULL,
  "requests" INTEGER NOT NULL DEFAULT 0,
  "errors" INTEGER NOT NULL DEFAULT 0,
  "duration_us" INTEGER NOT NULL DEFAULT 0,
  "bytes" INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY ("id_webservice_account", "hour")
);
CREATE INDEX IF NOT EXISTS "shopws_api_activity__hour" ON "shopws_api_activity" ("hour");

CREATE TABLE IF NOT EXISTS "shopws_api_recent" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "id_webservice_account" INTEGER NOT NULL,
  "at" TEXT NOT NULL,
  "method" TEXT NOT NULL,
  "path" TEXT NOT NULL,
  "status" INTEGER NOT NULL,
  "duration_us" INTEGER NOT NULL,
  "ip" TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS "shopws_api_recent__key" ON "shopws_api_recent" ("id_webservice_account", "id");

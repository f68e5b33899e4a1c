-- shopws's own tables in a MySQL/MariaDB database, beside PrestaShop's (which stay exactly as
-- PrestaShop writes them). PREFIX_ is the shop's table prefix; only CREATE TABLE IF NOT EXISTS
-- here, so running it again is harmless. Exact (binary) collation: digests, sessions and
-- subjects compare byte for byte.
CREATE TABLE IF NOT EXISTS `PREFIX_shopws_meta` (
  `name` varchar(64) NOT NULL,
  `value` varchar(255) NOT NULL,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `PREFIX_shopws_key_credential` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `id_webservice_account` int(11) NOT NULL,
  `digest` varchar(64) NOT NULL,
  `digest_alg` varchar(32) NOT NULL DEFAULT 'hmac-sha256-v1',
  `hint` varchar(64) NOT NULL,
  `created_at` varchar(19) NOT NULL,
  `created_by` varchar(255) NOT NULL DEFAULT 'cli',
  `expires_at` varchar(19) DEFAULT NULL,
  `revoked_at` varchar(19) DEFAULT NULL,
  `last_used_at` varchar(19) DEFAULT NULL,
  `last_used_ip` varchar(64) DEFAULT NULL,
  `use_count` bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  UNIQUE KEY `digest` (`digest`),
  KEY `account` (`id_webservice_account`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `PREFIX_shopws_key_policy` (
  `id_webservice_account` int(11) NOT NULL,
  `ip_allowlist` text DEFAULT NULL,
  `rate_per_sec` double DEFAULT NULL,
  `burst` int(11) DEFAULT NULL,
  `updated_at` varchar(19) NOT NULL,
  `updated_by` varchar(255) NOT NULL DEFAULT 'cli',
  PRIMARY KEY (`id_webservice_account`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `PREFIX_shopws_audit` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `at` varchar(19) NOT NULL,
  `actor_type` varchar(32) NOT NULL,
  `actor_id` varchar(255) DEFAULT NULL,
  `ip` varchar(64) DEFAULT NULL,
  `user_agent` varchar(255) DEFAULT NULL,
  `action` varchar(64) NOT NULL,
  `target_type` varchar(32) DEFAULT NULL,
  `target_id` varchar(64) DEFAULT NULL,
  `target_hint` varchar(64) DEFAULT NULL,
  `details` text DEFAULT NULL,
  `result` varchar(16) NOT NULL DEFAULT 'ok',
  PRIMARY KEY (`id`),
  KEY `at` (`at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `PREFIX_shopws_admin_user` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `email` varchar(255) NOT NULL,
  `password_phc` varchar(255) NOT NULL,
  `role` varchar(32) NOT NULL DEFAULT 'admin',
  `disabled` tinyint(1) NOT NULL DEFAULT 0,
  `created_at` varchar(19) NOT NULL,
  `last_login_at` varchar(19) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `email` (`email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `PREFIX_shopws_admin_session` (
  `id_digest` varchar(64) NOT NULL,
  `user_id` int(10) unsigned NOT NULL,
  `csrf_secret` varchar(128) NOT NULL,
  `created_at` bigint(20) NOT NULL,
  `last_seen_at` bigint(20) NOT NULL,
  `ip` varchar(64) DEFAULT NULL,
  `reauth_at` bigint(20) NOT NULL DEFAULT 0,
  `user_agent` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id_digest`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `PREFIX_shopws_login_throttle` (
  `subject` varchar(255) NOT NULL,
  `failures` int(11) NOT NULL DEFAULT 0,
  `window_start` bigint(20) NOT NULL,
  `locked_until` bigint(20) NOT NULL DEFAULT 0,
  `lockouts` int(11) NOT NULL DEFAULT 0,
  PRIMARY KEY (`subject`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- An employee's second factor (RFC 6238 TOTP): the secret sealed with the server pepper.
CREATE TABLE IF NOT EXISTS `PREFIX_shopws_admin_totp` (
  `user_id` int(10) unsigned NOT NULL,
  `secret` varchar(255) DEFAULT NULL,
  `enabled_at` bigint(20) DEFAULT NULL,
  `last_step` bigint(20) NOT NULL DEFAULT 0,
  `required` tinyint(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (`user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Single-use recovery codes: only their SHA-256.
CREATE TABLE IF NOT EXISTS `PREFIX_shopws_admin_recovery_code` (
  `user_id` int(10) unsigned NOT NULL,
  `digest` varchar(64) NOT NULL,
  `used_at` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`user_id`, `digest`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A login awaiting its second factor (or an enrolment): five minutes, never a session.
CREATE TABLE IF NOT EXISTS `PREFIX_shopws_admin_pending_login` (
  `id_digest` varchar(64) NOT NULL,
  `user_id` int(10) unsigned NOT NULL,
  `csrf_secret` varchar(128) NOT NULL,
  `created_at` bigint(20) NOT NULL,
  `ip` varchar(64) DEFAULT NULL,
  `user_agent` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id_digest`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `PREFIX_shopws_login_known` (
  `subject` varchar(255) NOT NULL,
  `last_ok` bigint(20) NOT NULL,
  PRIMARY KEY (`subject`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- E-mails to send, queued with the change that causes them and sent in the background with
-- retries; `next_at` (Unix milliseconds) doubles as the lease of a row being sent.
CREATE TABLE IF NOT EXISTS `PREFIX_shopws_mail_outbox` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `id_order` int(10) unsigned NOT NULL DEFAULT 0,
  `id_shop` int(10) unsigned NOT NULL DEFAULT 1,
  `id_lang` int(10) unsigned NOT NULL DEFAULT 0,
  `template` varchar(64) NOT NULL,
  `recipient` varchar(255) NOT NULL,
  `recipient_name` varchar(255) NOT NULL DEFAULT '',
  `subject` varchar(255) NOT NULL,
  `body_text` mediumtext NOT NULL,
  `body_html` mediumtext NOT NULL,
  `state` varchar(16) NOT NULL DEFAULT 'queued',
  `attempts` int(11) NOT NULL DEFAULT 0,
  `next_at` bigint(20) NOT NULL,
  `queued_ms` bigint(20) NOT NULL DEFAULT 0,
  `claim` varchar(64) NOT NULL DEFAULT '',
  `last_error` text NOT NULL,
  `created_at` varchar(19) NOT NULL,
  `sent_at` varchar(19) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `due` (`state`, `next_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- API activity per key, written behind the requests and kept rolling: hourly buckets for
-- 8 days (`hour`: Unix seconds / 3600; every node adds its counts), and the latest requests
-- of each key (`path` without `ws_key`).
CREATE TABLE IF NOT EXISTS `PREFIX_shopws_api_activity` (
  `id_webservice_account` int(10) unsigned NOT NULL,
  `hour` bigint(20) NOT NULL,
  `requests` bigint(20) NOT NULL DEFAULT 0,
  `errors` bigint(20) NOT NULL DEFAULT 0,
  `duration_us` bigint(20) NOT NULL DEFAULT 0,
  `bytes` bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id_webservice_account`, `hour`),
  KEY `hour` (`hour`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `PREFIX_shopws_api_recent` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `id_webservice_account` int(10) unsigned NOT NULL,
  `at` varchar(19) NOT NULL,
  `method` varchar(8) NOT NULL,
  `path` varchar(255) NOT NULL,
  `status` smallint(5) unsigned NOT NULL,
  `duration_us` bigint(20) NOT NULL,
  `ip` varchar(45) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`),
  KEY `key_id` (`id_webservice_account`, `id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

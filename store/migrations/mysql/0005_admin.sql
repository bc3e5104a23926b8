-- Site administration: a role on accounts ('' or 'admin'), suspension,
-- deletion (the row stays, scrubbed, so the username stays taken), and
-- the audit log of every administrative action (see docs/OPERATIONS.md,
-- "Site administration"). actor_id is NULL for the command line.
--
-- MySQL commits each DDL statement by itself, so this runs again after a
-- failure: the table only if it is missing, and the columns in one ALTER
-- (which either happens whole or not at all), last.
CREATE TABLE IF NOT EXISTS audit_log (
    id          VARCHAR(64) PRIMARY KEY,
    actor_id    VARCHAR(64) REFERENCES users(id) ON DELETE SET NULL,
    action      VARCHAR(64) NOT NULL,
    target_type VARCHAR(32) NOT NULL,
    target_id   VARCHAR(64) NOT NULL,
    detail      VARCHAR(400) NOT NULL DEFAULT '',
    created_at  DATETIME(6) NOT NULL,
    INDEX audit_log_time (created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
ALTER TABLE users
    ADD COLUMN role VARCHAR(16) NOT NULL DEFAULT '',
    ADD COLUMN suspended_at DATETIME(6) NULL,
    ADD COLUMN deleted_at DATETIME(6) NULL;

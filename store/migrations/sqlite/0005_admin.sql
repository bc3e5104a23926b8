-- Site administration: a role on accounts ('' or 'admin'), suspension,
-- deletion (the row stays, scrubbed, so the username stays taken), and
-- the audit log of every administrative action (see docs/OPERATIONS.md,
-- "Site administration"). actor_id is NULL for the command line.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN suspended_at TEXT;
ALTER TABLE users ADD COLUMN deleted_at TEXT;
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    actor_id    TEXT REFERENCES users(id) ON DELETE SET NULL,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log(created_at, id);

-- Calendars: each session's iCalendar SEQUENCE, which grows whenever its
-- time or its calendar status (tentative, confirmed, cancelled) changes, so
-- that calendar apps replace their copy; and each user's secret calendar
-- feed of the sessions they wished (see docs/OPERATIONS.md, "Calendars").
-- Only a hash of the feed's secret is kept, as for log-in tokens.
--
-- MySQL commits each DDL statement by itself, so this runs again after a
-- failure: the table only if it is missing, and the column (one ALTER,
-- which either happens whole or not at all) last.
CREATE TABLE IF NOT EXISTS calendar_feeds (
    user_id    VARCHAR(64) PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
ALTER TABLE sessions ADD COLUMN calendar_sequence INTEGER NOT NULL DEFAULT 0;

-- Calendars: each session's iCalendar SEQUENCE, which grows whenever its
-- time or its calendar status (tentative, confirmed, cancelled) changes, so
-- that calendar apps replace their copy; and each user's secret calendar
-- feed of the sessions they wished (see docs/OPERATIONS.md, "Calendars").
-- Only a hash of the feed's secret is kept, as for log-in tokens.
ALTER TABLE sessions ADD COLUMN calendar_sequence INTEGER NOT NULL DEFAULT 0;
CREATE TABLE calendar_feeds (
    user_id    TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

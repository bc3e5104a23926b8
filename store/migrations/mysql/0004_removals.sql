-- People the host removed from a session's live room: they may not join it
-- again until the host lets them back (see docs/PROTOCOL.md, "remove").
CREATE TABLE IF NOT EXISTS live_removals (
    session_id VARCHAR(64) NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id    VARCHAR(64) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    removed_at DATETIME(6) NOT NULL,
    PRIMARY KEY (session_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

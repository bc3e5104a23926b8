-- A session's team: people the host appointed to moderate the queue and the
-- chat (moderator) or also to run the stage (cohost); see ask2live.TeamRole.
CREATE TABLE IF NOT EXISTS session_team (
    session_id VARCHAR(64) NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id    VARCHAR(64) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       VARCHAR(16) NOT NULL,
    added_at   DATETIME(6) NOT NULL,
    PRIMARY KEY (session_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- People the host removed from a session's live room: they may not join it
-- again until the host lets them back (see docs/PROTOCOL.md, "remove").
CREATE TABLE live_removals (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    removed_at TEXT NOT NULL,
    PRIMARY KEY (session_id, user_id)
);

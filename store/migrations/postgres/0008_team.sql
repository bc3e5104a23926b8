-- A session's team: people the host appointed to moderate the queue and the
-- chat (moderator) or also to run the stage (cohost); see ask2live.TeamRole.
CREATE TABLE session_team (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    added_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, user_id)
);

-- Live-room commands by client id, so that a retried command runs once
-- whichever node or socket it reaches (see docs/PROTOCOL.md, "Commands").
CREATE TABLE live_commands (
    session_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    cid        TEXT NOT NULL,
    reply      TEXT,
    claimed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, user_id, cid)
);
CREATE INDEX live_commands_claimed ON live_commands(claimed_at);

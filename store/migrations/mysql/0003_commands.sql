-- Live-room commands by client id, so that a retried command runs once
-- whichever node or socket it reaches (see docs/PROTOCOL.md, "Commands").
CREATE TABLE live_commands (
    session_id VARCHAR(64) NOT NULL,
    user_id    VARCHAR(64) NOT NULL,
    cid        VARCHAR(64) NOT NULL,
    reply      TEXT,
    claimed_at DATETIME(6) NOT NULL,
    PRIMARY KEY (session_id, user_id, cid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX live_commands_claimed ON live_commands(claimed_at);

CREATE TABLE users (
    id            VARCHAR(64) PRIMARY KEY,
    username      VARCHAR(32) NOT NULL UNIQUE,
    password_hash VARCHAR(255) NOT NULL,
    display_name  VARCHAR(160) NOT NULL,
    company       VARCHAR(400) NOT NULL DEFAULT '',
    work_field    VARCHAR(400) NOT NULL DEFAULT '',
    bio           TEXT NOT NULL,
    avatar_url    VARCHAR(255) NOT NULL DEFAULT '',
    created_at    DATETIME(6) NOT NULL,
    updated_at    DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE auth_tokens (
    hash       VARCHAR(64) PRIMARY KEY,
    user_id    VARCHAR(64) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       VARCHAR(16) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX auth_tokens_expires ON auth_tokens(expires_at);

CREATE TABLE sessions (
    id             VARCHAR(64) PRIMARY KEY,
    host_id        VARCHAR(64) NOT NULL REFERENCES users(id),
    title          VARCHAR(400) NOT NULL,
    description    TEXT NOT NULL,
    state          VARCHAR(16) NOT NULL,
    starts_at      DATETIME(6),
    started_at     DATETIME(6),
    ended_at       DATETIME(6),
    target_guests  INTEGER NOT NULL DEFAULT 0,
    wish_count     INTEGER NOT NULL DEFAULT 0,
    question_count INTEGER NOT NULL DEFAULT 0,
    sort_key       VARCHAR(32) NOT NULL,
    created_at     DATETIME(6) NOT NULL,
    updated_at     DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX sessions_list ON sessions(sort_key, id);
CREATE INDEX sessions_state ON sessions(state, sort_key, id);
CREATE INDEX sessions_host ON sessions(host_id, sort_key, id);

CREATE TABLE wishes (
    session_id VARCHAR(64) NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id    VARCHAR(64) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (session_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX wishes_user ON wishes(user_id, created_at);

CREATE TABLE questions (
    id          VARCHAR(64) PRIMARY KEY,
    session_id  VARCHAR(64) NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    author_id   VARCHAR(64) NOT NULL REFERENCES users(id),
    kind        VARCHAR(16) NOT NULL,
    text        TEXT NOT NULL,
    state       VARCHAR(16) NOT NULL,
    phase       VARCHAR(8) NOT NULL,
    votes       INTEGER NOT NULL DEFAULT 0,
    created_at  DATETIME(6) NOT NULL,
    updated_at  DATETIME(6) NOT NULL,
    answered_at DATETIME(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX questions_session ON questions(session_id, state);

CREATE TABLE votes (
    question_id VARCHAR(64) NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    user_id     VARCHAR(64) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (question_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE chat_messages (
    id         VARCHAR(64) PRIMARY KEY,
    session_id VARCHAR(64) NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    sender_id  VARCHAR(64) NOT NULL REFERENCES users(id),
    text       TEXT NOT NULL,
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX chat_session ON chat_messages(session_id, id);

CREATE TABLE participations (
    id         VARCHAR(64) PRIMARY KEY,
    session_id VARCHAR(64) NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id    VARCHAR(64) NOT NULL REFERENCES users(id),
    joined_at  DATETIME(6) NOT NULL,
    left_at    DATETIME(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX participations_open ON participations(session_id, user_id, left_at);

CREATE TABLE media (
    media_key    VARCHAR(64) PRIMARY KEY,
    content_type TEXT NOT NULL,
    data         MEDIUMBLOB NOT NULL,
    updated_at   DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

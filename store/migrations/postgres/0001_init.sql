CREATE TABLE users (
    id            VARCHAR(64) PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    company       TEXT NOT NULL DEFAULT '',
    work_field    TEXT NOT NULL DEFAULT '',
    bio           TEXT NOT NULL DEFAULT '',
    avatar_url    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE auth_tokens (
    hash       VARCHAR(64) PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX auth_tokens_expires ON auth_tokens(expires_at);

CREATE TABLE sessions (
    id             VARCHAR(64) PRIMARY KEY,
    host_id        TEXT NOT NULL REFERENCES users(id),
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL,
    starts_at      TIMESTAMPTZ,
    started_at     TIMESTAMPTZ,
    ended_at       TIMESTAMPTZ,
    target_guests  INTEGER NOT NULL DEFAULT 0,
    wish_count     INTEGER NOT NULL DEFAULT 0,
    question_count INTEGER NOT NULL DEFAULT 0,
    sort_key       TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_list ON sessions(sort_key, id);
CREATE INDEX sessions_state ON sessions(state, sort_key, id);
CREATE INDEX sessions_host ON sessions(host_id, sort_key, id);

CREATE TABLE wishes (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX wishes_user ON wishes(user_id, created_at);

CREATE TABLE questions (
    id          VARCHAR(64) PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    author_id   TEXT NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    state       TEXT NOT NULL,
    phase       TEXT NOT NULL,
    votes       INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    answered_at TIMESTAMPTZ
);
CREATE INDEX questions_session ON questions(session_id, state);

CREATE TABLE votes (
    question_id TEXT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (question_id, user_id)
);

CREATE TABLE chat_messages (
    id         VARCHAR(64) PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    sender_id  TEXT NOT NULL REFERENCES users(id),
    text       TEXT NOT NULL,
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX chat_session ON chat_messages(session_id, id);

CREATE TABLE participations (
    id         VARCHAR(64) PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id),
    joined_at  TIMESTAMPTZ NOT NULL,
    left_at    TIMESTAMPTZ
);
CREATE INDEX participations_open ON participations(session_id, user_id, left_at);

CREATE TABLE media (
    media_key    VARCHAR(64) PRIMARY KEY,
    content_type TEXT NOT NULL,
    data         BYTEA NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

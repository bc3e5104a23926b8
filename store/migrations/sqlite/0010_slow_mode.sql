-- Slow mode: while chat_slow_seconds is above 0, each person may send one
-- chat message per that many seconds in the session's live room.
ALTER TABLE sessions ADD COLUMN chat_slow_seconds INTEGER NOT NULL DEFAULT 0;

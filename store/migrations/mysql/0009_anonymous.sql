-- Anonymous questions: a host may let guests ask without their name showing
-- to the audience (sessions.allow_anonymous); a question asked so
-- (questions.anonymous) shows its author only to the author, the host and
-- the host's team. Stored as 0/1 on every database, so that copy-data moves
-- the values as they are.
ALTER TABLE sessions ADD COLUMN allow_anonymous TINYINT NOT NULL DEFAULT 0;
ALTER TABLE questions ADD COLUMN anonymous TINYINT NOT NULL DEFAULT 0;

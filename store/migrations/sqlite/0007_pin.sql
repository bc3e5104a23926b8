-- A host pins questions to the top of the queue: pinned ones come first,
-- the earliest pinned first (see QuestionLess).
ALTER TABLE questions ADD COLUMN pinned_at TEXT;

-- A milestone is ticked done (and undone) while the goal is followed up: who did it and when are
-- kept, and shown with it. Milestones ticked before this release keep done without a when or a who.
ALTER TABLE goal_milestones
    ADD COLUMN done_at timestamptz,
    ADD COLUMN done_by uuid REFERENCES users (id),
    ADD CONSTRAINT goal_milestones_done_when CHECK (done OR (done_at IS NULL AND done_by IS NULL));

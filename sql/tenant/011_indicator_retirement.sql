-- An indicator that no longer fits a goal is retired, not deleted: the values recorded against it
-- in past check-ins stay readable in the goal's history. A retired indicator takes no new values
-- and no longer counts towards the goal's derived attainment.
ALTER TABLE goal_indicators
    ADD COLUMN retired_at timestamptz,
    ADD COLUMN retired_by uuid REFERENCES users (id),
    ADD CONSTRAINT goal_indicators_retired_by CHECK (retired_at IS NOT NULL OR retired_by IS NULL);

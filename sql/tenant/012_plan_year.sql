-- Goals are planned by year: a goal carries the year it belongs to (its start's year once
-- scheduled; the year it was proposed in, for an idea). At year end management rolls unfinished
-- goals over to the next year, each with a recorded move. The organisation's current planning
-- year is the overview's default; unset, it is the calendar year.
ALTER TABLE goals ADD COLUMN plan_year integer;
UPDATE goals SET plan_year = coalesce(extract(year FROM start_date), extract(year FROM created_at))::int;
ALTER TABLE goals
    ALTER COLUMN plan_year SET NOT NULL,
    ALTER COLUMN plan_year SET DEFAULT extract(year FROM current_date)::int,
    ADD CONSTRAINT goals_plan_year CHECK (plan_year BETWEEN 2000 AND 2100);
CREATE INDEX goals_plan_year ON goals (plan_year, status);

ALTER TABLE settings ADD COLUMN planning_year integer CHECK (planning_year BETWEEN 2000 AND 2100);

-- A move to another plan year is a recorded move of its own: the year it went to.
ALTER TABLE goal_transitions ADD COLUMN plan_year integer;

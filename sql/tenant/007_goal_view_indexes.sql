-- Indexes for the goal views' look-ups by goal and indicator (Goals/GoalViews.swift), measured
-- on an organisation with 3,000 goals, 5,400 milestones, 3,600 indicators, 9,000 comments,
-- 36,000 check-ins and 72,000 indicator values (BENCHMARKS.md, "Indexes"): a page of the goal
-- list went from 1.4 s to 32 ms, one goal's view from 54 ms to 4 ms. Each is kept only because
-- it paid for itself there: every index is one more relation in every organisation's schema.
-- (checkins (goal_id, seq) was measured too and left out: 1.1–1.2 ×.)
--
-- Plain CREATE INDEX, because migrations run in a transaction: it blocks writes to the table
-- while it builds, which for one organisation's rows takes milliseconds.
CREATE INDEX checkin_values_indicator ON checkin_indicator_values (indicator_id);
CREATE INDEX goal_comments_goal ON goal_comments (goal_id);
CREATE INDEX goal_milestones_goal ON goal_milestones (goal_id, position);
CREATE INDEX goal_indicators_goal ON goal_indicators (goal_id, position);

-- Experiment, not part of Benchmarks/run: the dashboard (Dashboard.build) as ONE statement that
-- returns the whole JSON document (json_build_object + json_agg), to compare with the eleven
-- statements it sends in one pipeline (../dashboard.sql, without the tenant switch). Run on one
-- seeded organisation, both prepared, with the organisation's schema in search_path:
--   PGOPTIONS="-c search_path=<schema>,platform" pgbench -n -M prepared -c 8 -j 2 -T 8 -f dashboard-one-json.sql
-- Figures and the conclusion: BENCHMARKS.md, "One JSON statement per read model, measured".
SELECT json_build_object(
 'today', current_date, 'days', (SELECT checkin_due_days FROM settings),
 'byTheme', (SELECT json_agg(x) FROM (SELECT coalesce(theme_code, 'none') AS key, status, count(*) AS n FROM goals GROUP BY 1, 2 ORDER BY 1, 2) x),
 'byLevel', (SELECT json_agg(x) FROM (SELECT level AS key, status, count(*) AS n FROM goals GROUP BY 1, 2 ORDER BY 1, 2) x),
 'monthly', (SELECT json_agg(x) FROM (SELECT to_char(date_trunc('month', created_at), 'YYYY-MM') AS month, avg(attainment)::float8 AS average, count(*) AS n FROM checkins GROUP BY 1 ORDER BY 1) x),
 'schedule', (SELECT json_agg(x) FROM (SELECT id, title, level, status, owner_id, start_date, due_date FROM goals WHERE start_date IS NOT NULL OR due_date IS NOT NULL ORDER BY start_date NULLS LAST, due_date, title LIMIT 200) x),
 'overdueGoals', (SELECT json_agg(x) FROM (SELECT id, title, level, status, owner_id, start_date, due_date FROM goals WHERE status IN ('shortlisted', 'scheduled') AND due_date < current_date ORDER BY due_date, title LIMIT 200) x),
 'overdueTasks', (SELECT json_agg(x) FROM (SELECT id, title, procurement_id, assignee_id, due FROM tasks WHERE status <> 'done' AND due < current_date ORDER BY due, title LIMIT 200) x),
 'stale', (SELECT json_agg(x) FROM (SELECT g.id, g.title, g.owner_id, c.last FROM goals g LEFT JOIN LATERAL (SELECT max(created_at) AS last FROM checkins WHERE goal_id = g.id) c ON true WHERE g.status = 'scheduled' AND coalesce(c.last, g.start_date::timestamptz, g.updated_at) < now() - make_interval(days => (SELECT checkin_due_days FROM settings)) ORDER BY c.last NULLS FIRST, g.title LIMIT 200) x),
 'procurements', (SELECT json_agg(x) FROM (SELECT p.id, p.title, p.phase, (SELECT json_agg(y) FROM (SELECT id, title, status FROM goals WHERE procurement_id = p.id ORDER BY seq) y) AS goals FROM procurements p ORDER BY seq DESC LIMIT 200) x)
);

-- Experiment, not part of Benchmarks/run: the dashboard's eleven statements as the server sends
-- them (one pipeline), without the tenant switch, to compare with dashboard-one-json.sql.
\startpipeline
SELECT current_date AS today, (SELECT checkin_due_days FROM settings) AS days;
SELECT coalesce(theme_code, 'none') AS key, status, count(*) AS n FROM goals GROUP BY 1, 2 ORDER BY 1, 2;
SELECT level AS key, status, count(*) AS n FROM goals GROUP BY 1, 2 ORDER BY 1, 2;
SELECT to_char(date_trunc('month', created_at), 'YYYY-MM') AS month, avg(attainment)::float8 AS average, count(*) AS n FROM checkins GROUP BY 1 ORDER BY 1;
SELECT id, title, level, status, owner_id, start_date, due_date FROM goals WHERE start_date IS NOT NULL OR due_date IS NOT NULL ORDER BY start_date NULLS LAST, due_date, title LIMIT 200;
SELECT id, title, level, status, owner_id, start_date, due_date FROM goals WHERE status IN ('shortlisted', 'scheduled') AND due_date < current_date ORDER BY due_date, title LIMIT 200;
SELECT id, title, procurement_id, assignee_id, due FROM tasks WHERE status <> 'done' AND due < current_date ORDER BY due, title LIMIT 200;
SELECT g.id, g.title, g.owner_id, c.last FROM goals g LEFT JOIN LATERAL (SELECT max(created_at) AS last FROM checkins WHERE goal_id = g.id) c ON true WHERE g.status = 'scheduled' AND coalesce(c.last, g.start_date::timestamptz, g.updated_at) < now() - make_interval(days => (SELECT checkin_due_days FROM settings)) ORDER BY c.last NULLS FIRST, g.title LIMIT 200;
SELECT id, title, phase FROM procurements WHERE id IN (SELECT id FROM procurements ORDER BY seq DESC LIMIT 200) ORDER BY seq;
SELECT id, title, status, procurement_id FROM goals WHERE procurement_id IN (SELECT id FROM procurements ORDER BY seq DESC LIMIT 200) ORDER BY seq;
\endpipeline

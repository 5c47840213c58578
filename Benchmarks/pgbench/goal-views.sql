-- GoalViews.statements (Sources/Luotsi/Goals/GoalViews.swift): the six statements that read the
-- views of the goals that IDS (a subquery of goal ids) selects. Included by goals.sql and
-- goal.sql ("--include goal-views.sql IDS=…", expanded by Benchmarks/lib/pgbench_script.py).
SELECT g.*,
    (SELECT count(*) FROM goal_supports s WHERE s.goal_id = g.id) AS supports,
    EXISTS (SELECT 1 FROM goal_supports s WHERE s.goal_id = g.id AND s.user_id = :me) AS supported_by_me,
    (SELECT count(*) FROM goal_comments c WHERE c.goal_id = g.id) AS comments,
    (SELECT count(*) FROM tasks t WHERE t.goal_id = g.id) AS tasks_total,
    (SELECT count(*) FROM tasks t WHERE t.goal_id = g.id AND t.status = 'done') AS tasks_done
FROM goals g WHERE g.id IN (IDS);
SELECT a.goal_id, a.aligns_to_goal_id, a.aligns_to_catalogue_id, t.title AS goal_title, c.code, c.name AS catalogue_name
FROM goal_alignments a
LEFT JOIN goals t ON t.id = a.aligns_to_goal_id
LEFT JOIN platform.catalogue_goals c ON c.id = a.aligns_to_catalogue_id
WHERE a.goal_id IN (IDS)
ORDER BY a.aligns_to_catalogue_id NULLS FIRST, t.title, c.code;
SELECT id, goal_id, title, due, done FROM goal_milestones WHERE goal_id IN (IDS) ORDER BY position;
SELECT i.*, (SELECT v.value FROM checkin_indicator_values v JOIN checkins c ON c.id = v.checkin_id
             WHERE v.indicator_id = i.id ORDER BY c.seq DESC LIMIT 1) AS latest_value
FROM goal_indicators i WHERE i.goal_id IN (IDS) ORDER BY i.position;
SELECT DISTINCT ON (goal_id) id, goal_id, status, attainment, created_at FROM checkins
WHERE goal_id IN (IDS) ORDER BY goal_id, seq DESC;
SELECT g.id, g.code, g.version, g.name, g.description,
       l.id AS latest_id, l.version AS latest_version, l.name AS latest_name, l.description AS latest_description,
       (SELECT max(version) FROM platform.catalogue_versions WHERE status = 'published') AS newest
FROM platform.catalogue_goals g
LEFT JOIN LATERAL (
    SELECT lg.id, lg.version, lg.name, lg.description FROM platform.catalogue_goals lg
    JOIN platform.catalogue_versions v ON v.version = lg.version AND v.status = 'published'
    WHERE lg.code = g.code ORDER BY lg.version DESC LIMIT 1) l ON true
WHERE g.id IN (SELECT catalogue_goal_id FROM goals WHERE id IN (IDS));

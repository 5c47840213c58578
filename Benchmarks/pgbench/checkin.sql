-- POST /orgs/{org}/goals/{id}/checkins without indicator values: CheckIns.record
-- (Sources/Luotsi/FollowUp/CheckIns.swift) inside TenantDatabase.withTenant: three round trips.
-- :checkin_goal is a scheduled goal this user may follow up.
-- Deviations: the server makes the check-in's id and binds the procurement phase that the first
-- round trip read; here the id is md5 of a random number, and a subquery reads the phase again
-- (pgbench cannot carry results out of a pipeline). The audit row's JSON is built in SQL.
\set attainment random(0, 100)
\set key random(1, 2000000000)
-- 1: BEGIN and the tenant switch travel with the goal (locked) and its indicators.
\startpipeline
BEGIN;
SELECT set_config('search_path', :schema_quoted, true), set_config('role', :schema, true);
SELECT g.status, g.level, g.procurement_id, p.phase,
       (p.lead_id = :me OR EXISTS (SELECT 1 FROM procurement_members m WHERE m.procurement_id = p.id AND m.user_id = :me)) AS member
FROM goals g LEFT JOIN procurements p ON p.id = g.procurement_id WHERE g.id = :checkin_goal FOR UPDATE OF g;
SELECT id FROM goal_indicators WHERE goal_id = :checkin_goal;
\endpipeline
-- 2: the check-in, its indicator values and its audit row (AuditLog.insert) in one statement,
-- and the values read back (CheckIns.valuesQuery).
\startpipeline
WITH checkin AS (
    INSERT INTO checkins (id, goal_id, author_id, status, attainment, comment, phase)
    VALUES (md5(:client_id || '-' || :key)::uuid, :checkin_goal, :me, 'on_track', :attainment, 'pgbench check-in',
            (SELECT p.phase FROM goals g JOIN procurements p ON p.id = g.procurement_id WHERE g.id = :checkin_goal)) RETURNING *),
indicator_values AS (
    INSERT INTO checkin_indicator_values (checkin_id, indicator_id, value)
    SELECT checkin.id, v.indicator_id, v.value
    FROM checkin, unnest('{}'::uuid[], '{}'::numeric[]) AS v(indicator_id, value)),
audit AS (
    INSERT INTO audit_log (actor_id, actor_email, action, entity, entity_id, before, after)
    VALUES (:me, :email, 'goal.checkin', 'goal', :checkin_goal, NULL, jsonb_build_object('status', 'on_track', 'attainment', :attainment::text)))
SELECT * FROM checkin;
SELECT v.checkin_id, v.indicator_id, v.value FROM checkin_indicator_values v JOIN goal_indicators i ON i.id = v.indicator_id
WHERE v.checkin_id = ANY(ARRAY[md5(:client_id || '-' || :key)::uuid]) ORDER BY i.position;
\endpipeline
-- 3: COMMIT.
COMMIT;

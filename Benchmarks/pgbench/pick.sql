-- pgbench's own start of every transaction (Benchmarks/run puts this file in front of each
-- request kind's script; pgbench has no include). It mirrors nothing the server sends: it picks
-- a random seeded user, their organisation and ids from bench.targets (written by
-- Benchmarks/seed/org.sql) for the statements that follow: :me, :email, :schema,
-- :schema_quoted, :goal (a goal of the organisation), :checkin_goal (a scheduled goal the user
-- may follow up).
--
-- The server itself reads a session from the database only when it is not in its session cache
-- (SessionStore.read in Sources/Luotsi/Access/SessionStore.swift, kept 60 s), which in a steady
-- load is the rare case, so that read is not mirrored here.
\set n random(1, :rows)
SELECT user_id AS me, email, schema_name AS schema, schema_quoted, goal_id AS goal, checkin_goal_id AS checkin_goal
FROM bench.targets WHERE n = :n
\gset

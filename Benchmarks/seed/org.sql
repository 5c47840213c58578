-- Fills ONE freshly created (empty) organisation with the benchmark's data volume, signs its
-- users in and prints the lines of the load generator's data file. Run by psql as the
-- application's login role (which owns every schema and table it migrated), with the variables
--   schema  the organisation's schema (also its database role)   slug    its slug
--   org_id  its id in platform.organisations                       hash    a bcrypt hash (every user's)
--   salt    a per-run secret the session tokens are derived from
-- Benchmarks/run includes this file once per organisation (\i), in one psql session.
--
-- Only tables and columns that exist both at the baseline commit (f7f6181: tenant migrations
-- 001–002, platform 001–003) and now are written; later columns take their defaults.
-- Everything is deterministic except ids and the timestamps relative to now(), so two runs
-- (and the two binaries compared) get the same data.
--
-- Per organisation: 5 users (1 management, 2 lead, 2 staff), 10 procurements (every phase),
-- 30 goals (12 scheduled, 6 ideas, 5 shortlisted, 4 closed, 2 rejected, 1 dropped; 10 of
-- organisation level, 5 of them adopting a national catalogue goal), 50 tasks, 100 check-ins,
-- with transitions, milestones, indicators, alignments, comments and supports around them.
-- The users are seq 1–5, procurements seq 1–10 and goals seq 1–30 of their tables (a new
-- organisation's identity columns start at 1): the statements below refer to them by seq.

BEGIN;
SET LOCAL search_path TO :"schema";

-- Users: seq 1 management, 2–3 lead, 4–5 staff. All share one known password's hash.
INSERT INTO users (email, name, role, password_hash, created_at)
SELECT v.local || '@' || :'slug' || '.example', v.name, v.role, :'hash', now() - interval '400 days'
FROM (VALUES (1, 'management', 'Maija Johtaja', 'management'),
             (2, 'lead1', 'Lauri Vetäjä', 'lead'),
             (3, 'lead2', 'Liisa Vetäjä', 'lead'),
             (4, 'staff1', 'Sami Tekijä', 'staff'),
             (5, 'staff2', 'Sanna Tekijä', 'staff')) AS v (n, local, name, role)
ORDER BY v.n;

-- Procurements 1–10 in all six phases, led by the two leads in turn.
INSERT INTO procurements (title, reference, category, estimated_value, phase, lead_id, created_by, created_at)
SELECT 'Hankinta ' || p || ': ' || (ARRAY['Toimitilapalvelut', 'Kalusteet', 'Ruokapalvelut', 'Tietojärjestelmä', 'Kuljetukset'])[1 + p % 5],
       'HKI-' || lpad(p::text, 4, '0'), (ARRAY['palvelut', 'tavarat', 'rakennusurakat'])[1 + p % 3], 50000 * p,
       (ARRAY['needs_assessment', 'market_engagement', 'tender_preparation', 'tendering_award',
              'contract_management', 'closure_evaluation'])[1 + (p - 1) % 6],
       (SELECT id FROM users WHERE seq = 2 + p % 2), (SELECT id FROM users WHERE seq = 1),
       now() - make_interval(days => 300 - p)
FROM generate_series(1, 10) AS p
ORDER BY p;

INSERT INTO procurement_phase_changes (procurement_id, from_phase, to_phase, actor_id, at)
SELECT id, NULL, phase, lead_id, created_at FROM procurements;

-- Staff 1 takes part in procurements 1–5, staff 2 in 6–10 (so each may check in on some goals).
INSERT INTO procurement_members (procurement_id, user_id)
SELECT p.id, u.id FROM procurements p JOIN users u ON u.seq = CASE WHEN p.seq <= 5 THEN 4 ELSE 5 END;

INSERT INTO procurement_impacts (procurement_id, theme, target_score, achieved_score)
SELECT p.id, t.theme, 1 + p.seq % 2, CASE WHEN p.phase = 'closure_evaluation' THEN p.seq % 3 END
FROM procurements p CROSS JOIN (VALUES ('responsibility'), ('cost_savings')) AS t (theme);

-- Goals 1–30. Every third is organisation-level; the others belong to procurement (i-1)%10+1,
-- so each procurement has two goals. Goals 3, 6, 9, 12 and 15 adopt the first five goals of the
-- newest published catalogue version (title and theme from there).
WITH catalogue AS (
    SELECT g.id, g.name ->> 'fi' AS title, t.code AS theme,
           row_number() OVER (ORDER BY t.position, g.position) AS k
    FROM platform.catalogue_goals g JOIN platform.catalogue_themes t ON t.id = g.theme_id
    WHERE g.version = (SELECT max(version) FROM platform.catalogue_versions WHERE status = 'published')
), themes AS (
    SELECT array_agg(DISTINCT theme ORDER BY theme) AS codes FROM catalogue
), layout AS (
    SELECT i,
           (ARRAY['scheduled', 'idea', 'scheduled', 'shortlisted', 'scheduled', 'idea', 'scheduled', 'achieved',
                  'scheduled', 'shortlisted', 'scheduled', 'idea', 'scheduled', 'rejected', 'scheduled', 'shortlisted',
                  'scheduled', 'idea', 'scheduled', 'partly_achieved', 'scheduled', 'idea', 'shortlisted', 'not_achieved',
                  'dropped', 'idea', 'rejected', 'shortlisted', 'achieved', 'scheduled'])[i] AS status,
           CASE WHEN i % 3 = 0 THEN 'organisation' ELSE 'procurement' END AS level
    FROM generate_series(1, 30) AS i
)
INSERT INTO goals (title, description, level, procurement_id, catalogue_goal_id, theme_code, status, priority,
                   owner_id, start_date, due_date, evaluation, created_by, created_at, updated_at)
SELECT coalesce(c.title, 'Tavoite ' || l.i || ': ' || (ARRAY['Päästöt pienemmiksi', 'Pk-yritykset mukaan',
                'Kiertotalous hankinnoissa', 'Työllisyysehdot', 'Innovatiiviset ratkaisut'])[1 + l.i % 5]),
       repeat('Tavoitteen kuvaus ja perustelut. ', 1 + l.i % 6),
       l.level,
       CASE WHEN l.level = 'procurement' THEN (SELECT id FROM procurements WHERE seq = (l.i - 1) % 10 + 1) END,
       c.id,
       coalesce(c.theme, CASE WHEN l.i % 2 = 0 THEN th.codes[1 + l.i % array_length(th.codes, 1)] END),
       l.status, 1 + l.i % 3,
       CASE WHEN l.status NOT IN ('idea', 'rejected') OR l.i = 4
            THEN (SELECT id FROM users WHERE seq = CASE WHEN l.level = 'organisation' THEN 1 ELSE 2 + l.i % 2 END) END,
       CASE WHEN l.i IN (1, 13) THEN current_date - 200
            WHEN l.status IN ('scheduled', 'achieved', 'partly_achieved', 'not_achieved') THEN current_date - 90 + l.i
            WHEN l.i = 4 THEN current_date - 60 END,
       CASE WHEN l.i IN (1, 13) THEN current_date - 5       -- two overdue scheduled goals
            WHEN l.status IN ('scheduled', 'achieved', 'partly_achieved', 'not_achieved') THEN current_date + 90 + 3 * l.i
            WHEN l.i = 4 THEN current_date - 3 END,         -- and an overdue shortlisted one
       CASE WHEN l.status IN ('achieved', 'partly_achieved', 'not_achieved') THEN 'Arvioitu vuoden lopussa.' END,
       (SELECT id FROM users WHERE seq = 1 + l.i % 3),
       now() - make_interval(days => 250 - l.i), now() - make_interval(days => 100 - l.i)
FROM layout l
CROSS JOIN themes th
LEFT JOIN catalogue c ON l.i IN (3, 6, 9, 12, 15) AND c.k = l.i / 3
ORDER BY l.i;

-- The moves that brought each goal to its status.
INSERT INTO goal_transitions (goal_id, from_status, to_status, reason, actor_id, at)
SELECT g.id, path[k - 1], path[k], CASE WHEN k = 1 THEN 'proposed' ELSE 'siirto ' || k END, g.created_by,
       g.created_at + make_interval(days => 10 * k)
FROM (SELECT id, created_by, created_at,
             CASE status
                 WHEN 'idea' THEN ARRAY['idea']
                 WHEN 'shortlisted' THEN ARRAY['idea', 'shortlisted']
                 WHEN 'scheduled' THEN ARRAY['idea', 'shortlisted', 'scheduled']
                 WHEN 'rejected' THEN ARRAY['idea', 'rejected']
                 WHEN 'dropped' THEN ARRAY['idea', 'shortlisted', 'dropped']
                 ELSE ARRAY['idea', 'shortlisted', 'scheduled', status]
             END AS path
      FROM goals) AS g
CROSS JOIN LATERAL generate_subscripts(g.path, 1) AS k
ORDER BY g.id, k;

-- Procurement goals align to an organisation goal; five organisation goals to a catalogue goal.
INSERT INTO goal_alignments (goal_id, aligns_to_goal_id)
SELECT g.id, o.id FROM goals g JOIN goals o ON o.seq = 3 * ((g.seq + 2) / 3) WHERE g.level = 'procurement';
INSERT INTO goal_alignments (goal_id, aligns_to_catalogue_id)
SELECT g.id, c.id
FROM goals g
JOIN (SELECT g2.id, row_number() OVER (ORDER BY t.position, g2.position) AS k
      FROM platform.catalogue_goals g2 JOIN platform.catalogue_themes t ON t.id = g2.theme_id
      WHERE g2.version = (SELECT max(version) FROM platform.catalogue_versions WHERE status = 'published')) c
  ON c.k = g.seq / 3 - 4
WHERE g.seq IN (18, 21, 24, 27, 30);

-- Scheduled and closed goals have two milestones and one indicator each.
INSERT INTO goal_milestones (goal_id, position, title, due, done)
SELECT g.id, m, 'Välitavoite ' || m, g.start_date + 60 * m, m = 1
FROM goals g CROSS JOIN generate_series(1, 2) AS m
WHERE g.status IN ('scheduled', 'achieved', 'partly_achieved', 'not_achieved');
INSERT INTO goal_indicators (goal_id, position, name, unit, baseline, target, direction)
SELECT id, 1, 'Ympäristöperusteita sisältävien hankintojen osuus', '%', 10, 60, 'increase'
FROM goals WHERE status IN ('scheduled', 'achieved', 'partly_achieved', 'not_achieved');

-- Discussion: three comments on each of the first ten goals; ideas supported by both staff.
INSERT INTO goal_comments (goal_id, author_id, text, created_at)
SELECT g.id, u.id, 'Kommentti ' || c || ' tavoitteeseen ' || g.seq || '.', g.created_at + make_interval(days => c)
FROM goals g CROSS JOIN generate_series(1, 3) AS c JOIN users u ON u.seq = 1 + (g.seq + c) % 5
WHERE g.seq <= 10
ORDER BY g.seq, c;
INSERT INTO goal_supports (goal_id, user_id)
SELECT g.id, u.id FROM goals g JOIN users u ON u.seq IN (4, 5) WHERE g.status = 'idea';

-- Tasks 1–50: five per procurement, on its first goal; ten per user; some overdue, a third done.
INSERT INTO tasks (procurement_id, goal_id, title, assignee_id, due, phase, status, created_by, created_at)
SELECT p.id, g.id, 'Tehtävä ' || j, u.id, current_date + (j - 10), p.phase,
       (ARRAY['todo', 'doing', 'done'])[1 + j % 3], p.lead_id, now() - make_interval(days => 120 - j)
FROM generate_series(1, 50) AS j
JOIN procurements p ON p.seq = (j - 1) % 10 + 1
JOIN goals g ON g.seq = CASE WHEN p.seq % 3 = 0 THEN p.seq + 10 ELSE p.seq END
JOIN users u ON u.seq = (j - 1) % 5 + 1
ORDER BY j;

-- Check-ins 1–100 over the 16 goals that were scheduled, about one every three days for ten
-- months (the dashboard's attainment chart), each with a value for the goal's indicator.
INSERT INTO checkins (goal_id, author_id, status, attainment, comment, phase, created_at)
SELECT g.id, u.id, (ARRAY['on_track', 'at_risk', 'off_track'])[1 + m % 3], (m * 37) % 101,
       'Seuranta ' || m || ': edistyy.', p.phase, now() - make_interval(days => 3 * (100 - m))
FROM generate_series(1, 100) AS m
JOIN (SELECT id, procurement_id, row_number() OVER (ORDER BY seq) AS k FROM goals
      WHERE status IN ('scheduled', 'achieved', 'partly_achieved', 'not_achieved')) g ON g.k = (m - 1) % 16 + 1
LEFT JOIN procurements p ON p.id = g.procurement_id
JOIN users u ON u.seq = 1 + m % 3
ORDER BY m;
INSERT INTO checkin_indicator_values (checkin_id, indicator_id, value)
SELECT c.id, i.id, 10 + c.attainment / 2 FROM checkins c JOIN goal_indicators i ON i.goal_id = c.goal_id;

-- Every user is signed in: a session row per user, as SessionStore.start writes it (the token's
-- lower-case hex SHA-256). The token is 32 bytes in base64url (43 characters), derived from the
-- run's salt and the user id, so the data file below can print it again.
INSERT INTO platform.sessions (token_hash, organisation_id, user_id, expires_at)
SELECT encode(sha256(convert_to(t.token, 'UTF8')), 'hex'), :'org_id', t.id, now() + interval '7 days'
FROM (SELECT id, rtrim(translate(encode(sha256(convert_to(:'salt' || id::text, 'UTF8')), 'base64'), '+/', '-_'), '=') AS token
      FROM users) AS t;

-- What pgbench picks from (Benchmarks/pgbench/session.sql): one row per user, with a goal to
-- read and a scheduled goal the user may check in on (staff: one of their procurements').
INSERT INTO bench.targets (token_hash, user_id, email, schema_name, schema_quoted, goal_id, checkin_goal_id)
SELECT encode(sha256(convert_to(rtrim(translate(encode(sha256(convert_to(:'salt' || u.id::text, 'UTF8')), 'base64'), '+/', '-_'), '='), 'UTF8')), 'hex'),
       u.id, u.email, :'schema', '"' || :'schema' || '"',
       (SELECT id FROM goals WHERE seq = 1 + (u.seq * 7) % 30),
       (SELECT g.id FROM goals g LEFT JOIN procurements p ON p.id = g.procurement_id
        WHERE g.status = 'scheduled'
          AND (u.role <> 'staff' OR p.lead_id = u.id
               OR EXISTS (SELECT 1 FROM procurement_members m WHERE m.procurement_id = p.id AND m.user_id = u.id))
        ORDER BY g.seq LIMIT 1)
FROM users u ORDER BY u.seq;

-- Fresh tables have no statistics: analyse them now (a few milliseconds in this session) rather
-- than let autovacuum do it table by table in the middle of a measurement.
ANALYZE users, procurements, procurement_phase_changes, procurement_members, procurement_impacts, goals,
        goal_transitions, goal_alignments, goal_milestones, goal_indicators, goal_comments, goal_supports, tasks,
        checkins, checkin_indicator_values;

-- The data file for wrk (Benchmarks/mix.lua), space-separated:
--   O <slug> <every goal id, comma-separated> <the scheduled goal ids>
--   U <slug> <token> <role> <goal ids the user may check in on, or * for every scheduled one>
SELECT 'O', :'slug', string_agg(id::text, ',' ORDER BY seq),
       string_agg(id::text, ',' ORDER BY seq) FILTER (WHERE status = 'scheduled')
FROM goals;
SELECT 'U', :'slug', rtrim(translate(encode(sha256(convert_to(:'salt' || u.id::text, 'UTF8')), 'base64'), '+/', '-_'), '='), u.role,
       CASE WHEN u.role = 'staff' THEN
           (SELECT string_agg(g.id::text, ',' ORDER BY g.seq) FROM goals g JOIN procurements p ON p.id = g.procurement_id
            WHERE g.status = 'scheduled'
              AND (p.lead_id = u.id OR EXISTS (SELECT 1 FROM procurement_members m WHERE m.procurement_id = p.id AND m.user_id = u.id)))
       ELSE '*' END
FROM users u ORDER BY u.seq;

COMMIT;

-- GET /orgs/{org}/goals, half of the requests with ?status=idea|shortlisted|scheduled:
-- GoalRepository.list (Sources/Luotsi/Goals/GoalRepository.swift) inside TenantDatabase.read:
-- the read-only tenant switch, the page's query and the six view statements (goal-views.sql),
-- which select their goals by the same query as a subquery, in one pipeline: one round trip.
-- The absent filters, bound as NULL by the server, are written as NULL; the status is an array
-- element picked at random.
\set filtered random(0, 1)
\set pick random(1, 3)
\if :filtered
\startpipeline
SELECT set_config('search_path', :schema_quoted, true), set_config('role', :schema, true), set_config('transaction_read_only', 'on', true);
SELECT id, seq FROM goals
WHERE seq > 0
  AND ((ARRAY['idea', 'shortlisted', 'scheduled'])[:pick]::text IS NULL OR status = (ARRAY['idea', 'shortlisted', 'scheduled'])[:pick])
  AND (NULL::text IS NULL OR level = NULL) AND (NULL::uuid IS NULL OR procurement_id = NULL)
ORDER BY seq LIMIT 51;
--include goal-views.sql IDS=SELECT id FROM (SELECT id, seq FROM goals WHERE seq > 0 AND ((ARRAY['idea', 'shortlisted', 'scheduled'])[:pick]::text IS NULL OR status = (ARRAY['idea', 'shortlisted', 'scheduled'])[:pick]) AND (NULL::text IS NULL OR level = NULL) AND (NULL::uuid IS NULL OR procurement_id = NULL) ORDER BY seq LIMIT 51) page
\endpipeline
\else
\startpipeline
SELECT set_config('search_path', :schema_quoted, true), set_config('role', :schema, true), set_config('transaction_read_only', 'on', true);
SELECT id, seq FROM goals
WHERE seq > 0
  AND (NULL::text IS NULL OR status = NULL)
  AND (NULL::text IS NULL OR level = NULL) AND (NULL::uuid IS NULL OR procurement_id = NULL)
ORDER BY seq LIMIT 51;
--include goal-views.sql IDS=SELECT id FROM (SELECT id, seq FROM goals WHERE seq > 0 AND (NULL::text IS NULL OR status = NULL) AND (NULL::text IS NULL OR level = NULL) AND (NULL::uuid IS NULL OR procurement_id = NULL) ORDER BY seq LIMIT 51) page
\endpipeline
\endif

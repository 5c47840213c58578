-- GET /orgs/{org}/goals/{id}: GoalRepository.get = GoalViews.load([id])
-- (Sources/Luotsi/Goals/GoalViews.swift) inside TenantDatabase.read: the read-only tenant switch
-- and the six view statements (goal-views.sql) in one pipeline: one round trip. The server binds
-- the ids as a uuid array; here it is ARRAY[:goal].
\startpipeline
SELECT set_config('search_path', :schema_quoted, true), set_config('role', :schema, true), set_config('transaction_read_only', 'on', true);
--include goal-views.sql IDS=SELECT unnest(ARRAY[:goal]::uuid[])
\endpipeline

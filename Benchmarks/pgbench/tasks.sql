-- GET /orgs/{org}/tasks?assignee=me: TaskRepository.list (Sources/Luotsi/Tasks/TaskRepository.swift)
-- with no procurement and no status, inside TenantDatabase.read: the read-only tenant switch and
-- the query in one round trip. The absent filters, bound as NULL by the server, are written as NULL.
\startpipeline
SELECT set_config('search_path', :schema_quoted, true), set_config('role', :schema, true), set_config('transaction_read_only', 'on', true);
SELECT * FROM tasks
WHERE seq > 0
  AND (NULL::uuid IS NULL OR procurement_id = NULL)
  AND (:me::uuid IS NULL OR assignee_id = :me)
  AND (NULL::text IS NULL OR status = NULL)
ORDER BY seq LIMIT 51;
\endpipeline

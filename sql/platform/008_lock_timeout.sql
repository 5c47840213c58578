-- A statement that waits for a lock gives up after 5 s (SQLSTATE 55P03, answered 503 with
-- Retry-After), so a table held by a long operation costs a request seconds, not the statement
-- timeout on top of the wait for a free connection. Taken in turns, like 005.
SELECT pg_advisory_xact_lock(hashtext('luotsi: alter login role'));
ALTER ROLE CURRENT_USER SET lock_timeout = '5s';

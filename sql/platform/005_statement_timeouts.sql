-- No statement may run for ever and no transaction may sit idle holding locks: defaults for the
-- application's login role, so they hold on every connection it opens (also through PgBouncer,
-- which does not pass per-connection options). A request that hits them fails with 57014 / 25P03
-- and is answered 503; an operator may raise them with ALTER ROLE ... SET.
-- The role is shared by every platform schema in the database (tests migrate several at once),
-- and PostgreSQL refuses two concurrent ALTER ROLEs of one role, so they take turns.
SELECT pg_advisory_xact_lock(hashtext('luotsi: alter login role'));
ALTER ROLE CURRENT_USER SET statement_timeout = '15s';
ALTER ROLE CURRENT_USER SET idle_in_transaction_session_timeout = '60s';

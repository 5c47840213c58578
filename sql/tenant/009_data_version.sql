-- The organisation's data version: one number that every transaction writing to the
-- organisation's tables raises, once, and announces on the channel `luotsi_data` as
-- '<schema>:<version>'. Each instance caches read models stamped with the version they were read
-- at (Tenancy/ReadModelCache.swift) and drops them when it hears of a newer one.
--
-- The application raises it as the last statement of each write transaction, sent with its
-- COMMIT (`data_version_bump()`), so the version's row lock is the last lock the transaction
-- takes and cannot close a deadlock. Any other writer (a script, psql) is caught by the deferred
-- triggers below, which raise it at COMMIT; a transaction that raised it already is skipped.
CREATE TABLE data_version (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version bigint NOT NULL DEFAULT 1
);
INSERT INTO data_version DEFAULT VALUES;

-- Raises the version of `schema_name` once per transaction and returns it (the same number on
-- a second call in the transaction). The transaction-local setting remembers it.
CREATE FUNCTION data_version_bump_in(schema_name text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    remembered text := current_setting('luotsi_data_version.' || schema_name, true);
    raised bigint;
BEGIN
    IF remembered IS NOT NULL AND remembered <> '' THEN
        RETURN remembered::bigint;
    END IF;
    EXECUTE format('UPDATE %I.data_version SET version = version + 1 RETURNING version', schema_name) INTO raised;
    PERFORM set_config('luotsi_data_version.' || schema_name, raised::text, true);
    PERFORM pg_notify('luotsi_data', schema_name || ':' || raised);
    RETURN raised;
END
$$;

-- For the application: raises the version only when the transaction wrote something (has a
-- transaction id); otherwise returns no row.
CREATE FUNCTION data_version_bump() RETURNS SETOF bigint LANGUAGE sql AS $$
    SELECT data_version_bump_in(current_schema()) WHERE pg_current_xact_id_if_assigned() IS NOT NULL
$$;

-- Fired once per written row at COMMIT: after the first (or the application's own bump) it only
-- reads the transaction's setting.
CREATE FUNCTION data_version_bump_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('luotsi_data_version.' || TG_TABLE_SCHEMA, true), '') = '' THEN
        EXECUTE format('SELECT %I.data_version_bump_in(%L)', TG_TABLE_SCHEMA, TG_TABLE_SCHEMA);
    END IF;
    RETURN NULL;
END
$$;

-- Every table of the organisation but the version itself (TenancyCacheTests checks that every
-- table, including any added later, has one).
DO $$
DECLARE
    name text;
BEGIN
    FOR name IN
        SELECT c.relname FROM pg_class c
        WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relkind IN ('r', 'p') AND c.relname <> 'data_version'
    LOOP
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON %I '
            'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump_trigger()', name);
    END LOOP;
END
$$;

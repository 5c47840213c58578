-- Which tenant migrations each organisation's schema has applied, copied from that schema's own
-- `schema_migrations` by the migrator in the same transaction (Tenancy/Migrator.swift). With it
-- `luotsi migrate` finds out that there is nothing to do with one indexed read instead of
-- opening every organisation's table: at 10,000 organisations that took 6.8 s, almost all of it
-- PostgreSQL loading each schema's table into its caches for the first time (BENCHMARKS.md).
--
-- The schema's own table stays the record: the migrator checks it before applying anything,
-- and `serve`'s start-up check reads it. Schemas with no rows here (migrated before this file)
-- are read from their own tables once, and copied; `luotsi migrate --recheck` does that for all.
CREATE TABLE tenant_migrations (
    schema_name text NOT NULL,
    version integer NOT NULL,
    checksum text NOT NULL,
    PRIMARY KEY (schema_name, version)
);

-- What platform administrators and the command line did to the platform: organisations created,
-- suspended and reactivated; catalogue drafts started, edited, discarded and published. Each row is
-- written in the same transaction as the change. Organisations' own trails are in their schemas.
CREATE TABLE platform_audit_log (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid,            -- NULL when the command line acted
    actor_email text NOT NULL,
    action      text NOT NULL,
    target      text,
    detail      jsonb
);

-- Append-only: a change or removal is refused whoever tries.
CREATE FUNCTION platform_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the platform audit log is append-only' USING ERRCODE = '42501';
END
$$;
CREATE TRIGGER platform_audit_no_update_delete BEFORE UPDATE OR DELETE ON platform_audit_log
    FOR EACH ROW EXECUTE FUNCTION platform_audit_append_only();
CREATE TRIGGER platform_audit_no_truncate BEFORE TRUNCATE ON platform_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION platform_audit_append_only();

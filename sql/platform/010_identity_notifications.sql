-- Every instance keeps the identities behind recently used sessions in memory. Whatever ends or
-- changes one (sign-out, a revocation, an organisation's suspension, an administrator's change,
-- an operator's SQL) tells every instance at commit, whichever process or tool made the change.
-- The server's own refresh of `last_seen_at` only moves it forward and tells no one.
CREATE FUNCTION notify_identity_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'sessions' THEN
        PERFORM pg_notify('luotsi_identity', 'session:' || OLD.token_hash);
    ELSIF TG_TABLE_NAME = 'organisations' THEN
        PERFORM pg_notify('luotsi_identity', 'organisation:' || OLD.id);
    ELSE
        PERFORM pg_notify('luotsi_identity', 'user:' || OLD.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_identity_changed AFTER UPDATE ON sessions FOR EACH ROW
    WHEN (NEW.revoked_at IS DISTINCT FROM OLD.revoked_at OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
          OR NEW.last_seen_at < OLD.last_seen_at OR NEW.user_id IS DISTINCT FROM OLD.user_id
          OR NEW.organisation_id IS DISTINCT FROM OLD.organisation_id)
    EXECUTE FUNCTION notify_identity_change();
CREATE TRIGGER sessions_identity_deleted AFTER DELETE ON sessions FOR EACH ROW
    EXECUTE FUNCTION notify_identity_change();

CREATE TRIGGER organisations_identity_changed AFTER UPDATE ON organisations FOR EACH ROW
    WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION notify_identity_change();
CREATE TRIGGER organisations_identity_deleted AFTER DELETE ON organisations FOR EACH ROW
    EXECUTE FUNCTION notify_identity_change();

CREATE TRIGGER platform_admins_identity_changed AFTER UPDATE ON platform_admins FOR EACH ROW
    WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION notify_identity_change();

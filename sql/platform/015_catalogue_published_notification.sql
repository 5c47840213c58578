-- The organisations' read models show national goals' wording and whether a newer published
-- version changed it (Goals/GoalViews.swift). A newly published catalogue version changes that
-- for every organisation at once, so it tells every instance to drop its cached read models
-- ('*' on `luotsi_data`, Tenancy/ReadModelCache.swift), at commit, whichever tool published it.
CREATE FUNCTION notify_catalogue_published() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('luotsi_data', '*');
    RETURN NULL;
END
$$;

CREATE TRIGGER catalogue_version_published AFTER INSERT OR UPDATE OF status ON catalogue_versions FOR EACH ROW
    WHEN (NEW.status = 'published')
    EXECUTE FUNCTION notify_catalogue_published();

-- A published catalogue version, and every theme, goal and indicator in it, can be neither
-- removed nor changed. Organisations' goals refer to those rows by id without foreign keys
-- (tenant migration 006), so this is what keeps such a reference from dangling; it also keeps
-- "an adopted goal keeps the version it adopted" true whoever writes to the tables. Only a
-- draft is edited or discarded, and publishing flips a draft's status, nothing else.
-- `SET search_path FROM CURRENT` keeps the platform schema (the migration's search_path) for
-- the look-ups below, whatever the writer's search_path is.
CREATE FUNCTION catalogue_published_is_permanent() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
    published boolean;
BEGIN
    IF TG_TABLE_NAME = 'catalogue_versions' THEN
        published := OLD.status = 'published';
        -- Publishing a draft, the one allowed change of status, is an UPDATE of a draft row.
    ELSIF TG_TABLE_NAME = 'catalogue_indicators' THEN
        SELECT v.status = 'published' INTO published
        FROM catalogue_goals g JOIN catalogue_versions v ON v.version = g.version
        WHERE g.id = OLD.goal_id;
    ELSE
        SELECT v.status = 'published' INTO published FROM catalogue_versions v WHERE v.version = OLD.version;
    END IF;
    IF coalesce(published, false) THEN
        RAISE EXCEPTION 'a published catalogue version cannot be changed or removed (% of %)', TG_OP, TG_TABLE_NAME
            USING ERRCODE = '42501';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER catalogue_versions_published_permanent BEFORE UPDATE OR DELETE ON catalogue_versions
    FOR EACH ROW EXECUTE FUNCTION catalogue_published_is_permanent();
CREATE TRIGGER catalogue_themes_published_permanent BEFORE UPDATE OR DELETE ON catalogue_themes
    FOR EACH ROW EXECUTE FUNCTION catalogue_published_is_permanent();
CREATE TRIGGER catalogue_goals_published_permanent BEFORE UPDATE OR DELETE ON catalogue_goals
    FOR EACH ROW EXECUTE FUNCTION catalogue_published_is_permanent();
CREATE TRIGGER catalogue_indicators_published_permanent BEFORE UPDATE OR DELETE ON catalogue_indicators
    FOR EACH ROW EXECUTE FUNCTION catalogue_published_is_permanent();

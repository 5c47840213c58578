-- The national goal catalogue, versioned. A version is a full snapshot: publishing copies
-- nothing in place, so an organisation's adopted goal keeps pointing at the version it adopted.

CREATE TABLE catalogue_versions (
    version      integer PRIMARY KEY CHECK (version > 0),
    status       text NOT NULL CHECK (status IN ('draft', 'published')),
    title        jsonb NOT NULL,          -- {"fi": …, "sv": …, "en": …}
    source       text NOT NULL DEFAULT '',
    note         text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    CHECK ((status = 'published') = (published_at IS NOT NULL))
);
-- At most one draft at a time.
CREATE UNIQUE INDEX catalogue_one_draft ON catalogue_versions ((true)) WHERE status = 'draft';

CREATE TABLE catalogue_themes (
    id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version   integer NOT NULL REFERENCES catalogue_versions (version) ON DELETE CASCADE,
    code      text NOT NULL CHECK (code ~ '^[A-Z]{2,8}$'),
    position  integer NOT NULL,
    status    text NOT NULL CHECK (status IN ('confirmed', 'name-only')),
    name      jsonb NOT NULL,
    statement jsonb NOT NULL,
    UNIQUE (version, code)
);

CREATE TABLE catalogue_goals (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    theme_id    uuid NOT NULL REFERENCES catalogue_themes (id) ON DELETE CASCADE,
    version     integer NOT NULL REFERENCES catalogue_versions (version) ON DELETE CASCADE,
    code        text NOT NULL CHECK (code ~ '^[A-Z]{2,8}-[0-9]{1,3}$'),
    position    integer NOT NULL,
    name        jsonb NOT NULL,
    description jsonb NOT NULL,
    UNIQUE (version, code)
);

CREATE TABLE catalogue_indicators (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    goal_id     uuid NOT NULL REFERENCES catalogue_goals (id) ON DELETE CASCADE,
    code        text NOT NULL,
    position    integer NOT NULL,
    name        jsonb NOT NULL,
    description jsonb NOT NULL,
    unit        text NOT NULL,
    direction   text NOT NULL CHECK (direction IN ('increase', 'decrease', 'maintain')),
    target      numeric,
    target_year integer CHECK (target_year BETWEEN 2000 AND 2100),
    UNIQUE (goal_id, code)
);

-- Every organisation's role reads the catalogue (and nothing else of the platform schema).
GRANT SELECT ON catalogue_versions, catalogue_themes, catalogue_goals, catalogue_indicators TO luotsi_tenant;

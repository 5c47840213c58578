-- An organisation's goal funnel: procurements, goals, their alignment, transitions, milestones,
-- indicators, comments, support, tasks, check-ins and the audit trail.
-- `seq` columns give stable keyset pagination; `version` columns back the ETags.

ALTER TABLE users ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX users_seq ON users (seq);

CREATE TABLE procurements (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    title           text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    reference       text CHECK (length(reference) <= 100),
    category        text CHECK (length(category) <= 100),
    estimated_value numeric(16, 2) CHECK (estimated_value >= 0),
    phase           text NOT NULL DEFAULT 'needs_assessment' CHECK (phase IN (
                        'needs_assessment', 'market_engagement', 'tender_preparation',
                        'tendering_award', 'contract_management', 'closure_evaluation')),
    lead_id         uuid REFERENCES users (id),
    created_by      uuid NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         integer NOT NULL DEFAULT 1
);

CREATE TABLE procurement_members (
    procurement_id uuid NOT NULL REFERENCES procurements (id) ON DELETE CASCADE,
    user_id        uuid NOT NULL REFERENCES users (id),
    PRIMARY KEY (procurement_id, user_id)
);

CREATE TABLE procurement_phase_changes (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    procurement_id uuid NOT NULL REFERENCES procurements (id) ON DELETE CASCADE,
    from_phase     text,
    to_phase       text NOT NULL,
    actor_id       uuid NOT NULL REFERENCES users (id),
    at             timestamptz NOT NULL DEFAULT now()
);

-- Hansel's impact assessment: a target score at the start and the achieved score at the end.
CREATE TABLE procurement_impacts (
    procurement_id uuid NOT NULL REFERENCES procurements (id) ON DELETE CASCADE,
    theme          text NOT NULL CHECK (theme IN ('responsibility', 'innovation', 'cost_savings', 'quality', 'competence_growth')),
    target_score   smallint CHECK (target_score BETWEEN 0 AND 2),
    achieved_score smallint CHECK (achieved_score BETWEEN 0 AND 2),
    PRIMARY KEY (procurement_id, theme)
);

CREATE TABLE goals (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    title             text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    description       text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    level             text NOT NULL CHECK (level IN ('organisation', 'procurement')),
    procurement_id    uuid REFERENCES procurements (id),
    catalogue_goal_id uuid REFERENCES {{platform}}.catalogue_goals (id),
    theme_code        text,
    status            text NOT NULL DEFAULT 'idea' CHECK (status IN (
                          'idea', 'shortlisted', 'scheduled', 'achieved', 'partly_achieved',
                          'not_achieved', 'rejected', 'dropped')),
    priority          smallint CHECK (priority BETWEEN 1 AND 3),
    owner_id          uuid REFERENCES users (id),
    start_date        date,
    due_date          date,
    evaluation        text,
    created_by        uuid NOT NULL REFERENCES users (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    version           integer NOT NULL DEFAULT 1,
    CHECK ((level = 'procurement') = (procurement_id IS NOT NULL)),
    CHECK (due_date IS NULL OR start_date IS NULL OR due_date >= start_date),
    CHECK (status <> 'scheduled' OR (owner_id IS NOT NULL AND start_date IS NOT NULL AND due_date IS NOT NULL))
);
CREATE INDEX goals_status ON goals (status);
CREATE INDEX goals_procurement ON goals (procurement_id);

-- Alignment: to organisation goals and/or national catalogue goals (many-to-many).
CREATE TABLE goal_alignments (
    goal_id                uuid NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    aligns_to_goal_id      uuid REFERENCES goals (id) ON DELETE CASCADE,
    aligns_to_catalogue_id uuid REFERENCES {{platform}}.catalogue_goals (id),
    CHECK ((aligns_to_goal_id IS NULL) <> (aligns_to_catalogue_id IS NULL)),
    CHECK (aligns_to_goal_id IS NULL OR aligns_to_goal_id <> goal_id)
);
CREATE UNIQUE INDEX goal_alignments_goal ON goal_alignments (goal_id, aligns_to_goal_id) WHERE aligns_to_goal_id IS NOT NULL;
CREATE UNIQUE INDEX goal_alignments_catalogue ON goal_alignments (goal_id, aligns_to_catalogue_id) WHERE aligns_to_catalogue_id IS NOT NULL;

CREATE TABLE goal_transitions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    goal_id     uuid NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    from_status text,
    to_status   text NOT NULL,
    reason      text NOT NULL,
    actor_id    uuid NOT NULL REFERENCES users (id),
    at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE goal_milestones (
    id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    goal_id  uuid NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    position integer NOT NULL,
    title    text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    due      date NOT NULL,
    done     boolean NOT NULL DEFAULT false
);

CREATE TABLE goal_indicators (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    goal_id                uuid NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    position               integer NOT NULL,
    name                   text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 300),
    unit                   text NOT NULL DEFAULT '' CHECK (length(unit) <= 40),
    baseline               numeric,
    target                 numeric NOT NULL,
    direction              text NOT NULL CHECK (direction IN ('increase', 'decrease')),
    catalogue_indicator_id uuid REFERENCES {{platform}}.catalogue_indicators (id)
);

CREATE TABLE goal_comments (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    goal_id    uuid NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    author_id  uuid NOT NULL REFERENCES users (id),
    text       text NOT NULL CHECK (length(btrim(text)) BETWEEN 1 AND 5000),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE goal_supports (
    goal_id    uuid NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (goal_id, user_id)
);

CREATE TABLE tasks (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    procurement_id uuid NOT NULL REFERENCES procurements (id) ON DELETE CASCADE,
    goal_id        uuid NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    title          text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    assignee_id    uuid REFERENCES users (id),
    due            date,
    phase          text CHECK (phase IN (
                       'needs_assessment', 'market_engagement', 'tender_preparation',
                       'tendering_award', 'contract_management', 'closure_evaluation')),
    status         text NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'doing', 'done')),
    created_by     uuid NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tasks_assignee ON tasks (assignee_id);
CREATE INDEX tasks_goal ON tasks (goal_id);

CREATE TABLE checkins (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    goal_id    uuid NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    author_id  uuid NOT NULL REFERENCES users (id),
    status     text NOT NULL CHECK (status IN ('on_track', 'at_risk', 'off_track')),
    attainment smallint NOT NULL CHECK (attainment BETWEEN 0 AND 100),
    comment    text NOT NULL DEFAULT '' CHECK (length(comment) <= 5000),
    phase      text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checkins_goal ON checkins (goal_id, created_at);

CREATE TABLE checkin_indicator_values (
    checkin_id   uuid NOT NULL REFERENCES checkins (id) ON DELETE CASCADE,
    indicator_id uuid NOT NULL REFERENCES goal_indicators (id) ON DELETE CASCADE,
    value        numeric NOT NULL,
    PRIMARY KEY (checkin_id, indicator_id)
);

CREATE TABLE audit_log (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid,
    actor_email text NOT NULL,
    action      text NOT NULL,
    entity      text NOT NULL,
    entity_id   uuid,
    before      jsonb,
    after       jsonb
);

-- Organisation settings (one row): e.g. after how many days without a check-in a goal is due one.
CREATE TABLE settings (
    singleton          boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    checkin_due_days   integer NOT NULL DEFAULT 30 CHECK (checkin_due_days BETWEEN 1 AND 365)
);
INSERT INTO settings DEFAULT VALUES;

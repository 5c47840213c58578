-- Workshops: a facilitated goal-setting session whose ideas, votes and decisions land in the
-- funnel as goals when it closes (Workshops/). Phases move gathering → voting → deciding → closed
-- at the facilitator's word; `version` rises with every change to the board, and each change is
-- announced on the `luotsi_workshop` channel so that every instance refreshes its viewers.
CREATE TABLE workshops (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq                  bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    title                text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    -- The optional focus: a national goal of the catalogue (no foreign key, as in 006), an
    -- organisation goal, or a procurement (whose goals the ideas then become).
    focus_catalogue_id   uuid,
    focus_goal_id        uuid REFERENCES goals (id) ON DELETE SET NULL,
    focus_procurement_id uuid REFERENCES procurements (id) ON DELETE SET NULL,
    CHECK (num_nonnulls(focus_catalogue_id, focus_goal_id, focus_procurement_id) <= 1),
    votes_per_person     smallint NOT NULL DEFAULT 3 CHECK (votes_per_person BETWEEN 1 AND 20),
    -- 1: at most one vote per idea; more only when the facilitator allows it.
    votes_per_idea       smallint NOT NULL DEFAULT 1 CHECK (votes_per_idea BETWEEN 1 AND 20),
    anonymous_ideas      boolean NOT NULL DEFAULT false,
    guests_allowed       boolean NOT NULL DEFAULT false,
    guest_limit          smallint NOT NULL DEFAULT 30 CHECK (guest_limit BETWEEN 1 AND 500),
    -- The time box of each phase, shown to everyone as a timer; the facilitator still moves on.
    phase_minutes        smallint CHECK (phase_minutes BETWEEN 1 AND 240),
    phase                text NOT NULL DEFAULT 'gathering' CHECK (phase IN ('gathering', 'voting', 'deciding', 'closed')),
    phase_started_at     timestamptz NOT NULL DEFAULT now(),
    join_code            text NOT NULL UNIQUE CHECK (join_code ~ '^[A-Z0-9]{6}$'),
    facilitator_id       uuid NOT NULL REFERENCES users (id),
    created_at           timestamptz NOT NULL DEFAULT now(),
    closed_at            timestamptz,
    version              integer NOT NULL DEFAULT 1,
    CHECK ((phase = 'closed') = (closed_at IS NOT NULL))
);

-- Who took part: members as themselves, guests by a display name and a secret of their own
-- (only its hash is kept), each recorded.
CREATE TABLE workshop_participants (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workshop_id      uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    user_id          uuid REFERENCES users (id),
    guest_name       text CHECK (length(btrim(guest_name)) BETWEEN 1 AND 60),
    guest_token_hash text UNIQUE,
    joined_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((user_id IS NULL) = (guest_name IS NOT NULL)),
    CHECK ((guest_name IS NULL) = (guest_token_hash IS NULL))
);
CREATE UNIQUE INDEX workshop_participants_member ON workshop_participants (workshop_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX workshop_participants_workshop ON workshop_participants (workshop_id);

CREATE TABLE workshop_ideas (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    author_id   uuid NOT NULL REFERENCES workshop_participants (id),
    anonymous   boolean NOT NULL DEFAULT false,
    text        text NOT NULL CHECK (length(btrim(text)) BETWEEN 1 AND 300),
    rationale   text NOT NULL DEFAULT '' CHECK (length(rationale) <= 2000),
    -- A duplicate merged into another idea: hidden from the board, its votes moved.
    merged_into uuid REFERENCES workshop_ideas (id),
    decision    text CHECK (decision IN ('shortlisted', 'rejected')),
    reason      text CHECK (length(reason) <= 5000),
    decided_by  uuid REFERENCES users (id),
    -- The goal it became when the workshop closed.
    goal_id     uuid REFERENCES goals (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (merged_into IS NULL OR decision IS NULL),
    CHECK (decision IS NULL OR length(btrim(reason)) >= 1)
);
CREATE INDEX workshop_ideas_workshop ON workshop_ideas (workshop_id, seq);

-- A person's votes on one idea (more than one only where the workshop allows it).
CREATE TABLE workshop_votes (
    participant_id uuid NOT NULL REFERENCES workshop_participants (id) ON DELETE CASCADE,
    idea_id        uuid NOT NULL REFERENCES workshop_ideas (id) ON DELETE CASCADE,
    votes          smallint NOT NULL CHECK (votes >= 1),
    PRIMARY KEY (participant_id, idea_id)
);
CREATE INDEX workshop_votes_idea ON workshop_votes (idea_id);

-- A goal that came from a workshop links back to it; its guests' votes count as support beside
-- the members', who become supporters (goal_supports) like anyone who supports an idea. No
-- foreign key: a workshop may be about a goal (focus_goal_id), and an organisation's export is
-- imported table by table, each after the tables it refers to. Workshops are never deleted.
ALTER TABLE goals ADD COLUMN workshop_id uuid;
ALTER TABLE goals ADD COLUMN guest_supports integer NOT NULL DEFAULT 0 CHECK (guest_supports >= 0);

CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON workshops
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump_trigger();
CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON workshop_participants
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump_trigger();
CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON workshop_ideas
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump_trigger();
CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON workshop_votes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump_trigger();
